"""Tests written against mutants of the judging modules that got past the suite.

scripts/mutate.py judge.workdays (and .identifiers, .prose, .substance,
.english) runs these; each test pins behaviour the docstrings or the rules
describe, which a one-token change to the module got wrong without a test
noticing.  Survivors that no input can tell apart are listed, with the reason,
in scripts/equivalent-mutants.txt.
"""

from __future__ import annotations

import dataclasses
import importlib.machinery
import importlib.util
from datetime import date
from typing import Any

import pytest

from scrqm.judge import bank_holidays, workdays
from scrqm.judge import english
from scrqm.judge.english import COMMON_WORDS, english_words, is_english
from scrqm.judge.identifiers import find_identifiers, mask_identifiers
from scrqm.judge.prose import unexpanded_acronyms
from scrqm.judge.substance import (_changes, _checked_words, _sentence_starts, filler_kind, placeholder_only,
                                   placeholder_sentence, same_sentence, sentences, shared_sentences, words)
from scrqm.judge.workdays import is_working_day, working_days_after


# ---------------------------------------------------------------- workdays: the known years


def test_bank_holidays_count_in_the_first_and_last_known_years_and_not_outside_them() -> None:
    # 1900: Christmas Tue 25 Dec and Boxing Day Wed 26 Dec are bank holidays (from the package).
    assert is_working_day(date(1900, 12, 25)) is False
    assert is_working_day(date(1900, 12, 26)) is False
    # 1899 is before the known years: only weekends are excluded, so Christmas (a Monday) counts.
    assert is_working_day(date(1899, 12, 25)) is True
    # Fri 22 Dec 1899 -> Tue 2 Jan 1900: Mon 25 to Fri 29 (5, 1899 has no holidays here),
    # Mon 1 Jan 1900 (no New Year holiday then) and Tue 2 -> 7.
    assert working_days_after(date(1899, 12, 22), date(1900, 1, 2)) == 7
    # 2100: Christmas Sat 25, Boxing Day Sun 26; substitutes Mon 27 and Tue 28 Dec.
    assert is_working_day(date(2100, 12, 27)) is False
    assert is_working_day(date(2100, 12, 28)) is False
    assert is_working_day(date(2100, 12, 29)) is True
    # Fri 24 Dec 2100 -> Mon 3 Jan 2101: Wed 29, Thu 30, Fri 31 and Mon 3 -> 4 (the
    # Saturday New Year's Day of 2101 would give Mon 3 off, but 2101 is not a known year).
    assert working_days_after(date(2100, 12, 24), date(2101, 1, 3)) == 4


def test_a_weekday_far_outside_the_known_years_is_a_working_day() -> None:
    assert is_working_day(date(1850, 12, 25)) is True  # a Wednesday
    assert is_working_day(date(1, 1, 1)) is True  # a Monday
    assert is_working_day(date(9999, 12, 24)) is True  # a Friday
    assert is_working_day(date(9999, 12, 25)) is False  # a Saturday


def _no_package(*_: object) -> Any:
    raise AssertionError("the holidays package was asked")


def test_the_package_is_not_asked_for_a_year_outside_the_known_years(monkeypatch: pytest.MonkeyPatch) -> None:
    # "Only known years are visited": a year outside them has no bank holidays, without any look-up.
    monkeypatch.setattr(workdays, "_every_known_year_from_package", _no_package)
    monkeypatch.setattr(workdays, "table_matches_installed_package", lambda: False)
    uncached = workdays._weekday_bank_holidays.__wrapped__
    assert uncached(1850) == frozenset()
    assert uncached(2101) == frozenset()
    assert uncached(9999) == frozenset()


def test_the_table_answers_for_its_years_when_it_matches_the_installed_package(monkeypatch: pytest.MonkeyPatch) -> None:
    uncached = workdays._weekday_bank_holidays.__wrapped__
    table_2016 = frozenset(date.fromisoformat(day) for day in bank_holidays.WEEKDAY_BANK_HOLIDAYS[2016])
    assert date(2016, 3, 25) in table_2016  # Good Friday
    # Beside the release it was generated from, the table answers and the package is never asked.
    monkeypatch.setattr(workdays, "table_matches_installed_package", lambda: True)
    monkeypatch.setattr(workdays, "_every_known_year_from_package", _no_package)
    assert uncached(2016) == table_2016
    assert uncached(bank_holidays.FIRST_YEAR) and uncached(bank_holidays.LAST_YEAR)
    # Beside another release the package answers, even for the table's years; and so it does,
    # whatever the release, for the years the table does not hold.
    fake = {year: frozenset({date(year, 6, 1)}) for year in (1994, 2016, 2041)}
    monkeypatch.setattr(workdays, "_every_known_year_from_package", lambda: fake)
    assert uncached(1994) == fake[1994] and uncached(2041) == fake[2041]
    monkeypatch.setattr(workdays, "table_matches_installed_package", lambda: False)
    assert uncached(2016) == fake[2016]
    assert uncached(2017) == frozenset()  # a known year the package lists nothing for


def _find_spec_returning(monkeypatch: pytest.MonkeyPatch, spec: object) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return spec if name == "holidays" else real(name, *args)

    monkeypatch.setattr(workdays.importlib.util, "find_spec", find_spec)


def test_the_table_is_not_used_when_the_holidays_package_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    matches = workdays.table_matches_installed_package.__wrapped__
    assert matches() is (__import__("holidays").__version__ == bank_holidays.GENERATED_FROM)
    _find_spec_returning(monkeypatch, None)
    assert matches() is False


def test_the_table_is_not_used_when_holidays_is_a_plain_module_not_a_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stray holidays.py (a module, not the installed package) has no folder to look beside.
    _find_spec_returning(monkeypatch, importlib.machinery.ModuleSpec("holidays", None, origin="/x/holidays.py"))
    assert workdays.table_matches_installed_package.__wrapped__() is False


# ---------------------------------------------------------------- identifiers: phone lengths


def _phones_in(text: str) -> list[str]:
    return [text[m.start:m.end] for m in find_identifiers(text) if m.kind == "phone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 03 (non-geographic, Ofcom's drama range 03069 990xxx): eleven digits, never ten.
        ("call 03069 990123 now", ["03069 990123"]),
        ("call 0306 999 012 now, ref 2016", []),
        # 05 had ten-digit 0500 numbers and has eleven-digit 056 ones; nine digits are not a number.
        ("call 0500 123456 now", ["0500 123456"]),
        ("call 05601 234567 now", ["05601 234567"]),
        ("call 0500 12345 now, ref 2016", []),
        # 09 (premium rate, drama range 0909 8790xxx): eleven digits, never ten.
        ("call 0909 879 0123 now", ["0909 879 0123"]),
        ("call 0909 879 012 now, ref 2016", []),
    ],
)
def test_phone_numbers_have_the_lengths_of_their_range(text: str, expected: list[str]) -> None:
    assert _phones_in(text) == expected


def test_a_phone_after_a_run_too_short_to_be_one_is_found() -> None:
    text = "ref 0123 and call 0161 496 0123"
    assert _phones_in(text) == ["0161 496 0123"]


def test_a_phone_after_digits_an_email_claimed_is_found() -> None:
    # The email's local part reads as a phone number too: that candidate is claimed, the later one is not.
    text = "write to 01614960123@example.org or call 0161 496 0124"
    found = [(m.kind, text[m.start:m.end]) for m in find_identifiers(text)]
    assert found == [("email", "01614960123@example.org"), ("phone", "0161 496 0124")]


def test_masking_replaces_each_identifier_by_its_kind_and_keeps_the_rest() -> None:
    assert mask_identifiers("call 0161 496 0123 today") == "call [a UK phone number] today"
    assert mask_identifiers("NHS 943 476 5919, mail a@example.org.") == (
        "NHS [an NHS number], mail [an email address].")
    assert mask_identifiers("seen on 3 May") == "seen on 3 May"


# ---------------------------------------------------------------- prose: acronyms


def _acronyms(text: str, source: str | None = None, glossary: tuple[str, ...] = ()) -> list[str]:
    return [a for a, _ in unexpanded_acronyms(text, expansions_source=text if source is None else source,
                                              glossary=glossary)]


def test_a_token_with_one_capital_is_not_an_acronym_and_one_with_two_is() -> None:
    assert _acronyms("We drove up the A1 and the M25 to the B4 school.") == []
    assert unexpanded_acronyms("The PH team visited.", expansions_source="", glossary=()) == [("PH", 4)]


def test_an_acronym_after_one_in_the_glossary_or_expanded_is_still_reported() -> None:
    assert _acronyms("The GP told the MARAC.", glossary=("GP",)) == ["MARAC"]
    spelt = "The Planning Hub (PH) told the MARAC."
    assert _acronyms(spelt) == ["MARAC"]


def test_a_parenthesis_after_the_acronym_needs_two_words() -> None:
    # "ACR (words)": a parenthesis of two or more words.  One hyphenated word offers both
    # initials, but it is one word, so it does not count as an expansion.
    assert _acronyms("The CP (child-protection) plan was made.") == ["CP"]
    assert _acronyms("The CP (child protection) plan was made.") == []


def test_the_words_spelling_an_acronym_lie_within_its_letters_and_four_more() -> None:
    # AB: a window of 2 + 4 words before "(AB)"; the A must be inside it.
    assert _acronyms("The AB met.", "Alpha one two three four Bravo (AB)") == []
    assert _acronyms("The AB met.", "Alpha one two three four five Bravo (AB)") == ["AB"]


def test_the_words_spelling_an_acronym_lie_within_400_characters_before_it() -> None:
    # Only the 400 characters before "(AB)" are read.  "XAlpha" starting 401 back: the 400 read
    # give "Alpha ... Bravo", which spells it (one fewer would give "lpha", one more "XAlpha").
    spelling = "Alpha" + " " * 389 + "Bravo (AB)"
    assert spelling.index("(AB)") - spelling.index("Alpha") == 400
    assert _acronyms("The AB met.", "X" + spelling) == []
    # "Alpha" starting 401 back is out of reach: "lpha" spells nothing.
    assert _acronyms("The AB met.", "Z " + spelling.replace(" ", "  ", 1)) == ["AB"]


SHOUTED = "THE CHILD WAS SEEN BY POLICE AT HOME"  # eight words in capitals, two of them of two letters


@pytest.mark.parametrize(
    ("text", "in_capitals"),
    [
        (SHOUTED, True),  # eight capital words: typed in capitals, its words are words
        ("THE CHILD WAS SEEN BY POLICE AT", False),  # seven are too few to tell
        ("I THE CHILD WAS SEEN BY POLICE AT", False),  # a single letter is not a word in capitals
        (SHOUTED + " TODAY and then she went to bed", True),  # 9 of 15 words: 60%
        (SHOUTED + " TODAY and then she went to her bed", False),  # 9 of 16: under 60%
    ],
)
def test_capital_words_are_acronyms_unless_the_text_is_typed_in_capitals(text: str, in_capitals: bool) -> None:
    capitals = [w for w in text.split() if len(w) > 1 and w.isupper()]
    assert _acronyms(text) == ([] if in_capitals else capitals)


def test_in_a_text_typed_in_capitals_an_acronym_that_is_no_word_is_still_reported() -> None:
    assert _acronyms(SHOUTED + " MARAC") == ["MARAC"]


def test_an_english_word_in_capitals_in_ordinary_text_is_an_acronym() -> None:
    assert _acronyms("we met at the office and then the SCAN team came round") == ["SCAN"]


# ---------------------------------------------------------------- substance: sentences and words


def test_words_are_runs_of_letters_or_digits_joined_by_apostrophes_and_hyphens() -> None:
    assert words("She didn't see the 3-year-old - at A&E.") == ["She", "didn't", "see", "the", "3-year-old", "at", "A&E"]


def test_a_full_stop_after_an_abbreviation_does_not_end_a_sentence() -> None:
    found = sentences("Dr. Smith saw her. She was well! Then she left")
    assert [(s.offset, s.text) for s in found] == [(0, "Dr. Smith saw her."), (19, "She was well!"), (33, "Then she left")]
    assert found[0].key == ("dr", "smith", "saw", "her")
    assert [s.text for s in sentences("She saw Dr. Smith today. He was kind.")] == ["She saw Dr. Smith today.", "He was kind."]


def test_list_marks_start_sentences_and_are_not_part_of_them() -> None:
    assert [(s.offset, s.text) for s in sentences("1. First point\n2. Second point")] == [
        (3, "First point"), (18, "Second point")]


def test_sentences_are_immutable_and_hashable() -> None:
    # sentences() is cached: the Sentence objects it hands out are shared, so they must not change.
    [one] = sentences("Seen at home.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.text = "changed"  # type: ignore[misc]
    assert {one} == {sentences("Seen at home.")[0]}


def test_sentence_starts_are_where_each_first_word_begins() -> None:
    assert _sentence_starts("Alpha beta. Gamma delta. ") == {0, 12}  # nothing after the last boundary
    assert _sentence_starts('"Alpha." Beta') == {1, 9}


# ---------------------------------------------------------------- substance: which words are checked


def test_names_and_acronyms_inside_a_sentence_are_not_checked_and_the_words_after_them_are() -> None:
    text = "The MARAC met Zorblat and the family today. Quixby left."
    assert _checked_words(text, _sentence_starts(text), ()) == [
        "The", "met", "and", "the", "family", "today", "Quixby", "left"]


def test_in_a_text_typed_in_capitals_every_word_is_checked_but_those_ignored() -> None:
    text = "THE CHILD WAS SEEN BY POLICE AT HOME WITH MARAC"
    assert _checked_words(text, _sentence_starts(text), ()) == ["THE", "CHILD", "WAS", "SEEN", "POLICE", "HOME",
                                                                 "WITH", "MARAC"]
    assert "MARAC" not in _checked_words(text, _sentence_starts(text), ("MARAC",))


def test_a_short_list_of_acronyms_is_not_a_text_typed_in_capitals() -> None:
    # Four capital words of five: too few to tell, so they are acronyms, and one word is checked.
    assert filler_kind("ZORB QUIX VREN PLOK met") is None


def test_names_inside_sentences_do_not_make_prose_foreign() -> None:
    # Eleven made-up names of 21 words: capitals are not most of the text, so only the first
    # (a sentence start) is checked, with ten English words.
    text = ("Zorblat met Quixby, Vrenna, Plonkett and Gribnak, then later Tashwin, Morlev, Brindak, "
            "Yusquel, Fenwarr and Dribbet went home with them together.")
    assert filler_kind(text) is None
    assert filler_kind("Then Zorblat met Quixby at the clinic", not_english_percent=10) is None


def test_when_capitalised_words_are_most_of_the_text_every_word_is_checked() -> None:
    # Three capitalised words of five (60%): a text in title case, names and all are checked.
    assert filler_kind("Zorblat met Quixby and Vrenna") == "most of its words are not English: 3 of the 5 checked"
    # Four of seven (57%): the names inside the sentence are names.
    assert filler_kind("Zorblat met Quixby and Vrenna with Plonkett") is None


def test_rare_english_words_are_english() -> None:
    # None of these is among the 20,000 most frequent words: the whole list is read for them.
    assert filler_kind("Gossamer primordial abalone haggis plover solute retrograde.") is None


def test_hyphenated_words_are_english_by_their_parts() -> None:
    assert filler_kind("multi-agency self-harm long-term follow-up") is None


def test_keyboard_runs_are_not_english() -> None:
    assert filler_kind("asdf qwer zxcv hjkl uiop") == "most of its words are not English: 5 of the 5 checked"


def test_not_english_needs_three_checked_words() -> None:
    assert filler_kind("asdf qwer") is None
    assert filler_kind("asdf qwer zxcv") == "most of its words are not English: 3 of the 3 checked"


def test_not_english_must_be_more_than_the_percentage() -> None:
    # Every word checked is not English: more than 99 per cent, never more than 100.
    assert filler_kind("asdf qwer zxcv", not_english_percent=99) == "most of its words are not English: 3 of the 3 checked"
    assert filler_kind("Asdf qwer zxcv", not_english_percent=100) is None


def test_seven_words_in_capitals_are_acronyms_eight_are_a_text_typed_in_capitals() -> None:
    assert filler_kind("ZORB QUIX VREN PLOK BLIX FRAM GLUB") is None
    assert filler_kind("ZORB QUIX VREN PLOK BLIX FRAM GLUB DRUK") == (
        "most of its words are not English: 8 of the 8 checked")
    # Typed in capitals means 80% of the words or more: 8 of 10 is, 8 of 11 is not.
    assert filler_kind("ZORB QUIX VREN PLOK BLIX FRAM GLUB DRUK met here") == (
        "most of its words are not English: 8 of the 10 checked")
    assert filler_kind("ZORB QUIX VREN PLOK BLIX FRAM GLUB DRUK met them here") is None


# ---------------------------------------------------------------- substance: filler thresholds


def test_empty_text_or_punctuation_is_not_filler() -> None:
    assert filler_kind("") is None
    assert filler_kind("... --") is None


def test_the_default_thresholds() -> None:
    # No content-word minimum by default.
    assert filler_kind("it was") is None
    # A word repeated three times making up exactly half the words is not more than half ...
    assert filler_kind("no no no yes maybe perhaps") is None
    # ... and 51 of 100 is.
    rest = ("the child was seen at home by a health visitor who noted low mood and asked "
            "her doctor to call back after school on monday because nobody could say why she "
            "had missed every appointment since spring when police first went round there about "
            "noise late last night again").split()
    assert len(rest) == len(set(rest)) == 49
    assert filler_kind(" ".join(["no"] * 51 + rest)) == "one word makes up 51 of its 100 words"
    # Two copies are not repeats, three are.
    assert filler_kind("ok ok") is None
    assert filler_kind("ok ok ok") == "one word makes up 3 of its 3 words"
    # Not English: exactly half of the words checked is not more than half.
    assert filler_kind("asdf qwer the child") is None
    assert filler_kind("asdf qwer zxcv the child") == "most of its words are not English: 3 of the 5 checked"
    # ... and 51 of 100 is more than half.
    nonsense = [f"zq{a}{b}x" for a in "bcdfghjkl" for b in "bcdfgh"][:51]
    english_words_49 = [w for w in rest if len(w) >= 3] + ["kitchen", "garden", "window", "letter", "family"]
    assert len(set(english_words_49)) == 49
    assert filler_kind(" ".join(nonsense + english_words_49)) == "most of its words are not English: 51 of the 100 checked"


def test_a_sentence_pasted_three_times_is_filler_only_when_its_copies_are_most_of_the_words() -> None:
    assert filler_kind("We met. We met. We met. the the the the and and and and so so so so") is None
    assert filler_kind("We met at home. We met at home. We met at home. So so.") == "the same sentence appears 3 times"


def test_repetition_must_be_more_than_the_percentage() -> None:
    # A sentence pasted three times making up exactly half the words is not more than half.
    assert filler_kind("We met at home. We met at home. We met at home. so so so yes yes yes ok ok ok no no no") is None
    # With 99 per cent, a text that is all one pasted sentence, or all one word, is more.
    assert filler_kind("We met. We met. We met.", repeated_percent=99) == "the same sentence appears 3 times"
    assert filler_kind("ok ok ok", repeated_percent=99) == "one word makes up 3 of its 3 words"


def test_overlapping_copies_of_a_phrase_count_once() -> None:
    # "no no no no" holds two copies of "no no", not three.
    assert filler_kind("no no no no yes maybe yes perhaps yes sure") is None


def test_a_repeated_phrase_is_found_behind_runs_of_one_word() -> None:
    # "c d" three times is 6 of 18 words, over 30 per cent; the runs of a, b and e have more
    # overlapping pairs ("a a" three times) but fewer copies that do not overlap (two).
    assert filler_kind("a a a a b b b b e e e e c d c d c d", repeated_percent=30) == (
        "the same phrase of 2 words is repeated 3 times")
    assert filler_kind("a a a a b b b b c d c d c d", repeated_percent=35) == (
        "the same phrase of 2 words is repeated 3 times")
    # Wherever the phrase starts: at the first word, or at an odd offset.
    assert filler_kind("c d c d c d a a a a b b b b e e e e", repeated_percent=30) == (
        "the same phrase of 2 words is repeated 3 times")
    assert filler_kind("a a a a b b b b e e e e z c d c d c d", repeated_percent=30) == (
        "the same phrase of 2 words is repeated 3 times")


def test_every_copy_of_a_phrase_is_counted_once() -> None:
    assert filler_kind("so very good very good very good") == "the same phrase of 2 words is repeated 3 times"


def test_a_repeated_phrase_is_named_in_full_up_to_twelve_words() -> None:
    assert filler_kind("the child cried the child cried the child cried at night") == (
        "the same phrase of 3 words is repeated 3 times")
    thirteen = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma"
    assert filler_kind(" ".join([thirteen] * 3), repeated_percent=10) == "the same phrase of 12 words is repeated 3 times"


def test_a_phrase_making_up_exactly_half_the_words_is_not_filler() -> None:
    assert filler_kind("very good very good very good so so so ok ok ok") is None
    # ... also when one of its words is more frequent than the phrase (5 of 12: not a word's filler either).
    assert filler_kind("very good very good very good very very so so so ok") is None


def test_not_english_words_after_the_english_ones_are_all_counted() -> None:
    # 50 of 99 checked words are not English (more than half), all after the English ones.
    english = [w for w in ("the child was seen at home by health visitor who noted low mood and asked her doctor "
                           "call back after school monday because nobody could say why she had missed every "
                           "appointment since spring when police first went round there about noise late last "
                           "night again kitchen garden window letter family").split() if len(w) >= 3][:49]
    assert len(set(english)) == 49
    nonsense = [f"zq{a}{b}x" for a in "bcdfghjkl" for b in "bcdfgh"][:50]
    assert filler_kind(" ".join(english + nonsense)) == "most of its words are not English: 50 of the 99 checked"


def test_content_words_are_three_letters_or_more_and_not_stop_words() -> None:
    assert filler_kind("it was the and", content_words=1) == "it has only 0 different content words (fewer than 1)"
    assert filler_kind("ok gp", content_words=1) == "it has only 0 different content words (fewer than 1)"
    assert filler_kind("x1 y2", content_words=1) == "it has only 0 different content words (fewer than 1)"
    assert filler_kind("b2b2c3", content_words=1) is None  # three letters, digits aside
    assert filler_kind("a1b c2d", content_words=1) == "it has only 0 different content words (fewer than 1)"
    assert filler_kind("cat dog", content_words=2) is None
    assert filler_kind("cat's cat dog", content_words=3) == "it has only 2 different content words (fewer than 3)"


LATER = "because nobody could say why she had missed every appointment since spring"


def test_a_repeated_phrase_is_of_five_words_at_most() -> None:
    # Five words three times, 15 of 27: a phrase (four words, 12 of 27, would not be).
    assert filler_kind(" ".join(["the child was seen today"] * 3) + " " + LATER) == (
        "the same phrase of 5 words is repeated 3 times")
    # Six words three times, 18 of 33: its five-word parts are 15 of 33, under half, and six
    # words is past a phrase (the sentence is not pasted either: it is one sentence).
    assert filler_kind(" ".join(["the child was seen at home"] * 3) + " " + LATER + " when police went") is None


# ---------------------------------------------------------------- substance: placeholders


def test_a_sentence_holding_every_hint_is_still_judged_by_the_pattern() -> None:
    assert placeholder_sentence("Pending, awaited, outstanding, to come: TBC, t.b.c., to be confirmed, to follow.") is True


def test_a_short_text_is_twelve_words_or_fewer_whatever_its_punctuation() -> None:
    assert placeholder_only(" ".join(["TBC."] * 12)) is True
    assert placeholder_only(" ".join(["TBC."] * 13)) is False
    assert placeholder_only("TBC" + " ." * 12) is True  # one word, however many full stops


# ---------------------------------------------------------------- substance: the same sentence


def test_word_edit_distance_stops_at_the_limit() -> None:
    assert _changes(tuple("abcd"), tuple("abxd"), 2) == 1
    assert _changes(tuple("abcd"), tuple("abcd"), 0) == 0
    assert _changes(("a",), ("a", "b", "c", "d"), 1) == 2  # lengths already too far apart
    assert _changes(tuple("abcdef"), tuple("uvwxyz"), 2) == 3  # past the limit on the way
    assert _changes(("x", "a", "b"), ("a", "b"), 2) == 1  # a word taken off the front
    assert _changes(("x", "y", "a"), ("a",), 2) == 2
    assert _changes((), ("a",), 2) == 1
    assert _changes(("a", "b"), ("a", "x", "b"), 2) == 1  # a word put in
    assert _changes(("a", "x", "b"), ("a", "b"), 2) == 1  # a word taken out
    assert _changes(("a", "b", "c"), ("a",), 2) == 2
    assert _changes(("a",), ("a", "b", "c"), 2) == 2


def test_same_sentence() -> None:
    assert same_sentence(("child", "died"), ("child", "died"), 2) is True
    assert same_sentence((), (), 2) is False
    assert same_sentence(("child", "died"), ("child", "slept"), 2) is False  # two words: none may change
    assert same_sentence(("the", "child", "was", "seen"), ("the", "child", "was", "hurt"), 2) is True  # four: one
    assert same_sentence(("the", "child", "was", "seen"), ("the", "baby", "was", "hurt"), 2) is False
    six = ("the", "child", "was", "seen", "at", "home")
    assert same_sentence(six, ("the", "child", "was", "seen", "at", "school"), 2) is True
    assert same_sentence(six, ("the", "baby", "was", "seen", "at", "school"), 2) is True  # six words: two
    five = ("the", "child", "was", "seen", "today")
    assert same_sentence(five, ("the", "baby", "was", "seen", "there"), 2) is True  # five words: two
    assert same_sentence(six, ("police", "never", "went", "to", "that", "flat"), 2) is False


def test_shared_sentences_allow_two_changed_words_by_default() -> None:
    other = "The health visitor saw the child at home in March."
    two = "The school nurse saw the child at home in March."
    three = "The school nurse saw the baby at home in March."
    assert [s.text for s in shared_sentences(two, other)[1]] == [two]
    assert shared_sentences(three, other)[1] == []
    # Every word known, none in its place: not the same sentence.
    assert shared_sentences("Home at March in child the saw.", other)[1] == []


# ---------------------------------------------------------------- english: the word list and word forms

KNOWN = frozenset({"child", "care", "go", "walk", "box", "quick", "cat", "bake", "sing", "dont", "she"})


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("child", True), ("Child", True), ("CHILD", True), ("chyld", False),
        # a plural, a tense, an adverb, a doer: the stem must be in the list and keep three letters
        ("cats", True), ("boxes", True), ("walked", True), ("baked", True), ("walking", True),
        ("quickly", True), ("walker", True), ("singers", True), ("gos", False), ("going", False),
        # apostrophes: straight or curly, a possessive, or a word the list spells without one
        ("child's", True), ("child\u2019s", True), ("don't", True), ("don\u2019t", True), ("chyld's", False),
        ("she'll", True), ("she\u2019d", True),  # a contraction: the word before the apostrophe
        # hyphenated: any part of three letters or more that is a word
        ("child-care", True), ("child\u2010care", True), ("child\u2011care", True), ("cat-zzz", True),
        ("zzz-cat", True), ("go-zzz", False), ("zzz-yyy", False),
    ],
)
def test_is_english_against_a_given_list(word: str, expected: bool) -> None:
    assert is_english(word, KNOWN) is expected


def test_is_english_uses_the_whole_list_by_default() -> None:
    assert is_english("gossamer") is True  # not among the most common words
    assert "gossamer" not in english_words(COMMON_WORDS)
    assert is_english("asdfgh") is False


def test_the_most_common_words_are_the_first_lines_of_the_list() -> None:
    common = english_words(COMMON_WORDS)
    assert len(common) == COMMON_WORDS
    assert {"the", "child", "school"} <= common
    assert len(english.english_words.__wrapped__(3)) == 3  # the three most frequent words, no counts
    assert english.english_words.__wrapped__(3) <= common and all(w.isalpha() for w in english.english_words.__wrapped__(3))
    assert len(english_words()) > 80_000


def test_a_missing_word_list_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "symspellpy" else real(name, *args)

    monkeypatch.setattr(english.importlib.util, "find_spec", find_spec)
    with pytest.raises(RuntimeError, match="pip install symspellpy"):
        english.english_words.__wrapped__(10)
    monkeypatch.setattr(english.importlib.util, "find_spec", lambda name, *args: importlib.machinery.ModuleSpec(name, None))
    with pytest.raises(RuntimeError, match="not installed"):
        english.english_words.__wrapped__(10)


def test_a_working_day_far_outside_the_known_years_is_not_looked_up() -> None:
    # The look-up's cache holds only the known years, whatever years the referrals name.
    before = workdays._weekday_bank_holidays.cache_info().currsize
    for year in (1, 1850, 1899, 2101, 9999):
        assert is_working_day(date(year, 1, 4)) is (date(year, 1, 4).weekday() < 5)
    assert workdays._weekday_bank_holidays.cache_info().currsize == before


@pytest.mark.parametrize("most_common", [1, 3, 1_000, COMMON_WORDS, 82_765, 90_000, None])
def test_the_word_list_is_read_as_its_lines_say(most_common: int | None) -> None:
    """Split in one go, the list gives the first word of each of its first `most_common` lines."""
    from itertools import islice

    from scrqm.judge import english

    with english.word_list_path().open(encoding="utf-8") as lines:
        expected = frozenset(line.split(" ", 1)[0] for line in islice(lines, most_common) if line.strip())
    assert english.english_words.__wrapped__(most_common) == expected
