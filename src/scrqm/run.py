"""One run of `scrqm check`: discover files, load the rules, check, report.

The CLI builds `CheckOptions` and picks the exit code from the `Outcome`; this
module owns the order of work in between.  Reports go to standard output or,
with `--output`, to a file written atomically (a temporary file renamed into
place), so an interrupted run never leaves half a report.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, TextIO

from .errors import ScrqmError


@dataclass
class CheckOptions:
    paths: list[str]
    format: str = "text"
    output: Path | None = None
    today: dt.date | None = None
    fail_on: str = "fail"
    profile: str = "wt2015"
    redact: bool = False
    teach: bool = False
    stdin_filename: str = "<stdin>"


@dataclass
class Outcome:
    verdicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    io_errors: int = 0


def execute(options: CheckOptions) -> Outcome:
    from .checker import Settings, check_file, check_text
    from .discover import discover
    from .packs import load_ruleset
    from .report import Run, get_reporter

    ruleset = load_ruleset(options.profile)
    settings = Settings(today=options.today or dt.date.today(), redact=options.redact)
    found = discover([p for p in options.paths if p != "-"])
    for error in found.errors:
        print(f"scrqm: error: {error}", file=sys.stderr)
    results = []
    if "-" in options.paths:
        results.append(check_text(_read_stdin(), display=options.stdin_filename, ruleset=ruleset, settings=settings))
    for path in found.files:
        results.append(check_file(path, display=path.as_posix(), ruleset=ruleset, settings=settings))
    run = Run(results, ruleset, errors=found.errors, teach=options.teach)
    reporter = get_reporter(options.format)
    with open_report(options.output) as stream:
        reporter.render(run, stream)
    return Outcome(
        verdicts=[r.verdict for r in results],
        errors=found.errors,
        io_errors=sum(1 for r in results if r.io_error),
    )


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    from .load import LoadFailure, decode

    try:
        return decode(data)
    except LoadFailure as exc:
        # Let the checker report it as an invalid file with its position.
        raise ScrqmError(f"standard input: {exc.problems[0].message}") from None


@contextmanager
def open_report(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = output.parent if str(output.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=directory, prefix=f".{output.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise ScrqmError(f"{output}: cannot write the report: {exc.strerror}") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, output)
    except BaseException:
        os.unlink(handle.name)
        raise
