"""`scrqm patterns`: names that recur across referrals within a window, and the spread of delays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES
from scrqm.patterns import normalise

BASE = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")  # Brambleway Day Nursery
SECRET = "The mother's partner (Adult B) had"  # text of the referral that must never be reported


def plant(folder: Path, name: str, *, reference: str, institution: str, incident: str, aware: str,
          referred: str) -> Path:
    """A copy of the exemplary referral with its institution, reference and dates changed."""
    text = (BASE.replace("  - Brambleway Day Nursery", f"  - {institution!r}".replace("'", '"'))
            .replace("reference: NLSCB-2016-011", f"reference: {reference}")
            .replace("  date: 2016-11-07", f"  date: {incident}")
            .replace("  aware_date: 2016-11-08", f"  aware_date: {aware}")
            .replace("  date: 2016-11-10", f"  date: {referred}"))
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    plant(tmp_path, "a.yaml", reference="SEN-1", institution="Sunnyside Day Nursery",
          incident="2016-01-04", aware="2016-01-04", referred="2016-01-06")          # 2 working days
    plant(tmp_path, "b.yaml", reference="SEN-2", institution="sunnyside   day nursery ",
          incident="2016-05-09", aware="2016-05-09", referred="2016-05-16")          # 5
    plant(tmp_path, "c.yaml", reference="SEN-3", institution="SUNNYSIDE DAY NURSERY",
          incident="2016-11-01", aware="2016-11-01", referred="2016-11-16")          # 11
    plant(tmp_path, "d.yaml", reference="SEN-4", institution="Sunnyside Day Nursery",
          incident="2019-06-03", aware="2019-06-03", referred="2019-07-15")          # 30
    plant(tmp_path, "e.yaml", reference="OTH-1", institution="Hilltop Primary School",
          incident="2016-02-01", aware="2016-02-01", referred="2016-02-02")          # 1
    return tmp_path


def patterns(run_line: Callable[..., Any], *args: str) -> tuple[int, dict[str, Any], str]:
    result = run_line("patterns", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout), result.stderr


def institutions(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data["recurrences"] if r["kind"] == "institution"]


def test_finds_the_institution_planted_across_three_referrals(run_line: Callable[..., Any], folder: Path) -> None:
    code, data, _ = patterns(run_line, str(folder))
    [sunnyside] = institutions(data)
    assert sunnyside["name"] == "Sunnyside Day Nursery"
    assert [(Path(r["path"]).name, r["reference"]) for r in sunnyside["referrals"]] == [
        ("a.yaml", "SEN-1"), ("b.yaml", "SEN-2"), ("c.yaml", "SEN-3")]
    assert (sunnyside["count"], sunnyside["first"], sunnyside["last"]) == (3, "2016-01-04", "2016-11-01")
    # 2019 is more than a year after the last: not grouped, and a lone sighting is no pattern.
    assert all(Path(r["path"]).name != "d.yaml" for rec in data["recurrences"] for r in rec["referrals"]
               if rec["kind"] == "institution")
    assert code == 0


def test_a_narrower_window_splits_the_chain(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, "--window-days", "150", str(folder))
    # a (Jan) to b (May) is 126 days, b to c (Nov) 176: only a and b remain together.
    [sunnyside] = institutions(data)
    assert [Path(r["path"]).name for r in sunnyside["referrals"]] == ["a.yaml", "b.yaml"]
    _, data, _ = patterns(run_line, "--window-days", "100", str(folder))
    assert institutions(data) == []


def test_a_wide_window_joins_the_later_referral(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, "--window-days", "1000", str(folder))
    [sunnyside] = institutions(data)
    assert sunnyside["count"] == 4


def test_by_referral_date(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, "--by", "referral", "--window-days", "130", str(folder))
    # Referred 2016-01-06 and 2016-05-16: 131 days apart, one more than the window.
    assert institutions(data) == []
    assert data["date_fields"] == ["referral.date", "notification.date"]


def test_min_referrals(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, "--min-referrals", "4", str(folder))
    assert institutions(data) == []
    assert {r["kind"] for r in data["recurrences"]} <= {"agency", "setting"}


def test_agencies_and_settings_recur_too(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, str(folder))
    kinds = {(r["kind"], r["name"]): r["count"] for r in data["recurrences"]}
    assert kinds[("agency", "GP practice")] == 4  # a, b, c and e, within a year of each other
    assert not any(kind == "setting" for kind, _ in kinds)  # `setting: home` is no institution


def test_delay_distribution_in_working_days(run_line: Callable[..., Any], folder: Path) -> None:
    _, data, _ = patterns(run_line, str(folder))
    [delays] = data["delays"]
    assert delays["profile"] == "wt2015" and delays["to"] == "referral.date"
    assert delays["buckets"] == {"0-5": 3, "6-10": 0, "11-20": 1, ">20": 1}
    assert delays["median"] == 5.0 and delays["counted"] == 5 and delays["late"] == 2


def test_each_profile_counts_its_own_delay(run_line: Callable[..., Any]) -> None:
    _, data, _ = patterns(run_line, str(EXAMPLES / "wt2023"))
    [delays] = data["delays"]
    assert (delays["profile"], delays["to"], delays["threshold"]) == ("wt2023", "notification.date", 5)
    assert delays["counted"] == 12 and delays["not_counted"] == 1  # the learning referral has no notification


def test_invalid_files_are_skipped_with_a_note(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / "broken.yaml").write_text("format: scrqm/referral@1\nincident: [\n", encoding="utf-8")
    (folder / "shape.yaml").write_text("format: scrqm/referral@1\nincident:\n  date: 14/03/2016\n",
                                       encoding="utf-8")
    (folder / "empty.yaml").write_text("", encoding="utf-8")
    (folder / "profile.yaml").write_text("profile: wt2099\n" + BASE, encoding="utf-8")
    code, data, stderr = patterns(run_line, str(folder))
    assert sorted(Path(p).name for p in data["skipped"]) == ["broken.yaml", "empty.yaml", "profile.yaml", "shape.yaml"]
    assert "broken.yaml: skipped, not a valid referral" in stderr
    assert stderr.count(": skipped, not a valid referral") == 4, stderr
    assert institutions(data)[0]["count"] == 3
    assert code == 1


def test_no_text_of_the_referral_is_reported(run_line: Callable[..., Any], folder: Path) -> None:
    assert SECRET in (folder / "a.yaml").read_text(encoding="utf-8")
    for fmt in ("json", "text"):
        result = run_line("patterns", "--format", fmt, str(folder))
        assert SECRET not in result.stdout and "Child F" not in result.stdout


def test_text_report(run_line: Callable[..., Any], folder: Path) -> None:
    result = run_line("patterns", str(folder))
    assert result.exit_code == 0
    assert "Sunnyside Day Nursery" in result.stdout and "SEN-3" in result.stdout
    assert "Delays in working days" in result.stdout
    assert "\x1b[" not in result.stdout


def test_missing_folder_is_exit_2(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("patterns", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "no such file or directory" in result.stderr


def test_bad_window_is_a_usage_error(run_line: Callable[..., Any], folder: Path) -> None:
    assert run_line("patterns", "--window-days", "0", str(folder)).exit_code == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sunnyside Day Nursery", "sunnyside day nursery "),
        ("  Sunnyside\tDay  Nursery", "SUNNYSIDE DAY NURSERY"),
        ("St. Mary\u2019s Primary", "St Mary's Primary"),
        ("Health visiting & school nursing", "Health visiting and school nursing"),
    ],
)
def test_names_are_compared_without_case_spacing_or_stops(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_different_names_stay_different() -> None:
    assert normalise("Sunnyside Day Nursery") != normalise("Sunnyside Nursery")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Health visiting", "Health visiting (Northshire Community Health)"),
        ("The Grove Children's Centre", "Grove Childrens Centre"),
        ("Northshire Children's Social Care", "northshire childrens social-care"),
        ("GP practice [Riverside]", "G.P. practice"),
    ],
)
def test_names_are_compared_without_qualifiers_punctuation_or_the(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_a_name_and_its_qualified_spelling_are_one_recurrence(run_line: Callable[..., Any], tmp_path: Path) -> None:
    plant(tmp_path, "a.yaml", reference="Q-1", institution="The Little Acorns Nursery", incident="2016-01-04",
          aware="2016-01-04", referred="2016-01-06")
    plant(tmp_path, "b.yaml", reference="Q-2", institution="Little Acorns Nursery (Northtown)",
          incident="2016-02-01", aware="2016-02-01", referred="2016-02-03")
    _, data, _ = patterns(run_line, str(tmp_path))
    [acorns] = institutions(data)
    assert acorns["count"] == 2
    assert sorted(acorns["spellings"]) == ["Little Acorns Nursery (Northtown)", "The Little Acorns Nursery"]


def test_a_name_recurring_in_two_windows_is_listed_once(run_line: Callable[..., Any], tmp_path: Path) -> None:
    for n, (date, name) in enumerate([("2016-01-04", "Hilltop School"), ("2016-02-01", "hilltop school"),
                                      ("2019-01-07", "Hilltop School"), ("2019-02-04", "HILLTOP SCHOOL")]):
        plant(tmp_path, f"{n}.yaml", reference=f"H-{n}", institution=name, incident=date, aware=date,
              referred=date)
    _, data, _ = patterns(run_line, "--window-days", "100", str(tmp_path))
    [hilltop] = institutions(data)
    assert hilltop["count"] == 4 and [r["reference"] for r in hilltop["referrals"]] == ["H-0", "H-1", "H-2", "H-3"]
    assert [(w["first"], w["count"]) for w in hilltop["windows"]] == [("2016-01-04", 2), ("2019-01-07", 2)]


def test_settings_are_reported_only_when_they_are_institutions(run_line: Callable[..., Any], tmp_path: Path) -> None:
    for n, setting in enumerate(["home", "home", "custody", "custody"]):
        path = plant(tmp_path, f"{n}.yaml", reference=f"S-{n}", institution=f"Place {n}", incident="2016-01-04",
                     aware="2016-01-04", referred="2016-01-06")
        path.write_text(path.read_text(encoding="utf-8").replace("  setting: home", f"  setting: {setting}"),
                        encoding="utf-8")
    _, data, _ = patterns(run_line, str(tmp_path))
    assert [(r["name"], r["count"]) for r in data["recurrences"] if r["kind"] == "setting"] == [("custody", 2)]


def test_patterns_runs_no_rule_yet_counts_the_delays_check_counts(
    run_line: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names, dates and the delay facts are all patterns reads: running the rules would only cost time."""
    import scrqm.pipeline

    def no_rule(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("patterns ran the rules")

    monkeypatch.setattr(scrqm.pipeline, "_run_with_waivers", no_rule)
    code, data, _ = patterns(run_line, str(folder), "--jobs", "1")
    assert code == 0 and data["delays"][0]["counted"] == 5 and data["recurrences"]
    monkeypatch.undo()
    checked = json.loads(run_line("check", "--format", "json", "--jobs", "1", str(folder)).stdout)
    delays = sorted(f["facts"]["delay_working_days"] for f in checked["files"]
                    if f["facts"].get("delay_working_days") is not None)
    assert len(delays) == 5 and data["delays"][0]["median"] == delays[2]
