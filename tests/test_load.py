"""The loader: positions, syntax errors, duplicate keys, tags, limits, encodings."""

from __future__ import annotations

import datetime as dt

import pytest

from scrqm.load.document import Limits, LoadFailure, Position, decode, load_text


def problems(text: str, **limits: int) -> list[tuple[str, int, int]]:
    with pytest.raises(LoadFailure) as caught:
        load_text(text, limits=Limits(**limits))
    return [(p.message, p.line, p.column) for p in caught.value.problems]


def test_every_key_and_value_has_a_one_based_position() -> None:
    doc = load_text("format: scrqm/referral@1\nincident:\n  type: death\n  date: 2016-02-02\nlist:\n  - a\n  - b\n")
    assert doc.keys[("incident", "type")] == Position(3, 3)
    assert doc.values[("incident", "type")] == Position(3, 9)
    assert doc.values[("incident", "date")] == Position(4, 9)
    assert doc.values[("list", 1)] == Position(7, 5)


def test_missing_field_points_at_nearest_written_ancestor() -> None:
    doc = load_text("a: 1\nincident:\n  type: death\n")
    assert doc.position_of(("incident", "summary")) == Position(3, 3)
    assert doc.position_of(("nothing", "here")) == Position(1, 1)


def test_scalars_resolve_as_yaml_1_2_core_plus_dates() -> None:
    doc = load_text(
        "a: 2016-03-14\nb: '2016-03-14'\nc: yes\nd: true\ne: ~\nf: 12\ng: 1.5\nh: 2016-02-30\ni: 007\n"
    )
    assert doc.data == {
        "a": dt.date(2016, 3, 14),
        "b": "2016-03-14",
        "c": "yes",
        "d": True,
        "e": None,
        "f": 12,
        "g": 1.5,
        "h": "2016-02-30",
        "i": 7,
    }


def test_syntax_error_has_position_and_words() -> None:
    [(message, line, column)] = problems("format: x\nrationale: a: b\n")
    assert "YAML syntax error" in message and "mapping values" in message
    assert (line, column) == (2, 13)


def test_unclosed_bracket_is_reported_not_raised() -> None:
    [(message, line, _)] = problems("a: [1, 2\nb: 3\n")
    assert message.startswith("YAML syntax error")
    assert line == 2


def test_duplicate_key_names_both_lines() -> None:
    [(message, line, column)] = problems("rationale: one\nformat: x\nrationale: two\n")
    assert "duplicate key 'rationale'" in message
    assert "line 1" in message and "line 3" in message
    assert (line, column) == (3, 1)


def test_duplicate_nested_key() -> None:
    [(message, line, _)] = problems("incident:\n  type: death\n  type: serious_harm\n")
    assert "duplicate key 'type'" in message and line == 3


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom {x: 1}\n",
        "a: !!binary aGVsbG8=\n",
    ],
)
def test_tags_that_would_construct_objects_are_refused(text: str) -> None:
    [(message, line, _)] = problems(text)
    assert "is not allowed" in message and line == 1


def test_core_tags_are_understood() -> None:
    assert load_text("a: !!str 12\nb: !!int '3'\n").data == {"a": "12", "b": 3}


def test_several_documents_are_refused() -> None:
    [(message, line, _)] = problems("a: 1\n---\nb: 2\n")
    assert "more than one YAML document" in message and line == 2


def test_alias_bomb_is_bounded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    [(message, _, _)] = problems("\n".join(lines) + "\n", max_nodes=10_000)
    assert "more than 10,000 values" in message


def test_deep_nesting_is_bounded() -> None:
    [(message, _, _)] = problems("[" * 5000 + "]" * 5000, max_depth=64)
    assert "deeper than 64 levels" in message


def test_merge_keys_merge_without_overriding() -> None:
    doc = load_text("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n")
    assert doc.data["thing"] == {"x": 1, "y": 3}


def test_bom_is_accepted_and_utf16_refused() -> None:
    assert load_text(decode("\ufeffa: 1\n".encode("utf-8"))).data == {"a": 1}
    with pytest.raises(LoadFailure) as caught:
        decode("a: 1\n".encode("utf-16"))
    assert "UTF-16" in caught.value.problems[0].message


def test_invalid_utf8_and_nul_bytes_have_positions() -> None:
    with pytest.raises(LoadFailure) as caught:
        decode(b"a: 1\nb: \xff\n")
    problem = caught.value.problems[0]
    assert "not valid UTF-8" in problem.message and (problem.line, problem.column) == (2, 4)
    with pytest.raises(LoadFailure) as caught:
        decode(b"a: 1\nbb: x\x00\n")
    problem = caught.value.problems[0]
    assert "NUL" in problem.message and (problem.line, problem.column) == (2, 6)


def test_control_character_is_reported_with_position() -> None:
    [(message, line, column)] = problems("a: 1\nb: x\x07y\n")
    assert "control character" in message and (line, column) == (2, 5)


def test_empty_file_loads_as_nothing() -> None:
    assert load_text("").data is None
    assert load_text("# only a comment\n").data is None
