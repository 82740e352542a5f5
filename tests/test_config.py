"""Configuration: one test per pair of sources for precedence, and errors that name file and line.

Every test works in its own empty folder (monkeypatch.chdir), so the
repository's own files never take part.  Each asserts something observable:
an exit code, a finding present or absent, or the source column of
`scrqm config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY

# Thin rationale: 40 words, so QM1.1-rationale-brief warns; nothing fails.
WARN = (EXAMPLES / "05-qm11-warn-thin-rationale.yaml").read_text(encoding="utf-8")
PYPROJECT_HEAD = '[project]\nname = "board"\n\n[tool.scrqm]\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text(WARN, encoding="utf-8")
    return tmp_path


def check_code(run_line: Callable[..., Any], *args: str) -> int:
    result = run_line("check", "--today", TODAY, *args)
    assert result.exit_code in (0, 1), result.output
    return int(result.exit_code)


def config_line(run_line: Callable[..., Any], key: str, *args: str) -> str:
    """The `key: value  # source` line of `scrqm config`."""
    result = run_line("config", *args)
    assert result.exit_code == 0, result.output
    return next(line for line in result.stdout.splitlines() if line.startswith(f"{key}: "))


def rules_found(run_json: Callable[..., Any], *args: str) -> set[str]:
    _, data = run_json(*args)
    return {f["rule"] for f in data["files"][0]["findings"]}


# ---------------------------------------------------------------- precedence, pair by pair


def test_default_then_file(run_line: Callable[..., Any], folder: Path) -> None:
    assert check_code(run_line, "r.yaml") == 0
    assert config_line(run_line, "fail-on") == 'fail-on: "fail"  # default'
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    assert check_code(run_line, "r.yaml") == 1
    assert config_line(run_line, "fail-on") == f'fail-on: "warn"  # {folder / ".scrqm.yaml"}'


def test_file_then_command_line(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    assert check_code(run_line, "r.yaml") == 1
    assert check_code(run_line, "--fail-on", "fail", "r.yaml") == 0


def test_default_then_command_line(run_line: Callable[..., Any], folder: Path) -> None:
    assert check_code(run_line, "r.yaml") == 0
    assert check_code(run_line, "--fail-on", "warn", "r.yaml") == 1


def test_threshold_default_then_file(run_json: Callable[..., Any], run_line: Callable[..., Any],
                                     folder: Path) -> None:
    assert "QM1.1-rationale-brief" in rules_found(run_json, "r.yaml")
    assert config_line(run_line, "thresholds.rationale_good_words") == "thresholds.rationale_good_words: 50  # rule pack"
    (folder / ".scrqm.yaml").write_text("thresholds:\n  rationale_good_words: 30\n")
    assert "QM1.1-rationale-brief" not in rules_found(run_json, "r.yaml")
    assert config_line(run_line, "thresholds.rationale_good_words") == (
        f"thresholds.rationale_good_words: 30  # {folder / '.scrqm.yaml'}")


def test_ignore_in_file_and_on_command_line_add_up(run_json: Callable[..., Any], folder: Path) -> None:
    (folder / "r.yaml").write_text(WARN.replace("urgent_risks:", "urgent_risks:\n  - risk: A sibling at home.", 1))
    assert {"QM1.1-rationale-brief", "practice-urgent-risk-no-action"} <= rules_found(run_json, "r.yaml")
    (folder / ".scrqm.yaml").write_text("ignore: [QM1.1-rationale-brief]\n")
    found = rules_found(run_json, "--ignore", "practice", "r.yaml")
    assert "QM1.1-rationale-brief" not in found and "practice-urgent-risk-no-action" not in found


def test_select_on_command_line_replaces_select_in_file(run_json: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yaml").write_text("select: [QM1.3]\n")
    assert "QM1.1-rationale-brief" not in rules_found(run_json, "r.yaml")
    assert "QM1.1-rationale-brief" in rules_found(run_json, "--select", "QM1.1", "r.yaml")


def test_scrqm_yaml_before_pyproject_in_the_same_folder(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / "pyproject.toml").write_text(PYPROJECT_HEAD + 'fail-on = "fail"\n')
    assert check_code(run_line, "r.yaml") == 0
    assert config_line(run_line, "fail-on").endswith(f"# {folder / 'pyproject.toml'}")
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    assert check_code(run_line, "r.yaml") == 1
    assert config_line(run_line, "fail-on").endswith(f"# {folder / '.scrqm.yaml'}")


def test_scrqm_yaml_before_scrqm_yml(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yml").write_text("fail-on: fail\n")
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    assert check_code(run_line, "r.yaml") == 1


def test_pyproject_without_a_scrqm_table_is_passed_over(run_line: Callable[..., Any], folder: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "pyproject.toml").write_text('[project]\nname = "other"\n')
    monkeypatch.chdir(folder / "sub")
    assert check_code(run_line, "../r.yaml") == 1


def test_nearer_folder_before_farther(run_line: Callable[..., Any], folder: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    (folder / "sub").mkdir()
    monkeypatch.chdir(folder / "sub")
    assert check_code(run_line, "../r.yaml") == 1
    (folder / "sub" / "pyproject.toml").write_text(PYPROJECT_HEAD + 'fail-on = "fail"\n')
    assert check_code(run_line, "../r.yaml") == 0
    assert config_line(run_line, "fail-on").endswith(f"# {folder / 'sub' / 'pyproject.toml'}")


def test_config_option_before_discovered_file(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    (folder / "ci.yaml").write_text("fail-on: fail\n")
    assert check_code(run_line, "--config", "ci.yaml", "r.yaml") == 0
    assert config_line(run_line, "fail-on", "--config", "ci.yaml") == 'fail-on: "fail"  # ci.yaml'


def test_isolated_ignores_discovered_file(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: warn\n")
    assert check_code(run_line, "--isolated", "r.yaml") == 0
    result = run_line("config", "--isolated")
    assert result.stdout.splitlines()[0] == "# configuration file: none"
    assert config_line(run_line, "fail-on", "--isolated") == 'fail-on: "fail"  # default'


def test_isolated_keeps_command_line_options(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / ".scrqm.yaml").write_text("fail-on: fail\n")
    assert check_code(run_line, "--isolated", "--fail-on", "warn", "r.yaml") == 1


def test_per_path_override_applies_only_under_its_glob(run_json: Callable[..., Any], folder: Path) -> None:
    (folder / "archive").mkdir()
    (folder / "archive" / "old.yaml").write_text(WARN)
    (folder / ".scrqm.yaml").write_text(
        "fail-on: warn\nper-path:\n  - paths: ['archive/**']\n    ignore: [QM1.1-rationale-brief]\n")
    code, data = run_json("archive", "r.yaml")
    by_path = {f["path"]: {x["rule"] for x in f["findings"]} for f in data["files"]}
    assert "QM1.1-rationale-brief" not in by_path["archive/old.yaml"]
    assert "QM1.1-rationale-brief" in by_path["r.yaml"]
    assert code == 1


def test_learning_priorities_from_file_reach_qm12(run_json: Callable[..., Any], folder: Path) -> None:
    learning = (EXAMPLES / "02-exemplary-learning.yaml").read_text(encoding="utf-8")
    (folder / "l.yaml").write_text(learning)
    assert "QM1.2-unknown-learning-priority" not in rules_found(run_json, "l.yaml")
    (folder / ".scrqm.yaml").write_text("learning-priorities:\n  LP9: Something else entirely\n")
    assert "QM1.2-unknown-learning-priority" in rules_found(run_json, "l.yaml")


# ---------------------------------------------------------------- errors: exit 2, file and line


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (".scrqm.yaml", "profile: wt2015\nfail_onn: warn\n",
         ".scrqm.yaml:2:1: unknown key `fail-onn`; did you mean `fail-on`?"),
        (".scrqm.yaml", "thresholds:\n  rationale_min_words: many\n",
         ".scrqm.yaml:2:3: `thresholds.rationale_min_words`: Input should be a valid integer"),
        (".scrqm.yaml", "fail-on: [warn\n", ".scrqm.yaml:2:1: YAML syntax error"),
        (".scrqm.yaml", "per-path:\n  - paths: ['*']\n    severity:\n      QM1.1-rationale-brief: fatal\n",
         ".scrqm.yaml:4:7: `per-path.0.severity.QM1.1-rationale-brief`: Input should be 'fail', 'warn' or 'info'"),
        (".scrqm.yaml", "ignore:\n  - QM1.3\n  - QM1.1-rationale-brif\n",
         ".scrqm.yaml:3:5: `ignore`: QM1.1-rationale-brif names no rule, question or group of profile wt2015; "
         "did you mean `QM1.1-rationale-brief`?"),
        (".scrqm.yaml", "per-path:\n  - paths: ['*']\n    severity: {waivers-unusd: warn}\n",
         "did you mean `waivers-unused`?"),
        ("pyproject.toml", PYPROJECT_HEAD + "fail-on = \n", "pyproject.toml:5:11: TOML syntax error"),
        ("pyproject.toml", PYPROJECT_HEAD + 'profile = "wt2015"\nfail-on = 3\n',
         "pyproject.toml:6:1: `fail-on`: Input should be 'fail' or 'warn'"),
        ("pyproject.toml", PYPROJECT_HEAD + 'profile = "wt2015"\nignore = ["nope"]\n',
         "pyproject.toml:6:1: `ignore`: nope names no rule"),
        ("pyproject.toml", PYPROJECT_HEAD + '[tool.scrqm.limits]\nmax-deth = 3\n',
         "pyproject.toml:6:1: unknown key `limits.max-deth`"),
        ("pyproject.toml", PYPROJECT_HEAD + '[[tool.scrqm.per-path]]\npaths = ["a/*"]\n'
         'severity = {QM1.1-rationale-brief = "warn"}\n',
         'pyproject.toml:7:1: `per-path.0.severity.QM1`: Input should be \'fail\', \'warn\' or \'info\'; '
         'in TOML, quote a rule id that has dots in it'),
    ],
    ids=["unknown-key", "wrong-type", "bad-yaml", "bad-per-path-severity", "unknown-rule-in-ignore",
         "unknown-rule-in-per-path", "bad-toml", "toml-wrong-type", "toml-unknown-rule", "toml-nested-unknown",
         "toml-dotted-rule-id"],
)
def test_config_errors_exit_2_naming_file_and_line(run_line: Callable[..., Any], folder: Path,
                                                   name: str, text: str, expected: str) -> None:
    (folder / name).write_text(text)
    for command in (["check", "--today", TODAY, "r.yaml"], ["config"]):
        result = run_line(*command)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith(f"scrqm: error: {folder / name}:")
        assert expected in result.stderr.strip(), result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr


def test_missing_config_option_file_exits_2(run_line: Callable[..., Any], folder: Path) -> None:
    result = run_line("check", "--config", "nope.yaml", "r.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == "scrqm: error: nope.yaml: configuration file not found"


def test_unknown_rule_on_command_line_names_the_command_line(run_line: Callable[..., Any], folder: Path) -> None:
    result = run_line("check", "--isolated", "--ignore", "QM1.1-nope", "r.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("scrqm: error: command line: `ignore`: QM1.1-nope names no rule")


def test_documented_examples_load_and_agree(run_line: Callable[..., Any], folder: Path) -> None:
    """docs/configuration.md's .scrqm.yaml and [tool.scrqm] examples are valid and mean the same."""
    import re

    from conftest import ROOT

    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    yaml_block = re.search(r"## Example `\.scrqm\.yaml`\n\n```yaml\n(.*?)```", page, re.S)
    toml_block = re.search(r"```toml\n(.*?)```", page, re.S)
    assert yaml_block and toml_block
    (folder / "board.yaml").write_text(yaml_block[1])
    (folder / "board.toml").write_text(toml_block[1])
    shown = []
    for name in ("board.yaml", "board.toml"):
        result = run_line("config", "--config", name)
        assert result.exit_code == 0, result.output
        shown.append([line.split("  # ")[0] for line in result.stdout.splitlines()[1:]])
    assert shown[0] == shown[1]
    assert "thresholds.late_after_working_days: 3" in shown[0]


def test_the_cache_key_reads_a_configuration_as_pydantic_dumps_it() -> None:
    """`settings_of` (no serializer built) gives `model_dump(mode="json")` for any configuration."""
    from scrqm.config import Config, settings_of

    written = Config.model_validate({
        "profile": "wt2015", "fail-on": "warn", "thresholds": {"a": 3}, "glossary": ["LSCB"],
        "per-path": [{"paths": ["x/**"], "ignore": ["QM1.1-*"], "severity": {"a": "info"}}],
        "limits": {"max-depth": 9}, "vocabularies": {"v": ["w"]}, "jobs": 2, "redact": True,
    })
    for config in (written, Config(), Config.model_construct()):
        assert settings_of(config, exclude={"jobs"}) == config.model_dump(mode="json", exclude={"jobs"})
    assert settings_of(written)["per_path"] == [{"paths": ["x/**"], "ignore": ["QM1.1-*"], "severity": {"a": "info"}}]


def test_the_default_configuration_builds_no_validator() -> None:
    """A run without a configuration file never validates one, so the models stay unbuilt (start-up)."""
    import subprocess
    import sys

    code = ("from scrqm.config import Config, LoadedConfig, settings_of; "
            "settings_of(LoadedConfig().config, exclude={'jobs'}); print(Config.__pydantic_complete__)")
    # A fresh interpreter: in this one, another test may have validated a configuration already.
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
