"""Teach mode's words: the marker's quality statement and prompts, and our notes.

Only the quality statement and the three questions are quoted from the marker,
always with the attribution; everything else (what to look for, the common
obstacles) is the pack's paraphrase and is labelled as such.  Every reporter
takes its teaching lines from here, so the wording and attribution agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrqm.packs.loader import Question, RuleSet

ATTRIBUTION = "NSPCC/SCIE (2016) SCR Quality Markers"
PROMPT_HEADING = "How might you know if you are meeting this quality marker?"
HELPS_LABEL = "What helps (paraphrased from the marker's notes on common obstacles)"


def one_line(text: str) -> str:
    return " ".join(text.split())


def statement_note(ruleset: RuleSet) -> str | None:
    """The quality statement, quoted, with its attribution."""
    if not ruleset.statement:
        return None
    return (f'Quality statement: "{one_line(ruleset.statement)}" ({ATTRIBUTION}, Quality Marker 1: Referral). '
            f'Each question below is one of the marker\'s prompts, "{PROMPT_HEADING}"')


def question_notes(question: Question) -> list[tuple[str, str]]:
    """(label, text) pairs for one question: what to look for, then what helps.

    The question itself is the block's title, so it is not repeated here.  The
    marker's "Tackling some common obstacles" are things that help (a board whose
    reviews have taught something is sent more cases), so they are labelled as
    such, and as the pack's paraphrase, never as obstacles.
    """
    notes = []
    if question.how_to_know:
        notes.append(("What to look for", one_line(question.how_to_know)))
    notes += [(HELPS_LABEL, one_line(o)) for o in question.obstacles]
    return notes
