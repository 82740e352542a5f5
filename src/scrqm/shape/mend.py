"""What to write instead: the one place scrqm derives a corrected value.

Shape and load messages end with a "→" line that says what to write; where
the right text can be derived from what was written (``14/03/2016`` →
``2016-03-14``, ``4 years`` → ``4``, ``004`` → ``"004"``), the message quotes
it and carries it as data, a `Fix`, so that ``scrqm check --fix`` applies
exactly the correction the message promises.  Nothing else derives them.

The contract, for every ``suggest_*`` function here:

- it takes the text *exactly as the file has it* for one span (a scalar with
  its quotes, a key, a line), plus what the fault is about;
- it returns a `Suggestion`: ``advice``, always, one sentence that says what
  to write; and ``text``, the replacement for that whole span, or None when
  no correction can be derived safely (an ambiguous date, an age over 17,
  a word that is not close to one choice);
- ``text`` is valid YAML in place of the span and changes nothing else: the
  referral's own words are kept as written (quoted, re-indented or given a
  key, never reworded).

`shape/fixes.py` turns a suggestion's ``text`` into a `result.Fix` over the
span it was derived from (the one thing `scrqm check --fix` applies); the
load-side faults, where a line rather than a value is wrong, get their `Fix`
here: `mend_tabs` (tabs in the indentation) and `mend_unindented` (text not
indented under the field above it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass

from scrqm.load.breaks import line_starts, lines_with_ends
from scrqm.result import Edit, Fix


@dataclass(frozen=True)
class Suggestion:
    advice: str  # what to write, in words; quotes `text` where there is one
    text: str | None = None  # the replacement for the whole span, or None
    general: str | None = None  # `advice` without the referral's own words (for --redact); None: it has none


def text_fix(text: str, message: str, edits: list[tuple[int, int, str]]) -> Fix:
    """A `Fix` from edits given as (start, end, replacement) character offsets into `text`."""
    starts = line_starts(text)

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    return Fix(message, tuple(Edit(*position(start), *position(end), content) for start, end, content in edits))




# ---------------------------------------------------------------- values


def unquoted(written: str) -> str:
    """The text of a scalar as written, without its quotes."""
    written = written.strip()
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "'\"":
        return written[1:-1]
    return written


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar: read back, it is exactly `text`."""
    return json.dumps(text, ensure_ascii=False)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?,?\s+)?"
_DAY_FIRST = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\Z")
_YEAR_FIRST = re.compile(r"(\d{4})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\Z")
_NAMED_DAY_FIRST = re.compile(_WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4})\Z")
_NAMED_MONTH_FIRST = re.compile(_WEEKDAY + r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\Z")
_ISO_WITH_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[t ]\d{1,2}:\d{2}\S*\Z")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_EXAMPLE_DATE = "2016-03-14"


def _real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _spoken(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def suggest_date(written: str) -> Suggestion:
    """A date field: the same date as YYYY-MM-DD, for unambiguous day-first (British) forms.

    ``14/03/2016``, ``14.3.2016``, ``14-03-2016``, ``14 March 2016``, ``Monday
    14th March 2016``, ``March 14, 2016``, ``2016/03/14``, ``2016-3-14`` and
    ``20160314`` are mended.  ``03/04/2016`` could be 3 April or 4 March, and a
    two-digit year could be any century: those are only explained.
    """
    text = unquoted(written).lower().strip()
    found = _DAY_FIRST.match(text)
    if found:
        first, second, year_text = int(found[1]), int(found[3]), found[4]
        if len(year_text) == 2:
            guess = _real(2000 + int(year_text), second, first)
            example = guess.isoformat() if guess else _EXAMPLE_DATE
            return Suggestion(f"write the year in full, as YYYY-MM-DD: `{example}` if {2000 + int(year_text)} is meant",
                              general=_DATE_GENERAL + ", with the year in full")
        year = int(year_text)
        british = _real(year, second, first)
        other = _real(year, first, second) if first != second else None
        if british is not None and other is not None:
            return Suggestion(
                f"`{unquoted(written)}` could be {_spoken(british)} or {_spoken(other)}: write the one meant as "
                f"YYYY-MM-DD, `{british.isoformat()}` or `{other.isoformat()}`",
                general="the day and the month could be either way round: " + _DATE_GENERAL,
            )
        if british is not None:
            return _mended_date(british)
        if other is not None:
            return Suggestion(
                f"{second} is not a month, so this reads month first; if {_spoken(other)} is meant, "
                f"write `{other.isoformat()}` (YYYY-MM-DD)",
                general="this reads month first: " + _DATE_GENERAL,
            )
        return Suggestion(f"there is no such day; write the date as YYYY-MM-DD, e.g. `{_EXAMPLE_DATE}`")
    found = _YEAR_FIRST.match(text)
    if found:
        day = _real(int(found[1]), int(found[3]), int(found[4]))
        return _mended_date(day) if day else _no_such_day()
    found = _NAMED_DAY_FIRST.match(text)
    if found and found[2] in _MONTHS:
        day = _real(int(found[3]), _MONTHS[found[2]], int(found[1]))
        return _mended_date(day) if day else _no_such_day()
    found = _NAMED_MONTH_FIRST.match(text)
    if found and found[1] in _MONTHS:
        day = _real(int(found[3]), _MONTHS[found[1]], int(found[2]))
        return _mended_date(day) if day else _no_such_day()
    found = _ISO_WITH_TIME.match(text)
    if found and _valid_iso(found[1]):
        return Suggestion(f"a date field holds the day only: write `{found[1]}`", found[1], _DATE_GENERAL)
    found = _COMPACT.match(text)
    if found:
        day = _real(int(found[1]), int(found[2]), int(found[3]))
        if day:
            return _mended_date(day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _no_such_day()
    return Suggestion(f"write the date as YYYY-MM-DD, e.g. `{_EXAMPLE_DATE}` for 14 March 2016")


def _valid_iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


_DATE_GENERAL = "write the date as YYYY-MM-DD, year first"


def _mended_date(day: dt.date) -> Suggestion:
    return Suggestion(f"write `{day.isoformat()}` (YYYY-MM-DD)", day.isoformat(), _DATE_GENERAL)


def _no_such_day() -> Suggestion:
    return Suggestion("there is no such day: check the day and the month, and write the date as YYYY-MM-DD")


_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen".split()
    )
}
_YEARS = re.compile(
    r"(?:aged\s+)?([0-9]{1,3}|[a-z]+)(?:\.5|\s+and\s+a\s+half)?\s*"
    r"(?:years?|yrs?|y|year[- ]old|years?[- ]old|yo)?(?:\s+old)?"
    r"(?:,?\s+(?:and\s+)?[0-9]{1,2}\s*(?:months?|mths?|m))?\Z"
)


def suggest_age(written: str) -> Suggestion:
    """`child.age`: whole years as a number, from ``4 years``, ``4 yrs old``, ``four``, ``4.5``, ``4 years 6 months``."""
    text = unquoted(written).lower().strip()
    found = _YEARS.match(text)
    if found:
        count = _NUMBER_WORDS.get(found[1]) if not found[1].isdigit() else int(found[1])
        if count is not None and 0 <= count <= 17:
            return Suggestion(f"write `{count}` (whole years, as a number)", str(count),
                              "write whole years as a number, without words")
        if count is not None:
            return Suggestion("a child is aged 0 to 17: check the age, and write it in whole years, e.g. `4`")
    return Suggestion('write whole years as a number, e.g. `4`, or a baby\'s age as text, e.g. "7 months"')


def suggest_text(written: str) -> Suggestion:
    """A text field given a number, date or true/false: the same characters in quotes (``004`` → ``"004"``)."""
    text = unquoted(written)
    return Suggestion(
        f"write `{quoted(text)}`: in quotes it stays text exactly as written", quoted(text),
        "put the value in double quotes: in quotes it stays text exactly as written",
    )


_TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})


def suggest_flag(written: str) -> Suggestion:
    """A yes/no field: ``true`` or ``false``, from ``"false"``, ``no``, ``off``, ``0``, ``yes``, ``1``..."""
    text = unquoted(written).strip().lower()
    for word, words in (("true", _TRUE_WORDS), ("false", _FALSE_WORDS)):
        if text in words:
            bare = "without quotes, " if written.strip()[:1] in "'\"" else ""
            return Suggestion(f"write `{word}` ({bare}a yes/no field takes only `true` or `false`)", word)
    return Suggestion("write `true` or `false`")


def suggest_choice(written: str, choices: list[str]) -> Suggestion:
    """A fixed choice: the choice itself when only case, spaces or hyphens differ (``Not met`` → ``not_met``)."""
    text = unquoted(written).strip()
    normalised = re.sub(r"[\s\-]+", "_", text.lower())
    if normalised in choices:
        return Suggestion(f"write `{normalised}` (choices are lower case, with underscores)", normalised)

    match = difflib.get_close_matches(normalised, choices, n=1, cutoff=0.6)
    if match:
        return Suggestion(f"did you mean `{match[0]}`? Write one of: {', '.join(f'`{c}`' for c in choices)}")
    return Suggestion(f"write one of: {', '.join(f'`{c}`' for c in choices)}")


def suggest_key(written: str, fields: list[str]) -> Suggestion:
    """An unknown key: the field it is closest to, when exactly one is close."""
    name = unquoted(written).strip()
    lowered = [f for f in fields if f == re.sub(r"[\s\-]+", "_", name.lower())]
    if lowered:
        return Suggestion(f"write `{lowered[0]}` (field names are lower case, with underscores)", lowered[0])
    # A correction must not guess between `referrer` and `reference`: one match, and a close one.
    sure = difflib.get_close_matches(name, fields, n=2, cutoff=0.8)
    close = difflib.get_close_matches(name, fields, n=2, cutoff=0.6)
    if len(sure) == 1:
        return Suggestion(f"did you mean `{sure[0]}`?", sure[0])
    if len(close) == 1:
        return Suggestion(f"did you mean `{close[0]}`?")
    if close:
        return Suggestion(f"did you mean {' or '.join(f'`{c}`' for c in close)}?")
    return Suggestion("the fields here are: " + ", ".join(f"`{f}`" for f in fields))


def suggest_entry(written: str, fields: list[str], list_name: str) -> Suggestion:
    """A list entry written as a plain line where each entry is a mapping: the line becomes its first field.

    ``- Health visiting`` under `agencies` → ``- name: Health visiting``, and the
    advice shows the whole mapping an entry needs.
    """
    first, *others = fields
    then = f", with `{others[0]}: ...` on the next line, lined up under `{first}`" if others else ""
    if written.strip()[:1] in "|>" or "\n" in written:
        return Suggestion(f"each entry of `{list_name}` is a mapping of fields: write `- {first}: ...`{then}")
    shown = f"- {first}: {unquoted(written)}"
    return Suggestion(f"each entry of `{list_name}` is a mapping of fields: write `{shown}`{then}",
                      f"{first}: {written.strip()}",
                      f"each entry of `{list_name}` is a mapping of fields: write `- {first}: ...`{then}")


def suggest_list(written: str, list_name: str) -> Suggestion:
    """A list field given one line of text: that line as a one-item list (``LP2`` → ``[LP2]``).

    Text with a comma is not mended: it could be one name or several.
    """
    text = unquoted(written).strip()
    advice = f"write each item of `{list_name}` on its own line starting with `- `, or in brackets: `[{text or 'LP2'}]`"
    if "," in text or "\n" in written or written.strip()[:1] in "|>":
        return Suggestion(
            f"write each item of `{list_name}` on its own line starting with `- ` (a comma does not separate items)"
        )
    general = f"write each item of `{list_name}` on its own line starting with `- `, or in [brackets]"
    return Suggestion(advice, f"[{quoted(text) if written.strip()[:1] in chr(34) + chr(39) else text}]", general)


def suggest_mapping(name: str, fields: list[str]) -> Suggestion:
    """A field that holds other fields, given a single value: no mend, the shape it needs."""
    shown = ", ".join(f"`{f}:`" for f in fields[:4])
    return Suggestion(f"write the fields of `{name}` on the lines below it, indented by two spaces: {shown}")


# ---------------------------------------------------------------- lines (load faults)

_KEY_LINE = re.compile(r"([ ]*)(?:- +)?([A-Za-z_][A-Za-z0-9_]*)[ ]*:([ ]*)([>|][-+0-9]*)?[ ]*(?:#.*)?\Z")
_FIELD_LINE = re.compile(r"[ ]*(?:- +)?[A-Za-z_][A-Za-z0-9_]*[ ]*:(?:[ ]|\Z)")


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    result, offset = [], 0
    for line in lines_with_ends(text):
        result.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return result


@dataclass(frozen=True)
class Unindented:
    """Text on `line` that belongs under `key` (written on an earlier line) but is not indented under it."""

    key: str
    line: int  # 1-based: the first line of the text
    fix: Fix
    adds_block: bool  # the fix writes `>` after the field's colon


def mend_unindented(text: str, line: int) -> Unindented | None:
    """The text starting on `line` (1-based) indented under the empty field just above it, if there is one.

    The field above must end its line with nothing, ``>`` or ``|`` after its
    colon; the text runs to the next line that starts a field at the same
    indentation as that field or less.  The mend indents every line of the text
    two spaces past the field, and writes ``>`` after the field's colon when
    nothing was there (so a ``:`` in the text is read as text).
    """
    lines = _lines_with_offsets(text)
    index = line - 1
    if not 0 < index < len(lines):
        return None
    # The text may have begun on an earlier line that YAML read as a key (it held a ': ').
    while index > 1 and lines[index - 1][1].strip() and not _FIELD_LINE.match(lines[index - 1][1]) \
            and not lines[index - 1][1].lstrip().startswith(("- ", "#")):
        index -= 1
    line = index + 1
    above = index - 1
    while above >= 0 and (not lines[above][1].strip() or lines[above][1].lstrip().startswith("#")):
        above -= 1
    if above < 0:
        return None
    key = _KEY_LINE.match(lines[above][1])
    if key is None:
        return None
    key_indent = len(key[1])
    body_indent = key_indent + (len(lines[above][1]) - len(lines[above][1].lstrip(" -")) - key_indent) + 2
    first_indent = len(lines[index][1]) - len(lines[index][1].lstrip(" "))
    if first_indent >= body_indent:
        return None
    edits: list[tuple[int, int, str]] = []
    if key[4] is None:
        colon = lines[above][0] + key.end(3) - len(key[3])
        edits.append((colon, colon + len(key[3]), " >"))
    end = index
    while end < len(lines):
        content = lines[end][1]
        indent = len(content) - len(content.lstrip(" "))
        if end > index and content.strip() and indent <= key_indent and (
            _FIELD_LINE.match(content) or content.lstrip().startswith("- ")
        ):
            break
        if content.strip():
            edits.append((lines[end][0], lines[end][0] + indent, " " * body_indent))
        end += 1
    fix = text_fix(text, f"indent the text under `{key[2]}:`", edits)
    return Unindented(key[2], line, fix, key[4] is None)


def looks_like_text(key: str) -> bool:
    """A mapping key that is a sentence someone wrote, not a field name (``Child P died at home ...``)."""
    return len(key.split()) >= 3 or bool(re.search(r"[.!?;,]\s", key))


def indent_step(text: str) -> int:
    """How many spaces the file indents a level by: the least indentation of a space-indented line (2 if none)."""
    widths = [len(c) - len(c.lstrip(" ")) for c in text.splitlines() if c.strip() and not c.startswith("\t")]
    return min((w for w in widths if w > 0), default=2)


def mend_tabs(text: str) -> Fix | None:
    """Every tab in the indentation at the start of a line, as spaces: one tab for each level.

    A level is as wide as the space-indented lines of the file indent (two
    spaces when none do).  Tabs inside text are left as they are.
    """
    lines = _lines_with_offsets(text)
    step = indent_step(text)
    edits: list[tuple[int, int, str]] = []
    for offset, content in lines:
        lead = content[: len(content) - len(content.lstrip(" \t"))]
        if "\t" in lead:
            edits.append((offset, offset + len(lead), lead.replace("\t", " " * step)))
    return text_fix(text, "indent with spaces instead of tabs", edits) if edits else None
