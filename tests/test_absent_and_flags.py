"""FORMAT.md: an empty string, `~` or `null` counts as absent in every field; booleans are true or false only."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
from pydantic import BaseModel

from scrqm.load.document import load_text
from scrqm.packs.loader import load_ruleset
from scrqm.pipeline import Settings, check_text
from scrqm.result import FileResult
from scrqm.run.mend import apply_fixes
from scrqm.shape.model import Referral, inner_model
from scrqm.shape.schema import referral_schema
from scrqm.shape.validate import validate

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 26)


def _paths(model: type[BaseModel], prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every field of every model, reached through the first entry of each list."""
    found: list[tuple[str | int, ...]] = []
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        if path == ("format",):
            continue
        found.append(path)
        inner = inner_model(info.annotation)
        if inner is not None:
            is_list = "list[" in str(info.annotation)
            found.extend(_paths(inner, (*path, 0) if is_list else path))
    return found


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"format": "scrqm/referral@1"}
    node: Any = data
    for part, following in zip(path, path[1:]):
        if isinstance(part, int):
            continue
        node = node.setdefault(part, [{}] if isinstance(following, int) else {})
        if isinstance(node, list):
            node = node[0]
    node[path[-1]] = value
    return data


FIELDS = _paths(Referral)


@pytest.mark.parametrize("blank", ["", "   ", None], ids=["empty", "spaces", "null"])
@pytest.mark.parametrize("path", FIELDS, ids=[".".join(str(p) for p in p) for p in FIELDS])
def test_a_blank_value_is_absent_in_every_field(path: tuple[str | int, ...], blank: str | None) -> None:
    data = _with(path, blank)
    shaped = Referral.model_validate(data)
    value: Any = shaped
    for part in path:
        value = value[part] if isinstance(part, int) else getattr(value, part)
    assert value is None, f"{path} = {blank!r} should read as absent"


@pytest.mark.parametrize("path", FIELDS, ids=[".".join(str(p) for p in p) for p in FIELDS])
def test_the_schema_accepts_a_blank_wherever_scrqm_does(path: tuple[str | int, ...]) -> None:
    validator = jsonschema.Draft202012Validator(referral_schema(), format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(_with(path, "")))
    assert not errors, [e.message for e in errors]


def _check(text: str, profile: str = "wt2015") -> FileResult:
    return check_text(text, display="r.yaml", ruleset=load_ruleset(profile), settings=Settings(today=TODAY))


def test_an_empty_statutory_statement_fails_qm12_as_missing() -> None:
    result = _check("format: scrqm/referral@1\ncriteria:\n  statutory: ''\n")
    assert result.verdict != "invalid"
    missing = [f for f in result.findings if f.rule == "QM1.2-statutory-missing"]
    assert missing and missing[0].severity == "fail" and "missing" in missing[0].message
    assert result.questions["QM1.2"] == "fail"


def test_an_empty_notification_statement_fails_qm12_under_wt2023() -> None:
    result = _check("format: scrqm/referral@1\nprofile: wt2023\ncriteria:\n  notification: ''\n", "wt2023")
    assert result.verdict != "invalid"
    assert any(f.rule == "QM1.2-notification-missing" and f.severity == "fail" for f in result.findings)


@pytest.mark.parametrize(
    ("written", "answer"),
    [('"false"', "false"), ("'true'", "true"), ("no", "false"), ("off", "false"), ("yes", "true"),
     ("on", "true"), ("0", "false"), ("1", "true"), ("n", "false"), ("maybe", None), ("2", None)],
)
@pytest.mark.parametrize(
    "where",
    ["child:\n  known_to_social_care: {}\n", "child:\n  looked_after: {}\n",
     "profile: wt2023\ncriteria:\n  local_review:\n    - consideration: a\n      applies: {}\n"],
    ids=["known_to_social_care", "looked_after", "applies"],
)
def test_a_boolean_is_true_or_false_only(where: str, written: str, answer: str | None) -> None:
    text = "format: scrqm/referral@1\n" + where.format(written)
    issues = validate(Referral, load_text(text))
    assert isinstance(issues, list) and len(issues) == 1, "it must not be converted silently"
    issue = issues[0]
    assert "should be true or false" in issue.message
    assert issue.hint is not None
    if answer is None:
        assert "write `true` or `false`" in issue.hint and issue.fix is None
    else:
        assert f"write `{answer}`" in issue.hint
        head, _, tail = text.rpartition(written)
        assert issue.fix is not None and apply_fixes(text, [issue.fix])[0] == head + answer + tail


@pytest.mark.parametrize("written", ["true", "false", "True", "FALSE"])
def test_yaml_booleans_are_still_booleans(written: str) -> None:
    shaped = validate(Referral, load_text(f"format: scrqm/referral@1\nchild:\n  looked_after: {written}\n"))
    assert isinstance(shaped, Referral) and shaped.child is not None
    assert shaped.child.looked_after is (written.lower() == "true")


def test_the_docs_say_both() -> None:
    docs = " ".join((ROOT / "docs" / "format.md").read_text(encoding="utf-8").split())
    assert "an empty string (`''`) counts as absent in every field" in docs
    assert "Yes/no fields** take `true` or `false` and nothing else" in docs


def test_the_data_is_not_changed_by_blanking() -> None:
    data = _with(("criteria", "statutory"), "")
    before = copy.deepcopy(data)
    Referral.model_validate(data)
    assert data == before
