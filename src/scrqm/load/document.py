"""Load: bytes on disk to plain Python data, with the line and column of every node.

Owns decoding (UTF-8 only, BOM accepted), YAML parsing (ruamel.yaml's C parser
where installed, its pure parser otherwise), and composing parser events into
plain dicts, lists and scalars.  Composing is ours, not ruamel's constructor,
so that:

- no tag can construct an object (only the YAML core tags are understood);
- duplicate keys are reported with both lines;
- nesting depth and alias expansion are bounded, so hostile files stay cheap;
- every key and value keeps a 1-based ``Position``.

Problems are raised as one ``LoadFailure`` carrying ``Problem`` values; the
checker turns it into an ``invalid`` result, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Iterator, NamedTuple, NoReturn

from scrqm.load.breaks import for_the_parser, position_at, restore_message, restore_path
from scrqm.load.yamlspec import NodeSpan, may_hide_a_comment, problems as spec_problems
from scrqm.result import Fix

Path_ = tuple[str | int, ...]


class Position(NamedTuple):
    """1-based; a tuple because a file has one per node and tuples are cheapest to make."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """Something that stops a file from being read; positions are 1-based."""

    message: str
    line: int = 1
    column: int = 1
    hint: str | None = None
    fix: Fix | None = None  # the mechanical mend the hint promises, when there is one (shape/mend.py)


class LoadFailure(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "cannot load")
        self.problems = problems


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input cheap; all configurable."""

    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 50_000


@dataclass
class Document:
    """A loaded YAML document: plain data plus where each part was written."""

    data: Any
    text: str
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)
    styles: dict[Path_, str] = field(default_factory=dict)
    source: str = "<text>"
    _strings: list[tuple[Path_, str]] | None = field(default=None, repr=False, compare=False)

    def position_of(self, path: Path_) -> Position:
        """Where `path` was written, or the nearest ancestor that was."""
        probe = tuple(path)
        while probe:
            found = self.values.get(probe) or self.keys.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return self.values.get((), Position(1, 1))

    def key_position(self, path: Path_) -> Position:
        return self.keys.get(tuple(path)) or self.position_of(path)

    def strings(self) -> list[tuple[Path_, str]]:
        """Every string value in the document with its path, in file order.

        Several rules read them all; the walk is done once per document.
        """
        if self._strings is None:
            self._strings = []
            _collect_strings(self.data, (), self._strings)
        return self._strings


def _collect_strings(root: Any, path: Path_, found: list[tuple[Path_, str]]) -> None:
    """Append every string below `root` to `found`, in file order."""
    # A stack, not recursion: the nesting limit is configurable, Python's is not.
    stack: list[tuple[Path_, Any]] = [(path, root)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, str):
            found.append((here, node))
        elif isinstance(node, dict):
            stack.extend(((*here, key), value) for key, value in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*here, index), value) for index, value in reversed(list(enumerate(node))))


# --------------------------------------------------------------------------
# Decoding

_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


_NEXT_STEP = (
    "a referral is a YAML text file: start one with `scrqm new referral.yaml` (or "
    "`scrqm new --interactive referral.yaml`, which asks for each answer) and copy the answers across"
)


def foreign(raw: bytes, name: str = "") -> Problem | None:
    """The file is a known kind of document that is not YAML (Word, PDF, ...): say which, and what to do."""
    head = raw[:8]
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    what = None
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in raw:
            what = "a Word document (.docx)"
        elif b"opendocument.text" in raw[:200]:
            what = "an OpenDocument text document (.odt)"
        elif b"xl/" in raw:
            what = "an Excel workbook (.xlsx)"
        elif b"ppt/" in raw:
            what = "a PowerPoint presentation (.pptx)"
        else:
            what = "a ZIP archive"
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        what = {"xls": "an Excel workbook (.xls)", "msg": "an Outlook message (.msg)"}.get(
            suffix, "a Word document in the older .doc format"
        )
    elif head.startswith(b"%PDF-"):
        what = "a PDF document"
    elif raw.lstrip()[:5].lower() == b"{\\rtf":
        what = "a Rich Text (.rtf) document"
    elif head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        what = "an image"
    elif head.startswith(b"\x1f\x8b"):
        what = "a compressed (gzip) file"
    elif raw.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        what = "a web page (HTML)"
    elif raw.lstrip()[:5] == b"<?xml":
        what = "an XML file"
    if what is None:
        return None
    hint = _NEXT_STEP
    if "Word" in what or "Rich Text" in what or "OpenDocument" in what or "PDF" in what:
        hint = _NEXT_STEP + " from the document"
    return Problem(f"this is {what}, not a referral file", 1, 1, hint)


def decode(raw: bytes, name: str = "") -> str:
    """UTF-8 text from `raw`, or a LoadFailure that says where and what to do.

    `name`, the file's name where there is one, helps to say what kind of
    document a file that is not YAML is.
    """
    other = foreign(raw, name)
    if other is not None:
        raise LoadFailure([other])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    else:
        for bom, name in _UTF16_32_BOMS:
            if raw.startswith(bom):
                raise LoadFailure([_wrong_encoding(name)])
    if b"\x00" in raw:
        if _looks_like_utf16(raw):
            raise LoadFailure([_wrong_encoding("UTF-16")])
        line, column = _line_column_of_byte(raw, raw.index(b"\x00"))
        raise LoadFailure(
            [
                Problem(
                    "the file holds binary data (a NUL byte), not text",
                    line,
                    column,
                    "a referral is a text file: save it from a text editor as UTF-8 YAML",
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column_of_byte(raw, exc.start)
        raise LoadFailure(
            [
                Problem(
                    f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    line,
                    column,
                    "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
                )
            ]
        ) from None


def _wrong_encoding(name: str) -> Problem:
    return Problem(
        f"the file is encoded as {name}; scrqm reads UTF-8 only",
        hint="save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
    )


def _looks_like_utf16(raw: bytes) -> bool:
    sample = raw[:200]
    return sample.count(b"\x00") * 3 >= len(sample)


def _line_column_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", "replace")) + 1
    return line, column


class NotAFile(OSError):
    """The path is a named pipe, a device or a socket: reading it could block or never end."""


def read_path(path: Path, *, limits: Limits = Limits()) -> str:
    """The text of `path`, bounded by `limits.max_bytes` before anything is read.

    The file is opened without blocking and checked with fstat on the open
    descriptor, so a named pipe cannot hang the run and a file swapped after
    the check cannot slip past the size limit.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(errno.EINVAL, f"not a regular file but {_kind_of(info.st_mode)}", str(path))
        if info.st_size > limits.max_bytes:
            raise LoadFailure([too_big(info.st_size, limits)])
        raw = handle.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:  # grew while we looked
        raise LoadFailure([Problem("the file grew past the size limit while being read",
                                   hint="check it once nothing is writing to it")])
    return decode(raw, path.name)


def read_stream(stream: BinaryIO, *, limits: Limits = Limits()) -> str:
    """The text of a stream (standard input), reading at most one byte past the limit."""
    raw = stream.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise LoadFailure([too_big(None, limits)])
    return decode(raw)


def too_big(size: int | None, limits: Limits) -> Problem:
    what = f"the file is {_mebibytes(size)}, over" if size is not None else "the input is over"
    return Problem(
        f"{what} the limit of {_mebibytes(limits.max_bytes)} for one referral",
        hint="a referral is a few kilobytes; check this is the right file, "
        "or raise `limits: max-file-size:` in the configuration",
    )


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (use - to read standard input)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a directory" if stat.S_ISDIR(mode) else "a special file"


def _mebibytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


# --------------------------------------------------------------------------
# Parsing

_YAML: Any = None


def _yaml() -> Any:
    """One parser factory per process, for the pure parser (where the C one is missing)."""
    global _YAML
    if _YAML is None:
        from ruamel.yaml import YAML  # start-up: ruamel's pure parser only where its C parser is missing

        _YAML = YAML(typ="safe", pure=True)
    return _YAML


_UNSET: Any = object()
_C_PARSER: Any = _UNSET


def _c_parser() -> Any:
    """ruamel's C parser class (libyaml), or None where it is not installed."""
    global _C_PARSER
    if _C_PARSER is _UNSET:
        try:
            # start-up: the C parser once, when the first file is read (and it may be missing)
            from _ruamel_yaml import CParser  # type: ignore[import-not-found]  # C extension, no stubs
        except ImportError:  # pragma: no cover - clib missing (PyPy, or not installed)
            CParser = None
        _C_PARSER = CParser
    return _C_PARSER


def _parse_into(text: str, feed: Any) -> None:
    """Feed every parser event of `text` to `feed`.

    The C parser is driven directly, in a plain loop: ruamel's `YAML.parse`
    builds a loader class on every call and yields through a generator, which
    together cost as much as parsing a referral.
    """
    parser_class = _c_parser()
    if parser_class is None:
        try:
            for event in _yaml().parse(text):
                feed(event)
        except AssertionError as exc:
            # ruamel's pure parser asserts on a `%YAML 1.x` it does not know, where libyaml says
            # "found incompatible YAML document": the same problem, whichever parser reads the file.
            if "version" not in str(exc):
                raise
            from ruamel.yaml.error import FileMark  # start-up: only for a file with such a directive
            from ruamel.yaml.parser import ParserError  # start-up: as above

            at = max(text.find("%YAML"), 0)
            line, column = position_at(text, at)
            raise ParserError(None, None, "found incompatible YAML document",
                              FileMark("<text>", at, line - 1, column - 1)) from None
        return
    parser = parser_class(text)
    try:
        more, get = parser.check_event, parser.get_event
        while more():
            feed(get())
    finally:
        parser.dispose()


def load_text(text: str, *, limits: Limits = Limits(), source: str = "<text>") -> Document:
    """Parse one YAML document from `text` into a Document."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if _unprintable(text):  # before the parser: its reader reports bytes, not characters
        raise LoadFailure([_reader_problem(None, text)])
    parsed, back = for_the_parser(text)  # NEL, LS and PS are text, as YAML 1.2 says (load/breaks.py)
    try:
        document = _compose(parsed, limits)
    except LoadFailure as exc:
        if back is not None:
            exc.problems = [_restored_problem(problem, back) for problem in exc.problems]
        raise
    if back is not None:
        _restore(document, back)
        document.text = text
    document.source = source
    return document


def _compose(text: str, limits: Limits) -> Document:
    # start-up: ruamel, about 30 ms, imported with the first file read, not by every command
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    composer = _Composer(text, limits)
    try:
        _parse_into(text, composer.feed)
    except MarkedYAMLError as exc:
        raise LoadFailure([_syntax_problem(exc, text)]) from None
    except YAMLError as exc:  # reader errors carry an index, not a mark
        raise LoadFailure([_reader_problem(exc, text)]) from None
    except _Stop:
        pass
    if composer.problems:
        raise LoadFailure(composer.problems)
    _enforce_spec(text, composer.spans)
    return composer.document()


def _restored_problem(problem: Problem, back: dict[int, int]) -> Problem:
    hint = restore_message(problem.hint, back) if problem.hint is not None else None
    return replace(problem, message=restore_message(problem.message, back), hint=hint)


def _restore(document: Document, back: dict[int, int]) -> None:
    """The parser's stand-ins turned back into the characters written, in every key, value and path."""
    # A stack, not recursion (the nesting limit is configurable, Python's is not); an aliased
    # mapping or list is one object in several places, restored once.
    done: set[int] = set()
    if isinstance(document.data, str):
        document.data = document.data.translate(back)
    stack = [document.data]
    while stack:
        node = stack.pop()
        if id(node) in done or not isinstance(node, (dict, list)):
            continue
        done.add(id(node))
        if isinstance(node, dict):
            items = [(key.translate(back) if isinstance(key, str) else key,
                      value.translate(back) if isinstance(value, str) else value) for key, value in node.items()]
            node.clear()
            node.update(items)
            stack.extend(node.values())
        else:
            node[:] = [item.translate(back) if isinstance(item, str) else item for item in node]
            stack.extend(node)
    document.values = {restore_path(p, back): pos for p, pos in document.values.items()}
    document.keys = {restore_path(p, back): pos for p, pos in document.keys.items()}
    document.styles = {restore_path(p, back): style for p, style in document.styles.items()}


def _enforce_spec(text: str, spans: list[NodeSpan]) -> None:
    """Refuse what the YAML spec forbids but libyaml lets through (see yamlspec)."""
    found = spec_problems(text, spans)
    if found:
        raise LoadFailure(
            [Problem(f"YAML syntax error: {p.message}", p.line, p.column, p.hint) for p in found]
        )


def load_path(path: Path, *, limits: Limits = Limits()) -> Document:
    return load_text(read_path(path, limits=limits), limits=limits, source=str(path))


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "text containing ': ' must be quoted, or written as a block after '>'"),
    ("cannot start any token", "indent with spaces, not tabs; text starting with '@', '`' or '%' must be quoted"),
    ("could not find expected ':'", "each line of a mapping needs 'key: value'; the lines of a '>' block of "
     "text must be indented more than its key"),
    ("did not find expected key", "check the indentation of this line against the lines above it"),
    ("did not find expected ','", "a list in [brackets] or a mapping in {braces} is not closed"),
    ("found undefined alias", "an '*alias' needs a matching '&anchor' earlier in the file"),
    ("found unexpected end of stream", "a quote or bracket opened here is never closed"),
    ("tab character", "indent with spaces, not tabs"),
    ("directive", "a line starting with '%' is a YAML directive: remove it, or quote text that starts with '%'"),
    ("expected <document start>", "remove the text after the '...' or '%' line, or quote text starting with '%'"),
    ("incompatible YAML document", "remove the '%YAML' line at the top of the file"),
    ("expected node content", "a value is missing here, or a ',', ']' or '}' is out of place"),
    ("found unexpected ':'", "text containing ':' must be quoted"),
    ("unexpected document indicator", "a line starting with '---' or '...' ends the document: indent it, "
     "or write the text as a block after '>'"),
    ("block sequence entries are not allowed", "a '- ' list item must start its own line, indented under its key"),
    ("unknown escape character", "inside \"double quotes\" a backslash starts an escape: write \\\\ for a "
     "backslash, or use 'single quotes'"),
    ("while scanning an anchor", "'&' or '*' at the start of a value begins an anchor or alias: quote the text"),
    ("while scanning a tag", "'!' at the start of a value begins a tag: quote the text"),
    ("expected '-' indicator", "every item of this list starts with '- ' at the same indentation"),
    ("comment or line break", "after '>' or '|' only a comment may follow on the same line; start the text "
     "on the next line"),
    ("indentation indicator", "after '>' or '|' write a digit from 1 to 9, or none"),
)


def _syntax_problem(exc: Any, text: str = "") -> Problem:
    return _tab_problem(exc, text) or _unindented_problem(exc, text) or _parser_problem(exc)


def _mark_lines(exc: Any) -> list[int]:
    """0-based lines the parser's marks point at."""
    return [m.line for m in (exc.problem_mark, exc.context_mark) if m is not None]


def _tab_problem(exc: Any, text: str) -> Problem | None:
    """A tab in the indentation of a line the parser stopped at: YAML indents with spaces only."""
    from scrqm.shape.mend import indent_step, mend_tabs  # start-up: only for a file the parser refused

    lines = text.splitlines()
    for number in _mark_lines(exc):
        if number < len(lines) and "\t" in lines[number][: len(lines[number]) - len(lines[number].lstrip(" \t"))]:
            width = indent_step(text)
            return Problem(
                f"line {number + 1} is indented with a tab; YAML indents with spaces only",
                number + 1,
                lines[number].index("\t") + 1,
                f"use spaces instead of a tab ({width} spaces for each tab, as the other lines are indented)",
                mend_tabs(text),
            )
    return None


def _unindented_problem(exc: Any, text: str) -> Problem | None:
    """Text that belongs under a field written just above it, but is not indented under it."""
    from scrqm.shape.mend import looks_like_text, mend_unindented  # start-up: as above

    if "could not find expected ':'" not in str(exc.problem or ""):
        return None
    for number in sorted(set(_mark_lines(exc))):
        lines = text.splitlines()
        if number >= len(lines) or not looks_like_text(lines[number].strip()) and ":" in lines[number]:
            continue
        below = mend_unindented(text, number + 1)
        if below is not None:
            block = f", and write `>` after `{below.key}:`" if below.adds_block else ""
            return Problem(
                f"the text on line {below.line} is not indented under `{below.key}:`, so it reads as a "
                "field name without a colon",
                below.line,
                1,
                f"indent this text under `{below.key}:`, two spaces further in{block}",
                below.fix,
            )
    return None


def _parser_problem(exc: Any) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    words = exc.problem or exc.context or "the YAML cannot be parsed"
    if exc.context and exc.problem:
        words = f"{exc.problem} ({exc.context})"
        if exc.context_mark is not None and exc.problem_mark is not None \
                and exc.context_mark.line != exc.problem_mark.line:
            # The scanner notices at the end; the mistake is where the text began.
            words += f"; the text starting on line {exc.context_mark.line + 1} is the problem"
    hint = next((h for key, h in _SYNTAX_HINTS if key in words), None) or (
        "check this line against the one above it: its indentation, a missing ':' after a field "
        "name, or text that needs quotes or a `>` block"
    )
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(f"YAML syntax error: {words}", line, column, hint)


# Characters YAML 1.2 does not allow in a stream (the complement of c-printable: tab, LF, CR,
# x20-x7E, x85, xA0-xD7FF, xE000-xFFFD, x10000-x10FFFF), which the reader refuses.  Written as
# the few characters refused rather than "[^ allowed]": compiling that class of every astral
# character costs a few milliseconds of every run.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_ASCII_NOT_PRINTABLE = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _unprintable(text: str) -> bool:
    """Whether `text` holds a character YAML does not allow; for ASCII text (most referrals), by
    deleting those bytes and comparing lengths, a few times faster than the search."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NOT_PRINTABLE)) != len(text)
    return _NOT_PRINTABLE.search(text) is not None


def _reader_problem(exc: Any, text: str) -> Problem:
    # The C reader counts its position in UTF-8 bytes, the pure one in
    # characters: find the character ourselves rather than trust either.
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return Problem(f"YAML error: {getattr(exc, 'reason', None) or exc}",
                       hint="save the file again as plain UTF-8 text from a text editor")
    line, column = position_at(text, found.start())
    return Problem(
        f"the file holds a control character (U+{ord(found.group()):04X}) that YAML does not allow",
        line,
        column,
        "delete the character; it is usually left by copying from another program",
    )


# --------------------------------------------------------------------------
# Composing

_CORE = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")


class _Stop(Exception):
    """Raised inside the event loop once the first document is complete."""


@dataclass(slots=True)
class _Frame:
    """A mapping or sequence being composed: where it is, and the key waiting for its value."""

    container: Any
    path: Path_
    pending_key: str | None = None
    pending_merge: bool = False  # the pending key is a merge key (a plain `<<`)
    key_pos: Position | None = None
    merges: list[tuple[Any, Path_]] = field(default_factory=list)
    anchor: _Anchor | None = None
    span: NodeSpan | None = None
    is_list: bool = False  # the container is a sequence (else a mapping)
    in_flow: bool = False  # the collection is written in brackets: its nodes sit inside a flow


@dataclass
class _Anchor:
    """An `&anchor`: its value, and the slice of the position log its node wrote (for an alias)."""

    value: Any
    path: Path_
    start: int
    end: int | None = None


class _Composer:
    """Builds plain data from parser events, without recursion."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.limits = limits
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        self.anchored_at: dict[int, tuple[_Anchor, Path_]] = {}
        self.log: list[tuple[dict[Path_, Position], Path_, Position]] = []
        self.values: dict[Path_, Position] = {}
        self.keys: dict[Path_, Position] = {}
        self.styles: dict[Path_, str] = {}
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.text = text
        self.spans: list[NodeSpan] = []  # where nodes were written, for yamlspec (which, below)
        # yamlspec needs every node's span only where a '#' follows a character other than a blank
        # (is it a comment?); otherwise only those of bracketed, quoted and block text.
        self.every_span = may_hide_a_comment(text)
        # Positions are logged, to be replayed for an alias, only where the text has an '&' at all:
        # without an anchor every alias fails before the log is read.
        self.may_have_anchors = "&" in text

    def document(self) -> Document:
        return Document(self.root, self.text, self.values, self.keys, self.styles)

    # -- events --------------------------------------------------------
    def feed(self, event: Any) -> None:
        # A table by class name: one look-up per event instead of a chain of
        # comparisons, on the loader's hottest line.
        handler = _HANDLERS.get(type(event).__name__)
        if handler is not None:
            handler(self, event)

    def _document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fail(
                event,
                "the file holds more than one YAML document",
                "one referral per file: split the file at each '---' line",
            )

    def _fail(self, event: Any, message: str, hint: str | None = None) -> NoReturn:
        pos = _position(event)
        self.problems.append(Problem(message, pos.line, pos.column, hint))
        raise _Stop

    def _path_for_next(self, event: Any) -> Path_ | None:
        """The path of the node that `event` starts, or None if it is a key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.pending_key is None:
            return None
        return (*top.path, top.pending_key)

    def _count(self, event: Any, amount: int = 1) -> None:
        self.nodes += amount
        if self.nodes > self.limits.max_nodes:
            self._fail(
                event,
                f"the file expands to more than {self.limits.max_nodes:,} values "
                "(anchors and aliases repeated over and over?)",
                "write each value out once; referrals do not need anchors or aliases",
            )

    def _scalar(self, event: Any) -> None:
        # The loader's hottest path, one call per scalar: what _count, _resolve, _path_for_next,
        # _record and _attach do for the other nodes is written out here.
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            self._count(event, 0)
        start = event.start_mark
        pos = _new_position(Position, (start.line + 1, start.column + 1))
        style = event.style
        stack = self.stack
        top = stack[-1] if stack else None
        if self.every_span or style in _SPANNED_STYLES or (top is not None and top.in_flow):
            self._span(event, "scalar", style)
        tag = event.tag
        if tag is None:
            value = _resolve_plain(event.value) if not style and event.implicit[0] else event.value
        else:
            value = self._resolve(event)
        if top is None:
            path: Path_ = ()
        else:
            container = top.container
            if top.is_list:
                path = (*top.path, len(container))
            elif top.pending_key is None:
                self._key(event, value, pos)
                return
            else:
                path = (*top.path, top.pending_key)
        self.values[path] = pos
        if self.may_have_anchors:
            self.log.append((self.values, path, pos))
        if style == "|" or style == ">":
            self.styles[path] = style
        if event.anchor:
            anchor = self._anchor(event, value, path)
            assert anchor is not None
            anchor.end = anchor.start
        if top is None:
            self.root = value
        elif top.is_list:
            container.append(value)
        else:
            key, merge = top.pending_key, top.pending_merge
            top.pending_key, top.pending_merge = None, False
            if merge:
                self._queue_merge(top, value)
            else:
                container[key] = value

    def _key(self, event: Any, value: Any, pos: Position) -> None:
        top = self.stack[-1]
        if isinstance(value, (dict, list)):  # pragma: no cover - scalars only here
            self._fail(event, "a mapping key must be plain text")
        key = event.value if not isinstance(value, str) else value
        # A merge key is a plain `<<`; a quoted "<<" is a key like any other.
        merge = key == "<<" and event.style in (None, "")
        if key in top.container and not merge:
            first = self.keys[(*top.path, key)]
            self.problems.append(
                Problem(
                    f"duplicate key '{key}': first written at line {first.line}, "
                    f"again at line {pos.line}",
                    pos.line,
                    pos.column,
                    "keep one of the two; YAML keeps only the last, so the first would be lost",
                )
            )
        top.pending_key, top.pending_merge = key, merge
        top.key_pos = pos
        if not merge:
            self._record(self.keys, (*top.path, key), pos)

    def _open(self, event: Any, container: Any) -> None:
        self._count(event)
        if event.tag not in (None, "!", _CORE + "map", _CORE + "seq", _CORE + "omap"):
            self._reject_tag(event)
        path = self._path_for_next(event)
        if path is None:
            self._fail(event, "a mapping key must be plain text, not a list or mapping",
                       "write the key as a word followed by ':'")
        if len(self.stack) >= self.limits.max_depth:
            self._fail(
                event,
                f"the file nests deeper than {self.limits.max_depth} levels",
                "a referral nests three or four levels at most; check the indentation",
            )
        self._record(self.values, path, _position(event))
        span = self._span(event, "flow" if event.flow_style else "block")
        frame = _Frame(container, path, anchor=self._anchor(event, container, path), span=span,
                       is_list=isinstance(container, list), in_flow=span.kind == "flow")
        self.stack.append(frame)

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.in_flow and frame.span is not None:
            frame.span.end_line = event.end_mark.line
        if frame.anchor is not None:
            frame.anchor.end = len(self.log)
        for source, source_path in frame.merges:
            self._merge(frame, source, source_path)
        self._attach(frame.container)

    def _attach(self, value: Any) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
            return
        key, merge = top.pending_key, top.pending_merge
        top.pending_key, top.pending_merge = None, False
        if merge:
            self._queue_merge(top, value)
        else:
            top.container[key] = value

    def _queue_merge(self, frame: _Frame, value: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        # Where each mapping merged was written: an anchored one where its anchor is, one written
        # in place (`<<: {a: 1}`, `<<: [{a: 1}, *b]`) under the `<<` key.
        written = (*frame.path, "<<")
        for index, source in enumerate(sources):
            if not isinstance(source, dict):
                pos = frame.key_pos or Position(1, 1)
                self.problems.append(
                    Problem("a merge key '<<' must refer to a mapping", pos.line, pos.column,
                            "write the fields out, or point '<<' at an '&anchor' on a mapping")
                )
                return
            anchored = self.anchored_at.get(id(source))
            if anchored is not None:
                at = anchored[1]
            elif sources is value:  # one of a list of mappings
                at = (*written, index)
            else:
                at = written
            frame.merges.append((source, at))

    def _merge(self, frame: _Frame, source: dict[str, Any], source_path: Path_) -> None:
        for key, value in source.items():
            if key not in frame.container:
                frame.container[key] = value
                target = (*frame.path, key)
                self._record(self.values, target, self.position_of_value((*source_path, key)))

    def position_of_value(self, path: Path_) -> Position:
        return self.values.get(path) or Position(1, 1)

    def _record(self, table: dict[Path_, Position], path: Path_, pos: Position) -> None:
        table[path] = pos
        if self.may_have_anchors:
            self.log.append((table, path, pos))

    def _anchor(self, event: Any, value: Any, path: Path_) -> _Anchor | None:
        if not event.anchor:
            return None
        assert self.may_have_anchors, "an anchor is written with '&': the log must be on"
        anchor = _Anchor(value, path, len(self.log))
        self.anchors[event.anchor] = anchor
        self.anchored_at[id(value)] = (anchor, path)
        return anchor

    def _alias(self, event: Any) -> None:
        self._span(event, "alias")
        anchor = self.anchors.get(event.anchor)
        if anchor is None or anchor.end is None:
            self._fail(event, f"alias '*{event.anchor}' refers to no complete anchor",
                       "an '*alias' needs a matching '&anchor' earlier in the file, outside the alias")
        path = self._path_for_next(event)
        if path is None:
            self._fail(event, "an alias cannot be used as a mapping key",
                       "write the key as a word followed by ':'")
        assert anchor is not None and anchor.end is not None and path is not None
        self._count(event, max(anchor.end - anchor.start, 1))
        # Give the aliased subtree positions under its new path.
        size = len(anchor.path)
        for table, source, pos in self.log[anchor.start:anchor.end]:
            self._record(table, path + source[size:], pos)
        self._record(self.values, path, _position(event))
        self._attach(anchor.value)

    def _span(self, event: Any, kind: str, style: str | None = None) -> NodeSpan:
        """Note where a node was written, for the checks libyaml skips (yamlspec); `_scalar` calls
        this only for the scalars those checks read (see `every_span`)."""
        start, end = event.start_mark, event.end_mark
        top = self.stack[-1] if self.stack else None
        in_flow = top is not None and top.in_flow
        span = NodeSpan(kind, start.index, end.index, start.line, end.line, start.column, style, in_flow,
                        None if in_flow else self._block_indent(top))
        self.spans.append(span)
        return span

    def _block_indent(self, top: _Frame | None) -> int | None:
        """The 0-based column of the key or '-' a node belongs to, when it is sure."""
        if top is None or top.span is None:
            return None
        if isinstance(top.container, dict):
            return top.key_pos.column - 1 if top.key_pos is not None else None
        start = top.span.start
        return top.span.start_column if self.text[start:start + 1] == "-" else None

    # -- scalars -------------------------------------------------------
    def _resolve(self, event: Any) -> Any:
        tag = event.tag
        text = event.value
        if tag == "!":  # the non-specific tag of a quoted scalar
            return text
        if tag is None:
            plain = event.style in (None, "") and event.implicit[0]
            return _resolve_plain(text) if plain else text
        if not tag.startswith(_CORE):
            self._reject_tag(event)
        kind = tag[len(_CORE):]
        if kind == "str":
            return text
        resolved = _resolve_plain(text)
        expected = {"int": int, "float": float, "bool": bool, "null": type(None),
                    "timestamp": dt.date}.get(kind)
        if expected is None:
            self._reject_tag(event)
        if kind == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        if not isinstance(resolved, expected) or (kind == "int" and isinstance(resolved, bool)):
            # The value is not echoed: --redact cannot reach load messages.
            self._fail(event, f"this value is not a valid !!{kind}",
                       f"write a {_TAG_WORDS.get(kind, kind)} here, or remove the !!{kind} tag")
        return resolved

    def _reject_tag(self, event: Any) -> NoReturn:
        tag = str(event.tag)
        shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
        self._fail(
            event,
            f"the tag '{shown}' is not allowed",
            "referral files hold plain text, numbers, dates, lists and mappings: "
            "remove the tag",
        )


_TAG_WORDS = {"int": "whole number", "float": "number", "bool": "true or false", "null": "~",
              "timestamp": "date written as YYYY-MM-DD"}


_HANDLERS: dict[str, Any] = {
    "DocumentStartEvent": _Composer._document_start,
    "ScalarEvent": _Composer._scalar,
    "MappingStartEvent": lambda composer, event: composer._open(event, {}),
    "SequenceStartEvent": lambda composer, event: composer._open(event, []),
    "MappingEndEvent": lambda composer, event: composer._close(event),
    "SequenceEndEvent": lambda composer, event: composer._close(event),
    "AliasEvent": _Composer._alias,
}


# A Position straight from a tuple (what NamedTuple._make does), without the generated __new__.
_new_position = tuple.__new__
# Scalars whose span yamlspec reads even where no comment is in doubt: quoted and block text.
_SPANNED_STYLES = frozenset({"'", '"', "|", ">"})


def _position(event: Any) -> Position:
    mark = event.start_mark
    return _new_position(Position, (mark.line + 1, mark.column + 1))


def _resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar, plus ISO dates."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[:1]
    if first.isdigit() or first in "-+.":
        return _resolve_number_or_date(text)
    return text


def _resolve_number_or_date(text: str) -> Any:
    if _INT.match(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text)
    if _SPECIAL_FLOAT.match(text):
        return float(text.replace(".", "", 1))
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return text  # not a real date: the shape layer says so
    return text
