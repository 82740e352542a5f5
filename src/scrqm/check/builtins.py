"""Built-in rules: what a file can break before any rule of a pack runs.

`load` (not readable as YAML), `shape` (not the referral format) and `io`
(could not be opened) are declared here once; the engine stamps their
findings (`check.engine.stamp_builtin`) as it stamps a pack rule's, and
`explain`, the SARIF rule table and the text report take their titles and
descriptions from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrqm.result import Severity


@dataclass(frozen=True)
class BuiltIn:
    """A built-in rule: one the tool gives for the file itself (unreadable, wrong shape), not a pack."""

    id: str
    title: str  # a heading: what happened to the file
    description: str  # one sentence: what breaks it
    fix: str  # in general; each finding says what to write at its place
    explanation: str  # `scrqm explain ID`
    severity: Severity = "fail"


BUILT_INS: dict[str, BuiltIn] = {b.id: b for b in (
    BuiltIn(
        "load", "The file could not be read as YAML",
        "The file is empty, is not valid UTF-8 YAML, or breaks a loader limit.",
        "Fix the YAML at the line given: the message says what the loader expected.",
        "The file is not valid YAML, so no question can be judged. The report gives the line and\n"
        "column where reading stopped and what usually causes it: text containing ': ' that is\n"
        "not quoted, or lines of a '>' block that are not indented under their key.\n"
        "`scrqm new` writes a skeleton to copy the layout from.\n",
    ),
    BuiltIn(
        "shape", "The file does not follow the referral format",
        "A field has the wrong type or value, or is not part of the referral format.",
        "Write the field as docs/format.md describes; the message says what was expected.",
        "The YAML reads, but a value is of the wrong kind: a date not written YYYY-MM-DD, a value\n"
        "that is not one of the allowed choices (they are lower-case, e.g. `met`), an age that is\n"
        "not whole years 0-17 or \"7 months\", or a key the format does not have (often a\n"
        "misspelling; the report suggests the nearest). Fix each one as the report says;\n"
        "`scrqm schema` gives editors the format so they flag these while you type.\n",
    ),
    BuiltIn(
        "io", "The file could not be opened",
        "The file named on the command line could not be read.",
        "Check the file exists and you have permission to read it.",
        "Check the file exists and that you may read it.\n",
    ),
)}
