"""How long `scrqm patterns` takes over a large folder (a national body's archive).

Writes N fictional referrals (copies of the bundled examples, with the
institution and dates varied) into a temporary folder, then times
`find_patterns` over them, in-process, best of three.  Run:

    python benchmarks/patterns_folder.py [N]      # default 3000

Target: a few seconds for thousands of referrals on one machine.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_folder(folder: Path, count: int) -> list[Path]:
    template = (ROOT / "examples" / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    files = []
    for index in range(count):
        day = dt.date(2016, 1, 4) + dt.timedelta(days=index % 900)
        text = (template.replace("Brambleway Day Nursery", f"Nursery {index % 40}")
                .replace("  date: 2016-11-07", f"  date: {day}")
                .replace("  aware_date: 2016-11-08", f"  aware_date: {day}")
                .replace("  date: 2016-11-10", f"  date: {day + dt.timedelta(days=index % 30)}"))
        path = folder / f"r{index:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    from scrqm.packs.loader import load_ruleset
    from scrqm.patterns import find_patterns

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    ruleset = load_ruleset()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_folder(Path(tmp), count)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            found = find_patterns(files, choose=lambda profile: ruleset)
            timings.append(time.perf_counter() - start)
    print(f"{count} referrals: best {min(timings):.2f}s ({count / min(timings):.0f} referrals/s); "
          f"{len(found.recurrences)} recurrences")


if __name__ == "__main__":
    main()
