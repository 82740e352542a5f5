"""The JSON Schema of the referral format, generated from the pydantic models.

Editors (the YAML language server in VS Code and others) use it to complete
and check a referral while it is written.  It is generated, never written by
hand, so it cannot drift from `shape/model.py`; the copy shipped in the repository at
`schema/referral.schema.json` is checked against it by the test suite.
"""

from __future__ import annotations

import json
from typing import Any

from scrqm.shape.model import FORMAT_TAG, Referral

SCHEMA_FILENAME = "referral.schema.json"


def referral_schema() -> dict[str, Any]:
    """The schema as a dict: draft 2020-12, every field described, unknown keys refused."""
    schema = Referral.model_json_schema(mode="validation")
    _strip_titles(schema)
    _blank_is_absent(schema)
    # No `$id`: the project has no stable public address for it, and a made-up
    # URL would send editors looking for it.  Referrals point at a local copy.
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": f"SCR referral ({FORMAT_TAG})",
    }


def render_schema() -> str:
    return json.dumps(referral_schema(), indent=2, ensure_ascii=False) + "\n"


_BLANK = {"const": ""}


def _blank_is_absent(schema: dict[str, Any]) -> None:
    """An empty string counts as absent in every field (docs/format.md), so the schema accepts it too.

    Text fields take it already; enumerations, dates, booleans, ages, lists and
    mappings are given an `""` alternative beside their `null`, so an editor
    agrees with `scrqm` about what is valid.
    """
    for model in [schema, *schema.get("$defs", {}).values()]:
        for value in model.get("properties", {}).values():
            members = value.get("anyOf") if isinstance(value, dict) else None
            if not members or {"type": "null"} not in members:
                continue
            takes_blank = any(m.get("type") == "string" and not ({"enum", "format", "pattern"} & m.keys())
                              for m in members)
            if not takes_blank and _BLANK not in members:
                members.append(dict(_BLANK))


def _strip_titles(node: Any) -> None:
    """pydantic's titles repeat the key ("Aware Date"); the descriptions say more, so keep only those."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for value in properties.values():
                if isinstance(value, dict):
                    value.pop("title", None)
        for value in node.values():
            _strip_titles(value)
    elif isinstance(node, list):
        for value in node:
            _strip_titles(value)


def undescribed_fields(schema: dict[str, Any]) -> list[str]:
    """`Model.field` for every property without a description (should be none)."""
    missing = []
    models = {"Referral": schema, **schema.get("$defs", {})}
    for name, model in models.items():
        for key, value in model.get("properties", {}).items():
            if not str(value.get("description", "")).strip():
                missing.append(f"{name}.{key}")
    return missing


if __name__ == "__main__":
    print(render_schema(), end="")
