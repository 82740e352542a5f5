"""Time and peak memory of `scrqm check` on each hostile file of docs/reliability.md.

    .venv/bin/python benchmarks/hostile.py

Writes each hostile file into a temporary folder, then checks it in a fresh
process, one per file: wall time, and the peak resident memory of that
process (getrusage of a one-child helper, so each number is that run's own).
A plain example is measured first, for the cost of starting Python and
importing scrqm.  Prints a Markdown table to paste into docs/reliability.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "01-exemplary-death.yaml"
HEADER = "format: scrqm/referral@1\n"

# Runs one command and reports its own peak RSS: RUSAGE_CHILDREN of a helper
# with a single child is that child's peak (Linux: KiB; macOS: bytes).
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = usage.ru_maxrss
peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
print(f"{done.returncode} {seconds:.3f} {peak_mib:.1f} {usage.ru_utime + usage.ru_stime:.3f}")
sys.stdout.write(done.stdout.decode("utf-8", "replace"))
"""


def laughs(levels: int) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    names = "abcdefghijklmnop"
    for index in range(1, levels):
        name, previous = names[index], names[index - 1]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return HEADER + "\n".join(lines) + "\n"


def prose(size: int) -> str:
    sentence = "The health visitor saw the child at home and the GP was told. "
    return sentence * (size // len(sentence))


CASES: list[tuple[str, Callable[[Path], None]]] = [
    ("baseline: a good referral", lambda p: p.write_bytes(EXAMPLE.read_bytes())),
    ("billion laughs (10^9 values)", lambda p: p.write_text(laughs(9))),
    ("nesting 5,000 deep, flow [[[...]]]", lambda p: p.write_text(HEADER + "a: " + "[" * 5000 + "]" * 5000)),
    ("nesting 5,000 deep, block - - -", lambda p: p.write_text(HEADER + "a:\n" + "- " * 5000 + "x\n")),
    ("50 MB file (sparse)", lambda p: p.open("wb").truncate(50 * 1024 * 1024)),
    ("1 MB single line", lambda p: p.write_text(EXAMPLE.read_text() + "delay:\n  explanation: "
                                                   + prose(1024 * 1024) + "\n")),
    ("2 MB of prose, just under the size limit", lambda p: p.write_text(
        EXAMPLE.read_text() + "delay:\n  explanation: >\n" + "".join("    " + prose(2000) + "\n" for _ in range(1000)))),
    ("49,000 values, just under the node limit", lambda p: p.write_text(
        HEADER + "institutions:\n" + "".join(f"  - n{i}\n" for i in range(48_900)))),
    ("binary data (2 MB random with NUL)", lambda p: p.write_bytes(bytes(range(256)) * 8000)),
    ("invalid UTF-8", lambda p: p.write_bytes(HEADER.encode() + b"rationale: caf\xe9\n")),
    ("UTF-16", lambda p: p.write_bytes(EXAMPLE.read_text().encode("utf-16"))),
    ("several documents", lambda p: p.write_text(EXAMPLE.read_text() + "---\n" + HEADER)),
    ("python tag", lambda p: p.write_text(HEADER + "rationale: !!python/object/apply:os.system [id]\n")),
    ("dates 0001-01-01 to 9999-12-31", lambda p: p.write_text(
        EXAMPLE.read_text().replace("date: 2016-11-10", "date: 9999-12-31", 1)
        .replace("date: 2016-11-07", "date: 0001-01-01", 1).replace("aware_date: 2016-11-08", "aware_date: 0001-01-02"))),
    ("ESC sequences and ::error lines in waivers and keys", lambda p: p.write_text(EXAMPLE.read_text().replace(
        "format: scrqm/referral@1\n", 'format: scrqm/referral@1\nwaivers:\n  - rule: "x\\e]0;t\\a\\n::error::y"\n'
        '    reason: "\\e[2J\\n::add-mask::z"\n', 1))),
]


# The same attacks with the configuration's limits raised to their caps.
CAPS = "limits:\n  max-nodes: 1000000\n  max-depth: 1000\n  max-file-size: 16777216\n"
AT_THE_CAPS: list[tuple[str, Callable[[Path], None]]] = [
    ("billion laughs, max-nodes at its cap (1,000,000)", lambda p: p.write_text(laughs(9))),
    ("nesting 999 deep, max-depth at its cap (1,000)", lambda p: p.write_text(
        HEADER + "a: " + "[" * 999 + "]" * 999)),
    ("16 MB of prose, max-file-size at its cap (16 MiB)", lambda p: p.write_text(
        EXAMPLE.read_text() + "delay:\n  explanation: >\n" + "".join("    " + prose(2000) + "\n" for _ in range(8300)))),
    ("8 MB referral, 195,000 agencies, every limit at its cap", lambda p: p.write_text(
        EXAMPLE.read_text().replace("agencies:\n", "agencies:\n" + "".join(
            f"  - name: Agency {i}\n    involvement: Saw the child at home twice.\n" for i in range(195_000)), 1))),
]


def many_files(folder: Path, count: int) -> Path:
    """`count` copies of the example in one folder (the case references differ)."""
    target = folder / f"many-{count}"
    target.mkdir()
    text = EXAMPLE.read_text()
    for index in range(count):
        (target / f"r{index:05d}.yaml").write_text(text.replace("NLSCB-2016-011", f"NLSCB-2016-{index:05d}"))
    return target


def deep_folder(folder: Path, levels: int) -> Path:
    import os

    root = folder / "deep"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with open(os.open("bottom.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as handle:
        handle.write(EXAMPLE.read_bytes())
    os.close(fd)
    return root


def remove_deep(root: Path) -> None:
    """Remove a tree of any depth without recursion (TemporaryDirectory's rmtree recurses)."""
    import os

    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY)]
    names: list[str] = []
    while fds:
        with os.scandir(fds[-1]) as listing:
            entries = list(listing)
        sub = next((e.name for e in entries if e.is_dir(follow_symlinks=False)), None)
        if sub is not None:
            fds.append(os.open(sub, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
            names.append(sub)
            continue
        for entry in entries:
            os.unlink(entry.name, dir_fd=fds[-1])
        os.close(fds.pop())
        if fds:
            os.rmdir(names.pop(), dir_fd=fds[-1])
    os.rmdir(root)


def time_to_stop(folder: Path, signum: int) -> tuple[int, float]:
    """Start `scrqm check -j 2` over `folder`, signal the parent alone once its workers run;
    the exit status and the seconds until every pipe it (and any worker) held was closed."""
    import os
    import time

    process = subprocess.Popen([sys.executable, "-m", "scrqm", "check", "--isolated", "--no-cache", "-j", "2",
                                "-f", "json", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def children() -> int:
        try:
            return sum(len(open(f"/proc/{process.pid}/task/{t}/children").read().split())
                       for t in os.listdir(f"/proc/{process.pid}/task"))
        except OSError:
            return 0

    while children() < 2 and process.poll() is None:
        time.sleep(0.02)
    time.sleep(1.0)
    started = time.perf_counter()
    process.send_signal(signum)
    process.communicate()
    return process.returncode, time.perf_counter() - started


def cpu_of_ten_far_dates(folder: Path) -> tuple[int, float, float, str]:
    target = folder / "ten-dates"
    target.mkdir()
    text = EXAMPLE.read_text()
    for index in range(10):
        (target / f"d{index}.yaml").write_text(
            text.replace("date: 2016-11-10", f"date: 9999-12-{10 + index}", 1)
            .replace("date: 2016-11-07", f"date: 000{1 + index % 9}-01-01", 1))
    return measure(target)


# CPU seconds of the last measured run (user + system, its workers included): on a shared,
# loaded machine wall time says more about the neighbours than about scrqm.
LAST_CPU: list[float] = [0.0]


def measure(path: Path, *options: str) -> tuple[int, float, float, str]:
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "scrqm", "check", "--no-cache",
               *(options or ("--isolated",)), "--format", "json", "--today", "2026-11-26", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    first, _, report = done.stdout.partition("\n")
    code, seconds, peak, cpu = first.split()
    LAST_CPU[0] = float(cpu)
    finding = ""
    if path.is_file() and report.strip():  # a usage error (exit 2) writes no report
        files = json.loads(report)["files"]
        findings = files[0]["findings"] if files else []
        load = [f for f in findings if f["group"] in ("load", "io")]
        finding = load[0]["message"] if load else f"verdict {files[0]['verdict']}, {len(findings)} findings"
    return int(code), float(seconds), float(peak), finding


def main() -> None:
    print(f"Python {sys.version.split()[0]} on {sys.platform}; each row is one fresh process.\n")
    print("| case | exit | time (s) | CPU (s) | peak RSS (MiB) | answer |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, write in CASES:
            path = Path(folder) / (name.split()[0].strip(":,") + ".yaml")
            write(path)
            code, seconds, peak, finding = measure(path)
            print(f"| {name} | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | {finding[:90]} |")
        config = Path(folder) / "caps.yaml"
        config.write_text(CAPS, encoding="utf-8")
        for name, write in AT_THE_CAPS:
            path = Path(folder) / (name.split()[0].strip(":,") + "-caps.yaml")
            write(path)
            code, seconds, peak, finding = measure(path, "--config", str(config))
            print(f"| {name} | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | {finding[:90]} |")
        code, seconds, peak, _ = cpu_of_ten_far_dates(Path(folder))
        print(f"| 10 files, dates 0001 to 9999, in one run | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | "
              "each a fail: QM1.3-date-before-1900 and QM1.3-future-date |")
        deep = deep_folder(Path(folder), 1200)
        code, seconds, peak, _ = measure(deep)
        print(f"| a folder 1,200 levels deep | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | "
              "the file at the bottom is checked |")
        remove_deep(deep)
        pyproject = Path(folder) / "pyproject.toml"
        with pyproject.open("w") as handle:
            handle.write("[tool.scrqm]\n" + "# padding\n" * 2_000_000)
        code, seconds, peak, _ = measure(EXAMPLE, "--config", str(pyproject))
        print(f"| 20 MB pyproject.toml | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | refused: over 2 MiB, before parsing |")
        import signal

        many = many_files(Path(folder), 15_000)
        for name, signum in (("SIGTERM", signal.SIGTERM), ("Ctrl-C (SIGINT)", signal.SIGINT)):
            code, seconds = time_to_stop(many, signum)
            print(f"| {name} to the parent of a 15,000-file -j 2 run | {code} | {seconds:.2f} (to stop) | - | - | "
                  "every worker gone and every pipe closed |")
        corpus = next((c for c in (d / "shared" / "corpora" / "yaml-test-suite" for d in ROOT.parents)
                       if c.is_dir()), None)
        if corpus is not None:
            code, seconds, peak, _ = measure(corpus)
            print(f"| yaml-test-suite, 402 files in one run | {code} | {seconds:.2f} | {LAST_CPU[0]:.2f} | {peak:.0f} | "
                  "each file invalid with a load or shape finding |")


if __name__ == "__main__":
    main()
