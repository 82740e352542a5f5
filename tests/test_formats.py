"""Output formats: SARIF and JUnit valid against the shared schemas, GitHub escaping, concise, JSON Lines.

The schemas are the suite's copies of `../shared/schemas` (tests/data).
The validators are proved live: a deliberately broken document must fail.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, ROOT, TODAY
from scrqm.packs.loader import RuleSet
from scrqm.report import REPORTERS, Run
from scrqm.report.github import annotation, escape_data, escape_property
from scrqm.report.sarif import sarif_log
from scrqm.result import FileResult, Finding, invalid

# The test suite's copy of the shared schemas (tests/data/README.md).
SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
FAILING = "examples/08-qm12-fail-criteria-not-stated.yaml"
INVALID = "examples/18-invalid-shape-errors.yaml"


def schema_file(name: str) -> Path:
    """The schema `name` from the suite's copy; a clear failure, never a skip, when missing."""
    if not (SCHEMAS / name).is_file():
        pytest.fail(f"{SCHEMAS / name} is missing: copy it from the project's shared/schemas")
    return SCHEMAS / name


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = json.loads(schema_file("sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    # The schema declares its own draft ($schema); every $ref in it is local ("#/definitions/…").
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(schema_file("junit-ant.xsd")))


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout's root, as CI does, so paths are repository-relative."""
    monkeypatch.chdir(ROOT)


def run_format(run_line: Callable[..., Any], fmt: str, *args: str) -> Any:
    return run_line("check", "--today", TODAY, "--format", fmt, *args)


# ---------------------------------------------------------------------- SARIF


def test_sarif_for_the_examples_is_valid(run_line: Callable[..., Any], in_root: None, sarif_validator: Any) -> None:
    log = json.loads(run_format(run_line, "sarif", "examples").stdout)
    errors = [e.message for e in sarif_validator.iter_errors(log)]
    assert errors == []
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator.iter_errors(broken))) >= 2


def test_sarif_has_what_github_code_scanning_needs(run_line: Callable[..., Any], in_root: None) -> None:
    result = run_format(run_line, "sarif", "examples")
    json_report = json.loads(run_format(run_line, "json", "examples").stdout)
    [run] = json.loads(result.stdout)["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("scrqm", "1.0.0")
    rules = driver["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    by_id = {rule["id"]: rule for rule in rules}
    assert {"load", "shape", "io"} <= set(by_id)
    assert by_id["QM1.1-acronym-unexpanded"]["defaultConfiguration"]["level"] == "note"
    assert by_id["QM1.2-statutory-missing"]["properties"]["question"] == "QM1.2"
    assert by_id["privacy-identifier"]["properties"]["group"] == "privacy"
    expected = [(file["path"], f["rule"], f["line"], f["column"], f["severity"])
                for file in json_report["files"] for f in file["findings"]]
    level = {"error": "fail", "warning": "warn", "note": "info"}
    got = []
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        [location] = r["locations"]
        artifact, region = location["physicalLocation"]["artifactLocation"], location["physicalLocation"]["region"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and artifact["uri"].startswith("examples/")
        got.append((artifact["uri"], r["ruleId"], region["startLine"], region["startColumn"], level[r["level"]]))
    assert got == expected
    assert {r["ruleId"] for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == INVALID} == {"shape"}
    assert len({next(iter(r["partialFingerprints"].values())) for r in run["results"]}) == len(run["results"])
    assert result.exit_code == 1


def test_sarif_fingerprint_ignores_lines_added_above(check: Callable[..., FileResult], ruleset: RuleSet,
                                                       tmp_path: Path) -> None:
    text = (EXAMPLES / "08-qm12-fail-criteria-not-stated.yaml").read_text(encoding="utf-8")
    before = sarif_log(Run([check(text)], ruleset), cwd=tmp_path)["runs"][0]["results"][0]
    after = sarif_log(Run([check("# a note\n# another\n" + text)], ruleset), cwd=tmp_path)["runs"][0]["results"][0]
    region = "locations", 0, "physicalLocation", "region", "startLine"
    assert _dig(after, region) == _dig(before, region) + 2
    assert after["partialFingerprints"] == before["partialFingerprints"]
    elsewhere = sarif_log(Run([FileResult("other.yaml", **_fields_of(check(text)))], ruleset), cwd=tmp_path)
    assert elsewhere["runs"][0]["results"][0]["partialFingerprints"] != before["partialFingerprints"]


def test_sarif_same_rule_and_field_twice_get_distinct_fingerprints(ruleset: RuleSet, tmp_path: Path) -> None:
    twice = [Finding(3, 5, "privacy-identifier", "warn", "m", "rationale", None, "privacy"),
             Finding(7, 5, "privacy-identifier", "warn", "m", "rationale", None, "privacy")]
    file = FileResult("r.yaml", "warn", {}, twice, {"privacy": "warn"})
    results = sarif_log(Run([file], ruleset), cwd=tmp_path)["runs"][0]["results"]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]


def test_sarif_uris_relative_to_the_working_directory(ruleset: RuleSet, tmp_path: Path) -> None:
    inside = (tmp_path / "sub dir" / "r.yaml").as_posix()
    outside = (tmp_path.parent / "elsewhere.yaml").as_posix()
    files = [invalid(p, [Finding(1, 1, "io", "fail", "cannot read", None, None, "io")], io_error=True)
             for p in (inside, outside, "plain/r.yaml")]
    log = sarif_log(Run(files, ruleset, errors=["no/such.yaml: no such file or directory"]), cwd=tmp_path)
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert artifacts[0] == {"uri": "sub%20dir/r.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifacts[1]["uri"].startswith("file:///") and "uriBaseId" not in artifacts[1]
    assert artifacts[2] == {"uri": "plain/r.yaml", "uriBaseId": "%SRCROOT%"}
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("no/such.yaml")


def test_sarif_marks_waived_findings_as_suppressed(ruleset: RuleSet, tmp_path: Path) -> None:
    waived = Finding(3, 5, "QM1.1-rationale-brief", "warn", "m", "rationale", "QM1.1", None,
                     waived=True, waiver_reason="agreed at the sub-group")
    file = FileResult("r.yaml", "pass", {"QM1.1": "pass"}, [waived])
    [result] = sarif_log(Run([file], ruleset), cwd=tmp_path)["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "agreed at the sub-group"}]


# ---------------------------------------------------------------------- JUnit


def test_junit_for_the_examples_is_valid(run_line: Callable[..., Any], in_root: None, junit_schema: Any) -> None:
    result = run_format(run_line, "junit", "examples")
    junit_schema.validate(result.stdout)
    root = ET.fromstring(result.stdout)
    assert len(root.findall("testsuite")) == len(list(EXAMPLES.rglob("*.yaml")))
    broken = ET.fromstring(result.stdout)
    del broken.find("testsuite").attrib["hostname"]  # type: ignore[union-attr]
    assert not junit_schema.is_valid(ET.tostring(broken, encoding="unicode"))


def suite_of(xml: str, path: str) -> ET.Element:
    suite = ET.fromstring(xml).find(f"testsuite[@name='{path}']")
    assert suite is not None, path
    return suite


def test_junit_testcase_per_question_failures_carry_position(run_line: Callable[..., Any], in_root: None) -> None:
    xml = run_format(run_line, "junit", FAILING, INVALID, "examples/16-privacy-warn-nhs-number.yaml").stdout
    failing = suite_of(xml, FAILING)
    cases = failing.findall("testcase")
    assert [c.get("name", "")[:5] for c in cases] == ["QM1.1", "QM1.2", "QM1.3"]
    assert (failing.get("tests"), failing.get("failures"), failing.get("errors")) == ("3", "1", "0")
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "fail"
    assert failure.get("message", "").startswith(f"{FAILING}:57:3: fail [QM1.2-statutory-missing] ")
    privacy = suite_of(xml, "examples/16-privacy-warn-nhs-number.yaml")
    names = [c.get("name") for c in privacy.findall("testcase")]
    assert names[3:] == ["privacy: Identifying data in the file"]
    assert privacy.get("failures") == "0"  # a warning is below the default --fail-on level
    assert "[privacy-identifier]" in (privacy.findtext("system-out") or "")
    [case] = suite_of(xml, INVALID).findall("testcase")
    shape = case.find("failure")
    assert shape is not None and shape.get("type") == "invalid"
    assert (shape.text or "").count("[shape]") == 3


def test_junit_follows_fail_on(run_line: Callable[..., Any], in_root: None) -> None:
    warn = "examples/16-privacy-warn-nhs-number.yaml"
    xml = run_line("check", "--today", TODAY, "-f", "junit", "--fail-on", "warn", warn).stdout
    suite = suite_of(xml, warn)
    assert suite.get("failures") == "1"
    assert suite.findall("testcase")[3].find("failure") is not None


def test_junit_unreadable_file_is_an_error(ruleset: RuleSet, junit_schema: Any) -> None:
    import datetime as dt

    from scrqm.report.junit import junit_tree

    io = invalid("gone.yaml", [Finding(1, 1, "io", "fail", "cannot read the file: denied\x07", None, None, "io")],
                 io_error=True)
    root = junit_tree(Run([io], ruleset), timestamp=dt.datetime(2026, 11, 26, 9, 0), hostname="ci")
    document = ET.tostring(root, encoding="unicode")
    junit_schema.validate(document)
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("errors"), suite.get("failures")) == ("1", "0")
    assert suite.get("timestamp") == "2026-11-26T09:00:00"


# ---------------------------------------------------------------------- GitHub


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("a%b\nc:d,e\r") == "a%25b%0Ac%3Ad%2Ce%0D"
    # `%` first: otherwise the `%` of an escape would itself be escaped.
    assert escape_property(":") == "%3A" and escape_data("%0A") == "%250A"


def test_github_annotation_escapes_message_and_properties(ruleset: RuleSet) -> None:
    finding = Finding(4, 2, "QM1.2-other-reason-missing", "fail", "50% done,\nsee: here", "criteria.other_reason",
                      "QM1.2", None, fix="Say why.")
    file = FileResult("dir,a/b:c.yaml", "fail", {"QM1.2": "fail"}, [finding])
    line = annotation(Run([file], ruleset), file, finding)
    assert line == ("::error file=dir%2Ca/b%3Ac.yaml,line=4,col=2,"
                    "title=QM1.2-other-reason-missing%3A Not met%2C and no other reason given"
                    "::50%25 done,%0Asee: here%0ASay why.")
    assert "\n" not in line


@pytest.mark.parametrize(("severity", "command"), [("fail", "error"), ("warn", "warning"), ("info", "notice")])
def test_github_commands_by_severity(ruleset: RuleSet, severity: str, command: str) -> None:
    finding = Finding(1, 1, "x", severity, "m")  # type: ignore[arg-type]
    file = FileResult("r.yaml", "pass", {}, [finding])
    assert annotation(Run([file], ruleset), file, finding).startswith(f"::{command} file=r.yaml,line=1,col=1,")


def test_github_chosen_automatically_in_actions(run_line: Callable[..., Any], in_root: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    auto = run_line("check", "--today", TODAY, FAILING)
    assert auto.exit_code == 1
    assert auto.stdout.startswith(f"::error file={FAILING},line=57,col=3,title=QM1.2-statutory-missing")
    assert "  FAIL" not in auto.stdout
    explicit = run_line("check", "--today", TODAY, "--format", "text", FAILING)
    assert explicit.stdout.startswith(f"{FAILING}  FAIL") and "::error" not in explicit.stdout
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert run_line("check", "--today", TODAY, FAILING).stdout.startswith(f"{FAILING}  FAIL")


def test_output_file_in_actions_keeps_annotations_on_the_terminal(
    run_line: Callable[..., Any], in_root: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = tmp_path / "scrqm.sarif"
    result = run_line("check", "--today", TODAY, "-f", "sarif", "-o", str(out), FAILING)
    assert result.exit_code == 1 and result.stdout.startswith("::error file=")
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "QM1.2-statutory-missing"


# ---------------------------------------------------------------------- concise and JSON Lines


def test_concise_lines(run_line: Callable[..., Any], in_root: None) -> None:
    result = run_format(run_line, "concise", "examples/01-exemplary-death.yaml", FAILING, INVALID)
    lines = result.stdout.splitlines()
    assert lines[0] == (f"{FAILING}:57:3: fail [QM1.2-statutory-missing] `criteria.statutory` is missing: "
                        "the referral does not say whether the statutory criteria are met")
    assert lines[1] == (f"{INVALID}:28:9: fail [shape] `incident.type` should be one of death, serious_harm; "
                        "got 'murder'")
    assert len(lines) == 5
    assert lines[-1] == "3 files checked: 1 pass, 1 fail, 1 invalid"
    assert result.exit_code == 1


def test_jsonl_one_object_per_file(run_line: Callable[..., Any], in_root: None) -> None:
    lines = run_format(run_line, "jsonl", "examples").stdout.splitlines()
    files = json.loads(run_format(run_line, "json", "examples").stdout)["files"]
    assert len(lines) == len(files) == len(list(EXAMPLES.rglob("*.yaml")))
    for line, file in zip(lines, files):
        assert json.loads(line) == {"scrqm_version": "1.0.0", **file}


# ---------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
@pytest.mark.parametrize(
    ("target", "args", "code"),
    [
        ("examples", (), 1),
        ("examples/01-exemplary-death.yaml", (), 0),
        ("examples/05-qm11-warn-thin-rationale.yaml", (), 0),
        ("examples/05-qm11-warn-thin-rationale.yaml", ("--fail-on", "warn"), 1),
        ("no/such.yaml", (), 2),
    ],
)
def test_exit_codes_do_not_depend_on_format(run_line: Callable[..., Any], in_root: None, fmt: str, target: str,
                                            args: tuple[str, ...], code: int) -> None:
    assert run_format(run_line, fmt, *args, target).exit_code == code


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_redact_keeps_referral_text_out_of_every_format(run_line: Callable[..., Any], in_root: None,
                                                         tmp_path: Path, fmt: str) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_text("format: scrqm/referral@1\nincident: {date: 14/03/2016}\n", encoding="utf-8")
    out = tmp_path / "report.out"
    plain = run_format(run_line, fmt, "-o", str(out), str(referral))
    assert "14/03/2016" in out.read_text(encoding="utf-8") + plain.stdout  # the check below is live
    redacted = run_format(run_line, fmt, "--redact", "-o", str(out), str(referral))
    assert "14/03/2016" not in out.read_text(encoding="utf-8") + redacted.stdout
    assert redacted.exit_code == plain.exit_code == 1


def _dig(data: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        data = data[key]
    return data


def _fields_of(result: FileResult) -> dict[str, Any]:
    return {"verdict": result.verdict, "questions": result.questions, "findings": result.findings,
            "groups": result.groups}
