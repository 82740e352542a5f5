"""Working-day arithmetic for England: the clock behind QM1.3 (delays).

This module owns what a working day is (Monday to Friday, less England and
Wales bank holidays, substitute days included) and how many of them lie
between two dates. Bank holidays come from the ``holidays`` package: through
the table generated from it (``bank_holidays.py``, 1995-2040) and for other
years from the package itself, imported on first use only: importing it loads
every country's calendar, about a hundred milliseconds on every run.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

__all__ = ["is_working_day", "working_days_after"]

# date.weekday(): Monday is 0, Friday is 4, Saturday 5, Sunday 6.
_FIRST_WEEKEND_DAY = 5
_DAYS_PER_WEEK = 7
_WORKING_DAYS_PER_WEEK = 5


@lru_cache(maxsize=64)
def _weekday_bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of one year that fall Monday to Friday.

    The package lists substitute days ("Christmas Day (observed)") as
    holidays of their own, so a Christmas on a Saturday yields the following
    Monday. Holidays that fall at a weekend are dropped here because the
    weekend already excludes them; keeping them would count them twice.
    """
    from scrqm.judge.bank_holidays import FIRST_YEAR, LAST_YEAR, WEEKDAY_BANK_HOLIDAYS

    if FIRST_YEAR <= year <= LAST_YEAR and table_matches_installed_package():
        return frozenset(date.fromisoformat(day) for day in WEEKDAY_BANK_HOLIDAYS[year])
    return _from_package(year)


@lru_cache(maxsize=1)
def table_matches_installed_package() -> bool:
    """Whether the table was generated from the `holidays` release installed here.

    A newer release may add a bank holiday (a coronation, a jubilee); the
    table is then stale and the package itself is asked.  The version is read
    from the installed distribution's folder name, without importing anything
    (importlib.metadata alone costs tens of milliseconds).
    """
    import importlib.util

    from scrqm.judge.bank_holidays import GENERATED_FROM

    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return False
    site = Path(next(iter(spec.submodule_search_locations))).parent
    return any(site.glob(f"holidays-{GENERATED_FROM}.dist-info"))


def _from_package(year: int) -> frozenset[date]:
    import holidays  # lazy: importing the package costs about a hundred milliseconds

    # observed=True is the default; it is spelt out because substitute days
    # are the whole point (a Saturday Christmas gives a Monday off).
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year, observed=True)
    return frozenset(day for day in calendar if day.weekday() < _FIRST_WEEKEND_DAY)


def _weekdays_up_to(ordinal: int) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to this ordinal day."""
    full_weeks, rest = divmod(ordinal, _DAYS_PER_WEEK)
    # The remaining days start on a Monday, so at most five of them count.
    return full_weeks * _WORKING_DAYS_PER_WEEK + min(rest, _WORKING_DAYS_PER_WEEK)


def is_working_day(day: date) -> bool:
    """Return True when day is a Monday to Friday that is not a bank holiday."""
    return day.weekday() < _FIRST_WEEKEND_DAY and day not in _weekday_bank_holidays(day.year)


def working_days_after(start: date, end: date) -> int:
    """Count working days after start, up to and including end.

    The start day itself never counts: a referral made the day after the
    referrer became aware is one working day late at most. When end is on or
    before start the answer is 0.

    Weekdays are counted by arithmetic rather than by walking the calendar,
    then the weekday bank holidays inside the span are subtracted.
    """
    if end <= start:
        return 0
    weekdays = _weekdays_up_to(end.toordinal()) - _weekdays_up_to(start.toordinal())
    holidays_in_span = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in _weekday_bank_holidays(year)
        if start < holiday <= end
    )
    return weekdays - holidays_in_span
