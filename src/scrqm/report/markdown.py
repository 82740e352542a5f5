"""The Markdown report: for SCR sub-group papers and pull-request comments.

As the HTML report, a board paper first: each referral is named by its case
reference, the child's pseudonym and its date (the path on a line below), the
report says which day it was produced and which day the delays were counted
to, the overview has a column for every group with findings, and each
referral's table gives the findings in words.  Line and column numbers, rule
ids and what to write are in an appendix for the authors.  Verdicts are words, not colours or emoji.  Text
from the referral or the file name is escaped so it cannot turn into
Markdown (a link, a table cell break, an HTML tag).
"""

from __future__ import annotations

import re
from typing import TextIO

from scrqm.report import Run
from scrqm.report.paper import MEANING, as_of, columns, delay_sentence, judged_by, name_of, rows_of, verdict_in
from scrqm.result import FileResult, Finding
from scrqm.teach.marker import question_notes, statement_note

_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|<>~])")
# What GitHub's Markdown turns into a link by itself (its "autolink" extension): a scheme
# before `://`, `www.` before a name.  A zero-width space after the scheme or the `www`
# leaves the text as it reads and no longer a link.
_AUTOLINK = re.compile(r"(?i)\b(?:(?:https?|ftp)(?=://)|(?:mailto|xmpp)(?=:)|www(?=\.\w))")


def _unlinked(text: str) -> str:
    return _AUTOLINK.sub(lambda m: m.group() + "\u200b", text)


def md_escape(text: str) -> str:
    """Text shown as written: Markdown and inline HTML characters escaped, one line.

    Brackets are escaped, so `(...)` can never complete a link and stays as written.
    """
    return _unlinked(_SPECIAL.sub(r"\\\1", " ".join(text.split())))


def md_message(text: str) -> str:
    """A message whose `field` spans stay code; everything else escaped.

    With an odd number of backticks (one came from the referral's own text)
    nothing is trusted as code and every character is escaped.
    """
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:
        return md_escape(text)
    return "".join(f"`{part}`" if index % 2 else _unlinked(_SPECIAL.sub(r"\\\1", part))
                   for index, part in enumerate(parts))


class MarkdownReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        stream.write("\n".join(render_lines(run)) + "\n")


def render_lines(run: Run) -> list[str]:
    summary = run.summary
    lines = ["# SCR Quality Marker 1: referral check", "",
             f"{_summary_sentence(summary)} {judged_by(run)}", ""]
    lines += [" ".join(as_of(run)), ""] if as_of(run) else []
    shown = [v for v in ("pass", "warn", "fail", "invalid") if summary[v]] or ["pass"]
    lines += [f"- **{v.upper()}**: {MEANING[v]}" for v in shown] + [""]
    if run.teach and statement_note(run.ruleset):
        lines += [f"> {md_escape(statement_note(run.ruleset) or '')}", ""]
    if len(run.results) > 1:
        lines += _overview(run)
    for index, result in enumerate(run.results, 1):
        lines += _file_section(run, index, result)
    lines += _appendix(run)
    lines += ["---", "", "Questions quoted from NSPCC/SCIE (2016) SCR Quality Markers, Quality Marker 1: Referral."]
    return lines


def _summary_sentence(summary: dict[str, int]) -> str:
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    noun = "referral" if summary["files"] == 1 else "referrals"
    return f"{summary['files']} {noun} checked: {', '.join(parts) or 'nothing to report'}."


def _overview(run: Run) -> list[str]:
    cols = columns(run)
    lines = ["## Overview", "", "| Referral | Verdict | " + " | ".join(c.heading for c in cols) + " | Delay |",
             "|---|---|" + "---|" * len(cols) + "---:|"]
    for result in run.results:
        cells = [v or "—" for v in (verdict_in(result, c) for c in cols)]
        delay = result.facts.get("delay_working_days")
        lines.append(f"| {md_escape(name_of(result).short)} | **{result.verdict.upper()}** | "
                     + " | ".join(cells) + f" | {'—' if delay is None else delay} |")
    lines.append("")
    lines += [f"- **{md_escape(c.heading)}**: {md_escape(c.description)}" for c in cols]
    lines += ["- **Delay**: working days from when the agency became aware of the incident (or, failing that, "
              "the incident) to the referral or notification.", ""]
    return lines


def _file_section(run: Run, index: int, result: FileResult) -> list[str]:
    name = name_of(result)
    lines = [f"## {md_escape(name.title)}: {result.verdict.upper()}", ""]
    if name.parts:
        lines += [f"Referral {index} of {len(run.results)}; file `{_code(result.path)}`", ""]
    delay = delay_sentence(result)
    if delay is not None:
        lines += [f"Timeliness: {md_escape(delay)}", ""]
    if result.questions is None:
        lines += [f"{MEANING['invalid'].capitalize()}: the author must correct the file first "
                  "(the appendix says where).", "", "| Part | Verdict | What the check found |", "|---|---|---|",
                  f"| The file | **{result.verdict.upper()}** | {_found(tuple(result.findings))} |", ""]
        return lines
    lines += ["| Question | Verdict | What the check found |", "|---|---|---|"]
    for row in rows_of(run, result):
        lines.append(f"| **{md_escape(row.label)}** {md_escape(row.text)} | **{row.verdict.upper()}** | "
                     f"{_found(row.findings)} |")
    lines.append("")
    if run.teach:
        lines += _teaching(run, result)
    return lines


def _found(findings: tuple[Finding, ...]) -> str:
    """The findings in one table cell, in words: severity and message, no position or rule id."""
    if not findings:
        return "Nothing to add."
    items = []
    for f in findings:
        waived = f" (waived: {md_escape(f.waiver_reason or 'no reason given')})" if f.waived else ""
        items.append(f"{f.severity.upper()}: {md_message(f.message)}{waived}")
    return "<br>".join(items)


def _code(text: str) -> str:
    """Text inside a code span: one line, no backtick to end it early."""
    return " ".join(text.split()).replace("`", "'")


def _appendix(run: Run) -> list[str]:
    with_findings = [r for r in run.results if r.findings]
    if not with_findings:
        return []
    lines = ["## Appendix for the authors: where each finding is", "",
             "Line and column in the referral's file, the rule that found it, and what to write. "
             "For why a rule matters, with a passing and a failing example, run `scrqm explain RULE`.", ""]
    for result in with_findings:
        lines += [f"### {md_escape(name_of(result).title)}", "", f"File `{_code(result.path)}`", ""]
        lines += _findings(result.findings) + [""]
    return lines


def _findings(findings: list[Finding]) -> list[str]:
    lines = []
    for f in findings:
        where = f.question or f.group or ""
        waived = f" (waived: {md_escape(f.waiver_reason or 'no reason given')})" if f.waived else ""
        lines.append(f"- **{f.severity.upper()}** line {f.line}, column {f.column} ({where}, "
                     f"`{f.rule}`): {md_message(f.message)}{waived}")
        if f.fix:
            lines.append(f"  - What to write: {md_message(f.fix)}")
    return lines


def _teaching(run: Run, result: FileResult) -> list[str]:
    lines = ["### For training", ""]
    for qid in result.questions or {}:
        question = run.ruleset_for(result).questions.get(qid)
        if question is None:
            continue
        lines += [f"**{qid}**", ""]
        lines += [f"- *{label}:* {md_escape(note)}" for label, note in question_notes(question)]
        lines.append("")
    return lines
