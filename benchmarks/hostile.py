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
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
print(f"{done.returncode} {seconds:.3f} {peak_mib:.1f}")
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
]


# The same attacks with the configuration's limits raised to their caps.
CAPS = "limits:\n  max-nodes: 1000000\n  max-depth: 1000\n  max-file-size: 16777216\n"
AT_THE_CAPS: list[tuple[str, Callable[[Path], None]]] = [
    ("billion laughs, max-nodes at its cap (1,000,000)", lambda p: p.write_text(laughs(9))),
    ("nesting 999 deep, max-depth at its cap (1,000)", lambda p: p.write_text(
        HEADER + "a: " + "[" * 999 + "]" * 999)),
    ("16 MB of prose, max-file-size at its cap (16 MiB)", lambda p: p.write_text(
        EXAMPLE.read_text() + "delay:\n  explanation: >\n" + "".join("    " + prose(2000) + "\n" for _ in range(8300)))),
]


def measure(path: Path, *options: str) -> tuple[int, float, float, str]:
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "scrqm", "check",
               *(options or ("--isolated",)), "--format", "json", "--today", "2026-11-26", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    first, _, report = done.stdout.partition("\n")
    code, seconds, peak = first.split()
    finding = ""
    if path.is_file():
        files = json.loads(report)["files"]
        findings = files[0]["findings"] if files else []
        load = [f for f in findings if f["group"] in ("load", "io")]
        finding = load[0]["message"] if load else f"verdict {files[0]['verdict']}, {len(findings)} findings"
    return int(code), float(seconds), float(peak), finding


def main() -> None:
    print(f"Python {sys.version.split()[0]} on {sys.platform}; each row is one fresh process.\n")
    print("| case | exit | time (s) | peak RSS (MiB) | answer |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, write in CASES:
            path = Path(folder) / (name.split()[0].strip(":,") + ".yaml")
            write(path)
            code, seconds, peak, finding = measure(path)
            print(f"| {name} | {code} | {seconds:.2f} | {peak:.0f} | {finding[:90]} |")
        config = Path(folder) / "caps.yaml"
        config.write_text(CAPS, encoding="utf-8")
        for name, write in AT_THE_CAPS:
            path = Path(folder) / (name.split()[0].strip(":,") + "-caps.yaml")
            write(path)
            code, seconds, peak, finding = measure(path, "--config", str(config))
            print(f"| {name} | {code} | {seconds:.2f} | {peak:.0f} | {finding[:90]} |")
        corpus = next((c for c in (d / "shared" / "corpora" / "yaml-test-suite" for d in ROOT.parents)
                       if c.is_dir()), None)
        if corpus is not None:
            code, seconds, peak, _ = measure(corpus)
            print(f"| yaml-test-suite, 402 files in one run | {code} | {seconds:.2f} | {peak:.0f} | "
                  "each file invalid with a load or shape finding |")


if __name__ == "__main__":
    main()
