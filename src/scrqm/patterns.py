"""Patterns across referrals: what recurs within a window of time, and how long referrals take.

Quality Marker 1's point that rapid referral lets patterns be seen (common
victims, perpetrators or institutions) needs a view across a folder, not one
file at a time.  This module owns that view: the institutions
(`institutions`), agencies (`agencies[].name`) and settings
(`incident.setting`) named by two or more referrals dated within a window of
each other, and the distribution of delays in working days, each profile's
delay counted as that profile's first `delay` rule counts it.

Referrals are named by path and `referral.reference` only: no summary,
rationale or other text of the referral is ever reported, only the recurring
names themselves.  A file that is not a valid referral is skipped and named.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, TextIO

from scrqm.errors import ScrqmError
from scrqm.shape.model import Referral, get_field

By = Literal["incident", "referral"]
Kind = Literal["institution", "agency", "setting"]

# Which date places a referral in time, first present wins.
DATE_FIELDS: dict[str, list[str]] = {
    "incident": ["incident.date", "incident.aware_date"],
    "referral": ["referral.date", "notification.date"],
}
BUCKETS: list[tuple[str, int, int | None]] = [("0-5", 0, 5), ("6-10", 6, 10), ("11-20", 11, 20), (">20", 21, None)]


@dataclass(frozen=True)
class Sighting:
    """One referral naming something, placed in time."""

    path: str
    reference: str | None
    date: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reference": self.reference, "date": self.date.isoformat()}


@dataclass
class Recurrence:
    """A name that two or more referrals share, each within the window of the one before."""

    kind: Kind
    name: str
    referrals: list[Sighting]

    @property
    def first(self) -> dt.date:
        return self.referrals[0].date

    @property
    def last(self) -> dt.date:
        return self.referrals[-1].date

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "count": len(self.referrals),
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "referrals": [s.to_dict() for s in self.referrals],
        }


@dataclass
class DelayDistribution:
    """Delays in working days of the referrals of one profile, counted as its pack counts them."""

    profile: str
    start: list[str]
    end: str
    threshold: int
    delays: list[int] = field(default_factory=list)
    not_counted: int = 0

    def buckets(self) -> dict[str, int]:
        return {label: sum(1 for d in self.delays if low <= d and (high is None or d <= high))
                for label, low, high in BUCKETS}

    def median(self) -> float | None:
        return float(statistics.median(self.delays)) if self.delays else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "from": self.start,
            "to": self.end,
            "threshold": self.threshold,
            "counted": len(self.delays),
            "not_counted": self.not_counted,
            "late": sum(1 for d in self.delays if d > self.threshold),
            "buckets": self.buckets(),
            "median": self.median(),
        }


@dataclass
class Patterns:
    window_days: int
    by: By
    files: int = 0
    recurrences: list[Recurrence] = field(default_factory=list)
    delays: list[DelayDistribution] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "by": self.by,
            "date_fields": DATE_FIELDS[self.by],
            "files": self.files,
            "recurrences": [r.to_dict() for r in self.recurrences],
            "delays": [d.to_dict() for d in self.delays],
            "undated": self.undated,
            "skipped": self.skipped,
        }


def normalise(name: str) -> str:
    """The key names are compared by: case, spacing, full stops and curly quotes do not matter.

    >>> normalise("  Sunnyside  Day Nursery ") == normalise("sunnyside day nursery")
    True
    >>> normalise("St. Mary’s & St John's") == normalise("St Mary's and St John's")
    True
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    text = re.sub(r"[.,;:]", " ", text)
    return " ".join(text.split()).strip("'\"-()[] ")


# --------------------------------------------------------------------- reading


@dataclass
class _Read:
    display: str
    referral: Referral


def read_referrals(files: Iterable[Path], on_skip: Callable[[str], None]) -> list[_Read]:
    """Every file that is a valid referral; `on_skip` is told the path of each that is not."""
    from scrqm.load.document import LoadFailure, load_path
    from scrqm.shape.validate import validate

    read = []
    for path in files:
        display = path.as_posix()
        try:
            shaped = validate(Referral, load_path(path))
        except (LoadFailure, OSError):
            on_skip(display)
            continue
        if isinstance(shaped, list):
            on_skip(display)
        else:
            read.append(_Read(display, shaped))
    return read


# --------------------------------------------------------------------- recurrences


def names_in(referral: Referral) -> Iterable[tuple[Kind, str]]:
    for name in referral.institutions or []:
        yield "institution", name
    for agency in referral.agencies or []:
        if agency.name:
            yield "agency", agency.name
    if referral.incident is not None and referral.incident.setting:
        yield "setting", referral.incident.setting


def place_in_time(referral: Referral, by: By) -> dt.date | None:
    for name in DATE_FIELDS[by]:
        value = get_field(referral, name)
        if isinstance(value, dt.date):
            return value
    return None


def recurrences(read: list[_Read], *, by: By, window_days: int, min_referrals: int,
                undated: list[str]) -> list[Recurrence]:
    sightings: dict[tuple[Kind, str], list[Sighting]] = {}
    spellings: dict[tuple[Kind, str], Counter[str]] = {}
    for item in read:
        date = place_in_time(item.referral, by)
        if date is None:
            undated.append(item.display)
            continue
        reference = item.referral.referral.reference if item.referral.referral else None
        seen_here: set[tuple[Kind, str]] = set()
        for kind, name in names_in(item.referral):
            key = (kind, normalise(name))
            if not key[1]:
                continue
            spellings.setdefault(key, Counter())[" ".join(name.split())] += 1
            if key not in seen_here:  # a referral naming a place twice is one sighting
                seen_here.add(key)
                sightings.setdefault(key, []).append(Sighting(item.display, reference, date))
    found = []
    for key, seen in sightings.items():
        name = spellings[key].most_common(1)[0][0]
        for run in _chains(seen, window_days):
            if len(run) >= min_referrals:
                found.append(Recurrence(key[0], name, run))
    order = {"institution": 0, "agency": 1, "setting": 2}
    return sorted(found, key=lambda r: (order[r.kind], -len(r.referrals), r.name.casefold(), r.first))


def _chains(seen: list[Sighting], window_days: int) -> list[list[Sighting]]:
    """Sightings in date order, split wherever one is more than the window after the one before."""
    ordered = sorted(seen, key=lambda s: (s.date, s.path))
    runs: list[list[Sighting]] = []
    for sighting in ordered:
        if runs and (sighting.date - runs[-1][-1].date).days <= window_days:
            runs[-1].append(sighting)
        else:
            runs.append([sighting])
    return runs


# --------------------------------------------------------------------- delays


def delay_distributions(read: list[_Read], choose: Callable[[str | None], Any]) -> list[DelayDistribution]:
    """Per profile, the delay its first `delay` rule counts (awareness to referral, or to notification)."""
    from scrqm.check.functions import delay_in_working_days

    distributions: dict[str, DelayDistribution] = {}
    for item in read:
        ruleset = choose(item.referral.profile)
        rule = next((r for r in ruleset.rules if r.definition.check == "delay"), None)
        if rule is None:
            continue
        options: Any = rule.options
        distribution = distributions.setdefault(
            ruleset.profile, DelayDistribution(ruleset.profile, list(options.start), options.end, options.threshold)
        )
        computed = delay_in_working_days(item.referral, options.start, options.end)
        if computed is None:
            distribution.not_counted += 1
        else:
            distribution.delays.append(computed[1])
    return [distributions[name] for name in sorted(distributions)]


def find_patterns(
    files: list[Path],
    *,
    choose: Callable[[str | None], Any],
    window_days: int = 365,
    by: By = "incident",
    min_referrals: int = 2,
    on_skip: Callable[[str], None] = lambda path: None,
) -> Patterns:
    result = Patterns(window_days=window_days, by=by, files=len(files))

    def skip(path: str) -> None:
        result.skipped.append(path)
        on_skip(path)

    read = [item for item in read_referrals(files, skip) if _known_profile(item, choose, skip)]
    result.recurrences = recurrences(read, by=by, window_days=window_days, min_referrals=min_referrals,
                                     undated=result.undated)
    result.delays = delay_distributions(read, choose)
    return result


def _known_profile(item: _Read, choose: Callable[[str | None], Any], skip: Callable[[str], None]) -> bool:
    """A referral naming a profile that does not exist is invalid, as `scrqm check` says."""
    from scrqm.packs.loader import UnknownProfile

    try:
        choose(item.referral.profile)
    except UnknownProfile:
        skip(item.display)
        return False
    return True


# --------------------------------------------------------------------- reports


def render_json(patterns: Patterns, stream: TextIO) -> None:
    import json

    json.dump(patterns.to_dict(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def render_text(patterns: Patterns, stream: TextIO) -> None:
    """A summary table, then each recurrence with the referrals that share it, then the delays."""
    from rich.table import Table
    from rich.text import Text

    from scrqm.report.text import console_for
    from scrqm.report.visible import shown

    patterns = shown(patterns)  # names and paths as text, never terminal or CI commands
    console = console_for(stream)
    valid = patterns.files - len(patterns.skipped)
    by = " or ".join(f"`{f}`" for f in DATE_FIELDS[patterns.by])
    console.print(Text(f"{valid} referrals read; names shared by referrals within {patterns.window_days} days "
                       f"of each other (dated by {by})", style="bold"))
    if not patterns.recurrences:
        console.print("Nothing recurs within the window.")
    else:
        table = Table()
        for column in ("Kind", "Name", "Referrals", "From", "To"):
            table.add_column(column, no_wrap=column != "Name")
        for r in patterns.recurrences:
            table.add_row(r.kind, Text(r.name), str(len(r.referrals)), str(r.first), str(r.last))
        console.print(table)
        for r in patterns.recurrences:
            console.print(Text.assemble((f"{r.kind} ", "dim"), (r.name, "bold"), f"  ({len(r.referrals)} referrals)"))
            for s in r.referrals:
                console.print(Text(f"  {s.date}  {s.path}  {s.reference or '(no reference)'}"))
    if patterns.undated:
        console.print(Text(f"Not placed in time (no {by}): " + ", ".join(patterns.undated)))
    _render_delays(console, patterns)


def _render_delays(console: Any, patterns: Patterns) -> None:
    from rich.table import Table
    from rich.text import Text

    if not patterns.delays:
        return
    console.print()
    console.print(Text("Delays in working days", style="bold"))
    table = Table()
    for column in ("Profile", "Counted", *(label for label, _, _ in BUCKETS), "Median", "Late", "Not counted"):
        table.add_column(column, no_wrap=True)
    for d in patterns.delays:
        data = d.to_dict()
        median = "-" if data["median"] is None else f"{data['median']:g}"
        table.add_row(d.profile, str(data["counted"]), *(str(n) for n in data["buckets"].values()), median,
                      str(data["late"]), str(d.not_counted))
    console.print(table)
    for d in patterns.delays:
        console.print(Text(f"{d.profile}: from {' or '.join(d.start)} to {d.end}; late means more than "
                           f"{d.threshold}"))


# --------------------------------------------------------------------- one run


@dataclass
class PatternOptions:
    """What `scrqm patterns` was asked for; None means "as configured"."""

    paths: list[str]
    window_days: int = 365
    by: By = "incident"
    min_referrals: int = 2
    format: Literal["text", "json"] = "text"
    profile: str | None = None
    config: Path | None = None
    isolated: bool = False
    exclude: list[str] = field(default_factory=list)


def execute(options: PatternOptions, stream: TextIO, notes: TextIO) -> Patterns:
    """Find and report the patterns; notes (skipped files, missing paths) go to `notes`."""
    from scrqm.run.discover import discover
    from scrqm.packs.loader import DEFAULT_PROFILE, load_ruleset
    from scrqm.run.session import CheckOptions, effective_config

    if "-" in options.paths:
        # Patterns need many referrals side by side; one stream is not a collection (./- names a file).
        raise ScrqmError("patterns reads folders and files, not standard input (-); "
                         "name the referrals, e.g. scrqm patterns referrals/")
    loaded = effective_config(CheckOptions(paths=options.paths, profile=options.profile, config=options.config,
                                           isolated=options.isolated, exclude=options.exclude))
    config = loaded.config
    default = config.profile or DEFAULT_PROFILE
    load_ruleset(default)  # an unknown run profile is a usage error before any file is read
    cache: dict[str, Any] = {}

    def choose(profile: str | None) -> Any:
        # Select/ignore do not apply here: the delay is the profile's, whatever a run reports.
        name = profile or default
        if name not in cache:
            cache[name] = load_ruleset(name, thresholds=config.thresholds)
        return cache[name]

    from scrqm.report.visible import visible

    found = discover(options.paths, exclude=config.exclude, force_exclude=bool(config.force_exclude))
    for error in found.errors:
        print(visible(f"scrqm: error: {error}"), file=notes)

    def note(path: str) -> None:
        print(visible(f"scrqm: note: {path}: skipped, not a valid referral (`scrqm check {path}` says why)"),
              file=notes)

    patterns = find_patterns(found.files, choose=choose, window_days=options.window_days,
                             by=options.by, min_referrals=options.min_referrals, on_skip=note)
    patterns.errors = found.errors
    (render_json if options.format == "json" else render_text)(patterns, stream)
    return patterns
