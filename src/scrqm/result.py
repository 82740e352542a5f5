"""Results: the one `Finding` type, per-file results, and the verdict rules.

A finding's rule id and severity are stamped by the engine from the pack,
never by a check function.  Findings order by position, and compare equal by
position and rule, not wording (as yamllint's LintProblem), so rewording a
message breaks no test.  Verdicts follow docs/format.md: a question fails if
any of its findings fails, else warns if any warns; info never lowers one.
"""

from __future__ import annotations

from collections import Counter
import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Literal

Severity = Literal["fail", "warn", "info"]
Verdict = Literal["pass", "warn", "fail", "invalid"]
VERDICTS: tuple[Verdict, ...] = ("pass", "warn", "fail", "invalid")
# What `--redact` shows in place of the referral's own words.
REDACTED = "[redacted]"
_RANK = {"info": 0, "pass": 0, "warn": 1, "fail": 2, "invalid": 3}


@dataclass(frozen=True)
class Edit:
    """Replace the original text from (line, column) up to, not including, (end_line, end_column).

    Positions are 1-based and count characters (code points), like a finding's;
    an insertion has start == end, a deletion empty `content`.  Edits always
    refer to the text as it was checked, never to the text after other edits
    (ruff's `Edit`).
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "content": self.content}


@dataclass(frozen=True)
class Fix:
    """A mechanical mend of one finding: what it does, in words, and its edits (ruff's `Fix`).

    Only faults whose correction follows from the text alone get one (a date
    written 14/03/2016, `Met` for `met`); never the referral's own words.
    """

    message: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "edits": [edit.to_dict() for edit in self.edits]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        return cls(data["message"], tuple(Edit(**edit) for edit in data["edits"]))


@dataclass(frozen=True, order=True)
class Finding:
    """One finding of a rule at a place in a file; ordered and compared by place and rule only."""

    line: int
    column: int
    rule: str
    severity: Severity = dataclasses.field(compare=False)
    message: str = dataclasses.field(compare=False)
    field: str | None = dataclasses.field(compare=False, default=None)
    question: str | None = dataclasses.field(compare=False, default=None)
    group: str | None = dataclasses.field(compare=False, default=None)
    fix: str | None = dataclasses.field(compare=False, default=None)
    waived: bool = dataclasses.field(compare=False, default=False)
    waiver_reason: str | None = dataclasses.field(compare=False, default=None)
    autofix: Fix | None = dataclasses.field(compare=False, default=None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "question": self.question,
            "group": self.group,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
            "field": self.field,
            "line": self.line,
            "column": self.column,
        }
        if self.waived:
            data["waived"] = True
            data["waiver_reason"] = self.waiver_reason
        if self.autofix is not None:
            data["autofix"] = self.autofix.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        autofix = data.get("autofix")
        fields = {k: v for k, v in data.items() if k != "autofix"}
        return cls(**fields, autofix=Fix.from_dict(autofix) if autofix else None)


@dataclass(slots=True)
class FileResult:
    """What checking one file gave: its verdict, per question and group, and its findings."""

    path: str
    verdict: Verdict
    questions: dict[str, Verdict] | None
    findings: list[Finding]
    groups: dict[str, Verdict] = dataclasses.field(default_factory=dict)
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)
    io_error: bool = False
    profile: str | None = None  # the rule profile it was judged by; None when it could not be
    # What the run asked to keep of the valid referral (`Plan.observe`); never reported or cached.
    observed: Any = dataclasses.field(default=None, compare=False, repr=False)

    def group_verdict(self, group: str) -> Verdict | None:
        """The verdict of `group` in this file: as judged, `pass` for a group without findings
        (`groups` lists only those with findings), None when the file could not be judged."""
        if self.questions is None:
            return None
        return self.groups.get(group, "pass")

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "profile": self.profile,
            "verdict": self.verdict,
            "questions": self.questions,
            "groups": self.groups,
            "facts": self.facts,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileResult:
        return cls(
            path=data["path"],
            verdict=data["verdict"],
            questions=data["questions"],
            groups=data.get("groups", {}),
            facts=data.get("facts", {}),
            profile=data.get("profile"),
            findings=[Finding.from_dict(f) for f in data["findings"]],
        )


def worst(verdicts: Iterable[str]) -> Verdict:
    """The worst of `verdicts` ('info' counts as 'pass'); 'pass' when empty."""
    rank = max((_RANK[v] for v in verdicts), default=0)
    return VERDICTS[rank]


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    """Waived findings are reported but do not lower a verdict."""
    return worst(f.severity for f in findings if not f.waived)


def judge(
    path: str, findings: list[Finding], *, questions: Iterable[str], facts: dict[str, Any] | None = None
) -> FileResult:
    """A parsed file's result: a verdict per question, per group with findings, and overall."""
    findings = sorted(findings)
    per_question = {q: verdict_of(f for f in findings if f.question == q) for q in questions}
    group_names = sorted({f.group for f in findings if f.group and not f.question})
    per_group = {g: verdict_of(f for f in findings if f.group == g) for g in group_names}
    overall = worst([*per_question.values(), *per_group.values()])
    return FileResult(path, overall, per_question, findings, per_group, facts or {})


def invalid(path: str, findings: list[Finding], *, io_error: bool = False) -> FileResult:
    return FileResult(path, "invalid", None, sorted(findings), io_error=io_error)


def summarise(results: Iterable[FileResult]) -> dict[str, int]:
    counts = Counter(r.verdict for r in results)
    return {"files": sum(counts.values()), **{v: counts.get(v, 0) for v in VERDICTS}}


def at_or_above(verdict: str, threshold: str) -> bool:
    return _RANK[verdict] >= _RANK[threshold]


def fails(verdict: str, fail_on: str) -> bool:
    """The exit-code rule: a verdict (or severity) at or above `--fail-on` fails the run (exit 1)."""
    return at_or_above(verdict, fail_on)
