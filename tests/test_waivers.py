"""Waivers: reasoned ones mark findings (never drop them), the rest are findings themselves."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY
from scrqm.result import FileResult

THIN = (EXAMPLES / "05-qm11-warn-thin-rationale.yaml").read_text(encoding="utf-8")
LATE = (EXAMPLES / "13-qm13-fail-late-unexplained.yaml").read_text(encoding="utf-8")
REASON = "The full rationale is in the chronology attached to this referral."


def with_waivers(text: str, *waivers: str) -> str:
    return text + "waivers:\n" + "".join(waivers)


def waiver(rule: str | None, reason: str | None = REASON) -> str:
    lines = f"  - rule: {rule}\n" if rule is not None else "  - {}\n"
    if rule is None and reason is not None:
        lines = f"  - reason: {reason}\n"
    elif reason is not None:
        lines += f"    reason: {reason}\n"
    return lines


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[occurrence - 1]


def by_rule(result: FileResult, rule: str) -> list[Any]:
    return [f for f in result.findings if f.rule == rule]


def test_reasoned_waiver_marks_the_finding_and_stops_it_lowering_the_verdict(check: Callable[..., FileResult]) -> None:
    unwaived = check(THIN)
    assert unwaived.questions is not None and unwaived.questions["QM1.1"] == "warn"
    result = check(with_waivers(THIN, waiver("QM1.1-rationale-brief")))
    [finding] = by_rule(result, "QM1.1-rationale-brief")
    assert finding.waived and finding.waiver_reason == REASON
    assert result.questions is not None and result.questions["QM1.1"] == "pass"
    assert result.verdict == "pass"
    assert not [f for f in result.findings if f.group == "waivers"]


def test_waived_fail_gives_exit_0_and_is_still_shown(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital.")))
    result = run_line("check", "--today", TODAY, str(path))
    assert result.exit_code == 0, result.stdout
    assert "[QM1.3-delay-unexplained]  (waived: The referrer was in hospital.)" in result.stdout
    assert "1 file checked: 1 pass" in result.stdout
    unwaived = tmp_path / "late2.yaml"
    unwaived.write_text(LATE)
    assert run_line("check", "--today", TODAY, str(unwaived)).exit_code == 1


def test_json_marks_waived_findings(run_json: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital.")))
    code, data = run_json(str(path))
    [finding] = [f for f in data["files"][0]["findings"] if f["rule"] == "QM1.3-delay-unexplained"]
    assert finding["waived"] is True and finding["waiver_reason"] == "The referrer was in hospital."
    assert data["files"][0]["questions"]["QM1.3"] == "pass" and code == 0


def test_redact_hides_the_reason(run_json: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital.")))
    _, data = run_json("--redact", str(path))
    assert "hospital" not in json.dumps(data)
    [finding] = [f for f in data["files"][0]["findings"] if f["rule"] == "QM1.3-delay-unexplained"]
    assert finding["waived"] is True and finding["waiver_reason"] == "[redacted]"


@pytest.mark.parametrize("reason", [None, "TBC", "''"])
def test_unreasoned_waiver_waives_nothing_and_is_a_finding(check: Callable[..., FileResult], reason: str | None) -> None:
    text = with_waivers(THIN, waiver("QM1.1-rationale-brief", reason))
    result = check(text)
    [brief] = by_rule(result, "QM1.1-rationale-brief")
    assert not brief.waived
    assert result.questions is not None and result.questions["QM1.1"] == "warn"
    [problem] = by_rule(result, "waivers-no-reason")
    assert problem.severity == "warn" and problem.group == "waivers"
    # At the reason when one is written, else at the waiver's entry.
    assert problem.line == line_of(text, "- rule: QM1.1-rationale-brief") + (1 if reason else 0)
    assert "gives no `reason`" in problem.message
    assert result.groups["waivers"] == "warn"
    # An unreasoned waiver is not also called unused.
    assert not by_rule(result, "waivers-unused")


def test_unused_waiver_is_info_and_points_at_the_rule(check: Callable[..., FileResult]) -> None:
    text = with_waivers(THIN, waiver("QM1.1-rationale-brief"), waiver("QM1.3-delay-unexplained", "On leave."))
    result = check(text)
    [unused] = by_rule(result, "waivers-unused")
    assert unused.severity == "info"
    assert (unused.line, unused.column) == (line_of(text, "- rule: QM1.3-delay-unexplained"), 11)
    assert "waiver 2 of `QM1.3-delay-unexplained` is unused" in unused.message
    # info does not lower a verdict: the used waiver still lets the file pass.
    assert result.verdict == "pass" and result.groups["waivers"] == "pass"


def test_unknown_rule_has_a_did_you_mean(check: Callable[..., FileResult]) -> None:
    text = with_waivers(THIN, waiver("QM1.1-rationale-breif"))
    result = check(text)
    [unknown] = by_rule(result, "waivers-unknown-rule")
    assert unknown.severity == "warn"
    assert unknown.line == line_of(text, "QM1.1-rationale-breif")
    assert "did you mean `QM1.1-rationale-brief`?" in unknown.message
    assert not by_rule(result, "waivers-unused")
    [brief] = by_rule(result, "QM1.1-rationale-brief")
    assert not brief.waived


def test_waiver_with_no_rule_is_reported(check: Callable[..., FileResult]) -> None:
    result = check(with_waivers(THIN, waiver(None)))
    [unknown] = by_rule(result, "waivers-unknown-rule")
    assert "waiver 1 names ``" in unknown.message


def test_waiver_of_a_rule_turned_off_is_not_unused(ruleset: Any) -> None:
    import datetime as dt

    from scrqm.pipeline import Settings, check_text

    narrowed = replace(ruleset, rules=[r for r in ruleset.rules if r.id != "QM1.3-delay-unexplained"])
    text = with_waivers(THIN, waiver("QM1.3-delay-unexplained", "On leave."))
    result = check_text(text, display="r.yaml", ruleset=narrowed, settings=Settings(today=dt.date(2026, 11, 26)))
    assert not by_rule(result, "waivers-unused")
    assert not by_rule(result, "waivers-unknown-rule")


def test_waiver_rules_are_configurable_per_path(run_json: Callable[..., Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text(with_waivers(THIN, waiver("QM1.1-rationale-brief"),
                                                  waiver("QM1.3-delay-unexplained", "On leave.")))
    assert run_json("r.yaml")[0] == 0
    (tmp_path / ".scrqm.yaml").write_text(
        "fail-on: warn\nper-path:\n  - paths: ['*.yaml']\n    severity: {waivers-unused: warn}\n")
    code, data = run_json("r.yaml")
    [unused] = [f for f in data["files"][0]["findings"] if f["rule"] == "waivers-unused"]
    assert unused["severity"] == "warn" and code == 1


def test_waiver_rules_can_be_ignored(run_json: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(with_waivers(THIN, waiver("QM1.1-rationale-brief", None)))
    _, data = run_json("--isolated", "--ignore", "waivers", str(path))
    assert not [f for f in data["files"][0]["findings"] if f["group"] == "waivers"]
    # Ignoring the rules does not make an unreasoned waiver waive.
    assert data["files"][0]["questions"]["QM1.1"] == "warn"


@pytest.mark.parametrize(
    ("fmt", "marked"),
    [
        ("text", "(waived: The referrer was in hospital.)"),
        ("concise", "[QM1.3-delay-unexplained] "),
        ("github", "(waived)"),
        ("json", '"waived": true'),
        ("jsonl", '"waived": true'),
        ("sarif", '"justification": "The referrer was in hospital."'),
    ],
)
def test_waived_finding_is_marked_in_every_format(run_line: Callable[..., Any], tmp_path: Path,
                                                  fmt: str, marked: str) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital.")))
    result = run_line("check", "--isolated", "--today", TODAY, "--format", fmt, str(path))
    assert result.exit_code == 0, result.output
    assert marked in result.stdout
    assert "QM1.3-delay-unexplained" in result.stdout
    if fmt == "concise":
        assert "(waived: The referrer was in hospital.)" in result.stdout


def test_waived_fail_does_not_fail_the_junit_testcase(run_line: Callable[..., Any], tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    path = tmp_path / "late.yaml"
    path.write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital.")))
    result = run_line("check", "--isolated", "--today", TODAY, "--format", "junit", str(path))
    cases = {c.get("name", "")[:5]: c for c in ET.fromstring(result.stdout).iter("testcase")}
    assert cases["QM1.3"].find("failure") is None
    path.write_text(LATE)
    result = run_line("check", "--isolated", "--today", TODAY, "--format", "junit", str(path))
    cases = {c.get("name", "")[:5]: c for c in ET.fromstring(result.stdout).iter("testcase")}
    assert cases["QM1.3"].find("failure") is not None


def test_sarif_and_junit_with_waivers_stay_valid(run_line: Callable[..., Any], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import xmlschema
    from jsonschema.validators import validator_for

    from test_formats import schema_file

    monkeypatch.chdir(tmp_path)
    Path("late.yaml").write_text(with_waivers(LATE, waiver("QM1.3-delay-unexplained", "The referrer was in hospital."),
                                              waiver("QM1.1-rationale-brief", None)))
    Path("thin.yaml").write_text(with_waivers(THIN, waiver("QM1.1-rationale-breif")))
    sarif = json.loads(run_line("check", "--isolated", "--today", TODAY, "-f", "sarif", ".").stdout)
    schema = json.loads(schema_file("sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(sarif)] == []
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"waivers-no-reason", "waivers-unknown-rule", "waivers-unused"} <= rule_ids
    found = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"waivers-no-reason", "waivers-unknown-rule"} <= found
    junit = run_line("check", "--isolated", "--today", TODAY, "-f", "junit", ".").stdout
    xmlschema.XMLSchema(str(schema_file("junit-ant.xsd"))).validate(junit)
