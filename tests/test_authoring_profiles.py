"""`scrqm new --profile` and the gallery: a referral can be started, and practised, under either framework."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest

from conftest import EXAMPLES
from scrqm.load.document import load_text
from scrqm.shape.model import Referral
from scrqm.shape.schema import referral_schema
from scrqm.shape.validate import validate
from scrqm.teach.authoring import WT2023_FIELDS, render_referral
from test_authoring import leaves, schema_leaves

WT2023_MANIFEST = json.loads((EXAMPLES / "wt2023" / "manifest.json").read_text(encoding="utf-8"))["examples"]


def test_wt2023_skeleton_asks_for_every_field_but_the_2015_statement() -> None:
    schema = referral_schema()
    expected = set(schema_leaves(schema, schema)) - {"format", "profile", "waivers", "criteria.statutory"}
    assert set(leaves(WT2023_FIELDS)) == expected


@pytest.mark.parametrize("profile", ["wt2015", "wt2023"])
def test_new_writes_a_skeleton_for_the_profile_that_the_schema_accepts(
    profile: str, run_line: Callable[..., Any], run_json: Callable[..., Any], tmp_path: Path
) -> None:
    target = tmp_path / "r.yaml"
    result = run_line("new", "--profile", profile, str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert f"\nprofile: {profile} " in text
    schema = json.loads((tmp_path / "referral.schema.json").read_text(encoding="utf-8"))
    data = load_text(text).data
    jsonschema.validate(data, schema)  # editors accept the skeleton as it is written
    assert isinstance(validate(Referral, load_text(text)), Referral)
    code, report = run_json(str(target))  # checked under its own profile, whatever the run's default
    (checked,) = report["files"]
    assert checked["profile"] == profile
    assert set(checked["questions"].values()) == {"fail"}
    rules = {f["rule"] for f in checked["findings"]}
    if profile == "wt2023":
        assert "QM1.2-notification-missing" in rules and "QM1.2-statutory-missing" not in rules
        assert "statutory:" not in text and "local_review:" in text and "rapid_review:" in text
        assert text.count("- consideration: ") == 4
    else:
        assert "QM1.2-statutory-missing" in rules and "notification:" not in text


def test_new_takes_the_configured_profile(run_line: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / "scrqm.yaml"
    config.write_text("profile: wt2023\n", encoding="utf-8")
    out = run_line("new", "--config", str(config)).stdout
    assert "\nprofile: wt2023 " in out and "local_review:" in out
    assert "\nprofile: wt2015 " in run_line("new", "--isolated").stdout
    assert run_line("new", "--config", str(config), "--profile", "wt2015").stdout == render_referral(profile="wt2015")


def test_new_refuses_a_profile_it_has_no_skeleton_for(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("new", "--profile", "wt2019", str(tmp_path / "r.yaml"))
    assert result.exit_code == 2
    assert "give --profile wt2015 or --profile wt2023" in result.stderr
    assert not (tmp_path / "r.yaml").exists()


def test_examples_lists_both_profiles(run_line: Callable[..., Any]) -> None:
    out = run_line("examples").stdout
    assert "Working Together 2015 (profile wt2015):" in out
    assert "Working Together 2018/2023 (profile wt2023):" in out
    for name, expected in WT2023_MANIFEST.items():
        line = next(line for line in out.splitlines() if line.startswith(f"wt2023/{name}"))
        assert line.split()[1] == expected["verdict"].upper()


def test_examples_copy_takes_a_profile(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("examples", "copy", "wt2023/05", str(tmp_path))
    assert result.exit_code == 0, result.output
    target = tmp_path / "05-qm12-fail-local-review-missing.yaml"
    assert target.read_bytes() == (EXAMPLES / "wt2023" / target.name).read_bytes()
    assert run_line("examples", "copy", "wt2015/05", str(tmp_path)).exit_code == 0
    assert (tmp_path / "05-qm11-warn-thin-rationale.yaml").exists()
    unknown = run_line("examples", "copy", "wt2019/05", str(tmp_path))
    assert unknown.exit_code == 2 and "the galleries are wt2015 and wt2023" in unknown.stderr
