"""GitLab Code Quality: a JSON array of issues, as `artifacts: reports: codequality` reads it.

Each finding is one issue with `description`, `check_name` (the rule id),
`fingerprint`, `severity` and `location.path` / `location.lines.begin`
(GitLab's documented minimum).  The fingerprint is SARIF's (rule, path, field
and occurrence, never the line), so a merge request's widget shows a finding as
unchanged when lines are added above it.  Severities: fail → major,
warn → minor, info and waived → info, a file that is not a valid referral
(load, shape, io) → critical.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from scrqm.check.builtins import BUILT_INS
from scrqm.report import Run
from scrqm.report.paths import repository_relative
from scrqm.report.sarif import fingerprint, with_occurrence

if TYPE_CHECKING:
    from scrqm.result import FileResult, Finding

SEVERITY = {"fail": "major", "warn": "minor", "info": "info"}


class GitlabReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        json.dump(code_quality(run), stream, indent=2, ensure_ascii=False)
        stream.write("\n")


def code_quality(run: Run) -> list[dict[str, Any]]:
    return [issue(file, finding, occurrence)
            for file in run.results
            for finding, occurrence in with_occurrence(file.findings)]


def issue(file: FileResult, finding: Finding, occurrence: int) -> dict[str, Any]:
    path = repository_relative(file.path) or file.path
    fixable = "[*] " if finding.autofix is not None else ""
    description = f"{finding.rule}: {fixable}{' '.join(finding.message.split())}"
    if finding.waived:
        description += f" (waived: {' '.join((finding.waiver_reason or 'no reason given').split())})"
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule,
        "fingerprint": fingerprint(finding, path, occurrence),
        "severity": severity(finding),
        "categories": ["Style"],
        "location": {"path": path, "lines": {"begin": finding.line}},
    }


def severity(finding: Finding) -> str:
    if finding.waived:
        return "info"
    if finding.rule in BUILT_INS:
        return "critical"
    return SEVERITY[finding.severity]
