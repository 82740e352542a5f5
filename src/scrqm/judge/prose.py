"""Judging free text in a referral: absence, placeholders, word counts, acronyms.

This module owns the text predicates that the Quality Marker 1 rules share:
what counts as *absent*, what counts as a *placeholder* (text standing in for
an answer), how words are counted, and which acronyms a reader would have to
guess. It knows nothing about referral fields, findings or severities.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from scrqm.judge.english import is_english

__all__ = [
    "ACRONYM_GLOSSARY_DEFAULT",
    "is_absent",
    "is_placeholder",
    "unexpanded_acronyms",
    "word_count",
]

# --------------------------------------------------------------------------
# Absence and placeholders
# --------------------------------------------------------------------------


def is_absent(value: object) -> bool:
    """Return True for None, blank strings and empty lists, tuples, sets and dicts.

    Zero and False are values a referral can legitimately hold, so they are
    not absent.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return len(value) == 0
    return False


# Placeholders are compared on a normalised key: case-folded, every run of
# punctuation or whitespace collapsed to one space. "N/A", "n.a." and "n a"
# then share one entry, and "(to follow)" or "- TBA -" lose their wrapping.
_NON_ALNUM = re.compile(r"[\W_]+")

_PLACEHOLDER_KEYS = frozenset(
    {
        "tbc", "t b c", "tba", "t b a", "tbd", "t b d", "tbe",
        "to follow", "to follow shortly", "will follow", "details to follow",
        "info to follow", "information to follow",
        "to be confirmed", "to be advised", "to be decided", "to be determined",
        "to be added", "to be completed", "to be agreed", "to be provided",
        "see attached", "see attachment", "see attachments", "see enclosed",
        "see above", "see below", "see over", "see overleaf", "see form",
        "see notes", "see email", "see report", "see chronology",
        "as above", "as below", "same as above", "same as below", "as per above",
        "as previously stated", "as stated", "as discussed", "ditto",
        "n a", "na", "not applicable", "not available",
        "none", "nil", "nothing", "null",
        "unknown", "not known", "unk", "not yet known",
        "pending", "awaiting", "awaiting information", "awaiting details",
        "later", "tbc later", "blank",
        "insert text", "insert here", "text here", "enter text", "lorem ipsum",
    }
)

# Runs of x of any length ("x", "xxx", "XXXXXX") are fill-in marks.
_FILLER_RUN = re.compile(r"x+")


_MOST_PLACEHOLDER_WORDS = max(len(key.split()) for key in _PLACEHOLDER_KEYS)


def _more_words_than_a_placeholder(text: str) -> bool:
    """Cheaply: the text has more words than any placeholder, so it is an answer.

    Each whitespace-separated piece holding a letter or digit is at least one
    word of the placeholder key; splitting stops early, so a long rationale
    costs no more than a short one.
    """
    pieces = text.split(None, _MOST_PLACEHOLDER_WORDS)
    return len(pieces) > _MOST_PLACEHOLDER_WORDS and all(
        any(map(str.isalnum, piece)) for piece in pieces
    )


def _placeholder_key(text: str) -> str:
    return _NON_ALNUM.sub(" ", text).strip().casefold()


def is_placeholder(text: str | None) -> bool:
    """Return True when the whole text is a filler standing in for an answer.

    Case, surrounding whitespace and punctuation are ignored, so "TBC.",
    "(to follow)", "- TBA -" and "N/A" are placeholders. Text made only of
    punctuation ("-", "--", "...", "\u2026", "?") is a placeholder too. A
    sentence that merely starts with a filler word is not: "unknown at the
    time of referral, because the family moved" is an answer.

    Absent text (None, empty or whitespace-only) returns False: absence is
    reported by :func:`is_absent`, and a rule usually says "absent or a
    placeholder" by calling both.
    """
    if text is None or not text.strip() or _more_words_than_a_placeholder(text):
        return False
    key = _placeholder_key(text)
    if not key:
        # Nothing but punctuation: "-", "...", "?".
        return True
    return key in _PLACEHOLDER_KEYS or _FILLER_RUN.fullmatch(key) is not None


# --------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------

# A word is a run of letters or digits; an apostrophe, hyphen or ampersand
# between two such runs keeps them one word ("didn't", "multi-agency",
# "3-year-old", "A&E"), while a bullet dash or a stray apostrophe is not a
# word at all.
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-\u2010\u2011&][^\W_]+)*")


def word_count(text: str | None) -> int:
    """Count the words in text; None counts as zero."""
    if not text:
        return 0
    return len(_WORD.findall(text))


# --------------------------------------------------------------------------
# Acronyms
# --------------------------------------------------------------------------

ACRONYM_GLOSSARY_DEFAULT: frozenset[str] = frozenset(
    {
        # Safeguarding bodies, processes and reviews.
        "LSCB", "SCR", "LCSPR", "CSPR", "NSPCC", "SCIE", "DfE", "LA",
        "MASH", "LADO", "ICPC", "RCPC", "CIN", "CP", "CPP", "CPC", "CSC",
        "DSL", "LAC", "CSE", "FGM", "SEN", "SEND", "EHCP",
        # Health.
        "GP", "NHS", "A&E", "ED", "ICU", "PICU", "NICU", "CAMHS",
        # Police, justice and everyday UK usage.
        "PCSO", "CPS", "UK", "TV", "DNA", "MP", "ID",
    }
)

# An acronym is a token of two or more capitals, possibly with digits or an
# ampersand inside ("MARAC", "A&E", "LP2"). A trailing plural "s" or "'s"
# ("GPs", "GP's") belongs to the acronym, not to a new word. The boundaries
# exclude tokens glued to words, and "-<digit>" afterwards marks a reference
# code such as "NLSCB-2016-004", which nobody needs expanded.
_ACRONYM = re.compile(
    r"(?<![\w&])"
    r"(?P<acronym>[A-Z][A-Z0-9&]*[A-Z0-9])"
    r"(?:s|['\u2019]s)?"
    r"(?![\w&]|-[0-9])"
)

# Capital-only tokens that are not acronyms worth expanding: roman numerals
# ("Part IV", "Schedule II") and clock or everyday words.
_ROMAN_NUMERAL = re.compile(r"[IVX]+")
# "TBC" and its like stand in for a detail: a placeholder sentence, not an acronym to expand.
_NOT_ACRONYMS = frozenset({"AM", "PM", "OK", "TBC", "TBA", "TBD", "TBE"})

# Words a writer skips when forming an acronym ("Child and Adolescent Mental
# Health Services" -> CAMHS). The match below skips any word, so these only
# matter at the edges: a phrase may end in one before "(ACR)", and the
# expansion after "ACR (" may start with one.
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "in", "into", "of", "on", "or",
     "the", "to", "with"}
)

# How far back from "(ACR)" we look for the words that spell it: enough for
# every letter plus some small or skipped words, not the whole paragraph.
_EXTRA_WORDS_IN_WINDOW = 4
# Characters before "(ACR)" worth tokenising: comfortably more than the
# window of words, so a long file is not re-scanned from the start.
_LOOKBACK_CHARS = 400
_HYPHEN = re.compile(r"[-\u2010\u2011]")


def _letters(acronym: str) -> str:
    # Digits and "&" are not initials: A&E is spelt by "Accident and
    # Emergency", LP2 by "Learning Priority 2".
    return "".join(ch for ch in acronym if ch.isalpha()).upper()


def _is_candidate(acronym: str) -> bool:
    if sum(1 for ch in acronym if ch.isupper()) < 2:
        return False
    return acronym not in _NOT_ACRONYMS and not _ROMAN_NUMERAL.fullmatch(acronym)


def _in_glossary(acronym: str, glossary: Collection[str]) -> bool:
    if acronym in glossary:
        return True
    folded = acronym.casefold()
    return any(entry.casefold() == folded for entry in glossary)


def _initials(words: Sequence[str]) -> list[str]:
    # Each hyphenated part offers its own initial, so "Multi-Agency" can give
    # M or MA: the subsequence match below may use either.
    return [part[0].upper() for word in words for part in _HYPHEN.split(word) if part]


def _is_subsequence(letters: str, initials: Sequence[str]) -> bool:
    remaining = iter(initials)
    return all(letter in remaining for letter in letters)


def _spelt_by_preceding_words(letters: str, before: str) -> bool:
    """Do the words just before "(ACR)" spell the acronym?"""
    words = _WORD.findall(before)[-(len(letters) + _EXTRA_WORDS_IN_WINDOW) :]
    # The phrase must end where the parenthesis opens: the last word that is
    # not a small word or a number ("Learning Priority 2 (LP2)") has to
    # supply the acronym's last letter.
    while words and (words[-1].casefold() in _SMALL_WORDS or words[-1].isdigit()):
        words.pop()
    if not words or letters[-1] not in _initials(words[-1:]):
        return False
    return _is_subsequence(letters, _initials(words))


def _spelt_by_following_parenthesis(letters: str, inside: str) -> bool:
    """Does "ACR (some words)" expand the acronym?"""
    words: list[str] = _WORD.findall(inside)
    content = [w for w in words if w.casefold() not in _SMALL_WORDS]
    if len(words) < 2 or not content:
        return False
    # The first real word must start the acronym; after that the letters
    # only need to appear in order, which also accepts a short explanation.
    return letters[0] in _initials(content[:1]) and _is_subsequence(letters, _initials(words))


def _is_expanded(acronym: str, source: str) -> bool:
    letters = _letters(acronym)
    escaped = re.escape(acronym)
    # Form 1: words whose initials spell it, then "(ACR)", "(the ACR)" or
    # "(ACRs)", possibly quoted or followed by more text after a comma.
    form1 = re.compile(
        r"\(\s*(?:(?:the|hereafter|known as)\s+)?[\"'\u201c\u2018]?"
        + escaped
        + r"(?:s|['\u2019]s)?[\"'\u201d\u2019]?\s*[),;]"
    )
    for match in form1.finditer(source):
        before = source[max(0, match.start() - _LOOKBACK_CHARS) : match.start()]
        if _spelt_by_preceding_words(letters, before):
            return True
    # Form 2: "ACR (words that spell it)".
    form2 = re.compile(r"(?<![\w&])" + escaped + r"(?:s|['\u2019]s)?\s*\(([^()]{1,200})\)")
    return any(
        _spelt_by_following_parenthesis(letters, match.group(1))
        for match in form2.finditer(source)
    )


def _in_capitals(text: str) -> bool:
    """Most of the text's words are written in capitals (a text typed with caps lock on)."""
    words = _WORD.findall(text)
    shouted = sum(1 for w in words if len(w) > 1 and w.isupper())
    return shouted >= 8 and shouted * 10 >= len(words) * 6


def _is_word(acronym: str) -> bool:
    return is_english(acronym)


def unexpanded_acronyms(
    text: str, *, expansions_source: str, glossary: Collection[str]
) -> list[tuple[str, int]]:
    """List the acronyms in text that a reader would have to guess.

    An acronym is a token of two or more capital letters, possibly with
    digits or "&" (MARAC, CAMHS, A&E, LP2); a plural "s" is dropped (GPs ->
    GP). Roman numerals made of I, V and X, "AM", "PM", "OK" and reference
    codes followed by "-<digit>" (NLSCB-2016-004) are not acronyms.

    An acronym needs no expansion when it is in ``glossary`` (exact match,
    then a case-insensitive one, so "DFE" matches "DfE") or when it is
    expanded anywhere in ``expansions_source`` (normally the whole file), in
    either of two forms:

    * ``Multi-Agency Risk Assessment Conference (MARAC)``: the parenthesised
      acronym follows words whose initials contain its letters in order,
      within a few words of the parenthesis, the last of them (small words
      such as "of", "and", "the" aside) supplying its last letter. Each part
      of a hyphenated word offers an initial; digits and "&" in the acronym
      need no initial.
    * ``MARAC (multi-agency risk assessment conference)``: the acronym is
      followed by a parenthesis of two or more words whose first real word
      starts with its first letter and whose initials contain its letters in
      order.

    The test is deliberately tolerant: a loose expansion passes, because a
    false complaint costs a reviewer more than a missed one.

    Each acronym is reported once, at its first occurrence, as
    ``(acronym, character offset in text)``.
    """
    found: list[tuple[str, int]] = []
    seen: set[str] = set()
    shouted = _in_capitals(text)
    for match in _ACRONYM.finditer(text):
        acronym = match.group("acronym")
        if acronym in seen or not _is_candidate(acronym):
            continue
        if shouted and _is_word(acronym):
            continue  # in a text typed in capitals, CHILD and POLICE are words, not acronyms
        seen.add(acronym)
        if _in_glossary(acronym, glossary) or _is_expanded(acronym, expansions_source):
            continue
        found.append((acronym, match.start()))
    return found
