"""Time `scrqm check` on a folder of many referrals, text report against JSON.

    .venv/bin/python benchmarks/folder_report.py [N]

Copies the bundled examples round-robin into N files (default 500) in a
temporary folder and runs the installed `scrqm` on it, so the cost of the text
report (per-file blocks and the summary table) shows beside the JSON report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(count: int) -> None:
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    scrqm = str(Path(sys.executable).with_name("scrqm"))
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            shutil.copy(examples[index % len(examples)], Path(folder) / f"r{index:05}.yaml")
        for fmt in ("text", "json"):
            start = time.perf_counter()
            subprocess.run([scrqm, "check", "--today", "2026-11-26", "--format", fmt, folder],
                           stdout=subprocess.DEVNULL, check=False)
            print(f"{count} files, --format {fmt}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
