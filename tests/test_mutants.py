"""Tests written against mutants that survived a mutation run (issue 11 item 5).

Each pins behaviour that a one-token change to a judging module got past the
suite: see scripts/mutation.sh and /work/notes/mutants.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from scrqm.check.engine import facts
from scrqm.check.functions import _written_at, delay_in_working_days
from scrqm.judge.identifiers import _claim, find_identifiers
from scrqm.judge.workdays import working_days_after
from scrqm.load.document import load_text
from scrqm.result import Finding, FileResult

from conftest import GOOD_2023, GOOD_TEXT

NHS = "943 476 5919"  # the NHS's own published test number: passes modulus 11
NOT_NHS = "123 456 7890"  # ten digits that fail modulus 11

Check = Callable[..., FileResult]


def _hits(result: FileResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _column_of(text: str, needle: str, word: str) -> int:
    """1-based column of `word` on the line where `needle` is written."""
    line = text.splitlines()[_line_of(text, needle) - 1]
    return line.index(needle) + needle.index(word) + 1


# ------------------------------------------------------------ identifiers in comments


def test_an_nhs_number_in_a_comment_after_lines_without_one_is_found(check: Check) -> None:
    text = GOOD_TEXT + f"# the child's NHS number is {NHS}\n"
    hits = _hits(check(text), "privacy-identifier")
    assert [(f.line, f.column, f.field) for f in hits] == [(text.count("\n"), 1, "(comment)")]
    assert NHS not in hits[0].message and "NHS number" in hits[0].message


def test_a_comment_after_the_value_that_holds_the_same_number_is_not_reported_twice(check: Check) -> None:
    text = GOOD_TEXT.replace("reference: Child F", f"reference: Child F {NHS}  # {NHS}", 1)
    hits = _hits(check(text), "privacy-identifier")
    assert [f.field for f in hits] == ["child.reference"]


def test_a_second_kind_in_one_comment_after_a_repeated_first_kind_is_found(check: Check) -> None:
    text = GOOD_TEXT + f"# {NHS} or {NHS}; mother: someone@example.org\n"
    hits = _hits(check(text), "privacy-identifier")
    line = text.count("\n")
    assert sorted((f.line, f.column, f.message) for f in hits) == sorted([
        (line, 1, "this text appears to hold an NHS number; the value is not shown here"),
        (line, 1, "this text appears to hold an email address; the value is not shown here"),
    ]), [f.message for f in hits]


def test_a_comment_identifier_a_value_holds_does_not_hide_a_later_one(check: Check) -> None:
    text = GOOD_TEXT.replace("reference: Child F", f"reference: Child F {NHS}", 1)
    text += f"# {NHS} and someone@example.org\n"
    hits = _hits(check(text), "privacy-identifier")
    assert sorted(f.field for f in hits) == ["(comment)", "child.reference"]


# ------------------------------------------------------------ identifier search


def test_a_second_identifier_after_a_rejected_candidate_is_found() -> None:
    text = f"ref {NOT_NHS} and later {NHS}."
    found = find_identifiers(text)
    assert [(m.kind, text[m.start:m.end]) for m in found] == [("nhs_number", NHS)]


def test_a_second_phone_after_a_cut_candidate_is_found() -> None:
    text = "call 0161 496 0000x or 0161 496 0123 today"
    found = find_identifiers(text, ["phone"])
    assert [text[m.start:m.end] for m in found] == ["0161 496 0123"]


def test_claimed_spans_reject_overlap_on_either_side_and_accept_touching() -> None:
    claimed = [(10, 20)]
    assert _claim(5, 11, claimed) is False  # overlaps the start of a claimed span
    assert _claim(19, 25, claimed) is False  # overlaps its end
    assert _claim(12, 15, claimed) is False  # inside it
    assert _claim(5, 25, claimed) is False  # around it
    assert claimed == [(10, 20)]
    assert _claim(0, 10, claimed) is True  # touching before
    assert _claim(20, 30, claimed) is True  # touching after
    assert claimed == [(0, 10), (10, 20), (20, 30)]


def test_an_email_keeps_digits_a_later_kind_would_claim() -> None:
    text = f"write to a{NHS.replace(' ', '')}@example.org now"
    assert [m.kind for m in find_identifiers(text)] == ["email"]
    assert find_identifiers(text, ["nhs_number", "phone"]) == []


# ------------------------------------------------------------ acronyms: where they are


ACRONYM = "QM1.1-acronym-unexpanded"


def _acronym_at(check: Check, text: str) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.message.split("acronym ")[1].split(",")[0])
            for f in _hits(check(text), ACRONYM)]


def _with_rationale(block: str) -> str:
    start = GOOD_TEXT.index("rationale: >")
    end = GOOD_TEXT.index("supporting_information:")
    return GOOD_TEXT[:start] + block + "\n" + GOOD_TEXT[end:]


def test_an_acronym_in_a_folded_value_points_at_its_own_line_and_column(check: Check) -> None:
    text = _with_rationale(
        "rationale: >\n"
        "  Child F died after an injury the hospital believes inflicted; abuse is suspected.\n"
        "  The statutory criteria are met because the child died and abuse is suspected,\n"
        "  and the   MARAC had heard of the family twice before the death.\n"
    )
    line = _line_of(text, "the   MARAC")
    assert _acronym_at(check, text) == [(line, 13, "MARAC")]


def test_an_acronym_in_a_plain_multi_line_value_points_at_its_own_line(check: Check) -> None:
    text = _with_rationale(
        "rationale: Child F died after an injury the hospital believes inflicted; abuse is\n"
        "  suspected. The statutory criteria are met because the child died and abuse is\n"
        "  suspected, and the MARAC had heard of the family twice before the death.\n"
    )
    line = _line_of(text, "the MARAC")
    assert _acronym_at(check, text) == [(line, _column_of(text, "the MARAC", "MARAC"), "MARAC")] == [(line, 22, "MARAC")]


def test_an_acronym_is_found_in_the_value_not_earlier_in_the_file(check: Check) -> None:
    # "MARAC" is written (in a comment) before the rationale starts: the finding is in the rationale.
    text = "# MARAC\n" + _with_rationale(
        "rationale: >-\n"
        "  Child F died after an injury the hospital believes inflicted, so abuse is\n"
        "  suspected and the statutory criteria are met; the MARAC heard of it twice.\n"
    )
    line = _line_of(text, "the MARAC")
    assert _acronym_at(check, text) == [(line, _column_of(text, "the MARAC", "MARAC"), "MARAC")]


def test_written_at_finds_a_word_in_a_list_item_value() -> None:
    text = ("agencies:\n"
            "  - name: GP practice\n"
            "    involvement: Seen at the GP.\n"
            "  - name: Police\n"
            "    involvement: >\n"
            "      Two incidents; the\n"
            "      MARAC heard one.\n")
    document = load_text(text)
    assert _written_at(document, "agencies.1.involvement", "MARAC") == (7, 7)
    assert _written_at(document, "agencies.0.involvement", "GP") == (3, 30)
    assert _written_at(document, "agencies.1.involvement", "GP") is None  # searched from the value on
    assert _written_at(document, "agencies.5.involvement", "GP") is None
    assert _written_at(None, "agencies.0.involvement", "GP") is None


def test_an_expansion_elsewhere_in_the_file_counts(check: Check) -> None:
    rationale = (
        "rationale: >\n"
        "  Child F died after an injury the hospital believes inflicted; abuse is suspected,\n"
        "  the statutory criteria are met, and the MARAC had heard of the family twice.\n"
    )
    spelt = _with_rationale(rationale).replace(
        "institutions:\n", "institutions:\n  - Multi-Agency Risk Assessment Conference (MARAC)\n", 1)
    assert _acronym_at(check, spelt) == []
    # ...but not when it is spelt out only in a YAML comment: comments are not the referral.
    commented = _with_rationale(rationale) + "# Multi-Agency Risk Assessment Conference (MARAC)\n"
    assert [a for _, _, a in _acronym_at(check, commented)] == ["MARAC"]


# ------------------------------------------------------------ delays


def _late(explanation: str) -> str:
    text = GOOD_TEXT.replace("date: 2016-11-10", "date: 2016-11-30", 1)
    return text.replace("\ninstitutions:", f"\ndelay:\n  explanation: {explanation}\n\ninstitutions:", 1)


SHORT = "QM1.3-delay-explanation-short"


def test_an_explanation_of_exactly_the_minimum_words_is_enough(check: Check) -> None:
    ten = "The police asked us to wait for an interview first."  # 10 words: the minimum
    assert len(ten.split()) == 10
    assert _hits(check(_late(ten)), SHORT) == []
    nine = "The police asked us to wait for an interview."
    hits = _hits(check(_late(nine)), SHORT)
    assert [f.message.split("has only ")[1] for f in hits] == ["9 words (fewer than 10)"]


def test_a_same_day_referral_has_a_delay_of_zero_not_none(check: Check, ruleset: Any) -> None:
    text = GOOD_TEXT.replace("aware_date: 2016-11-08", "aware_date: 2016-11-10", 1)
    result = check(text)
    assert result.verdict == "pass"
    referral = _referral(text)
    assert delay_in_working_days(referral, ["incident.aware_date"], "referral.date") == ("incident.aware_date", 0)
    assert facts(referral, ruleset)["delay_working_days"] == 0
    assert working_days_after(dt.date(2016, 11, 10), dt.date(2016, 11, 10)) == 0
    # a referral before the start cannot be counted
    earlier = GOOD_TEXT.replace("aware_date: 2016-11-08", "aware_date: 2016-11-11", 1)
    assert delay_in_working_days(_referral(earlier), ["incident.aware_date"], "referral.date") is None


def _referral(text: str) -> Any:
    from scrqm.shape.model import Referral

    document = load_text(text)
    return Referral.model_validate(document.data)


def test_the_delay_threshold_day_itself_is_not_late(check: Check) -> None:
    # aware Tue 2016-11-08; five working days later is Tue 2016-11-15: on time, the 16th is late.
    on_time = GOOD_TEXT.replace("date: 2016-11-10", "date: 2016-11-15", 1)
    late = GOOD_TEXT.replace("date: 2016-11-10", "date: 2016-11-16", 1)
    assert _hits(check(on_time), "QM1.3-delay-unexplained") == []
    assert [re.search(r"referred (\d+) working days", f.message).group(1)  # type: ignore[union-attr]
            for f in _hits(check(late), "QM1.3-delay-unexplained")] == ["6"]


# ------------------------------------------------------------ where a finding points


def test_a_finding_points_at_near_only_when_its_own_field_is_absent(check: Check) -> None:
    late = GOOD_TEXT.replace("date: 2016-11-10", "date: 2016-11-30", 1)
    absent = _hits(check(late), "QM1.3-delay-unexplained")
    assert [(f.line, f.field) for f in absent] == [(_line_of(late, "date: 2016-11-30"), "delay.explanation")]
    present = _late("TBC")
    hits = _hits(check(present), "QM1.3-delay-unexplained")
    assert [(f.line, f.column) for f in hits] == [(_line_of(present, "explanation: TBC"), 16)]


# ------------------------------------------------------------ the Finding contract


def test_findings_are_equal_by_position_and_rule_not_by_message() -> None:
    a = Finding(line=3, column=5, rule="QM1.1-x", severity="fail", message="one", field="a")
    same = Finding(line=3, column=5, rule="QM1.1-x", severity="warn", message="two", field="b",
                   question="QM1.1", group="g", fix="f", waived=True, waiver_reason="r")
    assert a == same and hash(a) == hash(same)
    assert len({a, same}) == 1
    assert a != Finding(line=4, column=5, rule="QM1.1-x", severity="fail", message="one")
    assert a != Finding(line=3, column=6, rule="QM1.1-x", severity="fail", message="one")
    assert a != Finding(line=3, column=5, rule="QM1.1-y", severity="fail", message="one")
    later = [Finding(2, 1, "b", "info", "m"), Finding(1, 9, "z", "info", "m"), Finding(2, 1, "a", "info", "m"),
             Finding(1, 10, "a", "info", "m")]
    assert [(f.line, f.column, f.rule) for f in sorted(later)] == [(1, 9, "z"), (1, 10, "a"), (2, 1, "a"), (2, 1, "b")]


def test_a_finding_round_trips_through_its_dict() -> None:
    finding = Finding(line=3, column=5, rule="r", severity="warn", message="m", field="f", question="QM1.2",
                      group="g", fix="x", waived=True, waiver_reason="agreed")
    again = Finding.from_dict(finding.to_dict())
    assert again.to_dict() == finding.to_dict()
    assert finding.to_dict()["waived"] is True
    assert "waived" not in Finding(1, 1, "r", "warn", "m").to_dict()



def test_no_delay_is_shown_where_no_clock_runs() -> None:
    """wt2023: when the notification criteria are not met, no delay rule applies, so no chart either."""
    from scrqm.packs.loader import load_ruleset

    ruleset = load_ruleset("wt2023")
    text = GOOD_2023.read_text(encoding="utf-8")
    assert "  notification: met\n" in text
    assert facts(_referral(text), ruleset)["delay_working_days"] >= 0
    not_met = text.replace("  notification: met\n", "  notification: not_met\n", 1)
    assert facts(_referral(not_met), ruleset) == {}


def test_stamp_masks_quoted_identifiers_and_puts_a_finding_without_a_document_at_the_top(ruleset: Any) -> None:
    from scrqm.check.engine import REDACTED, stamp
    from scrqm.check.functions import Hit

    [rule] = [r for r in ruleset.rules if r.definition.id == ACRONYM]
    hit = Hit("rationale", {"acronym": f"X{NHS}"}, frozenset({"acronym"}))
    finding = stamp(rule, hit, None)
    assert (finding.line, finding.column, finding.rule, finding.field) == (1, 1, ACRONYM, "rationale")
    assert NHS not in finding.message and "acronym X" in finding.message
    redacted = stamp(rule, hit, None, redact=True)
    assert f"acronym {REDACTED}," in redacted.message
