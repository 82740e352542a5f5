"""Report: one module per output format, behind a registry.

`REPORTERS` maps a format name to the module and class that render it; the CLI
takes its `--format` choices from here, so a new format is one module and one
entry.  Reporters write to the stream they are given and never choose the
exit code.  Modules are imported only when their format is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from ..packs import RuleSet
    from ..result import FileResult

REPORTERS: dict[str, str] = {
    "text": "scrqm.report.text:TextReporter",
    "json": "scrqm.report.json:JsonReporter",
}


@dataclass
class Run:
    """What a report is about: the results of one run and the rules behind them."""

    results: list[FileResult]
    ruleset: RuleSet
    errors: list[str] = field(default_factory=list)
    teach: bool = False

    @property
    def summary(self) -> dict[str, int]:
        from ..result import summarise

        return summarise(self.results)


class Reporter(Protocol):
    def render(self, run: Run, stream: TextIO) -> None: ...


def get_reporter(name: str) -> Reporter:
    module_name, _, class_name = REPORTERS[name].partition(":")
    reporter: Reporter = getattr(importlib.import_module(module_name), class_name)()
    return reporter
