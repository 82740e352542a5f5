"""`scrqm patterns` over a large folder (a national body's archive), against an earlier scrqm.

Generates N fictional referrals (bench.py's generator), then runs
`scrqm patterns FOLDER` from this checkout and from an earlier commit
(its source exported with `git archive`, run with the same interpreter and
libraries), interleaved, and prints the medians of wall time, CPU of the
process tree and its peak memory, and the ratio.  Run:

    python benchmarks/patterns_folder.py [--files N] [--repeat R] [--against REF]

REF defaults to 3a3872a^, scrqm as it was when issue 15 ("patterns on 10,000
referrals at most half of today's wall time") was written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import TODAY, _environment, _machine, generate, run_once  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def export(ref: str, into: Path) -> Path:
    """The tree of `ref` written under `into` (source, packs and examples), without a checkout."""
    archive = into / "old.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref], check=True)
    tree = into / "old"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", default="3a3872a^", help="the earlier commit to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scrqm-patterns-bench-") as tmp:
        work = Path(tmp)
        folder = work / "referrals"
        folder.mkdir()
        generate(folder, args.files)
        old = export(args.against, work)
        env = _environment()
        old_env = {**env, "PYTHONPATH": str(old / "src")}
        command = [sys.executable, "-m", "scrqm", "patterns", "--isolated", str(folder)]
        runs = {"scrqm patterns (this checkout)": (command, {**env, "PYTHONPATH": str(ROOT / "src")}),
                f"scrqm patterns ({args.against})": (command, old_env)}
        for label, (line, environment) in runs.items():  # byte-code written, files in the page cache
            if run_once(line, cwd=work, env=environment).returncode not in (0, 1):
                print(f"{label} failed: {' '.join(line)}", file=sys.stderr)
                return 2
        samples: dict[str, list] = {label: [] for label in runs}
        for _ in range(args.repeat):
            for label, (line, environment) in runs.items():
                samples[label].append(run_once(line, cwd=work, env=environment))
        _machine(f"scrqm patterns on {args.files:,} referrals, {args.repeat} interleaved rounds, medians"
                 f" (today {TODAY} in the referrals' dates)")
        medians = {}
        for label, taken in samples.items():
            wall = statistics.median(s.seconds for s in taken)
            cpu = statistics.median(s.cpu_seconds for s in taken)
            peak = max(s.tree_peak_kb for s in taken) / 1024
            medians[label] = wall
            print(f"  {label:<40} {wall:7.2f} s wall {cpu:7.2f} s CPU {peak:7.1f} MB peak")
        now, then = medians.values()
        print(f"this checkout / {args.against}   wall {now / then:5.2f}   (goal <= 0.50)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
