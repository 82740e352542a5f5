"""`scrqm rules`, `scrqm explain`, `scrqm examples` and teach mode."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, ROOT, TODAY
from scrqm.packs.loader import RuleSet

# From NSPCC/SCIE (2016) SCR Quality Markers, Quality Marker 1: the texts teach
# mode must quote exactly, and the obstacles it must paraphrase, not copy.
STATEMENT = ("the case is referred for Serious Case Review (SCR) consideration with an appropriate rationale "
             "and in a timely manner")
PROMPTS = [
    "Is the rationale for the referral clear, and supported by adequate information?",
    "Does the referral state explicitly whether the case met the statutory criteria, or if it was referred "
    "for another reason?",
    "Are there explanations for any delays in the referral?",
]
OBSTACLES = [
    "Where LSCBs have previously gained useful learning from SCRs they are more likely to refer cases for "
    "potential review.",
    "Where the local learning and improvement framework and priorities are well publicised, agencies will be "
    "more inclined to think about referring cases for reasons other than the statutory criteria.",
    "The clearer and more widely understood are the LSCB expectations regarding the various reasons a case "
    "could or should be referred for SCR, the greater the likelihood that appropriate cases will actually be "
    "referred, and in a clear and timely manner.",
]
# The project's seed copy of the marker, where this checkout sits beside it.
SEEDS = [p / "shared" / "seed" / "000_b54fcc680edec32c.txt" for p in ROOT.parents]


def test_rules_lists_every_rule_in_force(run_line: Callable[..., Any], ruleset: RuleSet) -> None:
    result = run_line("rules")
    assert result.exit_code == 0
    rows = [line.split()[0] for line in result.stdout.splitlines()[2:] if line.strip() and not line.startswith(" ")]
    assert rows[: len(ruleset.rules)] == [r.id for r in ruleset.rules]
    assert "QM1.3-delay-unexplained               QM1.3           fail      Late referral with no explanation" in result.stdout


def test_rules_as_json_honours_select(run_line: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / ".scrqm.yaml"
    config.write_text("select: [QM1.3]\n", encoding="utf-8")
    result = run_line("rules", "--format", "json", "--config", str(config))
    data = json.loads(result.stdout)
    assert data["profile"] == "wt2015"
    assert {r["question"] for r in data["rules"]} == {"QM1.3"}
    assert all(r["why"] and r["fix"] and r["severity"] in ("fail", "warn", "info") for r in data["rules"])


def test_every_shipped_rule_says_why(ruleset: RuleSet) -> None:
    assert [r.id for r in ruleset.rules if not r.definition.why] == []


def test_explain_rule(run_line: Callable[..., Any]) -> None:
    result = run_line("explain", "QM1.2-met-no-concerns")
    out = result.stdout
    assert result.exit_code == 0
    assert out.startswith("QM1.2-met-no-concerns  (question QM1.2, severity warn)\n")
    assert "regulation 5(2)(b)(ii)" in out and "NSPCC/SCIE (2016)" in out
    passing = out.split("A referral that passes this rule")[1].split("A referral that gives this finding")[0]
    failing = out.split("A referral that gives this finding:")[1].split("Sources:")[0]
    assert "working_together_concerns:" in passing and "working_together_concerns" not in failing
    assert "How to fix it:" in out


def test_explained_examples_really_pass_and_fail(run_line: Callable[..., Any], ruleset: RuleSet) -> None:
    """The YAML `scrqm explain` prints, read back, gives (or does not give) the rule's finding."""
    from ruamel.yaml import YAML

    from scrqm.teach.packtests import check_example

    for rule in ruleset.rules:
        out = run_line("explain", rule.id).stdout
        assert "Warning" not in out, rule.id
        for heading, expect_hit in (("passes this rule", False), ("gives this finding", True)):
            assert heading in out, rule.id
            block = out.split(heading)[1].split(":\n", 1)[1].split("\n\n")[0]
            data = YAML(typ="safe", pure=True).load("\n".join(line[2:] for line in block.splitlines()))
            found = [f.rule for f in check_example(ruleset, rule, data).findings]
            assert (rule.id in found) is expect_hit, (rule.id, heading, found)


def test_explain_question_and_group(run_line: Callable[..., Any]) -> None:
    out = run_line("explain", "qm1.3").stdout
    assert out.startswith("QM1.3  Are there explanations for any delays in the referral?\n")
    assert "QM1.3-delay-unexplained" in out and "QM1.1-rationale-missing" not in out
    assert "privacy-identifier" in run_line("explain", "privacy").stdout


def test_explain_unknown_id_suggests(run_line: Callable[..., Any]) -> None:
    result = run_line("explain", "QM1.3-delay-unexplaned")
    assert result.exit_code == 2
    assert "did you mean QM1.3-delay-unexplained" in result.stderr
    assert run_line("explain", "zzz").stderr.endswith("(`scrqm rules` lists them all)\n")


def test_text_report_points_to_explain(run_line: Callable[..., Any]) -> None:
    out = run_line("check", "--today", TODAY, str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml")).stdout
    assert "\nWhy a rule matters and how to write the answer: scrqm explain QM1.3-delay-unexplained\n" in out
    clean = run_line("check", "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml")).stdout
    assert "scrqm explain" not in clean


# ----------------------------------------------------------------- teach mode

@pytest.mark.skipif(not any(p.exists() for p in SEEDS), reason="the marker's seed text is not beside this checkout")
def test_quoted_texts_are_the_markers_own() -> None:
    seed = " ".join(next(p for p in SEEDS if p.exists()).read_text(encoding="utf-8").split())
    for text in [STATEMENT, *PROMPTS, *OBSTACLES]:
        assert text in seed


def test_teach_quotes_the_markers_prompts_and_statement_exactly(run_line: Callable[..., Any]) -> None:
    out = run_line("check", "--teach", "--today", TODAY, str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml")).stdout
    # Each prompt is the title of its question's block, exactly as the marker words it, and said once:
    # the statement's note attributes them, so teach mode does not repeat them as "The marker's prompt".
    for prompt in PROMPTS:
        assert out.count(prompt) == 1 and re.search(rf"^  (PASS|WARN|FAIL)  QM1\.\d  {re.escape(prompt)}$", out, re.M)
    assert f'Quality statement: "{STATEMENT}" (NSPCC/SCIE (2016) SCR Quality Markers' in out
    assert "one of the marker's prompts, \"How might you know if you are meeting this quality marker?\"" in out
    assert "marker's prompt:" not in out


def test_teach_paraphrases_the_obstacles_rather_than_quoting_them(run_line: Callable[..., Any]) -> None:
    out = " ".join(run_line("check", "--teach", "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml")).stdout.split())
    # The marker's "common obstacles" are things that help: labelled so, never as obstacles.
    assert out.count("What helps (paraphrased from the marker's notes on common obstacles):") == 4
    assert "Common obstacle" not in out
    for bullet in OBSTACLES:
        words = bullet.split()
        # No run of six words is copied from the marker.
        assert not any(" ".join(words[i:i + 6]) in out for i in range(len(words) - 5)), bullet


def test_without_teach_no_teaching(run_line: Callable[..., Any]) -> None:
    out = run_line("check", "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml")).stdout
    assert "marker's prompt" not in out and "Quality statement" not in out


# ----------------------------------------------------------------- the gallery

MANIFEST = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))["examples"]


def test_examples_lists_every_example_with_its_expected_verdict(run_line: Callable[..., Any]) -> None:
    out = run_line("examples").stdout
    for name, expected in MANIFEST.items():
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert line.split()[1] == expected["verdict"].upper()


def test_examples_copy_never_overwrites(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("examples", "copy", "13", str(tmp_path))
    target = tmp_path / "13-qm13-fail-late-unexplained.yaml"
    assert result.exit_code == 0
    assert target.read_bytes() == (EXAMPLES / target.name).read_bytes()
    target.write_text("my practice edits\n", encoding="utf-8")
    again = run_line("examples", "copy", "13-qm13-fail-late-unexplained.yaml", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert target.read_text(encoding="utf-8") == "my practice edits\n"


def test_examples_copy_unknown_name(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("examples", "copy", "13-late-unexplained", str(tmp_path))
    assert result.exit_code == 2 and "13-qm13-fail-late-unexplained.yaml?" in result.stderr
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    assert run_line("examples", "copy", "01", str(tmp_path / "a-file")).exit_code == 2
    assert run_line("examples", "copy", "1", str(tmp_path)).exit_code == 0
    assert (tmp_path / "01-exemplary-death.yaml").exists()


def test_gallery_readme_walks_through_every_example() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    positions = {name: readme.find(f"**`{name}`**") for name in MANIFEST}
    assert all(p >= 0 for p in positions.values()), [n for n, p in positions.items() if p < 0]
    # Weak to exemplary: the exemplary death referral comes last, the invalid file first.
    order = sorted(positions, key=positions.get)  # type: ignore[arg-type]
    assert order[0] == "18-invalid-shape-errors.yaml" and order[-1] == "01-exemplary-death.yaml"


def test_invalid_files_point_to_explain_shape(run_line: Callable[..., Any]) -> None:
    out = run_line("check", "--today", TODAY, str(EXAMPLES / "18-invalid-shape-errors.yaml")).stdout
    assert "scrqm explain shape\n" in out
    explained = run_line("explain", "shape")
    assert explained.exit_code == 0 and "YYYY-MM-DD" in explained.stdout


def test_unindented_block_text_names_the_line_it_starts_on(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("format: scrqm/referral@1\nrationale: >\nChild M was hurt\nand more text\n\ncriteria:\n  statutory: met\n",
                    encoding="utf-8")
    out = run_line("check", "--today", TODAY, str(path)).stdout
    assert "3:1" in out and "the text on line 3 is not indented under `rationale:`" in out
    assert "→ indent this text under `rationale:`, two spaces further in" in out
