"""Checking many files: the result cache first, then the rest across processes.

The parent reads every file (it must, to hash it for the cache), answers what
the cache knows, and hands the rest to a pool of worker processes in chunks.
Results come back in the order the files were given, whatever order the
workers finish in, so reports are the same with any `--jobs`.  Few files are
checked in the parent: starting workers would cost more than it saves.

Workers get the rule set, configuration and settings once, when they start
(inherited for free where processes fork); each file then costs only its text
on the way out and its result on the way back.

Stopping: a chunk is at most `MAX_CHUNK` files and at most `IN_FLIGHT_PER_WORKER`
chunks per worker are sent ahead, so little is queued; on Ctrl-C, SIGTERM or
any error the workers are killed, not waited for.  On Linux each worker also
asks the kernel to kill it when the parent dies (`PR_SET_PDEATHSIG`), so no
worker outlives the run however it ends, even by `kill -9`.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from scrqm.config import Config
from scrqm.load.document import LoadFailure, read_path
from scrqm.packs.loader import RuleSet
from scrqm.packs.select import Selection
from scrqm.pipeline import Observe, Settings, check_file_name, check_stream, check_text, file_failure
from scrqm.result import FileResult
from scrqm.run.cache import ResultCache, entry_key, rules_key

# Below this many files to check, a pool costs more than it saves.  Measured on 2 cores with copies of
# the examples (2026-12-02, `scrqm check --no-cache`, --jobs 1 against 2): 24 files 479 against 512 ms,
# 48 files 678 against 641 ms; the 34 bundled examples are as fast in one process and take half the CPU.
SERIAL_BELOW = 40
# Chunks per worker: enough to balance uneven files, few enough to keep pickling cheap.
CHUNKS_PER_WORKER = 8
# More workers than this per core only costs forks and memory (`--jobs 200` on a laptop).
WORKERS_PER_CORE = 4
# A chunk is a worker's unit of work: small enough that none runs for long, and that few texts wait in memory.
MAX_CHUNK = 128
# Chunks sent ahead per worker before the parent waits for the oldest: reading stays ahead, the queue stays short.
IN_FLIGHT_PER_WORKER = 3


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def jobs_of(config: Config) -> int:
    return config.jobs or default_jobs()


@dataclass
class Job:
    """One file to check: where it is, the name shown, and (once read) its text."""

    index: int
    path: Path
    display: str
    text: str = ""
    key: str = ""


@dataclass
class Plan:
    """What every file of a run is checked with.

    `selection` answers which rules judge each file; without one, `ruleset` is the
    run profile's and a referral naming another profile gets that profile as
    configured by `config`.  With `observe`, each valid referral's result carries
    what it returns (`scrqm patterns` keeps only names and dates), and with
    `keep_findings=False` the findings are dropped where the file was checked.
    """

    ruleset: RuleSet
    config: Config
    settings: Settings
    chosen_by: InitVar[Selection | None] = None
    observe: Observe | None = None
    keep_findings: bool = True
    selection: Selection = field(init=False)

    def __post_init__(self, chosen_by: Selection | None) -> None:
        self.selection = chosen_by if chosen_by is not None else Selection.fixed(self.ruleset, self.config)

    def rules_for(self, display: str) -> RuleSet:
        """The rules of a file whose referral names no profile of its own (the cache's key)."""
        return self.selection.for_file(display)

    def before_fork(self) -> None:
        """Build, in this process, what every check builds on first use and then keeps, so that
        forked workers share it rather than each building its own: the common English words
        (about 2 MB, read where a pack judges filler)."""
        if self.settings.judge and self.ruleset.filler is not None:
            from scrqm.judge.english import COMMON_WORDS, english_words  # start-up: only before a pool forks

            english_words(COMMON_WORDS)

    def check_text(self, text: str, display: str) -> FileResult:
        return self._kept(check_text(text, display=display, ruleset=self.rules_for(display), settings=self.settings,
                                     choose=self.selection.chooser(display), observe=self.observe))

    def check_stream(self, stream: BinaryIO, display: str) -> FileResult:
        return self._kept(check_stream(stream, display=display, ruleset=self.rules_for(display),
                                       settings=self.settings, choose=self.selection.chooser(display),
                                       observe=self.observe))

    def check(self, job: Job) -> FileResult:
        return self.check_text(job.text, job.display)

    def _kept(self, result: FileResult) -> FileResult:
        if not self.keep_findings:
            result.findings = []
        return result


def check_files(
    files: Iterable[tuple[Path, str]],
    *,
    plan: Plan,
    jobs: int,
    cache: ResultCache | None = None,
    advance: Callable[[], None] = lambda: None,
) -> list[FileResult]:
    """The result of each (path, display) given, in the order given; `advance` once per file done."""
    return list(iter_check_files(files, plan=plan, jobs=jobs, cache=cache, advance=advance))


def iter_check_files(
    files: Iterable[tuple[Path, str]],
    *,
    plan: Plan,
    jobs: int,
    cache: ResultCache | None = None,
    advance: Callable[[], None] = lambda: None,
) -> Iterator[FileResult]:
    """`check_files`, each result yielded as soon as it and every one before it are done.

    A report that can be written file by file (text, concise, jsonl, github)
    is written while the run goes on, and nothing of a file need be kept once
    it is written: memory does not grow with the folder.  The order is the
    order given, whatever `jobs` is.
    """
    from scrqm.startup import done  # start-up: kept off `scrqm --version`'s path with the rest of start-up

    done()  # start-up is over: freeze what it built (shared with forked workers), collect as usual
    waiting = _Waiting(files)
    del files  # the caller's names: let go, as only `waiting` is read from now on
    count = len(waiting)
    base_rules = rules_key(plan.ruleset.rules) if cache is not None else ""
    ready: dict[int, FileResult] = {}  # done, waiting for an earlier file
    following = 0  # the index of the next result to yield
    jobs = min(jobs, WORKERS_PER_CORE * default_jobs())
    chunk = _chunk_size(count, jobs)
    runner = _Runner(plan, jobs=jobs, chunk=chunk, workers=_workers(jobs, files=count, chunk=chunk),
                     advance=advance)

    def checked(job: Job, result: FileResult) -> None:
        if cache is not None:
            cache.put(job.key, result)
        ready[job.index] = result

    def in_order() -> Iterator[FileResult]:
        nonlocal following
        while following in ready:
            result = ready.pop(following)
            following += 1
            yield check_file_name(result, plan.rules_for(result.path), redact=plan.settings.redact)

    try:
        for index in range(count):
            path, display = waiting.next()
            job = Job(index, path, display)
            result = _read(job, plan.settings)
            if result is None and cache is not None:
                rules = plan.rules_for(display).rules
                job.key = entry_key(job.text, base_rules if rules is plan.ruleset.rules else rules_key(rules))
                result = cache.get(job.key, display=display)
            if result is None:
                runner.add(job)
            else:
                ready[index] = result
                advance()
            for finished in runner.take():
                checked(*finished)
            yield from in_order()
        for finished in runner.finish():
            checked(*finished)
            yield from in_order()
    finally:
        runner.close()


class _Waiting:
    """The files still to be read, in order, held as two strings (their paths, the names shown).

    Not as a list of Path objects: a forked worker shares the pages those would
    lie on until this process writes to them, and merely taking an item from a
    list writes its reference counts, so each page it touched became the
    worker's own copy (at 50,000 files, most of the worker's 48 MB).  Reading
    a slice of a string writes nothing of it.
    """

    def __init__(self, files: Iterable[tuple[Path, str]]) -> None:
        paths: list[str] = []
        shown: list[str] = []
        for path, display in files:
            paths.append(os.fspath(path))
            shown.append(display)
        self.count = len(paths)
        # No path holds a NUL (the system refuses one); a name given by a caller might: a list then.
        self.joined = all("\0" not in name for name in shown)
        self.paths: str | list[str] = "\0".join(paths) if self.joined else paths
        self.shown: str | list[str] = "\0".join(shown) if self.joined else shown
        self.taken = 0
        self.path_at = self.name_at = 0  # where the next path and name start in the joined strings

    def __len__(self) -> int:
        return self.count

    def next(self) -> tuple[Path, str]:
        """The next file's path, and the name shown for it."""
        if not self.joined:
            index, self.taken = self.taken, self.taken + 1
            return Path(self.paths[index]), self.shown[index]
        assert isinstance(self.paths, str) and isinstance(self.shown, str)
        path, self.path_at = _piece(self.paths, self.path_at)
        name, self.name_at = _piece(self.shown, self.name_at)
        return Path(path), name


def _piece(joined: str, start: int) -> tuple[str, int]:
    """The text of `joined` from `start` to the next NUL (or the end), and where the next piece starts."""
    end = joined.find("\0", start)
    end = len(joined) if end < 0 else end
    return joined[start:end], end + 1


def _read(job: Job, settings: Settings) -> FileResult | None:
    """Fill in the job's text, or give the `invalid` result of a file that cannot be read."""
    try:
        job.text = read_path(job.path, limits=settings.limits)
    except (LoadFailure, OSError) as exc:
        return file_failure(job.path, job.display, exc)
    return None


def _chunk_size(files: int, jobs: int) -> int:
    return min(MAX_CHUNK, max(4, -(-files // (max(jobs, 1) * CHUNKS_PER_WORKER))))


def _workers(jobs: int, *, files: int, chunk: int) -> int:
    """No more processes than chunks to give them: a worker without a chunk is a wasted fork.

    The pool starts with a first chunk of `SERIAL_BELOW` files (see `_Runner.add`), then
    chunks of `chunk`; files answered by the cache only lower the count.
    """
    first = max(chunk, SERIAL_BELOW)
    chunks = 1 + -(-max(0, files - first) // chunk)
    return max(1, min(jobs, chunks))


class _Runner:
    """Checks jobs as they are read: in this process until there are enough, then in a pool.

    The pool starts (and its workers fork) once `SERIAL_BELOW` files wait, so
    workers never inherit the texts of a whole large run; each chunk is sent
    as soon as it is full, so reading and checking overlap.  This process is
    one of the `workers`: it checks every n-th chunk itself between sending the
    others, so `--jobs 2` is this process and one worker, not a waiting parent
    and two workers (a worker is some 40 MB).
    """

    def __init__(self, plan: Plan, *, jobs: int, chunk: int, workers: int, advance: Callable[[], None]) -> None:
        self.plan = plan
        self.advance = advance
        self.jobs = jobs
        self.workers = workers
        self.processes = max(1, workers - 1)  # the pool's; this process is the other worker
        self.chunk = chunk
        self.waiting: list[Job] = []
        self.done: list[tuple[Job, FileResult]] = []
        self.sent: list[tuple[list[Job], Any]] = []
        self.handed = 0  # chunks given out so far, to the pool or to this process
        self.executor: Any = None

    def _here(self, job: Job) -> tuple[Job, FileResult]:
        """`job` checked in this process; its text let go once checked."""
        result = self.plan.check(job)
        job.text = ""
        self.advance()
        return job, result

    def add(self, job: Job) -> None:
        if self.jobs <= 1:
            self.done.append(self._here(job))
            return
        self.waiting.append(job)
        if len(self.waiting) >= (self.chunk if self.executor else max(self.chunk, SERIAL_BELOW)):
            self._send()

    def _send(self) -> None:
        chunk, self.waiting = self.waiting, []
        turn, self.handed = self.handed % self.workers, self.handed + 1
        if self.workers > 1 and turn == self.workers - 1:
            # This process's turn (never the first chunk: the pool starts at once); the pool has its queue meanwhile.
            self.done.extend(self._here(job) for job in chunk)
            return
        if self.executor is None:
            from concurrent.futures import ProcessPoolExecutor  # start-up: the process pool only once enough files wait

            self.plan.before_fork()
            self.executor = ProcessPoolExecutor(
                self.processes, mp_context=_context(), initializer=_start_worker, initargs=(self.plan, os.getpid())
            )
        # Texts travel to the workers; the parent keeps only what it needs to file the results.
        outgoing = [Job(0, job.path, job.display, job.text) for job in chunk]
        for job in chunk:
            job.text = ""
        self.sent.append((chunk, self.executor.submit(_check_chunk, outgoing)))
        # Wait for the oldest chunk before sending more than a few ahead per worker.
        while len(self.sent) > IN_FLIGHT_PER_WORKER * self.processes:
            self._collect(*self.sent.pop(0))

    def _collect(self, chunk: list[Job], future: Any) -> None:
        results = future.result()
        self.done.extend(zip(chunk, results))
        for _ in results:
            self.advance()

    def take(self) -> list[tuple[Job, FileResult]]:
        """What is done so far, given once."""
        done, self.done = self.done, []
        return done

    def finish(self) -> Iterator[tuple[Job, FileResult]]:
        """The rest, as it is done: the files still waiting, then each chunk in the order sent."""
        if self.executor is not None and self.waiting:
            self._send()
        yield from self.take()
        for job in self.waiting:
            yield self._here(job)
        self.waiting = []
        while self.sent:
            self._collect(*self.sent.pop(0))
            yield from self.take()

    def close(self) -> None:
        if self.executor is None:
            return
        if self.sent:
            # Stopped early (Ctrl-C, SIGTERM, an error): nothing running or queued is worth waiting
            # for, and a worker left running would keep the run's stdout open (`scrqm | cat` hangs).
            for process in list(getattr(self.executor, "_processes", {}).values()):
                try:
                    process.kill()
                except (OSError, ValueError, AttributeError):
                    pass
        # With the workers dead the pool's own threads end at once; waiting for them here keeps
        # their complaints about closed pipes ("Bad file descriptor") off standard error at exit.
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = None


# ---------------------------------------------------------------- the pool

_plan: Plan | None = None


def _start_worker(plan: Plan, parent: int | None = None) -> None:
    global _plan
    _plan = plan
    # Ctrl-C and SIGTERM are the parent's to handle: it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)


def _die_with_parent(parent: int | None) -> None:
    """Ask Linux to kill this worker when the parent dies, however it dies (`kill -9` included)."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the parent's own clean-up (close) is what stops the workers
    import ctypes  # start-up: ctypes only in a worker, on Linux

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _check_chunk(chunk: list[Job]) -> list[FileResult]:
    assert _plan is not None
    return [_plan.check(job) for job in chunk]


def _context() -> Any:
    """fork where it is safe (Linux): workers inherit the imports and the rule set at no cost."""
    import multiprocessing  # start-up: only when a pool starts

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
