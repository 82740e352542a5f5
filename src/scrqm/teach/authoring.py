"""Writing a new referral: the commented skeleton and the questions asked for it.

One description of each profile's fields (`fields_for`) drives both: the
skeleton is that description rendered with no values, and `--interactive`
(teach/interview.py) asks for each field in the same order and writes the
answers into that skeleton.  Nothing here overwrites a file unless asked to (`force`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from scrqm.errors import ScrqmError, os_message
from scrqm.shape import model as shape_model
from scrqm.shape.model import FORMAT_TAG
from scrqm.shape.schema import SCHEMA_FILENAME, render_schema

Kind = Literal["text", "long", "date", "choice", "bool", "age", "list", "items"]

PROFILES = ("wt2015", "wt2023")


@dataclass(frozen=True)
class Spec:
    """One field of the format: its key, what kind of value, and what to write there.

    `hint` is the skeleton's comment; `prompt` is the question asked for it in
    plain words (the key is never shown as a path such as `agencies[0].name`).
    `fixed` lists an item list's entries that are always there (the four
    regulation 11 considerations), as (value of the first child, what it means).
    """

    key: str
    kind: Kind
    hint: str
    choices: tuple[str, ...] = ()
    children: tuple[Spec, ...] = ()
    item_name: str = ""
    prompt: str = ""
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def is_section(self) -> bool:
        return bool(self.children) and self.kind == "text"

    @property
    def question(self) -> str:
        return self.prompt or self.hint


def _section(key: str, hint: str, *children: Spec) -> Spec:
    return Spec(key, "text", hint, children=children)


def _items(key: str, hint: str, item_name: str, *children: Spec, fixed: tuple[tuple[str, str], ...] = ()) -> Spec:
    return Spec(key, "items", hint, children=children, item_name=item_name, fixed=fixed)


def with_article(noun: str) -> str:
    """ "an agency", "a document", "an urgent risk". """
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _declared(model: str, specs: tuple[Spec, ...]) -> tuple[Spec, ...]:
    """The specs whose field the shape model declares: the skeleton never writes a key it refuses."""
    declared = getattr(shape_model, model).model_fields
    return tuple(spec for spec in specs if spec.key in declared)


def _referral(board: str, example_reference: str, to: str) -> Spec:
    return _section(
        "referral", "about the referral itself",
        Spec("reference", "text", f"local case reference, e.g. {example_reference}; never the child's name",
             prompt=f"The referral's case reference (e.g. {example_reference}; never the child's name)"),
        Spec("date", "date", f"date the referral is sent to the {to}, YYYY-MM-DD",
             prompt=f"The date the referral is sent to the {to} (YYYY-MM-DD)"),
        Spec("board", "text", f"the {board} you refer to",
             prompt=f"The {board} you refer to"),
        _section(
            "referrer", "who makes the referral",
            Spec("agency", "text", "your agency, e.g. Northshire Children's Social Care",
                 prompt="Your agency (e.g. Northshire Children's Social Care)"),
            Spec("role", "text", "your role, e.g. Head of Safeguarding",
                 prompt="Your role (e.g. Head of Safeguarding)"),
        ),
    )


_CHILD = _section(
    "child", "pseudonymised: no names, no date of birth",
    Spec("reference", "text", "pseudonym or letter as used in SCR reports, e.g. Child F",
         prompt="The child's pseudonym or letter (e.g. Child F; never the name)"),
    Spec("age", "age", 'whole years 0-17, or text such as "7 months", "3 weeks", "10 days"',
         prompt='The child\'s age (whole years, or e.g. "7 months", "3 weeks")'),
    Spec("gender", "text", "optional", prompt="The child's gender (optional)"),
    Spec("ethnicity", "text", "optional", prompt="The child's ethnicity (optional)"),
    Spec("disability", "text", 'optional, e.g. "none known"', prompt='Any disability (optional, e.g. "none known")'),
    Spec("looked_after", "bool", "optional: true or false",
         prompt="Was the child looked after by the local authority? (optional)"),
    Spec("child_protection_plan", "choice", "optional: a child protection plan, ever",
         ("current", "previous", "never", "unknown"),
         prompt="Has the child ever had a child protection plan? (optional)"),
    Spec("known_to_social_care", "bool", "optional: true or false",
         prompt="Did children's social care know the child before the incident? (optional)"),
)

_INCIDENT = _section(
    "incident", "the death or serious harm",
    Spec("type", "choice", "what happened", ("death", "serious_harm"),
         prompt="What happened: the child's death, or serious harm?"),
    Spec("date", "date", "date of the death or serious harm (or when it was identified), YYYY-MM-DD",
         prompt="The date of the death or serious harm, or when it was identified (YYYY-MM-DD)"),
    Spec("aware_date", "date", "date your agency became aware of it, YYYY-MM-DD",
         prompt="The date your agency became aware of it (YYYY-MM-DD)"),
    Spec("abuse_or_neglect", "choice", "is abuse or neglect known or suspected?",
         ("known", "suspected", "not_suspected", "unknown"),
         prompt="Is abuse or neglect known or suspected?"),
    Spec("setting", "choice", "optional: where it happened",
         ("home", "community", "school", "health", "custody", "secure_estate",
          "mental_health_detention", "regulated_setting", "other"),
         prompt="Where did it happen? (optional)"),
    Spec("summary", "long", "what happened, in plain words, with dates",
         prompt="What happened, in plain words, with dates"),
)

_AGENCIES = _items(
    "agencies", "each agency involved with the child or family before the incident", "agency",
    Spec("name", "text", "the agency or service, e.g. Health visiting",
         prompt="The agency's name (e.g. Health visiting)"),
    Spec("involvement", "long", "what its involvement was, and when",
         prompt="What the agency's involvement was, and when"),
)

_INSTITUTIONS = Spec(
    "institutions", "list", "optional: named settings involved (nursery, school, children's home)",
    item_name="setting", prompt="A named setting involved, such as a nursery, school or children's home (optional)",
)

def _concerns(why: str) -> Spec:
    return Spec("working_together_concerns", "long",
                f"any cause for concern about how agencies worked together ({why})",
                prompt="Any cause for concern about how the agencies worked together")

_RATIONALE = Spec(
    "rationale", "long",
    "the case for a review, 50 words or more: what happened, why it matters, what a review could learn",
    prompt="The case for a review, 50 words or more: what happened, why it matters, what a review could learn",
)

_SUPPORTING = _items(
    "supporting_information", "each document the rationale rests on", "document",
    Spec("type", "choice", "what kind of document",
         ("chronology", "agency_report", "meeting_minutes", "case_summary", "other"),
         prompt="What kind of document is it?"),
    Spec("title", "text", "its title, e.g. Combined multi-agency chronology, 2014 to 2016",
         prompt="The document's title (e.g. Combined multi-agency chronology, 2014 to 2016)"),
    Spec("date", "date", "optional: its date, YYYY-MM-DD", prompt="The document's date (optional, YYYY-MM-DD)"),
)

_URGENT = _items(
    "urgent_risks", "optional: risks that need action now", "urgent risk",
    Spec("risk", "long", "the risk, e.g. a younger sibling remains in the household",
         prompt="The risk (e.g. a younger sibling remains in the household)"),
    Spec("action", "long", "the action taken or planned, with its date",
         prompt="The action taken or planned about it, with its date"),
)

_LEARNING = (
    Spec("other_reason", "long", "when not_met: why a review would still give useful learning",
         prompt="The criteria are not met: why would a review still give useful learning?"),
    Spec("learning_priorities", "list", "when not_met: ids of the board's learning priorities, e.g. LP2",
         item_name="learning priority",
         prompt="The id of a learning priority this case links to (e.g. LP2)"),
)

WT2015_FIELDS: tuple[Spec, ...] = (
    _referral("Local Safeguarding Children Board", "NLSCB-2016-004", "LSCB"),
    _CHILD,
    _INCIDENT,
    _AGENCIES,
    _INSTITUTIONS,
    _concerns("needed for serious harm"),
    _section(
        "criteria", "the explicit statement Quality Marker 1 asks for",
        Spec("statutory", "choice", "does the case meet the statutory criteria for an SCR?", ("met", "not_met"),
             prompt="Does the case meet the statutory criteria for a Serious Case Review?"),
        *_LEARNING,
    ),
    _RATIONALE,
    _SUPPORTING,
    _section(
        "delay", "only needed when the referral is late",
        Spec("explanation", "long",
             "if more than 5 working days after becoming aware: why it was not made sooner",
             prompt="Why was the referral not made sooner?"),
    ),
    _URGENT,
)

# Regulation 11 of the Child Safeguarding Practice Review and Relevant Agency
# (England) Regulations 2018: what each consideration for a local review asks.
CONSIDERATIONS = (
    ("a", "the case highlights or may highlight improvements needed, including ones identified before"),
    ("b", "the case highlights recurrent themes in safeguarding and promoting the welfare of children"),
    ("c", "the case highlights concerns about two or more agencies working together effectively"),
    ("d", "the Panel considered the case and concluded a local review may be more appropriate"),
)

WT2023_FIELDS: tuple[Spec, ...] = (
    _referral("safeguarding partnership", "NSCP-2024-101", "safeguarding partners"),
    _CHILD,
    _INCIDENT,
    _AGENCIES,
    _INSTITUTIONS,
    _concerns("what regulation 11 consideration (c) rests on"),
    _section(
        "criteria", "the explicit statement Quality Marker 1 asks for",
        Spec("notification", "choice",
             "are the serious incident notification criteria (Children Act 2004 s16C) met?", ("met", "not_met"),
             prompt="Are the serious incident notification criteria (Children Act 2004 s16C) met?"),
        _items(
            "local_review", "regulation 11: for each consideration, whether it applies and why", "consideration",
            Spec("consideration", "choice", "a, b, c or d", ("a", "b", "c", "d")),
            Spec("applies", "bool", "true or false", prompt="Does it apply to this case?"),
            Spec("reason", "long", "why it applies, or why not", prompt="Why it applies, or why not"),
            fixed=CONSIDERATIONS,
        ),
        *_LEARNING,
    ),
    _RATIONALE,
    _SUPPORTING,
    _section(
        "notification", "the serious incident notification to the Child Safeguarding Practice Review Panel",
        Spec("date", "date", "date the local authority notified the Panel, YYYY-MM-DD",
             prompt="The date the local authority notified the Child Safeguarding Practice Review Panel (YYYY-MM-DD)"),
    ),
    _section(
        "rapid_review", "the safeguarding partners' rapid review",
        *_declared("RapidReview", (
            Spec("date", "date", "date the rapid review was held, YYYY-MM-DD",
                 prompt="The date the rapid review was held (YYYY-MM-DD)"),
            Spec("sent_date", "date", "date the completed rapid review was sent to the Panel, YYYY-MM-DD",
                 prompt="The date the completed rapid review was sent to the Panel (YYYY-MM-DD)"),
            Spec("decision", "choice", "what the rapid review decided",
                 ("local_review", "no_local_review", "national_review_suggested"),
                 prompt="What did the rapid review decide?"),
            Spec("decision_reasons", "long", "why, against the criteria (regulation 11 for a local review)",
                 prompt="Why it decided so, against the criteria (regulation 11 for a local review)"),
            Spec("learning", "long", "the learning the rapid review has identified so far",
                 prompt="The learning the rapid review has identified so far"),
            Spec("immediate_actions", "long", "the actions taken or agreed at once, and by whom",
                 prompt="The actions taken or agreed at once to keep children safe, and by whom"),
            Spec("delay_explanation", "long",
                 "if later than 15 working days after the notification: why",
                 prompt="Why did the rapid review take longer than 15 working days?"),
        )),
    ),
    _section(
        "delay", "only needed when the Panel was notified late",
        Spec("explanation", "long",
             "if more than 5 working days after becoming aware: why the Panel was not notified sooner",
             prompt="Why was the Panel not notified sooner?"),
    ),
    _URGENT,
)

# The default profile's fields (wt2015), as before profiles could be chosen.
FIELDS = WT2015_FIELDS


def fields_for(profile: str) -> tuple[Spec, ...]:
    """The fields a referral under `profile` is written with."""
    if profile == "wt2023":
        return WT2023_FIELDS
    if profile == "wt2015":
        return WT2015_FIELDS
    raise ScrqmError(f"`scrqm new` writes referrals for the profiles {' or '.join(PROFILES)}, not '{profile}'; "
                     "give --profile wt2015 or --profile wt2023")


HEADER = (
    "# A referral for {purpose} (format {tag}).\n"
    "# Write after each key; leave a key empty if you do not know yet.\n"
    "# `scrqm check FILE` says what is still missing; `scrqm explain QM1.1` (or any\n"
    "# rule id it shows) explains why it matters and how to write it.\n"
)

Values = dict[str, Any]


# ----------------------------------------------------------------- rendering

def render_referral(
    values: Values | None = None, *, schema_ref: str = SCHEMA_FILENAME, profile: str = "wt2015"
) -> str:
    """The referral under `profile` as commented YAML; with no values, the skeleton."""
    lines = [f"# yaml-language-server: $schema={schema_ref}", *HEADER.format(tag=FORMAT_TAG, purpose=PURPOSES.get(profile, PURPOSES["wt2015"])).splitlines()]
    lines += [f"format: {FORMAT_TAG}", _commented(f"profile: {profile}", PROFILE_HINTS.get(profile, "")), ""]
    for spec in fields_for(profile):
        lines += _render(spec, (values or {}).get(spec.key), indent=0)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


PURPOSES = {
    "wt2015": "Serious Case Review consideration",
    "wt2023": "consideration of a local child safeguarding practice review",
}

PROFILE_HINTS = {
    "wt2015": "checked under Working Together 2015 (Serious Case Reviews)",
    "wt2023": "checked under Working Together 2018/2023 (local child safeguarding practice reviews)",
}


def _render(spec: Spec, value: Any, *, indent: int, first_prefix: str = "", hint: str | None = None) -> list[str]:
    pad = " " * indent
    head = f"{pad}{first_prefix}{spec.key}:"
    hint = _hint(spec) if hint is None else hint
    if spec.is_section:
        lines = [_commented(head, spec.hint)]
        for child in spec.children:
            lines += _render(child, (value or {}).get(child.key), indent=indent + 2)
        return lines
    if spec.kind == "items":
        return _render_items(spec, value or [], head=head, indent=indent)
    if spec.kind == "list":
        shown = f" [{', '.join(_scalar(v) for v in value)}]" if value else ""
        return [_commented(head + shown, spec.hint)]
    if spec.kind == "long":
        # An empty folded block reads as absent, and shows where the text goes.
        hint = hint if value else f"{hint} (write it on the lines below, indented)"
        return [_commented(f"{head} >", hint), *_folded(str(value or ""), indent + len(first_prefix) + 2)]
    shown = f" {_scalar(value)}" if value is not None and value != "" else ""
    return [_commented(head + shown, hint)]


def _render_items(spec: Spec, items: list[Values], *, head: str, indent: int) -> list[str]:
    lines = [_commented(head, spec.hint)]
    if not items and spec.fixed:
        # Entries that are always there (the regulation 11 considerations): one each, to answer.
        items = [{spec.children[0].key: value} for value, _ in spec.fixed]
    if not items:
        # A commented template: an entry with empty fields would hide the "none listed" finding.
        for index, child in enumerate(spec.children):
            prefix = "- " if index == 0 else "  "
            lines.append(f"{' ' * (indent + 2)}# {prefix}{child.key}: {_hint(child)}")
        return lines
    meanings = dict(spec.fixed)
    for item in items:
        for index, child in enumerate(spec.children):
            prefix = "- " if index == 0 else "  "
            value = item.get(child.key)
            hint = meanings.get(str(value)) if index == 0 and spec.fixed else None
            lines += _render(child, value, indent=indent + 2, first_prefix=prefix, hint=hint)
    return lines


def _hint(spec: Spec) -> str:
    if spec.kind == "choice":
        return f"{spec.hint}, one of: {' | '.join(spec.choices)}"
    return spec.hint


def _commented(text: str, hint: str) -> str:
    return f"{text:<31} # {hint}" if hint else text


_PLAIN = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 ,.'()/&-]*\Z")


def _scalar(value: Any) -> str:
    """A value as YAML: plain where that reads back as the same text, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value)
    text = str(value)
    needs_quotes = (
        not _PLAIN.match(text) or text.lower() in {"yes", "no", "on", "off", "true", "false", "null", "~"}
        or re.fullmatch(r"[0-9.+-].*", text) is not None and _looks_non_text(text)
    )
    return json.dumps(text, ensure_ascii=False) if needs_quotes else text


def _looks_non_text(text: str) -> bool:
    return re.fullmatch(r"[0-9.:+-]+( [0-9:.]+)?", text) is not None


def _folded(text: str, indent: int) -> list[str]:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    lines: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            lines.append("")
        lines += textwrap.wrap(paragraph, width=78 - indent, initial_indent=" " * indent,
                               subsequent_indent=" " * indent, break_on_hyphens=False)
    return lines


# ----------------------------------------------------------------- writing

def write_new(path: Path, text: str, *, force: bool) -> list[Path]:
    """Write `text` to `path` (never over an existing file unless `force`), and the schema beside it.

    Returns the files written.  The schema is written only when absent, so an
    edited or newer copy is left alone.
    """
    _write(path, text, force=force)
    written = [path]
    schema = path.parent / SCHEMA_FILENAME
    if not schema.exists():
        _write(schema, render_schema(), force=False)
        written.append(schema)
    return written


def refuse_existing(path: Path, *, force: bool) -> None:
    """A folder is refused even with --force: it is no referral to replace."""
    try:
        if path.is_dir():
            raise ScrqmError(f"{path}: is a folder; give a file name, e.g. {path / 'referral.yaml'}")
        exists = path.exists()
    except OSError as exc:
        raise ScrqmError(os_message(path, exc)) from None
    if exists and not force:
        raise ScrqmError(f"{path}: already exists; choose another name, or add --force to replace it")


def _write(path: Path, text: str, *, force: bool) -> None:
    refuse_existing(path, force=force)
    try:
        # "x" refuses a file that appeared since the check above.
        with open(path, "w" if force else "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScrqmError(f"{path}: already exists; choose another name, or add --force to replace it") from None
    except OSError as exc:
        raise ScrqmError(f"{path}: cannot write: {exc.strerror}") from None


# ----------------------------------------------------------------- asking

def parse_answer(spec: Spec, raw: str) -> Any:
    """A typed answer as the value it stands for, or ValueError saying what to type."""
    if spec.kind == "date":
        return _date(raw)
    if spec.kind == "choice":
        # "serious harm" and "Not met" are what people type for serious_harm and not_met.
        word = re.sub(r"[\s-]+", "_", raw.strip().lower())
        if word not in spec.choices:
            plain = ", ".join(c.replace("_", " ") for c in spec.choices)
            raise ValueError(f"'{raw}' is not one of: {plain}")
        return word
    if spec.kind == "bool":
        if raw.lower() not in {"y", "yes", "n", "no", "true", "false"}:
            raise ValueError(f"'{raw}': answer y or n")
        return raw.lower() in {"y", "yes", "true"}
    if spec.kind == "age":
        return _age(raw)
    if spec.kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _date(raw: str) -> dt.date:
    """YYYY-MM-DD, or the day first as written in England (20/11/2026, 20.11.2026)."""
    text = raw.strip()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
        match = re.fullmatch(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})", text)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise ValueError(f"'{raw}' is not a real date (no such day); write it as YYYY-MM-DD, e.g. 2016-03-14") from None
    raise ValueError(f"'{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2016-03-14")


def _age(raw: str) -> int | str:
    if shape_model.is_index(raw) and 0 <= int(raw) <= 17:
        return int(raw)
    if re.fullmatch(r"[0-9]{1,3}\s+(day|week|month)s?", raw, re.IGNORECASE):
        return raw
    raise ValueError(f"'{raw}' is not an age; write whole years 0-17, or e.g. 7 months, 3 weeks, 10 days")
