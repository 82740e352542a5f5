"""Tests written against mutants of the judging modules that got past the suite.

scripts/mutate.py judge.workdays (and .identifiers, .prose, .substance,
.english) runs these; each test pins behaviour the docstrings or the rules
describe, which a one-token change to the module got wrong without a test
noticing.  Survivors that no input can tell apart are listed, with the reason,
in scripts/equivalent-mutants.txt.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from datetime import date
from typing import Any

import pytest

from scrqm.judge import bank_holidays, workdays
from scrqm.judge.identifiers import find_identifiers, mask_identifiers
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
