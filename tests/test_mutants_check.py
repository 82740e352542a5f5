"""Tests written against mutants of the rule engine that survived scripts/mutate.py.

Modules: check.engine, check.functions, check.waivers, check.builtins and result.
Each test pins behaviour that RULES-QM1.md, FORMAT.md or a docstring describes,
and that a one-token change to one of those modules got past the suite.
Everything runs in-process, in milliseconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

from scrqm.check.engine import facts, run_rules, stamp_builtin
from scrqm.check.functions import Context
from scrqm.load.document import load_text
from scrqm.packs.loader import RuleSet
from scrqm.result import Finding, FileResult
from scrqm.shape.model import Referral

from conftest import GOOD_TEXT

Check = Callable[..., FileResult]
TODAY = dt.date(2026, 11, 26)
ACRONYM = "QM1.1-acronym-unexpanded"


def _referral(text: str) -> Referral:
    return Referral.model_validate(load_text(text).data)


def _with_rationale(block: str) -> str:
    start = GOOD_TEXT.index("rationale: >")
    end = GOOD_TEXT.index("supporting_information:")
    return GOOD_TEXT[:start] + block + "\n" + GOOD_TEXT[end:]


# ------------------------------------------------------------ check.engine


def test_run_rules_quotes_the_referral_unless_asked_to_redact(ruleset: RuleSet) -> None:
    text = _with_rationale(
        "rationale: >\n"
        "  Child F died after an injury the hospital believes inflicted; abuse is suspected,\n"
        "  the statutory criteria are met, and the MARAC had heard of the family twice.\n"
    )
    document = load_text(text)
    referral = Referral.model_validate(document.data)
    rules = [r for r in ruleset.rules if r.id == ACRONYM]
    context = Context(today=TODAY, document=document)
    [plain] = run_rules(referral, rules, context)
    assert "MARAC" in plain.message and plain.rule == ACRONYM
    [hidden] = run_rules(referral, rules, context, redact=True)
    assert "MARAC" not in hidden.message and "[redacted]" in hidden.message


def test_stamp_builtin_gives_the_builtin_rule_its_own_group_and_severity() -> None:
    finding = stamp_builtin("shape", line=4, column=7, message="not a date", field="referral.date", fix="write it")
    assert isinstance(finding, Finding)
    assert (finding.line, finding.column, finding.rule, finding.group, finding.question) == (4, 7, "shape", "shape", None)
    assert (finding.severity, finding.message, finding.field, finding.fix) == ("fail", "not a date", "referral.date",
                                                                              "write it")


def test_a_rule_set_without_a_delay_fact_shows_no_figures(ruleset: RuleSet) -> None:
    referral = _referral(GOOD_TEXT)
    assert facts(referral, ruleset)["delay_working_days"] == 2
    assert facts(referral, dataclasses.replace(ruleset, facts={})) == {}


# ------------------------------------------------------------ result


from scrqm.result import Edit, Fix, at_or_above, fails, invalid, judge, summarise, verdict_of, worst  # noqa: E402


def _f(rule: str, severity: Any, *, line: int = 1, question: str | None = None, group: str | None = None,
       waived: bool = False) -> Finding:
    return Finding(line=line, column=1, rule=rule, severity=severity, message="m", question=question, group=group,
                   waived=waived)


def test_a_finding_with_an_autofix_keeps_it_in_its_dict() -> None:
    fix = Fix("write the date as YYYY-MM-DD", (Edit(2, 7, 2, 17, "2016-03-14"), Edit(3, 1, 3, 1, "")))
    finding = Finding(2, 7, "shape", "fail", "m", autofix=fix)
    data = finding.to_dict()
    assert data["autofix"] == {"message": "write the date as YYYY-MM-DD", "edits": [
        {"line": 2, "column": 7, "end_line": 2, "end_column": 17, "content": "2016-03-14"},
        {"line": 3, "column": 1, "end_line": 3, "end_column": 1, "content": ""}]}
    assert Finding.from_dict(data).autofix == fix
    assert Finding.from_dict(Finding(1, 1, "r", "warn", "m").to_dict()).autofix is None


def test_a_group_verdict_is_none_for_a_file_that_could_not_be_judged() -> None:
    assert invalid("a.yaml", [_f("load", "fail")]).group_verdict("privacy") is None
    judged = judge("a.yaml", [_f("p", "warn", group="privacy")], questions=["QM1.1"])
    assert judged.group_verdict("privacy") == "warn"
    assert judged.group_verdict("waivers") == "pass"


def test_worst_ranks_verdicts_and_counts_info_as_pass() -> None:
    assert worst([]) == "pass"
    assert worst(["info"]) == "pass"
    assert worst(["info", "warn"]) == "warn"
    assert worst(["fail", "warn", "pass"]) == "fail"
    assert worst(["pass", "invalid", "fail"]) == "invalid"


def test_a_waived_finding_does_not_lower_a_verdict() -> None:
    assert verdict_of([_f("a", "fail", waived=True), _f("b", "warn")]) == "warn"
    assert verdict_of([_f("a", "fail", waived=True)]) == "pass"
    assert verdict_of([_f("a", "fail"), _f("b", "warn", waived=True)]) == "fail"


def test_judge_gives_a_verdict_per_question_and_per_group_of_question_less_findings() -> None:
    findings = [
        _f("q2", "warn", line=5, question="QM1.2", group="g-question"),
        _f("q1", "fail", line=3, question="QM1.1"),
        _f("p", "warn", line=9, group="privacy"),
        _f("w", "info", line=1, group="waivers"),
        _f("none", "fail", line=2),
    ]
    result = judge("r.yaml", findings, questions=["QM1.1", "QM1.2", "QM1.3"], facts={"delay_working_days": 3})
    assert result.questions == {"QM1.1": "fail", "QM1.2": "warn", "QM1.3": "pass"}
    assert result.groups == {"privacy": "warn", "waivers": "pass"}  # a question's group is not a group here
    assert result.verdict == "fail"
    assert [f.line for f in result.findings] == [1, 2, 3, 5, 9]
    assert result.facts == {"delay_working_days": 3}
    assert judge("r.yaml", [], questions=["QM1.1"]).facts == {}
    only_group = judge("r.yaml", [_f("p", "warn", group="privacy")], questions=["QM1.1"])
    assert (only_group.verdict, only_group.questions) == ("warn", {"QM1.1": "pass"})


def test_an_invalid_result_has_its_findings_sorted_and_no_questions() -> None:
    result = invalid("r.yaml", [_f("b", "fail", line=7), _f("a", "fail", line=2)], io_error=True)
    assert (result.verdict, result.questions, result.io_error) == ("invalid", None, True)
    assert [f.line for f in result.findings] == [2, 7]
    assert invalid("r.yaml", []).io_error is False


def test_summarise_counts_files_by_verdict() -> None:
    results = [judge("a", [_f("x", "fail", question="Q")], questions=["Q"]), judge("b", [], questions=["Q"]),
               judge("c", [_f("x", "fail", question="Q")], questions=["Q"]), invalid("d", [])]
    assert summarise(results) == {"files": 4, "pass": 1, "warn": 0, "fail": 2, "invalid": 1}
    assert summarise([]) == {"files": 0, "pass": 0, "warn": 0, "fail": 0, "invalid": 0}


def test_fail_on_fails_at_or_above_the_threshold() -> None:
    assert fails("warn", "warn") and fails("fail", "warn") and fails("invalid", "fail")
    assert not fails("warn", "fail") and not fails("pass", "warn") and not fails("info", "warn")
    assert at_or_above("info", "pass") and at_or_above("pass", "info")


def test_a_file_result_round_trips_through_its_dict() -> None:
    result = judge("r.yaml", [_f("q1", "fail", question="QM1.1"), _f("p", "warn", group="privacy")],
                   questions=["QM1.1"], facts={"delay_working_days": 4})
    result.profile = "wt2015"
    data = result.to_dict()
    assert data["path"] == "r.yaml" and data["profile"] == "wt2015" and data["verdict"] == "fail"
    again = FileResult.from_dict(data)
    assert again.to_dict() == data
    assert (again.groups, again.facts, again.profile) == ({"privacy": "warn"}, {"delay_working_days": 4}, "wt2015")
    bare = {k: v for k, v in data.items() if k not in ("groups", "facts", "profile")}
    assert (FileResult.from_dict(bare).groups, FileResult.from_dict(bare).facts) == ({}, {})


def test_edits_and_fixes_are_immutable_values() -> None:
    import pytest

    edit = Edit(1, 2, 1, 4, "x")
    fix = Fix("m", (edit,))
    assert hash(edit) == hash(Edit(1, 2, 1, 4, "x")) and hash(fix) == hash(Fix("m", (Edit(1, 2, 1, 4, "x"),)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        edit.content = "y"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fix.message = "n"  # type: ignore[misc]


def test_an_autofix_does_not_change_a_findings_equality_or_order() -> None:
    one = Finding(2, 7, "shape", "fail", "m", autofix=Fix("a", (Edit(2, 7, 2, 8, "x"),)))
    other = Finding(2, 7, "shape", "fail", "m", autofix=Fix("b", ()))
    assert one == other and hash(one) == hash(other)
    assert one == Finding(2, 7, "shape", "fail", "m")
    assert sorted([one, other, Finding(1, 1, "load", "fail", "m", autofix=Fix("c", ()))])[0].rule == "load"


def test_what_a_run_observed_is_not_part_of_a_file_result() -> None:
    a = FileResult("r.yaml", "pass", {}, [], observed={"kept": 1})
    b = FileResult("r.yaml", "pass", {}, [], observed=object())
    assert a == b
    assert "observed" not in repr(a) and "kept" not in repr(a)
