"""The human report: per file, a block per question, then the other groups.

When more than one file is checked, a table of files against questions (and
the other groups) follows, then the counts by verdict.  Colour on a terminal;
plain text when piped or when NO_COLOR is set (Rich decides both).  Verdicts
are always spelt out, so colour is never the only signal.  User-supplied text
is escaped, never interpreted as Rich markup.
"""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from scrqm.check.builtins import BUILT_INS
from scrqm.packs.loader import Question
from scrqm.report import Run
from scrqm.report.visible import shown_run
from scrqm.result import FileResult, Finding
from scrqm.teach.marker import question_notes, statement_note

STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "invalid": "red bold", "info": "cyan"}
LABEL = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "invalid": "INVALID", "info": "info"}


def console_for(stream: TextIO) -> Console:
    is_terminal = stream.isatty() if hasattr(stream, "isatty") else False
    console = Console(file=stream, highlight=False, soft_wrap=not is_terminal, emoji=False)
    if console.color_system is None and not console.is_terminal:
        # Piped and colourless: Rich would only copy the text through, at a
        # tenth of a millisecond a line, which is most of a large run's time.
        return PlainConsole(console)  # type: ignore[return-value]
    return console


class PlainConsole:
    """What Rich prints for `Text` when there is no colour and no wrapping, written directly.

    Anything else (a table) and every other attribute go to the Rich console.
    """

    def __init__(self, console: Console) -> None:
        self._rich = console
        self._write = console.file.write

    def __getattr__(self, name: str) -> object:
        return getattr(self._rich, name)

    def print(self, renderable: object = "") -> None:
        if isinstance(renderable, str):
            renderable = Text.from_markup(renderable)
        if not isinstance(renderable, Text):
            self._rich.print(renderable)
            return
        plain = renderable.plain
        self._write((plain.expandtabs(8) if "\t" in plain else plain) + "\n")

    def print_table(self, table: Table) -> bool:
        """Write a borderless SIMPLE table as Rich lays it out unwrapped; False if it is another kind.

        Rich measures every cell of every row, about half a second per 1,000
        files; laying out plain text is a matter of padding.
        """

        plain_cells = all(isinstance(c, (Text, str)) for column in table.columns for c in column.cells)
        if not (table.box is box.SIMPLE and not table.show_edge and not table.pad_edge and plain_cells
                and table.show_header and not table.title and not table.caption and tuple(table.padding) == (0, 1, 0, 1)):
            return False
        columns = [[str(column.header)] + [c.plain if isinstance(c, Text) else str(c) for c in column.cells]
                   for column in table.columns]
        if any("\t" in cell or "\n" in cell for column in columns for cell in column):
            return False
        widths = [max(cell_len(cell) for cell in column) for column in columns]

        def line(cells: list[str]) -> str:
            padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths)]
            return "   ".join(padded)  # right padding, the SIMPLE box's space, left padding

        rows = list(zip(*columns))
        out = [line(list(rows[0])), "─" * (sum(widths) + 3 * (len(widths) - 1))]
        out += [line(list(row)) for row in rows[1:]]
        self._write("\n".join(out) + "\n")
        return True


def verdict_text(verdict: str) -> Text:
    return Text(LABEL[verdict], style=STYLE[verdict])


class TextReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        run = shown_run(run)  # referral text and paths as text, never terminal or CI commands
        console = console_for(stream)
        if run.teach:
            _render_statement(console, run)
        for result in run.results:
            render_file(console, run, result)
        render_explain_hint(console, run)
        if len(run.results) > 1:
            render_table(console, run)
        render_summary(console, run)


def render_file(console: Console, run: Run, result: FileResult) -> None:
    heading = Text.assemble((result.path, "bold"), "  ", verdict_text(result.verdict))
    console.print(heading)
    if result.questions is None:
        builtin = BUILT_INS.get(_first_group(result))
        _render_block(console, builtin.title if builtin else "Problems", None, result.findings)
    else:
        for qid, verdict in result.questions.items():
            question = run.ruleset_for(result).questions.get(qid)
            title = f"{qid}  {question.text.strip() if question else ''}"
            findings = [f for f in result.findings if f.question == qid]
            _render_block(console, title, verdict, findings)
            if run.teach and question is not None:
                _render_teaching(console, question)
        for group, verdict in result.groups.items():
            title = f"{group}  {run.ruleset_for(result).groups.get(group, '')}".rstrip()
            _render_block(console, title, verdict, [f for f in result.findings if f.group == group])
    console.print()


def _first_group(result: FileResult) -> str:
    return result.findings[0].group or "" if result.findings else ""


def print_hanging(console: Console, text: Text, indent: int) -> None:
    """Print `text`; wrapped to a terminal's width, each further line starts `indent` columns in,
    under the first line's text, so the report keeps its shape at any width."""
    width = getattr(console, "width", 0)
    if isinstance(console, PlainConsole) or console.soft_wrap or indent <= 0 or width - indent < 20:
        console.print(text)
        return
    head, body = text.divide([indent])
    lines = body.wrap(console, width - indent)
    for number, line in enumerate(lines):
        line.rstrip()
        if number:
            line = line[len(line.plain) - len(line.plain.lstrip(" ")):]  # the space a line broke at
        console.print(Text.assemble(head if number == 0 else " " * indent, line), soft_wrap=True)


def _render_block(console: Console, title: str, verdict: str | None, findings: list[Finding]) -> None:
    line = Text("  ")
    if verdict is not None:
        line.append_text(verdict_text(verdict))
        line.append("  ")
    indent = len(line.plain)
    line.append(title)
    print_hanging(console, line, indent)
    for finding in findings:
        _render_finding(console, finding)


def _render_finding(console: Console, finding: Finding) -> None:
    where = f"{finding.line}:{finding.column}"
    text = Text("    ")
    text.append(f"{where:<7} ", style="dim")
    text.append(f"{finding.severity:<4}", style=STYLE[finding.severity])
    text.append("  ")
    indent = len(text.plain)
    text.append(finding.message)
    text.append(f"  [{finding.rule}]", style="dim")
    if finding.autofix is not None:
        text.append(" [*]", style="cyan")
    if finding.waived:
        text.append(f"  (waived: {finding.waiver_reason or 'no reason given'})", style="magenta")
    print_hanging(console, text, indent)
    if finding.fix:
        arrow = "                 → "
        print_hanging(console, Text(arrow + " ".join(finding.fix.split()), style="italic"), len(arrow))


def _render_statement(console: Console, run: Run) -> None:
    note = statement_note(run.ruleset)
    if note:
        console.print(Text(note, style="blue"))
        console.print()


def _render_teaching(console: Console, question: Question) -> None:
    for label, note in question_notes(question):
        print_hanging(console, Text(f"         {label}: {note}", style="blue"), 9)


def render_table(console: Console, run: Run) -> None:
    """Files down, questions and groups across, each cell a verdict in words."""

    questions = list(run.ruleset.questions)
    groups = [g for g in run.ruleset.groups if any(g in r.groups for r in run.results)]
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    table.add_column("File", overflow="fold")
    for column in [*questions, *groups, "Verdict"]:
        table.add_column(column, no_wrap=True)
    for result in run.results:
        table.add_row(Text(result.path), *_cells(result, questions, groups), verdict_text(result.verdict))
    _print_unwrapped(console, table)
    console.print()


def _cells(result: FileResult, questions: list[str], groups: list[str]) -> list[Text]:
    if result.questions is None:
        return [Text("-", style="dim") for _ in [*questions, *groups]]
    verdicts = [result.questions.get(q) for q in questions] + [result.group_verdict(g) for g in groups]
    return [verdict_text(v) if v is not None else Text("-", style="dim") for v in verdicts]


def _print_unwrapped(console: Console, table: Table) -> None:
    """On a terminal the table fits the window; piped, it is as wide as it needs,
    so that a CI log never folds a path (Rich assumes 80 columns otherwise)."""

    if console.is_terminal:
        console.print(table)
        return
    if isinstance(console, PlainConsole) and console.print_table(table):
        return
    # Widest cell per column plus padding: cheaper than Rich's own measuring,
    # which costs about a second on a folder of 500 referrals.

    widths = [max(cell_len(str(column.header)), *(cell_len(c.plain) for c in column.cells if isinstance(c, Text)), 1)
              for column in table.columns]
    # Between two columns: a space of padding each side and the SIMPLE box's own space.
    needed = sum(widths) + 3 * (len(widths) - 1)
    wide = Console(file=console.file, width=max(console.width, needed), highlight=False, emoji=False,
                       no_color=console.no_color)
    wide.print(table)


def render_summary(console: Console, run: Run) -> None:
    summary = run.summary
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    files = summary["files"]
    noun = "file" if files == 1 else "files"
    console.print(escape(f"{files} {noun} checked: " + (", ".join(parts) if parts else "nothing to report")))


def render_explain_hint(console: Console, run: Run) -> None:
    """Where to learn more, before the summary (which stays the last line)."""
    fixable = sum(1 for r in run.results for f in r.findings if f.autofix is not None)
    if fixable:
        console.print(escape(f"[*] {fixable} fixable with `scrqm check --fix` (see the changes first with --diff)"))
    rules = explainable_rules(run)
    if rules:
        console.print(escape(f"Why a rule matters and how to write the answer: scrqm explain {rules[0]}"
                             + (" (or any rule id in [brackets])" if len(rules) > 1 else "")))
        console.print()


def explainable_rules(run: Run) -> list[str]:
    """Rule ids of the run's findings that `scrqm explain` knows, first seen first."""
    seen = dict.fromkeys(f.rule for r in run.results for f in r.findings
                         if run.ruleset.rule(f.rule) or f.rule in BUILT_INS)
    return list(seen)
