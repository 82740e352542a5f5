"""Rule packs: every rule's pass/fail examples, and bad packs rejected with a line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from scrqm.check.functions import CHECKS, Context
from scrqm.teach.packtests import check_example, example_text
from scrqm.check.engine import run_rules
from scrqm.shape.model import Referral
from scrqm.packs.loader import PackError, Rule, load_ruleset, profiles

RULESET = load_ruleset()
PROFILES = {name: load_ruleset(name) for name in profiles()}


def _cases() -> list[Any]:
    cases = []
    for name, ruleset in PROFILES.items():
        for rule in ruleset.rules:
            examples = rule.definition.examples
            for index, example in enumerate(examples.pass_):
                cases.append(pytest.param(name, rule, example, False, id=f"{name}:{rule.id}-pass-{index}"))
            for index, example in enumerate(examples.fail):
                cases.append(pytest.param(name, rule, example, True, id=f"{name}:{rule.id}-fail-{index}"))
    return cases


def test_both_frameworks_are_shipped_and_wt2015_is_the_default() -> None:
    assert {"wt2015", "wt2023"} <= set(PROFILES)
    assert RULESET.profile == "wt2015"


@pytest.mark.parametrize(("profile", "rule", "example", "should_hit"), _cases())
def test_rule_examples(profile: str, rule: Rule, example: dict[str, Any], should_hit: bool) -> None:
    """Each example checked as a referral, as `scrqm check` and `scrqm test-rules` check it."""
    text = example_text(example)
    result = check_example(PROFILES[profile], rule, example)
    assert result.verdict != "invalid", result.findings
    own = [f for f in result.findings if f.rule == rule.id]
    assert bool(own) is should_hit, result.findings
    for finding in own:  # the rule's own finding, stamped by the engine, at a line of the referral
        assert (finding.severity, finding.question, finding.group) == (
            rule.severity, rule.definition.question, rule.definition.group)
        assert 1 <= finding.line <= len(text.splitlines()), (finding, text)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_rule_has_a_failing_and_a_passing_example(name: str) -> None:
    for rule in PROFILES[name].rules:
        assert rule.definition.examples.fail, rule.id
        assert rule.definition.examples.pass_, rule.id


def test_every_registered_check_is_used_by_a_shipped_profile() -> None:
    used = {rule.definition.check for ruleset in PROFILES.values() for rule in ruleset.rules}
    assert used == set(CHECKS)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_questions_are_the_markers_three_in_the_markers_words(name: str) -> None:
    questions = PROFILES[name].questions
    assert list(questions) == ["QM1.1", "QM1.2", "QM1.3"]
    for qid, question in questions.items():
        assert " ".join(question.text.split()) == " ".join(RULESET.questions[qid].text.split())
    assert questions["QM1.3"].text == "Are there explanations for any delays in the referral?"


def test_wt2023_guidance_cites_the_current_framework() -> None:
    questions = PROFILES["wt2023"].questions
    assert "section 16C" in (questions["QM1.2"].how_to_know or "")
    assert "regulation 11" in (questions["QM1.2"].how_to_know or "")
    assert "15 working days" in (questions["QM1.3"].how_to_know or "")
    assert PROFILES["wt2023"].thresholds["notification_working_days"] == 5
    assert PROFILES["wt2023"].thresholds["rapid_review_working_days"] == 15


def test_a_threshold_of_another_profile_is_accepted_and_ignored() -> None:
    # A board's configuration may set thresholds for every profile its referrals use.
    ruleset = load_ruleset("wt2015", thresholds={"rapid_review_working_days": 10, "late_after_working_days": 3})
    assert "rapid_review_working_days" not in ruleset.thresholds
    assert ruleset.thresholds["late_after_working_days"] == 3
    strict = load_ruleset("wt2023", thresholds={"rapid_review_working_days": 10})
    rule = strict.rule("QM1.3-rapid-review-late-unexplained")
    assert rule is not None and rule.options.threshold == 10  # type: ignore[attr-defined]


def test_thresholds_can_be_overridden() -> None:
    strict = load_ruleset(thresholds={"late_after_working_days": 2})
    rule = strict.rule("QM1.3-delay-unexplained")
    assert rule is not None and rule.options.threshold == 2  # type: ignore[attr-defined]


def test_unknown_threshold_override_is_a_pack_error() -> None:
    with pytest.raises(PackError, match="unknown threshold late_days"):
        load_ruleset(thresholds={"late_days": 2})


def test_unknown_profile() -> None:
    with pytest.raises(PackError, match="unknown profile 'wt1999'"):
        load_ruleset("wt1999")


PACK_HEAD = "pack: local\nprofile: local\ntitle: Local\ngroups: {local: Local}\nrules:\n"


@pytest.mark.parametrize(
    ("rule_yaml", "expected"),
    [
        ("  - {id: L-1, question: QM1.1, severity: fail, title: T, check: nope, message: m, fix: f}\n",
         r"local\.yaml:6:5: rule pack: .*unknown check function `nope`"),
        ("  - {id: L-1, question: QM1.1, severity: fatal, title: T, check: missing, message: m, fix: f}\n",
         r"local\.yaml:6:.*severity"),
        ("  - id: L-1\n    question: QM1.1\n    severity: warn\n    title: T\n    check: missing\n"
         "    options: {field: rationale, colour: red}\n    message: m\n    fix: f\n",
         r"local\.yaml:11:\d+: rule L-1: options of `missing`: `colour` is not a field"),
        ("  - {id: L-1, question: QM1.1, severity: warn, title: T, check: missing, options: {field: rationale},"
         " message: 'words {words}', fix: f}\n",
         r"rule L-1: the message uses \{words\}, which check `missing` does not give"),
        ("  - {id: L-1, question: QM9.9, severity: warn, title: T, check: missing, options: {field: rationale},"
         " message: m, fix: f}\n",
         r"unknown question `QM9.9`"),
        ("  - {id: L-1, question: QM1.1, severity: warn, title: T, check: word_count,"
         " options: {field: rationale, below: $nothing}, message: m, fix: f}\n",
         r"unknown threshold `nothing`"),
    ],
)
def test_bad_pack_is_an_error_with_its_line(tmp_path: Path, rule_yaml: str, expected: str) -> None:
    (tmp_path / "local.yaml").write_text(PACK_HEAD + rule_yaml, encoding="utf-8")
    with pytest.raises(PackError, match=expected):
        load_ruleset(extra_dirs=[tmp_path])


def test_duplicate_rule_id_across_packs(tmp_path: Path) -> None:
    (tmp_path / "local.yaml").write_text(
        PACK_HEAD + "  - {id: QM1.1-rationale-missing, question: QM1.1, severity: warn, title: T,"
        " check: missing, options: {field: rationale}, message: m, fix: f}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="defined twice"):
        load_ruleset(extra_dirs=[tmp_path])


def test_engine_stamps_id_and_severity_from_the_rule() -> None:
    rule = RULESET.rule("QM1.1-rationale-missing")
    assert rule is not None
    referral = Referral.model_validate({"format": "scrqm/referral@1"})
    [finding] = run_rules(referral, [rule], Context(today=dt.date(2020, 1, 1)))
    assert (finding.rule, finding.severity, finding.question) == ("QM1.1-rationale-missing", "fail", "QM1.1")


def test_rules_page_matches_the_packs() -> None:
    from conftest import ROOT

    from scrqm.teach.rulespage import render_markdown

    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == render_markdown(list(PROFILES.values())), "regenerate: python -m scrqm.teach.rulespage > docs/rules.md"
    for ruleset in PROFILES.values():
        assert f"Profile `{ruleset.profile}`" in page
        assert all(f"`{rule.id}`" in page for rule in ruleset.rules)


@pytest.mark.parametrize("digits", ["\u00b2", "\u2460", "\u0663"])  # superscript two, circled one, Arabic-Indic three
def test_only_ascii_digits_index_a_list(digits: str) -> None:
    """`str.isdigit` takes "²" and "①", which `int` refuses: a path or an age written with them is
    simply not an index or a number, never a crash or a Python message."""
    from scrqm.load.document import load_text
    from scrqm.shape.model import get_field, model_at
    from scrqm.shape.validate import validate

    assert model_at(f"agencies.{digits}.name") is False and model_at("agencies.0.name") is True
    referral = validate(Referral, load_text("format: scrqm/referral@1\nagencies:\n  - name: GP\n"))
    assert isinstance(referral, Referral)
    assert get_field(referral, f"agencies.{digits}.name") is None and get_field(referral, "agencies.0.name") == "GP"
    issues = validate(Referral, load_text(f"format: scrqm/referral@1\nchild:\n  age: '{digits}'\n"))
    assert isinstance(issues, list) and "whole years from 0 to 17" in issues[0].message
    assert "int()" not in issues[0].message
