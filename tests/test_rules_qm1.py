"""Every row of RULES-QM1.md, through the whole pipeline, gives its severity.

Each case starts from a referral that passes everything, changes what the row
describes, and asserts the rule, severity and question verdict that result.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from conftest import changed

from scrqm.result import FileResult

RATIONALE = (
    "Child F died of head injuries that doctors believe were inflicted. Five agencies "
    "knew the family in the year before the death, and each held part of the picture: "
    "the health visitor saw low mood, the GP saw a bruise, the police attended two "
    "domestic incidents. A review could show why these concerns were never brought "
    "together and what would help practitioners share them sooner."
)

BASE: dict[str, Any] = {
    "format": "scrqm/referral@1",
    "referral": {"reference": "NLSCB-2016-004", "date": "2016-02-08", "board": "Northshire LSCB",
                 "referrer": {"agency": "Northshire Children's Social Care", "role": "Head of Safeguarding"}},
    "child": {"reference": "Child F", "age": 3},
    "incident": {"type": "death", "date": "2016-02-02", "aware_date": "2016-02-03",
                 "abuse_or_neglect": "suspected", "setting": "home",
                 "summary": "Child F was brought to hospital unresponsive and died the next day."},
    "agencies": [{"name": "Health visiting", "involvement": "Universal contacts 2014-2015."}],
    "working_together_concerns": "Concerns held by health and police were not shared.",
    "criteria": {"statutory": "met"},
    "rationale": RATIONALE,
    "supporting_information": [{"type": "chronology", "title": "Combined chronology 2014-2016"}],
}


def with_changes(**changes: Any) -> dict[str, Any]:
    return changed(BASE, **changes)


def test_base_referral_passes_with_no_findings(check: Callable[..., FileResult]) -> None:
    result = check(json.dumps(BASE))
    assert result.findings == []
    assert result.verdict == "pass"


# Genuine prose cut to a number of words: a word repeated would be filler, not a short rationale.
LONG = ("A review could show why five agencies who each knew part of the family's story never brought it "
        "together, why the health visitor's worry about low mood was not passed on, why the bruise seen by "
        "the doctor in March was not followed by a strategy discussion, and what would help practitioners in "
        "Northshire share such concerns sooner, before a child comes to harm again.")
WORDS_19, WORDS_20, WORDS_49, WORDS_50 = (" ".join(LONG.split()[:n]) for n in (19, 20, 49, 50))
SHORT_EXPLANATION = "Staff were on leave that week."  # 6 words
EXPLANATION = "The police asked the board to wait until the suspect had been interviewed under caution."

ROWS = [
    # QM1.1
    ("rationale absent", dict(rationale=None), "QM1.1-rationale-missing", "fail"),
    ("rationale blank", dict(rationale="   "), "QM1.1-rationale-missing", "fail"),
    ("rationale placeholder", dict(rationale="TBC."), "QM1.1-rationale-missing", "fail"),
    ("rationale placeholder see attached", dict(rationale="(see attached)"), "QM1.1-rationale-missing", "fail"),
    ("rationale 19 words", dict(rationale=WORDS_19), "QM1.1-rationale-too-short", "fail"),
    ("rationale 20 words", dict(rationale=WORDS_20), "QM1.1-rationale-brief", "warn"),
    ("rationale 49 words", dict(rationale=WORDS_49), "QM1.1-rationale-brief", "warn"),
    ("summary absent", dict(incident__summary=None), "QM1.1-summary-missing", "fail"),
    ("summary placeholder", dict(incident__summary="to follow"), "QM1.1-summary-missing", "fail"),
    ("agencies absent", dict(agencies=None), "QM1.1-agencies-missing", "warn"),
    ("agencies empty", dict(agencies=[]), "QM1.1-agencies-missing", "warn"),
    ("supporting absent", dict(supporting_information=None), "QM1.1-supporting-information-missing", "warn"),
    ("supporting empty", dict(supporting_information=[]), "QM1.1-supporting-information-missing", "warn"),
    ("acronym", dict(rationale=RATIONALE + " The MARAC heard it."), "QM1.1-acronym-unexpanded", "info"),
    # QM1.2
    ("statutory absent", dict(criteria__statutory=None), "QM1.2-statutory-missing", "fail"),
    ("met, not suspected", dict(incident__abuse_or_neglect="not_suspected"), "QM1.2-met-not-suspected", "fail"),
    ("met, abuse unknown", dict(incident__abuse_or_neglect="unknown"), "QM1.2-met-abuse-unclear", "warn"),
    ("met, abuse absent", dict(incident__abuse_or_neglect=None), "QM1.2-met-abuse-unclear", "warn"),
    ("met, harm, no concerns", dict(incident__type="serious_harm", working_together_concerns=None),
     "QM1.2-met-no-concerns", "warn"),
    ("not met, no other reason", dict(criteria__statutory="not_met", incident__abuse_or_neglect="not_suspected"),
     "QM1.2-other-reason-missing", "fail"),
    ("not met, placeholder reason", dict(criteria__statutory="not_met", criteria__other_reason="N/A",
                                         incident__abuse_or_neglect="not_suspected"),
     "QM1.2-other-reason-missing", "fail"),
    ("not met, no priorities", dict(criteria__statutory="not_met", criteria__other_reason="Learning on neglect.",
                                    incident__abuse_or_neglect="not_suspected"),
     "QM1.2-no-learning-priority", "warn"),
    ("not met, facts meet (death)", dict(criteria__statutory="not_met", criteria__other_reason="Learning.",
                                         criteria__learning_priorities=["LP2"]),
     "QM1.2-not-met-but-facts-meet", "warn"),
    ("not met, facts meet (harm)", dict(criteria__statutory="not_met", criteria__other_reason="Learning.",
                                        criteria__learning_priorities=["LP2"], incident__type="serious_harm",
                                        incident__abuse_or_neglect="known"),
     "QM1.2-not-met-but-facts-meet", "warn"),
    ("not met, custody death", dict(criteria__statutory="not_met", criteria__other_reason="Learning.",
                                    criteria__learning_priorities=["LP2"], incident__setting="custody",
                                    incident__abuse_or_neglect="not_suspected"),
     "QM1.2-custody-death", "warn"),
    ("not met, secure estate", dict(criteria__statutory="not_met", criteria__other_reason="Learning.",
                                    criteria__learning_priorities=["LP2"], incident__setting="secure_estate",
                                    incident__abuse_or_neglect="not_suspected"),
     "QM1.2-custody-death", "warn"),
    ("not met, MHA detention", dict(criteria__statutory="not_met", criteria__other_reason="Learning.",
                                    criteria__learning_priorities=["LP2"],
                                    incident__setting="mental_health_detention",
                                    incident__abuse_or_neglect="not_suspected"),
     "QM1.2-custody-death", "warn"),
    # QM1.3
    ("referral date absent", dict(referral__date=None), "QM1.3-referral-date-missing", "fail"),
    ("both dates absent", dict(incident__date=None, incident__aware_date=None), "QM1.3-no-start-date", "fail"),
    ("aware date absent", dict(incident__aware_date=None), "QM1.3-aware-date-missing", "warn"),
    ("future referral date", dict(referral__date="2027-01-04"), "QM1.3-future-date", "fail"),
    ("future incident date", dict(incident__date="2026-11-27", incident__aware_date=None,
                                  referral__date="2026-11-27"), "QM1.3-future-date", "fail"),
    ("referral before aware", dict(referral__date="2016-02-02"), "QM1.3-referral-before-start", "fail"),
    ("aware before incident", dict(incident__aware_date="2016-02-01"), "QM1.3-aware-before-incident", "fail"),
    ("late, no explanation", dict(referral__date="2016-02-16"), "QM1.3-delay-unexplained", "fail"),
    ("late, placeholder", dict(referral__date="2016-02-16", delay={"explanation": "TBA"}),
     "QM1.3-delay-unexplained", "fail"),
    ("late, short explanation", dict(referral__date="2016-02-16", delay={"explanation": SHORT_EXPLANATION}),
     "QM1.3-delay-explanation-short", "warn"),
    # Outside the questions
    ("NHS number", dict(agencies=[{"name": "GP", "involvement": "NHS no. 943 476 5919 on file."}]),
     "privacy-identifier", "warn"),
    ("NI number", dict(rationale=RATIONALE + " Mother's NI number AB123456C."), "privacy-identifier", "warn"),
    ("email", dict(referral__referrer={"agency": "x", "role": "a.person@example.org"}), "privacy-identifier", "warn"),
    ("phone", dict(working_together_concerns="Ring 01632 960001 for the chronology."), "privacy-identifier", "warn"),
    ("postcode", dict(incident__summary="Found at home, NE1 4ST, on the morning of 2 February."),
     "privacy-identifier", "warn"),
    ("urgent risk no action", dict(urgent_risks=[{"risk": "A sibling remains at home."}]),
     "practice-urgent-risk-no-action", "warn"),
]


@pytest.mark.parametrize(("changes", "rule", "severity"), [pytest.param(c, r, s, id=i) for i, c, r, s in ROWS])
def test_row_gives_its_severity(
    check: Callable[..., FileResult], changes: dict[str, Any], rule: str, severity: str
) -> None:
    result = check(json.dumps(with_changes(**changes)))
    assert result.verdict != "invalid", result.findings
    hits = [f for f in result.findings if f.rule == rule]
    assert hits, [f.rule for f in result.findings]
    assert {f.severity for f in hits} == {severity}
    assert all(f.line >= 1 and f.column >= 1 for f in result.findings)
    question = rule.split("-")[0] if rule.startswith("QM") else None
    if question is not None and severity != "info":
        assert result.questions is not None and result.questions[question] == severity
    if severity == "info":
        assert result.verdict == "pass"


ON_TIME = [
    ("exactly 5 working days", dict(referral__date="2016-02-10")),
    ("on time with explanation anyway", dict(referral__date="2016-02-05", delay={"explanation": "n/a"})),
    ("late, full explanation", dict(referral__date="2016-02-16", delay={"explanation": EXPLANATION})),
    ("50 words", dict(rationale=WORDS_50)),
    ("not met, reason, priority, facts do not meet", dict(
        criteria__statutory="not_met", criteria__other_reason="Links to neglect of adolescents.",
        criteria__learning_priorities=["LP2"], incident__abuse_or_neglect="not_suspected")),
    ("harm met with concerns", dict(incident__type="serious_harm")),
]


@pytest.mark.parametrize("changes", [pytest.param(c, id=i) for i, c in ON_TIME])
def test_no_finding_where_the_rules_ask_for_none(check: Callable[..., FileResult], changes: dict[str, Any]) -> None:
    result = check(json.dumps(with_changes(**changes)))
    assert result.findings == [], [(f.rule, f.message) for f in result.findings]


def test_delay_message_states_delay_and_threshold(check: Callable[..., FileResult]) -> None:
    # Aware Wed 3 Feb 2016, referred Tue 16 Feb 2016: 9 working days after.
    result = check(json.dumps(with_changes(referral__date="2016-02-16")))
    [finding] = [f for f in result.findings if f.rule == "QM1.3-delay-unexplained"]
    assert "referred 9 working days after the referrer became aware; the threshold is 5" in finding.message
    delay = {key: value for key, value in result.facts.items() if key.startswith("delay_")}
    assert delay == {"delay_working_days": 9, "delay_from": "incident.aware_date", "delay_to": "referral.date",
                     "delay_threshold": 5}


def test_delay_counts_from_incident_date_when_aware_date_absent(check: Callable[..., FileResult]) -> None:
    result = check(json.dumps(with_changes(incident__aware_date=None, referral__date="2016-02-16")))
    [finding] = [f for f in result.findings if f.rule == "QM1.3-delay-unexplained"]
    assert "10 working days after the incident" in finding.message


def test_delay_skips_easter_bank_holidays(check: Callable[..., FileResult]) -> None:
    # Aware Thu 17 Mar 2016; Good Friday 25 Mar and Easter Monday 28 Mar are holidays.
    # Working days after: 18,21,22,23,24,29 = 6 up to Tue 29 Mar: late. Up to Mon 28: 5.
    late = check(json.dumps(with_changes(incident__date="2016-03-17", incident__aware_date="2016-03-17",
                                         referral__date="2016-03-29")))
    on_time = check(json.dumps(with_changes(incident__date="2016-03-17", incident__aware_date="2016-03-17",
                                            referral__date="2016-03-28")))
    assert [f.rule for f in late.findings] == ["QM1.3-delay-unexplained"]
    assert on_time.findings == []


def test_unknown_learning_priority_only_when_board_lists_them(check: Callable[..., FileResult]) -> None:
    data = with_changes(criteria__learning_priorities=["LP2", "LP7"])
    assert check(json.dumps(data)).findings == []
    result = check(json.dumps(data), learning_priorities={"LP1": "Neglect", "LP2": "Domestic abuse"})
    [finding] = result.findings
    assert finding.rule == "QM1.2-unknown-learning-priority" and finding.severity == "warn"
    assert "LP7" in finding.message and finding.field == "criteria.learning_priorities.1"


def test_privacy_finding_never_prints_the_value(check: Callable[..., FileResult]) -> None:
    data = with_changes(agencies=[{"name": "GP", "involvement": "NHS no. 9434765919; email jo@example.org."}])
    result = check(json.dumps(data))
    privacy = [f for f in result.findings if f.group == "privacy"]
    assert {f.message.split("hold ")[1].split(";")[0] for f in privacy} == {"an NHS number", "an email address"}
    for finding in privacy:
        assert "9434765919" not in finding.message and "jo@example.org" not in finding.message
        assert finding.field == "agencies.0.involvement"


def test_identifiers_in_yaml_comments_are_found_and_never_shown(check: Callable[..., FileResult]) -> None:
    text = "# Child's NHS number 943 476 5919, ring 01632 960001\n" + json.dumps(BASE) + "  # mum: jo@example.org\n"
    result = check(text)
    privacy = [f for f in result.findings if f.group == "privacy"]
    assert [(f.line, f.field) for f in privacy] == [(1, "(comment)"), (1, "(comment)"), (2, "(comment)")]
    assert {f.message.split("hold ")[1].split(";")[0] for f in privacy} == {
        "an NHS number", "a UK phone number", "an email address"}
    for finding in privacy:
        assert "5919" not in finding.message and "example.org" not in finding.message


def test_a_hash_inside_text_is_not_reported_twice(check: Callable[..., FileResult]) -> None:
    data = with_changes(working_together_concerns="Room #4: the ward's number 01632 960001 was given out.")
    privacy = [f for f in check(json.dumps(data)).findings if f.group == "privacy"]
    assert [f.field for f in privacy] == ["working_together_concerns"]


def test_acronym_finding_points_at_the_acronym_itself(check: Callable[..., FileResult]) -> None:
    # A folded block loses the file's line breaks; the finding still names line 5, column 3.
    yaml_text = (
        "format: scrqm/referral@1\n"
        "rationale: >\n"
        f"  {RATIONALE}\n"
        "  The case was heard at the\n"
        "  MARAC twice.\n"
    )
    result = check(yaml_text)
    [finding] = [f for f in result.findings if f.rule == "QM1.1-acronym-unexpanded"]
    assert (finding.line, finding.column) == (5, 3)
