"""Shape errors in plain English, each tied to the line where it was written.

Turns pydantic's ValidationError into `ShapeIssue` values: the dotted field,
file position, a sentence a safeguarding professional can act on, and a hint
("did you mean `rationale`?") where one helps.  Used for referrals and, with
the same wording, for rule packs and configuration files.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from scrqm.load.document import Document, Path_
from scrqm.result import REDACTED, Fix
from scrqm.shape.model import FORMAT_TAG, Referral, inner_model

if TYPE_CHECKING:
    from scrqm.shape.mend import Suggestion

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ShapeIssue:
    """A value that does not fit the format: the field, its place, and what to write instead."""

    field: str
    message: str
    line: int
    column: int
    hint: str | None = None
    unknown_key: bool = False  # the last part of `field` is a key the user wrote, not the format's
    fix: Fix | None = None  # the mechanical mend the hint promises, when there is one (shape/fixes.py)
    # The hint without the referral's own words, for --redact; None: `hint` quotes none of them.
    general_hint: str | None = None
    redacted: str | None = None  # the message without the values the user wrote, for `--redact`


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def validate(model: type[M], document: Document) -> M | list[ShapeIssue]:
    """`document` as an instance of `model`, or every shape issue at once."""
    if "format" in model.model_fields:
        other = not_a_referral(document)
        if other is not None:
            return [other]
    if not isinstance(document.data, dict):
        return [_not_a_mapping(document)]
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        issues = [_issue(model, document, error) for error in exc.errors(include_url=False)]
        return sorted(_dedupe(issues), key=lambda i: (i.line, i.column, i.field))


_NEXT_STEP = "to start a referral: `scrqm new referral.yaml`"


def not_a_referral(document: Document) -> ShapeIssue | None:
    """A JSON file, or a YAML file with none of a referral's fields: say what it is rather than list every key."""
    data = document.data
    if isinstance(data, dict) and data.get("format") == FORMAT_TAG:
        return None
    if data and document.text.lstrip()[:1] in ("{", "[") and _is_json(document.text):
        if isinstance(data, dict) and "scrqm_version" in data:
            what = "a scrqm report in JSON (the output of `scrqm check --format json`)"
        else:
            what = "a JSON file"
        return ShapeIssue("(top level)", f"this is {what}, not a referral", 1, 1,
                          f"check referral files only (a referral is YAML); {_NEXT_STEP}")
    if isinstance(data, dict) and data and not any(key in Referral.model_fields for key in data):
        return ShapeIssue(
            "(top level)",
            "this YAML file is not a referral: it has no `format: scrqm/referral@1` line and none of a "
            "referral's fields",
            1, 1,
            f"check it is the right file (`--exclude` other YAML files in the folder); {_NEXT_STEP}",
        )
    return None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _not_a_mapping(document: Document) -> ShapeIssue:
    got = {type(None): "empty", list: "a list", str: "a single line of text"}.get(
        type(document.data), f"a single value ({type(document.data).__name__})"
    )
    if document.data is None:
        message = "the file is empty"
    else:
        message = f"the file should be a mapping of fields (format:, referral:, ...) but is {got}"
    return ShapeIssue(
        "(top level)",
        message,
        *_line_col(document, ()),
        hint="start from `scrqm new`, which writes a skeleton beginning `format: scrqm/referral@1`",
    )


def _dedupe(issues: list[ShapeIssue]) -> list[ShapeIssue]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for issue in issues:
        if (issue.field, issue.message) not in seen:
            seen.add((issue.field, issue.message))
            kept.append(issue)
    return kept


def _line_col(document: Document, path: Path_) -> tuple[int, int]:
    pos = document.position_of(path)
    return pos.line, pos.column


def _issue(model: type[BaseModel], document: Document, error: Any) -> ShapeIssue:
    from scrqm.shape import fixes, mend  # start-up: what to write instead is worked out only for a file that needs it
    from scrqm.shape.mend import Suggestion

    path = _real_path(error["loc"], document.data)
    name = dotted(path)
    kind = error["type"]
    got = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(model, document, path)
    if kind == "missing" and path:
        line, column = _line_col(document, path[:-1])
        if path == ("format",):
            return ShapeIssue(name, f"`{name}` is required", line, column,
                              "add `format: scrqm/referral@1` as the first line", fix=fixes.format_fix(document))
        return ShapeIssue(name, f"`{name}` is required", line, column, f"add `{path[-1]}:`")
    line, column = _line_col(document, path)
    message = _describe(kind, error, got)
    written = fixes.written(document, path) if isinstance(got, (str, int, float, dt.date)) else None
    suggestion = _suggest(model, kind, error, got, path, written if written is not None else _as_written(got))
    hidden = _redacted(kind, error, got, message)
    return ShapeIssue(name, f"`{name}` {message}", line, column, suggestion.advice,
                      fix=fixes.value_fix(document, path, kind, suggestion), general_hint=suggestion.general,
                      redacted=f"`{name}` {hidden}" if hidden != message else None)


def _as_written(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _suggest(model: type[BaseModel], kind: str, error: Any, got: Any, path: Path_, written: str) -> Suggestion:
    """What to write instead, from shape/mend.py: every shape error gets one."""
    from scrqm.shape import mend  # start-up: as in _issue
    from scrqm.shape.mend import Suggestion

    name = dotted(path)
    if kind == "scrqm_date":
        return mend.suggest_date(written)
    if kind == "scrqm_age":
        return mend.suggest_age(written)
    if kind == "scrqm_flag":
        return mend.suggest_flag(written)
    if kind in ("scrqm_text", "string_type"):
        if isinstance(got, (bool, int, float, dt.date)):
            return mend.suggest_text(written)
        if got is None:
            return Suggestion("write the text after the `- `, or remove the empty line from the list")
        return Suggestion(f"write the text of `{name}` on its line, or as a block after `>` on the lines below")
    if kind == "scrqm_profile":
        return Suggestion("write `wt2015` or `wt2023`, or leave `profile:` out to use the run's")
    if kind == "literal_error":
        return mend.suggest_choice(written, _choices(error))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        fields = _fields_at(model, path)
        if path and isinstance(path[-1], int) and isinstance(got, str) and fields:
            return mend.suggest_entry(written, fields, dotted(path[:-1]))
        return mend.suggest_mapping(name, fields)
    if kind == "list_type":
        if isinstance(got, (str, int, float)) and not isinstance(got, bool):
            return mend.suggest_list(written, name)
        return Suggestion(f"write each item of `{name}` on its own line below it, starting with `- `")
    if kind.startswith("bool"):
        return mend.suggest_flag(written)
    if kind.startswith("int"):
        return Suggestion("write a whole number, without quotes")
    return Suggestion("write it as docs/format.md describes this field (`scrqm schema` lists what each takes)")


def _choices(error: Any) -> list[str]:
    allowed = error.get("ctx", {}).get("expected", "")
    return [c.strip().strip("'") for c in allowed.replace(" or ", ", ").split(",") if c.strip()]


def _what(model: type[BaseModel]) -> str:
    """What a file of `model` is called to its writer: a referral unless the model says (`what_it_is`)."""
    return str(getattr(model, "what_it_is", "a referral"))


def _unknown_key(model: type[BaseModel], document: Document, path: Path_) -> ShapeIssue:
    from scrqm.shape import fixes, mend  # start-up: what to write instead is worked out only for a file that needs it
    from scrqm.shape.mend import Suggestion

    name = dotted(path)
    pos = document.key_position(path)
    key = str(path[-1])
    if mend.looks_like_text(key):
        below = mend.mend_unindented(document.text, pos.line)
        if below is not None:
            return ShapeIssue(
                name, f"line {pos.line} is text, not a field: it is not indented under `{below.key}:`",
                pos.line, pos.column,
                f"indent this text under `{below.key}:`, two spaces further in"
                + (f", and write `>` after `{below.key}:` so that a `:` in it is read as text"
                   if below.adds_block else ""),
                unknown_key=True, fix=below.fix,
            )
        return ShapeIssue(
            name, f"line {pos.line} reads as text, not a field", pos.line, pos.column,
            "text belongs indented under its field, e.g. under `summary: >` or `rationale: >`",
            unknown_key=True,
        )
    fields = _fields_at(model, path[:-1])
    suggestion = mend.suggest_key(key, fields) if fields else Suggestion("remove it, or check its indentation")
    return ShapeIssue(name, f"`{name}` is not a field of {_what(model)}", pos.line, pos.column,
                      suggestion.advice, unknown_key=True, fix=fixes.key_fix(document, path, suggestion))


def _redacted(kind: str, error: Any, got: Any, message: str) -> str:
    """`message` with the value the user wrote (a custom error's `got`, or the value shown) as [redacted]."""
    if kind.startswith("scrqm_"):
        value = error.get("ctx", {}).get("got")
        if not isinstance(value, str) or not value:
            return message
        return message.replace(f"'{value}'", f"'{REDACTED}'").replace(f"got {value}", f"got {REDACTED}")
    shown = _show(got)
    return message.replace(f"got {shown}", f"got {REDACTED}") if shown.startswith("'") else message


def _real_path(loc: tuple[Any, ...], data: Any) -> Path_:
    """`loc` without the member types pydantic adds to the location of union errors.

    A part is the user's when the data has it at that point: a key written
    `function-` or `list[x]` is a field name, not a union tag.
    """
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif _is_union_tag(part):
            continue
        else:
            current = None
        path.append(part)
    return tuple(path)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "literal[", "list["))


def _describe(kind: str, error: Any, got: Any) -> str:
    if kind.startswith("scrqm_"):
        return str(error["msg"])
    if kind == "literal_error":
        return f"should be one of {', '.join(_choices(error))}; got {_show(got)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a mapping of fields (`name: value` lines indented below it); got {_show(got)}"
    if kind == "list_type":
        return f"should be a list, each item on its own line starting with '- '; got {_show(got)}"
    if kind in ("string_type",):
        return f"should be text; got {_show(got)}"
    if kind.startswith("bool"):
        return f"should be true or false; got {_show(got)}"
    if kind.startswith("int"):
        return f"should be a whole number; got {_show(got)}"
    return f"is not valid: {error['msg']}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # as YAML spells it, not as Python does
        return str(value).lower()
    return f"'{value}'"


def _fields_at(model: type[BaseModel], path: Path_) -> list[str]:
    """Field names of the sub-model reached by `path` (list indexes skipped)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []

        current = inner_model(info.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []
