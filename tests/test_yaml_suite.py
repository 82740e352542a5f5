"""The YAML test suite: every input gets a result, never a traceback.

The corpus is the suite's copy of the project's shared/corpora/yaml-test-suite
(tests/data: 402 files and a manifest marking the invalid YAML).  Every file marked invalid must
come back `invalid` with a `load` finding that says where the YAML breaks and
how to fix it, including the inputs libyaml itself lets through (see
`scrqm.load.yamlspec`); a file marked valid may give any verdict, but never a crash.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import ROOT, TODAY, invoke



CORPUS = ROOT / "tests" / "data" / "yaml-test-suite"  # the suite's copy of shared/corpora

# Messages that come from scrqm.load.yamlspec rather than the parser.
SPEC_RULES = ("needs a space before its '#'", "continues the", "inside brackets must be quoted",
              "a blank line at the start of this block")


def manifest() -> dict[str, dict[str, Any]]:
    listing = CORPUS / "manifest.json"
    if not listing.is_file():
        pytest.fail(
            f"the YAML test-suite corpus is missing: expected {listing}, a copy of the project's "
            "shared/corpora/yaml-test-suite."
        )
    return {entry["file"]: entry for entry in json.loads(listing.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def suite_report() -> tuple[int, dict[str, Any], str]:
    """`scrqm check --format json` over the whole corpus, in-process."""
    manifest()
    result = invoke("check", "--format", "json", "--today", TODAY, "--isolated", str(CORPUS))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_corpus_has_the_files_the_manifest_lists() -> None:
    entries = manifest()
    on_disk = {p.name for p in CORPUS.glob("*.yaml")}
    assert len(entries) == 402
    assert set(entries) == on_disk
    assert sum(e["invalid_yaml"] for e in entries.values()) >= 90


def test_every_file_gets_exactly_one_result(suite_report: tuple[int, dict[str, Any], str]) -> None:
    code, report, stderr = suite_report
    assert code == 1  # none of them is a referral
    assert stderr == ""
    names = [Path(f["path"]).name for f in report["files"]]
    assert sorted(names) == sorted(manifest())
    assert report["summary"]["files"] == 402


def test_invalid_yaml_is_a_load_finding_with_a_position_and_a_fix(
    suite_report: tuple[int, dict[str, Any], str],
) -> None:
    entries = manifest()
    not_caught = []
    for file in suite_report[1]["files"]:
        if not entries[Path(file["path"]).name]["invalid_yaml"]:
            continue
        assert file["verdict"] == "invalid"
        loads = [f for f in file["findings"] if f["group"] == "load"]
        if not loads:
            not_caught.append(file["path"])
            continue
        for finding in loads:
            assert finding["line"] >= 1 and finding["column"] >= 1
            assert finding["severity"] == "fail" and finding["message"]
            assert finding["fix"], f"{file['path']}: no fix for {finding['message']!r}"
            assert "Traceback" not in finding["message"] and "<unicode string>" not in finding["message"]
    assert not_caught == []


def test_valid_yaml_is_never_refused_by_the_stricter_rules(
    suite_report: tuple[int, dict[str, Any], str],
) -> None:
    """yamlspec adds rules libyaml skips; none of them may fire on valid YAML."""
    entries = manifest()
    wrongly = [
        (file["path"], f["message"])
        for file in suite_report[1]["files"]
        if not entries[Path(file["path"]).name]["invalid_yaml"]
        for f in file["findings"]
        if f["group"] == "load" and any(rule in f["message"] for rule in SPEC_RULES)
    ]
    assert wrongly == []


def test_valid_yaml_gets_a_verdict_not_a_crash(suite_report: tuple[int, dict[str, Any], str]) -> None:
    entries = manifest()
    for file in suite_report[1]["files"]:
        if entries[Path(file["path"]).name]["invalid_yaml"]:
            continue
        assert file["verdict"] in ("pass", "warn", "fail", "invalid")
        assert all(f["line"] >= 1 and f["message"] for f in file["findings"])


def test_whole_corpus_in_a_real_process_has_no_traceback() -> None:
    manifest()
    done = subprocess.run(
        [sys.executable, "-m", "scrqm", "check", "--format", "json", "--isolated", "--today", TODAY, str(CORPUS)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stderr == ""
    assert json.loads(done.stdout)["summary"] == {"files": 402, "pass": 0, "warn": 0, "fail": 0, "invalid": 402}
