"""Issue 12: what a referral from another agency, a cancelled CI job or a shared cache can do.

Each test here failed before the fix it names.  Costs are measured in
benchmarks/hostile.py and written in docs/reliability.md, not asserted here,
except where the bound is the point (dates, signals), with a wide margin.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY, invoke, signals_as_from_a_shell



# ---------------------------------------------------------------- 3. dates


def far_apart(index: int) -> str:
    return ("format: scrqm/referral@1\n"
            f"referral: {{date: 9999-12-{10 + index}}}\n"
            f"incident: {{date: 0001-01-0{1 + index % 9}, aware_date: 0001-02-0{1 + index % 9}}}\n"
            "rationale: A child died and abuse is suspected.\n")


def test_dates_thousands_of_years_apart_cost_little(check: Callable[..., Any]) -> None:
    from scrqm.judge import workdays

    check(far_apart(0))  # the known years are looked up once a run: not the per-file cost
    started = time.process_time()
    results = [check(far_apart(index)) for index in range(10)]
    spent = time.process_time() - started
    assert spent < 1.0, f"{spent:.2f} s of CPU for 10 files"
    # Bounded by construction: only the known years are ever asked for.
    assert workdays._weekday_bank_holidays.cache_info().currsize <= (
        workdays.LAST_KNOWN_YEAR - workdays.FIRST_KNOWN_YEAR + 1)
    for result in results:
        rules = {f.rule for f in result.findings}
        assert {"QM1.3-date-before-1900", "QM1.3-future-date"} <= rules
        assert result.verdict == "fail"


def test_counting_over_millennia_visits_only_the_known_years(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.judge import workdays

    asked: list[int] = []
    real = workdays._weekday_bank_holidays

    def counting(year: int) -> frozenset[dt.date]:
        asked.append(year)
        return real(year)

    monkeypatch.setattr(workdays, "_weekday_bank_holidays", counting)
    days = workdays.working_days_after(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    assert len(asked) <= workdays.LAST_KNOWN_YEAR - workdays.FIRST_KNOWN_YEAR + 1
    assert min(asked) >= workdays.FIRST_KNOWN_YEAR and max(asked) <= workdays.LAST_KNOWN_YEAR
    # Weekdays by arithmetic (3,652,059 days from a Monday: 521,722 weeks and 5 days)
    # less every weekday bank holiday of the known years.
    known = sum(len(real(y)) for y in range(workdays.FIRST_KNOWN_YEAR, workdays.LAST_KNOWN_YEAR + 1))
    assert days == 521_722 * 5 + 4 - known  # the start day (a Monday) does not count


def test_a_date_before_1900_is_a_finding_at_its_line(check: Callable[..., Any]) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("aware_date: 2016-", "aware_date: 1016-", 1)
    assert "aware_date: 1016-" in text
    result = check(text)
    [finding] = [f for f in result.findings if f.rule == "QM1.3-date-before-1900"]
    assert finding.field == "incident.aware_date"
    assert text.splitlines()[finding.line - 1].strip().startswith("aware_date: 1016-")
    assert result.questions is not None and result.questions["QM1.3"] == "fail"


# ---------------------------------------------------------------- 5. deep folders


def remove_deep(root: Path) -> None:
    """Remove a tree of any depth without recursion: pytest's own clean-up (shutil.rmtree)
    recurses, and a tree left 1,200 deep would break every later run on the machine."""
    import os

    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY)]
    names: list[str] = []
    while fds:
        with os.scandir(fds[-1]) as listing:
            entries = list(listing)
        folder = next((e.name for e in entries if e.is_dir(follow_symlinks=False)), None)
        if folder is not None:
            fds.append(os.open(folder, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
            names.append(folder)
            continue
        for entry in entries:
            os.unlink(entry.name, dir_fd=fds[-1])
        os.close(fds.pop())
        if fds:
            os.rmdir(names.pop(), dir_fd=fds[-1])
    os.rmdir(root)


@pytest.fixture
def deep_root(tmp_path: Path) -> Any:
    root = tmp_path / "deep"
    root.mkdir()
    yield root
    remove_deep(root)


def test_a_folder_1200_levels_deep_is_walked(run_line: Callable[..., Any], deep_root: Path) -> None:
    import os

    root = deep_root
    (root / "top.yaml").write_bytes(GOOD.read_bytes())
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(1200):  # deeper than Python's recursion limit, shorter than PATH_MAX
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("bottom.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as handle:
            handle.write(GOOD.read_bytes())
    finally:
        os.close(fd)
    result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", "concise", str(root))
    assert result.stderr == ""
    assert result.stdout.rstrip().endswith("2 files checked: 2 pass"), result.stdout[-300:]
    assert result.exit_code == 0


def test_a_path_too_long_for_the_system_is_one_line_and_the_rest_is_checked(
        run_line: Callable[..., Any], tmp_path: Path) -> None:
    import os

    root = tmp_path / "long"
    root.mkdir()
    (root / "good.yaml").write_bytes(GOOD.read_bytes())
    name = "n" * 200
    for branch in ("a", "b"):  # two subtrees past PATH_MAX: still one line
        os.mkdir(root / branch)
        fd = os.open(root / branch, os.O_RDONLY)
        try:
            for _ in range(25):  # 25 x 201 characters: past the 4,096 of PATH_MAX
                os.mkdir(name, dir_fd=fd)
                inner = os.open(name, os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = inner
        finally:
            os.close(fd)
    result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", "concise", str(root))
    lines = [line for line in result.stderr.splitlines() if line.startswith("scrqm: error:")]
    assert len(lines) == 1, result.stderr
    assert "nested too deep" in lines[0] and str(root) in lines[0]
    assert "1 file checked: 1 pass" in result.stdout
    assert result.exit_code == 2  # part of the run could not be read: an I/O error, not a pass


# ---------------------------------------------------------------- 6. nothing to check


def test_a_folder_without_referrals_is_an_error_that_says_what_was_skipped(
        run_line: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    folder.mkdir()
    for name in ("minutes.docx", "notes.txt", "referral.yaml.bak"):
        (folder / name).write_text("x", encoding="utf-8")
    result = run_line("check", "--isolated", "-f", "junit", str(folder))
    assert result.exit_code == 2
    assert result.stdout == ""  # no `<testsuites />` that a CI reads as all green
    message = result.stderr.strip()
    assert message.startswith("scrqm: error: no referral found in ")
    assert "3 other files skipped (minutes.docx, notes.txt, referral.yaml.bak)" in message
    assert "--allow-empty" in message


@pytest.mark.parametrize("how", ["option", "config"])
def test_an_empty_run_passes_when_allowed(run_line: Callable[..., Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    folder = tmp_path / "none"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    if how == "config":
        (tmp_path / ".scrqm.yaml").write_text("allow-empty: true\n", encoding="utf-8")
        result = run_line("check", str(folder))
    else:
        result = run_line("check", "--isolated", "--allow-empty", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "0 files checked" in result.stdout


def test_pre_commit_hook_passes_when_a_commit_touches_no_referral(run_line: Callable[..., Any], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit skips a hook when no staged file matches `files` (pass_filenames, no always_run);
    when every file it passes is excluded by the board's configuration, the hook's own
    `--allow-empty` keeps the commit going, as ruff does with nothing left to lint."""
    import shlex

    from conftest import ROOT
    from scrqm.load.document import load_text

    [hook] = load_text((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), source="hook").data
    assert not hook.get("always_run", False) and hook.get("pass_filenames", True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".scrqm.yaml").write_text("exclude: ['archive/**']\n", encoding="utf-8")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.yaml").write_bytes(GOOD.read_bytes())
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["scrqm", "check"]
    result = run_line(*entry[1:], "archive/old.yaml")  # as pre-commit names each staged file
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------- 8. head


@pytest.mark.parametrize("command", [["check", "--isolated", "--no-cache", str(EXAMPLES)], ["rules"], ["schema"]])
def test_a_reader_that_goes_away_is_a_quiet_exit(command: list[str]) -> None:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "scrqm", *command],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `head` does once it has its lines
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as `yes | head` gives
    assert stderr == ""


# ---------------------------------------------------------------- 2. terminal and CI commands

ESC = "\x1b"
# What a hostile referral carries: OSC 0 (window title), clear screen, an OSC 8 link, an SGR
# colour, an 8-bit CSI, a bidirectional override, and newlines that would start workflow commands.
NASTY = ["\\e]0;pwned\\a", "\\e[2J", "\\e]8;;https://evil.example\\e\\\\link\\e]8;;\\e\\\\", "\\e[31m",
         "\\u009b2J", "\\u202e", "\\n::error::forged", "\\r::add-mask::x", "\\n::stop-commands::token"]


def hostile_referral(base: str, *, unknown_key: bool) -> str:
    payload = "".join(NASTY)
    waivers = (f'waivers:\n  - rule: "QM1.1-rationale-brief{payload}"\n    reason: "fine{payload}"\n'
               f'  - rule: "QM1.1-no-such-rule{payload}"\n    reason: "because{payload}"\n')
    extra = f'"key{payload}": 1\n' if unknown_key else ""
    text = base.replace("format: scrqm/referral@1\n", f"format: scrqm/referral@1\n{waivers}{extra}", 1)
    return text.replace("- Brambleway Day Nursery", f'- "Brambleway{payload} Nursery"')


@pytest.fixture
def hostile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    base = GOOD.read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"a{ESC}]0;title{ESC}\\b{ESC}[2J.yaml").write_text(hostile_referral(base, unknown_key=False),
                                                                encoding="utf-8")
    (folder / "b\n::error file=x::pwned.yaml").write_text(hostile_referral(base, unknown_key=True), encoding="utf-8")
    # A shape error quoting the value, and a referral (valid) named like a command.
    (folder / "c.yaml").write_text(base.replace("child_age_band: ", f"child_age_band: \"x{ESC}[5m\\n::error::v\"  # ", 1)
                                   .replace("referral:\n", "referral:\n", 1), encoding="utf-8")
    (folder / "::warning::d.yaml").write_text(hostile_referral(base, unknown_key=False), encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def assert_harmless(output: str) -> None:
    bad = sorted({f"{ord(c):#04x}" for c in output if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F
                  or c in "\u202e\u2028\u2029"})
    assert not bad, f"control characters reach the output: {bad}"
    starts = [line for line in output.splitlines() if line.lstrip().startswith("::")]
    assert not starts, starts


@pytest.mark.parametrize("fmt", ["text", "concise"])
@pytest.mark.parametrize("teach", [False, True])
def test_referral_text_and_paths_never_drive_the_terminal_or_the_runner(
        run_line: Callable[..., Any], hostile_folder: Path, fmt: str, teach: bool) -> None:
    names = sorted(p.name for p in hostile_folder.iterdir())
    result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", fmt,
                      *(["--teach"] if teach and fmt == "text" else []), *names)
    assert result.exit_code == 1  # the hostile files have findings; none of them crashed the run
    assert_harmless(result.stdout)
    assert_harmless(result.stderr)
    # Shown, not dropped: the reader sees what the file holds.
    assert "\\x1b]0;pwned" in result.stdout and "⏎::error::forged" in result.stdout
    assert "./::warning::d.yaml" in result.stdout
    assert result.stdout.count(" checked: ") == 1


def test_patterns_table_never_drives_the_terminal(run_line: Callable[..., Any], hostile_folder: Path) -> None:
    result = run_line("patterns", "--isolated", ".")
    assert result.stderr == "" or all(line.startswith("scrqm: ") for line in result.stderr.splitlines())
    assert_harmless(result.stdout)
    assert_harmless(result.stderr)
    assert "Brambleway\\x1b]0;pwned" in result.stdout  # the shared institution, made visible


def test_github_format_keeps_the_runner_s_own_escaping(run_line: Callable[..., Any], hostile_folder: Path) -> None:
    names = sorted(p.name for p in hostile_folder.iterdir())
    result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", "github", *names)
    lines = result.stdout.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands and all(line.split(" ", 1)[0] in ("::error", "::warning", "::notice") for line in commands)
    assert all(line.startswith("::") for line in lines[:-1]) and " checked: " in lines[-1]
    assert "%0A::error::forged" in result.stdout


# ---------------------------------------------------------------- 4. the result cache


def _only_shard(cache_dir: Path) -> Path:
    from scrqm.run.cache import FORMAT

    [shard] = list((cache_dir / f"v{FORMAT}").glob("*.json"))
    return shard


def _failing(tmp_path: Path) -> Path:
    """The exemplary referral referred three weeks late, with no explanation: QM1.3 fails."""
    path = tmp_path / "failing.yaml"
    text = GOOD.read_text(encoding="utf-8").replace("  date: 2016-11-10\n", "  date: 2016-12-01\n", 1)
    assert "2016-12-01" in text
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edited_cache_entry_cannot_turn_a_fail_into_a_pass(run_line: Callable[..., Any], tmp_path: Path) -> None:
    import json

    referral, cache_dir = _failing(tmp_path), tmp_path / "cache"
    args = ("check", "--isolated", "--today", TODAY, "-f", "sarif", "--cache-dir", str(cache_dir), str(referral))
    first = run_line(*args)
    assert first.exit_code == 1 and json.loads(first.stdout)["runs"][0]["results"]
    shard = _only_shard(cache_dir)
    data = json.loads(shard.read_text(encoding="utf-8"))
    [(key, (digest, text))] = data["entries"].items()
    entry = json.loads(text)
    entry.update(verdict="pass", findings=[], questions={q: "pass" for q in entry["questions"]})
    data["entries"][key] = [digest, json.dumps(entry)]  # as a hand edit keeps the digest
    shard.write_text(json.dumps(data), encoding="utf-8")
    second = run_line(*args)
    assert second.exit_code == 1, "a tampered entry decided the verdict"
    assert json.loads(second.stdout)["runs"][0]["results"] == json.loads(first.stdout)["runs"][0]["results"]


def test_an_entry_written_with_another_key_is_a_miss(ruleset: Any, tmp_path: Path) -> None:
    from conftest import Settings
    from scrqm.config import Config
    from scrqm.run.batch import Plan, check_files
    from scrqm.run.cache import KEY_FILE, ResultCache

    plan = Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))
    files = [(_failing(tmp_path), "failing.yaml")]
    foreign = tmp_path / "foreign"
    cache = ResultCache(foreign, "ctx")
    check_files(files, plan=plan, jobs=1, cache=cache)
    cache.save()
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / KEY_FILE).write_bytes(b"")  # replaced below by a key of its own
    (ours / KEY_FILE).unlink()
    ResultCache(ours, "ctx")  # creates our key
    import shutil

    shutil.copytree(foreign / "v2", ours / "v2")  # the entries of another job, restored here
    again = ResultCache(ours, "ctx")
    check_files(files, plan=plan, jobs=1, cache=again)
    assert again.hits == 0
    mode = (ours / KEY_FILE).stat().st_mode & 0o777
    assert mode == 0o600


def test_a_key_others_can_read_is_not_trusted(ruleset: Any, tmp_path: Path) -> None:
    from conftest import Settings
    from scrqm.config import Config
    from scrqm.run.batch import Plan, check_files
    from scrqm.run.cache import KEY_FILE, ResultCache

    plan = Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))
    files = [(GOOD, "good.yaml")]
    cache = ResultCache(tmp_path, "ctx")
    check_files(files, plan=plan, jobs=1, cache=cache)
    cache.save()
    (tmp_path / KEY_FILE).chmod(0o644)
    again = ResultCache(tmp_path, "ctx")
    check_files(files, plan=plan, jobs=1, cache=again)
    assert again.hits == 0 and again.secret is None


@pytest.mark.parametrize("change", [
    {"verdict": "bogus"},
    {"finding": {"severity": "critical"}},
    {"profile": "../../etc"},
    {"finding": {"line": "<script>alert(1)</script>"}},
    {"finding": {"line": 0}},
    {"finding": {"waived": False}},
    {"finding": {"extra": 1}},
    {"questions": {"QM1.1": "maybe"}},
    {"facts": {"delay_working_days": [1, 2]}},
    {"findings": "none"},
    {"path": "elsewhere.yaml"},
], ids=lambda c: ",".join(f"{k}" for k in c) + ":" + str(list(c.values())[0])[:20])
def test_a_bad_entry_is_a_miss_even_with_a_valid_digest(ruleset: Any, tmp_path: Path, change: dict[str, Any]) -> None:
    import json

    from conftest import Settings
    from scrqm.config import Config
    from scrqm.run.batch import Plan, check_files
    from scrqm.run.cache import ResultCache

    plan = Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))
    files = [(_failing(tmp_path), "failing.yaml")]
    reference = [r.to_dict() for r in check_files(files, plan=plan, jobs=1)]
    cache = ResultCache(tmp_path / "c", "ctx")
    check_files(files, plan=plan, jobs=1, cache=cache)
    cache.save()
    shard = _only_shard(tmp_path / "c")
    data = json.loads(shard.read_text(encoding="utf-8"))
    [(key, (_digest, text))] = data["entries"].items()
    entry = json.loads(text)
    for name, value in change.items():
        if name == "finding":
            entry["findings"][0].update(value)
        else:
            entry[name] = value
    text = json.dumps(entry)
    data["entries"][key] = [cache._digest(key, text), text]  # signed with the real key: validation alone decides
    shard.write_text(json.dumps(data), encoding="utf-8")
    again = ResultCache(tmp_path / "c", "ctx")
    assert [r.to_dict() for r in check_files(files, plan=plan, jobs=1, cache=again)] == reference
    assert again.hits == 0


def test_an_untouched_entry_is_still_a_hit(ruleset: Any, tmp_path: Path) -> None:
    from conftest import Settings
    from scrqm.config import Config
    from scrqm.run.batch import Plan, check_files
    from scrqm.run.cache import ResultCache

    plan = Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))
    files = [(_failing(tmp_path), "failing.yaml"), (GOOD, "good.yaml")]
    reference = [r.to_dict() for r in check_files(files, plan=plan, jobs=1)]
    cache = ResultCache(tmp_path, "ctx")
    check_files(files, plan=plan, jobs=1, cache=cache)
    cache.save()
    again = ResultCache(tmp_path, "ctx")
    assert [r.to_dict() for r in check_files(files, plan=plan, jobs=1, cache=again)] == reference
    assert again.hits == 2


# ---------------------------------------------------------------- 1. signals


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def many_referrals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    text = GOOD.read_text(encoding="utf-8")
    for index in range(3000):
        (folder / f"r{index:05d}.yaml").write_text(text.replace("NLSCB-2016-011", f"NLSCB-2016-{index:05d}"),
                                                   encoding="utf-8")
    return folder


def _run_then_signal(folder: Path, out: Path, signum: int) -> tuple[Any, float, list[int], str]:
    """Start `scrqm check -j 3` (the parent and two workers) over `folder`, wait until its workers run, signal the parent alone;
    return the process, the seconds until every pipe closed, the workers and standard error."""
    import signal
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "scrqm", "check", "--isolated", "--no-cache", "-j", "3", "-f", "json",
         "-o", str(out / "report.json"), str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=out, preexec_fn=signals_as_from_a_shell)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(process.pid)) < 2 and process.poll() is None:
        time.sleep(0.02)
    workers = _children(process.pid)
    time.sleep(0.3)  # well into the pool's work (3,000 files take several seconds)
    assert process.poll() is None, "the run ended before it could be stopped"
    started = time.monotonic()
    process.send_signal(signum)
    try:
        # communicate() returns only once every process holding stdout and stderr has closed them.
        _, stderr = process.communicate(timeout=2 if signum != signal.SIGKILL else 5)
    except subprocess.TimeoutExpired:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.communicate()
        raise AssertionError("a pipe stayed open after the parent was signalled") from None
    return process, time.monotonic() - started, workers, stderr.decode()


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_a_signal_to_the_parent_alone_stops_the_run_and_its_workers(
        many_referrals: Path, tmp_path: Path, name: str) -> None:
    import signal

    signum = getattr(signal, name)
    process, seconds, workers, stderr = _run_then_signal(many_referrals, tmp_path, signum)
    assert seconds < 2, f"{seconds:.2f} s to stop"
    assert process.returncode == 128 + signum
    assert stderr == ("scrqm: interrupted\n" if name == "SIGINT"
                      else "scrqm: stopped by SIGTERM; the run did not finish\n")
    assert len(workers) >= 2 and not [pid for pid in workers if _alive(pid)]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no report, and no .report.json.*.tmp


def test_workers_never_outlive_a_parent_killed_with_sigkill(many_referrals: Path, tmp_path: Path) -> None:
    import signal

    _process, seconds, workers, _ = _run_then_signal(many_referrals, tmp_path, signal.SIGKILL)
    assert seconds < 5 and len(workers) >= 2
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [pid for pid in workers if _alive(pid)]:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]


def test_sigterm_while_the_report_is_written_leaves_no_temporary_file(
        run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from scrqm.errors import Terminated
    from scrqm.report.json import JsonReporter

    def half_then_terminated(self: Any, run: Any, stream: Any) -> None:
        stream.write('{"half": ')
        raise Terminated(signal.SIGTERM)

    monkeypatch.setattr(JsonReporter, "render", half_then_terminated)
    out = tmp_path / "out"
    out.mkdir()
    result = run_line("check", "--isolated", "-f", "json", "-o", str(out / "report.json"), str(GOOD))
    assert result.exit_code == 143
    assert result.stderr == "scrqm: stopped by SIGTERM; the run did not finish\n"
    assert list(out.iterdir()) == []


def test_chunks_are_small_and_few_are_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """What bounds the time to stop and the texts held: a 50,000-file run queues a few small chunks."""
    from scrqm.run import batch

    assert batch._chunk_size(50_000, 2) <= batch.MAX_CHUNK <= 256
    assert batch.IN_FLIGHT_PER_WORKER * 2 * batch.MAX_CHUNK <= 2_000


# ---------------------------------------------------------------- 7. configuration and paths


@pytest.mark.parametrize(("toml", "line", "key", "kind"), [
    ("tool = 1\n", 1, "tool", "number"),
    ('[project]\nname = "x"\n\n[tool]\nscrqm = "strict"\n', 5, "tool.scrqm", "string"),
    ("tool.scrqm = [1, 2]\n", 1, "tool.scrqm", "list"),
])
def test_pyproject_whose_tool_table_is_not_a_table_is_a_config_error(
        run_line: Callable[..., Any], tmp_path: Path, toml: str, line: int, key: str, kind: str) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(toml, encoding="utf-8")
    result = run_line("check", "--config", str(config), str(GOOD))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr == (f"scrqm: error: {config}:{line}:1: `{key}` should be a table "
                             f"(`[{key}]` with keys below it), but it is a {kind}\n")


def test_an_oversized_pyproject_is_refused_before_it_is_parsed(
        run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tomllib

    config = tmp_path / "pyproject.toml"
    with open(config, "w", encoding="utf-8") as handle:
        handle.write("[tool.scrqm]\nprofile = \"wt2015\"\n")
        handle.write("# padding\n" * 300_000)  # about 3 MB
    parsed: list[int] = []
    monkeypatch.setattr(tomllib, "loads", lambda text: parsed.append(len(text)) or {})
    monkeypatch.chdir(tmp_path)
    result = run_line("check", str(GOOD))
    assert result.exit_code == 2 and not parsed
    assert result.stderr.startswith(f"scrqm: error: {config}: the file is over 2 MiB, too large for a configuration")


@pytest.mark.parametrize("target", ["b.yaml", "report.YML", "notes.txt"])
def test_output_never_replaces_a_referral_or_a_yaml_file_without_force(
        run_line: Callable[..., Any], tmp_path: Path, target: str) -> None:
    a, output = tmp_path / "a.yaml", tmp_path / target
    a.write_bytes(GOOD.read_bytes())
    output.write_bytes(GOOD.read_bytes())  # a referral, whatever its name (notes.txt holds one too)
    result = run_line("check", "--isolated", "--today", TODAY, "-f", "json", "-o", str(output), str(a))
    assert result.exit_code == 2 and "pass --force" in result.stderr
    assert output.read_bytes() == GOOD.read_bytes()
    forced = run_line("check", "--isolated", "--today", TODAY, "-f", "json", "-o", str(output), "--force", str(a))
    assert forced.exit_code == 0 and output.read_text(encoding="utf-8").startswith("{")


def test_stdin_filename_cannot_make_output_overwrite_the_referral(run_line: Callable[..., Any], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_bytes(GOOD.read_bytes())
    result = run_line("check", "--isolated", "-", "--stdin-filename", "r.yaml", "-o", "r.yaml",
                      input=GOOD.read_text(encoding="utf-8"))
    assert result.exit_code == 2 and (tmp_path / "r.yaml").read_bytes() == GOOD.read_bytes()


def test_output_to_a_fifo_nobody_reads_fails_at_once(run_line: Callable[..., Any], tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(
        run_line("check", "--isolated", "--today", TODAY, "-f", "json", "-o", str(fifo), str(GOOD))), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the test's thread, then fail
        with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb"):
            worker.join(timeout=5)
        raise AssertionError("--output to a FIFO with no reader blocked")
    [result] = outcome
    assert result.exit_code == 2
    assert "a named pipe (FIFO) that no program is reading" in result.stderr


def test_an_existing_cache_folder_that_cannot_be_read_is_not_a_usage_error(
        run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root `chmod 000` stops nothing: what typer's check asks (os.access) is made to say no."""
    cache = tmp_path / "cache"
    cache.mkdir()
    out = tmp_path / "out.json"
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if Path(path) in (cache, out) and mode & os.R_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    out.write_text("old report", encoding="utf-8")
    result = run_line("check", "--isolated", "--today", TODAY, "--cache-dir", str(cache), "-f", "json",
                      "-o", str(out), str(GOOD))
    assert result.exit_code == 0, result.output


def test_a_file_name_that_is_not_utf8_is_escaped_on_standard_output(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    name = b"bad\xffname.yaml"
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(GOOD.read_bytes())
    # A real process under a UTF-8 locale; the other formats in-process, whose standard output is as strict.
    done = subprocess.run([sys.executable, "-m", "scrqm", "check", "--isolated", "--no-cache", "-f", "json",
                           str(folder)], capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    [file] = json.loads(done.stdout.decode("utf-8"))["files"]  # strict: a raw 0xFF byte would raise here
    assert os.fsencode(file["path"]).endswith(name)  # the escape decodes back to the same name
    for fmt in ("text", "concise", "sarif", "junit", "markdown", "html", "jsonl"):
        result = invoke("check", "--isolated", "--no-cache", "-f", fmt, str(folder))
        assert result.exit_code == 0, (fmt, result.stderr)
        result.stdout_bytes.decode("utf-8")


@pytest.mark.parametrize("fmt", ["json", "text", "concise", "sarif", "junit", "github", "markdown", "html"])
def test_an_identifier_in_a_file_name_is_a_finding_and_masked_under_redact(
        run_line: Callable[..., Any], tmp_path: Path, fmt: str) -> None:
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Child-9434765919.yaml").write_bytes(GOOD.read_bytes())  # a valid NHS number (modulus 11)
    shown = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", "json", str(folder))
    [file] = json.loads(shown.stdout)["files"]
    [finding] = [f for f in file["findings"] if f["rule"] == "privacy-identifier"]
    assert (finding["line"], finding["column"], finding["group"]) == (1, 1, "privacy")
    assert "file name" in finding["message"] and "9434765919" not in finding["message"]
    assert file["verdict"] == "warn" and shown.exit_code == 0
    redacted = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "--redact", "-f", fmt, str(folder))
    assert "9434765919" not in redacted.stdout + redacted.stderr
    assert "Child-" in redacted.stdout


def test_the_file_name_finding_is_not_carried_by_the_cache_to_another_name(
        run_line: Callable[..., Any], tmp_path: Path) -> None:
    import json

    cache = tmp_path / "cache"
    (tmp_path / "Child-9434765919.yaml").write_bytes(GOOD.read_bytes())
    (tmp_path / "plain.yaml").write_bytes(GOOD.read_bytes())  # the same text: the same cache entry
    for _ in range(2):
        result = run_line("check", "--isolated", "--today", TODAY, "--cache-dir", str(cache), "-f", "json",
                          str(tmp_path / "Child-9434765919.yaml"), str(tmp_path / "plain.yaml"))
        named, plain = json.loads(result.stdout)["files"]
        assert [f["rule"] for f in named["findings"]] == ["privacy-identifier"]
        assert plain["findings"] == [] and plain["verdict"] == "pass"


def test_urls_from_a_referral_are_not_links_in_markdown(run_line: Callable[..., Any], tmp_path: Path) -> None:
    import re

    text = _failing(tmp_path).read_text(encoding="utf-8").replace(
        "format: scrqm/referral@1\n",
        "format: scrqm/referral@1\nwaivers:\n  - rule: QM1.3-delay-unexplained\n"
        "    reason: See https://evil.example/login or www.evil.example, HTTP://X.example too\n", 1)
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "-f", "markdown", str(tmp_path / "r.yaml"))
    assert "evil.example/login" in result.stdout  # the reason is shown...
    # ...but nothing GitHub's Markdown would turn into a link by itself (its autolink extension).
    assert not re.search(r"(?i)\b(https?|ftp)://|\bwww\.\w", result.stdout)


def test_fix_and_diff_never_print_a_file_name_that_drives_the_terminal_or_the_runner(
        run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    mendable = f"m{ESC}[2J\n::error::pwned.yaml"
    broken = f"b{ESC}]0;title\n::add-mask::x.yaml"
    (tmp_path / mendable).write_text(GOOD.read_text(encoding="utf-8").replace("statutory: met", "statutory: Met", 1),
                                     encoding="utf-8")
    (tmp_path / broken).write_text("format: scrqm/referral@1\nrationale: [unclosed\n", encoding="utf-8")
    for mode in ("--diff", "--fix"):
        result = run_line("check", "--isolated", "--no-cache", "--today", TODAY, mode, mendable, broken)
        assert_harmless(result.stdout)
        assert_harmless(result.stderr)
        # Shown, not dropped: the diff's header and the refusal name each file, escaped.
        assert "\\x1b]0;title⏎::add-mask::x.yaml: not fixed" in result.stderr
        if mode == "--diff":
            assert "--- m\\x1b[2J⏎::error::pwned.yaml" in result.stdout
    assert "statutory: met" in (tmp_path / mendable).read_text(encoding="utf-8")  # --fix mended it
