"""Tests for scrqm.judge.identifiers: identifiers are found, positioned, never kept."""

from __future__ import annotations

import dataclasses

import pytest

from scrqm.judge.identifiers import KIND_LABELS, IdentifierMatch, find_identifiers

ALL_KINDS = ("nhs_number", "ni_number", "email", "phone", "postcode")


def _found(text: str, kind: str) -> list[str]:
    """The matched substrings of one kind (tests may look; the tool may not)."""
    return [text[m.start : m.end] for m in find_identifiers(text) if m.kind == kind]


def _assert_exactly(text: str, kind: str, expected: str) -> None:
    assert _found(text, kind) == [expected]


# --------------------------------------------------------------------------
# The match type
# --------------------------------------------------------------------------


def test_match_holds_no_matched_text() -> None:
    names = {field.name for field in dataclasses.fields(IdentifierMatch)}
    assert names == {"kind", "start", "end"}
    match = find_identifiers("NHS 9434765919")[0]
    assert "9434765919" not in repr(match)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.start = 0  # type: ignore[misc]


def test_kind_labels() -> None:
    assert set(KIND_LABELS) == set(ALL_KINDS)
    assert KIND_LABELS["nhs_number"] == "an NHS number"
    assert KIND_LABELS["ni_number"] == "a National Insurance number"
    assert KIND_LABELS["email"] == "an email address"
    assert KIND_LABELS["phone"] == "a UK phone number"
    assert KIND_LABELS["postcode"] == "a full UK postcode"


# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NHS number 9434765919.", "9434765919"),
        ("NHS no: 943 476 5919", "943 476 5919"),
        ("(943-476-5919)", "943-476-5919"),
        ("4010232137", "4010232137"),
        ("ref 450 557 7104, seen", "450 557 7104"),
        # Weighted sum of 943476007 is a multiple of 11: check 11 stands for 0.
        ("9434760070", "9434760070"),
    ],
)
def test_nhs_number_found(text: str, expected: str) -> None:
    _assert_exactly(text, "nhs_number", expected)


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # fails modulus 11 (check digit should be 9)
        "9434760071",  # check digit should be 0
        "943 476 5918",
        "94347659190",  # part of a longer run
        "19434765919",
        "943 476 591",  # too short
        "943 4765 919",  # wrong grouping
        "943-476 5919",  # mixed separators
        "94 34 76 59 19",
        "2016-03-14",
        "Reference NLSCB-2016-004",
    ],
)
def test_nhs_number_not_found(text: str) -> None:
    assert _found(text, "nhs_number") == []


def test_valid_nhs_number_is_not_also_a_phone() -> None:
    # 0123456789 passes modulus 11 and is also shaped like a phone number.
    matches = find_identifiers("call 0123456789 now")
    assert [m.kind for m in matches] == ["nhs_number"]


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NI AB123456C.", "AB123456C"),
        ("NINO: JG 10 37 20 A", "JG 10 37 20 A"),
        ("ab123456c", "ab123456c"),
        ("(CE 12 34 56 D)", "CE 12 34 56 D"),
        ("AB 123456 A", "AB 123456 A"),
    ],
)
def test_ni_number_found(text: str, expected: str) -> None:
    _assert_exactly(text, "ni_number", expected)


@pytest.mark.parametrize(
    "text",
    [
        "QQ 12 34 56 C",  # documentation example: Q is never a first letter
        "DA123456A",  # D not allowed first
        "AD123456A",  # D not allowed second
        "AO123456A",  # O not allowed second
        "BG123456A",  # unallocated prefix
        "GB123456A",
        "NK123456A",
        "TN123456A",  # temporary numbers
        "ZZ123456A",
        "AB123456E",  # suffix must be A-D
        "AB12345C",  # five digits
        "XAB123456C",  # glued to a word
        "AB123456CD",
        "Age 12 years",
        "\u212aA 12 34 56 C",  # the Kelvin sign is no K: only ASCII letters fold to either case
    ],
)
def test_ni_number_not_found(text: str) -> None:
    assert _found(text, "ni_number") == []


# --------------------------------------------------------------------------
# Email addresses
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email jane.smith@example.org.", "jane.smith@example.org"),
        ("<j_smith+scr@council.gov.uk>", "j_smith+scr@council.gov.uk"),
        ("contact: a@b.co", "a@b.co"),
        ("SW-team@nhs-trust.nhs.uk, daily", "SW-team@nhs-trust.nhs.uk"),
    ],
)
def test_email_found(text: str, expected: str) -> None:
    _assert_exactly(text, "email", expected)


@pytest.mark.parametrize(
    "text",
    ["jane@", "@example.org", "jane at example dot org", "jane@localhost", "A&E", "1@2.3"],
)
def test_email_not_found(text: str) -> None:
    assert _found(text, "email") == []


# --------------------------------------------------------------------------
# UK phone numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tel 01632 960001.", "01632 960001"),
        ("Tel (01632) 960 001", "(01632) 960 001"),
        ("mobile +44 7700 900123", "+44 7700 900123"),
        ("mobile +447700900123", "+447700900123"),
        ("0044 20 7946 0018", "0044 20 7946 0018"),
        ("+44 (0)20 7946 0018", "+44 (0)20 7946 0018"),
        ("07700900123", "07700900123"),
        ("020 7946 0018", "020 7946 0018"),
        ("0113-496-0000", "0113-496-0000"),
        ("call 01632 960001 24 hours a day", "01632 960001"),
        ("tel:0161 496 0000", "0161 496 0000"),
        ("0808 157 0192", "0808 157 0192"),
        ("016977 4321", "016977 4321"),  # some 01 numbers have 10 digits
        ("0800 123456", "0800 123456"),  # so do some freephone numbers
    ],
)
def test_phone_found(text: str, expected: str) -> None:
    _assert_exactly(text, "phone", expected)


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-14",  # ISO date
        "14/03/2016",
        "01-03-2016",  # only 8 digits
        "01/03/2016 14:30",
        "at 14:30 and 09:15",
        "Reference NLSCB-2016-004",
        "REF-01632960001",  # glued to a reference
        "12345678901",  # does not start with 0
        "0463 960 0011",  # 04 is not a UK range
        "00 44",
        "077009001234",  # 12 digits
        "0770 090 012",  # 10 digits: mobiles have 11
        "020 7946 001",  # 10 digits: London numbers have 11
        "Room 0207",
        "v2.01632960001",
    ],
)
def test_phone_not_found(text: str) -> None:
    assert _found(text, "phone") == []


# --------------------------------------------------------------------------
# Postcodes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lives at SW1A 1AA.", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("(CR2 6XH)", "CR2 6XH"),
        ("DN55 1PT,", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("ec1a1bb", "ec1a1bb"),
        ("W1A0AX", "W1A0AX"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_postcode_found(text: str, expected: str) -> None:
    _assert_exactly(text, "postcode", expected)


@pytest.mark.parametrize(
    "text",
    [
        "SW1A",  # district only
        "lives in SW1A area",
        "LP2",
        "A&E",
        "S47 enquiry",
        "Ward B4 2nd floor",  # prose, not a postcode
        "XSW1A 1AA",  # glued
        "SW1A 1AAB",
        "SW1A 1CA",  # C never appears in the inward code
        "QA1 1AA",  # Q never starts a postcode
        "Hello World",
        "2016-03-14",
    ],
)
def test_postcode_not_found(text: str) -> None:
    assert _found(text, "postcode") == []


# --------------------------------------------------------------------------
# All kinds together
# --------------------------------------------------------------------------

CLEAN_TEXTS = [
    "The child was seen in A&E on 2016-03-14 at 14:30.",
    "Referral NLSCB-2016-004 links to LP2 and LP3.",
    "The MARAC met twice; the CAMHS worker attended.",
    "Aged 3, the child lived with her mother (aged 24) and two siblings.",
    "Section 47 enquiry started on 14/03/2016; ICPC on 29/03/2016.",
    "Part IV, Schedule 2, paragraph 10.",
    "",
]


@pytest.mark.parametrize("text", CLEAN_TEXTS)
def test_clean_text_has_no_identifiers(text: str) -> None:
    assert find_identifiers(text) == []


def test_mixed_text_sorted_with_offsets() -> None:
    text = (
        "Child (NHS 943 476 5919) lived at CR2 6XH; mother jane@example.org, "
        "tel 07700 900123, NI JG 10 37 20 A."
    )
    matches = find_identifiers(text)
    assert [m.kind for m in matches] == ["nhs_number", "postcode", "email", "phone", "ni_number"]
    assert [text[m.start : m.end] for m in matches] == [
        "943 476 5919",
        "CR2 6XH",
        "jane@example.org",
        "07700 900123",
        "JG 10 37 20 A",
    ]
    assert [m.start for m in matches] == sorted(m.start for m in matches)


@pytest.mark.parametrize(
    "text",
    ["07700900123@example.org", "sw1a1aa@example.org", "9434765919@example.org"],
)
def test_identifier_inside_an_email_is_reported_once(text: str) -> None:
    matches = find_identifiers(f"write to {text} today")
    assert [(m.kind, m.start, m.end) for m in matches] == [("email", 9, 9 + len(text))]


def test_overlaps_across_many_matches() -> None:
    # Many numbers in one text: each reported once, in order, none merged.
    text = " ".join(["NHS 9434765919 tel 07700 900123"] * 50)
    kinds = [m.kind for m in find_identifiers(text)]
    assert kinds == ["nhs_number", "phone"] * 50


def test_kinds_filter() -> None:
    text = "NHS 9434765919, tel 07700 900123, CR2 6XH"
    assert [m.kind for m in find_identifiers(text, kinds={"phone"})] == ["phone"]
    assert [m.kind for m in find_identifiers(text, kinds=["postcode", "nhs_number"])] == [
        "nhs_number",
        "postcode",
    ]
    assert find_identifiers(text, kinds=[]) == []


def test_kinds_filter_still_keeps_nhs_numbers_out_of_phones() -> None:
    # Asking for phones only must not turn a valid NHS number into a phone.
    assert find_identifiers("call 0123456789 now", kinds={"phone"}) == []


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="passport"):
        find_identifiers("x", kinds={"passport"})
