"""Patterns across referrals: what recurs within a window of time, and how long referrals take.

Quality Marker 1's point that rapid referral lets patterns be seen (common
victims, perpetrators or institutions) needs a view across a folder, not one
file at a time.  This module owns that view: the institutions
(`institutions`), agencies (`agencies[].name`) and settings
(`incident.setting`, only the kinds that are institutions: not `home`,
`community` or `other`) named by two or more referrals dated within a window
of each other, and the distribution of delays in working days, each counted
as the profile's pack names it (`facts: {delay: RULE}`).

Names are compared after normalisation (`normalise`: case, spacing,
punctuation, a bracketed qualifier, a leading "the"), and each name is
reported once, with the referrals of every window in which it recurs.

Every file goes through the same per-file pipeline as `scrqm check` (the same
rule selection, board packs and thresholds, in parallel across the same pool
for many files); of each valid referral only its names, dates and reference
are kept.  Referrals are named by path and `referral.reference` only: no
summary, rationale or other text of the referral is ever reported, only the
recurring names themselves.  A file that is not a valid referral is skipped
and named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal, TextIO

from scrqm.errors import ScrqmError
from scrqm.packs.loader import RuleSet
from scrqm.report import get_view
from scrqm.report.visible import visible
from scrqm.result import FileResult
from scrqm.run.batch import Plan, check_files, jobs_of
from scrqm.run.discover import discover
from scrqm.run.options import CheckOptions, effective_config
from scrqm.run.session import prepare_run
from scrqm.shape.model import Referral, get_field

By = Literal["incident", "referral"]
Kind = Literal["institution", "agency", "setting"]

# Which date places a referral in time, first present wins.
DATE_FIELDS: dict[str, list[str]] = {
    "incident": ["incident.date", "incident.aware_date"],
    "referral": ["referral.date", "notification.date"],
}
# `incident.setting` values that are institutions; `home`, `community` and `other` place nothing.
INSTITUTIONAL_SETTINGS = frozenset({"school", "health", "custody", "secure_estate", "mental_health_detention",
                                    "regulated_setting"})
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
    """A name that referrals share: every referral of each window in which enough of them name it.

    A window is a run of referrals each within `window_days` of the one before; a
    name recurring in two windows is one recurrence with both windows' referrals.
    """

    kind: Kind
    name: str
    referrals: list[Sighting]
    windows: list[list[Sighting]] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)  # as written, most frequent first

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
            "spellings": self.spellings,
            "windows": [{"first": w[0].date.isoformat(), "last": w[-1].date.isoformat(), "count": len(w)}
                        for w in self.windows],
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


# Punctuation that does not tell two names apart (hyphens and apostrophes become nothing or a space).
_PUNCTUATION = re.compile(r"[^\w\s]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def normalise(name: str) -> str:
    """The key names are compared by.

    Case, spacing, punctuation, a bracketed qualifier and a leading "the" do not matter:

    >>> normalise("  Sunnyside  Day Nursery ") == normalise("sunnyside day nursery")
    True
    >>> normalise("St. Mary’s & St John's") == normalise("St Mary's and St John's")
    True
    >>> normalise("Health visiting (Northshire Community Health)") == normalise("health visiting")
    True
    >>> normalise("The Grove Children's Centre") == normalise("Grove Childrens Centre")
    True
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    without = _BRACKETED.sub(" ", text)
    if without.strip():  # a name that is all qualifier, e.g. "(unnamed)", keeps it
        text = without
    text = text.replace("&", " and ")
    text = re.sub(r"['\u2019\u2018`]", "", text)  # Mary's = Marys
    text = re.sub(r"(?<!\w)(\w)\.(?=\w\.)|(?<=\w\.)(\w)\.", r"\1\2", text)  # G.P. = GP
    words = _PUNCTUATION.sub(" ", text).replace("_", " ").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


# --------------------------------------------------------------------- what each referral gives


@dataclass(frozen=True)
class Observed:
    """What patterns keep of one valid referral: its reference, dates and the names it gives."""

    reference: str | None
    dates: dict[str, dt.date | None]
    names: tuple[tuple[Kind, str], ...]


def observe(referral: Referral) -> Observed:
    """Run in the pipeline (perhaps in a worker): nothing of the referral's text but its names."""
    reference = referral.referral.reference if referral.referral else None
    return Observed(reference, {by: place_in_time(referral, by) for by in DATE_FIELDS}, tuple(names_in(referral)))


def names_in(referral: Referral) -> Iterable[tuple[Kind, str]]:
    for name in referral.institutions or []:
        yield "institution", name
    for agency in referral.agencies or []:
        if agency.name:
            yield "agency", agency.name
    if referral.incident is not None and referral.incident.setting in INSTITUTIONAL_SETTINGS:
        yield "setting", referral.incident.setting


def place_in_time(referral: Referral, by: str) -> dt.date | None:
    for name in DATE_FIELDS[by]:
        value = get_field(referral, name)
        if isinstance(value, dt.date):
            return value
    return None


# --------------------------------------------------------------------- recurrences


def recurrences(results: list[FileResult], *, by: By, window_days: int, min_referrals: int,
                undated: list[str]) -> list[Recurrence]:
    sightings: dict[tuple[Kind, str], list[Sighting]] = {}
    spellings: dict[tuple[Kind, str], Counter[str]] = {}
    for result in results:
        seen: Observed = result.observed
        date = seen.dates.get(by)
        if date is None:
            undated.append(result.path)
            continue
        seen_here: set[tuple[Kind, str]] = set()
        for kind, name in seen.names:
            key = (kind, normalise(name))
            if not key[1]:
                continue
            spellings.setdefault(key, Counter())[" ".join(name.split())] += 1
            if key not in seen_here:  # a referral naming a place twice is one sighting
                seen_here.add(key)
                sightings.setdefault(key, []).append(Sighting(result.path, seen.reference, date))
    found = []
    for key, sighted in sightings.items():
        windows = [run for run in _chains(sighted, window_days) if len(run) >= min_referrals]
        if windows:
            # The spelling most referrals use; between equals, the shortest (the qualifier is detail).
            written = sorted(spellings[key].items(), key=lambda item: (-item[1], len(item[0]), item[0]))
            found.append(Recurrence(key[0], written[0][0], [s for run in windows for s in run], windows,
                                    [spelling for spelling, _ in written]))
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


def delay_distributions(results: list[FileResult], profiles: dict[str, RuleSet]) -> list[DelayDistribution]:
    """Per profile, the delay its pack names (`facts: {delay: RULE}`), as the pipeline counted it."""
    distributions: dict[str, DelayDistribution] = {}
    for result in results:
        ruleset = profiles[result.profile or ""]
        rule = ruleset.facts.get("delay")
        if rule is None:
            continue
        options: Any = rule.options
        distribution = distributions.setdefault(
            ruleset.profile, DelayDistribution(ruleset.profile, list(options.start), options.end, options.threshold)
        )
        delay = result.facts.get("delay_working_days")
        if delay is None:
            distribution.not_counted += 1
        else:
            distribution.delays.append(delay)
    return [distributions[name] for name in sorted(distributions)]


def find_patterns(results: list[FileResult], profiles: dict[str, RuleSet], *, window_days: int = 365,
                  by: By = "incident", min_referrals: int = 2) -> Patterns:
    """The patterns of a run's results (`Plan(observe=observe)`); an invalid file is skipped."""
    found = Patterns(window_days=window_days, by=by, files=len(results))
    valid = []
    for result in results:
        if result.verdict == "invalid" or not isinstance(result.observed, Observed):
            found.skipped.append(result.path)
        else:
            valid.append(result)
    found.recurrences = recurrences(valid, by=by, window_days=window_days, min_referrals=min_referrals,
                                    undated=found.undated)
    found.delays = delay_distributions(valid, profiles)
    return found


# --------------------------------------------------------------------- one run


@dataclass
class PatternOptions:
    """What `scrqm patterns` was asked for; None means "as configured"."""

    paths: list[str]
    window_days: int = 365
    by: By = "incident"
    min_referrals: int = 2
    format: str = "text"
    profile: str | None = None
    config: Path | None = None
    isolated: bool = False
    exclude: list[str] = field(default_factory=list)
    jobs: int | None = None


def execute(options: PatternOptions, stream: TextIO, notes: TextIO) -> Patterns:
    """Find and report the patterns; notes (skipped files, missing paths) go to `notes`."""
    if "-" in options.paths:
        # Patterns need many referrals side by side; one stream is not a collection (./- names a file).
        raise ScrqmError("patterns reads folders and files, not standard input (-); "
                         "name the referrals, e.g. scrqm patterns referrals/")
    loaded = effective_config(CheckOptions(paths=options.paths, profile=options.profile, config=options.config,
                                           isolated=options.isolated, exclude=options.exclude, jobs=options.jobs))
    selection, settings = prepare_run(loaded)  # the rules `check` would use, board packs and thresholds too
    config = loaded.config
    found = discover(options.paths, exclude=config.exclude, force_exclude=bool(config.force_exclude))
    for error in found.errors:
        print(visible(f"scrqm: error: {error}"), file=notes)
    # Names, dates and the delay facts are all patterns reads: no rule needs to run.
    plan = Plan(selection.default, config, dataclasses.replace(settings, judge=False), selection, observe=observe,
                keep_findings=False)
    results = check_files(((path, path.as_posix()) for path in found.files), plan=plan, jobs=jobs_of(config))
    for result in results:
        if result.profile:
            selection.profile(result.profile)
    patterns = find_patterns(results, selection.loaded_profiles(), window_days=options.window_days,
                             by=options.by, min_referrals=options.min_referrals)
    for path in patterns.skipped:
        print(visible(f"scrqm: note: {path}: skipped, not a valid referral (`scrqm check {path}` says why)"),
              file=notes)
    patterns.errors = found.errors
    get_view("patterns", options.format).render(patterns, stream)
    return patterns
