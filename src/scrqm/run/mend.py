"""`scrqm check --fix` and `--diff`: apply the findings' fixes, in one place.

A fix is data on a finding (`result.Fix`: edits over the text as checked).
`apply_fixes` is the only code that changes text: edits are applied from the
end of the text back, a fix whose edits overlap an earlier one waits for the
next pass, and every byte outside the edits is kept.  `mend_text` checks,
applies and checks again (a renamed key can reveal a value to mend inside it)
until nothing more is fixable.  `--diff` renders the same edits as a unified
diff and writes nothing; `--fix` writes each changed file atomically (a
temporary file renamed over it), with its byte-order mark and mode kept.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from scrqm.load.breaks import line_starts, lines_with_ends
from scrqm.load.spans import offset_of_position
from scrqm.result import FileResult, Fix
from scrqm.report.visible import visible_path

# Passes of check-and-fix before giving up (ruff stops at 100; a referral needs two or three).
MAX_PASSES = 10
# Rules whose findings mean the text was not understood: nothing is mended then, unless every
# such finding carries its own fix (a tab in the indentation is mended by lines, not by spans).
UNLOADED = frozenset({"load", "io"})
BOM = b"\xef\xbb\xbf"

CheckText = Callable[[str], FileResult]


@dataclass
class Mended:
    """The text after every fix that applies, and what was done."""

    original: str
    text: str
    applied: list[Fix]
    result: FileResult  # the last check, of the mended text
    loaded: bool = True

    @property
    def changed(self) -> bool:
        return self.text != self.original


def blocked(result: FileResult) -> bool:
    """Whether the file could not be read, or not loaded in a way a fix of its own mends."""
    return any(f.rule in UNLOADED and (f.rule == "io" or f.autofix is None) for f in result.findings)


def fixes_of(result: FileResult) -> list[Fix]:
    """The fixes of a result's findings; none for a file that could not be loaded."""
    if blocked(result):
        return []
    return [f.autofix for f in result.findings if f.autofix is not None]


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """`text` with every fix applied whose edits overlap no other's; the fixes applied."""
    starts = line_starts(text)
    placed: list[tuple[int, int, Fix, list[tuple[int, int, str]]]] = []
    for fix in fixes:
        edits = sorted((offset_of_position(starts, text, e.line, e.column),
                        offset_of_position(starts, text, e.end_line, e.end_column), e.content) for e in fix.edits)
        if edits:
            placed.append((edits[0][0], edits[-1][1], fix, edits))
    placed.sort(key=lambda item: (item[0], item[1]))
    chosen: list[tuple[int, int, str]] = []
    applied: list[Fix] = []
    last_end = -1
    for start, end, fix, edits in placed:
        if start < last_end or start == last_end and chosen and chosen[-1][0] == chosen[-1][1] == start:
            continue  # overlaps a fix already taken (or a second insertion at the same point): next pass
        chosen += edits
        applied.append(fix)
        last_end = end
    pieces: list[str] = []
    cursor = 0
    for start, end, content in chosen:
        pieces += [text[cursor:start], content]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), applied


def mend_text(text: str, check: CheckText) -> Mended:
    """Check, apply the fixes, and again, until nothing changes (at most MAX_PASSES times)."""
    result = check(text)
    if blocked(result):
        return Mended(text, text, [], result, loaded=False)
    current = text
    applied: list[Fix] = []
    for _ in range(MAX_PASSES):
        fixes = fixes_of(result)
        if not fixes:
            break
        mended, done = apply_fixes(current, fixes)
        if mended == current:
            break
        after = check(mended)
        if blocked(after):
            break  # a fix must never break the YAML; keep the last text that loaded
        current, result, applied = mended, after, applied + done
    return Mended(text, current, applied, result)


def unified_diff(display: str, before: str, after: str) -> str:
    """A unified diff naming the file as shown (`patch -p0` applies it), with "\\ No newline at end of file"."""
    lines = list(difflib.unified_diff(lines_with_ends(before), lines_with_ends(after),
                                      fromfile=visible_path(display), tofile=visible_path(display)))
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: Path, text: str) -> None:
    """Replace the file's text, keeping its byte-order mark, mode and any symlink to it."""
    target = Path(os.path.realpath(path))
    with open(target, "rb") as handle:
        bom = handle.read(3) == BOM
    mode = os.stat(target).st_mode & 0o7777
    handle2 = tempfile.NamedTemporaryFile("wb", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
                                          delete=False)
    try:
        with handle2:
            handle2.write((BOM if bom else b"") + text.encode("utf-8", "surrogateescape"))
            handle2.flush()
            os.fsync(handle2.fileno())
            os.fchmod(handle2.fileno(), mode)
        os.replace(handle2.name, target)
    except BaseException:
        try:
            os.unlink(handle2.name)
        except FileNotFoundError:
            pass
        raise


@dataclass
class MendRun:
    """What `--fix` or `--diff` did over the run's files."""

    files_changed: int = 0
    fixes: int = 0
    not_loaded: int = 0
    unreadable: int = 0


def mend_files(sources: Iterable[tuple[Path | None, str, str]], check: Callable[[str, str], FileResult], *,
               write: bool, out: Callable[[str], object], say: Callable[[str], None]) -> MendRun:
    """Mend each (path or None for standard input, display name, text); diffs to `out`, or files written.

    A file that could not be loaded is never touched: `say` tells why.
    """
    done = MendRun()
    for path, display, text in sources:
        mended = mend_text(text, lambda t: check(t, display))
        if not mended.loaded:
            done.not_loaded += 1
            say(f"scrqm: {visible_path(display)}: not fixed: the file could not be read as YAML; fix the error reported first")
            continue
        if not mended.changed:
            continue
        done.files_changed += 1
        done.fixes += len(mended.applied)
        if write and path is not None:
            write_atomically(path, mended.text)
        else:
            out(unified_diff(display, mended.original, mended.text))
    return done


def summary(done: MendRun, *, write: bool) -> str:
    files = f"{done.files_changed} file" + ("" if done.files_changed == 1 else "s")
    faults = f"{done.fixes} fault" + ("" if done.fixes == 1 else "s")
    if write:
        return f"scrqm: fixed {faults} in {files}" if done.fixes else "scrqm: nothing to fix"
    if not done.fixes:
        return "scrqm: nothing to fix"
    return f"scrqm: would fix {faults} in {files}; run with --fix to apply"
