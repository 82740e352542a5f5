"""The `scrqm patterns` report: what recurs across referrals, and the spread of delays (text or JSON)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from scrqm.patterns import BUCKETS, DATE_FIELDS, Patterns
from scrqm.report.text import console_for
from scrqm.report.visible import shown


class PatternsJsonReporter:
    def render(self, patterns: Patterns, stream: TextIO) -> None:
        json.dump(patterns.to_dict(), stream, indent=2, ensure_ascii=False)
        stream.write("\n")


class PatternsTextReporter:
    def render(self, patterns: Patterns, stream: TextIO) -> None:
        render_text(patterns, stream)


def render_text(patterns: Patterns, stream: TextIO) -> None:
    """A summary table, then each recurrence with the referrals that share it, then the delays."""
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
            if len(r.spellings) > 1:
                console.print(Text("  written as: " + "; ".join(r.spellings), style="dim"))
            for s in r.referrals:
                console.print(Text(f"  {s.date}  {s.path}  {s.reference or '(no reference)'}"))
    if patterns.undated:
        console.print(Text(f"Not placed in time (no {by}): " + ", ".join(patterns.undated)))
    _render_delays(console, patterns)


def _render_delays(console: Any, patterns: Patterns) -> None:
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
