"""The `scrqm rules` report: the rules in force, as a table (text) or JSON."""

from __future__ import annotations

import json
from typing import Any, TextIO

from scrqm.check.builtins import BUILT_INS
from scrqm.packs.loader import RuleSet
from scrqm.shape.fixes import FIXABLE
from scrqm.teach.marker import one_line


def rules_table(ruleset: RuleSet) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "question": r.definition.question,
            "group": r.definition.group,
            "severity": r.severity,
            "title": r.definition.title,
            "check": r.definition.check,
            "fix": one_line(r.definition.fix),
            "why": one_line(r.definition.why) if r.definition.why else None,
            "fixable": False,  # a pack rule judges the referral's words; only `shape` faults are mended
        }
        for r in ruleset.rules
    ]


def built_in_table() -> list[dict[str, Any]]:
    """The rules a file breaks before any pack runs, and what `scrqm check --fix` mends of them."""
    return [{"id": b.id, "title": b.title[0].lower() + b.title[1:],
             "fixable": b.id == "shape",
             "fixes": [{"what": what, "example": example} for what, example in FIXABLE] if b.id == "shape" else []}
            for b in BUILT_INS.values()]


def rules_text(ruleset: RuleSet) -> str:
    rows = [(r["id"], r["question"] or r["group"], r["severity"], r["title"]) for r in rules_table(ruleset)]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(_HEADINGS)]
    lines = [_row(_HEADINGS, widths), _row(tuple("-" * w for w in widths), widths)]
    lines += [_row(row, widths) for row in rows]
    lines += ["", "Built in, for files that cannot be judged: "
              + ", ".join(f"{r['id']} ({r['title']})" for r in built_in_table()) + "."]
    lines += ["[*] `scrqm check --fix` mends these `shape` faults (`--diff` shows the changes first):"]
    lines += [f"    {f['what']}: {f['example']}" for r in built_in_table() for f in r["fixes"]]
    lines += ["", f"{len(rows)} rules in profile {ruleset.profile}. "
              "Run `scrqm explain ID` for what a rule checks, why, and how to fix it."]
    return "\n".join(lines) + "\n"


_HEADINGS = ("rule", "question/group", "severity", "title")


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


class RulesTextReporter:
    def render(self, ruleset: RuleSet, stream: TextIO) -> None:
        stream.write(rules_text(ruleset))


class RulesJsonReporter:
    def render(self, ruleset: RuleSet, stream: TextIO) -> None:
        json.dump({"profile": ruleset.profile, "rules": rules_table(ruleset), "built_in": built_in_table()}, stream,
                  indent=2, ensure_ascii=False)
        stream.write("\n")
