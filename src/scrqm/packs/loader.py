"""Rule packs: YAML data in `rules/<profile>/`, validated when loaded.

A pack names its questions and groups, its default thresholds, and its rules.
A rule picks a registered check function and gives it options; an option
written as ``$name`` takes the threshold `name`, so a board's configuration
can change a threshold without touching the pack.  Every rule carries a
message template, guidance on how to fix, and pass/fail examples that the
test suite runs.  A bad pack is a `PackError` naming its file and line.
"""

from __future__ import annotations

import re
import string
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scrqm.check.functions import CHECKS, Condition, FieldRef, Options
from scrqm.errors import ScrqmError, os_message
from scrqm.load.document import Document, LoadFailure, load_path

DEFAULT_PROFILE = "wt2015"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class PackError(ScrqmError):
    """A rule pack that cannot be used; exit code 2."""


class UnknownProfile(PackError):
    """A profile name with no folder under rules/; for a referral's `profile:`, a fault of the file."""


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*[0-9]\.[0-9]+$")
    text: str
    how_to_know: str | None = None
    obstacles: list[str] = []


class ExampleContext(BaseModel):
    """Run settings the examples of a rule need (today, a board's priorities)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    today: date = date(2026, 1, 1)
    learning_priorities: dict[str, str] | None = None
    findings: list[str] = Field(
        default_factory=list, description="Rule ids that found something before the waivers ran (waiver rules)."
    )


class Examples(BaseModel):
    """Partial referrals: a `pass` one gives no finding from the rule, a `fail` one at least one."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    pass_: list[dict[str, Any]] = Field(default_factory=list, alias="pass")
    fail: list[dict[str, Any]] = Field(default_factory=list)
    context: ExampleContext = Field(default_factory=ExampleContext)


class RuleDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    question: str | None = None
    group: str | None = None
    severity: Literal["fail", "warn", "info"]
    title: str
    check: str
    options: dict[str, Any] = {}
    message: str
    fix: str
    near: str | None = Field(None, description="Where to point when the field is not written at all.")
    why: str | None = None
    examples: Examples = Examples()

    @model_validator(mode="after")
    def _question_or_group(self) -> RuleDef:
        if (self.question is None) == (self.group is None):
            raise ValueError("a rule names exactly one of `question` or `group`")
        if self.check not in CHECKS:
            known = ", ".join(sorted(CHECKS))
            raise ValueError(f"unknown check function `{self.check}`; the registered ones are: {known}")
        return self


class PackDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str
    profile: str
    title: str
    source: str | None = None
    statement: str | None = Field(None, description="The marker's quality statement, quoted exactly.")
    applies_to: list[str] | None = Field(
        None, description="A board pack: the profiles whose runs it joins; every profile when left out."
    )
    thresholds: dict[str, int] = {}
    glossary: list[str] = Field([], description="Acronyms of the pack's framework that need no expansion.")
    questions: list[Question] = []
    groups: dict[str, str] = {}
    rules: list[RuleDef]


@dataclass(frozen=True)
class Rule:
    """A rule ready to run: its definition plus its typed, resolved options."""

    definition: RuleDef
    options: Options
    pack: str

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def severity(self) -> str:
        return self.definition.severity


@dataclass
class RuleSet:
    """The rules of one run, in pack order, with the questions they answer."""

    profile: str
    questions: dict[str, Question] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    thresholds: dict[str, int] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    # Every rule id of the packs, kept when select/ignore narrow `rules`, so a
    # waiver of a rule that is merely turned off is not called unknown.
    rule_ids: frozenset[str] = frozenset()
    statement: str | None = None
    citations: dict[str, str] = field(default_factory=dict)  # pack name -> its `source`
    glossary: frozenset[str] = frozenset()
    title: str = ""
    digest: str = ""  # of every pack file's name and text: part of the result cache's key

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def shipped(folder: str) -> Path:
    """A folder shipped with scrqm (`rules`, `examples`): in the wheel, or the checkout's.

    The wheel force-includes them inside the package; an editable install
    reads them from the top of the checkout, where they are kept.
    """
    packaged = Path(__file__).parents[1] / folder
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / folder


def rules_root() -> Path:
    return shipped("rules")


def profiles() -> list[str]:
    root = rules_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.yaml")))


def load_ruleset(
    profile: str = DEFAULT_PROFILE,
    *,
    extra_dirs: list[Path] | None = None,
    thresholds: dict[str, int] | None = None,
) -> RuleSet:
    """Every pack of `profile` plus any board directories, with thresholds applied."""
    packs = [*profile_packs(profile), *board_packs(extra_dirs or [], profile)]
    overrides = thresholds or {}
    unknown = set(overrides) - {name for pack, _ in packs for name in pack.thresholds}
    if unknown and unknown - _thresholds_of_other_profiles(profile):
        return _assemble(profile, packs, overrides)  # raises, naming the unknown ones
    # A board's configuration may set thresholds of every profile it uses; each takes its own.
    return _assemble(profile, packs, {k: v for k, v in overrides.items() if k not in unknown})


def profile_packs(profile: str) -> list[tuple[PackDef, Document]]:
    """The shipped packs of `profile`, in file-name order."""
    directory = rules_root() / profile
    # A profile is a name, not a path: no way out of the shipped rules/.
    if not _PROFILE_NAME.fullmatch(profile) or not directory.is_dir() or not any(directory.glob("*.yaml")):
        raise UnknownProfile(f"unknown profile '{profile}'; the profiles are: {', '.join(profiles())}")
    packs = [load_pack(path) for path in sorted(directory.glob("*.yaml"))]
    for pack, document in packs:
        if pack.profile != profile:
            pos = document.position_of(("profile",))
            raise PackError(f"{document.source}:{pos.line}:{pos.column}: rule pack: a pack in rules/{profile}/ "
                            f"says `profile: {pack.profile}`; write `profile: {profile}`")
    return packs


def board_packs(extra_dirs: list[Path], profile: str) -> list[tuple[PackDef, Document]]:
    """A board's packs from its own directories, those that apply to `profile`."""
    packs = []
    for extra in extra_dirs:
        try:
            found = extra.is_dir()
        except OSError as exc:
            raise PackError(os_message(extra, exc)) from None
        if not found:
            raise PackError(f"{extra}: rule pack directory not found")
        for path in sorted(extra.glob("*.yaml")) + sorted(extra.glob("*.yml")):
            pack = load_pack(path)
            if pack[0].applies_to is None or profile in pack[0].applies_to:
                packs.append(pack)
    return packs


def _thresholds_of_other_profiles(profile: str) -> set[str]:
    names: set[str] = set()
    for other in profiles():
        if other != profile:
            names.update(name for pack, _ in profile_packs(other) for name in pack.thresholds)
    return names


def load_pack(path: Path) -> tuple[PackDef, Document]:
    from scrqm.shape.validate import validate

    try:
        document = load_path(path)
    except (LoadFailure, OSError) as exc:
        raise PackError(_load_message(path, exc)) from None
    shaped = validate(PackDef, document)
    if isinstance(shaped, list):
        issue = shaped[0]
        more = f" (and {len(shaped) - 1} more)" if len(shaped) > 1 else ""
        raise PackError(f"{path}:{issue.line}:{issue.column}: rule pack: {issue.message}{more}")
    return shaped, document


def _load_message(path: Path, exc: Exception) -> str:
    if isinstance(exc, LoadFailure):
        p = exc.problems[0]
        return f"{path}:{p.line}:{p.column}: rule pack: {p.message}"
    return f"{path}: cannot read rule pack: {exc}"


def _assemble(profile: str, packs: list[tuple[PackDef, Document]], overrides: dict[str, int]) -> RuleSet:
    ruleset = RuleSet(profile)
    ruleset.sources = [Path(document.source) for _pack, document in packs]
    ruleset.digest = _digest(document for _pack, document in packs)
    for pack, _document in packs:
        ruleset.thresholds.update(pack.thresholds)
        ruleset.glossary |= frozenset(pack.glossary)
        ruleset.title = ruleset.title or pack.title
    unknown = set(overrides) - set(ruleset.thresholds)
    if unknown:
        raise PackError(
            f"unknown threshold {', '.join(sorted(unknown))}; the thresholds are: "
            + ", ".join(sorted(ruleset.thresholds))
        )
    ruleset.thresholds.update(overrides)
    for pack, document in packs:
        ruleset.questions.update({q.id: q for q in pack.questions})
        ruleset.groups.update(pack.groups)
        ruleset.statement = ruleset.statement or pack.statement
        if pack.source:
            ruleset.citations[pack.pack] = " ".join(pack.source.split())
    for pack, document in packs:
        for index, definition in enumerate(pack.rules):
            _check_refs(definition, ruleset, document, index)
            options = _options(definition, ruleset.thresholds, document, index)
            _check_fields(definition, options, document, index)
            ruleset.rules.append(Rule(definition, options, pack.pack))
    _check_unique(ruleset)
    ruleset.rule_ids = frozenset(rule.id for rule in ruleset.rules)
    return ruleset


def _digest(documents: Iterable[Document]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for document in documents:
        digest.update(f"{Path(document.source).name}\0{len(document.text)}\0{document.text}\0".encode())
    return digest.hexdigest()


def _where(document: Document, index: int, *rest: str | int) -> str:
    pos = document.position_of(("rules", index, *rest))
    return f"{document_path(document)}:{pos.line}:{pos.column}"


def document_path(document: Document) -> str:
    return document.source


def _check_refs(definition: RuleDef, ruleset: RuleSet, document: Document, index: int) -> None:
    if definition.question is not None and definition.question not in ruleset.questions:
        raise PackError(f"{_where(document, index, 'question')}: rule {definition.id}: "
                        f"unknown question `{definition.question}`")
    fields = _placeholders(definition.message, f"{_where(document, index, 'message')}: rule {definition.id}")
    known = _message_fields(definition.check)
    unknown = fields - known
    if unknown:
        raise PackError(f"{_where(document, index, 'message')}: rule {definition.id}: the message uses "
                        f"{{{', '.join(sorted(unknown))}}}, which check `{definition.check}` does not give; "
                        f"it gives: {', '.join(sorted(known)) or 'nothing'}")


def _placeholders(message: str, where: str) -> set[str]:
    """The `{name}`s of a message; plain names only, so a pack cannot reach
    attributes (`{value.__class__}`), index, or pad to a huge width (`{value:>999999999}`)."""
    try:
        parts = list(string.Formatter().parse(message))
    except ValueError as exc:
        raise PackError(f"{where}: the message is not a valid template ({exc}); write {{{{ for a literal brace")
    names = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise PackError(f"{where}: the message placeholder {{{name}{'!' + conversion if conversion else ''}"
                            f"{':' + spec if spec else ''}}} is not allowed; write a plain {{name}}")
        names.add(name)
    return names


def _message_fields(check: str) -> set[str]:
    return set(CHECKS[check].gives)


def _options(definition: RuleDef, thresholds: dict[str, int], document: Document, index: int) -> Options:
    from scrqm.shape.validate import validate

    resolved = {}
    for key, value in definition.options.items():
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in thresholds:
                raise PackError(f"{_where(document, index, 'options', key)}: rule {definition.id}: "
                                f"unknown threshold `{name}`; the thresholds are: {', '.join(sorted(thresholds))}")
            value = thresholds[name]
        resolved[key] = value
    spec = CHECKS[definition.check]
    shaped = validate(spec.options, Document(resolved, "", {}, {}))
    if isinstance(shaped, list):
        issue = shaped[0]
        raise PackError(f"{_where(document, index, 'options', issue.field.split('.')[0])}: rule "
                        f"{definition.id}: options of `{definition.check}`: {issue.message}")
    return shaped


def _check_fields(definition: RuleDef, options: Options, document: Document, index: int) -> None:
    """Every field a rule names exists in the referral format: a misspelt field would never be found."""
    from scrqm.shape.model import model_at

    named = list(_option_fields(options))
    if definition.near is not None:
        named.append(("near", definition.near, None))
    for key, path, base in named:
        if model_at(path, base) is False:
            where = _where(document, index, key) if key == "near" else _where(document, index, "options", key)
            of = "a referral" if base is None else "an entry of that list"
            raise PackError(f"{where}: rule {definition.id}: `{path}` is not a field of {of}{_suggest(path, base)}")


def _option_fields(options: Options) -> Iterator[tuple[str, str, Any]]:
    """(option, field path, model it is relative to: None for the referral) for each field named."""
    from scrqm.shape.model import model_at

    for name, info in type(options).model_fields.items():
        value = getattr(options, name)
        if isinstance(value, Condition):
            yield from ((name, path, base) for path, base in _condition_fields(value, None))
            continue
        ref = next((m for m in [*info.metadata, *_inner_metadata(info.annotation)] if isinstance(m, FieldRef)), None)
        if ref is None:
            continue
        base = None if ref.within is None else model_at(getattr(options, ref.within))
        if base is True or base is False:
            continue  # the list option itself is reported, or is not a list of entries
        for path in value if isinstance(value, list) else [value]:
            yield name, path, base


def _inner_metadata(annotation: Any) -> list[Any]:
    return [m for arg in getattr(annotation, "__args__", ()) for m in getattr(arg, "__metadata__", ())]


def _condition_fields(condition: Condition, base: Any) -> Iterator[tuple[str, Any]]:
    from scrqm.shape.model import model_at

    if condition.field is not None:
        yield condition.field, base
    for child in [*(condition.all or []), *(condition.any or []), *([condition.not_] if condition.not_ else [])]:
        yield from _condition_fields(child, base)
    if condition.any_item is not None:
        yield condition.any_item.list, base
        entry = model_at(condition.any_item.list, base)
        if isinstance(entry, type):
            yield from _condition_fields(condition.any_item.where, entry)


def _suggest(path: str, base: Any) -> str:
    import difflib

    from scrqm.shape.model import field_paths

    match = difflib.get_close_matches(path, field_paths(base), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else "; docs/format.md lists the fields"


def _check_unique(ruleset: RuleSet) -> None:
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            raise PackError(f"rule id {rule.id} is defined twice; ids must be unique across packs")
        seen.add(rule.id)
