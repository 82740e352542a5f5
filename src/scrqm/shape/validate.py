"""Shape errors in plain English, each tied to the line where it was written.

Turns pydantic's ValidationError into `ShapeIssue` values: the dotted field,
file position, a sentence a safeguarding professional can act on, and a hint
("did you mean `rationale`?") where one helps.  Used for referrals and, with
the same wording, for rule packs and configuration files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scrqm.load.document import Document, Path_
from scrqm.result import Fix

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ShapeIssue:
    field: str
    message: str
    line: int
    column: int
    hint: str | None = None
    unknown_key: bool = False  # the last part of `field` is a key the user wrote, not the format's
    fix: Fix | None = None  # the mechanical mend, when there is one (shape/fixes.py)


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def validate(model: type[M], document: Document) -> M | list[ShapeIssue]:
    """`document` as an instance of `model`, or every shape issue at once."""
    if not isinstance(document.data, dict):
        return [_not_a_mapping(document)]
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        issues = [_issue(model, document, error) for error in exc.errors(include_url=False)]
        return sorted(_dedupe(issues), key=lambda i: (i.line, i.column, i.field))


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
    path = _real_path(error["loc"], document.data)
    name = dotted(path)
    kind = error["type"]
    got = error.get("input")
    from scrqm.shape import fixes

    if kind == "extra_forbidden":
        pos = document.key_position(path)
        return ShapeIssue(name, f"`{name}` is not a field of a referral", pos.line, pos.column,
                          _did_you_mean(model, path), unknown_key=True,
                          fix=fixes.key_fix(document, path, _fields_at(model, path[:-1])))
    if kind == "missing" and path:
        line, column = _line_col(document, path[:-1])
        hint: str | None = f"add `{path[-1]}:`"
        if path == ("format",):
            hint = "add `format: scrqm/referral@1` as the first line"
        fix = fixes.format_fix(document) if path == ("format",) else None
        return ShapeIssue(name, f"`{name}` is required", line, column, hint, fix=fix)
    line, column = _line_col(document, path)
    message, described_hint = _describe(kind, error, got)
    return ShapeIssue(name, f"`{name}` {message}", line, column, described_hint,
                      fix=fixes.value_fix(document, path, kind, got, _choices(error)))


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


def _describe(kind: str, error: Any, got: Any) -> tuple[str, str | None]:
    if kind.startswith("scrqm_"):
        return error["msg"], None
    if kind == "literal_error":
        choices = _choices(error)
        return f"should be one of {', '.join(choices)}; got {_show(got)}", _closest(got, choices)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a mapping of fields (`name: value` lines indented below it); got {_show(got)}", None
    if kind == "list_type":
        return f"should be a list, each item on its own line starting with '- '; got {_show(got)}", None
    if kind in ("string_type",):
        return f"should be text; got {_show(got)}", None
    if kind.startswith("bool"):
        return f"should be true or false; got {_show(got)}", None
    if kind.startswith("int"):
        return f"should be a whole number; got {_show(got)}", None
    return f"is not valid: {error['msg']}", None


def _choices(error: Any) -> list[str]:
    """The values an enumeration allows, from pydantic's `expected` ("'a', 'b' or 'c'")."""
    allowed = error.get("ctx", {}).get("expected", "") if error["type"] == "literal_error" else ""
    return [c.strip().strip("'") for c in allowed.replace(" or ", ", ").split(",") if c.strip()]


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


def _closest(got: Any, choices: list[str]) -> str | None:
    if not isinstance(got, str):
        return None
    if got.lower() in choices:
        return f"values are lower-case: write `{got.lower()}`"
    normalised = got.strip().lower().replace(" ", "_").replace("-", "_")
    if normalised in choices:
        return f"write `{normalised}`"
    match = difflib.get_close_matches(normalised, choices, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None


def _did_you_mean(model: type[BaseModel], path: Path_) -> str | None:
    fields = _fields_at(model, path[:-1])
    match = difflib.get_close_matches(str(path[-1]), fields, n=1, cutoff=0.6)
    if match:
        return f"did you mean `{match[0]}`?"
    if fields:
        return "the fields here are: " + ", ".join(f"`{f}`" for f in fields)
    return None


def _fields_at(model: type[BaseModel], path: Path_) -> list[str]:
    """Field names of the sub-model reached by `path` (list indexes skipped)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        from scrqm.shape.model import inner_model

        current = inner_model(info.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []
