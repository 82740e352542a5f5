"""Check: run a rule set over one loaded, shaped referral.

The engine calls each rule's check function, then stamps every hit with the
rule's id, question or group, severity, message and fix; a problem found
before any rule could run is stamped with a built-in rule's (`stamp_builtin`).  Positions come from
the loaded document, so a finding points at the line of the field it names,
or at the nearest enclosing field that was written when it is missing.
"""

from __future__ import annotations

from typing import Any, Iterable

from scrqm.check.builtins import BUILT_INS
from scrqm.check.functions import CHECKS, Context, DelayOptions, Hit, delay_in_working_days
from scrqm.load.document import Document
from scrqm.shape.model import Referral, path_part
from scrqm.packs.loader import Rule, RuleSet
from scrqm.judge.identifiers import mask_identifiers
from scrqm.result import REDACTED, Finding, Fix



def run_rules(
    referral: Referral,
    rules: Iterable[Rule],
    context: Context,
    *,
    redact: bool = False,
) -> list[Finding]:
    findings = []
    for rule in rules:
        check = CHECKS[rule.definition.check].function
        for hit in check(referral, rule.options, context):
            findings.append(stamp(rule, hit, context.document, redact=redact))
    return sorted(findings)


def stamp(rule: Rule, hit: Hit, document: Document | None, *, redact: bool = False) -> Finding:
    definition = rule.definition
    path = _path(hit.field)
    if hit.position is not None:
        line, column = hit.position
    elif document is not None:
        if path not in document.values and definition.near:
            path = _path(definition.near)
        pos = document.position_of(path)
        line, column = pos.line, pos.column
    else:
        line, column = 1, 1
    params: dict[str, Any] = dict(hit.params)
    if redact:
        params.update({key: hit.redacted.get(key, REDACTED) for key in hit.quoted})
    else:
        params.update({key: mask_identifiers(str(params[key])) for key in hit.quoted if key in params})
    return Finding(
        line=line,
        column=column,
        rule=definition.id,
        severity=definition.severity,
        message=definition.message.format_map(params),
        field=hit.field,
        question=definition.question,
        group=definition.group,
        fix=definition.fix,
    )


def _path(dotted: str) -> tuple[str | int, ...]:
    return tuple(path_part(p) for p in dotted.split(".") if p)


def stamp_builtin(rule_id: str, *, line: int, column: int, message: str, field: str | None = None,
                  fix: str | None = None, autofix: Fix | None = None) -> Finding:
    """A finding of the built-in rule `rule_id` (`load`, `shape`, `io`): its group is its id."""
    builtin = BUILT_INS[rule_id]
    return Finding(line=line, column=column, rule=builtin.id, severity=builtin.severity, message=message,
                   field=field, question=None, group=builtin.id, fix=fix, autofix=autofix)


def facts(referral: Referral, ruleset: RuleSet) -> dict[str, Any]:
    """Figures that reports show beside the verdicts: the delay the pack names (`facts: {delay: RULE}`)."""
    rule = ruleset.facts.get("delay")
    if rule is None:
        return {}
    options = rule.options
    assert isinstance(options, DelayOptions)  # the loader accepts only a `delay` rule here
    if options.unless is not None and options.unless.holds(referral):
        return {}  # no clock runs (wt2023: the notification criteria are not met)
    computed = delay_in_working_days(referral, options.start, options.end)
    if computed is None:
        return {}
    return {"delay_working_days": computed[1], "delay_from": computed[0], "delay_to": options.end,
            "delay_threshold": options.threshold}
