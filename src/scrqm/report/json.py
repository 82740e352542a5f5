"""The JSON report: one document for the whole run (see docs/rules.md for the shape)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from scrqm import __version__
from scrqm.report import Run


def run_to_dict(run: Run) -> dict[str, Any]:
    return {
        "scrqm_version": __version__,
        "profile": run.ruleset.profile,
        "files": [result.to_dict() for result in run.results],
        "summary": run.summary,
    }


class JsonReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        json.dump(run_to_dict(run), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
