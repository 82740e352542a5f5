"""The bundled examples give exactly the results written in examples/manifest.json."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from conftest import EXAMPLES

MANIFEST: dict[str, dict[str, Any]] = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))[
    "examples"
]


def test_manifest_lists_every_example_and_nothing_else() -> None:
    on_disk = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    assert sorted(MANIFEST) == on_disk
    assert len(on_disk) >= 8


def test_trainers_have_a_pass_and_a_fail_and_a_warn_for_each_question() -> None:
    assert any(e["verdict"] == "pass" and e["rules"] == [] for e in MANIFEST.values())
    for question in ("QM1.1", "QM1.2", "QM1.3"):
        verdicts = {e["questions"][question] for e in MANIFEST.values() if e["questions"]}
        assert {"fail", "warn", "pass"} <= verdicts, question


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_example_gives_its_expected_result(name: str, run_json: Callable[..., Any]) -> None:
    expected = MANIFEST[name]
    code, data = run_json(str(EXAMPLES / name))
    [result] = data["files"]
    assert result["verdict"] == expected["verdict"]
    assert result["questions"] == expected["questions"]
    assert result["groups"] == expected["groups"]
    if expected["verdict"] == "invalid":
        assert sorted(f["field"] for f in result["findings"]) == sorted(expected["shape_errors"])
    else:
        assert [f["rule"] for f in result["findings"]] == expected["rules"]
        assert result["facts"].get("delay_working_days") == expected["delay"]
    assert code == (1 if expected["verdict"] in ("fail", "invalid") else 0)


def test_an_example_asked_for_by_an_odd_number_is_not_found(run_line: Callable[..., Any], tmp_path: Any) -> None:
    """`scrqm examples copy ²` says there is no such example ("²" is a digit to Python, not a number)."""
    done = run_line("examples", "copy", "\u00b2", str(tmp_path / "x.yaml"))
    assert done.exit_code == 2 and "no example called" in done.stderr and "Traceback" not in done.stderr
