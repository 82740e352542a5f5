"""Shape: the referral format v1 as pydantic models (see docs/format.md).

Only the `format` tag, types and enumerations are shape errors; every content
field is optional here, because a missing answer is a quality finding with a
question attached, not a reason to refuse the file.  Empty strings count as
absent.  Descriptions feed `scrqm schema` and editors' completion.
"""

# No `from __future__ import annotations`: pydantic would turn each field's string annotation
# into a typing.ForwardRef, which compiles it, then evaluate it (~0.1 ms a field, every start).

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

FORMAT_TAG = "scrqm/referral@1"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_AGE_TEXT = re.compile(r"\s*([0-9]{1,3})\s+(day|week|month)s?\s*\Z", re.IGNORECASE)


def _text(value: Any) -> Any:
    """Free text: blank means absent.  A number or date where text belongs is a type error.

    YAML reads `reference: 004` as the number 4 and `title: 2016-03-14` as a
    date, silently changing what was written; quoting keeps it as written.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (bool, int, float, dt.date)):
        # What to write instead (the value as written, in quotes) comes from shape/mend.py.
        if isinstance(value, bool):
            written = str(value).lower()
        else:
            written = f"the {'date' if isinstance(value, dt.date) else 'number'} {value}"
        raise PydanticCustomError("scrqm_text", "should be text; got {got}", {"got": written})
    raise PydanticCustomError("scrqm_text", "should be text, got {got}", {"got": _kind(value)})


def _date(value: Any) -> Any:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        if _ISO_DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise PydanticCustomError(
                    "scrqm_date", "should be a real date, got '{got}' (no such day)", {"got": value}
                ) from None
    raise PydanticCustomError(
        "scrqm_date",
        "should be a date written as YYYY-MM-DD, got '{got}'",
        {"got": str(value) if not isinstance(value, (dict, list)) else _kind(value)},
    )


def _flag(value: Any) -> Any:
    """true or false, as YAML writes them; nothing else.

    pydantic would turn "false", "no", "off", 0 and 1 into booleans, silently
    reading a quoted "false" or a 0 as an answer the writer may not have meant.
    """
    if value is None or isinstance(value, bool):
        return value
    raise PydanticCustomError(
        "scrqm_flag", "should be true or false; got {got}", {"got": _written(value)}
    )


def _written(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    return f"'{value}'"


def _age(value: Any) -> Any:
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 17:
        return value
    if isinstance(value, str):
        match = _AGE_TEXT.match(value)
        if match:
            return f"{int(match[1])} {match[2].lower()}{'s' if int(match[1]) != 1 else ''}"
        if is_index(value.strip()) and 0 <= int(value) <= 17:
            return int(value)
    raise PydanticCustomError(
        "scrqm_age",
        "should be whole years from 0 to 17, or text such as \"7 months\", \"3 weeks\" "
        "or \"10 days\"; got '{got}'",
        {"got": str(value) if not isinstance(value, (dict, list)) else _kind(value)},
    )


_PROFILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


def _profile_name(value: Any) -> Any:
    """A profile is a folder name under rules/; which ones exist is checked when the file is checked."""
    value = _text(value)
    if value is None or _PROFILE_NAME.match(value.strip()):
        return value.strip() if value else None
    raise PydanticCustomError(
        "scrqm_profile", "should be the name of a rule profile such as wt2015 or wt2023; got '{got}'", {"got": value}
    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


Text = Annotated[str | None, BeforeValidator(_text)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]
Date = Annotated[dt.date | None, BeforeValidator(_date)]
# What editors are told: the same ages `_age` accepts, so the schema and the
# shape layer agree on what is valid.
AGE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 17},
        {"type": "string", "pattern": r"^\s*([0-9]{1,3}\s+([Dd][Aa][Yy]|[Ww][Ee][Ee][Kk]|[Mm][Oo][Nn][Tt][Hh])[Ss]?|[0-9]|1[0-7])\s*$"},
        {"type": "null"},
    ]
}
Age = Annotated[int | str | None, BeforeValidator(_age), WithJsonSchema(AGE_SCHEMA)]


class _Model(BaseModel):
    # Built when a referral is first validated (the nested models inside Referral's validator, never
    # their own): a run answered from the result cache, or `rules`/`explain`, builds none of them.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        """FORMAT.md: an empty string, `~` or `null` counts as absent, for every field.

        So `statutory: ''` is a missing statement (a QM1.2 failure), not a shape
        error, and so is a blank list, date, boolean or mapping field.
        """
        if isinstance(data, dict) and any(isinstance(v, str) and not v.strip() for v in data.values()):
            return {k: None if isinstance(v, str) and not v.strip() else v for k, v in data.items()}
        return data


class Referrer(_Model):
    """Who made the referral."""

    agency: Text = Field(None, description="The referring agency.")
    role: Text = Field(None, description="The referrer's role, e.g. Head of Safeguarding.")


class ReferralDetails(_Model):
    """About the referral itself."""

    reference: Text = Field(None, description="Local case reference; never the child's name.")
    date: Date = Field(None, description="Date the referral was sent to the LSCB (YYYY-MM-DD).")
    board: Text = Field(None, description="The Local Safeguarding Children Board referred to.")
    referrer: Referrer | None = Field(None, description="Who made the referral.")


class Child(_Model):
    """The child, pseudonymised: no names, no date of birth."""

    reference: Text = Field(None, description="Pseudonym or letter, as used in SCR reports (e.g. Child F).")
    age: Age = Field(None, description='Whole years 0-17, or text such as "7 months", "3 weeks", "10 days".')
    gender: Text = Field(None, description="Optional: the child's gender, as recorded by the agencies.")
    ethnicity: Text = Field(None, description="Optional: the child's ethnicity, as recorded by the agencies.")
    disability: Text = Field(None, description="Optional: any disability, or \"none known\".")
    looked_after: Flag = Field(None, description="Optional: true if the child was looked after by the local authority, else false.")
    child_protection_plan: Literal["current", "previous", "never", "unknown"] | None = Field(
        None, description="Optional: current, previous, never or unknown (a child protection plan, ever)."
    )
    known_to_social_care: Flag = Field(None, description="Optional: true if children's social care knew the child before the incident.")


class Incident(_Model):
    """The death or serious harm."""

    type: Literal["death", "serious_harm"] | None = Field(None, description="death or serious_harm.")
    date: Date = Field(None, description="Date of the death or serious harm, or when it was identified.")
    aware_date: Date = Field(None, description="Date the referring agency became aware of it.")
    abuse_or_neglect: Literal["known", "suspected", "not_suspected", "unknown"] | None = Field(
        None, description="known, suspected, not_suspected or unknown: whether abuse or neglect is known or suspected."
    )
    setting: Literal[
        "home", "community", "school", "health", "custody", "secure_estate",
        "mental_health_detention", "regulated_setting", "other",
    ] | None = Field(
        None, description="Optional: where it happened (home, community, school, health, custody, secure_estate, "
        "mental_health_detention, regulated_setting or other)."
    )
    summary: Text = Field(None, description="What happened, in plain words.")


class Agency(_Model):
    """An agency involved with the child or family before the incident."""

    name: Text = Field(None, description="The agency or service.")
    involvement: Text = Field(None, description="What its involvement was, and when.")


class LocalReviewConsideration(_Model):
    """One of the regulation 11 considerations for a local review (profile wt2023)."""

    consideration: Literal["a", "b", "c", "d"] | None = Field(
        None,
        description="Which consideration of regulation 11 of the Child Safeguarding Practice Review and "
        "Relevant Agency (England) Regulations 2018: a (improvements needed), b (recurrent themes), "
        "c (two or more agencies working together), d (the Panel thinks a local review more appropriate).",
    )
    applies: Flag = Field(None, description="true or false: whether it applies to this case.")
    reason: Text = Field(None, description="Why it applies, or why not.")


class Criteria(_Model):
    """The explicit statement Quality Marker 1 asks for."""

    statutory: Literal["met", "not_met"] | None = Field(
        None, description="met or not_met: whether the case meets the statutory criteria for an SCR."
    )
    notification: Literal["met", "not_met"] | None = Field(
        None,
        description="Profile wt2023: met or not_met: whether the serious incident notification criteria "
        "(Children Act 2004 s16C) are met.",
    )
    local_review: list[LocalReviewConsideration] | None = Field(
        None,
        description="Profile wt2023: each regulation 11 consideration (a to d) for a local child "
        "safeguarding practice review, whether it applies, and why.",
    )
    other_reason: Text = Field(
        None, description="When not_met: why a review would still give useful learning."
    )
    learning_priorities: list[Annotated[str, BeforeValidator(_text)]] | None = Field(
        None, description="Ids of the board's local learning priorities this case links to."
    )


class SupportingInformation(_Model):
    """A document the rationale rests on."""

    type: Literal["chronology", "agency_report", "meeting_minutes", "case_summary", "other"] | None = Field(
        None, description="chronology, agency_report, meeting_minutes, case_summary or other."
    )
    title: Text = Field(None, description="The document's title, e.g. Combined multi-agency chronology, 2014 to 2016.")
    date: Date = Field(None, description="Its date (YYYY-MM-DD), optional.")


class Delay(_Model):
    """Why the referral was not made sooner."""

    explanation: Text = Field(None, description="Why the referral was not made sooner, where it was late.")


class Notification(_Model):
    """The serious incident notification to the Child Safeguarding Practice Review Panel (wt2023)."""

    date: Date = Field(None, description="Date the local authority notified the Panel (YYYY-MM-DD).")


class RapidReview(_Model):
    """The safeguarding partners' rapid review (wt2023)."""

    date: Date = Field(None, description="Date the rapid review was held (YYYY-MM-DD).")
    sent_date: Date = Field(
        None, description="Date the completed rapid review was sent to the Panel (YYYY-MM-DD): the 15 working "
        "days run from the notification to this date."
    )
    decision: Literal["local_review", "no_local_review", "national_review_suggested"] | None = Field(
        None, description="The rapid review's decision: local_review (commission a local child safeguarding "
        "practice review), no_local_review, or national_review_suggested (the Panel is asked to consider one)."
    )
    decision_reasons: Text = Field(
        None, description="Why, against the criteria: regulation 11 for a local review, the Panel's national "
        "review criteria for a national one."
    )
    learning: Text = Field(None, description="The learning the rapid review has identified so far.")
    immediate_actions: Text = Field(
        None, description="The actions taken or agreed at once, by whom, to keep children safe and improve practice."
    )
    delay_explanation: Text = Field(
        None, description="Why the rapid review was sent to the Panel later than 15 working days after the "
        "notification."
    )


class UrgentRisk(_Model):
    """A risk that needs action now."""

    risk: Text = Field(None, description="The risk that needs action now, e.g. a sibling still in the household.")
    action: Text = Field(None, description="The action taken or planned about the risk, with its date.")


class Waiver(_Model):
    """A rule this referral waives for itself, with the reason."""

    rule: Text = Field(
        None, description="The id of the rule waived, as the report shows it, e.g. QM1.1-rationale-brief."
    )
    reason: Text = Field(
        None, description="Why the rule does not apply to this referral; without one the waiver waives nothing."
    )


class Referral(_Model):
    """A referral of a case for Serious Case Review consideration, format v1."""

    format: Literal["scrqm/referral@1"] = Field(description="Identifies the format: scrqm/referral@1.")
    profile: Annotated[str | None, BeforeValidator(_profile_name)] = Field(
        None,
        description="The rule profile this referral is written for, e.g. wt2015 (Working Together 2015) or "
        "wt2023 (Working Together 2018/2023); left out, the run's profile applies.",
    )
    referral: ReferralDetails | None = Field(None, description="About the referral itself.")
    child: Child | None = Field(None, description="The child, pseudonymised.")
    incident: Incident | None = Field(None, description="The death or serious harm.")
    agencies: list[Agency] | None = Field(
        None, description="Agencies involved with the child or family before the incident."
    )
    institutions: list[Annotated[str, BeforeValidator(_text)]] | None = Field(
        None, description="Named settings involved (nursery, school, children's home)."
    )
    working_together_concerns: Text = Field(
        None, description="Cause for concern about how agencies worked together, if any."
    )
    criteria: Criteria | None = Field(None, description="Whether the statutory criteria were met.")
    rationale: Text = Field(
        None, description="The case for a review: what happened, why it matters, what could be learned."
    )
    supporting_information: list[SupportingInformation] | None = Field(
        None, description="What the rationale rests on."
    )
    delay: Delay | None = Field(None, description="Why the referral was not made sooner.")
    notification: Notification | None = Field(
        None, description="Profile wt2023: the notification to the Child Safeguarding Practice Review Panel."
    )
    rapid_review: RapidReview | None = Field(
        None, description="Profile wt2023: the safeguarding partners' rapid review."
    )
    urgent_risks: list[UrgentRisk] | None = Field(
        None, description="Risks that need action now, and the action taken."
    )
    waivers: list[Waiver] | None = Field(
        None,
        description=(
            "Rules this referral waives for itself, each with a reason: their findings are still "
            "reported, marked as waived, but no longer lower a verdict."
        ),
    )


def get_field(referral: BaseModel | None, path: str) -> Any:
    """The value at dotted `path` (e.g. ``criteria.statutory``), or None."""
    value: Any = referral
    for part in _parts(path):
        if value is None:
            return None
        if isinstance(value, list):
            if not is_index(part) or int(part) >= len(value):
                return None
            value = value[int(part)]
        elif isinstance(value, BaseModel) and part in _declared(type(value)):
            # Only declared fields: a pack's dotted path is data, never a way
            # into Python internals (`rationale.__class__`...).
            value = getattr(value, part)
        else:
            return None
    return value


def is_index(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes "²" and "①", which `int` refuses."""
    return text.isascii() and text.isdigit()


def path_part(text: str) -> str | int:
    """A part of a dotted path: a list index where it is digits, else a key."""
    return int(text) if is_index(text) else text


@lru_cache(maxsize=1024)
def _parts(path: str) -> tuple[str, ...]:
    """A dotted path's parts: the packs ask for the same few paths of every referral."""
    return tuple(path.split("."))


_DECLARED: dict[type[BaseModel], frozenset[str]] = {}


def _declared(model: type[BaseModel]) -> frozenset[str]:
    """The field names `model` declares (asked once per class: `model_fields` is a property)."""
    names = _DECLARED.get(model)
    if names is None:
        names = _DECLARED[model] = frozenset(model.model_fields)
    return names


def model_at(path: str, base: type[BaseModel] | None = None) -> type[BaseModel] | None | bool:
    """What dotted `path` reaches from `base` (the referral by default), for checking rule packs.

    A sub-model (for a list of models, the entry's model), True for any other
    field, or False when some part of the path is not a field.  List indexes
    (digits) are skipped.
    """
    current: Any = base or Referral
    for part in path.split("."):
        if is_index(part):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return False
        current = inner_model(current.model_fields[part].annotation) or True
    return current if current is not True else True


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as `list[Agency] | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def field_paths(base: type[BaseModel] | None = None, prefix: str = "") -> list[str]:
    """Every dotted field path below `base` (the referral by default), for suggestions."""
    paths = []
    for name, info in (base or Referral).model_fields.items():
        path = f"{prefix}{name}"
        paths.append(path)
        inner = inner_model(info.annotation)
        if inner is not None:
            paths.extend(field_paths(inner, f"{path}."))
    return paths
