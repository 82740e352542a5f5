"""The human report: per file, a block per question, then the other groups.

Colour on a terminal; plain text when piped or when NO_COLOR is set (Rich
decides both).  Verdicts are always spelt out, so colour is never the only
signal.  User-supplied text is escaped, never interpreted as Rich markup.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..result import FileResult, Finding
from . import Run

STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "invalid": "red bold", "info": "cyan"}
LABEL = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "invalid": "INVALID", "info": "info"}
GROUP_TITLES = {"load": "The file could not be read", "shape": "The file does not follow the referral format",
                "io": "The file could not be opened"}


def console_for(stream: TextIO) -> Console:
    is_terminal = stream.isatty() if hasattr(stream, "isatty") else False
    return Console(file=stream, highlight=False, soft_wrap=not is_terminal, emoji=False)


def verdict_text(verdict: str) -> Text:
    return Text(LABEL[verdict], style=STYLE[verdict])


class TextReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        console = console_for(stream)
        for result in run.results:
            render_file(console, run, result)
        render_summary(console, run)


def render_file(console: Console, run: Run, result: FileResult) -> None:
    heading = Text.assemble((result.path, "bold"), "  ", verdict_text(result.verdict))
    console.print(heading)
    if result.questions is None:
        _render_block(console, GROUP_TITLES.get(_first_group(result), "Problems"), None, result.findings)
    else:
        for qid, verdict in result.questions.items():
            question = run.ruleset.questions.get(qid)
            title = f"{qid}  {question.text.strip() if question else ''}"
            findings = [f for f in result.findings if f.question == qid]
            _render_block(console, title, verdict, findings)
            if run.teach and question is not None:
                _render_teaching(console, question.how_to_know, question.obstacles)
        for group, verdict in result.groups.items():
            title = f"{group}  {run.ruleset.groups.get(group, '')}".rstrip()
            _render_block(console, title, verdict, [f for f in result.findings if f.group == group])
    console.print()


def _first_group(result: FileResult) -> str:
    return result.findings[0].group or "" if result.findings else ""


def _render_block(console: Console, title: str, verdict: str | None, findings: list[Finding]) -> None:
    line = Text("  ")
    if verdict is not None:
        line.append_text(verdict_text(verdict))
        line.append("  ")
    line.append(title)
    console.print(line)
    for finding in findings:
        _render_finding(console, finding)


def _render_finding(console: Console, finding: Finding) -> None:
    where = f"{finding.line}:{finding.column}"
    text = Text("    ")
    text.append(f"{where:<7} ", style="dim")
    text.append(f"{finding.severity:<4}", style=STYLE[finding.severity])
    text.append("  ")
    text.append(finding.message)
    text.append(f"  [{finding.rule}]", style="dim")
    if finding.waived:
        text.append(f"  (waived: {finding.waiver_reason or 'no reason given'})", style="magenta")
    console.print(text)
    if finding.fix:
        console.print(Text("                 → " + " ".join(finding.fix.split()), style="italic"))


def _render_teaching(console: Console, how_to_know: str | None, obstacles: list[str]) -> None:
    if how_to_know:
        console.print(Text("         How might you know? " + " ".join(how_to_know.split()), style="blue"))
    for obstacle in obstacles:
        console.print(Text("         Common obstacle: " + " ".join(obstacle.split()), style="blue"))


def render_summary(console: Console, run: Run) -> None:
    summary = run.summary
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    files = summary["files"]
    noun = "file" if files == 1 else "files"
    console.print(escape(f"{files} {noun} checked: " + (", ".join(parts) if parts else "nothing to report")))
