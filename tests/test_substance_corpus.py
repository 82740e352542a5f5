"""Judging substance, through the whole pipeline: genuine prose is never flagged; gamed text gets its verdict.

Two corpora of fictional referral text. The genuine half, written in many
styles (short sentences, one long sentence, bullet lines, numbered points,
dense dates, expanded jargon, a pseudonym and agencies named again and again,
the child's own words, formal and plain registers, learning phrased many
ways), must give no finding at all. The gamed or weak half (filler of every
kind, a pasted summary, placeholder sentences, no word of learning) must give
exactly the findings RULES-QM1.md requires. Each case is a whole referral
checked as `scrqm check` checks a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import EXAMPLES, changed

from scrqm.result import FileResult

SUMMARY = "Child F was brought to hospital unresponsive on 7 November 2016 and died the next day."

BASE: dict[str, Any] = {
    "format": "scrqm/referral@1",
    "referral": {"reference": "NLSCB-2016-004", "date": "2016-11-10", "board": "Northshire LSCB",
                 "referrer": {"agency": "Northshire Children's Social Care", "role": "Head of Safeguarding"}},
    "child": {"reference": "Child F", "age": 3},
    "incident": {"type": "death", "date": "2016-11-07", "aware_date": "2016-11-08",
                 "abuse_or_neglect": "suspected", "setting": "home", "summary": SUMMARY},
    "agencies": [{"name": "Health visiting", "involvement": "Universal contacts 2015-2016."}],
    "working_together_concerns": "Concerns held by health and police were not shared.",
    "criteria": {"statutory": "met"},
    "rationale": "placeholder, replaced by each case",
    "supporting_information": [{"type": "chronology", "title": "Combined chronology 2015-2016"}],
}


def as_yaml(data: dict[str, Any], block: str = ">") -> str:
    """The referral as a file would have it: the rationale a block scalar (`>` folded, `|` literal)."""
    rest = {k: v for k, v in data.items() if k != "rationale"}
    text = "\n".join(f"{key}: {json.dumps(value)}" for key, value in rest.items())
    body = "\n".join(f"  {line}" if line.strip() else "" for line in data["rationale"].strip("\n").splitlines())
    return f"{text}\nrationale: {block}\n{body}\n"


# ---------------------------------------------------------------- genuine: no finding at all

GENUINE: list[tuple[str, str, str]] = [
    ("short sentences", ">", """
Child F was three. She died at home. Her injuries were not accidental. Five agencies knew
her. Each saw a part. None saw the whole. The health visitor saw low mood. The GP saw a
bruise. The police went to the flat twice. Nobody joined these up. A review could show
why. It could also show what would help staff share worries sooner.
"""),
    ("one very long sentence", ">", """
Child F, who was three years old, died of head injuries that the paediatrician and the
pathologist both believe were inflicted, in a household that was known over the previous
eighteen months to the health visiting service, to her family doctor, to the police, to
the housing association and to the children's centre, each of which recorded a concern
of its own without, as far as the chronology shows, passing it to any of the others, so
that a review could show how information about a young child is held and shared in
Northshire and why the pattern was not seen in time.
"""),
    ("bullet lines in a literal block", "|", """
Why we refer this case:
- Child F died of injuries thought to be inflicted; she was three.
- The health visitor recorded low maternal mood in March and May 2016.
- The family doctor saw an unexplained bruise on her cheek in June 2016.
- The police attended two domestic incidents at the address in August.
- None of these concerns reached children's social care.
What a review could learn:
- how concerns held by single agencies are brought together;
- whether the domestic abuse notification process works for very young children.
"""),
    ("numbered points", "|", """
1. Child F, aged three, died at home in November 2016 from inflicted head injuries.
2. Five agencies had contact with the family during 2016 and each held a concern.
3. The concerns were never shared, and no strategy discussion took place.
4. We want to understand why the referral from the nursery in September was closed
   after a single telephone call to the mother.
5. Lessons for the partnership: the threshold document, and how the front door
   handles repeated low-level contacts about the same child.
"""),
    ("dense dates and figures", ">", """
Between 4 January and 6 November 2016 the family had 23 recorded contacts with six
agencies: 9 with health visiting (last on 12 October), 5 with the GP practice (bruise
noted 14 June), 4 police call-outs (2 March, 19 May, 8 August, 21 August), 3 with
housing and 2 with the nursery. Attendance at nursery fell from 92% in spring to 41%
by October. Three of the 23 contacts were shared with another agency. A review could
examine why 20 were not.
"""),
    ("heavy jargon expanded once", ">", """
The Multi-Agency Safeguarding Hub (MASH) received two contacts about Child F, each
closed at the front door as below threshold. The Local Authority Designated Officer
(LADO) was not told of the nursery worker's concern. No Initial Child Protection
Conference (ICPC) was held, and the Multi-Agency Risk Assessment Conference (MARAC)
heard the mother's case in August without knowing a child lived with her. The MASH,
the LADO and the MARAC each held part of the risk. A review could show how their
practice fits together, and what would improve it.
"""),
    ("pseudonym and agency names repeated", ">", """
Child F was known to Northshire Health Visiting, Northshire Police and Kellbridge
Nursery. Northshire Health Visiting saw Child F six times; Northshire Police saw
Child F twice; Kellbridge Nursery saw Child F most weekdays until September. Child F
was described by Kellbridge Nursery as withdrawn, by Northshire Health Visiting as
thriving, and by Northshire Police as asleep. Child F's story was told three ways
and never once as a whole. A review could explore why Northshire agencies did not
compare their views of Child F.
"""),
    ("a quotation from the child", ">", """
In September Child F told her nursery key worker, "Daddy shouts and I hide under the
bed, no no no." The key worker wrote this down and told the nursery manager, who
decided it was not a safeguarding matter. Two months later Child F died from injuries
that are thought to be inflicted. We want to understand why a child's own words did
not lead to a referral, and what would help staff in early years settings act on them.
"""),
    ("formal register", ">", """
The Board is asked to note that the circumstances of Child F's death satisfy the
criteria set out in regulation 5(2) of the Local Safeguarding Children Boards
Regulations 2006. Abuse is suspected, and there is cause for concern as to the way in
which the relevant agencies worked together. It is submitted that a Serious Case
Review would enable the Board to examine the effectiveness of information sharing
between universal services and to identify learning for the partnership.
"""),
    ("plain register", ">", """
Child F died and we think someone hurt her. Lots of people knew things about her
family but nobody put it all together. The health visitor was worried about mum. The
doctor saw a bruise. The police went round twice. We'd like a review to look at why
none of that got passed on, and what we can learn so it does next time.
"""),
    ("learning: a review could show", ">", """
Child F's death followed a year in which her mother asked three agencies for help with
her own mental health and was turned away by each because she did not meet their
criteria. A review could show how adult mental health services and children's services
decide together when a parent's illness puts a young child at risk.
"""),
    ("learning: lessons for", ">", """
The family moved between three local authority areas in the fourteen months before
Child F died, and each move closed the case at one end before it was opened at the
other. There are lessons for every board in the region about how records follow a
child across borders and who holds responsibility in between.
"""),
    ("learning: to explore how", ">", """
The case is referred to explore how early years settings, health visiting and
children's social care share concerns about neglect that build slowly. The nursery
recorded hunger and poor hygiene on eleven occasions; the health visitor recorded
missed checks; neither knew of the other's records until after Child F died.
"""),
    ("learning: practice in", ">", """
Child F died while subject to a child in need plan. The plan had not been reviewed for
five months, the lead professional had changed three times, and the family's worker at
the end had never met Child F. A review would look at practice in case transfer and
in keeping plans alive when staff move on.
"""),
    ("learning: improve", ">", """
Five agencies knew Child F's family; two of them made referrals that were closed
without a visit. Senior managers believe the front door was overwhelmed during the
summer of 2016. The partnership wants a review to find out what happened and how the
response to repeated referrals about one child can be improved across Northshire.
"""),
    ("learning: understanding", ">", """
Child F had a rare genetic condition, and every professional who saw her bruises put
them down to it. The paediatric team, the school nurse and the social worker each
deferred to the others. The board needs a better understanding of how a medical
explanation can close down safeguarding enquiry before it starts.
"""),
    ("learning: learnt, past tense", ">", """
After the death of Child F the agencies met informally and believe much was learnt
about how they respond to disguised compliance. The board would value a review so that
this is tested, written down and shared beyond the people who were in the room: their
memories of the case are already fading and two of them have since left.
"""),
    ("welsh and other place names", ">", """
The family lived in Ynysforgan, then Cwmbwrla, then Llansamlet, and Child F attended
nurseries in Pontarddulais and Gorseinon. Each move took her into a new health board
area and a new team. A review could show how records and concerns follow a young child
across the border between Northshire and its Welsh neighbours.
"""),
    ("typed in capitals", ">", """
CHILD F DIED AT HOME ON 7 NOVEMBER 2016 FROM INJURIES THAT DOCTORS BELIEVE WERE
INFLICTED. THE HEALTH VISITOR, THE FAMILY DOCTOR AND THE POLICE EACH KNEW OF A CONCERN
AND NONE OF THEM SHARED IT. A REVIEW COULD SHOW WHY THE CONCERNS STAYED APART AND WHAT
WOULD HELP THEM COME TOGETHER SOONER.
"""),
    ("a repeated refrain in a chronology", "|", """
What the agencies did, and what followed:
- March 2016: the health visitor noted low mood. No action was taken.
- June 2016: the family doctor saw a bruise on the cheek. No action was taken.
- August 2016: the police attended a domestic incident. No action was taken.
- September 2016: the nursery heard Child F's account of hiding. No action was taken.
Each agency acted alone on what it saw. A review could show why each concern
stopped with the agency that held it.
"""),
    ("one sentence shared with the summary", ">", """
Child F was brought to hospital unresponsive on 7 November 2016 and died the next day.
Her father's account changed twice in the first hour. In the year before, the health
visitor, the GP and the nursery each had a worry that stayed with them. A review could
examine why, and what the partnership should change in its practice.
"""),
    ("not placeholders: follow up, to be provided, awaiting trial", ">", """
The health visitor planned to follow up the missed check in October, but the family had
moved. Support continues to be provided to Child F's brother by his school, and the
father is awaiting trial. Criminal proceedings are pending and the police have agreed
the review may begin now. A review could show why the move was not noticed by anyone.
"""),
    ("professional terms: medical", ">", """
The skeletal survey found metaphyseal fractures of different ages, and the ophthalmologist
found retinal haemorrhages. The subdural haematoma was at first thought to be from a fall.
Child F had been seen by a paediatrician in June for faltering growth and discharged. A
review could examine how the earlier paediatric assessment weighed the social history.
"""),
    ("professional terms: social care", ">", """
Child F was the subject of a section 17 child in need plan that stepped down to early
help after a single core group. Disguised compliance, a parental capacity assessment
that was never completed, and drift in the early help offer are all visible in the
chronology. A review could show how step-down decisions are made and quality assured.
"""),
    ("many agencies, names only", ">", """
Agencies involved: Northshire Children's Social Care, Kellbridge Primary School,
Northshire Police, Eastmere NHS Foundation Trust, Northshire Clinical Commissioning
Group, Aldway Housing, Kellbridge Children's Centre and Northshire Youth Offending
Service. Every one of them held information about the risk to Child F. A review could
show how eight organisations can each be partly right and the child still be unsafe.
"""),
    ("an older sibling, serious harm", ">", """
Child F's brother, aged fourteen, was stabbed near his school in October 2016 and has
lasting injuries. He had been missing from home eleven times that year and was known to
be carrying drugs for older men. The police, the school and the youth service each saw
signs of criminal exploitation. We want to understand why no one agency took the lead.
"""),
    ("learning: what could be shown", ">", """
The referral concerns the death of a baby, Child F, at seven weeks, while sleeping with
her parents after they had been drinking. Safe sleep advice was given at birth and at
the new birth visit, but not repeated after the family's circumstances changed. What
could be shown by a review is how advice keeps pace with a family's changing risks.
"""),
    ("mixed bullets and prose", "|", """
Child F died after a period of neglect that several services saw in part.

Key concerns:
* weight loss recorded by the GP in May and July;
* missed nursery sessions from September;
* a home visit in October at which no one answered.

The board would like a review to explore how the signs of neglect in a pre-school child
are recognised when no single service sees them all.
"""),
    ("a question the review should answer", ">", """
Why did the nursery's referral in September, the third about Child F that year, lead
only to a letter? That is the question at the heart of this referral. The chronology
shows each referral was judged on its own, without the earlier ones. A review could
examine whether this is how the front door usually works, and whether it should.
"""),
    ("learning priorities named", ">", """
The case touches two of the board's learning priorities: neglect in families with
younger children, and the impact of parental mental ill-health. Child F's mother was
under the community mental health team; Child F was seen by nobody but the health
visitor after her first birthday. A review could examine both priorities in one case.
"""),
    ("the child's words, repeated as she said them", ">", """
Asked by her teacher about the marks on her arm, Child F said "no no no no no" and hid
her face. The teacher told the designated safeguarding lead, who phoned the mother.
Nothing more happened. Three weeks later Child F was admitted to hospital with a
broken arm. We want to understand why a frightened child's refusal to talk was read
as reassurance rather than as a reason to refer.
"""),
    ("past plans that were to be confirmed", ">", """
Child F was due to be seen again by the paediatrician in four weeks, and the
appointment was to be confirmed by letter; the letter went to an old address. The
health visitor had planned to follow up after the move but the records had not
arrived. A review could show what happens to a child's appointments when a family
moves at short notice, and which agency is expected to notice.
"""),
    ("hyphenated and compound words", ">", """
Child F's step-father had a long-standing, well-documented history of violence towards
ex-partners, which was known to the probation-led multi-agency panel but not to the
health-visiting team or the early-years setting. A review could show why cross-agency
risk information did not reach the people working day-to-day with a three-year-old, and
what that says about practice.
"""),
]


@pytest.fixture
def run(check: Callable[..., FileResult]) -> Callable[..., FileResult]:
    def go(text: str) -> FileResult:
        return check(text)
    return go


def test_the_genuine_corpus_is_big_and_varied() -> None:
    assert len(GENUINE) >= 30
    assert {block for _, block, _ in GENUINE} == {">", "|"}


@pytest.mark.parametrize(("style", "block", "rationale"), GENUINE, ids=[s for s, _, _ in GENUINE])
def test_genuine_rationale_gives_no_finding(
    run: Callable[..., FileResult], style: str, block: str, rationale: str
) -> None:
    result = run(as_yaml(changed(BASE, rationale=rationale), block))
    assert [(f.rule, f.message) for f in result.findings] == []
    assert result.verdict == "pass"


def _example_texts() -> list[Any]:
    """The free text of every example that its manifest says is clean: none may read as filler."""
    cases = []
    for manifest in [EXAMPLES / "manifest.json", EXAMPLES / "wt2023" / "manifest.json"]:
        for name, expected in json.loads(manifest.read_text(encoding="utf-8"))["examples"].items():
            if expected["verdict"] != "invalid":
                cases.append(pytest.param(manifest.parent / name, id=f"{manifest.parent.name}/{name}"))
    return cases


NEW_RULES = {"QM1.1-rationale-repeats-summary", "QM1.1-rationale-no-learning",
             "QM1.1-rationale-placeholder-sentence"}


@pytest.mark.parametrize("path", _example_texts())
def test_no_example_text_reads_as_filler(check: Callable[..., FileResult], path: Path) -> None:
    """Filler is judged wherever the pack says; no genuine field of the gallery is filler."""
    result = check(path.read_text(encoding="utf-8"))
    filler = [f for f in result.findings if "filler" in f.message or f.rule in NEW_RULES]
    assert [f.message for f in filler if "gamed" not in path.name and "filler" not in path.name
            and "summary" not in path.name and "placeholder-sentence" not in path.name] == []


# ---------------------------------------------------------------- gamed or weak: the verdict RULES-QM1.md requires

LEARNING = " A review could show why the concerns were never brought together."
FACTS = ("Child F died of head injuries that doctors believe were inflicted. Five agencies knew the "
         "family in the year before the death, and each held part of the picture: the health visitor "
         "saw low mood, the family doctor saw a bruise, the police attended two domestic incidents, and "
         "the nursery heard her say that she hid under the bed.")
GOOD = FACTS + LEARNING
LONG_SUMMARY = ("Child F was brought to hospital unresponsive on 7 November 2016 and died the next day. "
                "Doctors found head injuries and old fractures. Her father said she had fallen from the sofa. "
                "The police arrested both parents on 9 November 2016.")
LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
         "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit "
         "esse cillum dolore eu fugiat nulla pariatur.")
KEYS = "asdf jkl qwerty asdf jkl; qwerty uiop zxcv hjkl asdfgh qwer tyui ghjk bnm, sdfg wert cvbn " * 3
LATE = {"referral__date": "2016-11-25"}  # 13 working days after becoming aware: late

MISSING = ("QM1.1-rationale-missing", "fail")
REPEATS = ("QM1.1-rationale-repeats-summary", "warn")
NO_LEARNING = ("QM1.1-rationale-no-learning", "warn")
SENTENCE = ("QM1.1-rationale-placeholder-sentence", "warn")
BRIEF = ("QM1.1-rationale-brief", "warn")

# (name, changes, expected findings as (rule, severity), a word the message must hold)
GAMED: list[tuple[str, dict[str, Any], list[tuple[str, str]], str]] = [
    ("blah written 60 times", {"rationale": " ".join(["blah"] * 60)}, [MISSING], "one word"),
    ("blah blah with punctuation", {"rationale": "Blah, blah, blah. " * 20}, [MISSING], "sentence appears 20"),
    ("the the the", {"rationale": " ".join(["the"] * 40)}, [MISSING], "one word"),
    ("a sentence pasted four times", {"rationale": "This case needs a review because agencies did not share "
                                      "information about the child. " * 4}, [MISSING], "sentence appears 4 times"),
    ("a sentence pasted three times", {"rationale": "Agencies failed this child and a review is needed now. " * 3},
     [MISSING], "sentence appears 3 times"),
    ("the whole rationale pasted three times", {"rationale": (GOOD + " ") * 3}, [MISSING], "sentence appears 3"),
    ("a phrase repeated", {"rationale": "very serious case " * 20}, [MISSING], "repeated"),
    ("real words padded with blah", {"rationale": "Child F died and five agencies knew the family. "
                                     + "blah " * 40}, [MISSING], "one word"),
    ("lorem ipsum", {"rationale": LOREM}, [MISSING], "not English"),
    ("keyboard runs", {"rationale": KEYS}, [MISSING], "not English"),
    ("keyboard runs in capitals", {"rationale": "ASDF QWERTY ZXCV HJKL UIOP GHJK BNMV " * 8}, [MISSING],
     "filler"),
    ("keyboard runs in capitals, never twice", {"rationale": "ASDF QWERTY ZXCV HJKL UIOP GHJK BNMV SDFG WERT "
                                                "CVBN DFGH ERTY XCVB FGHJ RTYU"}, [MISSING], "not English"),
    ("few content words", {"rationale": "It was sad. It was bad. It was very sad and it was very bad for "
                           "the child and for us, so we think it is bad."}, [MISSING], "content words"),
    ("placeholder sentences only", {"rationale": "Details to follow. Chronology TBC."}, [MISSING], "placeholder"),
    ("the summary pasted as the rationale",
     {"incident__summary": LONG_SUMMARY, "rationale": LONG_SUMMARY + " The case was discussed with the police "
      "and both parents remain on bail."}, [REPEATS, NO_LEARNING], "a summary of what happened is not a rationale"),
    ("the summary with two words changed in each sentence",
     {"incident__summary": LONG_SUMMARY,
      "rationale": "Child F was taken to hospital unresponsive on 7 November 2016 and died the following day. "
                   "Doctors found head injuries and healing fractures. Her father said she had fallen off the "
                   "sofa. The police arrested both parents on 9 November. A review could show why the nursery, "
                   "the health visitor and the police never compared what they knew about her."},
     [REPEATS], "repeat `incident.summary`"),
    ("summary sentences with the learning last",
     {"incident__summary": LONG_SUMMARY, "rationale": LONG_SUMMARY + LEARNING}, [REPEATS], "4 of the 5"),
    ("no learning: facts only", {"rationale": FACTS + " The father has been charged and the mother is in "
                                 "a refuge with the baby."}, [NO_LEARNING], "says nothing of what a review"),
    ("no learning: criteria asserted", {"rationale": "The criteria for a Serious Case Review are met. Child F "
     "died of injuries believed to be inflicted, abuse is suspected, and five agencies were involved with the "
     "family before the death, so the board must consider the case. The police have charged the father, and "
     "the coroner has opened an inquest."}, [NO_LEARNING], "could learn"),
    ("further details TBC", {"rationale": GOOD + " Further details TBC."}, [SENTENCE], "sentence 4"),
    ("chronology to follow", {"rationale": GOOD + " Chronology to follow."}, [SENTENCE], "to follow"),
    ("see attached as a sentence", {"rationale": GOOD + " See attached."}, [SENTENCE], "placeholder"),
    ("details to be confirmed mid-text", {"rationale": FACTS + " The date of the strategy meeting is to be "
                                          "confirmed." + LEARNING}, [SENTENCE], "sentence 3"),
    ("TBC is no acronym", {"rationale": GOOD + " Agency reports TBC."}, [SENTENCE], "placeholder"),
    ("a bullet that is a placeholder", {"rationale": GOOD + "\n- TBC\n"}, [SENTENCE], "sentence"),
    ("summary is filler", {"incident__summary": " ".join(["blah"] * 30)},
     [("QM1.1-summary-missing", "fail")], "filler"),
    ("summary is lorem ipsum", {"incident__summary": LOREM}, [("QM1.1-summary-missing", "fail")], "not English"),
    ("other reason is filler",
     {"criteria__statutory": "not_met", "incident__abuse_or_neglect": "not_suspected",
      "criteria__other_reason": "Learning learning learning learning learning learning."},
     [("QM1.2-other-reason-missing", "fail")], "filler"),
    ("other reason is a keyboard run",
     {"criteria__statutory": "not_met", "incident__abuse_or_neglect": "not_suspected",
      "criteria__other_reason": "sdkjfh sdkfjh qwpoei zmxncb lkjasd"},
     [("QM1.2-other-reason-missing", "fail")], "not English"),
    ("other reason is placeholder sentences",
     {"criteria__statutory": "not_met", "incident__abuse_or_neglect": "not_suspected",
      "criteria__other_reason": "Reasons to follow. Details TBC."},
     [("QM1.2-other-reason-missing", "fail")], "placeholder"),
    ("late, explanation is filler", {**LATE, "delay": {"explanation": "blah blah blah blah blah blah blah blah"}},
     [("QM1.3-delay-unexplained", "fail")], "filler"),
    ("late, explanation is lorem ipsum", {**LATE, "delay": {"explanation": LOREM}},
     [("QM1.3-delay-unexplained", "fail")], "not English"),
    ("late, explanation is a pasted sentence",
     {**LATE, "delay": {"explanation": "We were waiting for the police to agree. " * 3}},
     [("QM1.3-delay-unexplained", "fail")], "sentence appears 3"),
    ("on time, explanation filler needs none", {"delay": {"explanation": "blah blah blah blah blah"}}, [], ""),
    ("a short rationale: brief, not filler", {"rationale": "Child F died of head injuries. Five agencies knew "
     "the family and each held part of the picture. A review could show why it was never put together."},
     [BRIEF], "words"),
]


@pytest.mark.parametrize(("changes", "expected", "said"), [pytest.param(c, e, s, id=n) for n, c, e, s in GAMED])
def test_gamed_text_gets_the_required_verdict(
    check: Callable[..., FileResult], changes: dict[str, Any], expected: list[tuple[str, str]], said: str
) -> None:
    data = changed(BASE, **{"rationale": GOOD, **changes})
    result = check(as_yaml(data, "|"))
    assert sorted((f.rule, f.severity) for f in result.findings) == sorted(expected), [
        (f.rule, f.message) for f in result.findings]
    questions = result.questions or {}
    for rule, severity in expected:
        question = rule.split("-")[0]
        assert questions[question] == min((s for r, s in expected if r.startswith(question)),
                                          key=["fail", "warn", "info"].index)
    assert not expected or any(said in f.message for f in result.findings), [f.message for f in result.findings]


def test_the_gamed_corpus_is_big_enough() -> None:
    assert len(GAMED) >= 30


def test_repeats_summary_names_the_rationales_own_lines(check: Callable[..., FileResult]) -> None:
    data = changed(BASE, incident__summary=LONG_SUMMARY,
                   rationale="Child F was brought to hospital unresponsive on 7 November 2016\n"
                             "and died the next day.\nDoctors found head injuries and old fractures.\n"
                             "A review could show why.\n")
    text = as_yaml(data, "|")
    [finding] = [f for f in check(text).findings if f.rule == "QM1.1-rationale-repeats-summary"]
    rationale_line = text.splitlines().index("rationale: |") + 1
    assert f"(lines {rationale_line + 1} and {rationale_line + 3})" in finding.message
    assert "2 of the 3 sentences" in finding.message
    assert "Child F" not in finding.message  # the sentences are named by line, never quoted


def test_exactly_half_the_sentences_is_not_more_than_half(check: Callable[..., FileResult]) -> None:
    data = changed(BASE, incident__summary=LONG_SUMMARY,
                   rationale="Doctors found head injuries and old fractures. Her father said she had fallen "
                             "from the sofa. Five agencies, from the health visitor to the housing officer, each "
                             "knew a part of the family's story over the year before she died. A review could "
                             "show why nobody saw the whole of it in time, and what would help them next time.")
    assert [f.rule for f in check(as_yaml(data)).findings] == []


def test_placeholder_sentence_points_at_its_line(check: Callable[..., FileResult]) -> None:
    text = as_yaml(changed(BASE, rationale=GOOD.replace(". ", ".\n") + "\nFurther details TBC.\n"), "|")
    [finding] = check(text).findings
    assert finding.rule == "QM1.1-rationale-placeholder-sentence"
    assert finding.line == len(text.splitlines())
    assert f"(line {finding.line})" in finding.message


def test_a_board_extends_the_learning_words(tmp_path: Path, run_line: Callable[..., Any]) -> None:
    rationale = FACTS + " The partnership wants to reflect on why the concerns stayed apart."
    referral = tmp_path / "r.yaml"
    referral.write_text(as_yaml(changed(BASE, rationale=rationale)), encoding="utf-8")
    plain = run_line("check", "--isolated", "--format", "json", "--today", "2026-11-26", str(referral))
    assert [f["rule"] for f in json.loads(plain.stdout)["files"][0]["findings"]] == [NO_LEARNING[0]]
    config = tmp_path / ".scrqm.yaml"
    config.write_text("vocabularies:\n  learning: [reflect*]\n", encoding="utf-8")
    extended = run_line("check", "--config", str(config), "--format", "json", "--today", "2026-11-26", str(referral))
    assert json.loads(extended.stdout)["files"][0]["findings"] == []
    shown = run_line("config", "--config", str(config)).stdout
    assert '"reflect*"' in shown and "vocabularies.learning" in shown


def test_thresholds_of_filler_are_changeable(tmp_path: Path, run_line: Callable[..., Any]) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_text(as_yaml(changed(BASE, rationale="It was sad. It was bad. It was very sad and it was "
                                         "very bad for the child and for us, so we think it is bad.")),
                        encoding="utf-8")
    config = tmp_path / ".scrqm.yaml"
    config.write_text("thresholds: {rationale_min_content_words: 3}\n", encoding="utf-8")
    result = run_line("check", "--config", str(config), "--format", "json", "--today", "2026-11-26", str(referral))
    rules = [f["rule"] for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert MISSING[0] not in rules and "QM1.1-rationale-too-short" not in rules and BRIEF[0] in rules
    listed = run_line("config", "--config", str(config)).stdout
    for name in ("rationale_min_content_words: 3", "filler_repeated_percent: 50",
                 "filler_not_english_percent: 50", "summary_repeat_percent: 50", "summary_changed_words: 2"):
        assert f"thresholds.{name}" in listed, name


WT2023 = (EXAMPLES / "wt2023" / "01-exemplary-death.yaml").read_text(encoding="utf-8")


def test_wt2023_judges_filler_in_the_rapid_review_explanation(check: Callable[..., FileResult]) -> None:
    import re

    clean = check(WT2023)
    assert clean.findings == []
    # Held and sent late; the rest of the rapid review's record is kept as the example has it.
    text = re.sub(r"(?m)^  date: 2024-03-22 .*\n  sent_date: .*\n", "  date: 2024-04-05\n  sent_date: 2024-04-05\n"
                  "  delay_explanation: asdf qwer zxcv hjkl uiop ghjk\n", WT2023)
    assert "asdf" in text
    result = check(text)
    assert [(f.rule, f.severity) for f in result.findings] == [("QM1.3-rapid-review-late-unexplained", "fail")]
    assert "filler" in result.findings[0].message


def test_wt2023_judges_filler_in_the_rationale(check: Callable[..., FileResult]) -> None:
    import re

    text = re.sub(r"(?ms)^rationale: >\n(  .*?\n)+(?=\S)", "rationale: " + " ".join(["blah"] * 60) + "\n", WT2023)
    result = check(text)
    assert [(f.rule, f.severity) for f in result.findings] == [MISSING]


def test_only_the_word_list_is_read_never_the_package_imported(check: Callable[..., FileResult]) -> None:
    import sys

    from scrqm.judge.substance import english_words

    assert check(as_yaml(changed(BASE, rationale=LOREM))).verdict == "fail"
    assert len(english_words()) > 80_000 and "symspellpy" not in sys.modules
