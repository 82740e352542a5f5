"""Start-up of one referral checked from a hook: what it does not import, and what it does not collect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, TODAY

# The command line run in-process, then what it imported and how often the collector ran.
PROBE = """
import gc, json, sys
sys.argv = ["scrqm"] + sys.argv[1:]
from scrqm.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps({"modules": sorted(sys.modules), "gen2": gc.get_stats()[2]["collections"],
                  "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}), file=sys.stderr)
"""


def _probe(tmp_path: Path, *args: str, **environ: str) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "PYDANTIC_DISABLE_PLUGINS")}
    env.update(environ)
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    return done, json.loads(done.stderr.strip().splitlines()[-1])


def test_a_piped_check_writes_plain_text_without_rich_or_the_plugin_search(tmp_path: Path) -> None:
    referral = EXAMPLES / "04-qm11-fail-rationale-placeholder.yaml"
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"),
                        str(referral), NO_COLOR="1")
    assert done.returncode == 0 and "FAIL" in done.stdout and "\x1b[" not in done.stdout
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert "scrqm.report.text" in modules and "pydantic" in modules  # the probe saw the real run
    assert not {"rich.console", "rich.table", "importlib.metadata"} & modules
    # Start-up collected at most rarely, then froze what it built and restored the thresholds.
    assert seen["gen2"] == 0 and seen["frozen"] > 10_000 and seen["threshold"][0] < 100_000  # type: ignore[index]


def test_forced_colour_still_goes_through_rich(tmp_path: Path) -> None:
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"),
                        str(EXAMPLES / "01-exemplary-death.yaml"), FORCE_COLOR="1")
    assert "rich.console" in seen["modules"] and "\x1b[" in done.stdout  # type: ignore[operator]


def test_a_plugin_the_user_asks_for_is_still_searched_for(tmp_path: Path) -> None:
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--no-cache",
                        str(EXAMPLES / "01-exemplary-death.yaml"), PYDANTIC_DISABLE_PLUGINS="some-other-plugin")
    assert done.returncode == 0 and "importlib.metadata" in seen["modules"]  # type: ignore[operator]
