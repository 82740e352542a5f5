"""GitLab Code Quality report and the GitHub problem matcher for the concise format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, ROOT, TODAY
from scrqm.packs.loader import RuleSet
from scrqm.report import Run
from scrqm.report.gitlab import code_quality
from scrqm.result import FileResult, Finding

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
MATCHER = ROOT / ".github" / "scrqm-problem-matcher.json"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _report(run_line: Callable[..., Any], fmt: str, *args: str) -> Any:
    return run_line("check", "--today", TODAY, "--format", fmt, *args)


def test_gitlab_issue_per_finding_with_the_documented_fields(run_line: Callable[..., Any], in_root: None) -> None:
    result = _report(run_line, "gitlab", "examples")
    issues = json.loads(result.stdout)
    findings = [(f["rule"], file["path"], f["line"], f["severity"], f.get("waived", False))
                for file in json.loads(_report(run_line, "json", "examples").stdout)["files"]
                for f in file["findings"]]
    assert len(issues) == len(findings) > 10
    for issue, (rule, path, line, severity, waived) in zip(issues, findings):
        assert issue["check_name"] == rule
        assert issue["description"].startswith(f"{rule}: ") and len(issue["description"]) > len(rule) + 5
        assert issue["location"] == {"path": path, "lines": {"begin": line}}
        assert issue["severity"] in SEVERITIES
        expected = ("info" if waived else "critical" if rule in ("load", "shape", "io")
                    else {"fail": "major", "warn": "minor", "info": "info"}[severity])
        assert issue["severity"] == expected
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert {i["severity"] for i in issues} >= {"major", "minor", "critical"}
    assert result.exit_code == 1


def test_gitlab_fingerprints_survive_lines_added_above(check: Callable[..., FileResult], ruleset: RuleSet) -> None:
    text = (EXAMPLES / "08-qm12-fail-criteria-not-stated.yaml").read_text(encoding="utf-8")
    before = code_quality(Run([check(text)], ruleset))
    after = code_quality(Run([check("# a note\n# another\n" + text)], ruleset))
    assert [i["location"]["lines"]["begin"] for i in after] == [i["location"]["lines"]["begin"] + 2 for i in before]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


def test_gitlab_same_rule_and_field_twice_get_distinct_fingerprints(ruleset: RuleSet) -> None:
    twice = [Finding(3, 5, "privacy-identifier", "warn", "m", "rationale", None, "privacy"),
             Finding(7, 5, "privacy-identifier", "warn", "m", "rationale", None, "privacy")]
    other = FileResult("other.yaml", "warn", {}, twice[:1], {"privacy": "warn"})
    issues = code_quality(Run([FileResult("r.yaml", "warn", {}, twice, {"privacy": "warn"}), other], ruleset))
    assert len({i["fingerprint"] for i in issues}) == 3


def test_gitlab_empty_run_is_an_empty_array(run_line: Callable[..., Any], in_root: None) -> None:
    result = _report(run_line, "gitlab", "examples/01-exemplary-death.yaml")
    assert json.loads(result.stdout) == [] and result.exit_code == 0


def test_readme_gitlab_ci_snippet_reads_the_report_as_code_quality() -> None:
    from ruamel.yaml import YAML

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- gitlab-ci -->\n```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    job = next(iter(YAML(typ="safe").load(block[1]).values()))
    command = " ".join(job["script"])
    assert "-f gitlab" in command and "-o gl-code-quality.json" in command
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality.json"
    assert job["artifacts"]["when"] == "always"


def _matchers() -> list[dict[str, Any]]:
    matchers: list[dict[str, Any]] = json.loads(MATCHER.read_text(encoding="utf-8"))["problemMatcher"]
    return matchers


def test_problem_matcher_reads_every_concise_line(run_line: Callable[..., Any], in_root: None) -> None:
    lines = _report(run_line, "concise", "examples").stdout.splitlines()
    files = json.loads(_report(run_line, "json", "examples").stdout)["files"]
    findings = [(file["path"], f) for file in files for f in file["findings"]]
    assert len(lines) == len(findings) + 1  # and the summary line, which no matcher takes
    want = {"fail": "error", "warn": "warning", "info": "warning"}
    for line, (path, finding) in zip(lines, findings):
        hits = []
        for matcher in _matchers():
            pattern = matcher["pattern"][0]
            match = re.match(pattern["regexp"], line)
            if match:
                hits.append((matcher["severity"], match[pattern["file"]], int(match[pattern["line"]]),
                             int(match[pattern["column"]]), match[pattern["code"]], match[pattern["message"]]))
        assert len(hits) == 1, line
        severity, file, number, column, code, message = hits[0]
        assert (severity, file, number, column, code) == (want[finding["severity"]], path, finding["line"],
                                                          finding["column"], finding["rule"])
        assert message.startswith(" ".join(finding["message"].split())[:40])
    assert not any(re.match(m["pattern"][0]["regexp"], lines[-1]) for m in _matchers())


def test_problem_matcher_takes_paths_with_colons_and_spaces() -> None:
    line = "C:/board work/r: 1.yaml:12:3: warn [QM1.1-rationale-brief] `rationale` is brief: 1 [x]: y"
    matcher = _matchers()[1]["pattern"][0]
    match = re.match(matcher["regexp"], line)
    assert match is not None
    assert (match[1], match[2], match[3], match[4]) == ("C:/board work/r: 1.yaml", "12", "3", "QM1.1-rationale-brief")
    assert match[5] == "`rationale` is brief: 1 [x]: y"


def test_readme_says_how_to_use_the_problem_matcher() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "::add-matcher::.github/scrqm-problem-matcher.json" in readme
    assert Path(ROOT / ".github" / "scrqm-problem-matcher.json").is_file()
