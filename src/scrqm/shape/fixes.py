"""Mechanical fixes for shape errors: the edits that mend a fault whose correction follows from the text.

Each fix is data (`Fix`, edits over the original text) attached to the shape
finding it mends; `scrqm check --fix`/`--diff` and the language server's
quick fixes apply the same edits.  What is mended (`FIXABLE`) is only what
needs no judgement: a misspelt key with exactly one close match, an
enumeration in the wrong case, a number or date where text belongs, a missing
`format:` line, and the values whose correction the shape messages derive.
What the corrected text is comes from `shape/mend.py` (the one place that
derives it, for the messages and for these fixes alike); this module only
places it over the span it replaces.
The referral's own words are never changed; anything ambiguous gets no fix.
"""

from __future__ import annotations

from typing import Any

from scrqm.load.document import Document, Path_
from scrqm.load.breaks import line_starts, lines as text_lines
from scrqm.load.spans import Span, Spans, position_of_offset, spans_of
from scrqm.result import Edit, Fix
from scrqm.shape.mend import Suggestion
from scrqm.shape.model import FORMAT_TAG

# What `--fix` mends, for `scrqm rules` and the docs: (kind, example).
FIXABLE: tuple[tuple[str, str], ...] = (
    ("a misspelt key with exactly one close match", "`refferal:` → `referral:`"),
    ("an enumeration in the wrong case", "`Met` → `met`"),
    ("a number or date where text belongs", "`reference: 004` → `reference: \"004\"`"),
    ("a missing `format:` line", f"adds `format: {FORMAT_TAG}` below the comments that head the file"),
    ("a date written the British way, unambiguously", "`14/03/2016` → `2016-03-14`"),
    ("an age written with words", "`age: 4 years` → `age: 4`"),
    ("a yes/no answer not written true or false", "`looked_after: no` → `looked_after: false`"),
    ("a list entry written as a plain line", "`- Health visiting` → `- name: Health visiting`"),
    ("one item where a list belongs", "`learning_priorities: LP2` → `learning_priorities: [LP2]`"),
)

_CACHE: list[tuple[str, Spans, list[int]]] = []


def _spans(document: Document) -> tuple[Spans, list[int]]:
    """The spans of the document's text, computed once per text (a file's issues share them)."""
    if _CACHE and _CACHE[0][0] is document.text:
        return _CACHE[0][1], _CACHE[0][2]
    found = spans_of(document.text), line_starts(document.text)
    _CACHE[:] = [(document.text, *found)]
    return found


def _replace(document: Document, span: Span, content: str, message: str) -> Fix:
    _, starts = _spans(document)
    line, column = position_of_offset(starts, span.start)
    end_line, end_column = position_of_offset(starts, span.end)
    return Fix(message, (Edit(line, column, end_line, end_column, content),))


def _single_line(document: Document, span: Span) -> bool:
    return not any(c in document.text[span.start:span.end] for c in "\n\r")


def _inner(span: Span) -> Span:
    """A quoted scalar's span without its quotes."""
    return Span(span.start + 1, span.end - 1, span.style) if span.style in ("'", '"') else span


def written(document: Document, path: Path_, *, key: bool = False) -> str | None:
    """The text of the scalar at `path` (its key with `key`) exactly as the file has it, quotes included."""
    spans = _spans(document)[0]
    span = (spans.keys if key else spans.values).get(path)
    return document.text[span.start:span.end] if span is not None else None


def key_fix(document: Document, path: Path_, suggestion: Suggestion) -> Fix | None:
    """`refrence:` → `reference:`: the key mend.suggest_key is sure of, when not already in the mapping."""
    key = path[-1]
    if not isinstance(key, str) or suggestion.text is None:
        return None
    parent = _at(document.data, path[:-1])
    if not isinstance(parent, dict) or suggestion.text in parent:
        return None
    span = _spans(document)[0].keys.get(path)
    if span is None or span.style not in ("", "'", '"') or not _single_line(document, span):
        return None
    return _replace(document, _inner(span), suggestion.text, f"rename `{key}` to `{suggestion.text}`")


def format_fix(document: Document) -> Fix | None:
    """A missing `format:` line, added after the comments that head the file (a block mapping's only)."""
    root = _spans(document)[0].values.get(())
    if root is None or root.flow or not isinstance(document.data, dict):
        return None
    _, starts = _spans(document)
    root_line, column = position_of_offset(starts, root.start)
    if column != 1:
        return None
    lines = text_lines(document.text)
    line = 1
    while line < root_line and lines[line - 1].lstrip().startswith("#"):
        line += 1
    if line < root_line and lines[line - 1].rstrip() == "---":
        line += 1
    newline = "\r\n" if "\r\n" in document.text[:root.start + 1] or document.text.count("\r\n") > \
        document.text.count("\n") // 2 else "\n"
    content = f"format: {FORMAT_TAG}{newline}"
    return Fix(f"add `format: {FORMAT_TAG}`", (Edit(line, 1, line, 1, content),))


def value_fix(document: Document, path: Path_, kind: str, suggestion: Suggestion) -> Fix | None:
    """The suggestion's corrected text over the value's span; None when there is none or the span is not one line.

    An enumeration keeps its quotes (only the text inside them is replaced);
    every other correction replaces the whole scalar, as mend.py wrote it.
    """
    if suggestion.text is None:
        return None
    span = _spans(document)[0].values.get(path)
    if span is None or span.style not in ("", "'", '"') or not _single_line(document, span):
        return None
    target = _inner(span) if kind == "literal_error" else span
    if document.text[target.start:target.end] == suggestion.text:
        return None
    return _replace(document, target, suggestion.text, f"write `{suggestion.text}`")


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
