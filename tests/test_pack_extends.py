"""Packs that build on packs: `extends`, `like`, `drop`, and what a board pack may change.

wt2023 extends wt2015 and states only what differs; a board pack may re-grade
a shipped rule but not rewrite it, nor the marker's quoted questions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD as GOOD_2015, ROOT
from scrqm.load.document import load_path
from scrqm.packs import loader
from scrqm.packs.loader import PackError, load_ruleset

RULES = ROOT / "rules"


def _raw(profile: str) -> list[dict[str, Any]]:
    """The rule entries of a shipped profile's packs, as written."""
    return [entry for path in sorted((RULES / profile).glob("*.yaml")) for entry in load_path(path).data["rules"]]


def _non_comment_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.lstrip().startswith("#"))


def test_a_rule_belongs_to_the_question_or_group_its_id_begins_with() -> None:
    ruleset = load_ruleset("wt2023")
    for rule in ruleset.rules:
        place = rule.definition.question or rule.definition.group
        assert rule.id.startswith(f"{place}-"), rule.id
    assert not any("question" in e or "group" in e for e in _raw("wt2015"))


def test_wt2023_extends_wt2015_and_writes_only_what_differs() -> None:
    head = load_path(RULES / "wt2023" / "qm1.yaml").data
    assert head["extends"] == "wt2015"
    base = {entry["id"]: entry for entry in _raw("wt2015")}
    for entry in _raw("wt2023"):
        if entry["id"] not in base:
            continue
        inherited = base[entry["id"]]
        for key, value in entry.items():
            if key == "id":
                continue
            if key == "options":
                same = [k for k, v in value.items() if inherited.get("options", {}).get(k) == v]
                assert not same, f"{entry['id']} restates options {same} of wt2015"
            else:
                assert inherited.get(key) != value, f"{entry['id']} restates `{key}` of wt2015"


def test_no_rule_is_written_twice() -> None:
    for profile in ("wt2015", "wt2023"):
        ids = [entry["id"] for entry in _raw(profile)]
        assert len(ids) == len(set(ids)), profile
    # A complete definition (check and options) appears once across the shipped packs.
    written = [json.dumps([e.get("check"), e.get("options")], sort_keys=True)
               for profile in ("wt2015", "wt2023") for e in _raw(profile) if "check" in e]
    assert len(written) == len(set(written))


def test_each_delay_is_written_once() -> None:
    # "unexplained" and "short" of one delay: the second is `like:` the first, not a copy of its options.
    spans = [(tuple(e["options"].get("start") or ()), e["options"].get("end"), e["options"].get("threshold"))
             for profile in ("wt2015", "wt2023") for e in _raw(profile)
             if "start" in e.get("options", {}) or "end" in e.get("options", {})]
    assert len(spans) == len(set(spans)), spans


def test_the_shipped_packs_are_at_most_1200_non_comment_lines() -> None:
    total = sum(_non_comment_lines(path) for path in sorted(RULES.glob("*/*.yaml")))
    assert total <= 1200, total


def test_wt2023_has_what_it_inherits_and_not_what_it_drops() -> None:
    old, new = load_ruleset("wt2015"), load_ruleset("wt2023")
    assert new.rule("QM1.1-rationale-too-short") is not None
    assert new.rule("QM1.1-rationale-too-short").definition == old.rule("QM1.1-rationale-too-short").definition  # type: ignore[union-attr]
    assert new.rule("QM1.3-delay-unexplained") is None and new.rule("QM1.2-statutory-missing") is None
    # Its own thresholds, and the base's that its rules use; not the dropped delay's.
    assert "late_after_working_days" not in new.thresholds and new.thresholds["explanation_min_words"] == 10
    # The questions keep wt2015's quoted text, with wt2023's own guidance.
    assert new.questions["QM1.3"].text == old.questions["QM1.3"].text
    assert new.questions["QM1.3"].how_to_know != old.questions["QM1.3"].how_to_know
    assert new.statement is None and old.statement
    short = new.rule("QM1.3-notification-explanation-short")
    assert short is not None and short.definition.severity == "warn"
    assert (short.options.end, short.options.when) == ("notification.date", "short")  # type: ignore[attr-defined]


# ---------------------------------------------------------------- extends, like, drop on a pack of one's own


def _shipped_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **packs: str) -> None:
    for profile, text in packs.items():
        (tmp_path / "rules" / profile).mkdir(parents=True)
        (tmp_path / "rules" / profile / "qm1.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(loader, "rules_root", lambda: tmp_path / "rules")


BASE = """pack: base
profile: base
title: Base
thresholds: {low: 5}
questions: [{id: QM1.1, text: "Is the rationale clear?"}]
rules:
  - id: QM1.1-a
    question: QM1.1
    severity: fail
    title: A
    check: word_count
    options: {field: rationale, below: $low}
    message: "{words} words"
    fix: f
"""


def test_like_starts_from_another_rule_and_changes_options_key_by_key(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _shipped_root(tmp_path, monkeypatch, base=BASE + "  - {id: QM1.1-b, like: QM1.1-a, severity: warn, "
                  "options: {at_least: 5, below: 9}}\n")
    ruleset = load_ruleset("base")
    a, b = ruleset.rule("QM1.1-a"), ruleset.rule("QM1.1-b")
    assert a is not None and b is not None
    assert (b.definition.severity, b.definition.title, b.options.field, b.options.below) == ("warn", "A", "rationale", 9)  # type: ignore[attr-defined]
    assert a.options.below == 5  # type: ignore[attr-defined]


def test_extends_overrides_drops_and_keeps_quoted_questions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    child = ("pack: child\nprofile: child\nextends: base\ntitle: Child\nthresholds: {low: 3}\n"
             "questions: [{id: QM1.1, how_to_know: Read it.}]\n"
             "rules:\n  - {id: QM1.1-a, severity: info}\n")
    _shipped_root(tmp_path, monkeypatch, base=BASE, child=child)
    ruleset = load_ruleset("child")
    rule = ruleset.rule("QM1.1-a")
    assert rule is not None and rule.severity == "info" and rule.options.below == 3  # type: ignore[attr-defined]
    assert ruleset.questions["QM1.1"].text == "Is the rationale clear?" and ruleset.title == "Child"
    assert load_ruleset("base").rule("QM1.1-a").severity == "fail"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("child_rules", "expected"),
    [
        ("drop: [QM1.1-z]\nrules: []\n", r"child/qm1\.yaml:\d+:\d+: rule pack: `drop` names QM1.1-z"),
        ("rules:\n  - {id: QM1.1-c, like: QM1.1-zz}\n", r"child/qm1\.yaml:6:\d+: rule QM1.1-c: `like: QM1.1-zz` names no rule.*did you mean QM1.1-a\?"),
        ("rules:\n  - {id: QM1.1-c, severity: warn}\n", r"child/qm1\.yaml:6:\d+: rule pack: rule QM1.1-c: `check` is required"),
        ("questions: [{id: QM1.1, text: Always passes}]\nrules: []\n",
         r"child/qm1\.yaml:5:\d+: rule pack: question QM1.1: the text is quoted"),
    ],
)
def test_a_wrong_extending_pack_is_an_error_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          child_rules: str, expected: str) -> None:
    child = "pack: child\nprofile: child\nextends: base\ntitle: Child\n" + child_rules
    _shipped_root(tmp_path, monkeypatch, base=BASE, child=child)
    with pytest.raises(PackError, match=expected):
        load_ruleset("child")


def test_extends_in_a_circle_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _shipped_root(tmp_path, monkeypatch, base=BASE.replace("title: Base\n", "title: Base\nextends: child\n"),
                  child="pack: child\nprofile: child\nextends: base\ntitle: Child\n")
    with pytest.raises(PackError, match=r"base/qm1\.yaml:4:\d+: rule pack: `extends: child` goes round in a circle \(child -> base -> child\)"):
        load_ruleset("child")


# ---------------------------------------------------------------- board packs




def _board(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "board"
    folder.mkdir()
    (folder / "local.yaml").write_text(text, encoding="utf-8")
    return folder


def _with_acronym(tmp_path: Path) -> Path:
    text = GOOD_2015.read_text(encoding="utf-8")
    assert "rationale: >\n" in text
    referral = tmp_path / "acronym.yaml"
    referral.write_text(text.replace("rationale: >\n", "rationale: >\n  The XQZT met twice.\n", 1), encoding="utf-8")
    return referral


# The re-grading pack docs/board-packs.md shows, read from the page.
[REGRADE] = [block for block in re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "board-packs.md").read_text(
    encoding="utf-8"), re.S) if "pack: northshire-grades" in block]


def test_a_board_pack_can_raise_a_shipped_rules_severity(run_json: Callable[..., Any], run_line: Callable[..., Any],
                                                          tmp_path: Path) -> None:
    referral = _with_acronym(tmp_path)
    _, before = run_json(str(referral))
    assert [(f["rule"], f["severity"]) for f in before["files"][0]["findings"]] == [("QM1.1-acronym-unexpanded", "info")]
    folder = _board(tmp_path, REGRADE)
    code, after = run_json("--rules", str(folder), "--fail-on", "warn", str(referral))
    assert [(f["rule"], f["severity"]) for f in after["files"][0]["findings"]] == [("QM1.1-acronym-unexpanded", "warn")]
    assert code == 1
    listed = run_line("rules", "--rules", str(folder), "--format", "json")
    [row] = [r for r in json.loads(listed.stdout)["rules"] if r["id"] == "QM1.1-acronym-unexpanded"]
    assert row["severity"] == "warn"
    # The same board pack in a wt2023 run re-grades the same rule there.
    assert load_ruleset("wt2023", extra_dirs=[folder]).rule("QM1.1-acronym-unexpanded").severity == "warn"  # type: ignore[union-attr]


def test_a_board_pack_regrading_a_rule_of_another_profile_is_ignored_in_this_one(tmp_path: Path) -> None:
    folder = _board(tmp_path, REGRADE.replace("QM1.1-acronym-unexpanded", "QM1.3-delay-unexplained"))
    assert load_ruleset("wt2015", extra_dirs=[folder]).rule("QM1.3-delay-unexplained").severity == "warn"  # type: ignore[union-attr]
    assert load_ruleset("wt2023", extra_dirs=[folder]).rule("QM1.3-delay-unexplained") is None


def test_a_board_pack_cannot_rewrite_a_shipped_rule(run_line: Callable[..., Any], tmp_path: Path) -> None:
    folder = _board(tmp_path, REGRADE.replace("severity: warn}", "severity: warn, message: Always passes}"))
    result = run_line("check", "--rules", str(folder), str(GOOD_2015))
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(r"local\.yaml:6:\d+: rule id QM1.1-acronym-unexpanded is defined twice: it is a shipped "
                     r"rule, and a board pack can change only its `severity` \(this gives `message`\)", result.stderr)


def test_a_board_pack_cannot_retitle_a_question_of_the_marker(run_line: Callable[..., Any], tmp_path: Path) -> None:
    folder = _board(tmp_path, "pack: local\nprofile: local\ntitle: Local\n"
                    "questions:\n  - {id: QM1.3, text: Always passes}\nrules: []\n")
    result = run_line("check", "--rules", str(folder), str(GOOD_2015))
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(r"local\.yaml:5:\d+: rule pack: question QM1.3 is the marker's own, quoted from "
                     r"NSPCC/SCIE \(2016\), and a board pack cannot change it", result.stderr), result.stderr
    explained = run_line("explain", "QM1.3", "--rules", str(folder))
    assert explained.exit_code == 2 and "Always passes" not in explained.stdout


def test_a_board_pack_may_add_a_question_of_its_own(tmp_path: Path) -> None:
    folder = _board(tmp_path, "pack: local\nprofile: local\ntitle: Local\n"
                    "questions:\n  - {id: NS1.1, text: 'Is it said whether the child was known to social care?'}\nrules:\n"
                    "  - {id: NS-known, question: NS1.1, severity: warn, title: Known, check: missing,"
                    " options: {field: child.known_to_social_care}, message: 'it is {state}', fix: Name it.}\n")
    ruleset = load_ruleset(extra_dirs=[folder])
    assert ruleset.questions["NS1.1"].text == "Is it said whether the child was known to social care?"
    assert ruleset.questions["QM1.3"].text == "Are there explanations for any delays in the referral?"
    assert ruleset.rule("NS-known").definition.question == "NS1.1"  # type: ignore[union-attr]


def test_a_board_pack_cannot_extend_or_drop(tmp_path: Path) -> None:
    folder = _board(tmp_path, "pack: local\nprofile: local\ntitle: Local\nextends: wt2015\nrules: []\n")
    with pytest.raises(PackError, match=r"local\.yaml:4:\d+: rule pack: a board pack joins the run"):
        load_ruleset(extra_dirs=[folder])
    (folder / "local.yaml").write_text("pack: local\nprofile: local\ntitle: Local\ndrop: [QM1.1-acronym-unexpanded]\n",
                                       encoding="utf-8")
    with pytest.raises(PackError, match=r"local\.yaml:4:\d+: rule pack: a board pack cannot drop shipped rules"):
        load_ruleset(extra_dirs=[folder])



def test_a_board_rule_can_start_like_a_shipped_one(tmp_path: Path) -> None:
    folder = _board(tmp_path, "pack: local\nprofile: local\ntitle: Local\nrules:\n"
                    "  - {id: NS-rationale-short, like: QM1.1-rationale-too-short, severity: warn,"
                    " options: {below: 30}}\n")
    ruleset = load_ruleset(extra_dirs=[folder])
    mine, shipped = ruleset.rule("NS-rationale-short"), ruleset.rule("QM1.1-rationale-too-short")
    assert mine is not None and shipped is not None
    assert (mine.definition.question, mine.severity, mine.options.field, mine.options.below) == (  # type: ignore[attr-defined]
        "QM1.1", "warn", "rationale", 30)
    assert (shipped.severity, shipped.options.below) == ("fail", 20)  # type: ignore[attr-defined]


def test_re_grading_a_rule_that_is_not_shipped_says_so(tmp_path: Path) -> None:
    folder = _board(tmp_path, REGRADE.replace("QM1.1-acronym-unexpanded", "QM1.1-acronym-unexpandd"))
    with pytest.raises(PackError, match=r"local\.yaml:6:\d+: rule QM1.1-acronym-unexpandd is not a shipped rule, "
                                        r"so there is no severity to change; did you mean QM1.1-acronym-unexpanded\?"):
        load_ruleset(extra_dirs=[folder])
