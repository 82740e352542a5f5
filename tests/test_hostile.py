"""Hostile files: each gets a clear `invalid` result from a limit or a rule, cheaply.

Time and memory are bounded structurally: the limit that answers the file is
named in the message, so the work stopped there.  The measured numbers live
in docs/reliability.md (benchmarks/hostile.py), not in assertions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, GOOD, TODAY

HEADER = "format: scrqm/referral@1\n"


def billion_laughs(levels: int = 9) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    names = "abcdefghijklmnop"
    for index in range(1, levels):
        name, previous = names[index], names[index - 1]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return HEADER + "\n".join(lines) + "\n"


@pytest.fixture
def check_file_json(run_line: Callable[..., Any], tmp_path: Path) -> Callable[..., tuple[int, dict[str, Any]]]:
    """Write `content` (text or bytes) to a file, check it, return (exit code, its JSON result)."""

    def run(content: str | bytes, *extra: str, name: str = "hostile.yaml") -> tuple[int, dict[str, Any]]:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        isolated = [] if "--config" in extra else ["--isolated"]
        result = run_line("check", "--format", "json", "--today", TODAY, *isolated, *extra, str(path))
        assert all(line.startswith("scrqm: ") for line in result.stderr.splitlines()), result.stderr
        [file] = json.loads(result.stdout)["files"]
        return result.exit_code, file

    return run


def load_message(file: dict[str, Any]) -> str:
    assert file["verdict"] == "invalid"
    [finding] = [f for f in file["findings"] if f["group"] == "load"]
    assert finding["line"] >= 1 and finding["fix"]
    return str(finding["message"])


def test_billion_laughs_stops_at_the_node_limit(check_file_json: Callable[..., Any]) -> None:
    code, file = check_file_json(billion_laughs())
    assert code == 1
    assert "expands to more than 50,000 values" in load_message(file)


@pytest.mark.parametrize(
    "nesting",
    [
        "rationale: " + "[" * 5000 + "]" * 5000,  # flow lists
        "rationale: " + "{a: " * 5000 + "}" * 5000,  # flow mappings
        "rationale:\n" + "- " * 5000 + "x\n",  # block lists on one line
        "rationale:\n" + "".join("  " * depth + "- a:\n" for depth in range(1, 200)),  # block, indented
    ],
    ids=["flow-list", "flow-mapping", "block-dashes", "block-indented"],
)
def test_nesting_thousands_deep_stops_at_the_depth_limit(check_file_json: Callable[..., Any], nesting: str) -> None:
    code, file = check_file_json(HEADER + nesting)
    assert code == 1
    assert "nests deeper than 64 levels" in load_message(file)


def test_50_mb_file_is_refused_by_its_size_before_reading(
    check_file_json: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: instant, and takes no disk
        handle.truncate(50 * 1024 * 1024)
    reads: list[int] = []
    real_fdopen = __import__("os").fdopen

    def spying_fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        real_read = handle.read
        handle.read = lambda size=-1: reads.append(size) or real_read(size)  # type: ignore[method-assign]
        return handle

    from scrqm.pipeline import Settings, check_file
    from scrqm.packs.loader import load_ruleset

    ruleset = load_ruleset()  # before the spy: packs are read the same way
    monkeypatch.setattr("scrqm.load.document.os.fdopen", spying_fdopen)
    result = check_file(big, display="big.yaml", ruleset=ruleset, settings=Settings())
    assert result.verdict == "invalid"
    assert result.findings[0].message == "the file is 50.0 MiB, over the limit of 2.0 MiB for one referral"
    assert reads == []  # refused on fstat alone


def test_one_megabyte_line_under_the_limit_is_checked(check_file_json: Callable[..., Any]) -> None:
    words = "The child was seen by the health visitor. " * 25_000
    assert len(words) > 1_000_000
    code, file = check_file_json(GOOD.read_text(encoding="utf-8") + f"delay:\n  explanation: {words}\n")
    assert file["verdict"] in ("pass", "warn", "fail")
    assert not [f for f in file["findings"] if f["group"] in ("load", "shape")]


def test_binary_data_is_refused_with_the_position_of_the_nul(check_file_json: Callable[..., Any]) -> None:
    code, file = check_file_json(HEADER.encode() + b"rationale: ok\n" + bytes(range(256)))
    assert code == 1
    assert "binary data (a NUL byte)" in load_message(file)
    assert file["findings"][0]["line"] == 3 and file["findings"][0]["column"] == 1


def test_invalid_utf8_is_refused_with_its_position(check_file_json: Callable[..., Any]) -> None:
    code, file = check_file_json(HEADER.encode() + b"rationale: caf\xe9 latin-1\n")
    assert "not valid UTF-8 (byte 0xe9)" in load_message(file)
    assert (file["findings"][0]["line"], file["findings"][0]["column"]) == (2, 15)


def test_utf8_byte_order_mark_is_accepted(check_file_json: Callable[..., Any]) -> None:
    plain_code, plain = check_file_json(GOOD.read_bytes(), name="plain.yaml")
    bom_code, bom = check_file_json(b"\xef\xbb\xbf" + GOOD.read_bytes(), name="bom.yaml")
    assert bom["verdict"] == plain["verdict"] == "pass"
    assert bom["findings"] == plain["findings"] and bom_code == plain_code == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_get_a_clear_error(check_file_json: Callable[..., Any], encoding: str) -> None:
    code, file = check_file_json(GOOD.read_text(encoding="utf-8").encode(encoding))
    message = load_message(file)
    assert "scrqm reads UTF-8 only" in message or "binary data" not in message
    assert "UTF-16" in message or "UTF-32" in message
    assert "save the file as UTF-8" in file["findings"][0]["fix"]


def test_several_documents_are_refused(check_file_json: Callable[..., Any]) -> None:
    code, file = check_file_json(GOOD.read_text(encoding="utf-8") + "---\n" + HEADER)
    assert "more than one YAML document" in load_message(file)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:builtins.open [{marker}, w]",
        "!!python/object/new:builtins.open [{marker}, w]",
        "!!python/object/apply:os.system ['touch {marker}']",
        "!python/object/apply:pathlib.Path.touch [{marker}]",
        "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    ],
)
def test_python_tags_are_refused_and_never_constructed(
    check_file_json: Callable[..., Any], tmp_path: Path, tag: str
) -> None:
    marker = tmp_path / "constructed"
    code, file = check_file_json(HEADER + f"rationale: {tag.format(marker=marker)}\n")
    assert "is not allowed" in load_message(file)
    assert not marker.exists()


def test_merge_keys_are_merged_and_checked(check_file_json: Callable[..., Any]) -> None:
    text = GOOD.read_text(encoding="utf-8").replace(
        "referral:\n", "base: &who\n  agency: X\n  role: Y\nreferral:\n", 1
    )
    code, file = check_file_json(text)
    assert "`base` is not a field of a referral" in file["findings"][0]["message"]
    merged = "x: &who {agency: A, role: B}\n"
    code, file = check_file_json(HEADER + merged.replace("x:", "referral:\n  referrer:", 1) + "")
    assert file["verdict"] != "invalid" or all(f["group"] != "load" for f in file["findings"])


def test_merge_of_a_non_mapping_is_a_load_error(check_file_json: Callable[..., Any]) -> None:
    code, file = check_file_json(HEADER + "a: &x [1]\nreferral:\n  <<: *x\n")
    assert "merge key '<<' must refer to a mapping" in load_message(file)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}\n", "`format` is required"),
        ("- a\n- b\n", "should be a mapping of fields (format:, referral:, ...) but is a list"),
        ("just some words\n", "but is a single line of text"),
        ("42\n", "but is a single value (int)"),
        ("", "the file is empty"),
        ("# nothing but a comment\n", "the file is empty"),
    ],
    ids=["empty-mapping", "list", "text", "number", "empty", "comment-only"],
)
def test_not_a_mapping_gets_a_shape_finding(check_file_json: Callable[..., Any], content: str, message: str) -> None:
    code, file = check_file_json(content)
    assert code == 1 and file["verdict"] == "invalid"
    assert message in file["findings"][0]["message"]
    assert file["findings"][0]["line"] >= 1


def test_limits_come_from_the_configuration(check_file_json: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / "limits.yaml"
    config.write_text("limits:\n  max-file-size: 200\n  max-depth: 3\n  max-nodes: 20\n", encoding="utf-8")
    _, file = check_file_json(HEADER + "a: [[[[1]]]]\n", name="default.yaml")
    assert "`a` is not a field" in file["findings"][0]["message"]  # within the default limits

    def with_config(content: str) -> str:
        _, result = check_file_json(content, "--config", str(config), name="limited.yaml")
        return load_message(result)

    assert "over the limit of 0.2 KiB" in with_config(HEADER + "a: " + "x" * 300 + "\n")
    assert "nests deeper than 3 levels" in with_config(HEADER + "a: [[[[1]]]]\n")
    assert "more than 20 values" in with_config(HEADER + "a: &a [1, 2, 3, 4, 5]\nb: [*a, *a, *a, *a]\n")


@pytest.mark.parametrize(
    ("limits", "key"),
    [("max-depth: 100000", "limits.max-depth"), ("max-nodes: 0", "limits.max-nodes"),
     ("max-nodes: 1000001", "limits.max-nodes"), ("max-file-size: -1", "limits.max-file-size"),
     ("max-file-size: 16777217", "limits.max-file-size")],
)
def test_limits_out_of_bounds_are_a_config_error(
    run_line: Callable[..., Any], tmp_path: Path, limits: str, key: str
) -> None:
    config = tmp_path / "limits.yaml"
    config.write_text(f"limits:\n  {limits}\n", encoding="utf-8")
    result = run_line("check", "--config", str(config), str(GOOD))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"scrqm: error: {config}:") and f"`{key}`" in result.stderr


def test_standard_input_is_bounded_and_decoded_like_a_file(run_line: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / "limits.yaml"
    config.write_text("limits:\n  max-file-size: 100\n", encoding="utf-8")
    result = run_line("check", "--format", "json", "--config", str(config), "-", input=HEADER + "a: " + "x" * 200)
    [file] = json.loads(result.stdout)["files"]
    assert result.exit_code == 1 and "input is over the limit of 0.1 KiB" in load_message(file)


def test_standard_input_with_a_bad_encoding_is_an_invalid_result(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--format", "json", "--isolated", "-", input=(HEADER + "a: 1\n").encode("utf-16"))
    [file] = json.loads(result.stdout)["files"]
    assert result.exit_code == 1 and file["path"] == "<stdin>"
    assert "encoded as UTF-16" in load_message(file)
