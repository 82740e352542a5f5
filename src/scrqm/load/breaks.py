"""Line breaks as YAML 1.2 counts them: LF, CR and CR LF, and nothing else.

libyaml (ruamel's C parser), and ruamel's pure parser, follow YAML 1.1, which
also breaks lines at NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH
SEPARATOR (U+2029).  YAML 1.2 calls those ordinary characters, and text
pasted from a word processor or a PDF holds them: read as breaks, the rest of
such a line became a new line at column 1, and the file failed with a
misleading syntax error.  So the parser is given the text with each of them
stood in for, one character for one, by a private-use character the text does
not hold (offsets and columns stay the same), and what it hands back is turned
back.  Every count of lines in scrqm uses `lines`/`line_starts` from here, so
positions agree with the parser's.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate, chain

# The breaks YAML 1.1 has and YAML 1.2 does not.
_OLD_BREAKS = "\x85\u2028\u2029"
BREAK = re.compile("\r\n|[\r\n]")


def for_the_parser(text: str) -> tuple[str, dict[int, int] | None]:
    """`text` as the parser is to read it, and the table that turns its stand-ins back (None: no change)."""
    if text.isascii() or not any(old in text for old in _OLD_BREAKS):
        return text, None
    # Neither written in the text nor made by an escape in it ("\uE000" in double quotes).
    escaped = {int(short or long, 16) for short, long in _ESCAPE.findall(text)}
    stand_ins: list[str] = []
    for code in chain(*_PRIVATE_USE):
        if chr(code) not in text and code not in escaped:
            stand_ins.append(chr(code))
            if len(stand_ins) == len(_OLD_BREAKS):
                break
    forward = {ord(old): ord(new) for old, new in zip(_OLD_BREAKS, stand_ins)}
    return text.translate(forward), {new: old for old, new in forward.items()}


# The private-use areas: c-printable, no YAML indicator, and more of them than a text can hold.
_PRIVATE_USE = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE))
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")  # (\x.. cannot reach them)


def restore_message(message: str, back: dict[int, int]) -> str:
    """A message with the stand-ins turned back, also where a parser quotes one as an escape ('\\ue000')."""
    for new, old in back.items():
        message = message.replace(_escaped(new), _escaped(old))
    return message.translate(back)


def restore_path(path: tuple[str | int, ...], back: dict[int, int]) -> tuple[str | int, ...]:
    """A key path with the stand-ins in its keys turned back."""
    return tuple(part.translate(back) if isinstance(part, str) else part for part in path)


def _escaped(code: int) -> str:
    return repr(chr(code))[1:-1] if code > 0xFF or code < 0x20 or 0x7F <= code <= 0x9F else f"\\x{code:02x}"


def lines(text: str) -> list[str]:
    """The lines of `text` without their breaks."""
    return text.split("\n") if "\r" not in text else BREAK.split(text)


def lines_with_ends(text: str) -> list[str]:
    """The lines of `text`, each with its break (`str.splitlines(keepends=True)` breaks at LS too)."""
    if not any(other in text for other in _SPLITLINES_ALSO):
        return text.splitlines(keepends=True)  # the same lines, split in C
    return _LINE_WITH_END.findall(text)


# Where str.splitlines breaks a line and YAML 1.2 does not.
_SPLITLINES_ALSO = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", *_OLD_BREAKS)


_LINE_WITH_END = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.DOTALL)


def line_starts(text: str, split: list[str] | None = None) -> list[int]:
    """The offset where each line starts.  With `split` (`lines(text)`) of a text broken by
    newlines only, each start is the one before plus that line and its newline, summed in C."""
    if split is not None and "\r" not in text:
        return list(accumulate(map(_PLUS_ONE, map(len, split[:-1])), initial=0))
    return [0, *(match.end() for match in BREAK.finditer(text))]


_PLUS_ONE = (1).__add__


def written_break(text: str) -> str:
    """The line break `text` is written with, for lines added to it: CR LF, CR alone (old Mac files) or LF."""
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def position_at(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character offset of `text`, lines broken as the parser breaks them."""
    if "\r" not in text:
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    starts = line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1
