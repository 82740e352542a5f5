"""`scrqm schema`: the JSON Schema editors use, checked with an independent validator."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any, Callable

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import EXAMPLES, ROOT
from scrqm.shape.schema import referral_schema, render_schema, undescribed_fields

MANIFEST = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))["examples"]


def as_editor_sees(node: Any) -> Any:
    """YAML data with dates as the ISO strings an editor's JSON view has."""
    if isinstance(node, dict):
        return {str(k): as_editor_sees(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_editor_sees(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def load_example(name: str) -> Any:
    return as_editor_sees(YAML(typ="safe", pure=True).load((EXAMPLES / name).read_text(encoding="utf-8")))


@functools.cache
def validator() -> jsonschema.protocols.Validator:
    """One validator a process: checking the schema against its metaschema costs 0.15 s, so that is one test."""
    schema = referral_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_the_schema_is_valid_against_its_metaschema() -> None:
    schema = referral_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("name", sorted(n for n, e in MANIFEST.items() if e["verdict"] != "invalid"))
def test_every_valid_example_passes_the_schema(name: str) -> None:
    errors = [e.message for e in validator().iter_errors(load_example(name))]
    assert errors == []


def test_the_invalid_example_fails_the_schema_at_its_three_mistakes() -> None:
    errors = list(validator().iter_errors(load_example("18-invalid-shape-errors.yaml")))
    leaves = {".".join(str(p) for p in e.absolute_path) for e in leaf_errors(errors)}
    # `incident` may be null, so its errors sit inside an anyOf branch.
    assert {"incident.date", "incident.type"} <= leaves
    assert any("rationle" in e.message for e in errors)
    assert len(errors) == 2  # the incident block and the unknown key


def leaf_errors(errors: list[Any]) -> list[Any]:
    found = []
    for error in errors:
        found.extend(leaf_errors(list(error.context)) if error.context else [error])
    return found


@pytest.mark.parametrize(
    ("patch", "valid"),
    [
        ({"child": {"age": 17}}, True),
        ({"child": {"age": 18}}, False),
        ({"child": {"age": "7 months"}}, True),
        ({"child": {"age": "seven"}}, False),
        ({"incident": {"date": "2016-02-30"}}, False),
        ({"incident": {"setting": "prison"}}, False),
        ({"criteria": {"statutory": "met", "extra": 1}}, False),
        ({"format": "scrqm/referral@2"}, False),
    ],
)
def test_schema_expresses_ages_dates_enums_and_closed_objects(patch: dict[str, Any], valid: bool) -> None:
    document = {"format": "scrqm/referral@1", **patch}
    assert validator().is_valid(document) is valid


def test_every_field_of_every_model_has_a_description() -> None:
    schema = referral_schema()
    assert undescribed_fields(schema) == []
    assert len(schema["$defs"]) >= 9  # nested models are checked too


def test_shipped_schema_file_is_in_sync() -> None:
    shipped = (ROOT / "schema" / "referral.schema.json").read_text(encoding="utf-8")
    assert shipped == render_schema(), "regenerate with: python -m scrqm.shape.schema > schema/referral.schema.json"


def test_scrqm_schema_prints_it(run_line: Callable[..., Any]) -> None:
    result = run_line("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == referral_schema()
