"""Benchmark: what `scrqm server` costs per keystroke, and how fast it starts.

1. In process: a referral (examples/13 by default) is edited one character at
   a time, alternately typing and deleting a letter in its rationale, and each
   version is checked as the server checks it after `didChange` (the
   configuration found from the file's folder, the pipeline, findings turned
   into LSP diagnostics with client positions).  Prints the median and 95th
   percentile in milliseconds.
2. Start-up, over stdio in a new process each time: the time until
   `initialize` is answered and until the first diagnostics of the referral
   arrive, beside `scrqm check --no-cache` on the same file.  Medians of
   `--repeat` runs.

    .venv/bin/python benchmarks/server.py
    .venv/bin/python benchmarks/server.py --keystrokes 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def keystrokes(path: Path, count: int) -> tuple[float, float, float, int]:
    from pygls.workspace import TextDocument

    from scrqm.server.checker import Checker, Options
    from scrqm.server.positions import finding_range

    text = path.read_text(encoding="utf-8")
    anchor = text.index("rationale:") + len("rationale: >\n  ")
    checker = Checker(Options())
    checker.check(text, path)  # the first check loads the rules; every keystroke after it is timed
    times = []
    cpu = []
    findings = 0
    for number in range(count):
        edited = text[:anchor] + "x" + text[anchor:] if number % 2 == 0 else text
        start, start_cpu = time.perf_counter(), time.process_time()
        document = TextDocument(path.as_uri(), edited, language_id="yaml")
        result = checker.check(edited, path)
        diagnostics = [finding_range(document, f.line, f.column) for f in result.findings]
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        findings = len(diagnostics)
    times.sort()
    return (statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000, statistics.median(cpu) * 1000,
            findings)


def start_up(path: Path) -> tuple[float, float]:
    from lsp_client import LspClient

    with tempfile.TemporaryDirectory() as cwd:
        begun = time.perf_counter()
        client = LspClient(cwd=Path(cwd))
        try:
            client.initialize(Path(cwd), {"debounce": 0})
            initialized = time.perf_counter() - begun
            uri = client.open(path, path.read_text(encoding="utf-8"))
            client.diagnostics(uri, 1)
            first = time.perf_counter() - begun
        finally:
            client.shutdown()
    return initialized, first


def check_once(path: Path) -> float:
    begun = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scrqm", "check", "--no-cache", "--quiet", str(path)], check=False)
    return time.perf_counter() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=ROOT / "examples" / "13-qm13-fail-late-unexplained.yaml")
    parser.add_argument("--keystrokes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    median, p95, cpu, findings = keystrokes(arguments.file, arguments.keystrokes)
    # CPU time is what the check itself costs; wall time also counts waiting for a busy machine's cores.
    print(f"re-check after one keystroke, in process: median {median:.2f} ms wall ({cpu:.2f} ms CPU), "
          f"95th percentile {p95:.2f} ms "
          f"({arguments.keystrokes} keystrokes, {findings} findings, {arguments.file.name})")
    runs = [start_up(arguments.file) for _ in range(arguments.repeat)]
    checks = [check_once(arguments.file) for _ in range(arguments.repeat)]
    print(f"server start: initialize answered {statistics.median(r[0] for r in runs) * 1000:.0f} ms, "
          f"first diagnostics {statistics.median(r[1] for r in runs) * 1000:.0f} ms; "
          f"`scrqm check --no-cache` on the same file {statistics.median(checks) * 1000:.0f} ms "
          f"(medians of {arguments.repeat})")


if __name__ == "__main__":
    main()
