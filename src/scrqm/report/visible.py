"""What people read is text, never a command: the one place referral text and paths are made safe to show.

A referral from another agency, or a file name from a pull request, may hold
control characters: ESC sequences that retitle a window, clear the screen or
forge a hyperlink, and newlines that start a line of their own, which GitHub
Actions reads as a workflow command (`::error …`, `::add-mask::…`,
`::stop-commands::…`) in any job that prints the report.  Every human-readable
report (`text`, `concise`, the `patterns` table, and the notes on standard
error) shows what it is given through `shown`, which copies a run's results
with each string made visible:

- a newline is `⏎`, a tab `\\t`, a carriage return `\\r`, any other control
  character (C0, DEL, C1 such as the 8-bit CSI) `\\x1b`-style, and the
  invisible bidirectional overrides and line separators `\\u202e`-style;
- a byte of a file name that is not UTF-8 (a lone surrogate) is `\\xff`-style,
  so the report stays valid UTF-8;
- a path that would begin a line with `:` is shown as `./…`, the same file.

So no value can start a line, and no line begins with `::` except the
`github` format's own commands (that format escapes as the runner expects,
report/github.py).  Machine formats (JSON, SARIF, JUnit XML) keep their own
escaping, which already turns every control character into an escape.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrqm.report import Run

T = TypeVar("T")

# C0 controls, DEL and C1 controls; line and paragraph separators; bidirectional
# embeddings, overrides and isolates (they reorder what a reader sees); lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "⏎", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the file system's decoding
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown as an escape; unchanged (the same object) when it has none."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def visible_path(path: str) -> str:
    """A path as `visible` shows it, and never the start of a `::` command at the start of a line."""
    shown = visible(path)
    return "./" + shown if shown.startswith(":") else shown


def shown(value: T) -> T:
    """A copy of `value` (a report's run, a patterns result) with every string in it made visible.

    Dataclasses, lists, tuples and dicts are walked; a field called `path`
    gets `visible_path`.  What needs no change is returned as it is, so a
    clean run costs one scan of its strings.
    """
    result: T = _shown(value, None)
    return result


def shown_run(run: Run) -> Run:
    """The run with its results and errors made visible (its rule sets are the tool's own text)."""
    results, errors = shown(run.results), shown(run.errors)
    if results is run.results and errors is run.errors:
        return run
    return dataclasses.replace(run, results=results, errors=errors)


def _shown(value: Any, name: str | None) -> Any:
    if isinstance(value, str):
        return visible_path(value) if name == "path" else visible(value)
    if isinstance(value, list):
        items = [_shown(item, name) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, tuple):
        items = [_shown(item, name) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(_shown(k, None), _shown(v, None)) for k, v in value.items()]
        same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items()))
        return value if same else dict(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = _shown(old, field.name)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
