"""Tests for scrqm.judge.prose: absence, placeholders, word counts, acronyms."""

from __future__ import annotations

import pytest

from scrqm.judge.prose import (
    ACRONYM_GLOSSARY_DEFAULT,
    is_absent,
    is_placeholder,
    unexpanded_acronyms,
    word_count,
)

# --------------------------------------------------------------------------
# is_absent
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t ", [], (), {}, set()])
def test_is_absent_true(value: object) -> None:
    assert is_absent(value) is True


@pytest.mark.parametrize("value", ["x", " - ", "TBC", [None], ("",), {"a": 1}, 0, False, 0.0])
def test_is_absent_false(value: object) -> None:
    # Placeholders and falsy scalars are values, not absence.
    assert is_absent(value) is False


# --------------------------------------------------------------------------
# is_placeholder
# --------------------------------------------------------------------------

PLACEHOLDERS = [
    "TBC", "tbc", "TBC.", " TBC ", "T.B.C.", "TBA", "- TBA -", "tbd",
    "to follow", "(to follow)", "To Follow...", "to be confirmed", "to be advised",
    "see attached", "See attached.", "see above", "as above", "see below",
    "same as above", "N/A", "n/a", "na", "NA", "n.a.", "none", "None.", "nil",
    "-", "--", "...", "\u2026", "?", "???", "xxx", "XXXXXX", "unknown",
    "Unknown.", "not known", "pending", "awaiting", "[TBC]", "\u201cTBC\u201d",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_is_placeholder_true(text: str) -> None:
    assert is_placeholder(text) is True


NOT_PLACEHOLDERS = [
    "unknown at the time of referral, because the family moved",
    "None of the agencies shared the referral with the school.",
    "See the chronology at section 4: the health visitor saw the child on 3 March.",
    "Child died at home",
    "tbc by Friday once the police report is received",
    "The GP was not aware of the injuries.",
    "no",
    "42",
    "nationality",  # contains "na" but is a word
]


@pytest.mark.parametrize("text", NOT_PLACEHOLDERS)
def test_is_placeholder_false(text: str) -> None:
    assert is_placeholder(text) is False


@pytest.mark.parametrize("text", [None, "", "   ", "\n"])
def test_is_placeholder_absent_text_is_not_a_placeholder(text: str | None) -> None:
    # Absence is is_absent's job; both together cover "absent or a placeholder".
    assert is_placeholder(text) is False


# --------------------------------------------------------------------------
# word_count
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, 0),
        ("", 0),
        ("   ", 0),
        ("- - -", 0),
        ("...", 0),
        ("one", 1),
        ("The child was seen.", 4),
        ("didn't", 1),
        ("didn\u2019t attend", 2),
        ("multi-agency meeting", 2),
        ("a 3-year-old child", 3),
        ("- first point\n- second point", 4),
        ("On 14 March 2016, A&E saw him.", 7),  # On/14/March/2016/A&E/saw/him
        ("word , word ; word", 3),
        ("\u00e9l\u00e8ve na\u00efve", 2),
    ],
)
def test_word_count(text: str | None, expected: int) -> None:
    assert word_count(text) == expected


# --------------------------------------------------------------------------
# Acronyms
# --------------------------------------------------------------------------


def _acronyms(
    text: str, source: str | None = None, glossary: frozenset[str] = frozenset()
) -> list[str]:
    found = unexpanded_acronyms(
        text, expansions_source=text if source is None else source, glossary=glossary
    )
    return [acronym for acronym, _ in found]


def test_glossary_is_sensible() -> None:
    for acronym in ("LSCB", "SCR", "GP", "NHS", "A&E", "CAMHS", "MASH", "LADO", "DfE", "NSPCC"):
        assert acronym in ACRONYM_GLOSSARY_DEFAULT
    # Ofsted is written as a word, and MARAC is local enough to need expanding.
    assert "Ofsted" not in ACRONYM_GLOSSARY_DEFAULT
    assert "MARAC" not in ACRONYM_GLOSSARY_DEFAULT
    assert 25 <= len(ACRONYM_GLOSSARY_DEFAULT) <= 60


def test_reports_first_occurrence_with_offset() -> None:
    text = "The MARAC met. Later the MARAC met again and IDVA attended."
    found = unexpanded_acronyms(text, expansions_source=text, glossary=frozenset())
    assert found == [("MARAC", 4), ("IDVA", 45)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Discussed at MARAC.", ["MARAC"]),
        ("Seen in A&E and by CAMHS.", ["A&E", "CAMHS"]),
        ("Linked to LP2 in the plan.", ["LP2"]),
        ("The GPs were told.", ["GP"]),  # plural folds into the acronym
        ("The MARAC's minutes.", ["MARAC"]),
        ("(MARAC) then", ["MARAC"]),
        # Not acronyms: capitalised words, single letters, roman numerals,
        # clock words, references with a number after a hyphen.
        ("The Child And Family were seen by I and A.", []),
        ("Part IV of the Act and Schedule II", []),
        ("At 10 AM, OK.", []),
        ("Reference NLSCB-2016-004 applies.", []),
        ("McDonald and iPhone and DfE", []),
    ],
)
def test_detects_acronyms(text: str, expected: list[str]) -> None:
    assert _acronyms(text, source="") == expected


@pytest.mark.parametrize("acronym", ["GP", "NHS", "A&E", "LSCB", "CAMHS", "SCR"])
def test_default_glossary_suppresses(acronym: str) -> None:
    text = f"Seen by {acronym} staff."
    assert _acronyms(text, source="", glossary=ACRONYM_GLOSSARY_DEFAULT) == []
    assert _acronyms(text, source="", glossary=frozenset()) == [acronym]


def test_glossary_case_insensitive_fallback() -> None:
    assert _acronyms("The DFE said so.", source="", glossary=frozenset({"DfE"})) == []
    assert _acronyms("The DFE said so.", source="", glossary=frozenset({"DSL"})) == ["DFE"]


@pytest.mark.parametrize(
    "source",
    [
        "Multi-Agency Risk Assessment Conference (MARAC)",
        "multi-agency risk assessment conference (MARAC)",
        "the Multi Agency Risk Assessment Conference (MARAC) met",
        "a Multi-Agency Risk Assessment Conference ( MARAC ), which",
        "Multi-Agency Risk Assessment Conference (\u201cMARAC\u201d)",
        "Multi-Agency Risk Assessment Conferences (MARACs)",
        "MARAC (multi-agency risk assessment conference)",
        "MARAC (Multi-Agency Risk Assessment Conference) minutes",
        "MARAC (a meeting where agencies share risk assessments of abuse cases)",
    ],
)
def test_expanded_marac(source: str) -> None:
    assert _acronyms("Discussed at MARAC.", source=source) == []


@pytest.mark.parametrize(
    ("acronym", "source"),
    [
        ("CAMHS", "Child and Adolescent Mental Health Services (CAMHS)"),
        ("LSCB", "Local Safeguarding Children Board (LSCB)"),
        ("CSC", "Children's Social Care (CSC)"),
        ("SUDI", "Sudden Unexpected Death in Infancy (SUDI)"),
        ("TAC", "Team Around the Child (TAC)"),
        ("MAPPA", "Multi-Agency Public Protection Arrangements (MAPPA)"),
        ("SEND", "Special Educational Needs and Disabilities (SEND)"),
        ("A&E", "Accident and Emergency (A&E)"),
        ("LP2", "Learning Priority 2 (LP2)"),
        ("IDVA", "Independent Domestic Violence Advisor (IDVA)"),
        ("LIF", "our learning and improvement framework (LIF)"),
    ],
)
def test_expanded_before_parenthesis(acronym: str, source: str) -> None:
    assert _acronyms(f"See {acronym}.", source=source) == []


@pytest.mark.parametrize(
    "source",
    [
        "",
        "MARAC",
        "The MARAC met (MARAC)",  # no words spelling it before the parenthesis
        "Multi-Agency Risk Assessment Conference MARAC",  # no parenthesis
        "Risk Assessment Conference (MARAC)",  # initials do not reach M
        "Multi-Agency Risk Assessment Conference held (MARAC)",  # ends on a stray word
        "MARAC (see above)",
        "MARAC (2016)",
        "MARAC (risk meeting)",  # first word does not start with M
        # Letters in order, but not from the first word: an aside, not an expansion.
        "MARAC (risk: met again, reviewed by agencies, closed)",
        "Multi-Agency Risk Assessment Conference (MARAC-2)",
        "IDVA (Independent Domestic Violence Advisor)",  # expands a different acronym
    ],
)
def test_not_expanded_marac(source: str) -> None:
    assert _acronyms("Discussed at MARAC.", source=source) == ["MARAC"]


def test_expansion_anywhere_in_the_file_counts() -> None:
    rationale = "The MARAC had met twice."
    whole_file = (
        "incident:\n  summary: Referred to the Multi-Agency Risk Assessment Conference "
        "(MARAC) in May.\nrationale: " + rationale
    )
    assert _acronyms(rationale, source=whole_file) == []


def test_only_text_acronyms_are_reported() -> None:
    # Acronyms elsewhere in the file are not reported for this text.
    assert _acronyms("No acronyms here.", source="MARAC and IDVA") == []
