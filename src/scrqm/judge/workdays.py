"""Working-day arithmetic for England: the clock behind QM1.3 (delays).

This module owns what a working day is (Monday to Friday, less England and
Wales bank holidays, substitute days included) and how many of them lie
between two dates. Bank holidays come from the ``holidays`` package: through
the table generated from it (``bank_holidays.py``, 1995-2040) and for other
years from the package itself, imported on first use only: importing it loads
every country's calendar, about a hundred milliseconds on every run.

The cost of a count does not grow with the span: whole weeks are counted by
arithmetic, and bank holidays are known only for `FIRST_KNOWN_YEAR` to
`LAST_KNOWN_YEAR` (asked of the package once, all years together).  Outside
those years only weekends are excluded; such a date is a finding of its own
(before 1900, or after today), so the count there is never what decides.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from functools import lru_cache
from pathlib import Path

from scrqm.judge import bank_holidays

__all__ = ["FIRST_KNOWN_YEAR", "LAST_KNOWN_YEAR", "is_working_day", "working_days_after"]

# The years whose bank holidays are looked up; a referral's dates outside them are findings.
FIRST_KNOWN_YEAR, LAST_KNOWN_YEAR = 1900, 2100

# date.weekday(): Monday is 0, Friday is 4, Saturday 5, Sunday 6.
_FIRST_WEEKEND_DAY = 5
_DAYS_PER_WEEK = 7
_WORKING_DAYS_PER_WEEK = 5


@lru_cache(maxsize=None)  # at most LAST_KNOWN_YEAR - FIRST_KNOWN_YEAR + 1 entries
def _weekday_bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of one year that fall Monday to Friday.

    The package lists substitute days ("Christmas Day (observed)") as
    holidays of their own, so a Christmas on a Saturday yields the following
    Monday. Holidays that fall at a weekend are dropped here because the
    weekend already excludes them; keeping them would count them twice.
    """
    if not FIRST_KNOWN_YEAR <= year <= LAST_KNOWN_YEAR:
        return frozenset()
    if bank_holidays.FIRST_YEAR <= year <= bank_holidays.LAST_YEAR and table_matches_installed_package():
        return frozenset(date.fromisoformat(day) for day in bank_holidays.WEEKDAY_BANK_HOLIDAYS[year])
    return _every_known_year_from_package().get(year, frozenset())


@lru_cache(maxsize=1)
def table_matches_installed_package() -> bool:
    """Whether the table was generated from the `holidays` release installed here.

    A newer release may add a bank holiday (a coronation, a jubilee); the
    table is then stale and the package itself is asked.  The version is read
    from the installed distribution's folder name, without importing anything
    (importlib.metadata alone costs tens of milliseconds).
    """
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return False
    site = Path(next(iter(spec.submodule_search_locations))).parent
    return any(site.glob(f"holidays-{bank_holidays.GENERATED_FROM}.dist-info"))


@lru_cache(maxsize=1)
def _every_known_year_from_package() -> dict[int, frozenset[date]]:
    """All known years in one call to the package: a few tens of milliseconds, once a run."""
    import holidays  # start-up: importing the package costs about a hundred milliseconds

    calendar = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(FIRST_KNOWN_YEAR, LAST_KNOWN_YEAR + 1), observed=True
    )
    years: dict[int, set[date]] = {}
    for day in calendar:
        if day.weekday() < _FIRST_WEEKEND_DAY:
            years.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in years.items()}


def _from_package(year: int) -> frozenset[date]:
    import holidays  # start-up: importing the package costs about a hundred milliseconds

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
    if day.weekday() >= _FIRST_WEEKEND_DAY:
        return False
    # Outside the known years there are no bank holidays, and no look-up: the cache holds known years only.
    return not FIRST_KNOWN_YEAR <= day.year <= LAST_KNOWN_YEAR or day not in _weekday_bank_holidays(day.year)


def working_days_after(start: date, end: date) -> int:
    """Count working days after start, up to and including end.

    The start day itself never counts: a referral made the day after the
    referrer became aware is one working day late at most. When end is on or
    before start the answer is 0.

    Weekdays are counted by arithmetic rather than by walking the calendar,
    then the weekday bank holidays inside the span are subtracted: every one
    of a year wholly inside it, those after `start` or up to `end` in the
    years at either end.  Only known years are visited, so the cost is
    bounded whatever the dates (0001-01-01 to 9999-12-31 included).
    """
    if end <= start:
        return 0
    weekdays = _weekdays_up_to(end.toordinal()) - _weekdays_up_to(start.toordinal())
    first, last = max(start.year, FIRST_KNOWN_YEAR), min(end.year, LAST_KNOWN_YEAR)
    holidays_in_span = 0
    for year in range(first, last + 1):
        days = _weekday_bank_holidays(year)
        if start.year < year < end.year:
            holidays_in_span += len(days)
        else:
            holidays_in_span += sum(1 for day in days if start < day <= end)
    return weekdays - holidays_in_span
