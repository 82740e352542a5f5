"""The human report: per file, a block per question, then the other groups.

When more than one file is checked, a table of files against questions (and
the other groups) follows, then the counts by verdict.  Colour on a terminal;
plain text when piped or when NO_COLOR is set.  Verdicts are always spelt out,
so colour is never the only signal.  User-supplied text is never interpreted as
Rich markup: lines are built as styled segments, not markup strings.

Piped and colourless (a pre-commit hook, CI), the report is written directly
without importing Rich's console, which costs more start-up time than checking
one referral; the text is what Rich prints (tests/test_perf_equivalence.py).
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterator, TextIO

from scrqm.check.builtins import BUILT_INS
from scrqm.packs.loader import Question
from scrqm.result import FileResult, Finding, Verdict
from scrqm.report import FileByFile, Run
from scrqm.report.visible import shown, shown_run
from scrqm.teach.marker import question_notes, statement_note

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "invalid": "red bold", "info": "cyan"}
LABEL = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "invalid": "INVALID", "info": "info"}


class Line:
    """A line of styled segments; Rich prints it as `Text`, the plain console as its text."""

    __slots__ = ("segments",)

    def __init__(self, text: str = "", style: str = "") -> None:
        self.segments: list[tuple[str, str]] = [(text, style)] if text else []

    def append(self, text: str, style: str = "") -> Line:
        self.segments.append((text, style))
        return self

    def append_line(self, other: Line) -> Line:
        self.segments.extend(other.segments)
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)

    def __rich__(self) -> Text:
        from rich.text import Text  # start-up: Rich only when a Rich console prints the line

        return Text.assemble(*self.segments)


def _plain_wanted(stream: TextIO) -> bool:
    """Rich's own test for no colour and no terminal, without importing Rich's console.

    Rich treats the stream as a terminal when FORCE_COLOR is set (non-empty) or
    TTY_COMPATIBLE is 1, whatever isatty says; only then might it colour a pipe.
    """
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return False
    return not (stream.isatty() if hasattr(stream, "isatty") else False)


def console_for(stream: TextIO) -> Any:
    if _plain_wanted(stream):
        # Piped and colourless: Rich would only copy the text through, at a
        # tenth of a millisecond a line, and its import costs ~20 ms a run.
        return PlainConsole(stream)
    from rich.console import Console  # start-up: Rich's console only for a terminal or forced colour

    is_terminal = stream.isatty() if hasattr(stream, "isatty") else False
    console = Console(file=stream, highlight=False, soft_wrap=not is_terminal, emoji=False)
    if console.color_system is None and not console.is_terminal:
        return PlainConsole(stream)
    return console


def _cell_len(text: str) -> int:
    if text.isascii():
        return len(text)
    from rich.cells import cell_len  # start-up: light (no console), and only for text beyond ASCII

    return cell_len(text)


class PlainConsole:
    """What Rich prints for a line when there is no colour and no wrapping, written directly.

    Anything else (a Rich table from `patterns`) goes to a Rich console made on first use.
    """

    is_terminal = False

    def __init__(self, stream: TextIO) -> None:
        self.file = stream
        self._write = stream.write
        self._rich: Console | None = None

    def rich(self) -> Console:
        if self._rich is None:
            from rich.console import Console  # start-up: only for what is not a plain line

            self._rich = Console(file=self.file, highlight=False, soft_wrap=True, emoji=False)
        return self._rich

    def __getattr__(self, name: str) -> object:
        return getattr(self.rich(), name)

    def print(self, renderable: object = "") -> None:
        if isinstance(renderable, Line):
            plain = renderable.plain
        elif isinstance(renderable, str):
            from rich.text import Text  # start-up: markup from another module (patterns), which Rich reads

            plain = Text.from_markup(renderable).plain
        elif "rich.text" in sys.modules and isinstance(renderable, sys.modules["rich.text"].Text):
            plain = renderable.plain
        else:
            self.rich().print(renderable)
            return
        self._write((plain.expandtabs(8) if "\t" in plain else plain) + "\n")

    def print_rows(self, headers: list[str], rows: Callable[[], Iterator[tuple[str, ...]]]) -> bool:
        """Write a borderless SIMPLE table as Rich lays it out unwrapped; False if a cell holds a tab or newline.

        `rows` gives the rows afresh each time it is called: once to measure,
        once to write, so a table of 50,000 files is never held whole.  Rich
        measures every cell of every row, about half a second per 1,000 files;
        laying out plain text is a matter of padding.
        """
        widths = [0] * len(headers)
        for row in itertools.chain([tuple(headers)], rows()):
            for i, cell in enumerate(row):
                if "\t" in cell or "\n" in cell:
                    return False
                widths[i] = max(widths[i], _cell_len(cell))

        def line(cells: tuple[str, ...] | list[str]) -> str:
            padded = [cell + " " * (width - _cell_len(cell)) for cell, width in zip(cells, widths)]
            return "   ".join(padded) + "\n"  # right padding, the SIMPLE box's space, left padding

        self._write(line(headers) + "─" * (sum(widths) + 3 * (len(widths) - 1)) + "\n")
        for row in rows():
            self._write(line(row))
        return True


def verdict_text(verdict: str) -> Line:
    return Line(LABEL[verdict], STYLE[verdict])


class TextReporter(FileByFile):
    def begin(self, run: Run, stream: TextIO) -> None:
        self.console = console_for(stream)
        self.fixable = 0
        self.explainable: dict[str, None] = {}  # rule ids `scrqm explain` knows, first seen first
        if run.teach:
            _render_statement(self.console, shown_run(run))

    def file(self, run: Run, result: FileResult, stream: TextIO) -> None:
        result = shown(result)  # referral text and paths as text, never terminal or CI commands
        render_file(self.console, run, result)
        for finding in result.findings:
            self.fixable += finding.autofix is not None
            if run.ruleset.rule(finding.rule) or finding.rule in BUILT_INS:
                self.explainable.setdefault(finding.rule)

    def end(self, run: Run, stream: TextIO) -> None:
        run = shown_run(run)
        render_explain_hint(self.console, self.fixable, list(self.explainable))
        if len(run.results) > 1:
            render_table(self.console, run)
        render_summary(self.console, run)


def render_file(console: Any, run: Run, result: FileResult) -> None:
    heading = Line(result.path, "bold").append("  ").append_line(verdict_text(result.verdict))
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
    console.print(Line())


def _first_group(result: FileResult) -> str:
    return result.findings[0].group or "" if result.findings else ""


def print_hanging(console: Any, text: Line, indent: int) -> None:
    """Print `text`; wrapped to a terminal's width, each further line starts `indent` columns in,
    under the first line's text, so the report keeps its shape at any width."""
    if isinstance(console, PlainConsole):  # never wraps (and asks Rich nothing)
        console.print(text)
        return
    width = getattr(console, "width", 0)
    if console.soft_wrap or indent <= 0 or width - indent < 20:
        console.print(text)
        return
    # start-up: Rich only on a terminal (a plain console returned above)
    from rich.text import Text

    head, body = text.__rich__().divide([indent])
    lines = body.wrap(console, width - indent)
    for number, line in enumerate(lines):
        line.rstrip()
        if number:
            line = line[len(line.plain) - len(line.plain.lstrip(" ")):]  # the space a line broke at
        console.print(Text.assemble(head if number == 0 else " " * indent, line), soft_wrap=True)


def _render_block(console: Any, title: str, verdict: str | None, findings: list[Finding]) -> None:
    line = Line("  ")
    if verdict is not None:
        line.append_line(verdict_text(verdict))
        line.append("  ")
    indent = len(line.plain)
    line.append(title)
    print_hanging(console, line, indent)
    for finding in findings:
        _render_finding(console, finding)


def _render_finding(console: Any, finding: Finding) -> None:
    where = f"{finding.line}:{finding.column}"
    text = Line("    ")
    text.append(f"{where:<7} ", "dim")
    text.append(f"{finding.severity:<4}", STYLE[finding.severity])
    text.append("  ")
    indent = len(text.plain)
    text.append(finding.message)
    text.append(f"  [{finding.rule}]", "dim")
    if finding.autofix is not None:
        text.append(" [*]", "cyan")
    if finding.waived:
        text.append(f"  (waived: {finding.waiver_reason or 'no reason given'})", "magenta")
    print_hanging(console, text, indent)
    if finding.fix:
        arrow = "                 → "
        print_hanging(console, Line(arrow + " ".join(finding.fix.split()), "italic"), len(arrow))


def _render_statement(console: Any, run: Run) -> None:
    note = statement_note(run.ruleset)
    if note:
        console.print(Line(note, "blue"))
        console.print(Line())


def _render_teaching(console: Any, question: Question) -> None:
    for label, note in question_notes(question):
        print_hanging(console, Line(f"         {label}: {note}", "blue"), 9)


def render_table(console: Any, run: Run) -> None:
    """Files down, questions and groups across, each cell a verdict in words."""
    questions = list(run.ruleset.questions)
    groups = [g for g in run.ruleset.groups if any(g in r.groups for r in run.results)]
    headers = ["File", *questions, *groups, "Verdict"]
    if isinstance(console, PlainConsole):
        if console.print_rows(headers, lambda: (_plain_row(result, questions, groups) for result in run.results)):
            console.print(Line())
            return
        console = console.rich()
    rows = [[Line(result.path), *_cells(result, questions, groups), verdict_text(result.verdict)]
            for result in run.results]
    # start-up: Rich's table only on a terminal or with forced colour
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    table.add_column("File", overflow="fold")
    for column in headers[1:]:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*(cell.__rich__() for cell in row))
    _print_unwrapped(console, table)
    console.print(Line())


def _verdicts(result: FileResult, questions: list[str], groups: list[str]) -> list[Verdict | None]:
    """The file's verdict on each question, then each group; None where it could not be judged."""
    if result.questions is None:
        return [None] * (len(questions) + len(groups))
    return [result.questions.get(q) for q in questions] + [result.group_verdict(g) for g in groups]


def _plain_row(result: FileResult, questions: list[str], groups: list[str]) -> tuple[str, ...]:
    """A row of the table as plain text: what `_cells` gives, without styles."""
    cells = [LABEL[v] if v is not None else "-" for v in _verdicts(result, questions, groups)]
    return (result.path, *cells, LABEL[result.verdict])


def _cells(result: FileResult, questions: list[str], groups: list[str]) -> list[Line]:
    return [verdict_text(v) if v is not None else Line("-", "dim") for v in _verdicts(result, questions, groups)]


def _print_unwrapped(console: Console, table: Any) -> None:
    """On a terminal the table fits the window; piped, it is as wide as it needs,
    so that a CI log never folds a path (Rich assumes 80 columns otherwise)."""
    # start-up: Rich only on a terminal or with forced colour
    from rich.console import Console as RichConsole
    from rich.text import Text

    if console.is_terminal:
        console.print(table)
        return
    # Widest cell per column plus padding: cheaper than Rich's own measuring,
    # which costs about a second on a folder of 500 referrals.
    widths = [max(_cell_len(str(column.header)), *(_cell_len(c.plain) for c in column.cells if isinstance(c, Text)), 1)
              for column in table.columns]
    # Between two columns: a space of padding each side and the SIMPLE box's own space.
    needed = sum(widths) + 3 * (len(widths) - 1)
    wide = RichConsole(file=console.file, width=max(console.width, needed), highlight=False, emoji=False,
                       no_color=console.no_color)
    wide.print(table)


def render_summary(console: Any, run: Run) -> None:
    summary = run.summary
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    files = summary["files"]
    noun = "file" if files == 1 else "files"
    console.print(Line(f"{files} {noun} checked: " + (", ".join(parts) if parts else "nothing to report")))


def render_explain_hint(console: Any, fixable: int, rules: list[str]) -> None:
    """Where to learn more, before the summary (which stays the last line)."""
    if fixable:
        console.print(Line(f"[*] {fixable} fixable with `scrqm check --fix` (see the changes first with --diff)"))
    if rules:
        console.print(Line(f"Why a rule matters and how to write the answer: scrqm explain {rules[0]}"
                           + (" (or any rule id in [brackets])" if len(rules) > 1 else "")))
        console.print(Line())
