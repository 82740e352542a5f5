"""Check functions: the few, generic, named conditions that rule packs call.

Each function takes the shaped referral, its typed options (a pydantic model
registered with it) and the run's `Context`, and yields `Hit`s: the dotted
field a finding points at, and the values its message template may use.  A
check never chooses a rule id or a severity; the engine stamps both.

Options that quote what the referral says are listed in `Hit.quoted`, so that
`--redact` can keep the referral's own words out of every report.
"""

# No `from __future__ import annotations`: pydantic would turn each field's string annotation
# into a typing.ForwardRef, which compiles it, then evaluate it (~0.1 ms a field, every start).

import builtins
import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable, ClassVar, Iterable, Iterator, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scrqm.check.waivers import reasoned
from scrqm.judge import prose as textutil
from scrqm.judge.identifiers import KIND_LABELS, find_identifiers
from scrqm.judge.substance import (filler_kind, placeholder_only, placeholder_sentence, sentences, shared_sentences,
                                   uses_vocabulary)
from scrqm.judge.workdays import working_days_after
from scrqm.load.breaks import line_starts, lines as text_lines, position_at
from scrqm.load.document import Document, Position
from scrqm.result import Finding
from scrqm.shape.model import Referral, get_field, path_part


@dataclass(frozen=True)
class Hit:
    """A check function's answer: the field it is about and what its message is filled with."""

    field: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    quoted: frozenset[str] = frozenset()
    position: tuple[int, int] | None = None  # (line, column) where no field holds the text (a comment)
    # Under --redact, what a quoted param becomes when its meaning is not the referral's own words
    # ("a placeholder" for "a placeholder ('TBC')"); any other quoted param is "[redacted]".
    redacted: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass
class Context:
    """What checks may know beyond the referral: the run's settings and the file."""

    today: dt.date
    document: Document | None = None
    glossary: frozenset[str] = textutil.ACRONYM_GLOSSARY_DEFAULT
    learning_priorities: Mapping[str, str] | None = None
    # For the waiver checks: every rule id of the profile (None: not known,
    # so no id is called unknown), the ids run on this file, and the findings
    # of the rules that ran before the waivers were applied.
    rule_ids: frozenset[str] | None = None
    rules_run: frozenset[str] | None = None
    findings: tuple[Finding, ...] = ()
    # Where filler counts as a placeholder, and how it is judged (the pack's `filler:`).
    filler: "FillerSpec | None" = None
    # Named word lists (the pack's `vocabularies:` with the board's additions).
    vocabularies: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    _judged: dict[str, str | None] = dataclasses.field(default_factory=dict, repr=False)

    def filler_of(self, field_path: str, value: Any) -> str | None:
        """Which kind of filler the text of `field_path` is, where the pack judges filler there; else None."""
        spec = self.filler
        if spec is None or field_path not in spec.fields or not isinstance(value, str):
            return None
        if field_path not in self._judged:
            self._judged[field_path] = "a placeholder" if placeholder_only(value) else filler_kind(
                value,
                content_words=spec.content_words.get(field_path, 0),
                repeated_percent=spec.repeated_percent,
                not_english_percent=spec.not_english_percent,
                repeats=spec.repeats,
                ignore=self.glossary,
            )
        return self._judged[field_path]

    def state(self, field_path: str, value: Any) -> str | None:
        """How a field fails to answer: "missing", "a placeholder", "filler: ..." or None when it answers."""
        if textutil.is_absent(value):
            return "missing"
        if isinstance(value, str) and textutil.is_placeholder(value):
            return "a placeholder"
        kind = self.filler_of(field_path, value)
        if kind is None or kind == "a placeholder":
            return kind
        return f"filler ({kind})"


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FillerSpec(BaseModel):
    """The pack's `filler:`: the fields where filler counts as a placeholder, and its thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    what_it_is: ClassVar[str] = "a pack's `filler:`"

    fields: list[str] = Field(description="Fields where filler is judged like a placeholder.")
    content_words: dict[str, int] = Field(
        {}, description="Field to the fewest distinct content words it may have."
    )
    repeated_percent: int = Field(50, ge=0, le=100, description="Filler when one repeated sentence, word "
                                  "or phrase makes up more than this per cent of the words.")
    not_english_percent: int = Field(50, ge=0, le=100, description="Filler when more than this per cent "
                                     "of the words checked are not English.")
    repeats: int = Field(3, ge=2, description="A sentence, word or phrase counts as repeated from this many copies.")


@dataclass(frozen=True)
class FieldRef:
    """Marks an option that names a referral field, so a pack naming a field that does not exist is
    refused when it is loaded; `within` names the list option whose entries the field belongs to."""

    within: str | None = None


FieldPath = Annotated[str, FieldRef()]
EntryField = Annotated[str, FieldRef(within="list")]


CheckFn = Callable[[Referral, Any, Context], Iterator[Hit]]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check function, its options model, and the parameters its messages may use."""

    name: str
    function: CheckFn
    options: type[Options]
    doc: str
    gives: frozenset[str]
    after_waivers: bool = False


CHECKS: dict[str, CheckSpec] = {}


def register(
    name: str, options: type[Options], *, gives: set[str], after_waivers: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register `function` as check `name`; `gives` names the values its messages may use.

    A check `after_waivers` runs once the other rules' findings exist and the
    referral's waivers are applied to them; it reads `context.findings`.
    """

    def decorate(function: CheckFn) -> CheckFn:
        doc = (function.__doc__ or "").strip()
        CHECKS[name] = CheckSpec(name, function, options, doc, frozenset(gives), after_waivers)
        return function

    return decorate


def _absent(value: Any, *, placeholder: bool = True) -> bool:
    if textutil.is_absent(value):
        return True
    return placeholder and isinstance(value, str) and textutil.is_placeholder(value)


def _unanswered(context: Context | None, field_path: str, value: Any) -> bool:
    """Absent, a placeholder, or (where the pack judges it) filler."""
    if context is None:
        return _absent(value)
    return context.state(field_path, value) is not None


# ---------------------------------------------------------------- missing


class MissingOptions(Options):
    field: FieldPath
    placeholder: bool = Field(True, description="Count a placeholder such as 'TBC' as absent.")
    when: "Condition | None" = Field(None, description="Only when this holds (the field is asked for then).")


@register("missing", MissingOptions, gives={"state"})
def missing(referral: Referral, options: MissingOptions, context: Context) -> Iterator[Hit]:
    """The field is absent (missing, blank, null, an empty list), a placeholder, or filler where the pack says."""
    if options.when is not None and not options.when.holds(referral):
        return
    value = get_field(referral, options.field)
    if not options.placeholder:
        if _absent(value, placeholder=False):
            yield Hit(options.field, {"state": "missing"})
        return
    state = context.state(options.field, value)
    if state is not None:
        yield Hit(options.field, {"state": state})


# ---------------------------------------------------------------- word_count


class WordCountOptions(Options):
    field: FieldPath
    below: int = Field(description="Hit when the text has fewer words than this...")
    at_least: int = Field(0, description="...and at least this many.")


@register("word_count", WordCountOptions, gives={"words", "below"})
def word_count(referral: Referral, options: WordCountOptions, context: Context) -> Iterator[Hit]:
    """The text is an answer (not a placeholder or filler) but has `at_least` to `below - 1` words."""
    value = get_field(referral, options.field)
    if _unanswered(context, options.field, value):
        return
    words = textutil.word_count(value)
    if options.at_least <= words < options.below:
        yield Hit(options.field, {"words": words, "below": options.below})


# ---------------------------------------------------------------- acronyms


class AcronymOptions(Options):
    field: FieldPath


@register("unexpanded_acronyms", AcronymOptions, gives={"acronym"})
def unexpanded_acronyms(referral: Referral, options: AcronymOptions, context: Context) -> Iterator[Hit]:
    """An acronym in the text is neither expanded anywhere in the file nor in the glossary."""
    value = get_field(referral, options.field)
    if _unanswered(context, options.field, value):
        return
    # Expansions count where the referral says them, not in YAML comments.
    if context.document is not None:
        source = "\n".join(text for _, text in context.document.strings())
    else:
        source = value
    found = textutil.unexpanded_acronyms(value, expansions_source=source, glossary=context.glossary)
    # A postcode's "SW1A" or an NI number's "JG" is part of an identifier, not an acronym:
    # naming it would repeat a piece of the identifier.
    spans = [(m.start, m.end) for m in find_identifiers(value)] if found else []
    for acronym, offset in found:
        if any(start <= offset < end for start, end in spans):
            continue
        position = _written_at(context.document, options.field, acronym)
        yield Hit(options.field, {"acronym": acronym}, frozenset({"acronym"}), position=position)


def _index_of(document: Document, start: Position) -> int:
    """Where the 1-based line and column `start` is in `document.text` (the file's own line breaks)."""
    return line_starts(document.text)[start.line - 1] + start.column - 1


def _written_at(document: Document | None, field: str, word: str) -> tuple[int, int] | None:
    """Line and column of `word`'s first use in the text of `field`, as the file has it.

    A folded or quoted value no longer has the file's line breaks, so the word
    is looked for in the file itself, from where the value starts.
    """
    if document is None:
        return None
    path = tuple(path_part(p) for p in field.split("."))
    start = document.values.get(path)
    if start is None:
        return None
    found = re.compile(rf"(?<![\w&]){re.escape(word)}(?![\w&])").search(document.text, _index_of(document, start))
    if found is None:
        return None
    return position_at(document.text, found.start())


# ---------------------------------------------------------------- substance


class OverlapOptions(Options):
    field: FieldPath
    other: FieldPath = Field(description="The field whose sentences it should not repeat.")
    more_than_percent: int = Field(50, ge=0, le=100, description="Hit when more than this per cent of "
                                   "the field's sentences are also sentences of `other`.")
    changed_words: int = Field(2, ge=0, description="Sentences still count as the same with this many words changed.")


@register("overlap", OverlapOptions, gives={"repeated", "sentences", "lines", "other"})
def overlap(referral: Referral, options: OverlapOptions, context: Context) -> Iterator[Hit]:
    """More than `more_than_percent` per cent of the text's sentences are also sentences of `other`.

    Sentences are compared word by word, ignoring case, punctuation and
    spacing, allowing `changed_words` words changed; they are named by line.
    """
    value, other = get_field(referral, options.field), get_field(referral, options.other)
    if _unanswered(context, options.field, value) or _unanswered(context, options.other, other):
        return
    mine, shared = shared_sentences(value, other, options.changed_words)
    if mine and len(shared) * 100 > options.more_than_percent * len(mine):
        found = (_line_at(context.document, options.field, value, s.offset) for s in shared)
        lines = sorted({line for line in found if line is not None})
        if lines:
            named = ("line " if len(lines) == 1 else "lines ") + _and(lines)
        else:  # no file to point into: by their order in the text
            named = "sentences " + _and([mine.index(s) + 1 for s in shared])
        yield Hit(options.field, {"repeated": len(shared), "sentences": len(mine), "lines": named,
                                  "other": options.other})


class VocabularyOptions(Options):
    field: FieldPath
    vocabulary: str = Field(description="The name of a vocabulary of the pack (`vocabularies:`).")


@register("vocabulary", VocabularyOptions, gives={"vocabulary"})
def vocabulary(referral: Referral, options: VocabularyOptions, context: Context) -> Iterator[Hit]:
    """The text is an answer, but no sentence uses a word or phrase of the vocabulary."""
    value = get_field(referral, options.field)
    if _unanswered(context, options.field, value):
        return
    if not uses_vocabulary(value, context.vocabularies.get(options.vocabulary, frozenset())):
        yield Hit(options.field, {"vocabulary": options.vocabulary})


class SentencesOptions(Options):
    field: FieldPath


@register("placeholder_sentences", SentencesOptions, gives={"number", "line"})
def placeholder_sentences(referral: Referral, options: SentencesOptions, context: Context) -> Iterator[Hit]:
    """A sentence of the text is a placeholder, or says details are to follow or to be confirmed.

    The whole text being a placeholder is the `missing` check's to report.
    """
    value = get_field(referral, options.field)
    if _unanswered(context, options.field, value):
        return
    for number, sentence in enumerate(sentences(value), start=1):
        if placeholder_sentence(sentence.text):
            line = _line_at(context.document, options.field, value, sentence.offset)
            position = None if line is None else (line, _column_at(context.document, line, sentence.text))
            yield Hit(options.field, {"number": number, "line": line or "?"}, position=position)


def _and(items: Sequence[object]) -> str:
    names = [str(i) for i in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _line_at(document: Document | None, field_path: str, value: str, offset: int) -> int | None:
    """The file's line of the text at `offset` in the value of `field_path`.

    A folded or quoted value no longer has the file's line breaks, so the
    first words from `offset` are looked for in the file, from where the value starts.
    """
    if document is None:
        return None
    start = document.values.get(tuple(path_part(p) for p in field_path.split(".")))
    if start is None:
        return None
    first = re.findall(r"[^\W_]+", value[offset:])[:4]
    if not first:
        return None
    found = re.compile(r"[\W_]+".join(re.escape(w) for w in first)).search(document.text, _index_of(document, start))
    return None if found is None else position_at(document.text, found.start())[0]


def _column_at(document: Document | None, line: int, text: str) -> int:
    if document is None:
        return 1
    rows = text_lines(document.text)
    row = rows[line - 1] if line <= len(rows) else ""
    first = re.match(r"\W*([^\W_]+)", text)
    if first is None:  # no word to look for
        return 1
    at = row.find(first.group(1))
    return at + 1 if at >= 0 else 1


# ---------------------------------------------------------------- match


class Condition(BaseModel):
    """One test on the referral: a field test, or all/any/not of conditions."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    field: str | None = None
    equals: str | int | bool | None = None
    in_: list[str | int | bool | None] | None = Field(None, alias="in")
    absent: bool | None = Field(None, description="true: missing, empty, blank or null.")
    unanswered: bool | None = Field(
        None, description="true: absent, a placeholder such as 'TBC', or filler where the pack judges it."
    )
    all: "list[Condition] | None" = None
    any: "list[Condition] | None" = None
    not_: "Condition | None" = Field(None, alias="not")
    any_item: "ItemCondition | None" = Field(
        None, description="true when some entry of a list meets a condition on the entry's own fields."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> "Condition":
        kinds = [k for k in ("field", "all", "any", "not_", "any_item") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a condition is exactly one of: field (with equals, in, absent or unanswered), "
                "all, any, not, any_item"
            )
        if self.field is not None:
            tests = [t for t in ("equals", "in_", "absent", "unanswered") if getattr(self, t) is not None]
            if len(tests) != 1:
                raise ValueError(
                    f"the condition on `{self.field}` needs exactly one of equals, in, absent, unanswered"
                )
        return self

    def holds(self, referral: BaseModel, context: Context | None = None) -> bool:
        if self.all is not None:
            return all(c.holds(referral, context) for c in self.all)
        if self.any is not None:
            return any(c.holds(referral, context) for c in self.any)
        if self.not_ is not None:
            return not self.not_.holds(referral, context)
        if self.any_item is not None:
            items = get_field(referral, self.any_item.list) or []
            # Inside `where`, field paths are relative to the entry (where the pack judges no filler).
            return any(self.any_item.where.holds(item) for item in items)
        assert self.field is not None
        value = get_field(referral, self.field)
        if self.absent is not None:
            return textutil.is_absent(value) == self.absent
        if self.unanswered is not None:
            return _unanswered(context, self.field, value) == self.unanswered
        if self.in_ is not None:
            return value in self.in_
        return bool(value == self.equals)


class ItemCondition(BaseModel):
    """`list`: the list field; `where`: a condition whose fields are the entry's own."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    list: str
    where: Condition


class MatchOptions(Options):
    at: FieldPath = Field(description="The field the finding points at.")
    when: Condition


@register("match", MatchOptions, gives={"value"})
def match(referral: Referral, options: MatchOptions, context: Context) -> Iterator[Hit]:
    """The condition `when` holds."""
    if options.when.holds(referral, context):
        value = get_field(referral, options.at)
        shown = _shown(value, options.at, context)
        meaning = _meaning(value, options.at, context)
        # Only the referral's own words are hidden by --redact: "absent" or "a placeholder" are ours.
        yield Hit(options.at, {"value": shown}, frozenset({"value"}) if shown != meaning else frozenset(),
                  redacted={"value": meaning} if meaning is not None else {})


def _meaning(value: Any, field_path: str, context: Context) -> str | None:
    """What `_shown` says of `value` without quoting it: "absent", "a placeholder", a state; None
    when it can only be told by quoting it."""
    if textutil.is_absent(value):
        return "absent"
    return context.state(field_path, value)  # "a placeholder", a filler state, or None


def _shown(value: Any, field_path: str = "", context: Context | None = None) -> str:
    if textutil.is_absent(value):
        return "absent"
    if isinstance(value, str) and textutil.is_placeholder(value):
        return f"a placeholder ('{value.strip()}')"
    state = context.state(field_path, value) if context is not None else None
    if state is not None:
        return state
    return str(value)


# ---------------------------------------------------------------- each_missing


class EachMissingOptions(Options):
    list: FieldPath
    item_field: EntryField


@register("each_missing", EachMissingOptions, gives={"number"})
def each_missing(referral: Referral, options: EachMissingOptions, context: Context) -> Iterator[Hit]:
    """An entry of the list lacks `item_field` (absent or a placeholder)."""
    items = get_field(referral, options.list) or []
    for index, item in enumerate(items):
        if _absent(get_field(item, options.item_field)):
            yield Hit(f"{options.list}.{index}.{options.item_field}", {"number": index + 1})


# ---------------------------------------------------------------- values_missing


class ValuesMissingOptions(Options):
    list: FieldPath
    item_field: EntryField
    # builtins: inside this class `list` is the option above.
    values: builtins.list[str] = Field(description="Every one of these should appear in some entry's `item_field`.")


@register("values_missing", ValuesMissingOptions, gives={"missing", "count"})
def values_missing(referral: Referral, options: ValuesMissingOptions, context: Context) -> Iterator[Hit]:
    """The list is given, but none of its entries has `item_field` equal to some of `values`.

    An absent list gives no hit: a `missing` rule says that more plainly.
    """
    items = get_field(referral, options.list)
    if textutil.is_absent(items):
        return
    present = {getattr(item, options.item_field, None) for item in items}
    missing = [value for value in options.values if value not in present]
    if missing:
        yield Hit(options.list, {"missing": ", ".join(missing), "count": len(missing)})


# ---------------------------------------------------------------- unlisted_ids


class UnlistedOptions(Options):
    field: FieldPath
    against: Literal["learning_priorities"] = "learning_priorities"


@register("unlisted_ids", UnlistedOptions, gives={"id", "known"})
def unlisted_ids(referral: Referral, options: UnlistedOptions, context: Context) -> Iterator[Hit]:
    """An id in the list is not among the board's configured ids (only when some are configured)."""
    known = context.learning_priorities
    if not known:
        return
    for index, item in enumerate(get_field(referral, options.field) or []):
        if item not in known:
            listed = ", ".join(known)
            yield Hit(f"{options.field}.{index}", {"id": item, "known": listed}, frozenset({"id"}))


# ---------------------------------------------------------------- dates


class FutureOptions(Options):
    fields: list[FieldPath]


@register("future_dates", FutureOptions, gives={"date", "today"})
def future_dates(referral: Referral, options: FutureOptions, context: Context) -> Iterator[Hit]:
    """A date is after today (the real date, or --today)."""
    for name in options.fields:
        value = get_field(referral, name)
        if isinstance(value, dt.date) and value > context.today:
            # Dates are the referral's own data: --redact hides them like its text.
            yield Hit(name, {"date": value.isoformat(), "today": context.today.isoformat()}, frozenset({"date"}))


class EarlyOptions(Options):
    fields: list[FieldPath]
    earliest: dt.date = Field(default=dt.date(1900, 1, 1), description="The first plausible date.")


@register("early_dates", EarlyOptions, gives={"date", "earliest"})
def early_dates(referral: Referral, options: EarlyOptions, context: Context) -> Iterator[Hit]:
    """A date is before `earliest`: a typing error (0001-01-01), never a delay to count."""
    for name in options.fields:
        value = get_field(referral, name)
        if isinstance(value, dt.date) and value < options.earliest:
            yield Hit(name, {"date": value.isoformat(), "earliest": options.earliest.isoformat()}, frozenset({"date"}))


class OrderOptions(Options):
    earlier: list[FieldPath] = Field(description="The first of these fields that is present...")
    later: FieldPath = Field(description="...must not be after this one.")


@register("date_order", OrderOptions, gives={"later", "later_date", "earlier", "earlier_date"})
def date_order(referral: Referral, options: OrderOptions, context: Context) -> Iterator[Hit]:
    """The `later` date is before the first present `earlier` date."""
    start_field, start = first_present(referral, options.earlier)
    end = get_field(referral, options.later)
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        yield Hit(options.later, {
            "later": options.later, "later_date": end.isoformat(),
            "earlier": start_field, "earlier_date": start.isoformat(),
        }, frozenset({"later_date", "earlier_date"}))


def first_present(referral: Referral, names: list[str]) -> tuple[str, Any]:
    for name in names:
        value = get_field(referral, name)
        if value is not None:
            return name, value
    return names[-1] if names else "", None


# ---------------------------------------------------------------- delay

_START_LABELS = {
    "incident.aware_date": "the referrer became aware",
    "incident.date": "the incident",
    "notification.date": "the notification",
    "referral.date": "the referral",
}


def start_label(labels: Mapping[str, str], start_field: str) -> str:
    """How a message names the date a delay is counted from (the pack's label, else the default)."""
    return labels.get(start_field) or _START_LABELS.get(start_field, start_field)


class DelayOptions(Options):
    start: list[FieldPath] = Field(description="Start date: the first of these fields that is present.")
    end: FieldPath = Field(description="End date field (the referral date).")
    threshold: int = Field(description="Working days after which the referral is late.")
    explanation: FieldPath = Field(description="The field that explains a delay.")
    when: Literal["unexplained", "short"] = Field(
        description="unexplained: hit when late and the explanation is absent, a placeholder or filler; "
        "short: hit when late and the explanation has fewer than min_words words."
    )
    min_words: int = 0
    start_labels: dict[str, str] = Field(
        {}, description="How the message names each start field, e.g. the local authority became aware."
    )
    fallback: FieldPath | None = Field(
        None, description="When `end` is absent, the date of an earlier step counts instead: if that step was "
        "already late, so is `end` (a rapid review cannot be sent to the Panel before it is held)."
    )
    unless: Condition | None = Field(None, description="No clock runs when this holds (a duty that does not apply).")


_END_LABELS = {
    "rapid_review.sent_date": "sent to the Panel",
    "rapid_review.date": "held",
}


def delay_in_working_days(
    referral: Referral, start: list[str], end: str, fallback: str | None = None
) -> tuple[str, int] | None:
    """(start field, working days after it up to and including `end`, or `fallback` when `end` is absent)."""
    start_field, start_date = first_present(referral, start)
    end_date = get_field(referral, end)
    if end_date is None and fallback is not None:
        end_date = get_field(referral, fallback)
    if not isinstance(start_date, dt.date) or not isinstance(end_date, dt.date) or end_date < start_date:
        return None
    return start_field, working_days_after(start_date, end_date)


@register("delay", DelayOptions,
          gives={"delay", "threshold", "start", "start_field", "end", "words", "min_words", "state"})
def delay(referral: Referral, options: DelayOptions, context: Context) -> Iterator[Hit]:
    """The referral is late and the delay is not (well enough) explained."""
    if options.unless is not None and options.unless.holds(referral):
        return
    computed = delay_in_working_days(referral, options.start, options.end, options.fallback)
    if computed is None or computed[1] <= options.threshold:
        return
    start_field, days = computed
    explanation = get_field(referral, options.explanation)
    end_field = options.end if get_field(referral, options.end) is not None else options.fallback or options.end
    params = {
        "delay": days,
        "threshold": options.threshold,
        "start": start_label(options.start_labels, start_field),
        "start_field": start_field,
        "end": _END_LABELS.get(end_field, end_field),
    }
    state = context.state(options.explanation, explanation)
    if options.when == "unexplained" and state is not None:
        yield Hit(options.explanation, {**params, "state": state})
    elif options.when == "short" and state is None:
        words = textutil.word_count(explanation)
        if words < options.min_words:
            yield Hit(options.explanation, {**params, "words": words, "min_words": options.min_words})


# ---------------------------------------------------------------- overdue


class OverdueOptions(Options):
    start: list[FieldPath] = Field(description="Start date: the first of these fields that is present.")
    end: FieldPath = Field(description="The date that should follow within the threshold.")
    threshold: int = Field(description="Working days after the start by which `end` is due.")
    start_labels: dict[str, str] = Field({}, description="How the message names each start field.")
    fallback: FieldPath | None = Field(None, description="An earlier step's date that the delay rules count to "
                                       "when `end` is absent; given, the step is not overdue but late or not.")
    unless: Condition | None = Field(None, description="No clock runs when this holds.")


@register("overdue", OverdueOptions, gives={"elapsed", "threshold", "start", "start_field", "end"})
def overdue(referral: Referral, options: OverdueOptions, context: Context) -> Iterator[Hit]:
    """`end` (and `fallback`) not given, and more than `threshold` working days since the start (up to today)."""
    if options.unless is not None and options.unless.holds(referral):
        return
    if not textutil.is_absent(get_field(referral, options.end)):
        return
    if options.fallback is not None and not textutil.is_absent(get_field(referral, options.fallback)):
        return
    start_field, start_date = first_present(referral, options.start)
    if not isinstance(start_date, dt.date):
        return
    elapsed = working_days_after(start_date, context.today)
    if elapsed > options.threshold:
        yield Hit(options.end, {
            "elapsed": elapsed, "threshold": options.threshold, "end": options.end,
            "start": start_label(options.start_labels, start_field),
            "start_field": start_field,
        })


# ---------------------------------------------------------------- identifiers


class IdentifierOptions(Options):
    kinds: list[Literal["nhs_number", "ni_number", "email", "phone", "postcode"]]


@register("identifiers", IdentifierOptions, gives={"kind"})
def identifiers(referral: Referral, options: IdentifierOptions, context: Context) -> Iterator[Hit]:
    """Text anywhere in the file holds an identifier; the match itself is never reported."""
    strings: Iterable[tuple[tuple[Any, ...], str]]
    if context.document is None:
        strings = _model_strings(referral.model_dump(exclude_none=True), ())
    else:
        strings = context.document.strings()
    values = []
    for path, value in strings:
        values.append(value)
        kinds = sorted({m.kind for m in find_identifiers(value, options.kinds)})
        for kind in kinds:
            yield Hit(".".join(str(p) for p in path), {"kind": KIND_LABELS[kind]})
    if context.document is not None:
        yield from _identifiers_in_comments(context.document.text, values, options.kinds)


def _identifiers_in_comments(text: str, values: list[str], kinds: Sequence[str]) -> Iterator[Hit]:
    """Identifiers after a `#` that no value holds: YAML comments are the file's text too.

    Only what follows a `#` on its line is searched; a match that some value
    holds (a `#` inside text) was reported with its field already.
    """
    if "#" not in text:
        return
    for number, line in enumerate(text_lines(text), start=1):
        hash_at = line.find("#")
        if hash_at < 0:
            continue
        seen: set[str] = set()
        for match in find_identifiers(line[hash_at:], kinds):
            written = line[hash_at + match.start:hash_at + match.end]
            if match.kind in seen or any(written in value for value in values):
                continue
            seen.add(match.kind)
            yield Hit("(comment)", {"kind": KIND_LABELS[match.kind]}, position=(number, hash_at + 1))


def _model_strings(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _model_strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _model_strings(value, (*path, index))


# The condition models refer to each other by name; pydantic resolves the names from this
# module when a model is first used (all are defer_build), so none is rebuilt here.


# ---------------------------------------------------------------- waivers


class WaiverOptions(Options):
    pass


@register("waiver_reason", WaiverOptions, gives={"number"}, after_waivers=True)
def waiver_reason(referral: Referral, options: WaiverOptions, context: Context) -> Iterator[Hit]:
    """A waiver gives no reason (absent, blank or a placeholder); such a waiver waives nothing."""
    for index, waiver in enumerate(referral.waivers or []):
        if not reasoned(waiver):
            yield Hit(f"waivers.{index}.reason", {"number": index + 1})


@register("waiver_unknown", WaiverOptions, gives={"number", "rule", "suggestion"}, after_waivers=True)
def waiver_unknown(referral: Referral, options: WaiverOptions, context: Context) -> Iterator[Hit]:
    """A waiver names no rule, or an id that is not a rule of the profile (with the nearest id)."""
    known = context.rule_ids
    for index, waiver in enumerate(referral.waivers or []):
        rule = (waiver.rule or "").strip()
        if not rule:
            yield Hit(f"waivers.{index}.rule", {"number": index + 1, "rule": "", "suggestion": ""})
        elif known is not None and rule not in known:
            close = difflib.get_close_matches(rule, sorted(known), n=1, cutoff=0.6)
            suggestion = f"; did you mean `{close[0]}`?" if close else "; `scrqm rules` lists the rule ids"
            yield Hit(f"waivers.{index}.rule", {"number": index + 1, "rule": rule, "suggestion": suggestion},
                      frozenset({"rule"}))


@register("waiver_unused", WaiverOptions, gives={"number", "rule"}, after_waivers=True)
def waiver_unused(referral: Referral, options: WaiverOptions, context: Context) -> Iterator[Hit]:
    """A reasoned waiver names a rule that ran on this file and found nothing to waive.

    A rule that did not run (turned off by select, ignore or per-path) is not
    called unused: the waiver may matter under another configuration.
    """
    fired = {f.rule for f in context.findings}
    for index, waiver in enumerate(referral.waivers or []):
        rule = (waiver.rule or "").strip()
        ran = context.rules_run is None or rule in context.rules_run
        if rule and reasoned(waiver) and ran and rule not in fired:
            # The id is one of ours (the rule ran), so --redact need not hide it.
            yield Hit(f"waivers.{index}.rule", {"number": index + 1, "rule": rule})
