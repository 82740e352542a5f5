"""Paths a user can give that are not plain files: links, devices, folders, names too long or not UTF-8.

Each gets a clear one-line message and exit code 2, or works; never a
traceback, and nothing at the path is replaced that the user did not mean
to be replaced.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY, invoke

TOO_LONG = "a" * 300  # more than the 255 bytes a file name may have
BAD_NAME = b"bad\xffname.yaml"  # not UTF-8


def _formats() -> list[str]:
    from scrqm.report import REPORTERS

    return sorted(REPORTERS)


def _scrqm(*args: str, cwd: Path, stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[bytes]:
    """A real process: standard streams as the terminal gives them, not the test runner's."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return subprocess.run([sys.executable, "-m", "scrqm", *args], cwd=cwd, stdin=stdin,
                          capture_output=True, env=env, timeout=60, check=False)


# ---------------------------------------------------------------- --output


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    result = run_line("check", "-q", "--isolated", "-f", "json", "--today", TODAY, "-o", str(link), str(GOOD))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads(target.read_text(encoding="utf-8"))["files"][0]["verdict"] == "pass"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]  # no temporary file left


def test_output_through_a_dangling_symlink_creates_its_target(run_line: Callable[..., Any], tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to("later.json")
    assert run_line("check", "-q", "--isolated", "-f", "json", "-o", str(link), str(GOOD)).exit_code == 0
    assert link.is_symlink() and json.loads((tmp_path / "later.json").read_text(encoding="utf-8"))


def _device(tmp_path: Path, name: str, minor: int) -> Path:
    """A private copy of /dev/null (minor 3) or /dev/full (7) when root may make one, else the real one.

    As root, a wrong implementation would replace the system's device; a private
    node keeps that damage inside the test's folder.  Others cannot replace /dev's nodes.
    """
    if os.geteuid() != 0:
        return Path("/dev") / name
    device = tmp_path / name
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return device


def test_output_to_dev_null_leaves_it_a_device(run_line: Callable[..., Any], tmp_path: Path) -> None:
    null = _device(tmp_path, "null", 3)
    result = run_line("check", "-q", "--isolated", "-f", "json", "-o", str(null), str(GOOD))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["null"] if null.parent == tmp_path else [])


def test_output_to_a_fifo_writes_into_it(run_line: Callable[..., Any], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_line("check", "-q", "--isolated", "-f", "json", "-o", str(fifo), str(GOOD))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["files"][0]["verdict"] == "pass"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/full is a Linux device")
def test_output_to_a_full_device_is_an_error_and_leaves_the_device(run_line: Callable[..., Any], tmp_path: Path) -> None:
    full = _device(tmp_path, "full", 7)
    result = run_line("check", "-q", "--isolated", "-f", "json", "-o", str(full), str(GOOD))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {full}: cannot write the report: No space left on device\n"
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_output_naming_a_folder_is_a_usage_error(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("check", "-q", "--isolated", "-f", "json", "-o", str(tmp_path), str(GOOD))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {tmp_path}: is a folder; give a file name for --output\n"
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- names too long


def test_a_name_too_long_is_an_error_line_and_the_run_goes_on(run_line: Callable[..., Any], tmp_path: Path) -> None:
    missing = str(tmp_path / f"{TOO_LONG}.yaml")
    result = run_line("check", "--isolated", "-f", "json", "--today", TODAY, missing, str(GOOD))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {missing}: File name too long\n"
    assert [f["verdict"] for f in json.loads(result.stdout)["files"]] == ["pass"]


@pytest.mark.parametrize("command", [
    ["patterns", "--isolated", "{long}"],
    ["new", "{long}.yaml"],
    ["examples", "copy", "01", "{long}"],
    ["check", "--config", "{long}", str(GOOD)],
    ["check", "--isolated", "--rules", "{long}", str(GOOD)],
    ["check", "--isolated", "-o", "{long}.json", str(GOOD)],
    ["schema", "-o", "{long}.json"],
], ids=["patterns", "new", "examples-copy", "config", "rules", "output", "schema-output"])
def test_a_name_too_long_is_one_line_exit_2(run_line: Callable[..., Any], tmp_path: Path, command: list[str]) -> None:
    long = str(tmp_path / TOO_LONG)
    result = run_line(*[part.replace("{long}", long) for part in command])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("scrqm: error: ") and "File name too long" in lines[-1], result.stderr
    assert all(line.startswith("scrqm: error: ") for line in lines)


def test_an_os_error_escaping_a_command_is_one_line(run_line: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise PermissionError(13, "Permission denied", "examples/manifest.json")

    monkeypatch.setattr("scrqm.teach.gallery.load_gallery", broken)
    result = run_line("examples")
    assert result.exit_code == 2
    assert result.stderr == "scrqm: error: examples/manifest.json: Permission denied\n"


# ---------------------------------------------------------------- names not UTF-8


@pytest.fixture
def bad_name_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / os.fsdecode(BAD_NAME)).write_bytes(b"x: 1\n")
    return tmp_path


def test_a_name_not_utf8_reports_to_a_real_standard_output(bad_name_folder: Path) -> None:
    """The real process: standard output as the locale sets it up, in every format's place the text one."""
    result = _scrqm("check", "--isolated", "--no-cache", "d", cwd=bad_name_folder)
    assert result.returncode == 1, result.stderr
    assert result.stderr == b""
    assert b"d/bad\\xffname.yaml" in result.stdout


@pytest.mark.parametrize("format", _formats())
def test_a_name_not_utf8_reports_to_standard_output(bad_name_folder: Path, format: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every format, in-process: the runner's standard output is strict UTF-8, as a real one is, so a
    raw surrogate written by any reporter raises here as it would there."""
    monkeypatch.chdir(bad_name_folder)
    result = invoke("check", "--isolated", "--no-cache", "-f", format, "d")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    assert b"name.yaml" in result.stdout_bytes or format == "junit" and b"name" in result.stdout_bytes
    result.stdout_bytes.decode("utf-8")  # strict


def test_a_name_not_utf8_reports_to_a_real_file_that_is_utf8(bad_name_folder: Path) -> None:
    report = bad_name_folder / "report.txt"
    result = _scrqm("check", "--isolated", "--no-cache", "-q", "-o", str(report), "d", cwd=bad_name_folder)
    assert result.returncode == 1 and result.stderr == b"", result.stderr
    assert "d/bad\\xffname.yaml" in report.read_bytes().decode("utf-8")


@pytest.mark.parametrize("format", _formats())
def test_a_name_not_utf8_reports_to_a_file_that_is_utf8(bad_name_folder: Path, format: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(bad_name_folder)
    report = bad_name_folder / "report.out"
    result = invoke("check", "--isolated", "--no-cache", "-q", "-f", format, "-o", str(report), "d")
    assert result.exit_code == 1 and result.stderr == "", result.stderr
    text = report.read_bytes().decode("utf-8")  # strict: any reader can open the report
    assert "name.yaml" in text


def test_a_name_not_utf8_round_trips_through_a_json_report(bad_name_folder: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(bad_name_folder)
    report = bad_name_folder / "report.json"
    invoke("check", "--isolated", "--no-cache", "-q", "-f", "json", "-o", str(report), "d")
    [entry] = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert os.fsencode(entry["path"]) == b"d/" + BAD_NAME


def test_a_name_not_utf8_is_percent_encoded_in_sarif(bad_name_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(bad_name_folder)
    result = invoke("check", "--isolated", "--no-cache", "-f", "sarif", "d")
    results = json.loads(result.stdout)["runs"][0]["results"]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]}
    assert uris == {"d/bad%FFname.yaml"}


# ---------------------------------------------------------------- standard input, folders, cache


def test_standard_input_closed_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    result = subprocess.run(["sh", "-c", 'exec "$0" -m scrqm check --isolated - <&-', sys.executable],
                            cwd=tmp_path, capture_output=True, env=env, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.decode() == "scrqm: error: standard input is closed; pipe a referral in, or name a file instead of -\n"


def test_config_naming_a_folder_says_so(run_line: Callable[..., Any], tmp_path: Path) -> None:
    result = run_line("check", "--config", str(tmp_path), str(GOOD))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {tmp_path}: is a folder; give the configuration file, e.g. {tmp_path / '.scrqm.yaml'}\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_new_naming_a_folder_says_so_with_or_without_force(run_line: Callable[..., Any], tmp_path: Path, force: list[str]) -> None:
    folder = tmp_path / "dd"
    folder.mkdir()
    result = run_line("new", *force, str(folder))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {folder}: is a folder; give a file name, e.g. {folder / 'referral.yaml'}\n"
    assert list(folder.iterdir()) == []


def test_cache_dir_naming_a_file_warns_and_the_run_goes_on(run_line: Callable[..., Any], tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file", encoding="utf-8")
    result = run_line("check", "-q", "--isolated", "--today", TODAY, "--cache-dir", str(blocker), str(GOOD))
    assert result.exit_code == 0
    assert result.stderr == f"scrqm: warning: {blocker}: not a folder; results are not cached\n"
    assert blocker.read_text(encoding="utf-8") == "a file"


def test_patterns_refuses_standard_input(run_line: Callable[..., Any]) -> None:
    result = run_line("patterns", "--isolated", "-", input="x: 1\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("scrqm: error: patterns reads folders and files, not standard input (-)")


# ---------------------------------------------------------------- examples copy


def test_examples_copy_creates_the_folder_with_its_parents(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "practice" / "week1"
    result = run_line("examples", "copy", "04", str(target))
    assert result.exit_code == 0, result.stderr
    [copied] = target.iterdir()
    assert copied.read_bytes() == (EXAMPLES / copied.name).read_bytes()


def test_examples_copy_into_a_new_folder_still_never_overwrites(run_line: Callable[..., Any], tmp_path: Path) -> None:
    run_line("examples", "copy", "04", str(tmp_path / "practice"))
    [copied] = (tmp_path / "practice").iterdir()
    copied.write_text("my edits", encoding="utf-8")
    result = run_line("examples", "copy", "04", str(tmp_path / "practice"))
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert copied.read_text(encoding="utf-8") == "my edits"


# ---------------------------------------------------------------- --help


def _commands() -> list[tuple[list[str], Any]]:
    import typer

    from scrqm.cli import app

    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, words: list[str]) -> None:
        found.append((words, command))
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            for name, sub in command.commands.items():
                walk(sub, [*words, name])

    walk(typer.main.get_command(app), [])
    return found


def _expected_default(param: Any) -> str | None:
    """What `[default: …]` should say: the help text's own, else the value typer shows."""
    help_text = getattr(param, "help", None) or ""
    if "[default:" in help_text:
        return help_text.split("[default:", 1)[1].split("]", 1)[0].strip()
    if param.show_default is False or param.default in (None, False, []) or param.name == "help":
        return None
    default = param.default
    return str(getattr(default, "value", default))


@pytest.mark.parametrize("words,command", _commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_help_shows_every_default(run_line: Callable[..., Any], words: list[str], command: Any) -> None:

    result = invoke(*words, "--help", env={"COLUMNS": "400"})
    shown = " ".join(result.stdout.split())
    for param in command.params:
        expected = _expected_default(param)
        if expected is not None:
            assert f"[default: {expected}]" in shown, (param.name, shown)
    assert "\\[" not in shown and " ." not in shown  # no escape shown, no default eaten before a full stop


# ---------------------------------------------------------------- --jobs


class _RecordingPool:
    """Stands in for ProcessPoolExecutor: records its size, runs each chunk here."""

    sizes: list[int] = []
    chunks = 0

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        from scrqm.run import batch

        _RecordingPool.sizes.append(max_workers)
        batch._plan = kwargs["initargs"][0]  # what the initializer does in a worker, without its signal handling

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        _RecordingPool.chunks += 1
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, **kwargs: Any) -> None:
        pass


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> type[_RecordingPool]:
    from scrqm.run import batch

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", _RecordingPool)
    monkeypatch.setattr(batch, "_plan", None)
    _RecordingPool.sizes, _RecordingPool.chunks = [], 0
    return _RecordingPool


def _files(tmp_path: Path, count: int) -> list[tuple[Path, str]]:
    text = GOOD.read_text(encoding="utf-8")
    files = []
    for index in range(count):
        path = tmp_path / f"r{index:03d}.yaml"
        path.write_text(f"# copy {index}\n{text}", encoding="utf-8")
        files.append((path, path.name))
    return files


def _plan(ruleset: Any) -> Any:
    import datetime as dt

    from scrqm.run.batch import Plan
    from scrqm.pipeline import Settings
    from scrqm.config import Config

    return Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))


def test_jobs_beyond_the_chunks_start_no_more_workers_than_chunks(
    ruleset: Any, tmp_path: Path, pool: type[_RecordingPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrqm.run import batch

    monkeypatch.setattr(batch, "default_jobs", lambda: 64)  # many cores: only the chunks limit the pool
    results = batch.check_files(_files(tmp_path, 60), plan=_plan(ruleset), jobs=200)
    assert len(results) == 60 and {r.verdict for r in results} == {"pass"}
    assert pool.sizes == [pool.chunks] and pool.chunks < 60


def test_jobs_are_capped_at_four_per_core(
    ruleset: Any, tmp_path: Path, pool: type[_RecordingPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrqm.run import batch

    monkeypatch.setattr(batch, "default_jobs", lambda: 2)
    batch.check_files(_files(tmp_path, 120), plan=_plan(ruleset), jobs=200)
    assert pool.sizes == [7] and pool.chunks > 7  # 8 jobs: this process and 7 workers


def test_two_jobs_are_this_process_and_one_worker_taking_turns(
    ruleset: Any, tmp_path: Path, pool: type[_RecordingPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrqm.run import batch

    monkeypatch.setattr(batch, "default_jobs", lambda: 2)
    sent: list[str] = []
    real = _RecordingPool.submit

    def submit(self: _RecordingPool, fn: Callable[..., Any], chunk: list[Any]) -> Future[Any]:
        sent.extend(job.display for job in chunk)
        return real(self, fn, chunk)

    monkeypatch.setattr(_RecordingPool, "submit", submit)
    files = _files(tmp_path, 120)
    names = [display for _, display in files]
    results = batch.check_files(files, plan=_plan(ruleset), jobs=2)
    assert [r.path for r in results] == names  # in order, whoever checked them
    assert pool.sizes == [1]
    chunk = batch._chunk_size(120, 2)
    first = max(chunk, batch.SERIAL_BELOW)
    # The first chunk (the pool's start) goes to the worker, the next to this process, and so on.
    assert sent[:first] == names[:first] and names[first] not in sent and names[first + chunk] in sent
    here = len(names) - len(sent)
    assert pool.chunks >= 2 and 0 < here and abs(len(sent) - here) <= first


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_below_one_is_a_usage_error(run_line: Callable[..., Any], jobs: str) -> None:
    result = run_line("check", "--isolated", "--jobs", jobs, str(GOOD))
    assert result.exit_code == 2 and "--jobs" in result.stderr


# ---------------------------------------------------------------- docs


def test_configuration_doc_gives_every_key_its_own_row_and_none_is_reserved() -> None:
    import re

    from scrqm.config import Config

    doc = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `([a-z.-]+)` \|(.*)$", doc, re.M)}
    keys = {field.alias or name for name, field in Config.model_fields.items()}
    assert {key for key in keys if not any(row == key or row.startswith(f"{key}.") for row in rows)} == set()
    assert [key for key, row in rows.items() if "not used yet" in row or "reserved" in row] == []
