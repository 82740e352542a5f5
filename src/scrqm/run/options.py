"""Options: what the command line asked for, and how it lays over the configuration file.

Precedence, lowest first: built-in defaults < configuration file < command
line.  A list given on the command line (`--ignore`, `--exclude`, `--rules`)
adds to the file's; any other value replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from scrqm.config import LoadedConfig, load_config


@dataclass
class CheckOptions:
    """What the command line asked for; None means "as configured"."""

    paths: list[str]
    format: str = "text"
    format_from_output: bool = False  # no --format given: take it from the --output file's extension
    output: Path | None = None
    # With `output`, the human report still goes to the terminal in this format, unless `quiet`.
    terminal_format: str = "text"
    quiet: bool = False
    today: dt.date | None = None
    fail_on: str | None = None
    profile: str | None = None
    redact: bool | None = None
    teach: bool = False
    stdin_filename: str = "<stdin>"
    config: Path | None = None
    isolated: bool = False
    exclude: list[str] = field(default_factory=list)
    force_exclude: bool | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    jobs: int | None = None
    cache: bool | None = None
    cache_dir: Path | None = None
    config_start: Path | None = None  # where the search for a configuration file starts (default: here)
    fix: bool = False  # mend what can be mended in place, then report what is left
    diff: bool = False  # print the mends as a unified diff; write nothing, report nothing
    allow_empty: bool | None = None
    force: bool = False  # --output may replace a .yaml/.yml file or a referral


@dataclass
class Outcome:
    """What a run found, for the exit code: the verdict of each file and the run's own errors."""

    verdicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    io_errors: int = 0
    fail_on: str = "fail"
    would_change: bool | None = None  # with --diff: whether any file has something to mend


def effective_config(options: CheckOptions) -> LoadedConfig:
    """The configuration file's values with the command line's on top."""
    loaded = load_config(start=options.config_start, explicit=options.config, isolated=options.isolated)
    file_config = loaded.config
    return loaded.with_cli(
        profile=options.profile,
        fail_on=options.fail_on,
        redact=options.redact,
        select=options.select,
        ignore=[*file_config.ignore, *options.ignore] if options.ignore else None,
        exclude=[*file_config.exclude, *options.exclude] if options.exclude else None,
        force_exclude=options.force_exclude,
        rules=[*file_config.rules, *options.rules] if options.rules else None,
        jobs=options.jobs,
        cache=options.cache,
        cache_dir=str(options.cache_dir) if options.cache_dir is not None else None,
        allow_empty=options.allow_empty,
    )
