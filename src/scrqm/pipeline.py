"""The pipeline for one file: load → shape → check → verdicts.

Anything wrong with the file itself (unreadable, not YAML, wrong shape) comes
back as an `invalid` FileResult carrying findings with positions, never as an
exception: the run goes on with the other files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Callable

from scrqm.check.engine import facts, run_rules, stamp_builtin
from scrqm.check.functions import CHECKS, Context
from scrqm.check.waivers import apply_waivers
from scrqm.config import Config
from scrqm.judge.identifiers import KIND_LABELS, find_identifiers, mask_identifiers
from scrqm.judge.prose import ACRONYM_GLOSSARY_DEFAULT
from scrqm.load.document import Document, Limits, LoadFailure, NotAFile, load_text, read_path, read_stream
from scrqm.packs.loader import RuleSet, UnknownProfile, load_ruleset
from scrqm.packs.select import ChooseRules
from scrqm.result import REDACTED, FileResult, Finding, invalid, judge, verdict_of, worst
from scrqm.shape.model import Referral
from scrqm.shape.validate import ShapeIssue, validate

# What a caller keeps of each valid referral besides its result (picklable: it may run in a worker).
Observe = Callable[[Referral], object]


@dataclass(frozen=True)
class Settings:
    """Everything a check of one file depends on besides the file."""

    today: dt.date = field(default_factory=dt.date.today)
    limits: Limits = Limits()
    glossary: frozenset[str] = ACRONYM_GLOSSARY_DEFAULT
    learning_priorities: dict[str, str] | None = None
    redact: bool = False
    # The board's additions to the packs' vocabularies (`vocabularies:` in the configuration).
    vocabularies: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # False: no rule runs, only load, shape, the profile and the facts (`scrqm patterns`, which
    # reports names and delays, never a verdict): a valid referral's verdict is then `pass`.
    judge: bool = True

    @classmethod
    def from_config(cls, config: Config) -> Settings:
        defaults = Limits()
        limits = Limits(
            max_bytes=config.limits.max_file_size or defaults.max_bytes,
            max_depth=config.limits.max_depth or defaults.max_depth,
            max_nodes=config.limits.max_nodes or defaults.max_nodes,
        )
        return cls(today=dt.date.today(), limits=limits, glossary=ACRONYM_GLOSSARY_DEFAULT | frozenset(config.glossary),
                   learning_priorities=config.learning_priorities, redact=bool(config.redact),
                   vocabularies=tuple((name, tuple(sorted(entries)))
                                      for name, entries in sorted(config.vocabularies.items())))


def check_file(
    path: Path, *, display: str, ruleset: RuleSet, settings: Settings, choose: ChooseRules | None = None
) -> FileResult:
    try:
        text = read_path(path, limits=settings.limits)
    except LoadFailure as exc:
        return _load_failed(display, exc)
    except OSError as exc:
        return invalid(display, [_io_finding(path, exc)], io_error=True)
    return check_text(text, display=display, ruleset=ruleset, settings=settings, choose=choose)


def check_stream(
    stream: BinaryIO, *, display: str, ruleset: RuleSet, settings: Settings, choose: ChooseRules | None = None,
    observe: Observe | None = None,
) -> FileResult:
    """Standard input: bounded and decoded like a file, and a result like a file's."""
    try:
        text = read_stream(stream, limits=settings.limits)
    except LoadFailure as exc:
        return _load_failed(display, exc)
    return check_text(text, display=display, ruleset=ruleset, settings=settings, choose=choose, observe=observe)


def file_failure(path: Path, display: str, exc: LoadFailure | OSError) -> FileResult:
    """The `invalid` result of a file that could not be read or decoded."""
    if isinstance(exc, LoadFailure):
        return _load_failed(display, exc)
    return invalid(display, [_io_finding(path, exc)], io_error=True)


def check_text(
    text: str, *, display: str, ruleset: RuleSet, settings: Settings, choose: ChooseRules | None = None,
    observe: Observe | None = None,
) -> FileResult:
    try:
        document = load_text(text, limits=settings.limits, source=display)
    except LoadFailure as exc:
        return _load_failed(display, exc)
    return check_document(document, display=display, ruleset=ruleset, settings=settings, choose=choose,
                          observe=observe)


def check_document(
    document: Document,
    *,
    display: str,
    ruleset: RuleSet,
    settings: Settings,
    choose: ChooseRules | None = None,
    observe: Observe | None = None,
) -> FileResult:
    """`choose` picks the rules for a referral that names its own profile; without it, `ruleset` serves all.

    `observe`, given the valid referral, returns what the result carries as `observed`.
    """
    shaped = validate(Referral, document)
    names = {} if settings.redact else referral_names(document.data)
    if isinstance(shaped, list):
        failed = invalid(display, [_shape_finding(issue, settings.redact) for issue in shaped])
        failed.facts.update(names)
        return failed
    if choose is not None or (shaped.profile is not None and shaped.profile != ruleset.profile):
        try:
            ruleset = (choose or _shipped_profile)(shaped.profile)
        except UnknownProfile as exc:
            return invalid(display, [_profile_finding(document, str(exc))])
    context = Context(
        today=settings.today,
        document=document,
        glossary=settings.glossary | ruleset.glossary,
        learning_priorities=settings.learning_priorities,
        rule_ids=ruleset.rule_ids or frozenset(r.id for r in ruleset.rules),
        rules_run=frozenset(r.id for r in ruleset.rules),
        filler=ruleset.filler,
        vocabularies=_vocabularies(ruleset, settings),
    )
    findings = _run_with_waivers(shaped, ruleset, context, redact=settings.redact) if settings.judge else []
    result = judge(display, findings, questions=ruleset.questions, facts={**facts(shaped, ruleset), **names})
    result.profile = ruleset.profile
    if observe is not None:
        result.observed = observe(shaped)
    return result


def _vocabularies(ruleset: RuleSet, settings: Settings) -> dict[str, frozenset[str]]:
    merged = dict(ruleset.vocabularies)
    for name, entries in settings.vocabularies:
        merged[name] = merged.get(name, frozenset()) | frozenset(entries)
    return merged


def referral_names(data: object) -> dict[str, str]:
    """What a board paper names a referral by: its case reference, the child's pseudonym, its date.

    Read from the file as written, so an invalid referral is named too; a value
    of the wrong type is left out (the shape findings say so).  `--redact` keeps
    them all out, as it keeps out every other word of the referral.
    """
    names: dict[str, str] = {}
    referral = data.get("referral") if isinstance(data, dict) else None
    child = data.get("child") if isinstance(data, dict) else None
    for key, section, name in (("case_reference", referral, "reference"), ("child_reference", child, "reference")):
        value = section.get(name) if isinstance(section, dict) else None
        if isinstance(value, str) and value.strip():
            names[key] = " ".join(value.split())
    date = referral.get("date") if isinstance(referral, dict) else None
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, dt.date):
        names["referral_date"] = date.isoformat()
    return names


def _shipped_profile(profile: str | None) -> RuleSet:
    """Without a run to say how, a referral's own profile is loaded as shipped."""
    assert profile is not None
    return load_ruleset(profile)


def _profile_finding(document: Document, message: str) -> Finding:
    pos = document.position_of(("profile",))
    return stamp_builtin("shape", line=pos.line, column=pos.column, message=f"`profile`: {message}", field="profile",
                         fix="write the name of a profile, or leave `profile:` out to use the run's")


def _run_with_waivers(referral: Referral, ruleset: RuleSet, context: Context, *, redact: bool) -> list[Finding]:
    """The rules, then the referral's waivers applied, then the rules about waivers.

    The waiver rules run last because "unused" depends on what the others found.
    """
    before = [r for r in ruleset.rules if not CHECKS[r.definition.check].after_waivers]
    after = [r for r in ruleset.rules if CHECKS[r.definition.check].after_waivers]
    findings = run_rules(referral, before, context, redact=redact)
    findings = apply_waivers(findings, referral.waivers, redacted=REDACTED if redact else None)
    findings += run_rules(referral, after, dataclasses.replace(context, findings=tuple(findings)), redact=redact)
    return sorted(findings)


def _load_failed(display: str, exc: LoadFailure) -> FileResult:
    return invalid(
        display,
        [stamp_builtin("load", line=p.line, column=p.column, message=p.message, fix=p.hint) for p in exc.problems],
    )


def _shape_finding(issue: ShapeIssue, redact: bool) -> Finding:
    message = issue.message
    field = issue.field
    if redact and issue.redacted is not None:
        message = issue.redacted  # without the values the user wrote; the format's own words stay
    if redact and issue.unknown_key:
        # An unknown key is the user's own word, not one of the format's.
        parent = field.rpartition(".")[0]
        known = f"{parent}.{REDACTED}" if parent else REDACTED
        message = message.replace(f"`{field}`", f"`{known}`")
        field = known
    # A value or key is quoted, an identifier in it never (with or without --redact).
    message, field = mask_identifiers(message), mask_identifiers(field)
    hint = issue.general_hint if redact and issue.general_hint else issue.hint
    # Redacted reports carry no fix: its edits may hold the referral's own text ("004").
    return stamp_builtin("shape", line=issue.line, column=issue.column, message=message, field=field,
                         fix=mask_identifiers(hint) if hint else hint, autofix=None if redact else issue.fix)


def _io_finding(path: Path, exc: OSError) -> Finding:
    reason, fix = _io_reason(path, exc)
    return stamp_builtin("io", line=1, column=1, message=f"cannot read the file: {reason}", fix=fix)


def _io_reason(path: Path, exc: OSError) -> tuple[str, str]:
    """What went wrong, in words, and what to do; never a traceback."""
    if isinstance(exc, NotAFile):
        return exc.strerror or "not a regular file", "check only referral files; remove it or --exclude it"
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link that points back to itself", "fix or delete the link"
    if path.is_symlink() and not path.exists():
        target = _link_target(path)
        return f"it is a symbolic link to {target}, which does not exist", "fix or delete the link"
    if exc.errno == errno.ENOENT:
        return "it no longer exists (deleted or moved during the run?)", "run the check again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", "ask for read permission, or --exclude the file"
    return exc.strerror or type(exc).__name__, "check the file exists and you have permission to read it"


def _link_target(path: Path) -> str:
    try:
        return f"'{os.readlink(path)}'"
    except OSError:
        return "a path"


FILE_NAME_RULE = "privacy-identifier"


def check_file_name(result: FileResult, ruleset: RuleSet, *, redact: bool) -> FileResult:
    """An identifier in the file's name (`Child-9434765919.yaml`) is a privacy finding, as in its text.

    The finding is the pack's `privacy-identifier` rule's (its severity, and
    off where the rule is off), at 1:1, naming the kind and never the value;
    with `--redact` the name itself is shown masked (`Child-[an NHS number].yaml`).
    Added after the cache: a result is cached by the file's text, not its name.
    """
    name = os.path.basename(result.path) or result.path
    rule = ruleset.rule(FILE_NAME_RULE)
    matches = find_identifiers(name) if rule is not None else []
    if not matches:
        return result
    assert rule is not None
    kinds = sorted({KIND_LABELS[m.kind] for m in matches})
    finding = Finding(1, 1, rule.id, rule.definition.severity,
                      f"the file name appears to hold {' and '.join(kinds)}; the value is not shown here",
                      None, rule.definition.question, rule.definition.group,
                      "Rename the file: name it by the case's local reference (e.g. NLSCB-2016-011.yaml), "
                      "never by an identifier of the child or family.")
    findings = sorted([*result.findings, finding])
    path = mask_identifiers(result.path) if redact else result.path
    if result.questions is None:  # invalid already: the finding is listed, the verdict stays
        return replace(result, path=path, findings=findings)
    groups = dict(result.groups)
    questions = dict(result.questions)
    if finding.group:
        groups[finding.group] = verdict_of(f for f in findings if f.group == finding.group)
    if finding.question:
        questions[finding.question] = verdict_of(f for f in findings if f.question == finding.question)
    return replace(result, path=path, findings=findings, groups=groups, questions=questions,
                   verdict=worst([*questions.values(), *groups.values()]))
