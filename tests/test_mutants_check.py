"""Tests written against mutants of the rule engine that survived scripts/mutate.py.

Modules: check.engine, check.functions, check.waivers, check.builtins and result.
Each test pins behaviour that RULES-QM1.md, FORMAT.md or a docstring describes,
and that a one-token change to one of those modules got past the suite.
Everything runs in-process, in milliseconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pydantic
import pytest

from scrqm.check import functions as fn
from scrqm.check.builtins import BUILT_INS
from scrqm.check.engine import facts, run_rules, stamp_builtin
from scrqm.check.functions import Condition, Context, FillerSpec, Hit, MissingOptions, _column_at, _line_at
from scrqm.check.waivers import apply_waivers, in_force, reasoned
from scrqm.judge.workdays import working_days_after
from scrqm.load.document import load_text
from scrqm.packs.loader import RuleSet
from scrqm.result import Edit, FileResult, Finding, Fix, at_or_above, fails, invalid, judge, summarise, verdict_of, worst
from scrqm.shape.model import Referral, Waiver

from conftest import GOOD_2023, GOOD_TEXT
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


# ------------------------------------------------------------ check.waivers


def test_a_waiver_counts_only_with_a_real_reason() -> None:
    assert reasoned(Waiver(rule="r", reason="Agreed with the board on 3 May."))
    assert not reasoned(Waiver(rule="r", reason="TBC"))  # written, but a placeholder
    assert not reasoned(Waiver(rule="r", reason="   "))
    assert not reasoned(Waiver(rule="r"))


def test_waivers_in_force_skip_the_unreasoned_and_keep_the_first_reason() -> None:
    waivers = [
        Waiver(reason="no rule named"),
        Waiver(rule="QM1.2-x"),
        Waiver(rule="QM1.3-y", reason="TBC"),
        Waiver(rule="  QM1.1-z ", reason="  The board\n agreed   it. "),
        Waiver(rule="QM1.1-z", reason="A second reason."),
    ]
    assert in_force(waivers) == {"QM1.1-z": "The board agreed it."}
    assert in_force(None) == {} and in_force([]) == {}


def test_apply_waivers_marks_the_waived_rules_findings_and_keeps_every_finding() -> None:
    findings = [_f("a", "fail", line=1), _f("b", "warn", line=2), _f("a", "fail", line=3)]
    waivers = [Waiver(rule="a", reason="Agreed by the panel.")]
    marked = apply_waivers(findings, waivers)
    assert [(f.rule, f.waived, f.waiver_reason) for f in marked] == [
        ("a", True, "Agreed by the panel."), ("b", False, None), ("a", True, "Agreed by the panel.")]
    redacted = apply_waivers(findings, waivers, redacted="[redacted]")
    assert [(f.waived, f.waiver_reason) for f in redacted] == [(True, "[redacted]"), (False, None), (True, "[redacted]")]
    assert apply_waivers(findings, None) == findings
    assert apply_waivers(findings, [Waiver(rule="a", reason="TBC")]) == findings
    assert not any(f.waived for f in apply_waivers(findings, [Waiver(rule="a", reason="TBC")]))


# ------------------------------------------------------------ check.builtins


def test_the_built_in_rules_are_fixed_values() -> None:

    assert sorted(BUILT_INS) == ["io", "load", "shape"]
    assert all(b.severity == "fail" for b in BUILT_INS.values())
    assert len({BUILT_INS["load"], BUILT_INS["shape"], BUILT_INS["load"]}) == 2  # hashable
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUILT_INS["io"].severity = "warn"  # type: ignore[misc]


# ------------------------------------------------------------ check.functions


REPEATED = "Fine. Fine. Fine. Fine. Fine."  # filler: the same sentence five times


def _context(text: str | None = None, **kwargs: Any) -> Context:
    return Context(today=TODAY, document=None if text is None else load_text(text), **kwargs)


def _filler_context(*fields: str, **spec: Any) -> Context:
    return Context(today=TODAY, filler=FillerSpec(fields=list(fields), **spec))


def _good(**replace: str) -> Referral:
    """The exemplary referral with each `old` text replaced by `new` (once)."""
    text = GOOD_TEXT
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return _referral(text)


def test_a_field_state_says_how_it_fails_to_answer() -> None:
    plain = _context()
    assert plain.state("rationale", None) == "missing"
    assert plain.state("rationale", "  ") == "missing"
    assert plain.state("rationale", "TBC") == "a placeholder"
    assert plain.state("rationale", REPEATED) is None  # no filler spec: filler is an answer
    judged = _filler_context("rationale")
    assert judged.state("rationale", REPEATED) == "filler (the same sentence appears 5 times)"
    assert _filler_context("rationale").state("rationale", "Details to follow. Chronology TBC.") == "a placeholder"
    assert judged.state("summary", REPEATED) is None  # not a field the pack judges
    assert judged.filler_of("rationale", ["Fine."] * 5) is None  # not text
    assert _filler_context("rationale").state("rationale", "It is on.") is None  # content words not asked for
    assert _filler_context("rationale", content_words={"rationale": 1}).state("rationale", "It is on.") == (
        "filler (it has only 0 different content words (fewer than 1))")
    # a field's text is judged once per file (the context is the file's): the first answer is kept
    assert judged.state("rationale", "It is a real answer about the family.") == judged.state("rationale", REPEATED)


def test_a_condition_without_a_context_still_judges_unanswered() -> None:
    unanswered = Condition.model_validate({"field": "involvement", "unanswered": True})
    referral = _good()
    agency = referral.agencies[0]  # type: ignore[index]
    assert unanswered.holds(agency) is False
    blank = agency.model_copy(update={"involvement": "TBC"})
    assert unanswered.holds(blank) is True
    any_tbc = Condition.model_validate({"any_item": {"list": "agencies", "where": {"field": "involvement",
                                                                                  "unanswered": True}}})
    assert any_tbc.holds(referral, _context()) is False
    assert any_tbc.holds(_good(**{"involvement: Emergency department and paediatric intensive care, 7 to 8 November 2016.":
                                  "involvement: TBC"}), _context()) is True


def test_missing_without_placeholder_counts_only_absence() -> None:
    options = MissingOptions(field="child.ethnicity", placeholder=False)
    assert list(fn.missing(_good(**{"ethnicity: White British": "ethnicity: TBC"}), options, _context())) == []
    assert list(fn.missing(_good(**{"ethnicity: White British": "ethnicity: ''"}), options, _context())) == [
        Hit("child.ethnicity", {"state": "missing"})]
    with_placeholder = MissingOptions(field="child.ethnicity")
    assert list(fn.missing(_good(**{"ethnicity: White British": "ethnicity: TBC"}), with_placeholder, _context())) == [
        Hit("child.ethnicity", {"state": "a placeholder"})]
    assert list(fn.missing(_good(), with_placeholder, _context())) == []


def test_line_at_finds_the_line_of_a_sentence_in_the_file() -> None:
    text = ("rationale: >\n"
            "  First sentence here. Second\n"
            "  sentence there.\n")
    document = load_text(text)
    value = "First sentence here. Second sentence there."
    assert _line_at(document, "rationale", value, 0) == 2
    assert _line_at(document, "rationale", value, value.index("Second")) == 2
    assert _line_at(document, "rationale", value, value.index("there")) == 3
    assert _line_at(None, "rationale", value, 0) is None
    assert _line_at(document, "summary", value, 0) is None  # not written in the file
    assert _line_at(document, "rationale", value + " ...", len(value) + 1) is None  # no words from there
    assert _line_at(document, "rationale", "Not in the file.", 0) is None
    assert _column_at(document, 3, "sentence there.") == 3
    assert _column_at(document, 2, "... Second sentence") == 24
    assert _column_at(None, 3, "sentence there.") == 1
    assert _column_at(document, 9, "sentence there.") == 1  # past the end of the file
    assert _column_at(document, 2, "...") == 1  # no word to look for
    assert _column_at(document, 2, "absent words") == 1


def _match(referral: Referral, at: str, context: Context | None = None) -> list[Hit]:
    options = fn.MatchOptions(at=at, when=Condition.model_validate({"field": "criteria.statutory", "equals": "met"}))
    return list(fn.match(referral, options, context or _context()))


def test_match_quotes_only_the_referrals_own_words() -> None:
    assert _match(_good(), "criteria.statutory") == [Hit("criteria.statutory", {"value": "met"}, frozenset({"value"}))]
    absent = _good(**{"ethnicity: White British": "ethnicity: ''"})
    assert _match(absent, "child.ethnicity") == [
        Hit("child.ethnicity", {"value": "absent"}, frozenset(), redacted={"value": "absent"})]
    tbc = _good(**{"ethnicity: White British": "ethnicity: TBC"})
    assert _match(tbc, "child.ethnicity") == [
        Hit("child.ethnicity", {"value": "a placeholder ('TBC')"}, frozenset({"value"}),
            redacted={"value": "a placeholder"})]
    filler = _good(**{"ethnicity: White British": f"ethnicity: {REPEATED}"})
    assert _match(filler, "child.ethnicity", _filler_context("child.ethnicity")) == [
        Hit("child.ethnicity", {"value": "filler (the same sentence appears 5 times)"}, frozenset(),
            redacted={"value": "filler (the same sentence appears 5 times)"})]
    assert _match(filler, "child.ethnicity") == [Hit("child.ethnicity", {"value": REPEATED}, frozenset({"value"}))]
    not_met = _good(**{"statutory: met": "statutory: not_met"})
    assert _match(not_met, "criteria.statutory") == []


def test_shown_without_a_context() -> None:
    assert fn._shown(None) == "absent"
    assert fn._shown(" TBC ") == "a placeholder ('TBC')"
    assert fn._shown(REPEATED) == REPEATED
    assert fn._shown(3) == "3"


# ------------------------------------------------------------ delays and clocks


TEXT_2023 = GOOD_2023.read_text(encoding="utf-8")
HELD = "  date: 2024-03-22                 # held\n"
SENT = "  sent_date: 2024-03-25            # sent to the Panel, 12 working days after the notification\n"
NOT_MET = {"field": "criteria.notification", "equals": "not_met"}


def _wt2023(*drop: str, **replace: str) -> Referral:
    text = TEXT_2023
    for line in drop:
        assert line in text
        text = text.replace(line, "", 1)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return _referral(text)


def _overdue(referral: Referral, today: dt.date = TODAY, **options: Any) -> list[Hit]:
    settings: dict[str, Any] = {"start": ["notification.date"], "end": "rapid_review.sent_date",
                                "fallback": "rapid_review.date", "threshold": 15, "unless": NOT_MET, **options}
    return list(fn.overdue(referral, fn.OverdueOptions.model_validate(settings), Context(today=today)))


def test_overdue_counts_working_days_to_today_when_no_step_is_recorded() -> None:
    neither = _wt2023(HELD, SENT)
    notified = dt.date(2024, 3, 7)
    [hit] = _overdue(neither)
    assert hit.field == "rapid_review.sent_date"
    assert hit.params == {"elapsed": working_days_after(notified, TODAY), "threshold": 15,
                          "end": "rapid_review.sent_date", "start": "the notification",
                          "start_field": "notification.date"}
    # 15 working days after Thu 2024-03-07 is Thu 2024-03-28: due that day, overdue the next
    assert working_days_after(notified, dt.date(2024, 3, 28)) == 15
    assert _overdue(neither, dt.date(2024, 3, 28)) == []
    assert _overdue(neither, dt.date(2024, 3, 29)) == []  # Good Friday and Easter Monday are no working days
    assert [h.params["elapsed"] for h in _overdue(neither, dt.date(2024, 4, 2))] == [16]
    assert _overdue(_wt2023(HELD)) == []  # sent: not overdue
    assert _overdue(_wt2023(SENT)) == []  # held: the delay rules judge it, not this one
    assert _overdue(_wt2023(SENT), fallback=None) != []
    # no clock runs where the duty does not apply
    assert _overdue(_wt2023(HELD, SENT, **{"  notification: met": "  notification: not_met"})) == []
    assert _overdue(_wt2023(HELD, SENT, **{"  notification: met": "  notification: not_met"}), unless=None) != []
    assert _overdue(neither, start=["rapid_review.date"]) == []  # no start date: nothing to count from


def _delay(referral: Referral, **options: Any) -> list[Hit]:
    settings: dict[str, Any] = {"start": ["incident.aware_date", "incident.date"], "end": "referral.date",
                                "threshold": 5, "explanation": "delay.explanation", "when": "unexplained", **options}
    return list(fn.delay(referral, fn.DelayOptions.model_validate(settings), _context()))


def test_no_delay_is_reported_where_no_clock_runs() -> None:
    late = _good(**{"date: 2016-11-10": "date: 2016-11-30"})
    [hit] = _delay(late)
    assert hit.params["delay"] == 16 and hit.params["state"] == "missing"
    statutory_met = {"field": "criteria.statutory", "equals": "met"}
    assert _delay(late, unless=statutory_met) == []
    assert len(_delay(late, unless={"field": "criteria.statutory", "equals": "not_met"})) == 1


# ------------------------------------------------------------ identifiers

NHS = "943 476 5919"  # the NHS's own published test number: passes modulus 11


def test_identifiers_are_found_in_the_referral_without_a_file() -> None:
    referral = _good(**{"reference: Child F": f"reference: Child F {NHS}",
                        "  - Brambleway Day Nursery": "  - Brambleway Day Nursery, someone@example.org"})
    hits = list(fn.identifiers(referral, fn.IdentifierOptions(kinds=["nhs_number", "email"]), _context()))
    assert sorted((h.field, h.params["kind"]) for h in hits) == [
        ("child.reference", "an NHS number"), ("institutions.0", "an email address")]


def _acronyms(rationale: str) -> list[str]:
    referral = _good(**{"rationale: >": "rationale: >\n  " + rationale + "\n"})
    hits = fn.unexpanded_acronyms(referral, fn.AcronymOptions(field="rationale"), _context())
    return [h.params["acronym"] for h in hits]


def test_an_acronym_inside_an_identifier_is_not_named() -> None:
    assert _acronyms("The family lived at SW1A 1AA, and the MARAC heard of it.") == ["MARAC"]
    assert _acronyms("The family lived at SW1A 1AA MARAC heard of it.") == ["MARAC"]  # just after one
    assert _acronyms("His number JG 10 37 54 A was known to the MARAC.") == ["MARAC"]
    assert _acronyms("The MARAC heard of it.") == ["MARAC"]


# ------------------------------------------------------------ conditions


def test_a_condition_is_exactly_one_kind_with_exactly_one_test() -> None:

    with pytest.raises(pydantic.ValidationError, match="exactly one of: field"):
        Condition.model_validate({"field": "a", "equals": 1, "all": []})
    with pytest.raises(pydantic.ValidationError, match="exactly one of: field"):
        Condition.model_validate({})
    with pytest.raises(pydantic.ValidationError, match="needs exactly one of equals"):
        Condition.model_validate({"field": "a", "equals": 1, "absent": True})
    with pytest.raises(pydantic.ValidationError, match="needs exactly one of equals"):
        Condition.model_validate({"field": "a"})
    assert Condition.model_validate({"all": []}).all == []


def _holds(condition: dict[str, Any], referral: Referral | None = None) -> bool:
    return Condition.model_validate(condition).holds(referral or _good(), _context())


def test_conditions_combine_as_all_any_and_not() -> None:
    met = {"field": "criteria.statutory", "equals": "met"}
    not_met = {"field": "criteria.statutory", "equals": "not_met"}
    assert _holds(met) and not _holds(not_met)
    assert not _holds({"not": met}) and _holds({"not": not_met})
    assert _holds({"all": [met, {"not": not_met}]}) and not _holds({"all": [met, not_met]})
    assert _holds({"any": [not_met, met]}) and not _holds({"any": [not_met, {"not": met}]})
    assert _holds({"all": []}) and not _holds({"any": []})
    assert _holds({"field": "criteria.statutory", "in": ["not_met", "met"]})
    assert not _holds({"field": "criteria.statutory", "in": ["not_met"]})
    assert _holds({"field": "delay.explanation", "absent": True})
    assert not _holds({"field": "delay.explanation", "absent": False})
    assert _holds({"field": "rationale", "unanswered": False})
    assert _holds({"field": "delay.explanation", "unanswered": True})
    assert _holds({"field": "child.looked_after", "equals": False})


def test_a_check_runs_before_the_waivers_unless_registered_after_them() -> None:
    spec = fn.CheckSpec("c", fn.missing, MissingOptions, "", frozenset())  # type: ignore[arg-type]
    assert spec.after_waivers is False
    assert fn.CHECKS["missing"].after_waivers is False and fn.CHECKS["waiver_unused"].after_waivers is True


# ------------------------------------------------------------ the documented option defaults

ENGLISH = ("family moved house last spring school noticed attendance fell while mother worked nights "
           "local care home near river where several neighbours heard shouting late most evenings during "
           "winter before police finally visited child often seemed tired hungry teachers raised concerns "
           "twice doctor recorded bruises social worker planned another visit soon after birthday party").split()
GIBBERISH = [f"zq{c}{d}x" for c in "bcdfghjklmnp" for d in "vwyz"]


def _filler(text: str, **spec: Any) -> str | None:
    return _filler_context("rationale", **spec).state("rationale", text)


def test_filler_by_repetition_is_more_than_half_the_words_by_default() -> None:
    half = " ".join(["Fine."] * 50 + ENGLISH[:50]) + "."
    assert _filler(half) is None  # 50 per cent is not more than 50
    assert _filler(half, repeated_percent=49) == "filler (the same sentence appears 50 times)"
    over = " ".join(["Fine."] * 51 + ENGLISH[:49]) + "."
    assert _filler(over) == "filler (the same sentence appears 51 times)"
    assert _filler(over, repeated_percent=51) is None


def test_filler_by_foreign_words_is_more_than_half_of_those_checked_by_default() -> None:
    half = " ".join(ENGLISH[:40] + GIBBERISH[:40]) + "."
    assert _filler(half) is None
    assert _filler(half, not_english_percent=49) == "filler (most of its words are not English: 40 of the 80 checked)"
    over = " ".join(ENGLISH[:40] + GIBBERISH[:41]) + "."
    assert _filler(over) == "filler (most of its words are not English: 41 of the 81 checked)"
    assert _filler(over, not_english_percent=51) is None


def _sentence(i: int, changed: int = 0) -> str:
    words = [f"w{i}{letter}" for letter in "abcdefgh"]  # eight words, none shared with another sentence
    return " ".join(words[:8 - changed] + [f"new{i}{k}" for k in range(changed)]) + "."


def _overlap(mine: list[str], theirs: list[str], **options: Any) -> list[Hit]:
    referral = _good().model_copy(update={"rationale": " ".join(mine), "working_together_concerns": " ".join(theirs)})
    settings = fn.OverlapOptions(field="rationale", other="working_together_concerns", **options)
    return list(fn.overlap(referral, settings, _context()))


def test_overlap_is_more_than_half_the_sentences_by_default() -> None:
    half = [_sentence(1), _sentence(2)]
    assert _overlap(half, [_sentence(1)]) == []
    [hit] = _overlap(half, [_sentence(1)], more_than_percent=49)
    assert hit.params == {"repeated": 1, "sentences": 2, "lines": "sentences 1", "other": "working_together_concerns"}
    # 26 of 51 sentences: just over half
    many = [_sentence(i) for i in range(51)]
    [hit] = _overlap(many, many[:26])
    assert (hit.params["repeated"], hit.params["sentences"]) == (26, 51)
    assert _overlap(many, many[:26], more_than_percent=51) == []
    assert [h.params["lines"] for h in _overlap(half, half)] == ["sentences 1 and 2"]


def test_overlapping_sentences_may_differ_in_two_words_by_default() -> None:
    assert len(_overlap([_sentence(1)], [_sentence(1, changed=2)])) == 1
    assert _overlap([_sentence(1)], [_sentence(1, changed=2)], changed_words=1) == []
    assert _overlap([_sentence(1)], [_sentence(1, changed=3)]) == []
    assert len(_overlap([_sentence(1)], [_sentence(1, changed=3)], changed_words=3)) == 1


def test_and_names_one_item_alone_and_the_last_after_and() -> None:
    assert fn._and([3]) == "3"
    assert fn._and([3, 5]) == "3 and 5"
    assert fn._and([1, 2, 3]) == "1, 2 and 3"


# ------------------------------------------------------------ positions searched from where the value starts


def test_a_word_is_looked_for_from_the_first_character_of_its_value() -> None:
    text = ("summary: the notes of the old MARAC and CAMHS\n"
            "rationale: MARAC met, the CAMHS\n"
            "  team and the MARAC again.\n")
    document = load_text(text)
    assert fn._written_at(document, "rationale", "MARAC") == (2, 12)  # not the earlier line, not the later one
    assert fn._written_at(document, "rationale", "CAMHS") == (2, 27)
    value = "MARAC met, the CAMHS team and the MARAC again."
    assert _line_at(document, "rationale", value, 0) == 2
    assert _line_at(document, "rationale", value, value.index("the CAMHS")) == 2
    assert _line_at(document, "rationale", value, value.index("team")) == 3


def test_hits_and_check_specs_are_immutable() -> None:

    hit = Hit("rationale", {"acronym": "MARAC"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.field = "summary"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fn.CHECKS["missing"].after_waivers = True  # type: ignore[misc]


def test_option_percentages_and_counts_are_bounded() -> None:

    for name in ("repeated_percent", "not_english_percent"):
        assert getattr(FillerSpec.model_validate({"fields": [], name: 0}), name) == 0
        assert getattr(FillerSpec.model_validate({"fields": [], name: 100}), name) == 100
        for wrong in (-1, 101):
            with pytest.raises(pydantic.ValidationError):
                FillerSpec.model_validate({"fields": [], name: wrong})
    assert FillerSpec(fields=[], repeats=2).repeats == 2
    with pytest.raises(pydantic.ValidationError):
        FillerSpec(fields=[], repeats=1)
    base = {"field": "rationale", "other": "incident.summary"}
    assert fn.OverlapOptions.model_validate({**base, "more_than_percent": 0, "changed_words": 0}).changed_words == 0
    assert fn.OverlapOptions.model_validate({**base, "more_than_percent": 100}).more_than_percent == 100
    for wrong in ({"more_than_percent": -1}, {"more_than_percent": 101}, {"changed_words": -1}):
        with pytest.raises(pydantic.ValidationError):
            fn.OverlapOptions.model_validate({**base, **wrong})


def test_options_and_filler_specs_cannot_be_changed_once_loaded() -> None:

    options = MissingOptions(field="rationale")
    assert hash(options) == hash(MissingOptions(field="rationale"))
    with pytest.raises(pydantic.ValidationError):
        options.placeholder = False  # type: ignore[misc]
    spec = FillerSpec(fields=["rationale"])
    with pytest.raises(pydantic.ValidationError):
        spec.repeats = 5  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        MissingOptions.model_validate({"field": "rationale", "unknown": 1})


def test_a_context_does_not_show_what_it_has_judged() -> None:
    context = _filler_context("rationale")
    context.state("rationale", REPEATED)
    assert "_judged" not in repr(context) and "same sentence" not in repr(context)


def test_a_late_rapid_review_names_the_step_its_delay_is_counted_to() -> None:
    options = {"start": ["notification.date"], "end": "rapid_review.sent_date", "fallback": "rapid_review.date",
               "threshold": 5, "explanation": "rapid_review.delay_explanation", "when": "unexplained"}
    sent = _wt2023()
    [hit] = list(fn.delay(sent, fn.DelayOptions.model_validate(options), _context()))
    assert (hit.params["end"], hit.params["delay"], hit.params["start"]) == ("sent to the Panel", 12, "the notification")
    held = _wt2023(SENT)
    [hit] = list(fn.delay(held, fn.DelayOptions.model_validate(options), _context()))
    assert (hit.params["end"], hit.params["delay"]) == ("held", 11)
    no_fallback = {**options, "fallback": None}
    assert list(fn.delay(held, fn.DelayOptions.model_validate(no_fallback), _context())) == []
    labelled = {**options, "start_labels": {"notification.date": "the Panel was told"}}
    [hit] = list(fn.delay(sent, fn.DelayOptions.model_validate(labelled), _context()))
    assert (hit.params["start"], hit.params["start_field"]) == ("the Panel was told", "notification.date")


def test_filler_counts_repetition_from_three_copies_by_default() -> None:
    assert _filler("Fine. Fine. Fine. Good.") == "filler (the same sentence appears 3 times)"
    assert _filler("Fine. Fine. Good.") is None
    assert _filler("Fine. Fine. Good.", repeats=2) == "filler (the same sentence appears 2 times)"


def test_positions_count_every_character_of_the_lines_before_the_value() -> None:
    comments = "".join(f"# note {i}\n" for i in range(40))
    text = comments + "# the MARAC met\nrationale: the MARAC met.\n"
    document = load_text(text)
    line = text.count("\n")
    assert fn._written_at(document, "rationale", "MARAC") == (line, 16)
    assert _line_at(document, "rationale", "the MARAC met.", 0) == line
    assert fn._written_at(load_text("\n\nrationale: the MARAC met.\n"), "rationale", "MARAC") == (3, 16)
    assert fn._written_at(load_text("\nrationale: the MARAC met.\n"), "rationale", "MARAC") == (2, 16)


def test_a_sentence_is_found_by_its_first_four_words() -> None:
    text = ("rationale: |\n"
            "  The police came today.\n"
            "  The police came back later.\n")
    value = "The police came today.\nThe police came back later.\n"
    assert _line_at(load_text(text), "rationale", value, value.index("The police came back")) == 3
    # a fifth word after an escape in a quoted value is not looked for
    quoted = 'rationale: "One two three four\\tfive six."\n'
    assert _line_at(load_text(quoted), "rationale", "One two three four\tfive six.", 0) == 1


def test_placeholder_sentences_are_numbered_from_one_and_point_at_their_line() -> None:
    text = _with_rationale("rationale: >\n"
                           "  Child F died after an injury that the hospital believes was inflicted.\n"
                           "  Further details TBC.\n")
    document = load_text(text)
    referral = Referral.model_validate(document.data)
    hits = list(fn.placeholder_sentences(referral, fn.SentencesOptions(field="rationale"), _context(text)))
    line = text.splitlines().index("  Further details TBC.") + 1
    assert [(h.params, h.position) for h in hits] == [({"number": 2, "line": line}, (line, 3))]
    without_file = list(fn.placeholder_sentences(referral, fn.SentencesOptions(field="rationale"), _context()))
    assert [(h.params, h.position) for h in without_file] == [({"number": 2, "line": "?"}, None)]


def test_a_condition_is_immutable_and_can_be_built_by_its_python_names() -> None:

    inside = Condition(field="criteria.statutory", in_=["met"])
    assert inside.holds(_good(), _context())
    assert not Condition(not_=inside).holds(_good(), _context())
    assert Condition.model_validate({"field": "criteria.statutory", "in_": ["met"]}) == inside
    with pytest.raises(pydantic.ValidationError):
        inside.field = "rationale"  # type: ignore[misc]
    item = fn.ItemCondition(list="agencies", where=inside)
    with pytest.raises(pydantic.ValidationError):
        item.list = "institutions"  # type: ignore[misc]


def test_a_date_before_1900_is_early_by_default() -> None:
    options = fn.EarlyOptions(fields=["incident.date"])
    early = _good(**{"date: 2016-11-07": "date: 1899-12-31"})
    assert list(fn.early_dates(early, options, _context())) == [
        Hit("incident.date", {"date": "1899-12-31", "earliest": "1900-01-01"}, frozenset({"date"}))]
    for fine in ("1900-01-01", "1900-01-02", "1900-02-01", "1900-12-31"):
        assert list(fn.early_dates(_good(**{"date: 2016-11-07": f"date: {fine}"}), options, _context())) == [], fine


def test_a_check_keeps_its_docstring_as_its_description() -> None:
    assert fn.CHECKS["missing"].doc.startswith("The field is absent (missing, blank, null, an empty list)")
    assert fn.CHECKS["delay"].doc == "The referral is late and the delay is not (well enough) explained."


def test_all_of_the_sentences_repeated_is_more_than_99_per_cent() -> None:
    assert len(_overlap([_sentence(1)], [_sentence(1)], more_than_percent=99)) == 1
    assert _overlap([_sentence(1)], [_sentence(1)], more_than_percent=100) == []


def test_a_sentence_line_counts_a_leading_blank_line() -> None:
    assert _line_at(load_text("\nrationale: The police came.\n"), "rationale", "The police came.", 0) == 2


def test_repeated_sentences_are_named_by_their_lines_in_the_file() -> None:
    def named(rationale_lines: list[str], concerns: str) -> tuple[int, list[str]]:
        text = _with_rationale("rationale: |\n" + "".join(f"  {line}\n" for line in rationale_lines))
        document = load_text(text)
        referral = Referral.model_validate(document.data).model_copy(update={"working_together_concerns": concerns})
        options = fn.OverlapOptions(field="rationale", other="working_together_concerns")
        first = text.splitlines().index("  " + rationale_lines[0]) + 1
        return first, [h.params["lines"] for h in fn.overlap(referral, options, _context(text))]

    first, lines = named([_sentence(1), _sentence(2), _sentence(3)], f"{_sentence(2)} {_sentence(3)}")
    assert lines == [f"lines {first + 1} and {first + 2}"]
    first, lines = named([_sentence(1)], _sentence(1))
    assert lines == [f"line {first}"]


def test_first_present_gives_the_first_field_that_has_a_value_else_the_last_named() -> None:
    referral = _good()
    assert fn.first_present(referral, ["delay.explanation", "incident.aware_date", "incident.date"]) == (
        "incident.aware_date", dt.date(2016, 11, 8))
    assert fn.first_present(referral, ["delay.explanation", "rapid_review.date"]) == ("rapid_review.date", None)
    assert fn.first_present(referral, []) == ("", None)


def test_each_missing_numbers_the_entries_from_one() -> None:
    referral = _good(**{"involvement: Emergency department and paediatric intensive care, 7 to 8 November 2016.":
                        "involvement: TBC"})
    options = fn.EachMissingOptions(list="agencies", item_field="involvement")
    assert list(fn.each_missing(referral, options, _context())) == [Hit("agencies.4.involvement", {"number": 5})]
    assert list(fn.each_missing(_good(), options, _context())) == []


def _waivers(*waivers: dict[str, Any]) -> Referral:
    return _good().model_copy(update={"waivers": [Waiver(**w) for w in waivers]})


def test_waiver_checks_number_the_waivers_from_one() -> None:
    referral = _waivers({"rule": "QM1.1-x", "reason": "Agreed by the panel."}, {"rule": "QM1.2-y", "reason": "TBC"},
                        {"reason": "No rule named."}, {"rule": "QM1.1-xx", "reason": "Agreed too."})
    context = Context(today=TODAY, rule_ids=frozenset({"QM1.1-x", "QM1.2-y"}), rules_run=frozenset({"QM1.1-x"}))
    options = fn.WaiverOptions()
    assert list(fn.waiver_reason(referral, options, context)) == [Hit("waivers.1.reason", {"number": 2})]
    assert list(fn.waiver_unknown(referral, options, context)) == [
        Hit("waivers.2.rule", {"number": 3, "rule": "", "suggestion": ""}),
        Hit("waivers.3.rule", {"number": 4, "rule": "QM1.1-xx", "suggestion": "; did you mean `QM1.1-x`?"},
            frozenset({"rule"}))]
    assert list(fn.waiver_unused(referral, options, context)) == [
        Hit("waivers.0.rule", {"number": 1, "rule": "QM1.1-x"})]
