"""A referral being written: values set one at a time, everything else in the file kept.

`scrqm new --interactive` saves every answer as it is given, into a file that
may be a fresh skeleton or a referral someone has been writing by hand.  So a
value is set in ruamel.yaml's round-trip tree, which keeps every comment, key
order and quoting, and the file is written whole again, atomically.

The only care needed is with what follows a value: ruamel.yaml keeps the blank
lines and comments after a value with that value, so when a list or a section
grows, they are moved to its new end, and the skeleton's commented template
of an entry (`# - name: ...`) is dropped once a real entry is written.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Union

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from scrqm.errors import ScrqmError

Key = Union[str, int]
FieldPath = tuple[Key, ...]

# A line of the skeleton's commented template of a list entry.
_TEMPLATE = re.compile(r"\s*#( -|  ) [a-z_]+: ")


class Long(str):
    """Text written as a folded block (`key: >`); its paragraphs are kept apart."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # Never re-wrap what is in the file; new text is folded where it is put (`_folded`).
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class Draft:
    """The round-trip tree of one referral file, with `get` and `set` by field path."""

    def __init__(self, text: str, *, source: str = "<referral>") -> None:
        self._yaml = _yaml()
        try:
            data = self._yaml.load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            raise ScrqmError(f"{source}{where}: cannot carry on with this file: it is not valid YAML; "
                             f"`scrqm check {source}` says what to fix") from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise ScrqmError(f"{source}: cannot carry on with this file: it is not a referral "
                             "(a referral is a set of fields such as `referral:` and `child:`)")
        self.data: CommentedMap = data
        self._text: str | None = None  # the dump of `data`, until the next `set`

    @classmethod
    def read(cls, path: Path) -> Draft:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScrqmError(f"{path}: cannot carry on with this file: it is not text (UTF-8)") from None
        except OSError as exc:
            raise ScrqmError(f"{path}: cannot read: {exc.strerror}") from None
        return cls(text, source=str(path))

    # ------------------------------------------------------------ reading

    def get(self, path: FieldPath) -> Any:
        """The value at `path`, or None where there is none."""
        node: Any = self.data
        for key in path:
            if isinstance(node, CommentedMap) and isinstance(key, str):
                node = node.get(key)
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                node = node[key]
            else:
                return None
        return node

    def count(self, path: FieldPath) -> int:
        """How many entries the list at `path` has (0 when it is no list)."""
        node = self.get(path)
        return len(node) if isinstance(node, CommentedSeq) else 0

    def text(self) -> str:
        if self._text is None:
            stream = io.StringIO()
            self._yaml.dump(self.data, stream)
            self._text = stream.getvalue()
        return self._text

    # ------------------------------------------------------------ writing

    def set(self, path: FieldPath, value: Any) -> None:
        """Set the value at `path`, making the sections and list entries on the way."""
        self._text = None
        node: CommentedMap | CommentedSeq = self.data
        for depth, key in enumerate(path[:-1]):
            child = node.get(key) if isinstance(node, CommentedMap) else (
                node[key] if isinstance(key, int) and key < len(node) else None)
            if not isinstance(child, (CommentedMap, CommentedSeq)):
                # Build what is missing below here whole, so it is put in place once.
                for inner in reversed(path[depth + 1:]):
                    value = [value] if isinstance(inner, int) else {inner: value}
                _put(node, key, _node(value, indent=2 * len(path)))
                return
            node = child
        _put(node, path[-1], _node(value, indent=2 * len(path)))

    def save(self, path: Path) -> None:
        """Write the file whole, atomically: a reader sees the old file or the new, never half of one."""
        write_atomically(path, self.text())


def write_atomically(path: Path, text: str) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ScrqmError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise ScrqmError(f"{path}: cannot write: {exc.strerror}") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# ---------------------------------------------------------------- the tree


def _node(value: Any, *, indent: int) -> Any:
    if isinstance(value, Long):
        return _folded(str(value), width=max(40, 78 - indent))
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        return CommentedSeq([_node(v, indent=indent) for v in value])
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _node(item, indent=indent)
        return mapping
    return value


def _folded(text: str, *, width: int) -> FoldedScalarString:
    """`text` as a folded block, its lines broken at spaces to fit `width`.

    Paragraphs are apart by one newline, which a folded block shows as a blank line.
    """
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    content = "\n".join(paragraphs) + "\n"
    folds: list[int] = []
    start = 0
    for paragraph in paragraphs:
        line_start = 0
        for match in re.finditer(r"\S+", paragraph):
            if match.end() - line_start > width and match.start() > line_start:
                folds.append(start + match.start() - 1)  # the space before this word
                line_start = match.start()
        start += len(paragraph) + 1
    scalar: FoldedScalarString = FoldedScalarString(content)
    setattr(scalar, "fold_pos", folds)  # where ruamel.yaml breaks the lines of a folded block
    return scalar


def _composite(value: Any) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0


def _block(value: Any) -> bool:
    return isinstance(value, (FoldedScalarString, LiteralScalarString))


def _put(parent: CommentedMap | CommentedSeq, key: Key, value: Any) -> None:
    if isinstance(parent, CommentedSeq):
        assert isinstance(key, int)
        if key < len(parent):
            _replace(parent, key, value)
        else:
            tail = _pop_tail(parent)
            parent.append(value)
            _push_tail(parent, tail)
        return
    if key in parent:
        _replace(parent, key, value)
        return
    tail = _pop_tail(parent)
    parent[key] = value
    _push_tail(parent, tail)


def _replace(parent: CommentedMap | CommentedSeq, key: Key, value: Any) -> None:
    old = parent[key]
    if _composite(old):
        tail = _pop_tail(old)
        parent[key] = value
        _push_tail(parent, tail) if not _composite(value) else _push_tail(value, tail)
        return
    head, tail = _split(_token(parent, key), block=_block(old))
    if isinstance(value, (CommentedMap, CommentedSeq)):
        # What followed the empty key now follows the entries; the template goes.
        tail = "".join(line for line in tail.splitlines(keepends=True) if not _TEMPLATE.match(line))
        _set_token(parent, key, head if head.strip() else None, block=False)
        parent[key] = value
        _push_tail(value, tail)
        return
    if _block(value) and not _block(old):
        # A plain `key:  # comment` becomes `key: >  # comment` with the text below.
        if isinstance(parent, CommentedMap):
            comment = [f"  {head.rstrip()}"] if head.strip() else None
            parent.ca.items[key] = [None, None, _comment(tail) if tail else None, comment]
        parent[key] = value
        return
    if not _block(value) and _block(old):
        _set_token(parent, key, (head or "\n") + tail if tail else None, block=False)
    parent[key] = value


def _token(parent: CommentedMap | CommentedSeq, key: Key) -> str:
    entry = parent.ca.items.get(key)
    if not entry:
        return ""
    token = entry[2] if isinstance(parent, CommentedMap) else entry[0]
    return str(token.value) if token is not None else ""


def _set_token(parent: CommentedMap | CommentedSeq, key: Key, text: str | None, *, block: bool) -> None:
    """Replace the text after the value at `key`; an existing comment keeps its column."""
    slot = 2 if isinstance(parent, CommentedMap) else 0
    entry = parent.ca.items.get(key)
    if entry is not None and entry[slot] is not None:
        if text:
            entry[slot].value = text
        else:
            entry[slot] = None
        return
    if not text:
        return
    if entry is None:
        entry = parent.ca.items[key] = [None, None, None, None]
    entry[slot] = _comment(text)


def _comment(text: str) -> CommentToken:
    return CommentToken(text, CommentMark(0), None)


def _split(text: str, *, block: bool) -> tuple[str, str]:
    """A value's following text as (the end of its own line, the lines after it)."""
    if block:
        return "", text
    if not text:
        return "", ""
    first, _, rest = text.partition("\n")
    return first + "\n", rest


def _last(node: CommentedMap | CommentedSeq) -> Key:
    return list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1


def _pop_tail(node: CommentedMap | CommentedSeq) -> str:
    """Take the blank lines and comments that follow `node`'s last value."""
    if not len(node):
        return ""
    key = _last(node)
    value = node[key]
    if _composite(value):
        return _pop_tail(value)
    head, tail = _split(_token(node, key), block=_block(value))
    if tail:
        _set_token(node, key, head if head.strip() else None, block=_block(value))
    return tail


def _push_tail(node: CommentedMap | CommentedSeq, tail: str) -> None:
    """Put `tail` after `node`'s last value."""
    if not tail or not len(node):
        return
    key = _last(node)
    value = node[key]
    if _composite(value):
        _push_tail(value, tail)
        return
    if _block(value):
        _set_token(node, key, _token(node, key) + tail, block=True)
        return
    head, rest = _split(_token(node, key), block=False)
    _set_token(node, key, (head or "\n") + rest + tail, block=False)
