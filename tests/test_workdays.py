"""Tests for scrqm.judge.workdays: working days in England, bank holidays included.

Expected values are worked out by hand in the comments, day by day, so that
an implementation that ignores holidays, substitute days or the "after start"
rule gets a different number.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrqm.judge.workdays import is_working_day, working_days_after


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Easter 2016: Thu 24 Mar -> Tue 29 Mar. Fri 25 Good Friday, Sat 26,
        # Sun 27, Mon 28 Easter Monday, Tue 29 counts -> 1.
        (date(2016, 3, 24), date(2016, 3, 29), 1),
        # Christmas 2015: Thu 24 Dec -> Tue 29 Dec. Fri 25 Christmas, Sat 26
        # Boxing Day, Sun 27, Mon 28 Boxing Day (substitute), Tue 29 -> 1.
        (date(2015, 12, 24), date(2015, 12, 29), 1),
        # Christmas 2016: Fri 23 Dec -> Wed 28 Dec. Sat 24, Sun 25 Christmas,
        # Mon 26 Boxing Day, Tue 27 Christmas (substitute), Wed 28 -> 1.
        (date(2016, 12, 23), date(2016, 12, 28), 1),
        # New Year 2017 fell on a Sunday: Fri 30 Dec 2016 -> Tue 3 Jan 2017.
        # Sat 31, Sun 1, Mon 2 (substitute), Tue 3 -> 1.
        (date(2016, 12, 30), date(2017, 1, 3), 1),
        # Christmas 2021 and New Year 2022 both at weekends: Fri 24 Dec 2021
        # -> Tue 4 Jan 2022. Sat 25, Sun 26, Mon 27 and Tue 28 substitutes,
        # Wed 29, Thu 30, Fri 31 count (3), Sat 1, Sun 2, Mon 3 substitute,
        # Tue 4 counts -> 4.
        (date(2021, 12, 24), date(2022, 1, 4), 4),
        # 2020 moved the early May bank holiday to Fri 8 May (VE Day):
        # Thu 7 -> Mon 11: Fri 8 holiday, Sat 9, Sun 10, Mon 11 -> 1.
        (date(2020, 5, 7), date(2020, 5, 11), 1),
        # ... so Mon 4 May 2020 was an ordinary day: Fri 1 -> Tue 5 -> 2.
        (date(2020, 5, 1), date(2020, 5, 5), 2),
        # State funeral, Mon 19 Sep 2022: Fri 16 -> Tue 20 -> 1.
        (date(2022, 9, 16), date(2022, 9, 20), 1),
        # The RULES example: aware Mon 7 Mar 2016, referred Fri 18 Mar 2016.
        # Tue 8 to Fri 11 (4) + Mon 14 to Fri 18 (5) = 9, over the threshold 5.
        (date(2016, 3, 7), date(2016, 3, 18), 9),
        # Plain weeks: the start day never counts, the end day does.
        (date(2016, 3, 7), date(2016, 3, 8), 1),  # Mon -> Tue
        (date(2016, 3, 4), date(2016, 3, 7), 1),  # Fri -> Mon
        (date(2016, 3, 7), date(2016, 3, 14), 5),  # Mon -> next Mon
        (date(2016, 3, 5), date(2016, 3, 11), 5),  # Sat -> Fri
        # Whole of 2016: 366 days from Fri 1 Jan = 52 weeks + Fri + Sat, so
        # 52*5 + 1 = 261 weekdays, less 8 weekday bank holidays (1 Jan,
        # 25 and 28 Mar, 2 and 30 May, 29 Aug, 26 and 27 Dec) = 253.
        (date(2015, 12, 31), date(2016, 12, 31), 253),
    ],
)
def test_working_days_after(start: date, end: date, expected: int) -> None:
    assert working_days_after(start, end) == expected


def test_nine_working_days_is_late_against_threshold_five() -> None:
    delay = working_days_after(date(2016, 3, 7), date(2016, 3, 18))
    assert delay == 9
    assert delay > 5
    # Four days earlier the referral was on the threshold, not over it:
    # Tue 8 to Fri 11 (4) + Mon 14 (1) = 5.
    assert working_days_after(date(2016, 3, 7), date(2016, 3, 14)) == 5


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2016, 3, 9), date(2016, 3, 9)),  # same day
        (date(2016, 3, 10), date(2016, 3, 9)),  # end before start
        (date(2016, 3, 18), date(2016, 3, 1)),  # end well before start
        (date(2016, 3, 4), date(2016, 3, 6)),  # Fri -> Sun: only the weekend
        (date(2016, 3, 5), date(2016, 3, 6)),  # Sat -> Sun
        (date(2015, 12, 24), date(2015, 12, 28)),  # Fri 25 to Mon 28: all holiday
    ],
)
def test_working_days_after_zero(start: date, end: date) -> None:
    assert working_days_after(start, end) == 0


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2016, 3, 24), True),  # Maundy Thursday is a working day
        (date(2016, 3, 25), False),  # Good Friday
        (date(2016, 3, 28), False),  # Easter Monday
        (date(2016, 3, 29), True),
        (date(2015, 12, 25), False),  # Christmas Day, a Friday
        (date(2015, 12, 26), False),  # Boxing Day, a Saturday
        (date(2015, 12, 28), False),  # Boxing Day substitute, a Monday
        (date(2016, 12, 27), False),  # Christmas Day substitute, a Tuesday
        (date(2017, 1, 2), False),  # New Year's Day substitute, a Monday
        (date(2016, 3, 12), False),  # an ordinary Saturday
        (date(2016, 3, 13), False),  # an ordinary Sunday
        (date(2016, 3, 14), True),  # an ordinary Monday
        (date(2020, 5, 4), True),  # usual early May holiday, moved in 2020
        (date(2020, 5, 8), False),  # VE Day
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def _walk(start: date, end: date) -> int:
    # The definition, spelt out slowly: walk each day after start.
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31)),
    span=st.integers(min_value=-10, max_value=800),
)
def test_working_days_after_agrees_with_walking_the_calendar(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_after(start, end) == _walk(start, end)


def test_holidays_package_is_imported_lazily() -> None:
    # The CLI must start fast, so importing the module must not load holidays.
    src = str(Path(__file__).resolve().parents[1] / "src")
    path = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    code = "import sys, scrqm.judge.workdays; print('holidays' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "False"


def test_bank_holiday_table_equals_the_holidays_package() -> None:
    # The shipped table (scripts/bank_holidays.py) must give what the package
    # gives, year by year, or a regenerated table is due.
    import holidays

    from scrqm.judge.bank_holidays import FIRST_YEAR, LAST_YEAR, WEEKDAY_BANK_HOLIDAYS
    from scrqm.judge.workdays import _from_package

    from scrqm.judge.workdays import _weekday_bank_holidays, table_matches_installed_package

    assert sorted(WEEKDAY_BANK_HOLIDAYS) == list(range(FIRST_YEAR, LAST_YEAR + 1))
    current = table_matches_installed_package()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        assert _weekday_bank_holidays(year) == _from_package(year), year
        if current:  # generated from this very release: the table itself must agree
            table = {date.fromisoformat(d) for d in WEEKDAY_BANK_HOLIDAYS[year]}
            assert table == _from_package(year), year
    assert holidays.__version__  # the package stays the source of truth


def test_table_is_used_only_beside_the_release_it_was_generated_from(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays

    from scrqm.judge import bank_holidays, workdays

    # A newer `holidays` makes the table unused (slower, never wrong); regenerate
    # it with scripts/bank_holidays.py to get the speed back.
    assert workdays.table_matches_installed_package() == (holidays.__version__ == bank_holidays.GENERATED_FROM)
    # Pretend the table came from another release, with a made-up holiday in it:
    # it must then be ignored in favour of the package.
    monkeypatch.setattr(bank_holidays, "GENERATED_FROM", "0.0.1")
    monkeypatch.setitem(bank_holidays.WEEKDAY_BANK_HOLIDAYS, 2016, ("2016-03-29",))
    workdays.table_matches_installed_package.cache_clear()
    workdays._weekday_bank_holidays.cache_clear()
    try:
        assert not workdays.table_matches_installed_package()
        assert working_days_after(date(2016, 3, 24), date(2016, 3, 29)) == 1  # from the package
    finally:
        workdays.table_matches_installed_package.cache_clear()
        workdays._weekday_bank_holidays.cache_clear()


def test_years_outside_the_table_come_from_the_package() -> None:
    # 2050: Christmas Sun 25 Dec, Boxing Day Mon 26, substitute Tue 27 Dec.
    # Fri 23 Dec -> Wed 28 Dec: Mon 26 and Tue 27 are holidays, Wed 28 counts -> 1.
    assert working_days_after(date(2050, 12, 23), date(2050, 12, 28)) == 1
    assert not is_working_day(date(1990, 12, 25))


def test_checking_a_referral_does_not_import_the_holidays_package() -> None:
    # Importing holidays loads every country's calendar (~100 ms a run); the
    # table covers the years referrals are written in.
    src = str(Path(__file__).resolve().parents[1] / "src")
    path = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    code = ("import sys, datetime\nfrom scrqm.judge.workdays import working_days_after\n"
            "print(working_days_after(datetime.date(2016, 3, 24), datetime.date(2016, 3, 29)), "
            "'holidays' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    from scrqm.judge.workdays import table_matches_installed_package

    # Beside the release the table came from, the package is never imported.
    assert result.stdout.split() == ["1", str(not table_matches_installed_package())]
