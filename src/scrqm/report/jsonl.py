"""The JSON Lines report: one JSON object per file, as the items of the JSON report's `files`.

Each line also carries `scrqm_version`, so a line read on its own is
self-describing.  A run with no files writes nothing.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from scrqm import __version__
from scrqm.report import FileByFile, Run
from scrqm.result import FileResult


class JsonLinesReporter(FileByFile):
    def file(self, run: Run, result: FileResult, stream: TextIO) -> None:
        line: dict[str, Any] = {"scrqm_version": __version__, **result.to_dict()}
        stream.write(json.dumps(line, ensure_ascii=False) + "\n")
