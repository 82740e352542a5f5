"""The wt2023 examples give exactly the results in examples/wt2023/manifest.json.

They live in their own folder and each says `profile: wt2023`, so the README's
first command (`scrqm check examples/`, default profile wt2015) judges them by
the rules they were written for.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from conftest import EXAMPLES

FOLDER = EXAMPLES / "wt2023"
MANIFEST: dict[str, dict[str, Any]] = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))[
    "examples"
]
WT2015: dict[str, dict[str, Any]] = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))[
    "examples"
]


def test_manifest_lists_every_example_and_nothing_else() -> None:
    assert sorted(MANIFEST) == sorted(p.name for p in FOLDER.glob("*.yaml"))
    assert all(e["profile"] == "wt2023" for e in MANIFEST.values())


def test_every_example_names_its_profile() -> None:
    for path in FOLDER.glob("*.yaml"):
        assert "\nprofile: wt2023\n" in path.read_text(encoding="utf-8"), path.name


def test_trainers_have_a_pass_and_a_fail_and_a_warn_for_each_question() -> None:
    assert any(e["verdict"] == "pass" and e["rules"] == [] for e in MANIFEST.values())
    for question in ("QM1.1", "QM1.2", "QM1.3"):
        verdicts = {e["questions"][question] for e in MANIFEST.values()}
        assert {"fail", "warn", "pass"} <= verdicts, question


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_example_gives_its_expected_result(name: str, run_json: Callable[..., Any]) -> None:
    expected = MANIFEST[name]
    code, data = run_json(str(FOLDER / name))
    [result] = data["files"]
    assert result["profile"] == "wt2023"
    assert result["verdict"] == expected["verdict"]
    assert result["questions"] == expected["questions"]
    assert result["groups"] == expected["groups"]
    assert [f["rule"] for f in result["findings"]] == expected["rules"]
    assert result["facts"].get("delay_working_days") == expected["delay"]
    assert code == (1 if expected["verdict"] in ("fail", "invalid") else 0)


def test_the_quick_start_judges_each_example_by_its_own_profile(run_json: Callable[..., Any]) -> None:
    code, data = run_json(str(EXAMPLES))
    by_path = {f["path"]: f for f in data["files"]}
    assert len(by_path) == len(WT2015) + len(MANIFEST)
    for name, expected in WT2015.items():
        result = by_path[str(EXAMPLES / name)]
        assert (result["verdict"], result["profile"]) == (expected["verdict"], None if expected["verdict"] == "invalid" else "wt2015")
    for name, expected in MANIFEST.items():
        result = by_path[str(FOLDER / name)]
        assert (result["verdict"], result["profile"]) == (expected["verdict"], "wt2023")
        assert [f["rule"] for f in result["findings"]] == expected["rules"]
    assert code == 1
