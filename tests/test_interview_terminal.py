"""`scrqm new --interactive` in a real terminal (a pty): the wt2023 walk of a person who has never seen YAML.

Multi-line text typed and pasted, a name with a comma, advice about the delay as
soon as the dates are known, Ctrl-C half-way, carrying on, and a referral at the
end that `scrqm check` passes on every question.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from pty_session import PtySession
from scrqm.shape.model import RapidReview

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

SUMMARY = (
    "Child M, aged fourteen months, was taken to Kellbridge General Hospital by ambulance on 5 October 2024 "
    "with a swollen thigh. A skeletal survey found a fractured femur and three healing rib fractures of "
    "different ages, and his parents gave no explanation that fits the injuries.\n\n"
    "The police opened a joint investigation with children's social care on 7 October 2024. Child M is "
    "recovering and was placed with his maternal grandmother under a safety plan on 9 October 2024."
)

RATIONALE = (
    "Child M, aged fourteen months, was seriously harmed: a fractured femur and older rib fractures point to "
    "physical abuse over several weeks. The notification criteria are met because abuse is suspected and the "
    "harm is serious. Bruising was seen twice before, by the health visitor in June and by the nursery in "
    "September, and neither time was it shared or referred. A local review could show why the partnership's "
    "bruising protocol was not followed in a nursery and in health visiting, and what would help staff refer "
    "bruising in a baby who is not yet walking."
)


def first_part(session: PtySession) -> None:
    """From the first question to the first agency, then Ctrl-C."""
    s = session
    s.expect("The file to save the referral in [referral.yaml]: "); s.type("child-m")
    s.expect("Which framework is the referral written under?")
    s.expect("Type wt2023 or wt2015 [wt2015]: "); s.type("wt2023")
    s.expect("case reference"); s.type("NSCP-2024-117")
    s.expect("sent to the safeguarding partners"); s.type("23/10/2024")
    s.expect("(Wednesday 23 October 2024)")
    s.expect("partnership you refer to"); s.type("Kellbridge Safeguarding Children Partnership")
    s.expect("Your agency"); s.type("Kellbridge Children's Social Care")
    s.expect("Your role"); s.type("Head of Safeguarding and Quality Assurance")
    s.expect("pseudonym or letter"); s.type("Child M")
    s.expect("age"); s.type("14 months")
    s.expect("gender"); s.type("male")
    s.expect("ethnicity"); s.type("")
    s.expect("disability"); s.type("none known")
    s.expect("looked after"); s.type("n")
    s.expect("child protection plan"); s.type("never")
    s.expect("know the child"); s.type("y")
    s.expect("death, or serious harm?"); s.type("serious harm")
    s.expect("when it was identified"); s.type("05/10/2024")
    s.expect("became aware of it"); s.type("07/10/2024")
    s.expect("known or suspected?"); s.type("suspected")
    s.expect("Where did it happen?"); s.type("home")
    s.expect("in plain words, with dates")
    s.expect("> "); s.paste(SUMMARY)  # two paragraphs pasted at once
    s.expect("> "); s.type("")
    s.expect("Add an agency? (y/n): "); s.type("y")
    s.expect("The agency's name"); s.type("Health visiting (Kellbridge Community Health)")
    s.expect("involvement was, and when")
    s.expect("> "); s.type("New birth visit in September 2023 and a nine-month review in June 2024.")
    s.expect("> "); s.type("Bruising to his ear was seen at the review and accepted as a fall from a sofa.")
    s.expect("> "); s.type("")
    s.expect("Add another agency? (y/n): ")
    s.interrupt()


def second_part(session: PtySession) -> None:
    """Carry on: the rest of the agencies, the criteria, the dates, to the end."""
    s = session
    s.expect("Choose c, e or q [c]: "); s.type("c")
    s.expect("Carrying on where you stopped")
    s.expect("Add another agency? (y/n): "); s.type("y")
    s.expect("The agency's name"); s.type("GP practice")
    s.expect("> "); s.type("Two visits in July and August 2024 for a chest infection and a rash; no injuries were recorded.")
    s.expect("> "); s.type("")
    s.expect("Add another agency? (y/n): "); s.type("y")
    s.expect("The agency's name"); s.type("Little Acorns Nursery, Northtown")
    s.expect("> "); s.type("Attended two days a week from April 2024; staff recorded a bruise to his cheek "
                           "on 12 September 2024 but did not refer it.")
    s.expect("> "); s.type("")
    s.expect("Add another agency? (y/n): "); s.type("n")
    s.expect("named setting involved"); s.type("Little Acorns Nursery, Northtown")
    s.expect("Another setting"); s.type("")
    s.expect("worked together")
    s.expect("> "); s.type("The nursery's record of a bruise in September was not shared with health visiting or "
                           "children's social care, and the health visitor's account of the earlier bruising was "
                           "not checked against what the nursery had seen.")
    s.expect("> "); s.type("")
    s.expect("notification criteria (Children Act 2004 s16C) met?"); s.type("met")
    for letter, applies, reason in [
        ("a", "y", "The case may show improvements needed in how bruising in a baby who is not yet walking is "
                   "recorded and referred, which the partnership's 2023 bruising protocol was meant to secure."),
        ("b", "y", "Unexplained bruising in babies who are not yet mobile was also a theme of the partnership's "
                   "rapid reviews of Child D and Child H in 2023."),
        ("c", "y", "Health visiting and the nursery each saw bruising, and neither shared it with the other or "
                   "with children's social care."),
        ("d", "n", "The Panel has not yet considered the case."),
    ]:
        s.expect(f"consideration ({letter})")
        s.expect("Does it apply to this case? (y/n): "); s.type(applies)
        s.expect("> "); s.type(reason)
        s.expect("> "); s.type("")
    s.expect("The case for a review")
    s.expect("> "); s.paste(RATIONALE)
    s.expect("> "); s.type("")
    s.expect("Add a document? (y/n): "); s.type("y")
    s.expect("What kind of document"); s.type("chronology")
    s.expect("title"); s.type("Combined multi-agency chronology, September 2023 to October 2024")
    s.expect("document's date"); s.type("21/10/2024")
    s.expect("Add another document? (y/n): "); s.type("y")
    s.expect("What kind of document"); s.type("agency report")
    s.expect("title"); s.type("Little Acorns Nursery safeguarding records, April to October 2024")
    s.expect("document's date"); s.type("")
    s.expect("Add another document? (y/n): "); s.type("n")
    s.expect("notified the Child Safeguarding Practice Review Panel"); s.type("22/10/2024")
    s.expect("rapid review was held"); s.type("05/11/2024")
    if "sent_date" in RapidReview.model_fields:  # the rapid review record, where the format has it
        s.expect("sent to the Panel"); s.type("05/11/2024")
        s.expect("What did the rapid review decide?"); s.type("local review")
        s.expect("against the criteria"); s.expect("> ")
        s.type("Considerations (a), (b) and (c) of regulation 11 apply: bruising in a baby was seen twice and "
               "not referred, as in two earlier rapid reviews.")
        s.expect("> "); s.type("")
        s.expect("identified so far"); s.expect("> ")
        s.type("The bruising protocol is not known in nurseries, and health visitors accept a fall as the "
               "explanation without checking with other agencies.")
        s.expect("> "); s.type("")
        s.expect("at once"); s.expect("> ")
        s.type("The partnership reissued the bruising protocol to every nursery on 1 November 2024 (Head of "
               "Early Years).")
        s.expect("> "); s.type("")
    s.expect("Why was the Panel not notified sooner?")
    s.expect("> "); s.type("The injuries were first treated as a possible accident. Abuse was suspected only "
                           "when the skeletal survey results were shared on 18 October 2024, and the Panel "
                           "was notified within three working days of that.")
    s.expect("> "); s.type("")
    s.expect("Add an urgent risk? (y/n): "); s.type("y")
    s.expect("The risk"); s.expect("> "); s.type("Child M's sister, aged three, lives with the parents.")
    s.expect("> "); s.type("")
    s.expect("action taken or planned"); s.expect("> ")
    s.type("Strategy meeting held on 8 October 2024; she is staying with her maternal grandmother under the "
           "same safety plan.")
    s.expect("> "); s.type("")
    s.expect("Add another urgent risk? (y/n): "); s.type("n")
    s.expect("still unanswered. Go back to it now? (y/n): "); s.type("n")


def test_the_wt2023_walk_with_an_interruption_and_a_resume(
    tmp_path: Path, run_line: Callable[..., Any]
) -> None:
    target = tmp_path / "child-m.yaml"
    session = PtySession("new", "--interactive", cwd=tmp_path)  # no file name, no profile: both are asked
    first_part(session)
    assert session.wait() == 130
    stopped = session.screen
    assert f"every answer given so far is saved in {target.name}" in stopped
    saved = target.read_text(encoding="utf-8")
    assert "Health visiting (Kellbridge Community Health)" in saved
    # The pasted summary arrived whole, both paragraphs, nothing sent to the next question.
    assert "'Child M was" not in stopped and "Answer y or n" not in stopped

    again = PtySession("new", "--interactive", target.name, cwd=tmp_path)
    second_part(again)
    assert again.wait() == 0, again.screen
    screen = " ".join(again.screen.split())
    # Advice as soon as the dates are known, from the rules' own working days and thresholds.
    assert ("The Panel is notified 11 working days after the local authority became aware (weekends and bank "
            "holidays not counted): more than 5, so the referral needs to say why") in screen
    assert "10 working days after the notification" in screen
    assert "within 15, so no explanation of a delay is needed" in screen
    # Irrelevant after `met`: never asked.
    assert "why would a review still give useful learning" not in screen and "learning priority" not in screen
    assert "Done. Every question passes under wt2023: QM1.1 pass, QM1.2 pass, QM1.3 pass." in screen
    assert "next: fill it in" not in screen and "[0]" not in screen

    text = target.read_text(encoding="utf-8")
    assert "# pseudonym or letter as used in SCR reports" in text  # the skeleton's comments are all kept
    result = run_line("check", "--format", "json", "--today", "2026-11-26", str(target))
    assert result.exit_code == 0, result.stdout
    (checked,) = json.loads(result.stdout)["files"]
    assert checked["profile"] == "wt2023"
    assert checked["questions"] == {"QM1.1": "pass", "QM1.2": "pass", "QM1.3": "pass"}
    assert checked["findings"] == []

    from scrqm.load.document import load_text

    data = load_text(text).data
    assert data["institutions"] == ["Little Acorns Nursery, Northtown"]  # one name, comma and all
    assert [a["name"] for a in data["agencies"]] == [
        "Health visiting (Kellbridge Community Health)", "GP practice", "Little Acorns Nursery, Northtown"]
    paragraphs = data["incident"]["summary"].strip().split("\n")
    assert [" ".join(p.split()) for p in paragraphs] == [" ".join(p.split()) for p in SUMMARY.split("\n\n")]
    assert data["agencies"][0]["involvement"].strip() == (
        "New birth visit in September 2023 and a nine-month review in June 2024. "
        "Bruising to his ear was seen at the review and accepted as a fall from a sofa.")
    assert [c["consideration"] for c in data["criteria"]["local_review"]] == ["a", "b", "c", "d"]
    assert data["criteria"]["other_reason"] in (None, "") and data["criteria"]["learning_priorities"] is None
