"""A board's own pack, in a directory outside the package, adds rules to a run.

The packs are the ones docs/board-packs.md shows, read from the page itself,
so the worked example cannot drift from what works.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD as GOOD_2015, GOOD_2023, ROOT, TODAY
from scrqm.packs.loader import rules_root

PAGE = (ROOT / "docs" / "board-packs.md").read_text(encoding="utf-8")
PACKS = [block for block in re.findall(r"```yaml\n(.*?)```", PAGE, re.S) if block.startswith("pack:")]


def _board(tmp_path: Path, *texts: str) -> Path:
    folder = tmp_path / "scrqm-rules"
    folder.mkdir()
    for index, text in enumerate(texts):
        (folder / f"pack{index}.yaml").write_text(text, encoding="utf-8")
    return folder


def _without(path: Path, line: str, tmp_path: Path) -> Path:
    text = path.read_text(encoding="utf-8")
    assert line in text
    out = tmp_path / path.name
    out.write_text(text.replace(line, ""), encoding="utf-8")
    return out


def _shipped_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(rules_root().rglob("*")):
        digest.update(path.as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_page_shows_two_packs() -> None:
    assert len(PACKS) == 2


def test_board_rule_fires_from_the_command_line(run_json: Callable[..., Any], tmp_path: Path) -> None:
    before = _shipped_digest()
    folder = _board(tmp_path, PACKS[0])
    referral = _without(GOOD_2015, "  known_to_social_care: true\n", tmp_path)
    code, data = run_json("--rules", str(folder), str(referral), str(GOOD_2015))
    lacking, stating = data["files"]
    [finding] = lacking["findings"]
    assert (finding["rule"], finding["group"], finding["severity"]) == ("NS-known-to-social-care", "local", "warn")
    # `near: child` points into the child's block when the field itself is not written.
    child_line = referral.read_text(encoding="utf-8").splitlines().index("child:") + 1
    assert finding["line"] in (child_line, child_line + 1)
    assert lacking["groups"] == {"local": "warn"} and lacking["verdict"] == "warn"
    assert stating["findings"] == [] and code == 0
    assert _shipped_digest() == before


def test_without_the_board_pack_nothing_is_said(run_json: Callable[..., Any], tmp_path: Path) -> None:
    referral = _without(GOOD_2015, "  known_to_social_care: true\n", tmp_path)
    _, data = run_json(str(referral))
    assert data["files"][0]["findings"] == []


def test_board_rule_fires_from_the_configuration(run_line: Callable[..., Any], tmp_path: Path) -> None:
    _board(tmp_path, PACKS[0])
    config = tmp_path / ".scrqm.yaml"
    config.write_text("rules:\n  - scrqm-rules\n", encoding="utf-8")
    referral = _without(GOOD_2023, "  known_to_social_care: true\n", tmp_path)
    result = run_line("check", "--config", str(config), "--today", TODAY, "--format", "json", str(referral))
    [file] = json.loads(result.stdout)["files"]
    # The pack names no profile to apply to, so it joins the wt2023 run that the referral asks for.
    assert file["profile"] == "wt2023"
    assert [f["rule"] for f in file["findings"]] == ["NS-known-to-social-care"]


def test_applies_to_limits_a_pack_to_its_profiles(run_json: Callable[..., Any], tmp_path: Path) -> None:
    folder = _board(tmp_path, PACKS[1])
    minutes = "  - type: meeting_minutes\n    title: Rapid review meeting minutes\n    date: 2024-03-22\n"
    new = _without(GOOD_2023, minutes, tmp_path)
    old = tmp_path / "old.yaml"
    old.write_text("profile: wt2015\n" + new.read_text(encoding="utf-8").replace("profile: wt2023\n", ""),
                   encoding="utf-8")
    _, data = run_json("--rules", str(folder), str(new), str(old))
    rules = {Path(f["path"]).name: [x["rule"] for x in f["findings"]] for f in data["files"]}
    assert rules["01-exemplary-death.yaml"] == ["NS-rapid-review-minutes"]
    assert "NS-rapid-review-minutes" not in rules["old.yaml"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("child.known_to_social_care,", "child.known_to_social_cares,",
         r"pack0\.yaml:\d+:\d+: rule NS-known-to-social-care: `child.known_to_social_cares` is not a field"
         r".*did you mean `child.known_to_social_care`"),
        ("check: missing", "check: absent", r"pack0\.yaml:\d+:\d+: rule pack: .*unknown check function `absent`"),
        ("severity: warn", "severity: high", r"pack0\.yaml:\d+:\d+: rule pack: .*severity"),
        ("{state}", "{words}", r"pack0\.yaml:\d+:\d+: rule NS-known-to-social-care: the message uses \{words\}"),
        ("group: local ", "group: local\n    question: QM1.1 ", r"pack0\.yaml:\d+:\d+: rule pack: .*exactly one of"),
        ("rules:\n", "rules:\n  - [\n", r"pack0\.yaml:\d+:\d+: rule pack: YAML syntax error"),
    ],
)
def test_a_malformed_board_pack_is_exit_2_with_file_and_line(
    run_line: Callable[..., Any], tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in PACKS[0]
    folder = _board(tmp_path, PACKS[0].replace(old, new, 1))
    result = run_line("check", "--rules", str(folder), "--today", TODAY, str(GOOD_2015))
    assert result.exit_code == 2
    assert re.search(expected, result.stderr), result.stderr
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr


def test_a_board_rule_id_that_clashes_with_a_shipped_one_is_refused(run_line: Callable[..., Any],
                                                                   tmp_path: Path) -> None:
    folder = _board(tmp_path, PACKS[0].replace("NS-known-to-social-care", "QM1.1-rationale-missing"))
    result = run_line("check", "--rules", str(folder), str(GOOD_2015))
    assert result.exit_code == 2 and "defined twice" in result.stderr


def test_the_page_shows_the_report_the_example_gives(run_line: Callable[..., Any], tmp_path: Path) -> None:
    folder = _board(tmp_path, PACKS[0])
    referral = _without(GOOD_2015, "  known_to_social_care: true\n", tmp_path)
    result = run_line("check", "--rules", str(folder), "--today", TODAY, str(referral))
    block = re.search(r"```text\n(  WARN  local.*?)```", PAGE, re.S)
    assert block is not None
    shown = [line.split("  [")[0].split()[2:] for line in block[1].splitlines()[1:2]]
    got = [line for line in result.stdout.splitlines() if "NS-known-to-social-care" in line]
    assert got and shown[0] == got[0].split("  [")[0].split()[2:]


def test_the_page_lists_every_registered_check() -> None:
    from scrqm.check.functions import CHECKS

    for name in CHECKS:
        assert f"| `{name}` |" in PAGE, name
