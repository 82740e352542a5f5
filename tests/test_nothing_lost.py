"""Nothing lost: inputs are never written, reports appear whole or not at all, Ctrl-C is one line."""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY, invoke, signals_as_from_a_shell


def report_formats() -> list[str]:
    from scrqm.report import REPORTERS

    return sorted(REPORTERS)


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every path below `folder`: mtime, mode and content hash (and that nothing appeared)."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        state[str(path.relative_to(folder))] = (info.st_mtime_ns, info.st_mode, digest)
    return state


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "referrals"
    shutil.copytree(EXAMPLES, folder)
    (folder / "broken.yaml").write_text("format: [\n", encoding="utf-8")
    (folder / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "01-exemplary-death.yaml").read_bytes())
    return folder


@pytest.mark.parametrize("format", report_formats())
def test_a_run_never_writes_to_its_inputs(
    run_line: Callable[..., Any], inputs: Path, tmp_path: Path, format: str
) -> None:
    before = snapshot(inputs)
    time.sleep(0.01)  # so that a rewrite would show in mtime
    run_line("check", "--isolated", "--today", TODAY, "--format", format, str(inputs))
    run_line("check", "--isolated", "--today", TODAY, "--format", format,
             "--output", str(tmp_path / f"report.{format}"), str(inputs))
    assert snapshot(inputs) == before
    assert (tmp_path / f"report.{format}").stat().st_size > 0


def test_output_that_names_an_input_is_refused(run_line: Callable[..., Any], inputs: Path) -> None:
    target = inputs / "01-exemplary-death.yaml"
    before = snapshot(inputs)
    result = run_line("check", "--isolated", "--output", str(target), str(inputs))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {target}: --output names a file being checked; write the report elsewhere\n"
    assert snapshot(inputs) == before


@pytest.mark.parametrize("existing", [None, "the previous report\n"])
def test_an_interrupted_report_leaves_the_old_one_or_none(
    run_line: Callable[..., Any], inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    existing: str | None,
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report = out_dir / "report.json"
    if existing is not None:
        report.write_text(existing, encoding="utf-8")
    from scrqm.report.json import JsonReporter

    def half_then_interrupt(self: Any, run: Any, stream: Any) -> None:
        stream.write('{"files": [' + "x" * 100_000)  # past any buffer: really on disk
        stream.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(JsonReporter, "render", half_then_interrupt)
    result = run_line("check", "--isolated", "--format", "json", "--output", str(report), str(inputs))
    assert result.exit_code == 130
    assert result.stderr == "scrqm: interrupted\n"
    assert [p.name for p in out_dir.iterdir()] == ([] if existing is None else ["report.json"])
    if existing is not None:
        assert report.read_text(encoding="utf-8") == existing


def test_a_failing_report_leaves_no_temporary_file(
    run_line: Callable[..., Any], inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrqm.report.json import JsonReporter

    def broken(self: Any, run: Any, stream: Any) -> None:
        stream.write("{")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(JsonReporter, "render", broken)
    result = run_line("check", "--isolated", "--format", "json", "--output", str(tmp_path / "r.json"), str(inputs))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {tmp_path / 'r.json'}: cannot write the report: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["referrals"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_checking_exits_130_with_one_line(
    run_line: Callable[..., Any], inputs: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    calls = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise KeyboardInterrupt

    monkeypatch.setattr("scrqm.run.batch.check_text", interrupted)  # what each file of a run goes through
    monkeypatch.setattr("scrqm.run.batch.SERIAL_BELOW", 4)
    result = run_line("check", "--isolated", "--no-cache", "--jobs", jobs, str(inputs))
    # With --jobs 2 the interrupt happens in a worker process (calls stay there) and reaches the parent.
    assert (calls or jobs == "2") and result.exit_code == 130
    assert result.stderr == "scrqm: interrupted\n" and result.stdout == ""


def _blocked_reading_stdin(pid: int) -> bool:
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False
    return "pipe" in wchan or "wait" in wchan and "read" in wchan


def test_sigint_to_a_real_process_exits_130(tmp_path: Path) -> None:
    """A real Ctrl-C: the process waits on standard input, then gets SIGINT."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scrqm", "check", "--isolated", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
        preexec_fn=signals_as_from_a_shell,
    )
    deadline = time.monotonic() + 20
    while not _blocked_reading_stdin(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # without /proc, a generous pause instead
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    assert stderr.decode() == "scrqm: interrupted\n" and stdout == b""


def test_report_file_gets_the_usual_mode_not_the_temporary_files(tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "report.json"
    old = os.umask(0o022)
    try:
        invoke("check", "-f", "json", "-q", "-o", str(out), "--today", TODAY, str(GOOD))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
