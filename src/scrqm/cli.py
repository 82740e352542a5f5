"""CLI: parses options, runs the pipeline, prints a report, picks the exit code.

Nothing here decides a verdict.  Every error a user can cause is a
`ScrqmError` (or typer's usage error) turned into one line on standard error
and exit code 2; a file that cannot be read or parsed is a result, not an
error.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from . import __version__
from .errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, ScrqmError
from .report import REPORTERS, default_format

if TYPE_CHECKING:
    from .run import Outcome

app = typer.Typer(
    name="scrqm",
    help="Check referrals for Serious Case Review against SCR Quality Marker 1 (NSPCC/SCIE 2016).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Format = Enum("Format", {name: name for name in REPORTERS}, type=str)  # type: ignore[misc]


class FailOn(str, Enum):
    fail = "fail"
    warn = "warn"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scrqm {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Check referrals for Serious Case Review against SCR Quality Marker 1 (NSPCC/SCIE 2016)."""


def _parse_today(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2016-03-14") from None


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Referral files or folders (folders are searched for *.yaml and *.yml); - reads standard input.", show_default=False)],
    format: Annotated[Optional[Format], typer.Option("--format", "-f", help="Report format [default: github when GITHUB_ACTIONS=true, else text].", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report in --format to this file; the human report still goes to standard output.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no report on standard output (the --output file and the exit code remain).")] = False,
    today: Annotated[Optional[str], typer.Option(help="Treat this date (YYYY-MM-DD) as today, for reproducible results.")] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 when a file's verdict is at least this [default: fail].", show_default=False)] = None,
    profile: Annotated[Optional[str], typer.Option(help="Rule profile [default: wt2015].", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules, questions or groups (repeatable).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules, questions or groups (repeatable).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip files and folders matching this glob (repeatable).")] = None,
    rules: Annotated[Optional[list[Path]], typer.Option("--rules", help="Add the rule packs in this directory (repeatable).")] = None,
    stdin_filename: Annotated[str, typer.Option("--stdin-filename", help="Name to show for standard input.")] = "<stdin>",
    redact: Annotated[Optional[bool], typer.Option("--redact/--no-redact", help="Keep every piece of the referral's own text out of the report.", show_default=False)] = None,
    teach: Annotated[bool, typer.Option("--teach", help="Add the marker's prompts and common obstacles to each question.")] = False,
) -> None:
    """Check referral files against Quality Marker 1."""
    from .run import CheckOptions, execute

    automatic = default_format(os.environ)
    options = CheckOptions(
        paths=paths,
        format=format.value if format is not None else automatic,
        output=output,
        terminal_format=automatic,
        quiet=quiet,
        today=_parse_today(today),
        fail_on=fail_on.value if fail_on else None,
        profile=profile,
        redact=redact,
        teach=teach,
        stdin_filename=stdin_filename,
        config=config,
        isolated=isolated,
        exclude=exclude or [],
        select=select,
        ignore=ignore or [],
        rules=[str(r) for r in rules or []],
    )
    with user_errors():
        outcome = execute(options)
    raise typer.Exit(exit_code(outcome))


class By(str, Enum):
    incident = "incident"
    referral = "referral"


class PatternFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def patterns(
    paths: Annotated[list[str], typer.Argument(help="Folders or files of referrals.", show_default=False)],
    window_days: Annotated[int, typer.Option("--window-days", min=1, help="Referrals within this many days of each other are grouped.")] = 365,
    by: Annotated[By, typer.Option("--by", help="Place referrals in time by the incident's date or the referral's.")] = By.incident,
    min_referrals: Annotated[int, typer.Option("--min-referrals", min=2, help="Report names shared by at least this many referrals.")] = 2,
    format: Annotated[PatternFormat, typer.Option("--format", "-f", help="Report format.")] = PatternFormat.text,
    profile: Annotated[Optional[str], typer.Option(help="Profile for referrals that name none [default: wt2015].", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip files and folders matching this glob (repeatable).")] = None,
) -> None:
    """List institutions, agencies and settings that recur across referrals, and the spread of delays."""
    import sys

    from .patterns import PatternOptions, execute

    options = PatternOptions(paths=paths, window_days=window_days, by=by.value, min_referrals=min_referrals,
                             format=format.value, profile=profile, config=config, isolated=isolated,
                             exclude=exclude or [])
    with user_errors():
        found = execute(options, sys.stdout, sys.stderr)
    raise typer.Exit(EXIT_ERROR if found.errors else EXIT_FINDINGS if found.skipped else EXIT_CLEAN)


@app.command("config")
def show_config(
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
) -> None:
    """Print the effective configuration and where each value came from."""
    from .run import CheckOptions, describe_config, effective_config

    with user_errors():
        loaded = effective_config(CheckOptions(paths=[], config=config, isolated=isolated))
        typer.echo(describe_config(loaded), nl=False)


def exit_code(outcome: Outcome) -> int:
    """2 for usage or I/O errors; 1 for a file at or above `fail_on`, or invalid; else 0."""
    from .result import at_or_above

    if outcome.errors or outcome.io_errors:
        return EXIT_ERROR
    if any(at_or_above(v, outcome.fail_on) for v in outcome.verdicts):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def run() -> None:
    """Console entry point."""
    app()


@contextmanager
def user_errors() -> Iterator[None]:
    """One line on standard error for what the user must fix; never a traceback."""
    try:
        yield
    except ScrqmError as exc:
        typer.echo(f"scrqm: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        typer.echo("scrqm: interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


__all__ = ["app", "run", "EXIT_FINDINGS"]
