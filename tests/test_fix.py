"""`scrqm check --fix` and `--diff`: fixes are data, applied in one place, every other byte kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD_TEXT, TODAY
from test_formats import sarif_validator  # noqa: F401  (a fixture)
from scrqm.result import Edit, FileResult, Finding, Fix
from scrqm.run.mend import apply_fixes, unified_diff


# (what the exemplary referral says, the mechanical fault written in its place)
FAULTS = [
    ("format: scrqm/referral@1\n\nreferral:", "\nreferral:"),                 # the format line lost
    ("  type: death\n", "  type: Death\n"),                                  # enumeration in the wrong case
    ("  abuse_or_neglect: suspected\n", "  abuse_or_neglect: SUSPECTED\n"),
    ("  child_protection_plan: never\n", "  child_protection_plan: Never\n"),
    ("  reference: NLSCB-2016-011\n  date:", "  refrence: NLSCB-2016-011\n  date:"),  # one close match
    ("  gender: male\n", "  gendre: male\n"),
]


def _broken(text: str) -> str:
    for good, bad in FAULTS:
        assert text.count(good) == 1, good
        text = text.replace(good, bad)
    return text


def _write(path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> bytes:
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8")
    path.write_bytes(raw)
    return raw


@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", False), ("\n", True)])
def test_fix_mends_every_fault_and_keeps_every_other_byte(run_line: Callable[..., Any], tmp_path: Path,
                                                        newline: str, bom: bool) -> None:
    referral = tmp_path / "r.yaml"
    _write(referral, _broken(GOOD_TEXT), newline=newline, bom=bom)
    good = (b"\xef\xbb\xbf" if bom else b"") + GOOD_TEXT.replace("\n", newline).encode("utf-8")
    result = run_line("check", "--today", TODAY, "--fix", str(referral))
    # Each fault's mend gives back exactly what the exemplary file says: so every other byte is unchanged.
    assert referral.read_bytes() == good
    assert f"fixed {len(FAULTS)} faults in 1 file" in result.stderr
    assert "PASS" in result.stdout and result.exit_code == 0


def test_fix_then_reports_what_is_left(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_text(_broken(GOOD_TEXT).replace("  type: Death\n", "  type: murder\n"), encoding="utf-8")
    result = run_line("check", "--today", TODAY, "--fix", "--format", "json", str(referral))
    left = json.loads(result.stdout)["files"][0]["findings"]
    assert [(f["rule"], f["field"]) for f in left] == [("shape", "incident.type")]
    assert "autofix" not in left[0]  # `murder` is not a case away from any choice: reported, not guessed
    assert referral.read_text(encoding="utf-8") == GOOD_TEXT.replace("  type: death\n", "  type: murder\n")
    assert result.exit_code == 1


def test_diff_shows_the_same_mends_and_changes_nothing(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    raw = _write(referral, _broken(GOOD_TEXT))
    before = referral.stat().st_mtime_ns
    result = run_line("check", "--diff", str(referral))
    assert referral.read_bytes() == raw and referral.stat().st_mtime_ns == before
    display = referral.as_posix()
    assert result.stdout == unified_diff(display, _broken(GOOD_TEXT), GOOD_TEXT)
    assert result.stdout.startswith(f"--- {display}\n+++ {display}\n")
    assert "-  type: Death\n+  type: death\n" in result.stdout
    assert "-  refrence: NLSCB-2016-011\n+  reference: NLSCB-2016-011\n" in result.stdout
    assert "+format: scrqm/referral@1\n" in result.stdout
    assert "would fix 6 faults in 1 file" in result.stderr
    assert result.exit_code == 1
    clean = run_line("check", "--diff", str(EXAMPLES / "01-exemplary-death.yaml"))
    assert (clean.stdout, clean.exit_code) == ("", 0)


def test_number_where_text_belongs_is_quoted(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_text(GOOD_TEXT.replace("reference: NLSCB-2016-011", "reference: 004")
                        .replace("  gender: male", "  gender: 2016-03-14"), encoding="utf-8")
    run_line("check", "--fix", str(referral))
    text = referral.read_text(encoding="utf-8")
    assert '  reference: "004"\n' in text and '  gender: "2016-03-14"\n' in text
    assert text == GOOD_TEXT.replace("reference: NLSCB-2016-011", 'reference: "004"').replace(
        "  gender: male", '  gender: "2016-03-14"')


def test_quotes_and_comments_are_kept(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_text(GOOD_TEXT.replace("  abuse_or_neglect: suspected\n", "  abuse_or_neglect: 'Suspected'  # ask\n")
                        .replace("  type: death\n", '  "typ": "Death"\n'), encoding="utf-8")
    run_line("check", "--fix", str(referral))
    assert referral.read_text(encoding="utf-8") == GOOD_TEXT.replace(
        "  abuse_or_neglect: suspected\n", "  abuse_or_neglect: 'suspected'  # ask\n").replace(
        "  type: death\n", '  "type": "death"\n')


def test_a_key_with_two_close_matches_is_left_alone(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    text = GOOD_TEXT.replace("  reference: NLSCB-2016-011\n", "  referen: NLSCB-2016-011\n")  # reference or referrer?
    referral.write_text(text, encoding="utf-8")
    result = run_line("check", "--fix", "--format", "concise", str(referral))
    assert referral.read_text(encoding="utf-8") == text
    assert "nothing to fix" in result.stderr
    assert "[shape] `referral.referen` is not a field" in result.stdout and result.exit_code == 1


def test_fix_refuses_standard_input_but_diff_reads_it(run_line: Callable[..., Any]) -> None:
    refused = run_line("check", "--fix", "-", input=_broken(GOOD_TEXT))
    assert refused.exit_code == 2 and "--fix cannot write back to standard input" in refused.stderr
    shown = run_line("check", "--diff", "-", "--stdin-filename", "in.yaml", input=_broken(GOOD_TEXT))
    assert shown.stdout == unified_diff("in.yaml", _broken(GOOD_TEXT), GOOD_TEXT) and shown.exit_code == 1


def test_fix_never_touches_a_file_that_failed_to_load(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    raw = _write(referral, _broken(GOOD_TEXT) + "oops: [unclosed\n")
    result = run_line("check", "--fix", str(referral))
    assert referral.read_bytes() == raw
    assert "not fixed: the file could not be read as YAML" in result.stderr and result.exit_code == 1
    diff = run_line("check", "--diff", str(referral))
    assert diff.stdout == "" and diff.exit_code == 1


def test_fix_keeps_the_file_mode_and_a_symlink(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text(_broken(GOOD_TEXT), encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    run_line("check", "--fix", str(link))
    assert link.is_symlink() and target.read_text(encoding="utf-8") == GOOD_TEXT
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_apply_fixes_takes_edits_of_the_original_and_skips_overlaps() -> None:
    text = "a: one\nb: two\n"
    first = Fix("x", (Edit(1, 4, 1, 7, "ONE"), Edit(2, 4, 2, 7, "TWO")))
    overlapping = Fix("y", (Edit(1, 5, 1, 6, "n"),))
    insert = Fix("z", (Edit(1, 1, 1, 1, "# top\n"),))
    mended, applied = apply_fixes(text, [overlapping, first, insert])
    assert mended == "# top\na: ONE\nb: TWO\n"
    assert applied == [insert, first]


def test_a_load_fault_is_mended_only_when_it_carries_its_own_fix() -> None:
    from scrqm.result import invalid, judge
    from scrqm.run.mend import mend_text

    def check(text: str) -> FileResult:
        if "\t" in text:  # as the loader reports a tab, with the mend of that line
            line = text.split("\n").index(next(x for x in text.split("\n") if "\t" in x)) + 1
            fix = Fix("indent with spaces", (Edit(line, 1, line, 2, "  "),))
            return invalid("r.yaml", [Finding(line, 1, "load", "fail", "tab", autofix=fix)])
        if "oops" in text:
            return invalid("r.yaml", [Finding(1, 1, "load", "fail", "no fix for this")])
        return judge("r.yaml", [], questions=[])

    mended = mend_text("a:\n\tb: 1\n", check)
    assert mended.loaded and mended.text == "a:\n  b: 1\n"
    refused = mend_text("oops\na:\n\tb: 1\n", lambda t: invalid("r.yaml", [
        Finding(1, 1, "load", "fail", "no fix"), *check(t).findings]))
    assert not refused.loaded and refused.text == refused.original


def test_fixable_findings_are_marked_in_every_machine_format(run_line: Callable[..., Any], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("r.yaml").write_text(GOOD_TEXT.replace("  type: death\n", "  type: Death\n"), encoding="utf-8")
    concise = run_line("check", "-f", "concise", "r.yaml").stdout
    assert "r.yaml:27:9: fail [shape] [*] `incident.type` should be one of death" in concise
    assert "[*] `incident.type`" in run_line("check", "-f", "github", "r.yaml").stdout
    assert "[*]" in run_line("check", "r.yaml").stdout
    gitlab = json.loads(run_line("check", "-f", "gitlab", "r.yaml").stdout)
    assert gitlab[0]["description"].startswith("shape: [*] ")
    sarif = json.loads(run_line("check", "-f", "sarif", "r.yaml").stdout)["runs"][0]["results"][0]
    replacement = sarif["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement == {"deletedRegion": {"startLine": 27, "startColumn": 9, "endLine": 27, "endColumn": 14},
                           "insertedContent": {"text": "death"}}
    finding = json.loads(run_line("check", "-f", "json", "r.yaml").stdout)["files"][0]["findings"][0]
    assert finding["autofix"] == {"message": "write `death`", "edits": [
        {"line": 27, "column": 9, "end_line": 27, "end_column": 14, "content": "death"}]}
    assert "autofix" not in json.loads(run_line("check", "-f", "json", "--redact", "r.yaml").stdout)[
        "files"][0]["findings"][0]


def test_sarif_with_fixes_is_valid(run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   sarif_validator: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Path("r.yaml").write_text(_broken(GOOD_TEXT), encoding="utf-8")
    log = json.loads(run_line("check", "-f", "sarif", "r.yaml").stdout)
    assert sum(1 for r in log["runs"][0]["results"] if "fixes" in r) == len(FAULTS)
    sarif_validator.validate(log)


def test_a_fix_survives_the_result_cache() -> None:
    fix = Fix("write `death`", (Edit(27, 9, 27, 14, "death"),))
    result = FileResult("r.yaml", "invalid", None, [Finding(27, 9, "shape", "fail", "m", autofix=fix)])
    assert FileResult.from_dict(json.loads(json.dumps(result.to_dict()))).findings[0].autofix == fix


def test_rules_lists_what_fix_mends(run_line: Callable[..., Any]) -> None:
    assert "[*] `scrqm check --fix` mends these `shape` faults" in run_line("rules").stdout
    data = json.loads(run_line("rules", "-f", "json").stdout)
    shape = next(r for r in data["built_in"] if r["id"] == "shape")
    assert shape["fixable"] and len(shape["fixes"]) >= 4
    assert not any(r["fixable"] for r in data["rules"])


def test_a_line_separator_pasted_into_the_text_is_mended_around_and_kept(run_line: Callable[..., Any],
                                                                          tmp_path: Path) -> None:
    """U+2028 (a line separator, as a word processor pastes it) is text to YAML 1.2: the file loads, the
    date two lines below it is mended at its own line, the diff counts lines as `patch` does, and the
    separator itself is kept."""
    text = ("format: scrqm/referral@1\n# a note\u2028copied from a document\nincident:\n"
            "  summary: Child\u2028A was seen.\n  date: 14/03/2016\n")
    path = tmp_path / "pasted.yaml"
    path.write_text(text, encoding="utf-8")
    shown = run_line("check", "--isolated", "--no-cache", "--today", TODAY, "--diff", str(path)).stdout
    assert "-  date: 14/03/2016\n+  date: 2016-03-14\n" in shown and "@@ -2,4 +2,4 @@" in shown
    run_line("check", "--isolated", "--no-cache", "--today", TODAY, "--fix", str(path))
    assert path.read_text(encoding="utf-8") == text.replace("14/03/2016", "2016-03-14")
    assert unified_diff("a.yaml", "x\u2028y\n", "x\u2028z\n").count("\n") == 5  # one line each, not two


def test_text_not_indented_under_its_field_is_mended_around_a_line_separator(run_line: Callable[..., Any],
                                                                             tmp_path: Path) -> None:
    """The mend that indents text under `rationale:` counts lines as the parser does (a line separator
    above it is no line break), and leaves one inside the text as it was: no space added after it."""
    head, _, rest = GOOD_TEXT.partition("rationale: >\n")
    _, blank, tail = rest.partition("\n\n")
    written = "Child F died\u2028 after a head injury: abuse is suspected, and a review could show learning."
    text = head.replace("\n", "\u2028 pasted\n", 1) + "rationale:\n" + written + "\n" + blank + tail
    path = tmp_path / "unindented.yaml"
    path.write_text(text, encoding="utf-8")
    run_line("check", "--isolated", "--no-cache", "--today", TODAY, "--fix", str(path))
    assert path.read_text(encoding="utf-8") == text.replace("rationale:\n" + written, "rationale: >\n  " + written)
