"""Rule packs: YAML data in `rules/<profile>/`, validated when loaded.

A pack names its questions and groups, its default thresholds, and its rules.
A rule picks a registered check function and gives it options; an option
written as ``$name`` takes the threshold `name`, so a board's configuration
can change a threshold without touching the pack.  Every rule carries a
message template, guidance on how to fix, and pass/fail examples that the
test suite runs.  A bad pack is a `PackError` naming its file and line.

A pack can build on another: `extends: wt2015` folds in that profile's packs,
and then each rule it writes whose id is already there changes only the fields
it gives (`options` key by key); `like: ID` starts a new rule from the fields
of another; `drop:` leaves inherited rules out.  A board pack joins a
profile's run the same way, but of a shipped rule it may change only the
severity, and it cannot rewrite the marker's questions, which are quoted.
"""

# No `from __future__ import annotations`: pydantic would turn each field's string annotation
# into a typing.ForwardRef, which compiles it, then evaluate it (~0.1 ms a field, every start).

import difflib
import hashlib
import re
import string
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Iterable, Iterator, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scrqm.check.functions import CHECKS, Condition, FieldRef, FillerSpec, Options
from scrqm.errors import ScrqmError, os_message
from scrqm.load.document import Document, LoadFailure, load_path
from scrqm.shape.model import field_paths, model_at
from scrqm.shape.validate import validate

DEFAULT_PROFILE = "wt2015"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class PackError(ScrqmError):
    """A rule pack that cannot be used; exit code 2."""


class UnknownProfile(PackError):
    """A profile name with no folder under rules/; for a referral's `profile:`, a fault of the file."""


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*[0-9]\.[0-9]+$")
    text: str
    how_to_know: str | None = None
    obstacles: list[str] = []


class QuestionEntry(BaseModel):
    """A question as a pack writes it; a pack that extends another may give only what it adds."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*[0-9]\.[0-9]+$")
    text: str | None = None
    how_to_know: str | None = None
    obstacles: list[str] | None = None


class ExampleContext(BaseModel):
    """Run settings the examples of a rule need (today, a board's priorities)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    today: date = date(2026, 1, 1)
    learning_priorities: dict[str, str] | None = None


class Examples(BaseModel):
    """Partial referrals: a `pass` one gives no finding from the rule, a `fail` one at least one.

    `scrqm test-rules` checks each as a referral, with every rule of the run, as `check` would.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    pass_: list[dict[str, Any]] = Field([], alias="pass")
    fail: list[dict[str, Any]] = Field([])
    context: ExampleContext = Field(default_factory=ExampleContext)


class RuleDef(BaseModel):
    """A complete rule: what a pack's rule is once the fields it builds on are folded in."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    what_it_is: ClassVar[str] = "a rule"

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
    def _question_or_group(self) -> "RuleDef":
        if (self.question is None) == (self.group is None):
            raise ValueError("a rule names exactly one of `question` or `group`")
        if self.check not in CHECKS:
            known = ", ".join(sorted(CHECKS))
            raise ValueError(f"unknown check function `{self.check}`; the registered ones are: {known}")
        return self


class RuleEntry(BaseModel):
    """A rule as a pack writes it: complete, or only what differs from the rule it builds on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    like: str | None = Field(None, description="Another rule whose fields this new rule starts from.")
    question: str | None = None
    group: str | None = None
    severity: Literal["fail", "warn", "info"] | None = None
    title: str | None = None
    check: str | None = None
    options: dict[str, Any] | None = None
    message: str | None = None
    fix: str | None = None
    near: str | None = None
    why: str | None = None
    examples: Examples | None = None


class PackDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    what_it_is: ClassVar[str] = "a rule pack"

    pack: str
    extends: str | None = Field(None, description="A shipped profile whose packs this one builds on.")
    drop: list[str] = Field([], description="Rules of the base this pack leaves out.")
    profile: str
    title: str
    source: str | None = None
    statement: str | None = Field(None, description="The marker's quality statement, quoted exactly.")
    applies_to: list[str] | None = Field(
        None, description="A board pack: the profiles whose runs it joins; every profile when left out."
    )
    thresholds: dict[str, int] = {}
    glossary: list[str] = Field([], description="Acronyms of the pack's framework that need no expansion.")
    filler: dict[str, Any] | None = Field(
        None, description="Where filler counts as a placeholder, and its thresholds (`$name` allowed)."
    )
    vocabularies: dict[str, list[str]] = Field(
        {}, description="Named lists of words or phrases (`*` ends a word with any ending) for `vocabulary` checks."
    )
    questions: list[QuestionEntry] = []
    groups: dict[str, str] = {}
    facts: dict[Literal["delay"], str] = Field(
        {}, description="The rule whose figures reports show: `delay: RULE` (a `delay` rule) for the delay chart."
    )
    rules: list[RuleEntry] = []


@dataclass(frozen=True)
class Rule:
    """A rule ready to run: its definition plus its typed, resolved options."""

    definition: RuleDef
    options: Options
    pack: str
    where: str = ""  # file:line:column of the entry that last wrote the rule (its id), for people
    # file:line:column of each example, by kind ("pass", "fail"), for `scrqm test-rules`
    example_sites: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

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
    filler: FillerSpec | None = None
    vocabularies: dict[str, frozenset[str]] = field(default_factory=dict)
    # The rules whose figures reports show, as the packs name them (kept when select/ignore drop the rule).
    facts: dict[str, Rule] = field(default_factory=dict)
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


class RulesetStore(Protocol):
    """Where assembled rule sets are kept between runs (the result cache's folder: run/cache.py)."""

    def get(self, key: str) -> RuleSet | None: ...

    def put(self, key: str, ruleset: RuleSet) -> None: ...


_store: RulesetStore | None = None


def keep_rulesets_in(store: RulesetStore | None) -> None:
    """From now on, `load_ruleset` answers from `store` what it assembled before from the same packs."""
    global _store
    _store = store


def _inputs_key(profile: str, extra_dirs: list[Path], thresholds: dict[str, int]) -> str | None:
    """A hash of everything `load_ruleset` reads and is given; None when a folder cannot be listed
    (assembling then says why, as without a store)."""
    import json  # start-up: ~1 ms, and only once a rule set is asked for

    digest = hashlib.sha256(json.dumps([profile, sorted(thresholds.items())]).encode())
    root = rules_root()
    try:
        for path in sorted(root.rglob("*.y*ml")):
            digest.update(f"\0shipped\0{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
        for extra in extra_dirs:
            digest.update(f"\0board\0{extra.resolve()}\0".encode())
            for path in sorted(extra.glob("*.yaml")) + sorted(extra.glob("*.yml")):
                digest.update(f"\0{path.name}\0".encode())
                digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def load_ruleset(
    profile: str = DEFAULT_PROFILE,
    *,
    extra_dirs: list[Path] | None = None,
    thresholds: dict[str, int] | None = None,
) -> RuleSet:
    """Every pack of `profile` (with what it extends) plus any board directories, with thresholds applied.

    A rule set assembled before from the same pack files (their text, not
    their names), folders and thresholds is not assembled again: within this
    process it is kept in memory (the language server and a run of several
    profiles ask again), and with a store (`keep_rulesets_in`) between runs,
    since composing the packs costs more than checking one referral.  Each
    caller gets its own copy of the lists and tables, so narrowing one (as
    `select`/`ignore` do) never narrows another's.
    """
    store = _store
    key = _inputs_key(profile, extra_dirs or [], thresholds or {})
    if key is None:
        return _load_ruleset(profile, extra_dirs=extra_dirs, thresholds=thresholds)
    kept = _assembled.get(key)
    if kept is None and store is not None:
        kept = store.get(key)
        if kept is not None:
            _remember(key, kept)
    if kept is None:
        kept = _load_ruleset(profile, extra_dirs=extra_dirs, thresholds=thresholds)
        _remember(key, kept)
        if store is not None:
            store.put(key, kept)
    return _own_copy(kept)


# Rule sets assembled in this process, by `_inputs_key`: a few (one per profile and board folder).
_assembled: dict[str, RuleSet] = {}
_ASSEMBLED_AT_MOST = 8


def _remember(key: str, ruleset: RuleSet) -> None:
    if len(_assembled) >= _ASSEMBLED_AT_MOST:
        del _assembled[next(iter(_assembled))]
    _assembled[key] = ruleset


def forget_assembled() -> None:
    """Assemble every rule set afresh from now on (for tests of the store between runs)."""
    _assembled.clear()


def _own_copy(ruleset: RuleSet) -> RuleSet:
    """`ruleset` with a list or table of its own in every field that holds one (their items are shared)."""
    copies: dict[str, Any] = {f.name: type(value)(value) for f in dataclass_fields(ruleset)
                              if isinstance(value := getattr(ruleset, f.name), (list, dict))}
    return replace(ruleset, **copies)


def _load_ruleset(profile: str, *, extra_dirs: list[Path] | None, thresholds: dict[str, int] | None) -> RuleSet:
    layer = profile_layer(profile)
    for pack, document in board_packs(extra_dirs or [], profile):
        layer.add(pack, document, board=True)
    overrides = thresholds or {}
    unknown = set(overrides) - set(layer.thresholds)
    if unknown and unknown - _thresholds_of_other_profiles(profile):
        return _assemble(layer, overrides)  # raises, naming the unknown ones
    # A board's configuration may set thresholds of every profile it uses; each takes its own.
    return _assemble(layer, {k: v for k, v in overrides.items() if k not in unknown})


@dataclass
class Entry:
    """A rule's fields as folded so far, and the pack entry that last wrote them."""

    fields: dict[str, Any]
    document: Document
    index: int
    pack: str
    examples_at: tuple[Document, int] | None = None  # the entry that wrote the examples, when another did


@dataclass
class Layer:
    """The packs of one run folded together, in order: what a RuleSet is assembled from."""

    profile: str
    documents: list[Document] = field(default_factory=list)
    thresholds: dict[str, int] = field(default_factory=dict)
    glossary: frozenset[str] = frozenset()
    fillers: list[tuple[dict[str, Any], Document]] = field(default_factory=list)  # each pack's `filler:`
    vocabularies: dict[str, frozenset[str]] = field(default_factory=dict)
    title: str = ""
    statement: str | None = None
    questions: dict[str, Question] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Entry] = field(default_factory=dict)
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)  # fact -> (rule id, where it is named)
    # Rule ids a pack may change by writing the id again: those of the base it extends, and for a
    # board pack those of the shipped packs (their severity only); any other id written twice is an error.
    inherited: frozenset[str] = frozenset()
    own: bool = False  # whether a pack of this profile (not only its base) has been added

    def extend(self, base: "Layer", pack: PackDef) -> None:
        """Start from `base`: its rules, questions and thresholds, now the extending pack's own."""
        self.documents += base.documents
        self.thresholds.update(base.thresholds)
        self.glossary |= base.glossary
        self.fillers += base.fillers
        self.vocabularies.update(base.vocabularies)
        self.title, self.statement = self.title or base.title, self.statement or base.statement
        self.questions.update(base.questions)
        self.groups.update(base.groups)
        self.facts.update(base.facts)
        for rule_id, entry in base.rules.items():
            self.rules[rule_id] = Entry(entry.fields, entry.document, entry.index, pack.pack, entry.examples_at)
        self.inherited |= frozenset(base.rules)

    def add(self, pack: PackDef, document: Document, *, board: bool = False) -> None:
        self.documents.append(document)
        given = pack.model_fields_set
        self.thresholds.update(pack.thresholds)
        self.glossary |= frozenset(pack.glossary)
        if pack.filler is not None:
            self.fillers.append((pack.filler, document))
        for name, entries in pack.vocabularies.items():
            self.vocabularies[name] = self.vocabularies.get(name, frozenset()) | frozenset(entries)
        if not self.own and not board:
            self.title = pack.title
            self.statement = pack.statement if "statement" in given else self.statement
            self.own = True
        else:
            self.title = self.title or pack.title
            self.statement = self.statement or pack.statement
        if pack.source:
            self.citations[pack.pack] = " ".join(pack.source.split())
        self.groups.update(pack.groups)
        self.facts.update({fact: (rule_id, _at(document, ("facts", fact))) for fact, rule_id in pack.facts.items()})
        for index, question in enumerate(pack.questions):
            self._add_question(question, document, index, board=board)
        for index, written in enumerate(pack.rules):
            self._add_rule(written, pack.pack, document, index, board=board)
        for index, rule_id in enumerate(pack.drop):
            self._drop(rule_id, document, index, board=board)

    def _add_question(self, written: QuestionEntry, document: Document, index: int, *, board: bool) -> None:
        known = self.questions.get(written.id)
        if known is not None and board:
            raise PackError(f"{_at(document, ('questions', index, 'id'))}: rule pack: question {written.id} "
                            "is the marker's own, quoted from NSPCC/SCIE (2016), and a board pack cannot "
                            "change it; leave it out to count rules towards it as it is, or give a question "
                            f"of your own a new id, e.g. {_board_question_id(self)}")
        given = {key: getattr(written, key) for key in written.model_fields_set if key != "id"}
        if known is not None:
            if "text" in given and " ".join(str(given["text"]).split()) != " ".join(known.text.split()):
                raise PackError(f"{_at(document, ('questions', index, 'text'))}: rule pack: question "
                                f"{written.id}: the text is quoted from NSPCC/SCIE (2016) in the pack this one "
                                "extends and cannot be changed; leave `text` out")
            self.questions[written.id] = known.model_copy(update=given)
        elif written.text is None:
            raise PackError(f"{_at(document, ('questions', index, 'id'))}: rule pack: question {written.id} "
                            "needs its `text`")
        else:
            self.questions[written.id] = Question(id=written.id, **given)

    def _add_rule(self, written: RuleEntry, pack: str, document: Document, index: int, *, board: bool) -> None:
        raw: dict[str, Any] = dict(document.data["rules"][index])
        like = raw.pop("like", None)
        here = _where(document, index, "id")
        if written.id in self.rules and (like is not None or written.id not in self.inherited):
            raise PackError(f"{here}: rule id {written.id} is defined twice; ids must be unique across packs")
        if like is not None:
            if like not in self.rules:
                raise PackError(f"{_where(document, index, 'like')}: rule {written.id}: `like: {like}` names no "
                                f"rule of this pack or what it extends{_suggest_id(like, self.rules)}")
            base: dict[str, Any] | None = self.rules[like].fields
        elif written.id in self.rules:
            if board and set(raw) - {"id", "severity"}:
                extra = ", ".join(f"`{key}`" for key in raw if key not in ("id", "severity"))
                raise PackError(f"{here}: rule id {written.id} is defined twice: it is a shipped rule, and a "
                                f"board pack can change only its `severity` (this gives {extra}); write "
                                f"`- {{id: {written.id}, severity: warn}}`, or give a rule of your own a new id")
            base = self.rules[written.id].fields
        elif board and set(raw) <= {"id", "severity"}:
            shipped = _shipped_rule_ids()
            if written.id in shipped:
                return  # re-grades a rule of another profile, which this one does not have
            raise PackError(f"{here}: rule {written.id} is not a shipped rule, so there is no severity to "
                            f"change{_suggest_id(written.id, shipped)}; a rule of your own needs a `title`, "
                            "`check`, `message` and `fix` as well")
        else:
            base = None
        fields = raw if base is None else {
            **base, **raw, "options": {**base.get("options", {}), **raw.get("options", {})}}
        if "question" not in raw and "group" not in raw:
            fields = self._placed_by_id(fields)
        _definition(fields, document, index)  # a whole rule once folded, or say what it lacks
        source = self.rules[like or written.id] if base is not None else None
        examples_at = (source.examples_at or (source.document, source.index)) if source and "examples" not in raw else None
        entry = Entry(fields, document, index, pack, examples_at)
        if written.id in self.rules:
            self.rules[written.id] = entry  # in the place of the rule it changes
        else:
            self._insert(written.id, entry)

    def _placed_by_id(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A rule whose id begins with a question or group (`QM1.3-...`, `privacy-...`) belongs to it,
        unless it says otherwise: the id already says where it goes."""
        rule_id = str(fields.get("id", ""))
        question = next((q for q in self.questions if rule_id.startswith(f"{q}-")), None)
        group = next((g for g in self.groups if rule_id.startswith(f"{g}-")), None)
        if question is None and group is None:
            return fields
        placed = {k: v for k, v in fields.items() if k not in ("question", "group")}
        return {**placed, "question": question} if question is not None else {**placed, "group": group}

    def _insert(self, rule_id: str, entry: Entry) -> None:
        """A new rule goes after the last rule of its question or group, so reports and pages keep them together."""
        place = entry.fields.get("question") or entry.fields.get("group")
        ids = list(self.rules)
        after = max((i for i, other in enumerate(ids)
                     if (self.rules[other].fields.get("question") or self.rules[other].fields.get("group")) == place),
                    default=len(ids) - 1)
        items = list(self.rules.items())
        items.insert(after + 1, (rule_id, entry))
        self.rules = dict(items)

    def _drop(self, rule_id: str, document: Document, index: int, *, board: bool) -> None:
        where = _at(document, ("drop", index))
        if board:
            raise PackError(f"{where}: rule pack: a board pack cannot drop shipped rules; turn {rule_id} off "
                            "with `ignore: [...]` in the configuration")
        if rule_id not in self.rules:
            raise PackError(f"{where}: rule pack: `drop` names {rule_id}, which is not a rule of this pack or "
                            f"what it extends{_suggest_id(rule_id, self.rules)}")
        del self.rules[rule_id]


def _at(document: Document, path: tuple[str | int, ...]) -> str:
    pos = document.position_of(path)
    return f"{document_path(document)}:{pos.line}:{pos.column}"


def _board_question_id(layer: Layer) -> str:
    return "NS1.1" if "NS1.1" not in layer.questions else "NS9.1"


def _suggest_id(rule_id: str, known: Iterable[str]) -> str:
    match = difflib.get_close_matches(rule_id, list(known), n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def _definition(fields: dict[str, Any], document: Document, index: int) -> RuleDef:
    """The folded fields as a complete rule, or a PackError at the entry that wrote them."""
    shaped = validate(RuleDef, Document(fields, "", {}, {}, source=document.source))
    if isinstance(shaped, list):
        # Only now the positions of what this entry wrote, relative to the entry (gathering them
        # for every rule scans the pack's every position, once per rule): where an inherited
        # field is wrong, the entry's line.
        prefix = ("rules", index)
        local = Document(
            fields, "",
            {k[2:]: v for k, v in document.values.items() if k[:2] == prefix},
            {k[2:]: v for k, v in document.keys.items() if k[:2] == prefix},
            source=document.source,
        )
        local.values.setdefault((), document.position_of(prefix))
        shaped = validate(RuleDef, local)
    if isinstance(shaped, list):
        issue = shaped[0]
        rule_id = fields.get("id", "?")
        raise PackError(f"{document_path(document)}:{issue.line}:{issue.column}: rule pack: rule {rule_id}: "
                        f"{issue.message}")
    return shaped


def profile_layer(profile: str, chain: tuple[str, ...] = ()) -> Layer:
    """The shipped packs of `profile`, in file-name order, each with the profile it extends folded in first."""
    layer = Layer(profile)
    for pack, document in profile_packs(profile):
        if pack.extends is not None:
            if pack.extends in (*chain, profile):
                raise PackError(f"{_at(document, ('extends',))}: rule pack: `extends: {pack.extends}` goes round "
                                f"in a circle ({' -> '.join((*chain, profile, pack.extends))})")
            try:
                base = profile_layer(pack.extends, (*chain, profile))
            except UnknownProfile as exc:
                raise PackError(f"{_at(document, ('extends',))}: rule pack: `extends`: {exc}") from None
            inherited = set(base.thresholds)
            layer.extend(base, pack)
            layer.add(pack, document)
            _drop_unused_thresholds(layer, inherited - set(pack.thresholds))
        else:
            layer.add(pack, document)
    layer.inherited = frozenset(layer.rules)  # for the board packs that join it
    return layer


def _drop_unused_thresholds(layer: Layer, inherited: set[str]) -> None:
    """A threshold the base defines for rules this pack dropped is not one of this profile's."""
    used = {value[1:] for entry in layer.rules.values() for value in entry.fields.get("options", {}).values()
            if isinstance(value, str) and value.startswith("$")}
    used |= {name for written, _ in layer.fillers for name in _threshold_names(written)}
    for name in inherited - used:
        del layer.thresholds[name]


def _threshold_names(value: Any) -> Iterator[str]:
    """The `$name`s anywhere in a value (a pack's `filler:`)."""
    if isinstance(value, str) and value.startswith("$"):
        yield value[1:]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _threshold_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _threshold_names(item)


def profile_packs(profile: str) -> list[tuple[PackDef, Document]]:
    """The shipped packs of `profile`, in file-name order, as written."""
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
            if pack[0].extends is not None:
                raise PackError(f"{_at(pack[1], ('extends',))}: rule pack: a board pack joins the run of a "
                                "shipped profile already; leave `extends` out (`applies_to: [wt2023]` picks "
                                "the profiles it joins), and give a shipped rule's id with `severity` to re-grade it")
            if pack[0].applies_to is None or profile in pack[0].applies_to:
                packs.append(pack)
    return packs


def _thresholds_of_other_profiles(profile: str) -> set[str]:
    names: set[str] = set()
    for other in profiles():
        if other != profile:
            names.update(profile_layer(other).thresholds)
    return names


def _shipped_rule_ids() -> frozenset[str]:
    """Every rule id of every shipped profile."""
    return frozenset(rule_id for name in profiles() for rule_id in profile_layer(name).rules)


def load_pack(path: Path) -> tuple[PackDef, Document]:
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


def _assemble(layer: Layer, overrides: dict[str, int]) -> RuleSet:
    ruleset = RuleSet(layer.profile)
    ruleset.sources = [Path(document.source) for document in layer.documents]
    ruleset.digest = _digest(layer.documents)
    ruleset.thresholds = dict(layer.thresholds)
    ruleset.glossary = layer.glossary
    ruleset.title = layer.title
    unknown = set(overrides) - set(ruleset.thresholds)
    if unknown:
        raise PackError(
            f"unknown threshold {', '.join(sorted(unknown))}; the thresholds are: "
            + ", ".join(sorted(ruleset.thresholds))
        )
    ruleset.thresholds.update(overrides)
    ruleset.filler = _filler(layer.fillers, ruleset.thresholds)
    ruleset.vocabularies = dict(layer.vocabularies)
    ruleset.questions = dict(layer.questions)
    ruleset.groups = dict(layer.groups)
    ruleset.statement = layer.statement
    ruleset.citations = dict(layer.citations)
    for entry in layer.rules.values():
        document, index = entry.document, entry.index
        definition = _definition(entry.fields, document, index)
        _check_refs(definition, ruleset, document, index)
        options = _options(definition, ruleset.thresholds, document, index)
        _check_fields(definition, options, document, index)
        _check_vocabulary(definition, options, ruleset, document, index)
        at_document, at_index = entry.examples_at or (document, index)
        sites = {kind: tuple(_where(at_document, at_index, "examples", kind, number)
                             for number in range(len(getattr(definition.examples, attr))))
                 for kind, attr in (("pass", "pass_"), ("fail", "fail"))}
        ruleset.rules.append(Rule(definition, options, entry.pack, _where(document, index, "id"), sites))
    _check_unique(ruleset)
    ruleset.rule_ids = frozenset(rule.id for rule in ruleset.rules)
    for fact, (rule_id, where) in layer.facts.items():
        rule = ruleset.rule(rule_id)
        if rule is None or rule.definition.check != "delay":
            raise PackError(f"{where}: rule pack: `facts.{fact}` names {rule_id}, which is no `delay` rule "
                            f"of profile {layer.profile}")
        ruleset.facts[fact] = rule
    return ruleset


def _filler(fillers: list[tuple[dict[str, Any], Document]], thresholds: dict[str, int]) -> FillerSpec | None:
    """Every pack's `filler:` merged (fields added, settings of later packs winning), `$name`s resolved."""
    merged: dict[str, Any] = {}
    for written, document in fillers:
        where = document.position_of(("filler",))
        raw = _resolve(written, thresholds, f"{document.source}:{where.line}:{where.column}: filler")
        shaped = validate(FillerSpec, Document(raw, "", {}, {}))
        if isinstance(shaped, list):
            issue = shaped[0]
            raise PackError(f"{document.source}:{where.line}:{where.column}: rule pack: `filler.{issue.field}`: "
                            f"{issue.message}")
        for name in [*shaped.fields, *shaped.content_words]:
            if model_at(name, None) is False:
                raise PackError(f"{document.source}:{where.line}:{where.column}: rule pack: `filler` names "
                                f"`{name}`, which is not a field of a referral{_suggest(name, None)}")
        fields = [*merged.get("fields", []), *(f for f in shaped.fields if f not in merged.get("fields", []))]
        merged = {**merged, **shaped.model_dump(exclude_unset=True), "fields": fields,
                  "content_words": {**merged.get("content_words", {}), **shaped.content_words}}
    return FillerSpec(**merged) if merged else None


def _resolve(value: Any, thresholds: dict[str, int], where: str) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in thresholds:
            raise PackError(f"{where}: unknown threshold `{value[1:]}`; the thresholds are: "
                            f"{', '.join(sorted(thresholds))}")
        return thresholds[value[1:]]
    if isinstance(value, dict):
        return {key: _resolve(item, thresholds, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, thresholds, where) for item in value]
    return value


def _check_vocabulary(definition: RuleDef, options: Options, ruleset: RuleSet, document: Document, index: int) -> None:
    name = getattr(options, "vocabulary", None)
    if definition.check == "vocabulary" and name not in ruleset.vocabularies:
        known = ", ".join(sorted(ruleset.vocabularies)) or "none"
        raise PackError(f"{_where(document, index, 'options', 'vocabulary')}: rule {definition.id}: unknown "
                        f"vocabulary `{name}`; the pack's `vocabularies:` are: {known}")


def _digest(documents: Iterable[Document]) -> str:
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
    for name, info in type(options).model_fields.items():
        value = getattr(options, name)
        if isinstance(value, Condition):
            yield from ((name, path, base) for path, base in _condition_fields(value, None))
            continue
        ref = next((m for m in [*info.metadata, *_inner_metadata(info.annotation)] if isinstance(m, FieldRef)), None)
        if ref is None or value is None:  # an optional field option left out
            continue
        base = None if ref.within is None else model_at(getattr(options, ref.within))
        if base is True or base is False:
            continue  # the list option itself is reported, or is not a list of entries
        for path in value if isinstance(value, list) else [value]:
            yield name, path, base


def _inner_metadata(annotation: Any) -> list[Any]:
    return [m for arg in getattr(annotation, "__args__", ()) for m in getattr(arg, "__metadata__", ())]


def _condition_fields(condition: Condition, base: Any) -> Iterator[tuple[str, Any]]:
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
    match = difflib.get_close_matches(path, field_paths(base), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else "; docs/format.md lists the fields"


def _check_unique(ruleset: RuleSet) -> None:
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            raise PackError(f"rule id {rule.id} is defined twice; ids must be unique across packs")
        seen.add(rule.id)
