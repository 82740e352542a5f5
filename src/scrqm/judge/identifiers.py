"""Spotting identifying data in referral text, without ever keeping it.

This module owns the patterns for the identifiers the privacy check warns
about: NHS numbers, National Insurance numbers, email addresses, UK phone
numbers and full UK postcodes. A match records only its kind and position;
the matched text is deliberately not stored, so no caller can print it by
accident into a report or a CI log.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["KIND_LABELS", "IdentifierMatch", "find_identifiers", "mask_identifiers"]

KIND_LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "email": "an email address",
    "phone": "a UK phone number",
    "postcode": "a full UK postcode",
}


@dataclass(frozen=True)
class IdentifierMatch:
    """Where an identifier of some kind sits in a text (offsets, end exclusive).

    There is no field for the matched text, on purpose: the tool must never
    repeat an identifier it found.
    """

    kind: str
    start: int
    end: int


# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------

# Ten digits, contiguous or grouped 3-3-4 with one consistent separator, and
# not a slice of a longer digit run. ASCII digits only: the check is ASCII.
_NHS_NUMBER = re.compile(r"(?<![0-9])[0-9]{3}([ \-]?)[0-9]{3}\1[0-9]{4}(?![0-9])")
_NHS_WEIGHTS = range(10, 1, -1)


def _passes_modulus_11(digits: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(digits, _NHS_WEIGHTS))
    # 11 stands for 0; 10 means the number is never issued, and as no digit
    # equals 10 such numbers fail the comparison below.
    check = (11 - total % 11) % 11
    return check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _NHS_NUMBER.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group())
        if _passes_modulus_11(digits):
            yield match.span()


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------

# HMRC rules: the first letter is not D, F, I, Q, U or V; the second is not
# D, F, I, O, Q, U or V; six digits (optionally spaced in pairs); suffix A-D.
# So the documentation example "QQ 12 34 56 C" is rightly not a real number.
_NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE | re.ASCII,  # ASCII letters in either case (and ~1 ms less to compile than Unicode folding)
)
# Prefixes that are never allocated (BG, GB, NK, KN, NT, ZZ) or only to
# temporary numbers (TN).
_NI_BANNED_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _ni_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _NI_NUMBER.finditer(text):
        if match.group("prefix").upper() not in _NI_BANNED_PREFIXES:
            yield match.span()


# --------------------------------------------------------------------------
# Email addresses
# --------------------------------------------------------------------------

# Pragmatic, not RFC 5322: local part, "@", dotted domain ending in a
# top-level domain of letters. A trailing full stop stays outside the match.
_EMAIL = re.compile(
    r"(?<![\w.%+\-])"
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}"
    r"(?![\w\-])"
)


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()


# --------------------------------------------------------------------------
# UK phone numbers
# --------------------------------------------------------------------------

# A candidate is a run of digit groups joined by single spaces or hyphens,
# starting 0 (national form, area code possibly in parentheses) or +44 / 0044
# (international form, optional "(0)"). The run is cut afterwards at the group
# boundary that gives a valid length, so "call 01632 960001 24 hours" still
# finds the number, while a date such as 01-03-2016 (8 digits) never does.
# Nothing glued to a word, a slash, a dot or a hyphen qualifies, which keeps
# out references such as NLSCB-2016-004 and the tails of dates.
_PHONE = re.compile(
    r"(?<![\w/.\-+])"
    r"(?:"
    r"(?P<intl>(?:\+|00)44[ \-]?(?:\(0\)[ \-]?)?)[1-9][0-9]*"
    r"|\(0[0-9]{2,5}\)[ \-]?[0-9]+"
    r"|0[1-35789][0-9]*"
    r")"
    r"(?:[ \-][0-9]+)*"
)
_DIGIT_GROUP = re.compile(r"[0-9]+")
# Digits in national form, counting the leading 0, by the digit after the 0
# (Ofcom numbering plan): 01 and 08 have some 10-digit numbers (01xxx xxxxx,
# 0800 xxxxxx), 05 had 0500; mobiles (07), London (02) and the rest have 11.
# 00 is an international prefix, 04 and 06 are unused.
_NATIONAL_LENGTHS: dict[str, frozenset[int]] = {
    "1": frozenset({10, 11}),
    "2": frozenset({11}),
    "3": frozenset({11}),
    "5": frozenset({10, 11}),
    "7": frozenset({11}),
    "8": frozenset({10, 11}),
    "9": frozenset({11}),
}
_LONGEST_NATIONAL = 11


def _phone_end(match: re.Match[str]) -> int | None:
    """Offset where the phone number in a candidate run ends, or None."""
    prefix = match.group("intl")
    body_start = match.start() + (len(prefix) if prefix else 0)
    # International numbers drop the trunk 0; put it back to read the range.
    national = "0" if prefix else ""
    end: int | None = None
    for group in _DIGIT_GROUP.finditer(match.string, body_start, match.end()):
        national += group.group()
        if len(national) > _LONGEST_NATIONAL:
            break
        if len(national) in _NATIONAL_LENGTHS.get(national[1:2], frozenset()):
            end = group.end()  # keep going: a longer valid number wins
    return end


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _PHONE.finditer(text):
        end = _phone_end(match)
        if end is None:
            continue
        # A cut run must not stop in the middle of a group or a word.
        if end < len(text) and (text[end].isalnum() or text[end] == "_"):
            continue
        yield match.start(), end


# --------------------------------------------------------------------------
# Full UK postcodes
# --------------------------------------------------------------------------

# Outward code (area and district, e.g. SW1A, M1, B33, DN55) then inward code
# (sector digit and unit letters, which never use C, I, K, M, O or V). A
# district alone is not a full postcode. GIR 0AA is the one historic oddity.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:"
    r"[A-PR-UWYZ](?:[0-9][0-9A-HJKPS-UW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
    r" ?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
    r"|GIR ?0AA"
    r")"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE | re.ASCII,  # as the NI number: only ASCII letters fold
)
# "S47 2nd" or "A1 3rd" is prose, not a postcode: lower-case ordinal endings
# are skipped, while "B33 8TH" in capitals is a real postcode.
_CANDIDATE = re.compile(r"[0-9@]")
_LOWER_ORDINAL = re.compile(r"[0-9](?:st|nd|rd|th)")


def _postcodes(text: str) -> Iterator[tuple[int, int]]:
    for match in _POSTCODE.finditer(text):
        inward = match.group("inward")
        if inward is None or not _LOWER_ORDINAL.fullmatch(inward):
            yield match.span()


# --------------------------------------------------------------------------
# All kinds together
# --------------------------------------------------------------------------

# Finders in order of precedence: when two kinds claim overlapping text, the
# earlier one keeps it. An email address may contain digits that look like a
# phone number, and a valid NHS number must never be reported as a phone.
_FINDERS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    ("email", _emails),
    ("nhs_number", _nhs_numbers),
    ("ni_number", _ni_numbers),
    ("postcode", _postcodes),
    ("phone", _phones),
)


def _claim(start: int, end: int, claimed: list[tuple[int, int]]) -> bool:
    """Record the span unless it overlaps one already claimed; say if it was new.

    Claimed spans never overlap each other, so kept sorted they can be
    searched by bisection: a file full of numbers stays fast.
    """
    index = bisect.bisect_left(claimed, (start, end))
    if index > 0 and claimed[index - 1][1] > start:
        return False
    if index < len(claimed) and claimed[index][0] < end:
        return False
    claimed.insert(index, (start, end))
    return True


def find_identifiers(text: str, kinds: Collection[str] | None = None) -> list[IdentifierMatch]:
    """Find identifiers in text, sorted by start offset.

    ``kinds`` limits the answer to some of the keys of :data:`KIND_LABELS`
    (all of them when None). Every kind is still searched so that overlaps
    are settled the same way whatever is asked for: text claimed by a kind
    earlier in the precedence (email, NHS number, National Insurance number,
    postcode, phone) is not reported again as a later kind.
    """
    if kinds is not None:
        unknown = set(kinds) - KIND_LABELS.keys()
        if unknown:
            raise ValueError(f"unknown identifier kinds: {', '.join(sorted(unknown))}")
    if _CANDIDATE.search(text) is None:
        return []  # every kind needs a digit, or an '@' for an email: most text has neither
    digits = sum(map(text.count, "0123456789"))
    has_at = "@" in text
    # A kind that cannot match claims nothing, so skipping it changes no answer.
    possible = [(kind, finder) for kind, finder in _FINDERS
                if digits >= _FEWEST_DIGITS[kind]
                and (has_at or kind != "email")]
    return _search(text, possible, kinds)


# ASCII digits each kind needs at the least: NHS 10; NI 6; a full postcode's
# inward code 1; a phone 10 in national form (+44 and 9 more written
# internationally).  Dates and ages in ordinary text have fewer.
_FEWEST_DIGITS = {"email": 0, "nhs_number": 10, "ni_number": 6, "postcode": 1, "phone": 10}


def _search(
    text: str,
    finders: Iterable[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]],
    kinds: Collection[str] | None,
) -> list[IdentifierMatch]:
    claimed: list[tuple[int, int]] = []
    matches: list[IdentifierMatch] = []
    for kind, finder in finders:
        for start, end in finder(text):
            if not _claim(start, end, claimed):
                continue
            if kinds is None or kind in kinds:
                matches.append(IdentifierMatch(kind=kind, start=start, end=end))
    return sorted(matches, key=lambda match: (match.start, match.end))


def mask_identifiers(text: str) -> str:
    """`text` with every identifier replaced by its kind in brackets, e.g. "[an NHS number]".

    For the few places that quote what a referral says (a shape error's
    value, a rule message's `{value}`): whatever a rule pack's message
    template asks for, an identifier is never repeated, with or without
    --redact.
    """
    if not any(ch.isdigit() or ch == "@" for ch in text):
        return text  # every kind holds a digit or an '@': the common case costs nothing
    pieces = []
    last = 0
    for match in find_identifiers(text):
        pieces.append(text[last:match.start])
        pieces.append(f"[{KIND_LABELS[match.kind]}]")
        last = match.end
    pieces.append(text[last:])
    return "".join(pieces)
