"""Where each scalar and key of a YAML text starts and ends, by path, for edits.

The loader keeps only where nodes start (all a report needs).  Mending a value
needs its whole span in the original text, quotes included; this second,
cheap walk over the parser's events gives it, and runs only for a file that
has something to mend.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from scrqm.load.breaks import for_the_parser, restore_path
from scrqm.load.document import Path_, _parse_into


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) in the text, and the scalar's style ('' plain, '"', "'", '|', '>')."""

    start: int
    end: int
    style: str = ""
    flow: bool = False  # a mapping or list written in [brackets] or {braces}


@dataclass
class Spans:
    values: dict[Path_, Span]
    keys: dict[Path_, Span]


def spans_of(text: str) -> Spans:
    """The spans of the first document of `text` (which the loader has already accepted)."""
    walker = _Walker()
    parsed, back = for_the_parser(text)
    try:
        _parse_into(parsed, walker.feed)
    except _Done:
        pass
    if back is None:
        return Spans(walker.values, walker.keys)
    return Spans({restore_path(path, back): span for path, span in walker.values.items()},
                 {restore_path(path, back): span for path, span in walker.keys.items()})


class _Done(Exception):
    pass


class _Walker:
    def __init__(self) -> None:
        self.values: dict[Path_, Span] = {}
        self.keys: dict[Path_, Span] = {}
        # Each open container: [path, is_mapping, next index or pending key, expecting a key]
        self.stack: list[list[Any]] = []
        self.started = False

    def _next_path(self) -> Path_ | None:
        """The path of the node about to start; None when it is a key."""
        if not self.stack:
            return ()
        path, is_mapping, slot, want_key = self.stack[-1]
        if not is_mapping:
            self.stack[-1][2] = slot + 1
            return (*path, slot)
        if want_key:
            return None
        self.stack[-1][3] = True
        return (*path, slot)

    def feed(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "DocumentStartEvent":
            if self.started:
                raise _Done
            self.started = True
        elif kind == "ScalarEvent":
            span = Span(event.start_mark.index, event.end_mark.index, event.style or "")
            path = self._next_path()
            if path is None:
                top = self.stack[-1]
                key = event.value
                top[2], top[3] = key, False
                self.keys[(*top[0], key)] = span
            else:
                self.values[path] = span
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            path = self._next_path()
            if path is None:  # a complex key: nothing to mend there
                raise _Done
            self.values[path] = Span(event.start_mark.index, event.end_mark.index, flow=bool(event.flow_style))
            self.stack.append([path, kind == "MappingStartEvent", None if kind == "MappingStartEvent" else 0, True])
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            path = self.stack.pop()[0]
            start = self.values[path]
            self.values[path] = Span(start.start, event.end_mark.index, flow=start.flow)
            if not self.stack:
                raise _Done
        elif kind == "AliasEvent":
            path = self._next_path()
            if path is None:
                raise _Done


def position_of_offset(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def offset_of_position(starts: list[int], text: str, line: int, column: int) -> int:
    """The character offset of a 1-based (line, column); past the end of a line is its end."""
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    return min(start + column - 1, end)
