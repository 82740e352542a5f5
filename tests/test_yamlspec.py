"""The YAML rules libyaml skips: each refused where the spec says so, and only there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scrqm.load.document import LoadFailure, load_text


def first_problem(text: str) -> tuple[str, int, int, str | None]:
    with pytest.raises(LoadFailure) as caught:
        load_text(text)
    p = caught.value.problems[0]
    return p.message, p.line, p.column, p.hint


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('key: "value"# note\n', 1, 13),
        ("list: [a, b]#note\n", 1, 13),
        ("list: [a,#note\n  b]\n", 1, 10),
        ("block: >#note\n  text\n", 1, 9),
        ("%YAML 1.2#x\n---\na: 1\n", 1, 10),
    ],
)
def test_comment_without_a_space_is_refused(text: str, line: int, column: int) -> None:
    message, *position, hint = first_problem(text)
    assert "comment needs a space" in message and position == [line, column]
    assert hint and "space before the '#'" in hint


@pytest.mark.parametrize(
    "text",
    [
        "a: b#c\n",  # part of plain text
        "url: http://example.org/#part\n",
        'a: "x#y" # note\n',
        "a: &x-y 1 # note\nb: *x-y # note\n",
        "a: >- # note\n  text # not a comment\n",
        "# top\na: [x, y] # note\n",
        "a: 'it''s # not a comment'\n",
    ],
)
def test_hash_that_is_not_a_comment_is_accepted(text: str) -> None:
    load_text(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('rationale: "The child\nwas seen"\n', 2),
        ("list: [a,\nb]\n", 2),
        ('incident:\n  summary: "one\n  two"\n', 3),
        ('a: "one\n\ttwo"\n', 2),  # a tab is not indentation
        ("- [\n\tfoo]\n", 2),
    ],
)
def test_under_indented_continuation_is_refused(text: str, line: int) -> None:
    message, found_line, _, hint = first_problem(text)
    assert "is not indented past the key or '-'" in message and found_line == line
    assert hint and "spaces" in hint


@pytest.mark.parametrize(
    "text",
    [
        'rationale: "The child\n  was seen"\n',
        "list: [a,\n  b]\n",
        "[a,\nb]\n",  # top level: no key to indent past
        "list: [a,\n# a comment line\n  b]\n",
        'a: "one\n\n  two"\n',  # a blank line may be empty
        'a: "one\r\n  two"\r\n',
    ],
)
def test_indented_continuation_is_accepted(text: str) -> None:
    load_text(text)


@pytest.mark.parametrize("text", ["a: [-]\n", "- [-, -]\n", "a: [x, -]\n"])
def test_lone_indicator_in_brackets_is_refused(text: str) -> None:
    message, *_ = first_problem(text)
    assert "inside brackets must be quoted" in message


@pytest.mark.parametrize("text", ["a: ['-', -1, -x]\n", "a: [x-y]\n", "a: [-x, y]\n"])
def test_dash_that_starts_text_is_accepted(text: str) -> None:
    load_text(text)


def test_block_opening_with_wider_blank_lines_is_refused() -> None:
    # libyaml takes this (yaml-test-suite S98Z); the spec does not.
    message, line, _, _ = first_problem("a: >\n \n  \n   \n # c\n")
    assert "blank line at the start of this block holds 3 spaces" in message and line == 4


def test_block_opening_with_narrower_blank_lines_is_accepted() -> None:
    assert load_text("a: >\n \n  text\nb: |2\n    x\n").data == {"a": "\ntext\n", "b": "  x\n"}


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_lines_are_counted_as_the_parser_counts_them(newline: str) -> None:
    load_text(f'a: "one{newline}  two"{newline}b: 1{newline}')
    message, line, _, _ = first_problem(f'a: 1{newline}b: "one{newline}two"{newline}')
    assert "is not indented" in message and line == 3


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_next_line_and_the_unicode_separators_are_text_not_line_breaks(separator: str) -> None:
    """YAML 1.2: NEL, LS and PS are ordinary characters (libyaml, after YAML 1.1, broke lines at them,
    so text pasted from a word processor failed to load with a syntax error at column 1)."""
    document = load_text(f"# a note{separator}more of the note\nrationale: >\n  One{separator}two.\n"
                         f"summary: one{separator}two\nkey{separator}: 'quoted{separator}'\nlast: [x{separator}y]\n")
    assert document.data == {"rationale": f"One{separator}two.\n", "summary": f"one{separator}two",
                             f"key{separator}": f"quoted{separator}", "last": [f"x{separator}y"]}
    assert document.text.count(separator) == 6  # the text as written, not the parser's stand-ins
    assert document.position_of(("summary",)) == (4, 10) and document.key_position((f"key{separator}",)) == (5, 1)
    assert document.position_of(("last", 0)) == (6, 8)
    message, line, column, _ = first_problem(f"a: 1{separator}\nb: 2\nb: 3{separator}\n")
    assert "duplicate key 'b'" in message and (line, column) == (3, 1)
    message, *_ = first_problem(f"k{separator}: 1\nk{separator}: 2\n")
    assert f"duplicate key 'k{separator}'" in message  # the character written, in the message too


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        ('key: "value"# note\n', True),
        ("list: [a, b]#note\n", True),
        ("block: >#note\n  text\n", True),
        ("a: b#c\n", True),  # text, but only the spans can tell
        ("# a comment\nkey: value # another\n", False),
        ("key: value\n#\n\t# tab first\n", False),
        ("a: 1\r# after a carriage return\n", False),
        ("a: 1\u2028# after a line separator\n", True),  # LS is a character, not a break (YAML 1.2)
        ("no hash at all\n", False),
    ],
)
def test_a_comment_is_in_doubt_only_where_a_hash_follows_text(text: str, doubt: bool) -> None:
    from scrqm.load.yamlspec import may_hide_a_comment

    assert may_hide_a_comment(text) is doubt


def test_the_loader_keeps_every_span_only_where_a_comment_is_in_doubt() -> None:
    """Plain text outside brackets needs no span unless a '#' follows text; quoted, block and bracketed do."""
    from scrqm.load.document import Limits, _Composer, _parse_into

    def kinds(text: str) -> list[tuple[str, str | None, bool]]:
        composer = _Composer(text, Limits())
        _parse_into(text, composer.feed)
        return [(s.kind, s.style, s.in_flow) for s in composer.spans if s.kind == "scalar"]

    plain = "a: plain\nb: 'quoted'\nc: >\n  block\nd: [x]\n"
    assert kinds(plain) == [("scalar", "'", False), ("scalar", ">", False), ("scalar", "", True)]
    assert len(kinds(plain + "e: f#g\n")) == 10  # every key and value


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_line_starts_agree_however_lines_are_broken(newline: str) -> None:
    """Lines break at LF, CR and CR LF only (YAML 1.2); NEL, LS and PS stay inside a line."""
    import re

    from scrqm.load.breaks import line_starts, lines, lines_with_ends

    for text in ("", "a", newline, f"a{newline}", f"ab{newline}{newline}c{newline}d", f"x{newline}y\nz",
                 f"v\x0bw{newline}"):
        split = lines(text)
        assert split == re.split("\r\n|\r|\n", text)
        assert lines_with_ends(text) == re.findall(r".*?(?:\r\n|\r|\n)|.+\Z", text, re.DOTALL)
        assert line_starts(text, split) == [0, *(m.end() for m in re.finditer("\r\n|\r|\n", text))] == line_starts(text)


def test_the_parsers_stand_ins_never_reach_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """The private-use characters the parser reads in place of NEL, LS and PS: never one an escape in
    the text makes, never left in a message (the pure parser quotes characters as escapes), and turned
    back at any depth."""
    from scrqm.load import document as load
    from scrqm.load.document import Limits

    # "\uE000" written as an escape in double quotes is that character, not a stand-in for NEL.
    assert load_text('a: "\\uE000 \\ue001"\nb: x\x85y\u2028\u2029\n').data == {"a": "\ue000 \ue001",
                                                                                 "b": "x\x85y\u2028\u2029"}
    deep = "x: " + "[" * 900 + "a\u2028b" + "]" * 900 + "\n"
    value = load_text(deep, limits=Limits(max_depth=1000)).data["x"]
    for _ in range(900):
        value = value[0]
    assert value == "a\u2028b"
    monkeypatch.setattr(load, "_C_PARSER", None)  # ruamel's pure parser, where its C one is missing
    with pytest.raises(LoadFailure) as caught:
        load_text("a: |\u2028\n  x\n")
    message = caught.value.problems[0].message
    assert "\\u2028" in message and "\\ue0" not in message and "\ue000" not in message


@pytest.mark.parametrize("text", ["%YAML 1.3\n---\na: 1\n", "%YAML 1.9\n--- x\n", "# note\n%YAML 1.3\n---\na: 1\n",
                                  "# note\r# two\r%YAML 1.3\r---\ra: 1\r"])
def test_an_unknown_yaml_version_is_one_problem_with_either_parser(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """libyaml refuses `%YAML 1.3` as an incompatible document; ruamel's pure parser (where the C one
    is missing) asserted instead, and the run stopped with a traceback."""
    from scrqm.load import document as load

    pytest.importorskip("_ruamel_yaml")
    with pytest.raises(LoadFailure) as fast:
        load_text(text)
    monkeypatch.setattr(load, "_C_PARSER", None)
    with pytest.raises(LoadFailure) as slow:
        load_text(text)
    assert slow.value.problems == fast.value.problems
    assert "incompatible YAML document" in slow.value.problems[0].message


def test_only_a_plain_double_angle_is_a_merge_key() -> None:
    """`<<: *base` merges; a quoted "<<" is a key like any other (and two of them are duplicates)."""
    merged = load_text("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n").data
    assert merged["c"] == {"b": 1, "d": 2}
    quoted = load_text('a: &x {b: 1}\nc:\n  "<<": *x\n')
    assert quoted.data["c"] == {"<<": {"b": 1}} and quoted.key_position(("c", "<<")) == (3, 3)
    message, line, _, _ = first_problem("c:\n  '<<': 1\n  '<<': 2\n")
    assert "duplicate key '<<'" in message and line == 3


def test_values_merged_from_a_mapping_written_in_place_keep_their_positions() -> None:
    """`<<: {x: 1}` and `<<: [{p: 1}, *b]`: a merged value is found where it was written (it was 1:1)."""
    document = load_text("base: &b {k: 9}\na:\n  <<: {x: 1, y: 2}\n  z: 3\nb:\n  <<: [{p: 1}, *b]\n")
    assert document.data["a"] == {"z": 3, "x": 1, "y": 2} and document.data["b"] == {"p": 1, "k": 9}
    assert document.values[("a", "x")] == (3, 11) and document.values[("a", "y")] == (3, 17)
    assert document.values[("b", "p")] == (6, 12) and document.values[("b", "k")] == (1, 14)


def test_positions_in_a_file_with_old_mac_line_endings_are_those_of_the_same_file_with_newlines(
        run_line: Any, tmp_path: Path) -> None:
    """A file broken by CR alone: the rule that finds an acronym in the text, and the control-character
    problem, count its lines as the parser does (they counted "\\n" only)."""
    import json

    from conftest import EXAMPLES, TODAY

    text = (EXAMPLES / "07-qm11-info-unexpanded-acronym.yaml").read_text(encoding="utf-8")

    def findings(written: str, name: str) -> list[tuple[str, int, int]]:
        path = tmp_path / name
        path.write_bytes(written.encode("utf-8"))
        report = json.loads(run_line("check", "--isolated", "--no-cache", "--today", TODAY, "--format", "json",
                                     str(path)).stdout)
        return [(f["rule"], f["line"], f["column"]) for f in report["files"][0]["findings"]]

    lf = findings(text, "lf.yaml")
    assert any(rule == "QM1.1-acronym-unexpanded" for rule, _, _ in lf)
    assert findings(text.replace("\n", "\r"), "cr.yaml") == lf
    _, line, column, _ = first_problem("a: 1\rb: 2\rc: x\x07\r")
    assert (line, column) == (3, 5)
