"""The YAML 1.2 rules that libyaml (ruamel's C parser) does not enforce.

libyaml accepts a handful of inputs that the YAML specification, and the
yaml-test-suite, call invalid; ruamel's pure parser accepts most of them too.
A referral written that way may read differently in another tool (an editor's
YAML plugin, a CI linter), so `scrqm` refuses them with a position and a fix,
as a stricter parser would.  The load module records where nodes were
written (`NodeSpan`): every node where `may_hide_a_comment` says the comment
check needs them all, otherwise the collections and the scalars the other
checks read (quoted, block, and any inside brackets); `problems` checks the
text against those spans:

- a comment needs a space before its `#` (`"text"# note`, `[a, b]#note`,
  `key: >#note`, `%YAML 1.2#x`);
- the continuation lines of a flow list, flow mapping or quoted text inside a
  block must be indented past the key or `-` they belong to, with spaces
  (a tab is not indentation);
- a lone `-`, `?` or `:` inside `[...]` or `{...}` must be quoted;
- the blank lines that open a `>` or `|` block must not hold more spaces than
  its first line of text.

Each check is linear in the size of the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from scrqm.load.breaks import line_starts as starts_of_lines, lines as split_lines


@dataclass(slots=True)
class NodeSpan:
    """Where one node was written; lines and columns 0-based, as the parser gives them."""

    kind: str  # "scalar", "alias", "flow" (a flow collection) or "block" (a block collection)
    start: int  # character offset where the node (with its anchor and tag) starts
    end: int  # offset after the node; for collections, after their opening token until closed
    start_line: int
    end_line: int
    start_column: int = 0
    style: str | None = None  # scalar style: None/'' plain, "'", '"', '|', '>'
    in_flow: bool = False  # the node sits inside a flow collection
    block_indent: int | None = None  # column of the key or '-' it belongs to; None: no bound


@dataclass(frozen=True)
class SpecProblem:
    """Where the text breaks a YAML 1.2 rule the parser let pass, and what to write instead."""

    message: str
    line: int  # 1-based
    column: int  # 1-based
    hint: str


_BLOCK_HEADER = re.compile(r"(?:[&!][^ \t\n]*[ \t]+)*[|>][0-9+-]*")


def problems(text: str, spans: list[NodeSpan]) -> list[SpecProblem]:
    """The first problem of each kind, in file order (one is enough to fix at a time).

    The lines and their offsets are worked out once, and each check first asks
    whether the file has what it looks at at all (a '#', a multi-line quoted or
    bracketed value, a block scalar), so a plain referral costs little.
    """
    lines = split_lines(text)
    line_starts = starts_of_lines(text, lines)
    found = [
        _comment_without_space(text, spans, line_starts) if may_hide_a_comment(text) else None,
        _flow_continuation(lines, text, spans, line_starts),
        _lone_indicator_in_flow(text, spans, line_starts),
        _block_scalar_leading_blanks(lines, spans),
    ]
    return sorted((p for p in found if p is not None), key=lambda p: (p.line, p.column))


# A '#' right after a character that is neither a blank nor a line break: only such a '#'
# can be a comment without its space (`"text"# note`, `[a]#b`, `key: >#note`).  A '#' at the
# start of a line or after a blank is a well-written comment, or text the parser kept as text.
# Written '#' first, so the search skips from '#' to '#' (thirty times faster than "[^ ...]#").
_HASH_AFTER_TEXT = re.compile("#(?<=[^ \t\r\n]#)")


def may_hide_a_comment(text: str) -> bool:
    """Whether the comment check needs to know where every node lies (the loader records them all then)."""
    return "#" in text and _HASH_AFTER_TEXT.search(text) is not None


def _covered(spans: list[NodeSpan]) -> tuple[list[int], list[int]]:
    """Sorted, merged (start, end) offsets of written nodes: a '#' there is not a comment."""
    ranges = sorted((s.start, s.end) for s in spans if s.kind != "block" and s.end > s.start)
    starts: list[int] = []
    ends: list[int] = []
    for start, end in ranges:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(offset: int, starts: list[int], ends: list[int]) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < ends[index]


def _comment_without_space(text: str, spans: list[NodeSpan], line_starts: list[int]) -> SpecProblem | None:
    index = text.find("#")
    if index == -1:
        return _block_header_comment(text, spans, line_starts)
    starts, ends = _covered(spans)
    skip_to = -1  # the rest of a line after a comment's '#' is comment text
    while index != -1:
        if index >= skip_to and not _inside(index, starts, ends):
            line = bisect.bisect_right(line_starts, index) - 1
            skip_to = line_starts[line + 1] if line + 1 < len(line_starts) else len(text)
            if index > line_starts[line] and text[index - 1] not in " \t":
                return _comment_problem(line, index - line_starts[line])
        index = text.find("#", index + 1)
    return _block_header_comment(text, spans, line_starts)


def _block_header_comment(text: str, spans: list[NodeSpan], line_starts: list[int]) -> SpecProblem | None:
    for span in spans:
        if span.kind != "scalar" or span.style not in ("|", ">"):
            continue
        match = _BLOCK_HEADER.match(text, span.start)
        if match and text[match.end():match.end() + 1] == "#":
            return _comment_problem(span.start_line, match.end() - line_starts[span.start_line])
    return None


def _comment_problem(line: int, column: int) -> SpecProblem:
    return SpecProblem(
        "a comment needs a space before its '#'",
        line + 1,
        column + 1,
        "put a space before the '#', or quote the text if the '#' belongs to it",
    )


def _flow_continuation(lines: list[str], text: str, spans: list[NodeSpan],
                       line_starts: list[int]) -> SpecProblem | None:
    covered: tuple[list[int], list[int]] | None = None
    for span in spans:
        multi_line = span.end_line > span.start_line
        checked = span.kind == "flow" or span.kind == "scalar" and span.style in ("'", '"')
        if not (checked and multi_line and not span.in_flow and span.block_indent is not None):
            continue
        if covered is None:  # where scalars lie: only once a value to check is found
            covered = _covered([s for s in spans if s.kind == "scalar"])
        scalar_starts, scalar_ends = covered
        for line in range(span.start_line + 1, min(span.end_line, len(lines) - 1) + 1):
            content = lines[line]
            stripped = content.lstrip(" \t")
            if not stripped:
                continue
            first = line_starts[line] + len(content) - len(stripped)
            if stripped.startswith("#") and not _inside(first, scalar_starts, scalar_ends):
                continue  # a comment line inside [ ... ] needs no indentation
            spaces = len(content) - len(content.lstrip(" "))
            if spaces <= span.block_indent:
                return _continuation_problem(span, line, spaces)
    return None


def _continuation_problem(span: NodeSpan, line: int, spaces: int) -> SpecProblem:
    what = "quoted text" if span.kind == "scalar" else "list or mapping in brackets"
    needed = (span.block_indent or 0) + 1
    return SpecProblem(
        f"this line continues the {what} begun on line {span.start_line + 1} but is not indented "
        f"past the key or '-' it belongs to (at least {needed} space{'s' if needed != 1 else ''})",
        line + 1,
        spaces + 1,
        "indent continuation lines with spaces (a tab is not indentation), "
        "or write long text as a block after '>'",
    )


def _lone_indicator_in_flow(text: str, spans: list[NodeSpan], line_starts: list[int]) -> SpecProblem | None:
    for span in spans:
        if span.kind != "scalar" or not span.in_flow or span.style not in (None, ""):
            continue
        if text[span.start:span.start + 1] in ("-", "?", ":"):
            following = text[span.start + 1:span.start + 2]
            if following in ("", " ", "\t", "\n", "\r", ",", "[", "]", "{", "}"):
                column = span.start - line_starts[span.start_line]
                return SpecProblem(
                    f"a lone '{text[span.start]}' inside brackets must be quoted",
                    span.start_line + 1,
                    column + 1,
                    f"write it as '{text[span.start]}' (in quotes)",
                )
    return None


def _block_scalar_leading_blanks(lines: list[str], spans: list[NodeSpan]) -> SpecProblem | None:
    for span in spans:
        if span.kind != "scalar" or span.style not in ("|", ">"):
            continue
        header = lines[span.start_line]
        if re.search(r"[|>][+-]?[1-9]", header):
            continue  # an explicit indentation indicator fixes the indentation
        widest, widest_line = 0, 0
        for line in range(span.start_line + 1, len(lines)):
            content = lines[line]
            if content.strip(" "):
                indent = len(content) - len(content.lstrip(" "))
                parent = span.block_indent if span.block_indent is not None else -1
                if indent > parent and widest > indent:
                    return SpecProblem(
                        f"a blank line at the start of this block holds {widest} spaces, "
                        f"more than the {indent} that indent its first line of text",
                        widest_line + 1,
                        1,
                        "remove the spaces from the blank lines at the start of the block",
                    )
                break
            if len(content) > widest:
                widest, widest_line = len(content), line
    return None
