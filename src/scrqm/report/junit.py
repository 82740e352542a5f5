"""The JUnit XML report (Ant schema), for Jenkins, GitLab and other CI test views.

A `<testsuite>` per file and a `<testcase>` per question, plus one per group
outside the questions that has findings.  A testcase fails when its verdict is
at or above the run's `--fail-on` level, so the test view agrees with the exit
code; findings below it (warnings by default, info notes) are listed in the
suite's `<system-out>`.  A file that is not a valid referral gets a single
testcase: a failure for load and shape problems, an error when the file could
not be opened.  Written with the standard library's ElementTree.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, TextIO

from scrqm import __version__
from scrqm.report import Run
from scrqm.report.concise import finding_line

if TYPE_CHECKING:
    from scrqm.result import FileResult, Finding

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
INVALID_CASE = "referral format"


class JunitReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        root = junit_tree(run, timestamp=dt.datetime.now(), hostname=_hostname())
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")


def _hostname() -> str:
    return socket.gethostname() or "localhost"


def junit_tree(run: Run, *, timestamp: dt.datetime, hostname: str) -> ET.Element:
    root = ET.Element("testsuites")
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%S")
    for number, file in enumerate(run.results):
        root.append(testsuite(run, file, id=number, timestamp=stamp, hostname=hostname))
    return root


def testsuite(run: Run, file: FileResult, *, id: int, timestamp: str, hostname: str) -> ET.Element:
    cases = _invalid_cases(file) if file.questions is None else _question_cases(run, file)
    suite = ET.Element("testsuite", {
        "name": _clean(file.path),
        "package": "scrqm",
        "id": str(id),
        "timestamp": timestamp,
        "hostname": _clean(hostname),
        "tests": str(len(cases)),
        "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
        "errors": str(sum(1 for c in cases if c.find("error") is not None)),
        "skipped": "0",
        "time": "0",
    })
    suite.append(_properties(run, file))
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = _clean("".join(finding_line(file.path, f) + "\n" for f in file.findings))
    ET.SubElement(suite, "system-err")
    return suite


def _properties(run: Run, file: FileResult) -> ET.Element:
    properties = ET.Element("properties")
    values = {"scrqm_version": __version__, "profile": run.ruleset.profile,
              "verdict": file.verdict, "fail_on": run.fail_on}
    for name, value in values.items():
        ET.SubElement(properties, "property", {"name": name, "value": value})
    return properties


def _question_cases(run: Run, file: FileResult) -> list[ET.Element]:
    cases = []
    for qid, verdict in (file.questions or {}).items():
        question = run.ruleset.questions.get(qid)
        title = f"{qid} {' '.join(question.text.split())}" if question else qid
        findings = [f for f in file.findings if f.question == qid]
        cases.append(testcase(run, file, title, verdict, findings))
    for group, verdict in file.groups.items():
        title = f"{group}: {run.ruleset.groups[group]}" if group in run.ruleset.groups else group
        findings = [f for f in file.findings if f.group == group and f.question is None]
        cases.append(testcase(run, file, title, verdict, findings))
    return cases


def testcase(run: Run, file: FileResult, title: str, verdict: str, findings: list[Finding]) -> ET.Element:
    case = ET.Element("testcase", {"name": _clean(title), "classname": _clean(file.path), "time": "0"})
    if run.fails(verdict):
        counted = [f for f in findings if not f.waived and run.fails(f.severity)]
        _outcome(case, "failure", verdict, file, counted or findings, findings)
    return case


def _invalid_cases(file: FileResult) -> list[ET.Element]:
    case = ET.Element("testcase", {"name": INVALID_CASE, "classname": _clean(file.path), "time": "0"})
    # An unreadable file is an error of the run (exit 2); a malformed one is a failed check (exit 1).
    kind = "error" if file.io_error else "failure"
    _outcome(case, kind, "invalid", file, file.findings, file.findings)
    return [case]


def _outcome(case: ET.Element, kind: str, verdict: str, file: FileResult,
             headline: list[Finding], findings: list[Finding]) -> None:
    first = headline[0] if headline else None
    message = finding_line(file.path, first) if first else f"{file.path}: {verdict}"
    if len(headline) > 1:
        message += f" (and {len(headline) - 1} more)"
    element = ET.SubElement(case, kind, {"type": verdict, "message": _clean(message)})
    element.text = _clean("\n".join(finding_line(file.path, f) for f in findings))


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
