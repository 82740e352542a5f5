"""Which profile judges a referral: its own `profile:`, else the run's (option or config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from conftest import EXAMPLES, GOOD as GOOD_2015, GOOD_2023, TODAY



def _without_profile(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("profile: wt2023\n", "")


def test_run_profile_applies_to_files_that_do_not_name_one(run_json: Callable[..., Any], tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(_without_profile(GOOD_2023), encoding="utf-8")
    _, default = run_json(str(plain))
    [result] = default["files"]
    # Judged by wt2015, a wt2023 referral lacks the 2015 statement.
    assert result["profile"] == "wt2015" and "QM1.2-statutory-missing" in [f["rule"] for f in result["findings"]]
    code, chosen = run_json("--profile", "wt2023", str(plain))
    assert chosen["files"][0]["profile"] == "wt2023" and chosen["files"][0]["verdict"] == "pass" and code == 0


def test_the_files_own_profile_wins_over_the_runs(run_json: Callable[..., Any]) -> None:
    _, data = run_json("--profile", "wt2015", str(GOOD_2015), str(GOOD_2023))
    first, second = data["files"]
    assert first["profile"] == "wt2015" and first["verdict"] == "pass"
    assert second["profile"] == "wt2023" and second["verdict"] == "pass"
    _, data = run_json("--profile", "wt2023", str(GOOD_2015))
    # The wt2015 example names no profile: the run's (wt2023) judges it and misses the 2023 statement.
    assert data["files"][0]["profile"] == "wt2023" and data["files"][0]["verdict"] == "fail"


def test_a_file_naming_wt2015_is_judged_by_wt2015_under_a_wt2023_run(
    run_json: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("profile: wt2015\n" + GOOD_2015.read_text(encoding="utf-8"), encoding="utf-8")
    code, data = run_json("--profile", "wt2023", str(path))
    assert (data["files"][0]["profile"], data["files"][0]["verdict"], code) == ("wt2015", "pass", 0)


def test_config_profile_is_the_default_and_the_file_still_wins(run_line: Callable[..., Any], tmp_path: Path) -> None:
    import json

    (tmp_path / ".scrqm.yaml").write_text("profile: wt2023\n", encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(_without_profile(GOOD_2023), encoding="utf-8")
    result = run_line("check", "--config", str(tmp_path / ".scrqm.yaml"), "--format", "json", "--today", TODAY,
                      str(plain), str(GOOD_2015))
    files = json.loads(result.stdout)["files"]
    assert [f["profile"] for f in files] == ["wt2023", "wt2023"]
    assert files[0]["verdict"] == "pass"


def test_unknown_profile_in_a_file_makes_it_invalid_and_the_run_goes_on(
    run_json: Callable[..., Any], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: scrqm/referral@1\nprofile: wt2099\nrationale: x\n", encoding="utf-8")
    code, data = run_json(str(bad), str(GOOD_2023))
    invalid, good = data["files"]
    assert invalid["verdict"] == "invalid" and good["verdict"] == "pass"
    [finding] = invalid["findings"]
    assert (finding["field"], finding["line"], finding["column"]) == ("profile", 2, 10)
    assert "wt2015, wt2023" in finding["message"]
    assert code == 1


def test_a_profile_that_is_not_a_name_is_a_shape_error(run_json: Callable[..., Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: scrqm/referral@1\nprofile: Working Together 2018\n", encoding="utf-8")
    _, data = run_json(str(bad))
    [finding] = data["files"][0]["findings"]
    assert finding["field"] == "profile" and "wt2023" in finding["message"]


def test_teach_shows_the_guidance_of_the_files_profile(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--teach", "--today", TODAY, str(GOOD_2015), str(GOOD_2023))
    old, new = result.stdout.split("01-exemplary-death.yaml  PASS")[1:]
    assert "section 16C" not in old and "section 16C" in new


def test_select_may_name_a_rule_of_another_profile(run_json: Callable[..., Any]) -> None:
    code, data = run_json("--select", "QM1.3-rapid-review-overdue", str(GOOD_2015), str(
        EXAMPLES / "wt2023" / "10-qm13-warn-rapid-review-not-recorded.yaml"))
    assert [f["rule"] for file in data["files"] for f in file["findings"]] == ["QM1.3-rapid-review-overdue"]


def test_select_naming_no_rule_of_any_profile_is_still_an_error(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--select", "QM1.3-no-such-rule", str(GOOD_2015))
    assert result.exit_code == 2 and "names no rule" in result.stderr


def test_checking_text_directly_honours_the_files_profile(check: Callable[..., Any]) -> None:
    # The `check` fixture passes the wt2015 rule set, as a library user would.
    result = check(GOOD_2023.read_text(encoding="utf-8"))
    assert (result.profile, result.verdict, result.findings) == ("wt2023", "pass", [])


def test_config_may_set_thresholds_of_both_profiles(run_line: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / ".scrqm.yaml"
    config.write_text("thresholds:\n  rapid_review_working_days: 10\n  late_after_working_days: 4\n", encoding="utf-8")
    shown = run_line("config", "--config", str(config)).stdout
    assert "thresholds.late_after_working_days: 4" in shown and "thresholds.rapid_review_working_days: 10" in shown
    # The exemplary wt2023 referral held its rapid review 11 working days after the notification.
    result = run_line("check", "--config", str(config), "--format", "json", "--today", TODAY, str(GOOD_2023))
    import json

    [file] = json.loads(result.stdout)["files"]
    assert [f["rule"] for f in file["findings"]] == ["QM1.3-rapid-review-late-unexplained"]
    config.write_text("thresholds:\n  rapid_review_days: 10\n", encoding="utf-8")
    bad = run_line("check", "--config", str(config), str(GOOD_2023))
    assert bad.exit_code == 2 and "unknown threshold rapid_review_days" in bad.stderr
