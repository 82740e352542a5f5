"""Report: one module per output format, behind a registry.

`REPORTERS` maps a format name to the module and class that render a check
run; `VIEWS` does the same for the other commands' reports (`patterns`,
`rules`).  The CLI takes its `--format` choices from here, so a new format is
one module and one entry.  Reporters write what they are given (the verdicts,
the run's outcome) to the stream they are given; they decide no verdict and
never choose the exit code.  Modules are imported only when their format is
used.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Mapping, Protocol, TextIO

if TYPE_CHECKING:
    from scrqm.packs.loader import Rule, RuleSet
    from scrqm.result import FileResult

REPORTERS: dict[str, str] = {
    "text": "scrqm.report.text:TextReporter",
    "json": "scrqm.report.json:JsonReporter",
    "jsonl": "scrqm.report.jsonl:JsonLinesReporter",
    "sarif": "scrqm.report.sarif:SarifReporter",
    "junit": "scrqm.report.junit:JunitReporter",
    "github": "scrqm.report.github:GithubReporter",
    "concise": "scrqm.report.concise:ConciseReporter",
    "gitlab": "scrqm.report.gitlab:GitlabReporter",
    "markdown": "scrqm.report.markdown:MarkdownReporter",
    "html": "scrqm.report.html:HtmlReporter",
}


# Reports of the other commands: command -> format -> module:class with `render(data, stream)`.
VIEWS: dict[str, dict[str, str]] = {
    "patterns": {"text": "scrqm.report.patterns:PatternsTextReporter",
                 "json": "scrqm.report.patterns:PatternsJsonReporter"},
    "rules": {"text": "scrqm.report.rules:RulesTextReporter", "json": "scrqm.report.rules:RulesJsonReporter"},
}


@dataclass
class Run:
    """What a report is about: the results of one run and the rules behind them."""

    results: list[FileResult]
    ruleset: RuleSet
    errors: list[str] = field(default_factory=list)
    teach: bool = False
    fail_on: str = "fail"  # the exit-code threshold, so test-style reports agree with it
    profiles: dict[str, RuleSet] = field(default_factory=dict)  # by name, when referrals chose their own
    today: dt.date | None = None  # the date the run took as today (`--today`): delays and future dates
    generated: dt.date | None = None  # the report's own date

    def ruleset_for(self, result: FileResult) -> RuleSet:
        """The rules `result` was judged by (its questions' guidance differs between profiles)."""
        return self.profiles.get(result.profile or "", self.ruleset)

    def rules_in_use(self) -> list[Rule]:
        """The run's rules, then those only another profile a referral chose has (first id wins)."""
        seen: set[str] = set()
        rules = []
        for ruleset in [self.ruleset, *self.profiles.values()]:
            for rule in ruleset.rules:
                if rule.id not in seen:
                    seen.add(rule.id)
                    rules.append(rule)
        return rules

    def fails(self, verdict: str) -> bool:
        """Whether `verdict` (or a finding's severity) fails this run, as the exit code says."""
        from scrqm.result import fails  # start-up: the CLI reads this registry for `--help`, before any run

        return fails(verdict, self.fail_on)

    @property
    def summary(self) -> dict[str, int]:
        from scrqm.result import summarise  # start-up: as `fails`

        return summarise(self.results)


class Reporter(Protocol):
    def render(self, run: Run, stream: TextIO) -> None: ...


class FileByFile:
    """A report written file by file: `begin`, then `file` for each result, then `end`.

    A run whose report streams (text, concise, jsonl, github, to standard
    output) calls the three as it goes and keeps only each file's verdicts for
    `end`; `render` takes the same three steps over a finished run, so both ways
    write the same report.  `end` sees `run.results` without their findings or facts.
    """

    def render(self, run: Run, stream: TextIO) -> None:
        self.begin(run, stream)
        for result in run.results:
            self.file(run, result, stream)
        self.end(run, stream)

    def begin(self, run: Run, stream: TextIO) -> None:
        """Before the first file."""

    def file(self, run: Run, result: FileResult, stream: TextIO) -> None:
        raise NotImplementedError

    def end(self, run: Run, stream: TextIO) -> None:
        """After the last file."""


# The format an `--output` file's extension asks for when no `--format` is given.
FORMAT_OF_SUFFIX: dict[str, str] = {
    ".txt": "text", ".text": "text", ".log": "text",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".sarif": "sarif", ".xml": "junit",
    ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
}


def format_for_output(name: str, automatic: str) -> str | None:
    """The format for an `--output` file named `name`: from its extension (`.sarif.json` is SARIF);
    `automatic` when it has none; None when the extension names no format scrqm writes."""
    path = PurePath(name)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] == [".sarif", ".json"]:
        return "sarif"
    if not path.suffix or path.name.startswith(".") and len(suffixes) <= 1:
        return automatic
    return FORMAT_OF_SUFFIX.get(path.suffix.lower())


def default_format(environ: Mapping[str, str]) -> str:
    """The format when none is asked for: annotations inside GitHub Actions, else the human report."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def get_reporter(name: str) -> Reporter:
    module_name, _, class_name = REPORTERS[name].partition(":")
    reporter: Reporter = getattr(importlib.import_module(module_name), class_name)()
    return reporter


class View(Protocol):
    def render(self, data: Any, stream: TextIO) -> None: ...


def get_view(command: str, name: str) -> View:
    """The reporter of `command`'s report (`patterns`, `rules`) in format `name`."""
    module_name, _, class_name = VIEWS[command][name].partition(":")
    view: View = getattr(importlib.import_module(module_name), class_name)()
    return view
