"""Positions between scrqm (1-based lines, columns in code points) and LSP (0-based, the client's units)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import ServerTextPosition

from scrqm.check.builtins import BUILT_INS
from scrqm.load.breaks import lines_with_ends

SHOW_RANGE = "scrqm.showRange"
BUILT_IN_RULES = frozenset(BUILT_INS)  # load, shape, io: declared once, in check/builtins.py


class LspDocument(TextDocument):
    """pygls's document, with its lines counted as LSP and scrqm count them (LF, CR, CR LF).

    pygls splits with `str.splitlines`, which breaks at NEL, LS and PS too, so an
    editor's change to a line below one of those was applied a line too high.
    """

    @property
    def lines(self) -> Sequence[str]:
        return tuple(lines_with_ends(self.source))


class LspWorkspace(Workspace):
    """pygls's workspace, whose documents are `LspDocument`s (the server's, from `initialize` on)."""

    def _create_text_document(self, doc_uri: str, source: str | None = None, version: int | None = None,
                              language_id: str | None = None) -> TextDocument:
        return LspDocument(doc_uri, source=source, version=version, language_id=language_id,
                        sync_kind=self._sync_kind, position_codec=self._position_codec)


def finding_range(document: TextDocument, line: int, column: int) -> lsp.Range:
    """From the finding's position to the end of its line's text, in the client's code units."""
    lines = document.lines
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    content = lines[index].rstrip("\r\n") if lines else ""
    start = ServerTextPosition(index, max(column - 1, 0))
    end = ServerTextPosition(index, max(len(content.rstrip()), start.character))
    return lsp.Range(document.position_to_client_units(start), document.position_to_client_units(end))


def to_client(document: TextDocument, line: int, column: int) -> lsp.Position:
    """A 1-based (line, column in code points) as an LSP position in the client's code units."""
    lines = document.lines
    if line - 1 >= len(lines):
        return lsp.Position(line=len(lines), character=0)
    return document.position_to_client_units(ServerTextPosition(line - 1, column - 1))


def is_yaml(document: TextDocument) -> bool:
    return document.language_id == "yaml" or document.uri.lower().endswith((".yaml", ".yml"))


def path_of(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None
