"""The command line in plain words: help without Python types, errors a person can act on,
and `-o FILE` that writes the format its name asks for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY, invoke
from scrqm.cli import app
from scrqm.report import REPORTERS

LATE = str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml")
COMMANDS = [["check"], ["patterns"], ["config"], ["new"], ["schema"], ["rules"], ["explain"], ["examples"],
            ["examples", "copy"], []]
PROGRAMMER = re.compile(r"<(bool|str|int|path|list\[|float|int range)|\[x[<>]=|\brange>")


def help_text(args: list[str], columns: int) -> str:
    result = invoke(*args, "--help", env={"COLUMNS": str(columns), "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return str(result.stdout)


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "scrqm")
def test_help_shows_no_python_types(args: list[str], columns: int) -> None:
    text = help_text(args, columns)
    assert not PROGRAMMER.search(text), PROGRAMMER.search(text)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_lists_every_format_whole(columns: int) -> None:
    text = help_text(["check"], columns)
    words = set(re.findall(r"[a-z]+", text))
    assert set(REPORTERS) <= words, set(REPORTERS) - words  # "htm l>" would leave "html" out
    assert "FORMAT" in text and "FILE" in text and "DATE" in text
    assert re.search(r"Usage: scrqm check \[OPTIONS\] PATH\.\.\.", text)


@pytest.mark.parametrize(("args", "said"), [
    (["--fail-on", "info"], "'info' is not a choice here; write fail or warn"),
    (["-f", "htm"], "'htm' is not a choice here; write one of text, json"),
    (["--jobs", "0"], "write a whole number, 1 or more"),
    (["--jobs", "four"], "write a whole number, such as 4"),
])
def test_a_bad_value_is_answered_in_plain_words(args: list[str], said: str) -> None:
    result = invoke("check", *args, LATE, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())
    assert said in message and "Value error" not in message and "Input should" not in message


@pytest.mark.parametrize(("name", "starts"), [
    ("r.html", "<!DOCTYPE html>"), ("r.htm", "<!DOCTYPE html>"), ("r.md", "# SCR Quality Marker 1"),
    ("r.json", '{\n  "scrqm_version"'), ("r.sarif", '{\n  "$schema"'), ("r.sarif.json", '{\n  "$schema"'),
    ("r.xml", '<?xml version="1.0"'), ("r.txt", "examples/13-"), ("r.jsonl", '{"scrqm_version": "1.0.0", "path"'), ("report", "examples/13-"),
])
def test_output_takes_its_format_from_its_name(run_line: Callable[..., Any], tmp_path: Path, name: str,
                                               starts: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    out = tmp_path / name
    result = run_line("check", "-q", "--today", TODAY, "-o", str(out), "examples/13-qm13-fail-late-unexplained.yaml")
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8").startswith(starts)


def test_an_explicit_format_wins_over_the_name(run_line: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run_line("check", "-q", "-f", "json", "--today", TODAY, "-o", str(out), LATE)
    assert json.loads(out.read_text(encoding="utf-8"))["files"][0]["verdict"] == "fail"


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "r.yaml.bak"])
def test_an_output_name_that_names_no_format_is_refused_before_checking(run_line: Callable[..., Any],
                                                                        tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = run_line("check", "--today", TODAY, "-o", str(out), LATE)
    assert result.exit_code == 2 and not out.exists()
    assert result.stdout == ""  # refused before any file was checked
    suffix = Path(name).suffix
    assert result.stderr == (f"scrqm: error: {out}: scrqm writes no report as {suffix}; end the name with .html, "
                             ".md, .json, .jsonl, .sarif, .xml (JUnit) or .txt, or choose the format with -f\n")


# ----------------------------------------------------------------- --redact, --teach, examples, config

def test_redact_keeps_the_meaning_and_hides_only_the_referrals_words(run_line: Callable[..., Any]) -> None:
    target = str(EXAMPLES / "09-qm12-fail-other-reason-placeholder.yaml")
    plain = run_line("check", "--today", TODAY, target).stdout
    redacted = run_line("check", "--redact", "--today", TODAY, target).stdout
    assert "`criteria.other_reason` is a placeholder ('See attached.');" in plain
    assert "`criteria.other_reason` is a placeholder; the referral must say why" in redacted
    assert "See attached" not in redacted and "[redacted]" not in redacted


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_teach_labels_what_helps_as_helping_and_does_not_repeat_the_question(run_line: Callable[..., Any],
                                                                            fmt: str) -> None:
    out = run_line("check", "--teach", "-f", fmt, "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml")).stdout
    assert "Common obstacle" not in out and "obstacle (" not in out
    assert "marker's prompt:" not in out.replace("&#x27;", "'") and "The marker's prompt" not in out
    assert "What helps (paraphrased from the marker" in out.replace("&#x27;", "'")


def test_examples_points_to_a_walk_through_a_user_can_open(run_line: Callable[..., Any]) -> None:
    listing = run_line("examples").stdout
    assert "site-packages" not in listing and "README.md" not in listing and "/" + "examples" not in listing
    assert listing.rstrip().endswith("The walk-through, weakest to exemplary: scrqm examples walk-through")
    walk = run_line("examples", "walk-through")
    assert walk.exit_code == 0 and walk.stdout.startswith("# The teaching gallery\n")
    assert walk.stdout == (EXAMPLES / "README.md").read_text(encoding="utf-8")


def test_config_lists_the_thresholds_of_every_profile(run_line: Callable[..., Any], tmp_path: Path) -> None:
    shown = run_line("config", "--isolated").stdout
    assert "thresholds.late_after_working_days: 5  # rule pack\n" in shown
    assert "thresholds.notification_working_days: 5  # rule pack; profile wt2023, for referrals that name it\n" in shown
    assert "thresholds.rapid_review_working_days: 15  # rule pack; profile wt2023, for referrals that name it\n" in shown
    board = tmp_path / "board.yaml"
    board.write_text("thresholds: {notification_working_days: 3}\n", encoding="utf-8")
    configured = run_line("config", "--config", str(board)).stdout
    assert f"thresholds.notification_working_days: 3  # {board}; profile wt2023, for referrals that name it\n" in configured


# ----------------------------------------------------------------- wrapping on a terminal

class _Terminal:
    """A stream that says it is a terminal, as a shell's would."""

    def __init__(self) -> None:
        import io

        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_wrapping_keeps_the_reports_indentation(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.report.text import TextReporter
    from scrqm.run.session import CheckOptions, effective_config, prepare
    from scrqm.pipeline import check_file
    from scrqm.report import Run
    import dataclasses
    import datetime as dt

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    ruleset, settings = prepare(effective_config(CheckOptions(paths=[], isolated=True)))
    settings = dataclasses.replace(settings, today=dt.date(2026, 11, 26))
    names = ["13-qm13-fail-late-unexplained.yaml", "10-qm12-warn-harm-without-concerns.yaml"]
    results = [check_file(EXAMPLES / n, display=f"examples/{n}", ruleset=ruleset, settings=settings) for n in names]
    terminal = _Terminal()
    TextReporter().render(Run(results, ruleset, teach=True), terminal)  # type: ignore[arg-type]
    lines = re.sub(r"\x1b\[[0-9;]*m", "", terminal.buffer.getvalue()).splitlines()  # bold, even with NO_COLOR
    assert max(len(line) for line in lines) <= columns
    kind = None
    checked = 0
    for line in lines:
        if re.match(r"^  (PASS|WARN|FAIL|INVALID)  ", line):
            kind, indent = "block", len(re.match(r"^  \w+  ", line).group(0))  # type: ignore[union-attr]
        elif re.match(r"^    \d+:\d+ +(fail|warn|info) {2}", line):
            kind, indent = "finding", 18
        elif line.startswith(" " * 17 + "→ "):
            kind, indent = "fix", 19
        elif re.match(r"^ {9}(What to look for|What helps)", line):
            kind, indent = "teaching", 9
        elif not line.strip() or not line.startswith(" "):
            kind = None  # a heading, a blank line, the table or the summary
        else:
            # A continuation line: it starts under the text of the line it continues.
            assert kind is not None, line
            assert line.startswith(" " * indent) and line[indent] != " ", (kind, indent, line)
            checked += 1
    assert checked > 3  # the narrow widths really wrapped something
