"""Folders: recursion and excludes, order, the summary table, exit codes, the progress bar."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY

PASS = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
WARN = (EXAMPLES / "05-qm11-warn-thin-rationale.yaml").read_text(encoding="utf-8")
FAIL = (EXAMPLES / "13-qm13-fail-late-unexplained.yaml").read_text(encoding="utf-8")
INVALID = (EXAMPLES / "18-invalid-shape-errors.yaml").read_text(encoding="utf-8")


def tree(root: Path, files: dict[str, str]) -> None:
    # Written in reverse order, so a listing in creation order would come out wrong.
    for name, text in reversed(list(files.items())):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty folder, so that no configuration file of the repository applies."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def paths_checked(run_json: Callable[..., Any], *args: str) -> list[str]:
    _, data = run_json(*args)
    return [f["path"] for f in data["files"]]


# ---------------------------------------------------------------- discovery


def test_recursion_skips_hidden_folders_and_other_files(run_json: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"refs/b.yaml": PASS, "refs/a/z.yml": PASS, "refs/a/y.yaml": PASS, "refs/.git/c.yaml": PASS,
                  "refs/.hidden.yaml": PASS, "refs/notes.md": "# notes", "refs/a.yaml.bak": PASS})
    assert paths_checked(run_json, "refs") == ["refs/a/y.yaml", "refs/a/z.yml", "refs/b.yaml"]


def test_excludes_from_the_command_line(run_json: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"refs/a.yaml": PASS, "refs/drafts/d.yaml": FAIL, "refs/sub/deep/e.yml": PASS,
                  "refs/sub/old-1.yaml": FAIL, "refs/sub/keep.yaml": PASS})
    assert paths_checked(run_json, "refs", "--exclude", "drafts", "--exclude", "old-*.yaml") == [
        "refs/a.yaml", "refs/sub/deep/e.yml", "refs/sub/keep.yaml"]
    assert paths_checked(run_json, "refs", "--exclude", "refs/sub/deep") == [
        "refs/a.yaml", "refs/drafts/d.yaml", "refs/sub/keep.yaml", "refs/sub/old-1.yaml"]


def test_excludes_from_configuration_and_command_line_add_up(run_json: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"refs/a.yaml": PASS, "refs/drafts/d.yaml": FAIL, "refs/old.yaml": FAIL})
    (in_tmp / ".scrqm.yaml").write_text("exclude: [drafts]\n")
    assert paths_checked(run_json, "refs") == ["refs/a.yaml", "refs/old.yaml"]
    assert paths_checked(run_json, "refs", "--exclude", "old.yaml") == ["refs/a.yaml"]


def test_files_and_folders_mixed_keep_argument_order_with_each_folder_sorted(
    run_json: Callable[..., Any], in_tmp: Path
) -> None:
    tree(in_tmp, {"z.yaml": PASS, "dir/b.yaml": PASS, "dir/a.yaml": PASS, "m.yml": PASS})
    # The same file named twice (directly and through its folder) is checked once.
    assert paths_checked(run_json, "z.yaml", "dir", "m.yml", "dir/a.yaml") == [
        "z.yaml", "dir/a.yaml", "dir/b.yaml", "m.yml"]
    # Same command, same order, run after run.
    assert paths_checked(run_json, "z.yaml", "dir", "m.yml") == paths_checked(run_json, "z.yaml", "dir", "m.yml")


def test_a_named_file_is_checked_whatever_its_extension(run_json: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"referral.txt": PASS})
    assert paths_checked(run_json, "referral.txt") == ["referral.txt"]


# ---------------------------------------------------------------- exit codes and summary


MIXED = {"refs/1-pass.yaml": PASS, "refs/2-warn.yaml": WARN, "refs/sub/3-fail.yaml": FAIL,
         "refs/sub/4-invalid.yaml": INVALID}


def test_mixed_folder_gives_summary_table_and_exit_1(run_line: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, MIXED)
    result = run_line("check", "--today", TODAY, "refs")
    assert result.exit_code == 1
    # Table rows have a path and five verdicts; each file's own heading has one.
    tokens = [line.split() for line in result.stdout.splitlines()]
    rows = {t[0]: t[1:] for t in tokens if len(t) == 5 and t[0].startswith("refs/")}
    header = next(line for line in result.stdout.splitlines() if line.startswith("File"))
    assert header.split() == ["File", "QM1.1", "QM1.2", "QM1.3", "Verdict"]
    assert rows == {
        "refs/1-pass.yaml": ["PASS", "PASS", "PASS", "PASS"],
        "refs/2-warn.yaml": ["WARN", "PASS", "PASS", "WARN"],
        "refs/sub/3-fail.yaml": ["PASS", "PASS", "FAIL", "FAIL"],
        "refs/sub/4-invalid.yaml": ["-", "-", "-", "INVALID"],
    }
    assert result.stdout.rstrip().endswith("4 files checked: 1 pass, 1 warn, 1 fail, 1 invalid")


def test_table_has_a_column_for_each_group_that_has_findings(run_line: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"a.yaml": PASS, "b.yaml": (EXAMPLES / "16-privacy-warn-nhs-number.yaml").read_text()})
    result = run_line("check", "--today", TODAY, "a.yaml", "b.yaml")
    header = next(line for line in result.stdout.splitlines() if line.startswith("File"))
    assert header.split() == ["File", "QM1.1", "QM1.2", "QM1.3", "privacy", "Verdict"]
    row = next(line for line in result.stdout.splitlines() if re.match(r"b\.yaml\s+PASS", line))
    assert row.split() == ["b.yaml", "PASS", "PASS", "PASS", "WARN", "WARN"]


def test_one_file_has_no_table(run_line: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {"a.yaml": PASS})
    result = run_line("check", "--today", TODAY, "a.yaml")
    assert "Verdict" not in result.stdout
    assert result.stdout.rstrip().endswith("1 file checked: 1 pass")


def test_table_is_not_folded_when_piped(run_line: Callable[..., Any], in_tmp: Path) -> None:
    long_name = "refs/" + "a-very-long-folder-name-for-a-board/" * 3 + "referral.yaml"
    tree(in_tmp, {long_name: PASS, "refs/b.yaml": WARN})
    result = run_line("check", "--today", TODAY, "refs")
    assert any(line.startswith(long_name) and line.split()[-1] == "PASS" for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("files", "fail_on", "code"),
    [
        ({"a.yaml": PASS, "b.yaml": PASS}, "warn", 0),
        ({"a.yaml": PASS, "b.yaml": WARN}, None, 0),
        ({"a.yaml": PASS, "b.yaml": WARN}, "fail", 0),
        ({"a.yaml": PASS, "b.yaml": WARN}, "warn", 1),
        ({"a.yaml": PASS, "b.yaml": FAIL}, "fail", 1),
        ({"a.yaml": PASS, "b.yaml": INVALID}, "fail", 1),
        ({"a.yaml": WARN, "b.yaml": INVALID}, "warn", 1),
    ],
)
def test_fail_on_for_a_folder(run_line: Callable[..., Any], in_tmp: Path, files: dict[str, str],
                              fail_on: str | None, code: int) -> None:
    tree(in_tmp / "refs", files)
    args = ["check", "--today", TODAY, "refs"] + (["--fail-on", fail_on] if fail_on else [])
    assert run_line(*args).exit_code == code


def test_missing_path_beside_a_folder_exits_2_after_checking_the_folder(
    run_line: Callable[..., Any], in_tmp: Path
) -> None:
    tree(in_tmp, {"refs/a.yaml": PASS, "refs/b.yaml": PASS})
    result = run_line("check", "--today", TODAY, "refs", "nope")
    assert result.exit_code == 2
    assert "2 files checked: 2 pass" in result.stdout


# ---------------------------------------------------------------- progress bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_for_many_files() -> None:
    from scrqm.run.progress import MIN_FILES, wanted

    assert wanted(MIN_FILES + 1, FakeTerminal())
    assert not wanted(MIN_FILES, FakeTerminal())
    assert not wanted(500, io.StringIO())


def test_progress_draws_on_the_stream_it_is_given() -> None:
    from scrqm.run.progress import progress

    terminal = FakeTerminal()
    with progress(25, stream=terminal) as advance:
        for _ in range(25):
            advance()
    assert "checking" in terminal.getvalue() and "25/25" in terminal.getvalue()
    quiet = io.StringIO()
    with progress(25, stream=quiet) as advance:
        advance()
    assert quiet.getvalue() == ""


def test_no_progress_bar_when_standard_error_is_not_a_terminal(run_line: Callable[..., Any], in_tmp: Path) -> None:
    tree(in_tmp, {f"refs/r{n:02}.yaml": PASS for n in range(25)})
    result = run_line("check", "--today", TODAY, "--format", "json", "refs")
    assert result.exit_code == 0 and result.stderr == ""
