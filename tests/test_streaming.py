"""Reports that can be written file by file are written while the run goes on, and say the same."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, TODAY, invoke
from scrqm.run.batch import Plan

STREAMED = ["text", "concise", "jsonl", "github"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "refs"
    target.mkdir()
    for example in sorted(EXAMPLES.glob("*.yaml"))[:8]:
        shutil.copy(example, target / example.name)
    return target


@pytest.mark.parametrize("fmt", STREAMED)
def test_a_streamed_report_is_the_report_written_at_the_end(fmt: str, folder: Path, tmp_path: Path) -> None:
    streamed = invoke("check", "--today", TODAY, "--format", fmt, "--jobs", "1", str(folder))
    written = tmp_path / "report.out"
    at_end = invoke("check", "--today", TODAY, "--format", fmt, "--jobs", "1", "--quiet", "--output",
                    str(written), str(folder))
    assert streamed.exit_code == at_end.exit_code == 1
    assert streamed.stdout == written.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", STREAMED)
def test_each_file_is_written_before_the_next_is_checked(fmt: str, folder: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    written_when_checked: list[str] = []
    real = Plan.check

    def check(self: Plan, job: Any) -> Any:
        sys.stdout.flush()
        written_when_checked.append(sys.stdout.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]
        return real(self, job)

    monkeypatch.setattr(Plan, "check", check)
    result = invoke("check", "--today", TODAY, "--format", fmt, "--jobs", "1", str(folder))
    assert result.exit_code == 1 and len(written_when_checked) == 8
    files = sorted(folder.glob("*.yaml"))
    # When the last file is checked, what the report says of the weak ones before it is out already.
    before_last = written_when_checked[-1]
    shown = [f.name for f in files[:-1] if f.name in result.stdout]
    assert shown and all(name in before_last for name in shown)
    assert written_when_checked[0] == ""  # nothing is written before the first file is checked


def test_a_written_file_leaves_only_its_verdicts_behind(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `end` holds of 50,000 files is their paths and verdicts: no findings, no facts, one copy of each table."""
    from scrqm.report.text import TextReporter

    kept: list[Any] = []
    real = TextReporter.end

    def end(self: TextReporter, run: Any, stream: Any) -> None:
        kept.extend(run.results)
        real(self, run, stream)

    monkeypatch.setattr(TextReporter, "end", end)
    result = invoke("check", "--today", TODAY, "--jobs", "1", str(folder))
    assert result.exit_code == 1 and len(kept) == 8
    assert all(r.findings == [] and r.facts == {} and r.observed is None for r in kept)
    assert {r.verdict for r in kept} >= {"pass", "fail"}
    tables = [r.questions for r in kept if r.questions is not None]
    distinct = {tuple(t.items()) for t in tables}
    assert len({id(t) for t in tables}) == len(distinct) < len(tables)
    # The summary is still every file's verdict.
    assert f"{len(kept)} files checked" in result.stdout


def test_a_run_lets_go_of_each_path_once_its_file_is_read(folder: Path, ruleset: Any) -> None:
    """Handed a list it alone holds, the run keeps no path of a file already checked."""
    import gc
    import weakref
    from pathlib import PosixPath

    from scrqm.config import Config
    from scrqm.pipeline import Settings
    from scrqm.run.batch import iter_check_files

    class Tracked(PosixPath):
        __slots__ = ("__weakref__",)

    # The plan first: the first `Config()` of a process builds the model (defer_build), and pydantic
    # then reads the calling frame's locals, a snapshot that would hold `paths` past its `del`.
    plan = Plan(ruleset, Config(), Settings())
    names = sorted(p.name for p in folder.glob("*.yaml"))
    paths = [Tracked(folder / name) for name in names]
    alive = [weakref.ref(path) for path in paths]
    checked = iter_check_files([(path, path.name) for path in paths], plan=plan, jobs=1)
    del paths
    for index, result in enumerate(checked):
        assert result.path == names[index]
        gc.collect()
        assert [ref() is None for ref in alive[:index]] == [True] * index, index


def test_the_files_given_to_a_run_are_read_but_never_changed(folder: Path, ruleset: Any) -> None:
    """The run takes its own copy of the names to let go of as it goes; the caller's list stays whole."""
    from scrqm.config import Config
    from scrqm.pipeline import Settings
    from scrqm.run.batch import check_files

    files = [(path, path.as_posix()) for path in sorted(folder.glob("*.yaml"))]
    given = list(files)
    results = check_files(files, plan=Plan(ruleset, Config(), Settings()), jobs=1)
    assert files == given
    assert [r.path for r in results] == [display for _, display in given]


def test_a_kept_result_has_slots_not_a_dict() -> None:
    """50,000 kept results: a per-instance __dict__ would be some 100 bytes more each."""
    from scrqm.result import FileResult

    result = FileResult("r.yaml", "pass", {"QM1.1": "pass"}, [])
    assert not hasattr(result, "__dict__")
    with pytest.raises(AttributeError):
        result.extra = 1  # type: ignore[attr-defined]


def test_the_files_waiting_come_back_as_given_from_two_strings() -> None:
    """The run holds the names still to read as two strings, not a Path object per file (a forked
    worker would otherwise end up with its own copy of every page they lie on)."""
    from scrqm.run.batch import _Waiting

    given = [(Path("a/b.yaml"), "a/b.yaml"), (Path("c.yaml"), ""), (Path("d/e\udcff.yaml"), "d/e\\xff.yaml"),
             (Path("/abs/f.yaml"), "shown as f"), (Path("g.yaml"), "g.yaml")]
    waiting = _Waiting(iter(given))
    assert len(waiting) == 5 and isinstance(waiting.paths, str) and isinstance(waiting.shown, str)
    assert [waiting.next() for _ in range(5)] == given
    odd = [(Path("x.yaml"), "x\0y"), (Path("z.yaml"), "z")]  # a caller's name with a NUL: kept as a list
    waiting = _Waiting(odd)
    assert [waiting.next() for _ in range(2)] == odd and not waiting.joined
    assert len(_Waiting([])) == 0
