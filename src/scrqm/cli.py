"""CLI: parses options, runs the pipeline, prints a report, picks the exit code.

Nothing here decides a verdict.  Every error a user can cause is a
`ScrqmError` (or typer's usage error) turned into one line on standard error
and exit code 2; a file that cannot be read or parsed is a result, not an
error.

No `from __future__ import annotations` here: typer reads every command's
signature when it builds the CLI, and string annotations cost it an `eval`
of each `Annotated[...]` (about 25 ms of every start-up).
"""

import datetime as dt
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Iterator, Optional

import typer

from scrqm import __version__
from scrqm.errors import (EXIT_BROKEN_PIPE, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, ScrqmError,
                          Terminated, quiet_broken_pipe, stop_on_termination)
from scrqm.cli_words import use_plain_words
from scrqm.report import REPORTERS, VIEWS, default_format
from scrqm.report.visible import visible

if TYPE_CHECKING:
    from scrqm.packs.loader import RuleSet
    from scrqm.run.options import Outcome
    from scrqm.teach.interview import Mode

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
    format: Annotated[Optional[Format], typer.Option("--format", "-f", help="Report format \\[default: github when GITHUB_ACTIONS=true, else text].", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", readable=False, help="Write the report to this file, in --format or, without it, the format its extension names: html, md, json, jsonl, sarif, xml (JUnit) or txt; the human report still goes to standard output.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no report on standard output (the --output file and the exit code remain).")] = False,
    today: Annotated[Optional[str], typer.Option(help="Treat this date (YYYY-MM-DD) as today, for reproducible results.")] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 when a file's verdict is at least this \\[default: fail].", show_default=False)] = None,
    profile: Annotated[Optional[str], typer.Option(help="Rule profile \\[default: wt2015].", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules, questions or groups (repeatable).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules, questions or groups (repeatable).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip files and folders matching this glob (repeatable).")] = None,
    force_exclude: Annotated[Optional[bool], typer.Option("--force-exclude/--no-force-exclude", help="Skip excluded files even when they are named on the command line, as pre-commit names them.", show_default=False)] = None,
    rules: Annotated[Optional[list[Path]], typer.Option("--rules", help="Add the rule packs in this directory (repeatable).")] = None,
    stdin_filename: Annotated[str, typer.Option("--stdin-filename", help="Name to show for standard input.")] = "<stdin>",
    redact: Annotated[Optional[bool], typer.Option("--redact/--no-redact", help="Keep every piece of the referral's own text out of the report.", show_default=False)] = None,
    teach: Annotated[bool, typer.Option("--teach", help="Add notes for training to each question: what to look for, and what helps (paraphrased from the marker).")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Files checked in parallel \\[default: the number of cores].", show_default=False)] = None,
    cache: Annotated[Optional[bool], typer.Option("--cache/--no-cache", help="Reuse the results of files unchanged since the last run \\[default: cache].", show_default=False)] = None,
    cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", readable=False, help="Keep the result cache here \\[default: $XDG_CACHE_HOME/scrqm or ~/.cache/scrqm].", show_default=False)] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Mend mechanical faults in place (dates, case, misspelt keys, numbers that must be text, the format line), then report what is left.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show what --fix would change as a unified diff; change nothing (exit 1 if there is something to fix).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Let --output replace a YAML file or a referral.")] = False,
    allow_empty: Annotated[bool, typer.Option("--allow-empty", help="Finding no referral to check is not an error (as when a commit touches none).")] = False,
) -> None:
    """Check referral files against Quality Marker 1."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.run.session import CheckOptions, execute

    automatic = default_format(os.environ)
    options = CheckOptions(
        paths=paths,
        format=format.value if format is not None else automatic,
        format_from_output=format is None,
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
        force_exclude=force_exclude,
        select=select,
        ignore=ignore or [],
        rules=[str(r) for r in rules or []],
        jobs=jobs,
        cache=cache,
        cache_dir=cache_dir,
        fix=fix,
        diff=diff,
        allow_empty=allow_empty or None,
        force=force,
    )
    with user_errors():
        outcome = execute(options)
    raise typer.Exit(exit_code(outcome))


class By(str, Enum):
    incident = "incident"
    referral = "referral"


PatternFormat = Enum("PatternFormat", {name: name for name in VIEWS["patterns"]}, type=str)  # type: ignore[misc]


@app.command()
def patterns(
    paths: Annotated[list[str], typer.Argument(help="Folders or files of referrals.", show_default=False)],
    window_days: Annotated[int, typer.Option("--window-days", min=1, help="Referrals within this many days of each other are grouped.")] = 365,
    by: Annotated[By, typer.Option("--by", help="Place referrals in time by the incident's date or the referral's.")] = By.incident,
    min_referrals: Annotated[int, typer.Option("--min-referrals", min=2, help="Report names shared by at least this many referrals.")] = 2,
    format: Annotated[PatternFormat, typer.Option("--format", "-f", help="Report format.")] = "text",  # type: ignore[assignment]
    profile: Annotated[Optional[str], typer.Option(help="Profile for referrals that name none \\[default: wt2015].", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip files and folders matching this glob (repeatable).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Files read in parallel \\[default: the number of cores].", show_default=False)] = None,
) -> None:
    """List institutions, agencies and settings that recur across referrals, and the spread of delays."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.patterns import PatternOptions, execute

    options = PatternOptions(paths=paths, window_days=window_days, by=by.value, min_referrals=min_referrals,
                             format=PatternFormat(format).value, profile=profile, config=config, isolated=isolated,
                             exclude=exclude or [], jobs=jobs)
    with user_errors():
        found = execute(options, sys.stdout, sys.stderr)
    raise typer.Exit(EXIT_ERROR if found.errors else EXIT_FINDINGS if found.skipped else EXIT_CLEAN)


@app.command("config")
def show_config(
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
) -> None:
    """Print the effective configuration and where each value came from."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.run.options import CheckOptions, effective_config
    from scrqm.run.session import describe_config

    with user_errors():
        loaded = effective_config(CheckOptions(paths=[], config=config, isolated=isolated))
        typer.echo(describe_config(loaded), nl=False)


@app.command()
def new(
    path: Annotated[Optional[Path], typer.Argument(help="File to write; without it the skeleton goes to standard output.", show_default=False)] = None,
    profile: Annotated[Optional[str], typer.Option(help="The framework the referral is written under: wt2015 (Working Together 2015) or wt2023 (Working Together 2018/2023) \\[default: the configured profile, else wt2015].", show_default=False)] = None,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Ask for each field and write the answers.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")] = False,
) -> None:
    """Start a referral: a commented skeleton, or (--interactive) one plain question at a time."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.teach.authoring import fields_for, render_referral, refuse_existing, write_new

    with user_errors():
        chosen, chosen_by = _new_profile(profile, config=config, isolated=isolated)
        fields_for(chosen)  # refuses a profile no skeleton is written for, before anything else
        if interactive:
            raise typer.Exit(_interview(path, chosen, force=force, config=config, isolated=isolated,
                                        chosen_by=chosen_by))
        if path is None:
            typer.echo(render_referral(profile=chosen), nl=False)
            return
        refuse_existing(path, force=force)
        for written in write_new(path, render_referral(profile=chosen), force=force):
            typer.echo(f"scrqm: wrote {written}", err=True)
        typer.echo(f"scrqm: next: fill it in, then run `scrqm check {path}`", err=True)


def _new_profile(profile: Optional[str], *, config: Optional[Path], isolated: bool) -> tuple[str, str]:
    """--profile, else the configuration's profile, else the default one; and which it was."""
    if profile is not None:
        return profile, "option"
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.packs.loader import DEFAULT_PROFILE
    from scrqm.run.options import CheckOptions, effective_config

    loaded = effective_config(CheckOptions(paths=[], config=config, isolated=isolated))
    if loaded.config.profile:
        return loaded.config.profile, "config"
    return DEFAULT_PROFILE, "default"


def _ask_path(read: "Callable[[str], str]", write: "Callable[[str], None]") -> Path:
    while True:
        answer = read("The file to save the referral in [referral.yaml]: ").strip() or "referral.yaml"
        chosen = Path(answer)
        if chosen.suffix.lower() not in (".yaml", ".yml"):
            chosen = chosen.with_name(chosen.name + ".yaml")
        if chosen.is_dir():
            write(f"  {chosen} is a folder; give a file name, e.g. {chosen / 'referral.yaml'}")
            continue
        return chosen


def _ask_profile(read: "Callable[[str], str]", write: "Callable[[str], None]", default: str) -> str:
    write("Which framework is the referral written under?")
    write("  wt2023  Working Together 2018/2023: local child safeguarding practice reviews (referrals made today)")
    write("  wt2015  Working Together 2015: Serious Case Reviews, by the Local Safeguarding Children Board")
    while True:
        answer = read(f"Type wt2023 or wt2015 [{default}]: ").strip().lower() or default
        if answer in ("wt2023", "2023", "wt2015", "2015"):
            return answer if answer.startswith("wt") else f"wt{answer}"
        write("  Type wt2023 or wt2015.")


def _interview(path: Optional[Path], profile: str, *, force: bool, config: Optional[Path], isolated: bool,
               chosen_by: str = "option") -> int:
    """Ask, saving each answer in `path`; an existing file is carried on with or gone through."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.run.options import CheckOptions, effective_config
    from scrqm.run.session import prepare_run
    from scrqm.teach.authoring import fields_for, refuse_existing, render_referral, write_new
    from scrqm.teach.draft import Draft
    from scrqm.teach.interview import Advisor, Interview, Mode
    from scrqm.teach.terminal import real_terminal

    terminal = real_terminal()
    mode: "Mode" = "new"
    explicit = chosen_by == "option"
    try:
        if path is None:
            path = _ask_path(terminal.read, terminal.write)
        exists = path.exists()
        refuse_existing(path, force=True)  # a folder is refused
        if exists and not force:
            draft = Draft.read(path)
            own = draft.get(("profile",))
            if isinstance(own, str) and own != profile and own.strip():
                fields_for(own)
                if explicit:
                    typer.echo(f"scrqm: {path} says `profile: {own}`; asking its questions, not {profile}'s",
                               err=True)
                profile = own
            choice = _continue_or_edit(path, terminal.read, terminal.write)
            if choice is None:
                return EXIT_CLEAN
            mode = choice
        else:
            if chosen_by == "default":
                profile = _ask_profile(terminal.read, terminal.write, profile)
            draft = Draft(render_referral(profile=profile), source=str(path))
            for written in write_new(path, draft.text(), force=force):
                typer.echo(f"scrqm: wrote {written}", err=True)
        selection, settings = prepare_run(effective_config(CheckOptions(paths=[], profile=profile, config=config,
                                                                    isolated=isolated)))
        interview = Interview(draft, profile, terminal, save=lambda: draft.save(path),
                              advisor=Advisor(selection.for_file(str(path), profile), settings, str(path)), mode=mode)
        interview.run()
    except (EOFError, KeyboardInterrupt) as stop:
        terminal.write("")
        if path is not None and path.exists():
            typer.echo(f"scrqm: stopped; every answer given so far is saved in {path}. "
                       f"To carry on: scrqm new --interactive {path}", err=True)
        else:
            typer.echo("scrqm: stopped; nothing was written", err=True)
        return EXIT_INTERRUPTED if isinstance(stop, KeyboardInterrupt) else EXIT_ERROR
    finally:
        terminal.close()
    typer.echo(f"scrqm: saved {path}; `scrqm check {path}` checks it, "
               f"`scrqm new --interactive {path}` changes answers", err=True)
    return EXIT_CLEAN


def _continue_or_edit(path: Path, read: "Callable[[str], str]", write: "Callable[[str], None]") -> "Mode | None":
    write(f"{path} already exists. What would you like to do?")
    write("  c  carry on from where it stopped")
    write("  e  go through every answer, to change some (Enter keeps each one)")
    write("  q  leave it as it is")
    while True:
        answer = read("Choose c, e or q [c]: ").strip().lower()
        if answer in ("", "c"):
            return "continue"
        if answer == "e":
            return "edit"
        if answer == "q":
            return None
        write("  Type c, e or q.")


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", readable=False, help="Write the schema to this file instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of the referral format, for editors."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.report.write import open_report
    from scrqm.shape.schema import render_schema

    with user_errors(), open_report(output) as stream:
        stream.write(render_schema())


RulesFormat = Enum("RulesFormat", {name: name for name in VIEWS["rules"]}, type=str)  # type: ignore[misc]


ProfileOption = Annotated[Optional[str], typer.Option(help="Rule profile \\[default: wt2015].", show_default=False)]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="Read this configuration file instead of searching for one.")]
IsolatedOption = Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")]
RulesOption = Annotated[Optional[list[Path]], typer.Option("--rules", help="Add the rule packs in this directory (repeatable).")]


@app.command("rules")
def list_rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format.")] = "text",  # type: ignore[assignment]
    profile: ProfileOption = None, config: ConfigOption = None, isolated: IsolatedOption = False, rules: RulesOption = None,
) -> None:
    """List the rules in force: id, question or group, severity, title."""
    from scrqm.report import get_view  # start-up: imported when this command runs, so --version and --help stay instant

    with user_errors():
        ruleset = _active_ruleset(profile=profile, config=config, isolated=isolated, rules=rules)
        get_view("rules", RulesFormat(format).value).render(ruleset, sys.stdout)


@app.command("explain")
def explain_id(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="A rule id (as shown in [brackets] in a report) or a question id such as QM1.2.", show_default=False)],
    profile: ProfileOption = None, config: ConfigOption = None, isolated: IsolatedOption = False, rules: RulesOption = None,
) -> None:
    """What a rule or question checks, why, a passing and a failing example, how to fix."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.teach.explain import explain

    with user_errors():
        ruleset = _active_ruleset(profile=profile, config=config, isolated=isolated, rules=rules)
        typer.echo(explain(ruleset, identifier), nl=False)


@app.command("test-rules")
def test_rules(
    folders: Annotated[Optional[list[Path]], typer.Argument(metavar="[DIR]...", help="Folders of board packs; the shipped packs when none is given.", show_default=False)] = None,
) -> None:
    """Run every example of every rule: a `pass` example must give no finding from its rule, a `fail` example one."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.packs.loader import load_ruleset, profiles
    from scrqm.teach.packtests import misbehaving, render, run_examples

    with user_errors():
        outcomes = []
        for name in profiles():
            ruleset = load_ruleset(name, extra_dirs=list(folders or []))
            outcomes += run_examples(ruleset, only=list(folders) if folders else None)
        typer.echo(render(outcomes), nl=False)
    raise typer.Exit(EXIT_FINDINGS if misbehaving(outcomes) else EXIT_CLEAN)


def _active_ruleset(*, profile: Optional[str], config: Optional[Path], isolated: bool, rules: Optional[list[Path]]) -> "RuleSet":
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.packs.select import Selection
    from scrqm.run.cache import keep_rulesets
    from scrqm.run.options import CheckOptions, effective_config

    options = CheckOptions(paths=[], profile=profile, config=config, isolated=isolated, rules=[str(r) for r in rules or []])
    loaded = effective_config(options)
    keep_rulesets(loaded)
    return Selection.of(loaded).default


@app.command("server", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def server(
    today: Annotated[Optional[str], typer.Option(help="Treat this date (YYYY-MM-DD) as today, for reproducible results.")] = None,
    config: ConfigOption = None, isolated: IsolatedOption = False, rules: RulesOption = None,
    stdio: Annotated[bool, typer.Option("--stdio", help="Talk over standard input and output (the default).")] = False,
) -> None:
    """Run the language server for editors (LSP over standard input and output; see docs/editors.md)."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.server import main as serve

    argv = [*(["--today", today] if today else []), *(["--config", str(config)] if config else []),
            *(["--isolated"] if isolated else []), *[a for r in rules or [] for a in ("--rules", str(r))]]
    raise typer.Exit(serve(argv))


examples_app = typer.Typer(help="The teaching gallery: bundled example referrals and their expected verdicts.",
                           invoke_without_command=True, no_args_is_help=False)
app.add_typer(examples_app, name="examples")


@examples_app.callback()
def examples(ctx: typer.Context) -> None:
    """List the bundled examples with their expected verdicts."""
    if ctx.invoked_subcommand is not None:
        return
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.teach.gallery import load_gallery, render_gallery

    with user_errors():
        typer.echo(render_gallery(load_gallery()), nl=False)


@examples_app.command("walk-through")
def examples_walk_through() -> None:
    """Print the walk-through of the gallery, weakest example to exemplary, for a training session."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.teach.gallery import walk_through

    with user_errors():
        typer.echo(walk_through(), nl=False)


@examples_app.command("copy")
def copy_example(
    name: Annotated[str, typer.Argument(help="The example's file name or number, e.g. 13.", show_default=False)],
    directory: Annotated[Path, typer.Argument(help="Folder to copy it into.", show_default=False)],
) -> None:
    """Copy one example into DIR to practise on (never overwrites)."""
    # start-up: imported when this command runs, so --version and --help stay instant
    from scrqm.teach.gallery import copy_example as copy

    with user_errors():
        target = copy(name, directory)
        typer.echo(f"scrqm: copied to {target}; try `scrqm check {target}`", err=True)


def exit_code(outcome: "Outcome") -> int:
    """2 for usage or I/O errors; 1 for a file at or above `fail_on`, or invalid; else 0."""
    from scrqm.result import fails  # start-up: `--version` and `--help` need no results

    if outcome.errors or outcome.io_errors:
        return EXIT_ERROR
    if outcome.would_change is not None:
        return EXIT_FINDINGS if outcome.would_change else EXIT_CLEAN
    if any(fails(v, outcome.fail_on) for v in outcome.verdicts):
        return EXIT_FINDINGS
    return EXIT_CLEAN


use_plain_words(app)


def run() -> None:
    """Console entry point."""
    stop_on_termination()
    app()


@contextmanager
def user_errors() -> Iterator[None]:
    """One line on standard error for what the user must fix; never a traceback."""
    try:
        yield
    except ScrqmError as exc:
        typer.echo(visible(f"scrqm: error: {exc}"), err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except Terminated as exc:
        typer.echo(f"scrqm: stopped by {exc.name}; the run did not finish", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("scrqm: interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        quiet_broken_pipe()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except OSError as exc:
        # Last resort: a system error on a name the user gave (too long, no access) is theirs to fix.
        reason = exc.strerror or str(exc)
        typer.echo(visible(f"scrqm: error: {exc.filename}: {reason}" if exc.filename is not None
                           else f"scrqm: error: {reason}"), err=True)
        raise typer.Exit(EXIT_ERROR) from None


__all__ = ["app", "run", "EXIT_FINDINGS"]
