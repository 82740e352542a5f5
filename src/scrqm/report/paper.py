"""The board paper's words, shared by the HTML and Markdown reports.

A board member reads a referral by its case reference, the child's pseudonym
and the date it was made, not by a file path; reads "late, not explained"
rather than a rule id; and wants to know which day "today" was when the
delays were counted.  These helpers turn a run's results into those words;
they decide no verdict (the verdicts and facts come with the results).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrqm.result import FileResult, Finding

if TYPE_CHECKING:
    from scrqm.report import Run

SEPARATOR = " · "

# What each verdict means, in the words a board paper uses.
MEANING = {
    "pass": "the referral answers the question",
    "warn": "it answers, but something a reviewer needs is thin or missing",
    "fail": "it does not answer the question",
    "invalid": "the file cannot be read as a referral yet, so its quality is not judged",
}

# The dates a delay is counted between, in plain words (the pack's `delay` rule names the fields).
_FROM = {
    "incident.aware_date": "the agency became aware of the incident",
    "incident.date": "the incident",
    "notification.date": "the Panel was notified",
}
_TO = {
    "referral.date": "the referral",
    "notification.date": "the notification to the Child Safeguarding Practice Review Panel",
    "rapid_review.date": "the rapid review",
}


def long_date(value: str | dt.date | None, *, short: bool = False) -> str | None:
    """`2016-03-14` as "14 March 2016" (or "14 Mar 2016"), as a board paper writes it."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return None
    return f"{value.day} {value:%b %Y}" if short else f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class Name:
    """How a referral is named: its case reference, child and date; the path comes second."""

    parts: tuple[str, ...]
    path: str
    short: str  # for a table's row: the date abbreviated, no "referred"

    @property
    def title(self) -> str:
        """The heading: the case reference, child and date, or the path when the file names none."""
        return SEPARATOR.join(self.parts) if self.parts else self.path


def name_of(result: FileResult) -> Name:
    facts = result.facts
    parts = [facts[key] for key in ("case_reference", "child_reference") if isinstance(facts.get(key), str)]
    short = list(parts)
    date = long_date(facts.get("referral_date"))
    if date:
        parts.append(f"referred {date}")
        short.append(long_date(facts.get("referral_date"), short=True) or "")
    return Name(tuple(parts), result.path, SEPARATOR.join(short) if short else result.path)


def delay_sentence(result: FileResult) -> str | None:
    """The delay in plain words: how many working days, between which dates, against what expectation."""
    facts = result.facts
    delay = facts.get("delay_working_days")
    if delay is None:
        return None
    start = _FROM.get(str(facts.get("delay_from")), "the start date")
    end = _TO.get(str(facts.get("delay_to")), "the referral")
    threshold = facts.get("delay_threshold")
    days = "working day" if delay == 1 else "working days"
    sentence = f"{delay} {days} from when {start} to {end}"
    if threshold is None:
        return sentence + "."
    sentence += f"; expected within {threshold}: "
    if delay <= threshold:
        return sentence + "on time."
    explained = (result.questions or {}).get("QM1.3") == "pass"
    return sentence + ("late, and the delay is explained." if explained else "late; see QM1.3 for the explanation.")


def judged_by(run: Run) -> str:
    """Which rules judged the referrals: the run's, and any other a referral named for itself."""
    used = Counter(r.profile for r in run.results if r.profile)
    titles = {name: (rs.title or name) for name, rs in run.profiles.items()}
    titles.setdefault(run.ruleset.profile, run.ruleset.title or run.ruleset.profile)
    if len(used) <= 1:
        profile = next(iter(used), run.ruleset.profile)
        return f"Judged by {titles.get(profile, profile)}."
    parts = [f"{titles.get(name, name)} ({count} {'referral' if count == 1 else 'referrals'})"
             for name, count in sorted(used.items(), key=lambda item: item[0] != run.ruleset.profile)]
    return "Judged by " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."


def as_of(run: Run) -> list[str]:
    """The report's own date and the date delays and future dates were counted to."""
    lines = []
    if run.generated is not None:
        lines.append(f"Report produced on {long_date(run.generated)}.")
    if run.today is not None:
        lines.append(f"Checked as of {long_date(run.today)}: a date after it is in the future, "
                     "and a delay with no end date yet is counted up to it.")
    return lines


@dataclass(frozen=True)
class Column:
    """A column of the overview: a question, or a group of other checks (privacy, practice)."""

    id: str
    heading: str
    description: str
    group: bool


def columns(run: Run) -> list[Column]:
    """Every question, then every group that has findings in any referral, in the pack's order."""
    found = {g for r in run.results for g in r.groups}
    order = [*run.ruleset.groups, *sorted(found - set(run.ruleset.groups))]
    out = [Column(qid, qid, " ".join(q.text.split()), False) for qid, q in run.ruleset.questions.items()]
    for group in order:
        if group in found:
            title = run.ruleset.groups.get(group) or next(
                (rs.groups[group] for rs in run.profiles.values() if group in rs.groups), "")
            out.append(Column(group, group.capitalize(), title, True))
    return out


def verdict_in(result: FileResult, column: Column) -> str | None:
    """The file's verdict in `column`; None when the file could not be judged."""
    if column.group:
        return result.group_verdict(column.id)  # as judged: None when the file could not be judged
    return result.questions.get(column.id) if result.questions is not None else None


@dataclass(frozen=True)
class Row:
    """One question, or one group with findings, of a referral: what it covers, its verdict, its findings."""

    label: str
    text: str
    verdict: str
    findings: tuple[Finding, ...]


def rows_of(run: Run, result: FileResult) -> list[Row]:
    ruleset = run.ruleset_for(result)
    rows = []
    for qid, verdict in (result.questions or {}).items():
        question = ruleset.questions.get(qid)
        rows.append(Row(qid, " ".join(question.text.split()) if question else "", verdict,
                        tuple(f for f in result.findings if f.question == qid)))
    for group, verdict in result.groups.items():
        rows.append(Row(group.capitalize(), ruleset.groups.get(group, ""), verdict,
                        tuple(f for f in result.findings if f.group == group and not f.question)))
    return rows
