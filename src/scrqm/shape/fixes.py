"""Mechanical fixes for shape errors: the edits that mend a fault whose correction follows from the text.

Each fix is data (`Fix`, edits over the original text) attached to the shape
finding it mends; `scrqm check --fix`/`--diff` and the language server's
quick fixes apply the same edits.  What is mended (`FIXABLE`) is only what
needs no judgement: a misspelt key with exactly one close match, an
enumeration in the wrong case, a number or date where text belongs, a missing
`format:` line, and the values whose correction the shape messages derive.
The referral's own words are never changed; anything ambiguous gets no fix.
"""

from __future__ import annotations

import difflib
from typing import Any

from scrqm.load.document import Document, Path_
from scrqm.load.spans import Span, Spans, line_starts, position_of_offset, spans_of
from scrqm.result import Edit, Fix
from scrqm.shape.model import FORMAT_TAG

# What `--fix` mends, for `scrqm rules` and the docs: (kind, example).
FIXABLE: tuple[tuple[str, str], ...] = (
    ("a misspelt key with exactly one close match", "`refferal:` → `referral:`"),
    ("an enumeration in the wrong case", "`Met` → `met`"),
    ("a number or date where text belongs", "`reference: 004` → `reference: \"004\"`"),
    ("a missing `format:` line", f"adds `format: {FORMAT_TAG}` below the comments that head the file"),
)

_CACHE: list[tuple[str, Spans, list[int]]] = []


def _spans(document: Document) -> tuple[Spans, list[int]]:
    """The spans of the document's text, computed once per text (a file's issues share them)."""
    if _CACHE and _CACHE[0][0] is document.text:
        return _CACHE[0][1], _CACHE[0][2]
    found = spans_of(document.text), line_starts(document.text)
    _CACHE[:] = [(document.text, *found)]
    return found


def _replace(document: Document, span: Span, content: str, message: str) -> Fix:
    _, starts = _spans(document)
    line, column = position_of_offset(starts, span.start)
    end_line, end_column = position_of_offset(starts, span.end)
    return Fix(message, (Edit(line, column, end_line, end_column, content),))


def _single_line(document: Document, span: Span) -> bool:
    return not any(c in document.text[span.start:span.end] for c in "\n\r\x85\u2028\u2029")


def _inner(span: Span) -> Span:
    """A quoted scalar's span without its quotes."""
    return Span(span.start + 1, span.end - 1, span.style) if span.style in ("'", '"') else span


def key_fix(document: Document, path: Path_, fields: list[str]) -> Fix | None:
    """`refrence:` → `reference:` when exactly one field of the mapping is close and not already there."""
    key = path[-1]
    if not isinstance(key, str):
        return None
    # Closer than the 0.6 of "did you mean": a fix must not guess between `referrer` and `reference`.
    close = difflib.get_close_matches(key, fields, n=2, cutoff=0.8)
    parent = _at(document.data, path[:-1])
    if len(close) != 1 or not isinstance(parent, dict) or close[0] in parent:
        return None
    span = _spans(document)[0].keys.get(path)
    if span is None or span.style not in ("", "'", '"') or not _single_line(document, span):
        return None
    return _replace(document, _inner(span), close[0], f"rename `{key}` to `{close[0]}`")


def format_fix(document: Document) -> Fix | None:
    """A missing `format:` line, added after the comments that head the file (a block mapping's only)."""
    root = _spans(document)[0].values.get(())
    if root is None or root.flow or not isinstance(document.data, dict):
        return None
    _, starts = _spans(document)
    root_line, column = position_of_offset(starts, root.start)
    if column != 1:
        return None
    lines = document.text.splitlines()
    line = 1
    while line < root_line and lines[line - 1].lstrip().startswith("#"):
        line += 1
    if line < root_line and lines[line - 1].rstrip() == "---":
        line += 1
    newline = "\r\n" if "\r\n" in document.text[:root.start + 1] or document.text.count("\r\n") > \
        document.text.count("\n") // 2 else "\n"
    content = f"format: {FORMAT_TAG}{newline}"
    return Fix(f"add `format: {FORMAT_TAG}`", (Edit(line, 1, line, 1, content),))


def value_fix(document: Document, path: Path_, kind: str, got: Any, choices: list[str]) -> Fix | None:
    """The mend of a value with the wrong case, or a number where text belongs; None when it needs judgement."""
    span = _spans(document)[0].values.get(path)
    if span is None or span.style not in ("", "'", '"') or not _single_line(document, span):
        return None
    if kind == "literal_error" and isinstance(got, str):
        wanted = got.strip().lower().replace(" ", "_").replace("-", "_")
        if wanted in choices and wanted != got:
            return _replace(document, _inner(span), wanted, f"write `{wanted}`")
        return None
    if kind == "scrqm_text" and span.style == "" and not isinstance(got, (bool, str, type(None))):
        written = document.text[span.start:span.end]
        if '"' in written or "\\" in written:
            return None
        return _replace(document, span, f'"{written}"', f'put it in quotes: "{written}"')
    return None


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
