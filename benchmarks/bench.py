"""Benchmark: `scrqm check` side by side with check-jsonschema and yamllint.

Generates N synthetic referrals (about 3 KB each, varied from `examples/`, so
the mix passes, warns, fails and is invalid) in a temporary folder, then times,
in the same run and on the same files:

- `scrqm check` cold (empty cache), warm (cache filled), `--no-cache`, and
  `--jobs 1`;
- `check-jsonschema --schemafile schema.json FILES` (the schema is `scrqm
  schema`'s output, or `Referral.model_json_schema()` where that command does
  not exist yet);
- `yamllint FOLDER`;
- startup: `scrqm --version` and `scrqm check` on one referral;
- the YAML parse floor: ruamel's C parser alone over the same files.

Each figure is the median of `--repeat` runs (3 by default; the machine may be
busy, so medians, not means).  Peak memory is the largest resident set of the
whole process tree (parent plus workers: proportional set size, sampled from
/proc every 20 ms).  CPU is user plus system time of the process and the
workers it waited for: a busy machine distorts it less than wall time.

Setup and use (from the repository root):

    python3 -m venv .venv && .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench.py --files 1000
    .venv/bin/python benchmarks/bench.py --files 10000 --repeat 3

Focused figures (each its own run, each on a fresh corpus):

    .venv/bin/python benchmarks/bench.py --single           # one referral: scrqm, check-jsonschema, yamllint
    .venv/bin/python benchmarks/bench.py --per-file 1000,10000  # CPU per file, --no-cache, against check-jsonschema
    .venv/bin/python benchmarks/bench.py --big              # peak memory at 50,000 with --jobs 1 and --jobs 2

`--single` runs the three tools in turn, round after round (interleaved, so a
change of load hits them alike), at least 9 rounds, scrqm with an empty cache
each time, output piped with NO_COLOR set: what a pre-commit hook sees.
Byte-code is written as usual (PYTHONDONTWRITEBYTECODE is removed from the
environment: with it every run compiles scrqm's sources again).

The peers are looked up next to the running interpreter (the venv's bin/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
TODAY = "2026-11-26"
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_REFERENCE = re.compile(r"\b([A-Z]{2,6})-(\d{4})-(\d{3})\b")
_CHILD = re.compile(r"\bChild ([A-Z])\b")


# ---------------------------------------------------------------- the corpus


def vary(text: str, index: int, rng: random.Random) -> str:
    """The example with its dates, references and pseudonyms changed.

    Dates move by whole weeks, so weekdays stay and only bank holidays shift a
    delay; the referral reference makes every file's content unique.
    """
    weeks = rng.randrange(0, 60)

    def shift(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return (day + dt.timedelta(weeks=weeks)).isoformat()

    letter = chr(ord("A") + index % 26)
    text = _DATE.sub(shift, text)
    text = _REFERENCE.sub(lambda m: f"{m[1]}-{m[2]}-{index:06d}", text)
    return _CHILD.sub(f"Child {letter}", text)


def generate(folder: Path, count: int, *, seed: int = 6) -> list[Path]:
    examples = sorted(EXAMPLES.glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in examples]
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        source = index % len(texts)
        path = folder / f"r{index:06d}-{examples[source].stem[:24]}.yaml"
        path.write_text(vary(texts[source], index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def write_schema(path: Path) -> str:
    """`scrqm schema` if the command exists; else the model's own JSON Schema."""
    done = subprocess.run([str(BIN / "scrqm"), "schema"], capture_output=True, text=True)
    if done.returncode == 0 and done.stdout.lstrip().startswith("{"):
        path.write_text(done.stdout, encoding="utf-8")
        return "scrqm schema"
    from scrqm.shape.model import Referral

    path.write_text(json.dumps(Referral.model_json_schema()), encoding="utf-8")
    return "Referral.model_json_schema() (no `scrqm schema` command on this branch)"


# ---------------------------------------------------------------- measuring


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    tree_peak_kb: int
    returncode: int


def _tree_rss_kb(root: int) -> int:
    """Memory of `root` and all its descendants, in KiB (Linux /proc).

    Proportional set size: a page shared by a forked worker and its parent
    counts half to each, so the sum is what the run really occupies (plain
    RSS would count the shared interpreter and rule set once per process).
    """
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
                pending.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_once(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Sample:
    peak = [0]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # CPU of the process and the workers it waited for: a figure that a busy machine distorts less.
    return Sample(seconds, usage.ru_utime + usage.ru_stime, peak[0], process.returncode)


def median_of(command: list[str], *, repeat: int, cwd: Path, env: dict[str, str] | None = None,
              before_each: object = None) -> Sample:
    """The median wall and CPU time of `repeat` runs, and the highest memory peak."""
    samples = []
    for _ in range(repeat):
        if callable(before_each):
            before_each()
        samples.append(run_once(command, cwd=cwd, env=env))
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu_seconds for s in samples),
        max(s.tree_peak_kb for s in samples),
        samples[-1].returncode,
    )


def parse_floor(paths: list[Path], *, repeat: int, pure: bool = False) -> float:
    """Seconds for ruamel's C parser (or its pure one) alone to give the events of every file, one process."""
    from _ruamel_yaml import CParser
    from ruamel.yaml import YAML

    texts = [p.read_text(encoding="utf-8") for p in paths]
    python_parser = YAML(typ="safe", pure=True)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            if pure:
                for _event in python_parser.parse(text):
                    pass
                continue
            parser = CParser(text)
            while parser.check_event():
                parser.get_event()
            parser.dispose()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def scrqm_floor(paths: list[Path], *, repeat: int) -> float:
    """Seconds for scrqm's whole per-file pipeline in one process, startup and report excluded."""
    from scrqm.pipeline import Settings, check_text
    from scrqm.packs.loader import load_ruleset

    ruleset, settings = load_ruleset(), Settings(today=dt.date.fromisoformat(TODAY))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            check_text(text, display="r.yaml", ruleset=ruleset, settings=settings)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="how many referrals to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is shown")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for scrqm (default: its own)")
    parser.add_argument("--no-peers", action="store_true", help="time scrqm only")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    parser.add_argument("--single", action="store_true", help="only the one-referral comparison")
    parser.add_argument("--per-file", default=None, metavar="N,N",
                        help="only CPU per file at these corpus sizes (e.g. 1000,10000)")
    parser.add_argument("--big", action="store_true", help="only peak memory at 50,000 referrals, --jobs 1 and 2")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="scrqm-bench-"))
    try:
        if args.single:
            return single(work, rounds=max(9, args.repeat))
        if args.per_file:
            return per_file(work, [int(n) for n in args.per_file.split(",")], repeat=args.repeat)
        if args.big:
            return big(work, files=50_000)
        return bench(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(work: Path, args: argparse.Namespace) -> int:
    folder = args.keep or work / "referrals"
    folder.mkdir(parents=True, exist_ok=True)
    paths = generate(folder, args.files)
    size = sum(p.stat().st_size for p in paths) / len(paths)
    cache = work / "cache"
    env = {**os.environ, "NO_COLOR": "1"}
    scrqm = [str(BIN / "scrqm"), "check", "--isolated", "--today", TODAY, "--cache-dir", str(cache)]
    if args.jobs:
        scrqm += ["--jobs", str(args.jobs)]
    rows: dict[str, Sample] = {}

    def add(label: str, command: list[str], **kw: object) -> float:
        sample = median_of(command, repeat=args.repeat, cwd=work, env=env, **kw)  # type: ignore[arg-type]
        rows[label] = sample
        print(f"  {label:<40} {sample.seconds:8.3f} s wall {sample.cpu_seconds:8.3f} s CPU   "
              f"peak {sample.tree_peak_kb / 1024:6.1f} MB", flush=True)
        return sample.seconds

    print(f"{len(paths)} referrals, {size / 1024:.1f} KB each on average, in {folder}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start; "
          f"Python {sys.version.split()[0]}; medians of {args.repeat} runs")
    print("  (CPU = user + system time of the process and its workers; peak = memory (PSS) of the"
          " whole process tree)")
    mix = verdict_mix(scrqm, folder, work, env)
    print(f"verdicts: {mix}")
    clear = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
    cold = add("scrqm check (cold cache)", [*scrqm, str(folder)], before_each=clear)
    add("scrqm check --no-cache", [*scrqm, "--no-cache", str(folder)])
    add("scrqm check --no-cache --jobs 1", [*scrqm, "--no-cache", "--jobs", "1", str(folder)])
    add("scrqm check --no-cache --format json", [*scrqm, "--no-cache", "--format", "json", str(folder)])
    run_once([*scrqm, str(folder)], cwd=work, env=env)  # fill the cache
    warm = add("scrqm check (warm cache)", [*scrqm, str(folder)])
    if not args.no_peers:
        schema = work / "schema.json"
        origin = write_schema(schema)
        files = [str(p) for p in paths]
        jsonschema = add("check-jsonschema", [str(BIN / "check-jsonschema"), "--schemafile", str(schema), *files])
        yamllint = add("yamllint", [str(BIN / "yamllint"), str(folder)])
        print(f"  (schema: {origin})")
    one = str(paths[0])
    version = add("scrqm --version", [str(BIN / "scrqm"), "--version"])
    single = add("scrqm check one referral (--no-cache)", [*scrqm, "--no-cache", one])
    floor = parse_floor(paths, repeat=args.repeat)
    pure = parse_floor(paths, repeat=1, pure=True)
    pipeline = scrqm_floor(paths, repeat=args.repeat)
    print(f"  {'C parser events alone, one process':<40} {floor:8.3f} s")
    print(f"  {'pure-Python parser events alone':<40} {pure:8.3f} s")
    print(f"  {'scrqm per-file pipeline, one process':<40} {pipeline:8.3f} s   (no startup, no report)")
    print()
    print(f"warm / cold                     {warm / cold:6.2f}")
    if not args.no_peers:
        print(f"scrqm / check-jsonschema        {cold / jsonschema:6.2f}   (target <= 1.00)")
        print(f"scrqm / yamllint                {cold / yamllint:6.2f}   (target <= 0.25)")
    print(f"scrqm --version                 {version * 1000:6.0f} ms (target < 100 ms)")
    print(f"scrqm check, one referral       {single * 1000:6.0f} ms (target < 300 ms)")
    cold_memory = rows["scrqm check (cold cache)"].tree_peak_kb / 1024
    print(f"cold run wall time              {cold:6.2f} s  (target < 10 s at 10,000)")
    print(f"cold run peak memory            {cold_memory:6.1f} MB (target < 300 MB at 10,000)")
    print(f"load average at the end         {os.getloadavg()[0]:6.2f}")
    return 0


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")}
    return {**env, "NO_COLOR": "1"}


def _machine(note: str) -> None:
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python {sys.version.split()[0]}; {note}")
    print("  (CPU = user + system time of the process and its workers; peak = memory (PSS) of the whole"
          " process tree)")


def single(work: Path, *, rounds: int) -> int:
    """One referral, cold cache, piped: scrqm against check-jsonschema and yamllint, interleaved."""
    folder = work / "one"
    folder.mkdir()
    one = generate(folder, 1)[0]
    schema = work / "schema.json"
    write_schema(schema)
    env = _environment()
    commands = {
        "scrqm check (cold cache)": lambda i: [str(BIN / "scrqm"), "check", "--isolated", "--today", TODAY,
                                               "--cache-dir", str(work / f"cache{i}"), str(one)],
        # The hook's usual case: the packs unchanged since the last run, so their assembled
        # rule set is kept in the cache folder, but the file is new (its result is not).
        "scrqm check (rule set kept)": lambda i: [str(BIN / "scrqm"), "check", "--isolated", "--today", TODAY,
                                                  "--cache-dir", str(work / "kept"), str(one)],
        "check-jsonschema": lambda i: [str(BIN / "check-jsonschema"), "--schemafile", str(schema), str(one)],
        "yamllint": lambda i: [str(BIN / "yamllint"), str(one)],
    }
    run_once(commands["scrqm check (cold cache)"](-1), cwd=work, env=env)  # byte-code written once
    run_once(commands["scrqm check (rule set kept)"](-1), cwd=work, env=env)  # the rule set kept
    samples: dict[str, list[Sample]] = {label: [] for label in commands}
    for index in range(rounds):
        for label, command in commands.items():
            for shard in (work / "kept").glob("v*/*.json"):
                shard.unlink()  # the file's result is never cached: only the rule set
            samples[label].append(run_once(command(index), cwd=work, env=env))
    _machine(f"one referral, {rounds} interleaved rounds, medians")
    medians = {}
    for label, taken in samples.items():
        wall = statistics.median(s.seconds for s in taken)
        cpu = statistics.median(s.cpu_seconds for s in taken)
        medians[label] = (wall, cpu)
        print(f"  {label:<28} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU")
    cold, kept, jsonschema, yamllint = (medians[label] for label in commands)
    for label, scrqm in (("cold", cold), ("rule set kept", kept)):
        print(f"scrqm ({label}) / check-jsonschema  wall {scrqm[0] / jsonschema[0]:5.2f}  "
              f"CPU {scrqm[1] / jsonschema[1]:5.2f}   (goal <= 0.65)")
        print(f"scrqm ({label}) / yamllint          wall {scrqm[0] / yamllint[0]:5.2f}  "
              f"CPU {scrqm[1] / yamllint[1]:5.2f}   (goal <= 2.0)")
    return 0


def per_file(work: Path, sizes: list[int], *, repeat: int) -> int:
    """CPU per file, `--no-cache`, against check-jsonschema on the same files."""
    schema = work / "schema.json"
    write_schema(schema)
    env = _environment()
    _machine(f"CPU per file, medians of {repeat}")
    for size in sizes:
        folder = work / f"n{size}"
        folder.mkdir()
        paths = generate(folder, size)
        scrqm = median_of([str(BIN / "scrqm"), "check", "--isolated", "--today", TODAY, "--no-cache", str(folder)],
                          repeat=repeat, cwd=work, env=env)
        peer = median_of([str(BIN / "check-jsonschema"), "--schemafile", str(schema), *map(str, paths)],
                         repeat=repeat, cwd=work, env=env)
        print(f"  {size:>6} files: scrqm {scrqm.cpu_seconds:7.2f} s CPU ({scrqm.cpu_seconds / size * 1000:.3f} ms a file),"
              f" check-jsonschema {peer.cpu_seconds:7.2f} s CPU ({peer.cpu_seconds / size * 1000:.3f} ms a file);"
              f" ratio {scrqm.cpu_seconds / peer.cpu_seconds:.2f} (goal <= 0.5)")
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def big(work: Path, *, files: int) -> int:
    """Peak memory of the whole process tree at `files` referrals, --jobs 1 and --jobs 2."""
    folder = work / "big"
    folder.mkdir()
    generate(folder, files)
    env = _environment()
    _machine(f"{files} referrals, --no-cache, one run each")
    peaks = {}
    for jobs in (1, 2):
        sample = run_once([str(BIN / "scrqm"), "check", "--isolated", "--today", TODAY, "--no-cache",
                           "--jobs", str(jobs), str(folder)], cwd=work, env=env)
        peaks[jobs] = sample.tree_peak_kb / 1024
        print(f"  --jobs {jobs}: peak {peaks[jobs]:7.1f} MB, {sample.seconds:7.1f} s wall, "
              f"{sample.cpu_seconds:7.1f} s CPU")
    print(f"--jobs 2 / --jobs 1 peak  {peaks[2] / peaks[1]:5.2f}   (goal <= 1.5, and <= 150 MB)")
    return 0


def verdict_mix(scrqm: list[str], folder: Path, cwd: Path, env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run([*scrqm, "--no-cache", "--format", "json", str(folder)],
                          cwd=cwd, env=env, capture_output=True, text=True)
    summary: dict[str, int] = json.loads(done.stdout)["summary"]
    return summary


if __name__ == "__main__":
    sys.exit(main())
