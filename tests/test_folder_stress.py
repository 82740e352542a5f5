"""Folders under stress: what cannot be read is reported on its own line, the rest is checked.

Exit-code policy (docs/reliability.md): a file that cannot be read is an
`invalid` result with an `io` finding, and the run exits 2 (an I/O error),
even when other files fail; a path argument that does not exist, or a folder
that cannot be listed, is one `scrqm: error:` line on standard error, exit 2.
Everything else found is still checked and reported.

Tests run as root in CI, where chmod 000 does not stop a read: unreadable
files are made by raising PermissionError from the open call for one path,
which is what the kernel would do for another user.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY



@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "referrals"
    root.mkdir()
    shutil.copy(GOOD, root / "a-good.yaml")
    shutil.copy(GOOD, root / "z-good.yaml")
    return root


def json_run(run_line: Callable[..., Any], *paths: Path | str) -> tuple[int, dict[str, dict[str, Any]], str]:
    result = run_line("check", "--format", "json", "--isolated", "--today", TODAY, *map(str, paths))
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    return result.exit_code, files, result.stderr


def io_message(file: dict[str, Any]) -> str:
    assert file["verdict"] == "invalid"
    [finding] = file["findings"]
    assert finding["group"] == "io" and finding["fix"]
    return str(finding["message"])


def assert_good_still_checked(files: dict[str, dict[str, Any]]) -> None:
    assert files["a-good.yaml"]["verdict"] == "pass"
    assert files["z-good.yaml"]["verdict"] == "pass"


def test_broken_symlink(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / "m-broken.yaml").symlink_to(folder / "gone.yaml")
    code, files, stderr = json_run(run_line, folder)
    assert code == 2 and stderr == ""
    assert io_message(files["m-broken.yaml"]) == (
        f"cannot read the file: it is a symbolic link to '{folder / 'gone.yaml'}', which does not exist"
    )
    assert_good_still_checked(files)


def test_symlink_loop(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / "m-loop.yaml").symlink_to(folder / "m-loop2.yaml")
    (folder / "m-loop2.yaml").symlink_to(folder / "m-loop.yaml")
    code, files, _ = json_run(run_line, folder)
    assert code == 2
    assert "symbolic link that points back to itself" in io_message(files["m-loop.yaml"])
    assert "symbolic link that points back to itself" in io_message(files["m-loop2.yaml"])
    assert_good_still_checked(files)


def test_symlink_to_a_folder_is_not_followed(run_line: Callable[..., Any], folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "loop.yaml").symlink_to(folder, target_is_directory=True)
    code, files, _ = json_run(run_line, folder)
    assert code == 0 and sorted(files) == ["a-good.yaml", "z-good.yaml"]


def test_directory_named_like_a_referral_is_searched_as_a_folder(run_line: Callable[..., Any], folder: Path) -> None:
    inner = folder / "m-folder.yaml"
    inner.mkdir()
    shutil.copy(GOOD, inner / "inside.yaml")
    code, files, stderr = json_run(run_line, folder)
    assert code == 0 and stderr == ""
    assert sorted(files) == ["a-good.yaml", "inside.yaml", "z-good.yaml"]
    code, files, _ = json_run(run_line, inner)  # named on the command line: the same
    assert code == 0 and list(files) == ["inside.yaml"]


def test_named_pipe_is_refused_without_blocking(run_line: Callable[..., Any], folder: Path) -> None:
    os.mkfifo(folder / "m-pipe.yaml")  # opening it for reading would wait for a writer forever
    code, files, _ = json_run(run_line, folder)
    assert code == 2
    assert io_message(files["m-pipe.yaml"]) == (
        "cannot read the file: not a regular file but a named pipe (use - to read standard input)"
    )
    assert_good_still_checked(files)


def test_unreadable_file(run_line: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = folder / "m-secret.yaml"
    shutil.copy(GOOD, secret)
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path).name == secret.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr("scrqm.load.document.os.open", refusing_open)
    code, files, _ = json_run(run_line, folder)
    assert code == 2
    assert io_message(files["m-secret.yaml"]) == "cannot read the file: permission denied"
    assert_good_still_checked(files)


def test_unreadable_file_for_real_when_not_root(run_line: Callable[..., Any], folder: Path) -> None:
    """chmod 000 stops reads for everyone but root; as root the file is simply read."""
    secret = folder / "m-secret.yaml"
    shutil.copy(GOOD, secret)
    secret.chmod(0)
    try:
        code, files, _ = json_run(run_line, folder)
    finally:
        secret.chmod(0o600)
    if os.geteuid() == 0:
        assert code == 0 and files["m-secret.yaml"]["verdict"] == "pass"
    else:
        assert code == 2 and io_message(files["m-secret.yaml"]) == "cannot read the file: permission denied"
    assert_good_still_checked(files)


def test_file_deleted_during_the_run(run_line: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doomed = folder / "m-doomed.yaml"
    shutil.copy(GOOD, doomed)
    import scrqm.run.discover

    real_discover = scrqm.run.discover.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real_discover(*args, **kwargs)
        doomed.unlink()  # found, then gone before it is read
        return found

    monkeypatch.setattr("scrqm.run.session.discover", discover_then_delete)  # where the run looks it up
    code, files, _ = json_run(run_line, folder)
    assert code == 2
    assert "no longer exists (deleted or moved during the run?)" in io_message(files["m-doomed.yaml"])
    assert_good_still_checked(files)


def test_folder_that_cannot_be_listed(run_line: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = folder / "locked"
    locked.mkdir()
    shutil.copy(GOOD, locked / "hidden.yaml")
    real_scandir = os.scandir

    def refusing_scandir(path: Any = ".") -> Any:
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    code, files, stderr = json_run(run_line, folder)
    assert code == 2
    assert stderr == f"scrqm: error: {locked}: cannot read folder: Permission denied\n"
    assert sorted(files) == ["a-good.yaml", "z-good.yaml"]


def test_every_stress_case_at_once_in_the_text_report(
    run_line: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "b-broken.yaml").symlink_to(folder / "gone.yaml")
    (folder / "c-loop.yaml").symlink_to(folder / "c-loop.yaml")
    os.mkfifo(folder / "d-pipe.yaml")
    (folder / "e-folder.yaml").mkdir()
    result = run_line("check", "--isolated", "--today", TODAY, str(folder), str(folder / "missing.yaml"))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    for name, reason in [
        ("b-broken.yaml", "which does not exist"),
        ("c-loop.yaml", "points back to itself"),
        ("d-pipe.yaml", "a named pipe"),
    ]:
        heading = next(i for i, line in enumerate(lines) if line.startswith(f"{folder / name}  INVALID"))
        assert reason in "\n".join(lines[heading:heading + 4])
    assert f"{folder / 'a-good.yaml'}  PASS" in lines and f"{folder / 'z-good.yaml'}  PASS" in lines
    assert result.stderr == f"scrqm: error: {folder / 'missing.yaml'}: no such file or directory\n"
