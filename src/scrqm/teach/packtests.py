"""`scrqm test-rules`: every rule's examples, checked as referrals, as `scrqm check` would check them.

A rule's `pass` examples must give no finding from the rule and its `fail`
examples at least one (sqlfluff's rule test cases are the model).  Each
example, a partial referral, is written out as YAML and goes through the
production pipeline (load, shape, every rule of the run, waivers) with the
day and learning priorities its `context` gives; only the rule's own findings
count.  An example that is not a valid referral misbehaves too.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from scrqm.packs.loader import Rule, RuleSet
from scrqm.pipeline import Settings, check_text
from scrqm.result import FileResult, Finding

Kind = Literal["pass", "fail"]


@dataclass(frozen=True)
class Outcome:
    """One example of one rule, run."""

    profile: str
    rule: Rule
    kind: Kind
    number: int  # 1-based, in the pack's order
    where: str  # file:line:column of the example in its pack
    findings: tuple[Finding, ...]  # the rule's own
    invalid: tuple[Finding, ...]  # load or shape findings: the example is not a referral

    @property
    def behaves(self) -> bool:
        if self.invalid:
            return False
        return bool(self.findings) is (self.kind == "fail")

    def problem(self) -> str:
        if self.invalid:
            first = self.invalid[0]
            return f"is not a valid referral: {first.message}"
        if self.kind == "fail":
            return "gives no finding from the rule"
        return f"gives the rule's finding: {self.findings[0].message}"


def example_text(example: dict[str, Any]) -> str:
    """The partial referral as the YAML file a user would write."""
    return to_yaml({"format": "scrqm/referral@1", **example} if "format" not in example else example)


def to_yaml(data: dict[str, Any]) -> str:
    """Data as block-style YAML in the order given, as `scrqm explain` shows examples."""
    from ruamel.yaml import YAML  # start-up: the writer is loaded only when an example is written out

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 76
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.sort_base_mapping_type_on_output = False  # keep the pack's order
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def check_example(ruleset: RuleSet, rule: Rule, example: dict[str, Any], *, display: str = "example.yaml") -> FileResult:
    """The example checked as a referral with the run's every rule, on the day its `context` says."""
    context = rule.definition.examples.context
    settings = Settings(today=context.today, learning_priorities=context.learning_priorities)
    return check_text(example_text(example), display=display, ruleset=ruleset, settings=settings)


def run_rule(ruleset: RuleSet, rule: Rule) -> list[Outcome]:
    outcomes = []
    examples = rule.definition.examples
    kinds: tuple[tuple[Kind, list[dict[str, Any]]], ...] = (("pass", examples.pass_), ("fail", examples.fail))
    for kind, cases in kinds:
        sites = rule.example_sites.get(kind, ())
        for index, example in enumerate(cases):
            result = check_example(ruleset, rule, example, display=f"{rule.id} {kind} example {index + 1}")
            own = tuple(f for f in result.findings if f.rule == rule.id)
            invalid = tuple(f for f in result.findings if f.rule in ("load", "shape", "io"))
            where = sites[index] if index < len(sites) else rule.where
            outcomes.append(Outcome(ruleset.profile, rule, kind, index + 1, where, own, invalid))
    return outcomes


def run_examples(ruleset: RuleSet, *, only: list[Path] | None = None) -> list[Outcome]:
    """Every example of every rule of `ruleset`; with `only`, of the rules written in packs under those folders."""
    outcomes = []
    for rule in ruleset.rules:
        if only is not None and not any(_under(rule.where, folder) for folder in only):
            continue
        outcomes += run_rule(ruleset, rule)
    return outcomes


def _under(where: str, folder: Path) -> bool:
    path = Path(where.rsplit(":", 2)[0])
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def misbehaving(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if not o.behaves]


def render(outcomes: list[Outcome]) -> str:
    """One line per misbehaving example (file:line:column, profile, rule, what went wrong), then a summary."""
    bad = misbehaving(outcomes)
    lines = [f"{_shown(o.where)}: {o.profile}: {o.rule.id}: {o.kind} example {o.number} {o.problem()}" for o in bad]
    rules = len({o.rule.id for o in outcomes})
    profiles = sorted({o.profile for o in outcomes})
    summary = (f"{_count(len(outcomes), 'example')} of {_count(rules, 'rule')} "
               f"({', '.join(profiles) or 'no profile'}): "
               f"{len(outcomes) - len(bad)} behave")
    if bad:
        summary += f", {len(bad)} do not (rules {', '.join(dict.fromkeys(o.rule.id for o in bad))})"
        lines.append("")
    return "\n".join([*lines, summary]) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _shown(where: str) -> str:
    """A pack's path relative to the working folder when it is below it."""
    path, line, column = where.rsplit(":", 2)
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = path
    return f"{path if shown.startswith('..') else shown}:{line}:{column}"
