"""Waivers: a referral's own `waivers:` list, applied to the findings of its rules.

A waiver `{rule: ID, reason: "..."}` marks every finding of rule ID in this
file as waived, with the reason.  Waived findings stay in every report and
only stop lowering verdicts (see `result.verdict_of`).  A waiver must give a
reason: one without (absent, blank or a placeholder such as "TBC") waives
nothing, so that the reason is written before the rule goes quiet.

What is wrong with a waiver itself (no reason, unknown rule, unused) is found
by the check functions `waiver_reason`, `waiver_unknown` and `waiver_unused`
in `check/functions.py`, run by the `waivers` rules of the pack after this step.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from scrqm.judge import prose as textutil
from scrqm.shape.model import Waiver
from scrqm.result import Finding


def reasoned(waiver: Waiver) -> bool:
    """A waiver counts only with a real reason: not absent, blank or a placeholder."""
    return not textutil.is_absent(waiver.reason) and not textutil.is_placeholder(waiver.reason)


def in_force(waivers: Iterable[Waiver] | None) -> dict[str, str]:
    """Rule id to reason, for every waiver with a rule and a reason (the first reason wins)."""
    reasons: dict[str, str] = {}
    for waiver in waivers or []:
        if waiver.rule and reasoned(waiver) and waiver.reason is not None:
            reasons.setdefault(waiver.rule.strip(), " ".join(waiver.reason.split()))
    return reasons


def apply_waivers(
    findings: list[Finding], waivers: Iterable[Waiver] | None, *, redacted: str | None = None
) -> list[Finding]:
    """`findings` with those of a waived rule marked; none is dropped.

    With `redacted` set (the run's --redact), the reason is replaced by it,
    since the reason is the referral's own text.
    """
    reasons = in_force(waivers)
    if not reasons:
        return findings
    return [
        dataclasses.replace(f, waived=True, waiver_reason=redacted or reasons[f.rule]) if f.rule in reasons else f
        for f in findings
    ]
