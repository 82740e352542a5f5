"""The Markdown report: for SCR sub-group papers and pull-request comments.

A heading per file, a table of the questions' verdicts, then the findings
with what to write instead.  Verdicts are words, not colours or emoji.  Text
from the referral or the file name is escaped so it cannot turn into
Markdown (a link, a table cell break, an HTML tag).
"""

from __future__ import annotations

import re
from typing import TextIO

from scrqm.result import FileResult, Finding
from scrqm.report import Run

_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|<>~])")


def md_escape(text: str) -> str:
    """Text shown as written: Markdown and inline HTML characters escaped, one line.

    Brackets are escaped, so `(...)` can never complete a link and stays as written.
    """
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_message(text: str) -> str:
    """A message whose `field` spans stay code; everything else escaped.

    With an odd number of backticks (one came from the referral's own text)
    nothing is trusted as code and every character is escaped.
    """
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:
        return md_escape(text)
    return "".join(f"`{part}`" if index % 2 else _SPECIAL.sub(r"\\\1", part) for index, part in enumerate(parts))


class MarkdownReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        stream.write("\n".join(render_lines(run)) + "\n")


def render_lines(run: Run) -> list[str]:
    from scrqm.teach.marker import statement_note

    summary = run.summary
    lines = ["# SCR Quality Marker 1: referral check", "",
             f"Profile `{run.ruleset.profile}`. {_summary_sentence(summary)}", ""]
    if run.teach and statement_note(run.ruleset):
        lines += [f"> {md_escape(statement_note(run.ruleset) or '')}", ""]
    if len(run.results) > 1:
        lines += _overview(run)
    for result in run.results:
        lines += _file_section(run, result)
    lines += ["---", "", "Questions quoted from NSPCC/SCIE (2016) SCR Quality Markers. "
              "For what a rule checks and how to fix it, run `scrqm explain RULE`."]
    return lines


def _summary_sentence(summary: dict[str, int]) -> str:
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    noun = "file" if summary["files"] == 1 else "files"
    return f"{summary['files']} {noun} checked: {', '.join(parts) or 'nothing to report'}."


def _overview(run: Run) -> list[str]:
    questions = list(run.ruleset.questions)
    lines = ["## Overview", "", "| File | Verdict | " + " | ".join(questions) + " | Delay (working days) |",
             "|---|---|" + "---|" * len(questions) + "---:|"]
    for result in run.results:
        cells = [(result.questions or {}).get(q, "—") for q in questions]
        delay = result.facts.get("delay_working_days")
        lines.append(f"| {md_escape(result.path)} | **{result.verdict.upper()}** | "
                     + " | ".join(cells) + f" | {'—' if delay is None else delay} |")
    return [*lines, ""]


def _file_section(run: Run, result: FileResult) -> list[str]:
    lines = [f"## {md_escape(result.path)}: {result.verdict.upper()}", ""]
    delay = result.facts.get("delay_working_days")
    if delay is not None:
        lines += [f"Referred {delay} working days after the start date; the threshold is "
                  f"{result.facts.get('delay_threshold')}.", ""]
    if result.questions is None:
        return lines + _findings(result.findings) + [""]
    lines += ["| Question | Verdict |", "|---|---|"]
    for qid, verdict in result.questions.items():
        question = run.ruleset.questions.get(qid)
        text = md_escape(question.text) if question else ""
        lines.append(f"| {qid} {text} | **{verdict.upper()}** |")
    for group, verdict in result.groups.items():
        lines.append(f"| {md_escape(group)}: {md_escape(run.ruleset.groups.get(group, ''))} | **{verdict.upper()}** |")
    lines.append("")
    lines += _findings(result.findings)
    if run.teach:
        lines += _teaching(run, result)
    return lines + [""]


def _findings(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["No findings."]
    lines = ["### Findings", ""]
    for f in findings:
        where = f.question or f.group or ""
        waived = f" (waived: {md_escape(f.waiver_reason or 'no reason given')})" if f.waived else ""
        lines.append(f"- **{f.severity.upper()}** line {f.line}, column {f.column} ({where}, "
                     f"`{f.rule}`): {md_message(f.message)}{waived}")
        if f.fix:
            lines.append(f"  - What to write: {md_message(f.fix)}")
    return lines


def _teaching(run: Run, result: FileResult) -> list[str]:
    from scrqm.teach.marker import question_notes

    lines = ["", "### For training", ""]
    for qid in result.questions or {}:
        question = run.ruleset.questions.get(qid)
        if question is None:
            continue
        lines += [f"**{qid}**", ""]
        lines += [f"- *{label}:* {md_escape(note)}" for label, note in question_notes(question)]
        lines.append("")
    return lines
