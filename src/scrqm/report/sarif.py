"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run, one driver (`scrqm`) whose rules are the rule set's rules plus the
three pseudo-rules a file can break before any rule runs (`load`, `shape`,
`io`).  Each finding is a result pointing at a repository-relative URI under
`%SRCROOT%`.  Fingerprints hash the rule, the path and the field, not the
line, so a result keeps its identity when lines are added above it (see
docs/formats.md).  Severities map fail → error, warn → warning, info → note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from scrqm import __version__
from scrqm.check.builtins import BUILT_INS
from scrqm.report import Run
from scrqm.report.paths import repository_relative

if TYPE_CHECKING:
    from scrqm.packs.loader import Rule
    from scrqm.result import FileResult, Finding

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"fail": "error", "warn": "warning", "info": "note"}
FINGERPRINT_KEY = "scrqmFinding/v1"
SRCROOT = "%SRCROOT%"

class SarifReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        json.dump(sarif_log(run), stream, indent=2, ensure_ascii=False)
        stream.write("\n")


def sarif_log(run: Run, *, cwd: Path | None = None) -> dict[str, Any]:
    rules = driver_rules(run)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    base = cwd or Path.cwd()
    results = [
        sarif_result(finding, file, index[finding.rule], base=base, occurrence=occurrence)
        for file in run.results
        for finding, occurrence in with_occurrence(file.findings)
    ]
    sarif_run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "scrqm",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation(run)],
        "results": results,
        "properties": {"profile": run.ruleset.profile},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


def driver_rules(run: Run) -> list[dict[str, Any]]:
    """The rule set's rules, the pseudo-rules, then any id a finding carries that neither lists."""
    rules = [rule_descriptor(rule, run) for rule in run.rules_in_use()]
    rules += [pseudo_descriptor(rule_id) for rule_id in BUILT_INS]
    known = {rule["id"] for rule in rules}
    for file in run.results:
        for finding in file.findings:
            if finding.rule not in known:
                rules.append(_fallback_descriptor(finding))
                known.add(finding.rule)
    return rules


def rule_descriptor(rule: Rule, run: Run) -> dict[str, Any]:
    d = rule.definition
    topic = d.question or d.group or ""
    question = run.ruleset.questions.get(d.question) if d.question else None
    topic_text = " ".join(question.text.split()) if question else run.ruleset.groups.get(d.group or "", "")
    fix, why = " ".join(d.fix.split()), " ".join((d.why or "").split())
    markdown = f"**{topic}** {topic_text}\n\n{fix}" + (f"\n\n*Why:* {why}" if why else "")
    return {
        "id": d.id,
        "name": _pascal(d.title),
        "shortDescription": {"text": d.title},
        "fullDescription": {"text": why or d.title},
        "help": {"text": fix, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[d.severity]},
        "properties": {
            "question": d.question,
            "group": d.group,
            "pack": rule.pack,
            "tags": [topic, "scrqm"],
        },
    }


def pseudo_descriptor(rule_id: str) -> dict[str, Any]:
    builtin = BUILT_INS[rule_id]  # declared once, in check/builtins.py
    return {
        "id": rule_id,
        "name": _pascal(builtin.title),
        "shortDescription": {"text": builtin.title},
        "fullDescription": {"text": builtin.description},
        "help": {"text": builtin.fix, "markdown": builtin.fix},
        "defaultConfiguration": {"level": LEVEL[builtin.severity]},
        "properties": {"question": None, "group": rule_id, "tags": ["invalid-file", "scrqm"]},
    }


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    # A finding from outside the rule set (a future engine check); still needs an entry.
    return {
        "id": finding.rule,
        "shortDescription": {"text": finding.rule},
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
        "properties": {"question": finding.question, "group": finding.group, "tags": ["scrqm"]},
    }


def _pascal(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def sarif_result(finding: Finding, file: FileResult, rule_index: int, *, base: Path,
                 occurrence: int = 0) -> dict[str, Any]:
    text = finding.message + (f" {finding.fix.strip()}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact_location(file.path, base=base),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }}],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(finding, repository_relative(file.path, base=base) or file.path, occurrence)
        },
        "properties": {"question": finding.question, "group": finding.group, "field": finding.field},
    }
    if finding.autofix is not None:
        result["fixes"] = [sarif_fix(finding, file, base=base)]
    if finding.waived:
        # A waiver is written in the referral itself, hence "inSource".
        result["suppressions"] = [{"kind": "inSource", "justification": finding.waiver_reason or ""}]
    return result


def sarif_fix(finding: Finding, file: FileResult, *, base: Path) -> dict[str, Any]:
    """The finding's fix as SARIF `fixes[0]`: the same edits `scrqm check --fix` applies."""
    assert finding.autofix is not None
    replacements = [{
        "deletedRegion": {"startLine": e.line, "startColumn": e.column, "endLine": e.end_line,
                          "endColumn": e.end_column},
        "insertedContent": {"text": e.content},
    } for e in finding.autofix.edits]
    return {
        "description": {"text": finding.autofix.message},
        "artifactChanges": [{"artifactLocation": artifact_location(file.path, base=base),
                             "replacements": replacements}],
    }


def fingerprint(finding: Finding, path: str, occurrence: int = 0) -> str:
    """Stable across edits elsewhere in the file: rule, path and field, never the line."""
    key = "\0".join([finding.rule, path.replace("\\", "/"), finding.field or "", str(occurrence)])
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def with_occurrence(findings: list[Finding]) -> list[tuple[Finding, int]]:
    """Number findings that share rule and field, so their fingerprints differ."""
    seen: dict[tuple[str, str | None], int] = {}
    numbered = []
    for finding in findings:
        key = (finding.rule, finding.field)
        numbered.append((finding, seen.get(key, 0)))
        seen[key] = seen.get(key, 0) + 1
    return numbered


def artifact_location(path: str, *, base: Path) -> dict[str, Any]:
    """Relative to `base` (the repository root in CI) where possible, else an absolute file URI."""
    relative = repository_relative(path, base=base)
    if relative is None:
        return {"uri": Path(path).resolve().as_uri()}
    # Bytes, not text: a name that is not UTF-8 holds surrogates, which `quote` cannot encode.
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


def invocation(run: Run) -> dict[str, Any]:
    """Whether every file named could be read; the errors as notifications."""
    notifications = [{"level": "error", "message": {"text": error}} for error in run.errors]
    data: dict[str, Any] = {"executionSuccessful": not run.errors}
    if notifications:
        data["toolExecutionNotifications"] = notifications
    return data
