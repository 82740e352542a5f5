"""One pipeline: every command chooses rules the same way, and the report decides nothing.

`check`, `patterns`, `rules`, `explain`, `config` and the language server's entry
point (`scrqm.run.session.check_source`) all ask `packs.select.Selection`; these
tests pin that they agree, including on a board pack's own threshold.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY

GOOD = EXAMPLES / "01-exemplary-death.yaml"

# A board pack with a threshold of its own, used by its rule as `$ns_min_words`.
BOARD = """\
pack: ns
profile: wt2015
title: Northshire's own rules
thresholds:
  ns_min_words: 3
groups:
  local: Northshire's own expectations
rules:
  - id: NS-summary-short
    group: local
    severity: warn
    title: Summary shorter than Northshire asks
    check: word_count
    options: {field: incident.summary, below: $ns_min_words}
    message: "`incident.summary` has {words} words; Northshire asks for {below}"
    fix: Say more in the summary.
"""


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A board's folder: its pack, `.scrqm.yaml` raising the pack's own threshold, and two referrals."""
    (tmp_path / "scrqm-rules").mkdir()
    (tmp_path / "scrqm-rules" / "ns.yaml").write_text(BOARD, encoding="utf-8")
    (tmp_path / ".scrqm.yaml").write_text("rules: [scrqm-rules]\nthresholds:\n  ns_min_words: 10000\n",
                                          encoding="utf-8")
    folder = tmp_path / "referrals"
    folder.mkdir()
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_patterns_takes_a_board_packs_own_threshold_as_check_does(run_line: Callable[..., Any], board: Path) -> None:
    checked = run_line("check", "--today", TODAY, "-f", "json", "referrals")
    assert checked.exit_code == 0, checked.stderr
    findings = [f for r in json.loads(checked.stdout)["files"] for f in r["findings"]]
    assert {f["rule"] for f in findings} == {"NS-summary-short"}  # 10000 from .scrqm.yaml, not the pack's 3
    found = run_line("patterns", "-f", "json", "referrals")
    assert found.exit_code == 0, found.stderr  # was 2: "unknown threshold ns_min_words"
    assert "unknown threshold" not in found.stderr
    assert json.loads(found.stdout)["files"] == 2


def test_rules_explain_and_config_see_the_board_pack_too(run_line: Callable[..., Any], board: Path) -> None:
    rules = json.loads(run_line("rules", "-f", "json").stdout)["rules"]
    assert "NS-summary-short" in {r["id"] for r in rules}
    assert "Northshire asks" in run_line("explain", "NS-summary-short").stdout
    assert "thresholds.ns_min_words: 10000" in run_line("config").stdout


def test_the_language_servers_entry_point_gives_what_check_json_gives(run_line: Callable[..., Any],
                                                                      board: Path) -> None:
    from scrqm.run.options import CheckOptions
    from scrqm.run.session import check_source

    text = (board / "referrals" / "a.yaml").read_text(encoding="utf-8")
    import datetime as dt

    served = check_source(text, "referrals/a.yaml", CheckOptions(paths=[], today=dt.date(2026, 11, 26)))
    checked = json.loads(run_line("check", "--today", TODAY, "-f", "json", "referrals/a.yaml").stdout)
    assert served == checked
    assert [f["rule"] for f in served["files"][0]["findings"]] == ["NS-summary-short"]


def test_per_path_overrides_apply_to_standard_input_and_files_alike(run_line: Callable[..., Any],
                                                                   board: Path) -> None:
    (board / ".scrqm.yaml").write_text(
        "rules: [scrqm-rules]\nthresholds: {ns_min_words: 10000}\n"
        "per-path:\n  - paths: ['archive/**']\n    severity: {NS-summary-short: fail}\n", encoding="utf-8")
    text = GOOD.read_text(encoding="utf-8")
    piped = run_line("check", "--today", TODAY, "-f", "json", "--stdin-filename", "archive/x.yaml", "-",
                     input=text)
    (board / "archive").mkdir()
    (board / "archive" / "x.yaml").write_text(text, encoding="utf-8")
    named = run_line("check", "--today", TODAY, "-f", "json", "archive/x.yaml")
    assert piped.exit_code == named.exit_code == 1
    assert json.loads(piped.stdout)["files"][0]["findings"] == json.loads(named.stdout)["files"][0]["findings"]


def test_patterns_runs_many_files_through_the_pool(run_line: Callable[..., Any], board: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.run import batch

    sent: list[int] = []
    original = batch._Runner._send

    def counting(self: Any) -> None:
        sent.append(len(self.waiting))
        original(self)

    monkeypatch.setattr(batch._Runner, "_send", counting)
    for n in range(batch.SERIAL_BELOW + 6):
        (board / "referrals" / f"r{n:02}.yaml").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    found = run_line("patterns", "-f", "json", "--jobs", "2", "referrals")
    assert found.exit_code == 0, found.stderr
    assert sent and sum(sent) == batch.SERIAL_BELOW + 8
    [nursery] = [r for r in json.loads(found.stdout)["recurrences"] if r["kind"] == "institution"]
    assert nursery["count"] == batch.SERIAL_BELOW + 8


def test_the_delay_shown_is_the_one_the_pack_names(tmp_path: Path) -> None:
    """Not "the first rule whose check is delay": moving the named rule after another changes nothing."""
    from scrqm.packs.loader import PackError, load_ruleset

    ruleset = load_ruleset("wt2023")
    assert ruleset.facts["delay"].id == "QM1.3-notification-late-unexplained"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text(BOARD.replace("groups:", "facts: {delay: NS-summary-short}\ngroups:"),
                                encoding="utf-8")
    with pytest.raises(PackError, match="facts.delay` names NS-summary-short, which is no `delay` rule"):
        load_ruleset("wt2015", extra_dirs=[bad])


def test_the_delay_chart_stays_when_the_delay_rules_are_ignored(run_json: Callable[..., Any]) -> None:
    late = EXAMPLES / "13-qm13-fail-late-unexplained.yaml"
    _, data = run_json("--ignore", "QM1.3", str(late))
    assert data["files"][0]["facts"]["delay_working_days"] > data["files"][0]["facts"]["delay_threshold"]


def test_built_in_rules_are_declared_once() -> None:
    from scrqm.check.builtins import BUILT_INS
    from scrqm.report.sarif import pseudo_descriptor
    from scrqm.teach.explain import explain
    from scrqm.packs.loader import load_ruleset

    for rule_id, builtin in BUILT_INS.items():
        assert pseudo_descriptor(rule_id)["shortDescription"]["text"] == builtin.title
        assert builtin.explanation in explain(load_ruleset(), rule_id)


def test_junit_asks_the_run_whether_a_verdict_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit-code rule lives in `result.fails`, asked through the run; JUnit keeps no copy of it."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    from scrqm import result
    from scrqm.packs.loader import load_ruleset
    from scrqm.pipeline import Settings, check_text
    from scrqm.report import Run
    from scrqm.report.junit import junit_tree

    ruleset = load_ruleset()
    checked = check_text((EXAMPLES / "16-privacy-warn-nhs-number.yaml").read_text(encoding="utf-8"),
                         display="16.yaml", ruleset=ruleset, settings=Settings(today=dt.date(2026, 11, 26)))
    assert checked.verdict == "warn"
    assert not result.fails("warn", "fail")
    monkeypatch.setattr(Run, "fails", lambda self, verdict: verdict == "warn")
    tree = junit_tree(Run([checked], ruleset), timestamp=dt.datetime(2026, 1, 1), hostname="h")
    assert ET.tostring(tree, encoding="unicode").count("<failure") == 1


def test_redaction_hides_the_value_not_the_rest_of_the_message(run_json: Callable[..., Any],
                                                              tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    text = GOOD.read_text(encoding="utf-8").replace("  date: 2016-11-07", "  date: 07/11/2016")
    referral.write_text(text, encoding="utf-8")
    _, data = run_json("--redact", str(referral))
    [finding] = data["files"][0]["findings"]
    assert "07/11/2016" not in finding["message"] and "[redacted]" in finding["message"]
    assert "YYYY-MM-DD" in finding["message"]
    _, plain = run_json(str(referral))
    assert "07/11/2016" in plain["files"][0]["findings"][0]["message"]
