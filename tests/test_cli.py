"""The command line: exit codes, the JSON shape, and no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY



def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_file_exits_0(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--today", TODAY, str(GOOD))
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout and "1 file checked: 1 pass" in result.stdout


def test_failing_file_exits_1(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", "format: scrqm/referral@1\nrationale: TBC\n")
    result = run_line("check", "--today", TODAY, str(path))
    assert result.exit_code == 1
    assert "QM1.1-rationale-missing" in result.stdout


def test_warning_exits_0_unless_fail_on_warn(run_line: Callable[..., Any]) -> None:
    warn = str(EXAMPLES / "05-qm11-warn-thin-rationale.yaml")
    assert run_line("check", "--today", TODAY, warn).exit_code == 0
    assert run_line("check", "--today", TODAY, "--fail-on", "warn", warn).exit_code == 1
    assert run_line("check", "--today", TODAY, "--fail-on", "warn", str(GOOD)).exit_code == 0


def test_invalid_file_exits_1(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", "format: scrqm/referral@1\nincident: {date: 14/03/2016}\n")
    result = run_line("check", "--today", TODAY, str(path))
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert "`incident.date` should be a date written as YYYY-MM-DD, got '14/03/2016'" in result.stdout


def test_missing_file_is_one_line_exit_2_and_others_still_checked(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--today", TODAY, "no/such.yaml", str(GOOD))
    assert result.exit_code == 2
    assert result.stderr.strip() == "scrqm: error: no/such.yaml: no such file or directory"
    assert "01-exemplary-death.yaml  PASS" in result.stdout


def test_bad_today_is_a_usage_error(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--today", "14/03/2016", str(GOOD))
    assert result.exit_code == 2
    assert "write it as YYYY-MM-DD" in result.stderr


def test_unknown_option_is_a_usage_error(run_line: Callable[..., Any]) -> None:
    assert run_line("check", "--colour", str(GOOD)).exit_code == 2


def test_today_decides_future_dates(run_line: Callable[..., Any]) -> None:
    # The example was referred on 2016-11-10: before that day it is in the future.
    assert run_line("check", "--today", "2016-11-09", str(GOOD)).exit_code == 1
    assert run_line("check", "--today", "2016-11-10", str(GOOD)).exit_code == 0


def test_json_shape(run_json: Callable[..., Any], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "format: scrqm/referral@1\ncriteria:\n  statutory: maybe\n")
    code, data = run_json(str(GOOD), str(EXAMPLES / "08-qm12-fail-criteria-not-stated.yaml"), str(bad))
    assert code == 1
    assert data["scrqm_version"] == "1.0.0"
    assert data["summary"] == {"files": 3, "pass": 1, "warn": 0, "fail": 1, "invalid": 1}
    good, failing, invalid = data["files"]
    assert good["verdict"] == "pass" and good["questions"] == {"QM1.1": "pass", "QM1.2": "pass", "QM1.3": "pass"}
    assert failing["questions"]["QM1.2"] == "fail"
    [finding] = failing["findings"]
    assert set(finding) >= {"rule", "question", "group", "severity", "message", "field", "line", "column"}
    assert (finding["question"], finding["field"], finding["severity"]) == ("QM1.2", "criteria.statutory", "fail")
    assert isinstance(finding["line"], int) and isinstance(finding["column"], int)
    assert invalid["verdict"] == "invalid" and invalid["questions"] is None
    [shape] = invalid["findings"]
    assert (shape["field"], shape["line"], shape["column"], shape["group"]) == ("criteria.statutory", 3, 14, "shape")


def test_every_finding_of_a_parsed_file_has_line_and_column(run_json: Callable[..., Any]) -> None:
    _, data = run_json(str(EXAMPLES))
    for file in data["files"]:
        for finding in file["findings"]:
            assert finding["line"] >= 1 and finding["column"] >= 1, (file["path"], finding)


@pytest.mark.parametrize(
    ("text", "at", "words", "rule"),
    [
        ("", "1:1", "the file is empty", "shape"),
        ("format: [\n", "2:1", "YAML syntax error", "load"),
        ("- a list\n", "1:1", "should be a mapping of fields (format:, referral:, ...) but is a list", "shape"),
        ("just text\n", "1:1", "should be a mapping of fields (format:, referral:, ...) but is a single line", "shape"),
        ("format: scrqm/referral@1\nrationale: a\nrationale: b\n", "3:1",
         "duplicate key 'rationale': first written at line 2, again at line 3", "load"),
    ],
)
def test_a_bad_file_is_invalid_named_with_its_position(
        run_line: Callable[..., Any], tmp_path: Path, text: str, at: str, words: str, rule: str) -> None:
    """Not just "no traceback" (the runner would raise one): the file, where, what and which rule."""
    path = write(tmp_path, "r.yaml", text)
    result = run_line("check", "--today", TODAY, str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}  INVALID"
    finding = next(line for line in lines if words in line)
    assert finding.split()[:2] == [at, "fail"] and finding.endswith(f"[{rule}]"), finding
    assert lines[lines.index(finding) + 1].strip().startswith("→ "), "a fix follows the finding"
    assert result.stdout.rstrip().endswith("1 file checked: 1 invalid")
    assert result.stderr == ""


def test_folder_is_searched_recursively_and_sorted(run_json: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    good = GOOD.read_text(encoding="utf-8")
    for name in ("b/z.yml", "a.yaml", ".hidden/x.yaml", "notes.txt"):
        write(tmp_path, name, good)
    _, data = run_json(str(tmp_path))
    assert [Path(f["path"]).relative_to(tmp_path).as_posix() for f in data["files"]] == ["a.yaml", "b/z.yml"]


def test_stdin(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--today", TODAY, "-", input=GOOD.read_text(encoding="utf-8"))
    assert result.exit_code == 0 and "<stdin>  PASS" in result.stdout


def test_output_file_is_written(run_line: Callable[..., Any], tmp_path: Path) -> None:
    # The machine format goes to the file; the human report still reaches the terminal.
    out = tmp_path / "report.json"
    result = run_line("check", "--today", TODAY, "--format", "json", "--output", str(out), str(GOOD))
    assert result.exit_code == 0
    assert "01-exemplary-death.yaml  PASS" in result.stdout and "1 file checked: 1 pass" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["pass"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_quiet_output_file_leaves_standard_output_empty(run_line: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    failing = str(EXAMPLES / "08-qm12-fail-criteria-not-stated.yaml")
    result = run_line("check", "--today", TODAY, "-f", "json", "-o", str(out), "--quiet", failing)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["fail"] == 1


def test_installed_entry_point_and_module_run() -> None:
    for command in (["scrqm", "--version"], [sys.executable, "-m", "scrqm", "--version"]):
        if command[0] == "scrqm":
            command[0] = str(Path(sys.executable).with_name("scrqm"))
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0 and done.stdout.strip() == "scrqm 1.0.0"


def test_plain_text_when_piped_and_no_color(tmp_path: Path) -> None:
    scrqm = str(Path(sys.executable).with_name("scrqm"))
    done = subprocess.run([scrqm, "check", "--today", TODAY, str(GOOD)], capture_output=True, text=True,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0 and "\x1b[" not in done.stdout


def test_readme_sample_report_is_what_scrqm_prints(run_line: Callable[..., Any]) -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## A sample report", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, _, expected = block.partition("\n")
    args = command.removeprefix("$ scrqm ").split()
    result = run_line(*[str(ROOT / a) if a.startswith("examples/") else a for a in args])
    assert result.stdout.replace(str(ROOT) + "/", "") == expected


def test_a_number_where_text_belongs_is_a_shape_error_with_the_quoting_fix(
    run_line: Callable[..., Any], tmp_path: Path
) -> None:
    path = write(tmp_path, "r.yaml", "format: scrqm/referral@1\nreferral:\n  reference: 004\nrationale: 5\n")
    result = run_line("check", "--today", TODAY, str(path))
    assert result.exit_code == 1 and "INVALID" in result.stdout
    assert "`referral.reference` should be text; got the number 4" in result.stdout
    # The hint keeps the zeros the reader typed (YAML read 004 as 4).
    assert '→ write `"004"`: in quotes it stays text exactly as written' in result.stdout
    assert "'4'" not in result.stdout
    assert "`rationale` should be text; got the number 5" in result.stdout


def test_shape_errors_show_values_as_yaml_spells_them(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", "format: scrqm/referral@1\ncriteria:\n  statutory: true\n")
    result = run_line("check", "--today", TODAY, str(path))
    assert "got true" in result.stdout and "True" not in result.stdout


def test_a_threshold_must_be_a_whole_number_not_true(run_line: Callable[..., Any], tmp_path: Path) -> None:
    config = write(tmp_path, "c.yaml", "thresholds:\n  late_after_working_days: true\n")
    result = run_line("check", "--config", str(config), "--today", TODAY, str(GOOD))
    assert result.exit_code == 2
    assert f"{config}:2:" in result.stderr and "late_after_working_days" in result.stderr
