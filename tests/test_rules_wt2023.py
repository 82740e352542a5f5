"""Profile wt2023 through the whole pipeline: each situation of docs/format.md's wt2023 tables.

Each case starts from the exemplary wt2023 referral (no findings), changes
what the row describes, and asserts the rule, severity and question verdict.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from conftest import EXAMPLES, changed
from scrqm.pipeline import Settings, check_text
from scrqm.load.document import load_path
from scrqm.packs.loader import load_ruleset
from scrqm.result import FileResult

WT2023 = load_ruleset("wt2023")
BASE: dict[str, Any] = load_path(EXAMPLES / "wt2023" / "01-exemplary-death.yaml").data
EXPLANATION = "Neglect was first suspected when the post-mortem findings were shared on 14 March."
REVIEW = [{"consideration": c, "applies": c != "d", "reason": "Because."} for c in "abcd"]


def check(data: dict[str, Any], **settings: Any) -> FileResult:
    settings.setdefault("today", dt.date(2026, 11, 26))
    return check_text(json.dumps(data, default=str), display="r.yaml", ruleset=WT2023, settings=Settings(**settings))


def with_changes(**changes: Any) -> dict[str, Any]:
    return changed(BASE, **changes)


NOT_MET = dict(criteria__notification="not_met", criteria__local_review=None, incident__abuse_or_neglect="not_suspected",
               notification=None, rapid_review=None)

ROWS = [
    # QM1.2
    ("notification absent", dict(criteria__notification=None), "QM1.2-notification-missing", "fail"),
    ("2015 statement", dict(criteria__notification=None, criteria__statutory="met"),
     "QM1.2-statutory-instead-of-notification", "info"),
    ("met, not suspected", dict(incident__abuse_or_neglect="not_suspected"),
     "QM1.2-notification-met-not-suspected", "fail"),
    ("met, abuse unknown", dict(incident__abuse_or_neglect="unknown"), "QM1.2-notification-met-abuse-unclear", "warn"),
    ("not met, facts meet", dict(criteria__notification="not_met", criteria__other_reason="Learning.",
                                 criteria__learning_priorities=["LP1"]),
     "QM1.2-notification-not-met-but-facts-meet", "warn"),
    ("met, no local review", dict(criteria__local_review=None), "QM1.2-local-review-missing", "fail"),
    ("met, empty local review", dict(criteria__local_review=[]), "QM1.2-local-review-missing", "fail"),
    ("considerations b and d missing", dict(criteria__local_review=[REVIEW[0], REVIEW[2]]),
     "QM1.2-local-review-incomplete", "warn"),
    ("entry without letter", dict(criteria__local_review=[*REVIEW, {"applies": True, "reason": "x"}]),
     "QM1.2-local-review-unnamed", "warn"),
    ("entry without applies", dict(criteria__local_review=[*REVIEW[:3], {"consideration": "d", "reason": "x"}]),
     "QM1.2-local-review-applies-missing", "fail"),
    ("entry without reason", dict(criteria__local_review=[*REVIEW[:3], {"consideration": "d", "applies": False}]),
     "QM1.2-local-review-reason-missing", "warn"),
    ("entry with placeholder reason",
     dict(criteria__local_review=[*REVIEW[:3], {"consideration": "d", "applies": False, "reason": "TBC"}]),
     "QM1.2-local-review-reason-missing", "warn"),
    ("(c) applies, no concern", dict(working_together_concerns=None), "QM1.2-agencies-concern-without-detail", "warn"),
    ("not met, no reason", NOT_MET, "QM1.2-other-reason-missing", "fail"),
    ("not met, no priority", {**NOT_MET, "criteria__other_reason": "Learning on neglect."},
     "QM1.2-no-learning-priority", "warn"),
    ("looked-after death", {**NOT_MET, "criteria__other_reason": "Learning on neglect.",
                            "criteria__learning_priorities": ["LP1"], "child__looked_after": True},
     "QM1.2-looked-after-death", "info"),
    # QM1.3
    ("no dates", dict(incident__date=None, incident__aware_date=None), "QM1.3-no-start-date", "fail"),
    ("no aware date", dict(incident__aware_date=None), "QM1.3-aware-date-missing", "warn"),
    ("met, no notification date", dict(notification=None, rapid_review=None), "QM1.3-notification-date-missing", "fail"),
    ("no rapid review, overdue", dict(rapid_review=None), "QM1.3-rapid-review-overdue", "warn"),
    ("future rapid review", dict(rapid_review__date="2026-12-01"), "QM1.3-future-date", "fail"),
    ("notification before aware", dict(notification__date="2024-03-01"), "QM1.3-notification-before-start", "fail"),
    ("referral before aware", dict(referral__date="2024-03-01"), "QM1.3-referral-before-start", "fail"),
    ("rapid review before notification", dict(rapid_review__date="2024-03-06"),
     "QM1.3-rapid-review-before-notification", "fail"),
    ("notification 6 working days", dict(notification__date="2024-03-12"), "QM1.3-notification-late-unexplained", "fail"),
    ("notification late, brief", dict(notification__date="2024-03-12", delay={"explanation": "Staff sickness."}),
     "QM1.3-notification-explanation-short", "warn"),
    # The Panel's clock runs to the rapid review being sent; without a sent date, to the day it was held.
    ("rapid review sent after 16 working days", dict(rapid_review__sent_date="2024-04-02"),
     "QM1.3-rapid-review-late-unexplained", "fail"),
    ("rapid review held after 16, no sent date", dict(rapid_review__date="2024-04-02", rapid_review__sent_date=None),
     "QM1.3-rapid-review-late-unexplained", "fail"),
    ("rapid review late, brief", dict(rapid_review__sent_date="2024-04-02", rapid_review__delay_explanation="Diary."),
     "QM1.3-rapid-review-explanation-short", "warn"),
    ("rapid review late, filler", dict(rapid_review__sent_date="2024-04-02",
                                      rapid_review__delay_explanation="Delayed. " * 12),
     "QM1.3-rapid-review-late-unexplained", "fail"),
    ("sent before held", dict(rapid_review__sent_date="2024-03-21"), "QM1.3-rapid-review-sent-before-held", "fail"),
    ("future sent date", dict(rapid_review__sent_date="2026-12-01"), "QM1.3-future-date", "fail"),
    # The rapid review's record: the decision, its reasons, the learning so far, the immediate actions.
    ("held, no decision", dict(rapid_review__decision=None), "QM1.2-rapid-review-decision-missing", "warn"),
    ("sent, no decision", dict(rapid_review__decision=None, rapid_review__date=None),
     "QM1.2-rapid-review-decision-missing", "warn"),
    ("decision, no reasons", dict(rapid_review__decision_reasons=None), "QM1.2-rapid-review-reasons-missing", "warn"),
    ("decision, placeholder reasons", dict(rapid_review__decision_reasons="TBC"),
     "QM1.2-rapid-review-reasons-missing", "warn"),
    ("decision, filler reasons", dict(rapid_review__decision_reasons="Lorem ipsum dolor sit amet consectetur "
                                                                     "adipiscing elit sed do eiusmod tempor."),
     "QM1.2-rapid-review-reasons-missing", "warn"),
    ("no learning", dict(rapid_review__learning=None), "QM1.1-rapid-review-learning-missing", "warn"),
    ("learning repeated", dict(rapid_review__learning="Agencies must share. " * 6),
     "QM1.1-rapid-review-learning-missing", "warn"),
    ("no immediate actions", dict(rapid_review__immediate_actions="N/A"), "practice-rapid-review-actions-missing",
     "warn"),
]


def test_base_passes_with_no_findings() -> None:
    result = check(BASE)
    assert (result.findings, result.verdict, result.profile) == ([], "pass", "wt2023")


@pytest.mark.parametrize(("changes", "rule", "severity"), [pytest.param(c, r, s, id=i) for i, c, r, s in ROWS])
def test_row_gives_its_severity(changes: dict[str, Any], rule: str, severity: str) -> None:
    result = check(with_changes(**changes))
    assert result.verdict != "invalid", result.findings
    hits = [f for f in result.findings if f.rule == rule]
    assert hits, [f.rule for f in result.findings]
    assert {f.severity for f in hits} == {severity}
    question = rule.split("-")[0]
    if severity != "info" and question.startswith("QM"):
        assert result.questions is not None and result.questions[question] == severity
    elif severity != "info":
        assert result.groups[question] == severity


NO_FINDING = [
    # Notified Mon 11 Mar: 5 working days after Mon 4 Mar, the last day of the duty.
    ("notification on the fifth working day", dict(notification__date="2024-03-11")),
    # Rapid review Thu 28 Mar: 15 working days after Thu 7 Mar (Good Friday is the 29th).
    ("rapid review on the fifteenth working day", dict(rapid_review__date="2024-03-28",
                                                       rapid_review__sent_date="2024-03-28")),
    ("held in time, no sent date", dict(rapid_review__sent_date=None)),
    ("no local review, reasoned", dict(rapid_review__decision="no_local_review")),
    ("late notification, explained", dict(notification__date="2024-03-18", delay={"explanation": EXPLANATION})),
    ("not met, reason, priority", {**NOT_MET, "criteria__other_reason": "Learning on neglect.",
                                   "criteria__learning_priorities": ["LP1"]}),
    ("(c) does not apply, no concern", dict(working_together_concerns=None, criteria__local_review=[
        *REVIEW[:2], {"consideration": "c", "applies": False, "reason": "One agency only."}, REVIEW[3]])),
]


@pytest.mark.parametrize("changes", [pytest.param(c, id=i) for i, c in NO_FINDING])
def test_no_finding_where_the_rules_ask_for_none(changes: dict[str, Any]) -> None:
    result = check(with_changes(**changes))
    assert result.findings == [], [(f.rule, f.message) for f in result.findings]


def test_a_rapid_review_not_yet_held_asks_for_no_decision() -> None:
    data = with_changes(rapid_review={"delay_explanation": EXPLANATION})
    assert check(data, today=dt.date(2024, 3, 20)).findings == []


def test_rapid_review_not_yet_due_gives_no_finding() -> None:
    # Notified Thu 7 Mar 2024; on Thu 28 Mar the 15 working days are not yet over.
    data = with_changes(rapid_review=None)
    assert check(data, today=dt.date(2024, 3, 28)).findings == []
    [finding] = check(data, today=dt.date(2024, 4, 2)).findings
    assert finding.rule == "QM1.3-rapid-review-overdue" and "16 working days have passed" in finding.message


def test_messages_name_the_duty_and_who_became_aware() -> None:
    result = check(with_changes(notification__date="2024-03-18"))
    [finding] = result.findings
    assert "the Panel was notified 10 working days after the local authority became aware" in finding.message
    assert "the duty is within 5" in finding.message
    assert result.facts["delay_working_days"] == 10 and result.facts["delay_threshold"] == 5


def test_thresholds_come_from_the_configuration() -> None:
    strict = load_ruleset("wt2023", thresholds={"rapid_review_working_days": 10})
    data = with_changes()  # rapid review 11 working days after the notification
    result = check_text(json.dumps(data, default=str), display="r.yaml", ruleset=strict,
                        settings=Settings(today=dt.date(2026, 11, 26)))
    assert [f.rule for f in result.findings] == ["QM1.3-rapid-review-late-unexplained"]


def test_pack_glossary_spares_the_frameworks_acronyms() -> None:
    rationale = BASE["rationale"] + " The LSCP will decide on an LCSPR."
    assert check(with_changes(rationale=rationale)).findings == []


def test_when_the_notification_criteria_are_not_met_no_clock_runs() -> None:
    """docs/format.md: no notification duty, so neither the 5 nor the 15 working days are counted."""
    late = dict(notification__date="2024-04-30", rapid_review__date="2024-06-28", rapid_review__sent_date="2024-07-01")
    met = check(with_changes(**late))
    assert {"QM1.3-notification-late-unexplained", "QM1.3-rapid-review-late-unexplained"} <= {
        f.rule for f in met.findings}
    not_met = check(with_changes(**late, criteria__notification="not_met", criteria__other_reason=EXPLANATION,
                                 criteria__learning_priorities=["LP1"], incident__abuse_or_neglect="not_suspected"))
    assert not [f for f in not_met.findings if f.question == "QM1.3"], not_met.findings
    assert "delay_working_days" not in not_met.facts
    overdue = check(with_changes(**{**NOT_MET, "notification": {"date": "2024-03-07"}}))
    assert not [f for f in overdue.findings if f.question == "QM1.3"]
    # The dates are still checked: a rapid review sent before it was held is an error whatever the criteria.
    wrong = check(with_changes(**{**late, "rapid_review__sent_date": "2024-06-01"}, criteria__notification="not_met"))
    assert "QM1.3-rapid-review-sent-before-held" in {f.rule for f in wrong.findings}


def test_the_late_message_says_whether_it_counted_to_sending_or_holding() -> None:
    sent = check(with_changes(rapid_review__sent_date="2024-04-02")).findings
    assert any("was sent to the Panel 16 working days after the notification" in f.message for f in sent)
    held = check(with_changes(rapid_review__date="2024-04-02", rapid_review__sent_date=None)).findings
    assert any("was held 16 working days after the notification" in f.message for f in held)
