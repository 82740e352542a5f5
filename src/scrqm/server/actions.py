"""Hover and code actions of `scrqm server`, built from the last check of the document.

Quick fixes are the findings' own `Fix` data (the edits `check --fix`
applies), converted to the client's positions; the skeleton of a missing
field and a new waiver are edits written here, each followed by a command
that puts the cursor where the user writes next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from scrqm.server.positions import BUILT_IN_RULES, SHOW_RANGE, finding_range, path_of, to_client

if TYPE_CHECKING:
    from pygls.workspace import TextDocument

    from scrqm.result import Finding
    from scrqm.server.protocol import ScrqmServer


def hover(ls: ScrqmServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    checked = ls.check(uri)
    if checked.result is None:
        return None
    document = ls.workspace.get_text_document(uri)
    ruleset = ls.ruleset_of(uri, checked.result)
    found = [f for f in checked.result.findings if _covers(finding_range(document, f.line, f.column), params.position)]
    if not found:
        return None
    parts = []
    for finding in found:
        part = f"**{finding.rule}** ({finding.severity}): {_escape(finding.message)}"
        if finding.fix:
            part += f"\n\n*What to write:* {_escape(' '.join(finding.fix.split()))}"
        part += "\n\n*Why, and how:*\n\n```text\n" + ls.explain_text(ruleset, finding.rule).rstrip() + "\n```"
        parts.append(part)
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
                     range=finding_range(document, found[0].line, found[0].column))


def code_actions(ls: ScrqmServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    checked = ls.check(uri)
    if checked.result is None:
        return []
    document = ls.workspace.get_text_document(uri)
    ruleset = ls.ruleset_of(uri, checked.result)
    wanted = params.context.only
    actions: list[lsp.CodeAction] = []
    for finding, diagnostic in zip(checked.result.findings, checked.diagnostics):
        if not _overlaps(diagnostic.range, params.range):
            continue
        if finding.autofix is not None:
            actions.append(lsp.CodeAction(
                title=f"scrqm: {finding.autofix.message}", kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                edit=_workspace_edit(uri, [_text_edit(document, e) for e in finding.autofix.edits])))
        skeleton = _skeleton(document, ruleset, finding, checked.text)
        if skeleton is not None:
            title, edit, cursor = skeleton
            actions.append(_with_cursor(lsp.CodeAction(
                title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                edit=_workspace_edit(uri, [edit])), uri, cursor))
        waiver = _waiver(document, finding, checked.text)
        if waiver is not None:
            edit, cursor = waiver
            actions.append(_with_cursor(lsp.CodeAction(
                title=f"scrqm: waive {finding.rule} for this referral (write the reason)",
                kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                edit=_workspace_edit(uri, [edit])), uri, cursor))
    fix_all = _fix_all(ls, uri, document, checked)
    if fix_all is not None:
        actions.append(fix_all)
    if wanted:
        actions = [a for a in actions if a.kind is not None and any(a.kind.startswith(k) for k in wanted)]
    return actions


def _fix_all(ls: ScrqmServer, uri: str, document: TextDocument, checked: Any) -> lsp.CodeAction | None:
    """Every mechanical fix at once, checked and fixed again until stable, as `check --fix`."""
    # start-up: the checker's modules wait for the first request that needs them
    from scrqm.run.mend import fixes_of, mend_text

    if not fixes_of(checked.result):
        return None
    mended = mend_text(checked.text, lambda text: ls.checker.check(text, path_of(uri)))
    if not mended.changed:
        return None
    lines = document.lines
    end = lsp.Position(line=len(lines), character=0)
    edit = lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=0, character=0), end=end), new_text=mended.text)
    return lsp.CodeAction(title="scrqm: fix every mechanical fault", kind=lsp.CodeActionKind.SourceFixAll,
                          edit=_workspace_edit(uri, [edit]))


def _workspace_edit(uri: str, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: edits})


def _text_edit(document: TextDocument, edit: Any) -> lsp.TextEdit:
    return lsp.TextEdit(range=lsp.Range(start=to_client(document, edit.line, edit.column),
                                        end=to_client(document, edit.end_line, edit.end_column)),
                        new_text=edit.content)


def _with_cursor(action: lsp.CodeAction, uri: str, cursor: lsp.Range) -> lsp.CodeAction:
    action.command = lsp.Command(title="Go to what to write", command=SHOW_RANGE, arguments=[uri, cursor])
    return action


def _waiver(document: TextDocument, finding: Finding, text: str) -> tuple[lsp.TextEdit, lsp.Range] | None:
    """A waiver of the finding's rule, appended to `waivers:` (or a new `waivers:` at the end)."""
    if finding.rule in BUILT_IN_RULES or finding.waived or finding.group == "waivers":
        return None
    from scrqm.load.breaks import line_starts, written_break  # start-up: as above
    from scrqm.load.spans import position_of_offset, spans_of

    spans = spans_of(text)
    newline = written_break(text)
    existing = spans.values.get(("waivers",))
    if existing is not None and not existing.flow and text[existing.start:existing.start + 1] == "-":
        starts = line_starts(text)
        line, column = position_of_offset(starts, existing.start)
        offset = _after_last_line(text, existing.end)
        indent = " " * (column - 1)
        prefix = ""
    elif existing is None:
        offset = len(text)
        indent = "  "
        prefix = ("" if text.endswith(("\n", "\r")) or not text else newline) + f"waivers:{newline}"
    else:
        return None  # `waivers:` written in flow style or as something else: the shape finding says so
    item = f"{indent}- rule: {finding.rule}{newline}{indent}  reason: "
    new_text = f"{prefix}{item}{newline}"
    starts = line_starts(text)
    line, column = position_of_offset(starts, offset)
    at = to_client(document, line, column)
    edit = lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=new_text)
    reason_line = at.line + new_text[:len(prefix) + len(item)].count(newline)
    reason = lsp.Position(line=reason_line, character=len(f"{indent}  reason: "))
    return edit, lsp.Range(start=reason, end=reason)


def _after_last_line(text: str, end: int) -> int:
    """The start of the line after the node that ends at `end` (block nodes end where the next begins)."""
    from scrqm.load.breaks import BREAK  # start-up: as above

    stripped = len(text[:end].rstrip(" \t\r\n"))
    found = BREAK.search(text, stripped)
    return len(text) if found is None else found.end()


def _skeleton(document: TextDocument, ruleset: Any, finding: Finding,
              text: str) -> tuple[str, lsp.TextEdit, lsp.Range] | None:
    """The missing field a `missing` rule names, written into its mapping with the format's hint."""
    rule = ruleset.rule(finding.rule)
    if rule is None or rule.definition.check != "missing" or finding.waived:
        return None
    field = (rule.definition.options or {}).get("field")
    if not isinstance(field, str):
        return None
    from scrqm.load.document import load_text, LoadFailure  # start-up: as above
    from scrqm.load.breaks import line_starts, written_break  # start-up: as above
    from scrqm.load.spans import position_of_offset, spans_of

    try:
        data = load_text(text).data
    except LoadFailure:
        return None
    parts = field.split(".")
    node, depth = data, 0
    while depth < len(parts) and isinstance(node, dict) and parts[depth] in node:
        node, depth = node[parts[depth]], depth + 1
    if depth == len(parts) or not isinstance(node, dict):
        return None  # present (empty or a placeholder): the user writes there, nothing to insert
    spans = spans_of(text)
    starts = line_starts(text)
    newline = written_break(text)
    parent = tuple(parts[:depth])
    if parent:
        span = spans.values.get(parent)
        if span is None or span.flow:
            return None
        if not node:
            return None  # `incident:` with nothing under it: no indentation to follow
        first_key = spans.keys.get((*parent, next(iter(node))))
        if first_key is None:
            return None
        indent = position_of_offset(starts, first_key.start)[1] - 1
        offset = _after_last_line(text, span.end)
        prefix = ""
    else:
        indent = 0
        offset = len(text)
        prefix = "" if text.endswith(("\n", "\r")) or not text else newline
    hints = _hints(ruleset.profile)
    lines = []
    for level, key in enumerate(parts[depth:]):
        dotted = ".".join(parts[:depth + level + 1])
        hint = hints.get(dotted)
        lines.append(" " * (indent + 2 * level) + f"{key}: " + (f"  # {hint}" if hint else ""))
    new_text = prefix + newline.join(lines) + newline
    line, column = position_of_offset(starts, offset)
    at = to_client(document, line, column)
    last = lines[-1]
    cursor_line = at.line + new_text[:len(prefix)].count(newline) + len(lines) - 1
    cursor = lsp.Position(line=cursor_line, character=len(last.split("  # ")[0]))
    return (f"scrqm: add `{field}:`", lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=new_text),
            lsp.Range(start=cursor, end=cursor))


def _hints(profile: str) -> dict[str, str]:
    """The skeleton's comment for each dotted field of the profile (what `scrqm new` writes)."""
    try:
        from scrqm.teach.authoring import fields_for  # start-up: as above

        specs = fields_for(profile)
    except Exception:  # the skeleton is still right without its comments
        return {}
    found: dict[str, str] = {}
    stack = [("", spec) for spec in specs]
    while stack:
        prefix, spec = stack.pop()
        dotted = f"{prefix}{spec.key}"
        found[dotted] = spec.hint
        if spec.kind != "items":
            stack += [(f"{dotted}.", child) for child in spec.children]
    return found


def _covers(range_: lsp.Range, position: lsp.Position) -> bool:
    start, end = (range_.start.line, range_.start.character), (range_.end.line, range_.end.character)
    return start <= (position.line, position.character) <= end


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    a0, a1 = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b0, b1 = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a0 <= b1 and b0 <= a1


def _escape(text: str) -> str:
    """Markdown's special characters outside `code`, so a referral's words stay words."""
    pieces = text.split("`")
    for index in range(0, len(pieces), 2):
        pieces[index] = "".join("\\" + c if c in "\\*_[]<>#|" else c for c in pieces[index])
    return "`".join(pieces)
