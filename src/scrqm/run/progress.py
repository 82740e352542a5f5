"""The progress bar of a long run: on standard error, only on a terminal.

A CI log or a pipe never gets one (standard error is not a terminal there),
and a short run does not need one; the report on standard output is never
touched, so `scrqm check -f json DIR > out.json` stays clean.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

# Below this many files a run is quick enough that a bar would only flicker.
MIN_FILES = 20


def wanted(total: int, stream: TextIO) -> bool:
    is_terminal = stream.isatty() if hasattr(stream, "isatty") else False
    return total > MIN_FILES and is_terminal


@contextmanager
def progress(total: int, *, stream: TextIO | None = None) -> Iterator[Callable[[], None]]:
    """Yield a function to call once per file checked."""
    stream = stream if stream is not None else sys.stderr
    if not wanted(total, stream):
        yield lambda: None
        return
    from rich.console import Console  # start-up: rich's progress bar only on a terminal with many files
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream, highlight=False, emoji=False)
    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # transient: the bar is erased when done, so the terminal keeps only the report.
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checking", total=total)
        yield lambda: bar.advance(task)
