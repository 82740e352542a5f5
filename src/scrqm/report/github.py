"""GitHub Actions workflow commands: one annotation per finding.

`::error file=…,line=…,col=…,title=…::message`, with `warning` for warn and
`notice` for info and for waived findings.  Values are escaped as the runner
expects (actions/toolkit `command.ts`): in the message `%`, CR and LF; in
properties also `:` and `,`.  Chosen by default when `GITHUB_ACTIONS=true`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from scrqm.report import FileByFile, Run
from scrqm.report.concise import summary_line
from scrqm.report.paths import repository_relative

if TYPE_CHECKING:
    from scrqm.result import FileResult, Finding

COMMAND = {"fail": "error", "warn": "warning", "info": "notice"}


class GithubReporter(FileByFile):
    def file(self, run: Run, result: FileResult, stream: TextIO) -> None:
        for finding in result.findings:
            stream.write(annotation(run, result, finding) + "\n")

    def end(self, run: Run, stream: TextIO) -> None:
        stream.write(summary_line(run.summary) + "\n")


def annotation(run: Run, file: FileResult, finding: Finding) -> str:
    command = "notice" if finding.waived else COMMAND[finding.severity]
    properties = {
        "file": repository_relative(file.path) or file.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "title": _title(run, file, finding),
    }
    written = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {written}::{escape_data(_message(finding))}"


def _title(run: Run, file: FileResult, finding: Finding) -> str:
    rule = run.ruleset_for(file).rule(finding.rule)
    title = f"{finding.rule}: {rule.definition.title}" if rule else finding.rule
    return f"{title} (waived)" if finding.waived else title


def _message(finding: Finding) -> str:
    text = ("[*] " if finding.autofix is not None else "") + finding.message
    if finding.waived:
        text += f" (waived: {finding.waiver_reason or 'no reason given'})"
    if finding.fix:
        text += "\n" + " ".join(finding.fix.split())
    return text


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
