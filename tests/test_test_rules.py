"""`scrqm test-rules`: every example of every pack, checked as a referral; the page's worked example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import ROOT
from scrqm.packs.loader import load_ruleset, profiles
from scrqm.teach.packtests import misbehaving, run_examples

PAGE = (ROOT / "docs" / "board-packs.md").read_text(encoding="utf-8")
[NORTHSHIRE] = [b for b in re.findall(r"```yaml\n(.*?)```", PAGE, re.S) if b.startswith("pack: northshire\n")]
RIGHT = "pass:\n        - {child: {known_to_social_care: false}}\n      fail:\n        - {child: {reference: Child F}}"
SWAPPED = "pass:\n        - {child: {reference: Child F}}\n      fail:\n        - {child: {known_to_social_care: false}}"


def _shown(marker: str) -> str:
    block = re.search(rf"<!-- {marker} -->\n```text\n(.*?)```", PAGE, re.S)
    assert block is not None, marker
    return block[1]


def _pack(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "scrqm-rules"
    folder.mkdir()
    (folder / "northshire.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_packs_examples_all_behave(run_line: Callable[..., Any]) -> None:
    result = run_line("test-rules")
    assert result.exit_code == 0, result.stdout
    total = sum(len(r.definition.examples.pass_) + len(r.definition.examples.fail)
                for name in profiles() for r in load_ruleset(name).rules)
    assert re.fullmatch(rf"{total} examples of \d+ rules \(wt2015, wt2023\): {total} behave\n", result.stdout)


def test_the_pages_good_pack_behaves(run_line: Callable[..., Any], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert RIGHT in NORTHSHIRE
    _pack(tmp_path, NORTHSHIRE, monkeypatch)
    result = run_line("test-rules", "scrqm-rules")
    assert (result.exit_code, result.stdout) == (0, _shown("test-rules-good"))


def test_the_pages_swapped_examples_are_named_and_exit_1(run_line: Callable[..., Any], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path, NORTHSHIRE.replace(RIGHT, SWAPPED), monkeypatch)
    result = run_line("test-rules", "scrqm-rules/")
    assert result.exit_code == 1
    assert result.stdout == _shown("test-rules-bad")
    # The line numbers are those of the examples in the pack.
    lines = (tmp_path / "scrqm-rules" / "northshire.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[17].strip() == "- {child: {reference: Child F}}"
    assert lines[19].strip() == "- {child: {known_to_social_care: false}}"


def test_one_misbehaving_example_among_good_ones(run_line: Callable[..., Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A second fail example that is not a failure: only it is named.
    text = NORTHSHIRE.replace("- {child: {reference: Child F}}",
                              "- {child: {reference: Child F}}\n        - {child: {known_to_social_care: true}}")
    _pack(tmp_path, text, monkeypatch)
    result = run_line("test-rules", "scrqm-rules")
    assert result.exit_code == 1
    named = [line for line in result.stdout.splitlines() if ": NS-known-to-social-care: " in line]
    assert named == [f"scrqm-rules/northshire.yaml:21:11: {p}: NS-known-to-social-care: fail example 2 gives no "
                     "finding from the rule" for p in ("wt2015", "wt2023")]


def test_an_example_that_is_not_a_referral_misbehaves(run_line: Callable[..., Any], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path, NORTHSHIRE.replace("{child: {reference: Child F}}", "{child: {referance: Child F}}"), monkeypatch)
    result = run_line("test-rules", "scrqm-rules")
    assert result.exit_code == 1
    assert "NS-known-to-social-care: fail example 1 is not a valid referral: " in result.stdout
    assert "referance" in result.stdout and result.stderr == ""


def test_examples_run_as_referrals_with_positions_and_the_day_of_their_context(tmp_path: Path) -> None:
    ruleset = load_ruleset("wt2015")
    outcomes = run_examples(ruleset)
    assert outcomes and not misbehaving(outcomes)
    future = [o for o in outcomes if o.rule.id == "QM1.3-future-date" and o.kind == "fail"]
    [finding] = future[0].findings
    assert finding.line == 3 and "2099-03-14 is after today (2016-12-31)" in finding.message
    # A waiver rule sees the findings the other rules really gave, waivers applied.
    unused = [o for o in outcomes if o.rule.id == "waivers-unused"]
    assert [bool(o.findings) for o in unused] == [False, True]


def test_a_broken_board_pack_is_exit_2(run_line: Callable[..., Any], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path, NORTHSHIRE.replace("check: missing", "check: absent"), monkeypatch)
    result = run_line("test-rules", "scrqm-rules")
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(r"northshire\.yaml:\d+:\d+: rule pack: .*unknown check function `absent`", result.stderr)
    assert run_line("test-rules", "no-such-folder").exit_code == 2


def test_explain_warns_under_an_example_that_does_not_behave(run_line: Callable[..., Any], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path, NORTHSHIRE.replace(RIGHT, SWAPPED), monkeypatch)
    out = run_line("explain", "NS-known-to-social-care", "--rules", "scrqm-rules").stdout
    passes, fails = out.split("A referral that gives this finding:")
    assert "Warning: this example does not behave as its heading says: it gives this rule's finding." in passes
    assert "Warning: this example does not behave as its heading says: it gives no finding from this rule." in fails
    (tmp_path / "good").mkdir()
    _pack(tmp_path / "good", NORTHSHIRE, monkeypatch)
    assert "Warning" not in run_line("explain", "NS-known-to-social-care", "--rules", "scrqm-rules").stdout
