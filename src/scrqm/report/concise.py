"""The concise report: one line per finding, `path:line:col: severity [rule] message`, then a summary.

Plain text with no colour, for editors' problem matchers and for grep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from scrqm.report import FileByFile, Run
from scrqm.report.visible import shown

if TYPE_CHECKING:
    from scrqm.result import FileResult, Finding


class ConciseReporter(FileByFile):
    def file(self, run: Run, result: FileResult, stream: TextIO) -> None:
        result = shown(result)  # referral text and paths as text, never terminal or CI commands
        for finding in result.findings:
            stream.write(finding_line(result.path, finding) + "\n")

    def end(self, run: Run, stream: TextIO) -> None:
        stream.write(summary_line(run.summary) + "\n")


def finding_line(path: str, finding: Finding) -> str:
    # One line even when a message spans several: problem matchers read line by line.
    message = " ".join(finding.message.split())
    fixable = "[*] " if finding.autofix is not None else ""  # as ruff marks what `--fix` mends
    text = f"{path}:{finding.line}:{finding.column}: {finding.severity} [{finding.rule}] {fixable}{message}"
    if finding.waived:
        text += f" (waived: {' '.join((finding.waiver_reason or 'no reason given').split())})"
    return text


def summary_line(summary: dict[str, int]) -> str:
    """`3 files checked: 1 pass, 2 fail`, as the text report ends."""
    parts = [f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v]]
    noun = "file" if summary["files"] == 1 else "files"
    return f"{summary['files']} {noun} checked: " + (", ".join(parts) if parts else "nothing to report")
