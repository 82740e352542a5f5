"""Every load and shape message says what to write, with the corrected value where it can be derived.

The corrected value is data (a `Mend` on the issue, from shape/mend.py): applying
it must give a file in which that fault is gone, with every other byte kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from scrqm.load.document import LoadFailure, decode, load_text
from scrqm.packs.loader import load_ruleset
from scrqm.pipeline import Settings, check_text
from scrqm.result import Fix
from scrqm.run.mend import apply_fixes
from scrqm.shape import mend
from scrqm.shape.model import Referral
from scrqm.shape.validate import ShapeIssue, validate

ROOT = Path(__file__).resolve().parents[1]
HEAD = "format: scrqm/referral@1\n"


def issues_of(text: str) -> list[Any]:
    """Load problems or shape issues of `text` (one kind or the other)."""
    try:
        document = load_text(text)
    except LoadFailure as exc:
        return list(exc.problems)
    shaped = validate(Referral, document)
    return shaped if isinstance(shaped, list) else []


def mended(text: str) -> str:
    return apply_fixes(text, [i.fix for i in issues_of(text) if i.fix is not None])[0]


# ------------------------------------------------------------ corrected values, one fault at a time

FAULTS = [
    # (what was written, the advice must contain, the mended file must contain)
    ("referral:\n  date: 14/03/2016\n", "`2016-03-14`", "  date: 2016-03-14\n"),
    ("referral:\n  date: 14.3.2016\n", "`2016-03-14`", "  date: 2016-03-14\n"),
    ("referral:\n  date: 14 March 2016\n", "`2016-03-14`", "  date: 2016-03-14\n"),
    ("referral:\n  date: Monday 14th March 2016  # sent by email\n", "`2016-03-14`",
     "  date: 2016-03-14  # sent by email\n"),
    ("referral:\n  date: '2016/3/14'\n", "`2016-03-14`", "  date: 2016-03-14\n"),
    ("child:\n  age: 4 years\n", "write `4`", "  age: 4\n"),
    ("child:\n  age: four\n", "write `4`", "  age: 4\n"),
    ("referral:\n  reference: 004\n", 'write `"004"`', '  reference: "004"\n'),
    ("supporting_information:\n  - title: 2016\n", 'write `"2016"`', '  - title: "2016"\n'),
    ("child:\n  looked_after: 'no'\n", "write `false`", "  looked_after: false\n"),
    ("criteria:\n  statutory: Not met\n", "write `not_met`", "  statutory: not_met\n"),
    ("rationle: >\n  Text.\n", "did you mean `rationale`?", "rationale: >\n"),
    ("agencies:\n  - Health visiting\n  - GP practice\n", "`- name: Health visiting`",
     "  - name: Health visiting\n  - name: GP practice\n"),
    ("criteria:\n  learning_priorities: LP2\n", "`[LP2]`", "  learning_priorities: [LP2]\n"),
    ("incident:\n  type: death\n  summary:\nChild P died at home. The cause: not yet known.\ncriteria: {}\n",
     "indent this text under `summary:`",
     "  summary: >\n    Child P died at home. The cause: not yet known.\ncriteria: {}\n"),
    ("incident:\n  summary: >\n  Child P died at home. The cause: not yet known.\n",
     "indent this text under `summary:`", "  summary: >\n    Child P died at home. The cause: not yet known.\n"),
    ("rationale:\nChild P died; the cause: not yet known.\nA review could show much.\ncriteria: {}\n",
     "indent this text under `rationale:`",
     "rationale: >\n  Child P died; the cause: not yet known.\n  A review could show much.\ncriteria: {}\n"),
    ("referral:\n\treference: X\n\tboard: Y\n", "use spaces instead of a tab",
     "referral:\n  reference: X\n  board: Y\n"),
]


@pytest.mark.parametrize(("body", "advice", "result"), FAULTS, ids=[f[1][:40] for f in FAULTS])
def test_the_message_hands_over_the_corrected_value(body: str, advice: str, result: str) -> None:
    text = HEAD + body
    found = issues_of(text)
    assert found, "the fault must be reported"
    assert any(advice in (i.hint or "") for i in found), [i.hint for i in found]
    fixed = mended(text)
    assert result in fixed
    # The mend mends: the fault is gone, and nothing else in the file changed.
    assert not [i for i in issues_of(fixed) if advice in (i.hint or "")]
    assert fixed.replace(" ", "").replace("\t", "") .count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("body", "advice"),
    [
        ("referral:\n  date: 03/04/2016\n", "could be 3 April 2016 or 4 March 2016"),
        ("referral:\n  date: 03/14/2016\n", "reads month first"),
        ("referral:\n  date: 14/03/16\n", "write the year in full"),
        ("referral:\n  date: 31/02/2016\n", "no such day"),
        ("child:\n  age: 18\n", "aged 0 to 17"),
        ("child:\n  looked_after: maybe\n", "write `true` or `false`"),
        ("incident:\n  type: murder\n", "write one of: `death`, `serious_harm`"),
        ("institutions: Little Acorns Nursery, Northtown\n", "a comma does not separate items"),
    ],
)
def test_what_cannot_be_derived_is_said_and_left_alone(body: str, advice: str) -> None:
    text = HEAD + body
    found = issues_of(text)
    assert any(advice in (i.hint or "") for i in found), [i.hint for i in found]
    assert all(i.fix is None for i in found)


def test_a_zero_padded_reference_keeps_its_zeros() -> None:
    [issue] = issues_of(HEAD + "referral:\n  reference: 004\n")
    assert "'4'" not in (issue.hint or "") and '"004"' in (issue.hint or "")


def test_text_written_as_a_field_is_not_answered_with_a_list_of_field_names() -> None:
    [issue] = issues_of(HEAD + "incident:\n  summary:\nChild P died at home on 3 May. The cause: not yet known.\n")
    assert "not indented under `summary:`" in issue.message and "is not a field" not in issue.message
    assert "the fields here are" not in (issue.hint or "")


# ------------------------------------------------------------ files that are not YAML


@pytest.mark.parametrize(
    ("raw", "name", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml\x00word/document.xml\x00", "r.docx", "a Word document (.docx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00", "r.doc", "a Word document in the older .doc format"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "r.pdf", "a PDF document"),
        (b"{\\rtf1\\ansi Child F\\par}", "r.rtf", "a Rich Text (.rtf) document"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "r.html", "a web page (HTML)"),
    ],
)
def test_a_document_that_is_not_yaml_is_named_with_the_next_step(raw: bytes, name: str, what: str) -> None:
    with pytest.raises(LoadFailure) as caught:
        decode(raw, name)
    [problem] = caught.value.problems
    assert problem.message == f"this is {what}, not a referral file"
    assert "scrqm new" in (problem.hint or "")


@pytest.mark.parametrize(
    ("text", "what"),
    [('{"name": "x", "items": [1, 2]}\n', "this is a JSON file, not a referral"),
     ('{"scrqm_version": "1.0.0", "files": []}\n', "this is a scrqm report in JSON"),
     ("name: CI\non: push\njobs:\n  test: {}\n", "this YAML file is not a referral")],
)
def test_json_and_other_yaml_are_named_not_listed_key_by_key(text: str, what: str) -> None:
    found = issues_of(text)
    assert len(found) == 1 and found[0].message.startswith(what)
    assert "scrqm new" in (found[0].hint or "")


def test_a_json_referral_is_still_a_referral() -> None:
    assert isinstance(validate(Referral, load_text(json.dumps({"format": "scrqm/referral@1"}))), Referral)


# ------------------------------------------------------------ every message has a "→ what to write"

CORPUS = [body for body, _, _ in FAULTS] + [
    "referral:\n  date: [2016]\n",
    "referral: 5\n",
    "child:\n  age: {years: 4}\n",
    "institutions: [~]\n",
    "agencies: {name: X}\n",
    "profile: Working Together\n",
    "waivers:\n  - QM1.1-rationale-brief\n",
    "rationale: x\nrationale: y\n",
    "rationale: [unclosed\n",
    "rationale: 'unclosed\n",
    "a: *nothing\n",
    "rationale: !!python/object x\n",
    "- a\n- b\n",
]


@pytest.mark.parametrize("body", CORPUS)
def test_every_load_and_shape_error_says_what_to_write(body: str) -> None:
    text = body if body.startswith("- ") else HEAD + body
    findings = check_text(text, display="r.yaml", ruleset=load_ruleset(),
                          settings=Settings(today=dt.date(2026, 11, 26))).findings
    assert findings
    for finding in findings:
        assert finding.fix and finding.fix.strip(), f"no hint for: {finding.message}"


def test_example_18_gives_a_what_to_write_line_for_every_error(run_line: Callable[..., Any]) -> None:
    out = run_line("check", "--today", "2026-11-26", str(ROOT / "examples" / "18-invalid-shape-errors.yaml")).stdout
    lines = out.splitlines()
    errors = [n for n, line in enumerate(lines) if "[shape]" in line or "[load]" in line]
    assert len(errors) == 3
    for n in errors:
        assert lines[n + 1].strip().startswith("→"), lines[n]
    assert "→ write `2016-03-14`" in out and "→ did you mean `rationale`?" in out
    assert "`death`" in out


def test_example_18_mended_passes(tmp_path: Path, run_line: Callable[..., Any]) -> None:
    """The two mechanical faults mend; `murder` is a word only the author can replace."""
    text = (ROOT / "examples" / "18-invalid-shape-errors.yaml").read_text(encoding="utf-8")
    fixed = mended(text).replace("type: murder", "type: death")
    path = tmp_path / "18.yaml"
    path.write_text(fixed, encoding="utf-8")
    result = run_line("check", "--today", "2026-11-26", str(path))
    assert result.exit_code == 0, result.stdout


def test_redact_keeps_the_referrals_values_out_of_the_hints(run_line: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(HEAD + "referral:\n  reference: 0047\n  date: 14/03/2016\nchild:\n  age: 4 years\n"
                    "agencies:\n  - Kellbridge School\n", encoding="utf-8")
    out = run_line("check", "--redact", "--today", "2026-11-26", str(path)).stdout
    for value in ("0047", "2016-03-14", "14/03/2016", "Kellbridge", "4 years", "`4`"):
        assert value not in out
    assert out.count("→") == 4


def test_the_mend_contract_replaces_exactly_the_span() -> None:
    text = HEAD + "referral:\n  date: 14/03/2016   # the referral form's date\n"
    [issue] = issues_of(text)
    assert isinstance(issue, ShapeIssue) and isinstance(issue.fix, Fix)
    [edit] = issue.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column, edit.content) == (3, 9, 3, 19, "2016-03-14")
    assert re.sub("2016-03-14", "14/03/2016", apply_fixes(text, [issue.fix])[0]) == text


def test_suggestions_come_from_one_place() -> None:
    """validate.py and document.py derive nothing themselves: no date or age parsing outside mend.py."""
    for module in ("shape/validate.py", "load/document.py"):
        source = (ROOT / "src" / "scrqm" / module).read_text(encoding="utf-8")
        assert "_MONTHS" not in source and "strftime" not in source
    assert mend.suggest_date("14/03/2016").text == "2016-03-14"
