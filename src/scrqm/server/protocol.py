"""The protocol side of `scrqm server`: pygls handlers that translate, and decide nothing.

Diagnostics are the findings of `scrqm check` for the text in the editor
(`checker.Checker`): one per finding, the rule id as `code`, positions
0-based and in the client's code units.  Hover shows what to write and why
(the `explain` text).  Code actions apply a finding's mechanical fix (the
same edits `check --fix` applies), insert the skeleton of a missing field,
or add a waiver for the rule and put the cursor on its `reason`.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from scrqm import __version__
from scrqm.server import actions
from scrqm.server.checker import Checker, Options, is_referral
from scrqm.server.positions import BUILT_IN_RULES, SHOW_RANGE, LspWorkspace, finding_range, is_yaml, path_of

SEVERITY = {"fail": lsp.DiagnosticSeverity.Error, "warn": lsp.DiagnosticSeverity.Warning,
            "info": lsp.DiagnosticSeverity.Information}


@dataclass
class Checked:
    version: int | None
    text: str
    result: Any  # FileResult, or None when the document is not a referral
    diagnostics: list[lsp.Diagnostic]


class ScrqmServer(LanguageServer):
    def __init__(self, options: Options) -> None:
        super().__init__("scrqm", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.options = options
        self.checker = Checker(options)
        self.debounce = 0.25
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.checked: dict[str, Checked] = {}
        self.explained: dict[tuple[str, str], str] = {}
        self.initialization_options: Any = None
        self.said: set[str] = set()

    # -- checking -------------------------------------------------------
    def check(self, uri: str) -> Checked:
        """The document's findings, computed once per version."""
        document = self.workspace.get_text_document(uri)
        known = self.checked.get(uri)
        if known is not None and known.version == document.version and known.text == document.source:
            return known
        text = document.source
        result = None
        diagnostics: list[lsp.Diagnostic] = []
        if is_yaml(document) and is_referral(text):
            # start-up: the checker's modules wait for the first request that needs them
            from scrqm.errors import ScrqmError

            path = path_of(uri)
            try:
                result = self.checker.check(text, path)
                ruleset = self.ruleset_of(uri, result)
            except ScrqmError as exc:  # a configuration or rule pack the user must fix: said once, not a crash
                self.say_once(f"scrqm: error: {exc}")
                result = None
            else:
                diagnostics = [self.diagnostic(document, finding, ruleset) for finding in result.findings]
        checked = Checked(document.version, text, result, diagnostics)
        self.checked[uri] = checked
        return checked

    def say_once(self, message: str) -> None:
        if message not in self.said:
            self.said.add(message)
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return
        checked = self.check(uri)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=checked.diagnostics, version=checked.version))

    def schedule(self, uri: str) -> None:
        """Check after `debounce` seconds without another change."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        if self.debounce <= 0:
            self.publish(uri)
            return
        self.pending[uri] = asyncio.get_running_loop().call_later(self.debounce, self.publish, uri)

    def diagnostic(self, document: TextDocument, finding: Any, ruleset: Any) -> lsp.Diagnostic:
        message = finding.message
        if finding.waived:
            message += f" (waived: {finding.waiver_reason or 'no reason given'})"
        return lsp.Diagnostic(
            range=finding_range(document, finding.line, finding.column),
            message=message,
            severity=lsp.DiagnosticSeverity.Hint if finding.waived else SEVERITY[finding.severity],
            code=finding.rule,
            code_description=lsp.CodeDescription(href=self.explanation_uri(ruleset, finding.rule)),
            source="scrqm",
            data={"severity": finding.severity, "field": finding.field, "fix": finding.fix,
                  "waived": finding.waived, "line": finding.line, "column": finding.column},
        )

    # -- what a rule means -------------------------------------------------
    def ruleset_of(self, uri: str, result: Any) -> Any:
        context = self.checker.context(path_of(uri))
        return context.ruleset_of(result.profile if result is not None else None)

    def explain_text(self, ruleset: Any, rule: str) -> str:
        from scrqm.errors import ScrqmError  # start-up: as above
        from scrqm.teach.explain import explain

        try:
            return explain(ruleset, rule)
        except ScrqmError:
            return f"{rule}: no explanation is known for this rule."

    def explanation_uri(self, ruleset: Any, rule: str) -> str:
        """A file holding `scrqm explain RULE` for the file's profile: the documentation, offline."""
        profile = "built-in" if rule in BUILT_IN_RULES else ruleset.profile
        key = (profile, rule)
        if key not in self.explained:
            from scrqm.run.cache import default_directory  # start-up: as above

            folder = default_directory() / "explain" / _safe(profile)
            target = folder / f"{_safe(rule)}.txt"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                _write_text(target, self.explain_text(ruleset, rule))
            except OSError:  # documentation is a convenience: a read-only home must not stop the checks
                pass
            self.explained[key] = target.as_uri()
        return self.explained[key]


def _safe(name: str) -> str:
    """A board pack's rule id as a file name: never a path."""
    import re  # start-up: as above

    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"


def _write_text(target: Path, text: str) -> None:
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False)
    with handle:
        handle.write(text)
    os.replace(handle.name, target)


def build_server(options: Options) -> ScrqmServer:
    server = ScrqmServer(options)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: ScrqmServer, params: lsp.InitializeParams) -> None:
        # Read once `initialize` is answered: the editor waits for that answer, not for pydantic.
        ls.initialization_options = params.initialization_options
        # pygls has just made the workspace (no document is open yet): its documents count lines as LSP does.
        ls.workspace.__class__ = LspWorkspace

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: ScrqmServer, params: lsp.InitializedParams) -> None:
        from pydantic import ValidationError  # start-up: as above

        import scrqm.pipeline  # noqa: F401  (imported now, while the editor opens the file, not at the first check)
        from scrqm.server.options import InitializationOptions

        try:
            given = InitializationOptions.model_validate(ls.initialization_options or {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in exc.errors())
            ls.window_show_message(lsp.ShowMessageParams(
                type=lsp.MessageType.Warning, message=f"scrqm: initializationOptions ignored: {problems}"))
            given = InitializationOptions()
        ls.options = Options(
            today=given.today or options.today,
            config=Path(given.config) if given.config else options.config,
            isolated=given.isolated if given.isolated is not None else options.isolated,
            rules=tuple(given.rules) if given.rules is not None else options.rules,
        )
        ls.checker = Checker(ls.options)
        ls.debounce = given.debounce

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ScrqmServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ScrqmServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ScrqmServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.endswith(("/.scrqm.yaml", "/.scrqm.yml", "/pyproject.toml")):
            for other in list(ls.workspace.text_documents):  # the configuration changed: every referral again
                ls.checked.pop(other, None)
                ls.publish(other)
        ls.publish(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ScrqmServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = ls.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: ScrqmServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return actions.hover(ls, params)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]))
    def code_action(ls: ScrqmServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return actions.code_actions(ls, params)

    @server.command(SHOW_RANGE)
    def show_range(ls: ScrqmServer, uri: str, range: Any) -> None:
        """Put the cursor where the user writes next (a waiver's reason), on clients that can."""
        selection = range if isinstance(range, lsp.Range) else lsp.Range(
            start=lsp.Position(**range["start"]), end=lsp.Position(**range["end"]))
        if ls.client_capabilities.window and ls.client_capabilities.window.show_document:
            ls.window_show_document(lsp.ShowDocumentParams(uri=uri, take_focus=True, selection=selection))

    return server
