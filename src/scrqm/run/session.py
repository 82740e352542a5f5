"""One run of `scrqm check`: discover files, choose the rules, check, report.

The CLI builds `CheckOptions` and picks the exit code from the `Outcome`; this
module owns the order of work in between.  `check_source` is the same run for
one text held in memory (a language server's buffer).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from scrqm.config import Config, LoadedConfig
from scrqm.errors import ScrqmError
from scrqm.load.document import LoadFailure, read_path, read_stream
from scrqm.packs.loader import RuleSet, profiles
from scrqm.packs.select import Selection
from scrqm.pipeline import Settings, check_file_name
from scrqm.report import FileByFile, Run, format_for_output, get_reporter
from scrqm.report.json import run_to_dict
from scrqm.report.visible import visible, visible_path
from scrqm.report.write import open_report
from scrqm.result import FileResult
from scrqm.run.batch import Plan, iter_check_files, jobs_of
from scrqm.run.cache import cache_directory, keep_rulesets, open_cache
from scrqm.run.discover import discover, excluded
from scrqm.run.options import CheckOptions, Outcome, effective_config
from scrqm.run.progress import progress, wanted as progress_wanted

if TYPE_CHECKING:
    from scrqm.run.mend import MendRun

__all__ = ["CheckOptions", "Outcome", "check_source", "describe_config", "effective_config", "execute",
           "prepare", "prepare_run", "write_reports"]


def prepare_run(loaded: LoadedConfig) -> tuple[Selection, Settings]:
    """The rules and settings a configuration gives: what every file of the run is checked with."""
    keep_rulesets(loaded)
    return Selection.of(loaded), Settings.from_config(loaded.config)


def prepare(loaded: LoadedConfig) -> tuple[RuleSet, Settings]:
    """The run profile's rules (select/ignore applied) and the settings; `prepare_run` for every profile."""
    selection, settings = prepare_run(loaded)
    return selection.default, settings


def plan_of(options: CheckOptions) -> tuple[LoadedConfig, Plan]:
    loaded = effective_config(options)
    selection, settings = prepare_run(loaded)
    if options.today is not None:
        settings = dataclasses.replace(settings, today=options.today)
    return loaded, Plan(selection.default, loaded.config, settings, selection)


def check_source(text: str, path: str, options: CheckOptions) -> dict[str, Any]:
    """One referral held in memory, shown as `path`: what `scrqm check --format json` reports for it.

    The same configuration (found from the working directory, or `options.config`),
    the same rule selection for `path`, the same pipeline; `{"files": [...],
    "summary": {...}, ...}` exactly as the JSON report writes it.
    """
    _, plan = plan_of(options)
    result = plan.check_text(text, path)
    return run_to_dict(_run_of([result], plan, errors=[], teach=options.teach))


def _judged_by(selection: Selection, result: FileResult) -> None:
    """The profile a referral chose (in a worker, or in a cached result) is the report's too."""
    if result.profile:
        selection.profile(result.profile)


def _run_of(results: list[FileResult], plan: Plan, *, errors: list[str], teach: bool) -> Run:
    selection = plan.selection
    for result in results:
        _judged_by(selection, result)
    return Run(results, plan.ruleset, errors=errors, teach=teach, fail_on=plan.config.fail_on or "fail",
               profiles=selection.loaded_profiles(), today=plan.settings.today, generated=report_date(os.environ))


def execute(options: CheckOptions) -> Outcome:
    loaded, plan = plan_of(options)
    config = loaded.config
    found = discover([p for p in options.paths if p != "-"], exclude=config.exclude,
                     force_exclude=bool(config.force_exclude))
    _refuse_output_over_input(options.output, found.files)
    options = _format_from_output(options)
    if not options.force:
        _refuse_output_over_referral(options.output)
    for error in found.errors:
        print(visible(f"scrqm: error: {error}"), file=sys.stderr)
    if not found.files and not found.errors and "-" not in options.paths and not config.allow_empty:
        if not found.excluded:
            raise ScrqmError(nothing_found(options.paths, found.skipped))
        # As ruff: what the configuration excludes is its choice; say so, and go on.
        print(f"scrqm: warning: nothing to check: every referral found is excluded ({found.excluded} "
              f"{'path' if found.excluded == 1 else 'paths'} matched `exclude`)", file=sys.stderr)
    if options.fix or options.diff:
        mended = _mend(options, found.files, plan, stdin="-" in options.paths and not _stdin_excluded(options, config))
        if options.diff:
            return Outcome(errors=found.errors, io_errors=mended.unreadable,
                           would_change=mended.fixes > 0 or mended.not_loaded > 0)
    results = []
    if "-" in options.paths and not _stdin_excluded(options, config):
        if sys.stdin is None:  # started with standard input closed (`<&-`)
            raise ScrqmError("standard input is closed; pipe a referral in, or name a file instead of -")
        piped = plan.check_stream(sys.stdin.buffer, options.stdin_filename)
        results.append(check_file_name(piped, plan.rules_for(options.stdin_filename), redact=plan.settings.redact))
    count = len(found.files)
    cache = open_cache(loaded, ruleset_digest=plan.ruleset.digest, settings=plan.settings) if count else None
    # Handed over, not kept: the run lets go of each name once its file is read (50,000 paths are 20 MB).
    files = [(path, path.as_posix()) for path in found.files]
    found.files = []
    reporter = get_reporter(options.format)
    if (options.output is None and not options.quiet and isinstance(reporter, FileByFile)
            and not progress_wanted(count, sys.stderr)):
        # Written as the files are checked, each file's findings let go once written:
        # memory does not grow with the folder (a bar on the terminal would tear the report).
        run = _run_of([], plan, errors=found.errors, teach=options.teach)
        tables: Tables = {}
        with open_report(None) as stream:
            reporter.begin(run, stream)
            checked = iter_check_files(files, plan=plan, jobs=jobs_of(config), cache=cache)
            del files
            for result in itertools.chain(results, checked):
                _judged_by(plan.selection, result)
                run.profiles = plan.selection.loaded_profiles()
                reporter.file(run, result, stream)
                run.results.append(slim(result, tables))
            reporter.end(run, stream)
        results = run.results
    else:
        with progress(count) as advance:
            results += iter_check_files(files, plan=plan, jobs=jobs_of(config), cache=cache, advance=advance)
        run = _run_of(results, plan, errors=found.errors, teach=options.teach)
        write_reports(run, options)
    if cache is not None:
        cache.save()
    return Outcome(
        verdicts=[r.verdict for r in results],
        errors=found.errors,
        io_errors=sum(1 for r in results if r.io_error),
        fail_on=run.fail_on,
    )


# A run's verdict tables (per question, per group), each kept once however many files have it.
Tables = dict[tuple[tuple[str, str], ...], dict[str, str]]


def slim(result: FileResult, tables: Tables) -> FileResult:
    """What a streamed report's `end` and the exit code need of a file once it is written: its path and
    verdicts, not its findings or facts.  Most files share one of a few verdict tables."""

    def shared(table: dict[str, Any]) -> dict[str, Any]:
        return tables.setdefault(tuple(table.items()), table) if table else table

    questions = None if result.questions is None else shared(result.questions)
    return FileResult(result.path, result.verdict, questions, [], groups=shared(result.groups),
                      io_error=result.io_error, profile=result.profile)


def _stdin_excluded(options: CheckOptions, config: Config) -> bool:
    """As ruff: with force-exclude, standard input named by `--stdin-filename` obeys `exclude` too."""
    named = options.stdin_filename != "<stdin>"
    return bool(config.force_exclude) and named and excluded(Path(options.stdin_filename), config.exclude,
                                                             by_folder_name=True)


def _mend(options: CheckOptions, files: list[Path], plan: Plan, *, stdin: bool) -> MendRun:
    """`--fix` or `--diff` over the run's files (and standard input, for --diff only)."""
    from scrqm.run.mend import mend_files, summary  # start-up: only with --fix or --diff

    write = options.fix and not options.diff
    if write and "-" in options.paths:
        raise ScrqmError("--fix cannot write back to standard input; use --diff to see the fixes")
    # Fixes carry the text they write even where the reports are redacted; nothing here is printed but diffs.
    unredacted = Plan(plan.ruleset, plan.config, dataclasses.replace(plan.settings, redact=False), plan.selection)
    limits = plan.settings.limits
    unreadable = 0

    def sources() -> Iterator[tuple[Path | None, str, str]]:
        nonlocal unreadable
        if stdin:
            if sys.stdin is None:
                raise ScrqmError("standard input is closed; pipe a referral in, or name a file instead of -")
            try:
                yield None, options.stdin_filename, read_stream(sys.stdin.buffer, limits=limits)
            except LoadFailure as exc:
                print(f"scrqm: {visible_path(options.stdin_filename)}: not fixed: {visible(str(exc))}", file=sys.stderr)
        for path in files:
            try:
                yield path, path.as_posix(), read_path(path, limits=limits)
            except LoadFailure as exc:
                print(f"scrqm: {visible_path(path.as_posix())}: not fixed: {visible(str(exc))}", file=sys.stderr)
            except OSError as exc:
                unreadable += 1
                print(f"scrqm: {visible_path(path.as_posix())}: not fixed: {exc.strerror or exc}", file=sys.stderr)

    done = mend_files(sources(), unredacted.check_text, write=write, out=sys.stdout.write,
                      say=lambda line: print(line, file=sys.stderr))
    done.unreadable = unreadable
    sys.stdout.flush()
    print(summary(done, write=write), file=sys.stderr)
    return done


def nothing_found(paths: list[str], skipped: list[Path]) -> str:
    """Why a run with nothing to check is an error, and what was passed over."""
    where = ", ".join(paths)
    if not skipped:
        told = "no file at all"
    else:
        skipped = sorted(skipped)
        shown = ", ".join(p.name for p in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        noun = "file" if len(skipped) == 1 else "files"
        told = f"{len(skipped)} other {noun} skipped ({shown})"
    return (f"no referral found in {where}: nothing named *.yaml or *.yml, {told}; "
            "check the path, or pass --allow-empty (config: allow-empty: true) if an empty run is fine")


def report_date(environ: Mapping[str, str]) -> dt.date:
    """The report's own date: today, or `SOURCE_DATE_EPOCH` (reproducible builds' convention) when set."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (OverflowError, ValueError, OSError):  # out of range: the real date will do
            pass
    return dt.date.today()


def write_reports(run: Run, options: CheckOptions) -> None:
    """The chosen format to standard output, or to `--output` with the human report on the terminal."""
    if options.output is None:
        if not options.quiet:
            with open_report(None) as stream:
                get_reporter(options.format).render(run, stream)
        return
    with open_report(options.output) as stream:
        get_reporter(options.format).render(run, stream)
    if not options.quiet:
        with open_report(None) as stream:
            get_reporter(options.terminal_format).render(run, stream)


def _format_from_output(options: CheckOptions) -> CheckOptions:
    """With `--output FILE` and no `--format`, the format FILE's extension names, or an error saying so."""
    if options.output is None or not options.format_from_output:
        return options
    chosen = format_for_output(str(options.output), options.format)
    if chosen is None:
        raise ScrqmError(f"{options.output}: scrqm writes no report as {options.output.suffix}; end the name with "
                         ".html, .md, .json, .jsonl, .sarif, .xml (JUnit) or .txt, or choose the format with -f")
    return dataclasses.replace(options, format=chosen)


def _refuse_output_over_referral(output: Path | None) -> None:
    """A report never replaces a referral, in the run or not (`-o refs/a.yaml refs/b.yaml`), without --force."""
    if output is None:
        return
    if output.suffix.lower() in (".yaml", ".yml"):
        raise ScrqmError(f"{output}: --output would write the report over a YAML file; name it for its format "
                         "(report.json, report.sarif...), or pass --force")
    try:
        if not output.is_file():
            return
        with open(output, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return  # what cannot be read is not known to be a referral; writing it says what is wrong
    if b"scrqm/referral@" in head:
        raise ScrqmError(f"{output}: --output would write the report over a referral; write it elsewhere, "
                         "or pass --force")


def _refuse_output_over_input(output: Path | None, inputs: list[Path]) -> None:
    """`--output` must never replace a referral it reads: nothing the user wrote is modified."""
    if output is None or not os.path.exists(output):  # False, not an error, for a name too long
        return
    for path in inputs:
        try:
            same = os.path.samefile(output, path)
        except OSError:
            continue
        if same:
            raise ScrqmError(f"{output}: --output names a file being checked; write the report elsewhere")


def describe_config(loaded: LoadedConfig) -> str:
    """Each effective setting as `key: value  # source`, thresholds included."""
    selection, settings = prepare_run(loaded)
    ruleset = selection.default
    config = loaded.config
    lines = [f"# configuration file: {loaded.path or 'none'}"]

    def add(key: str, value: object, source: str | None = None) -> None:
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}  # {source or loaded.source_of(key)}")

    add("profile", ruleset.profile)
    add("fail-on", config.fail_on or "fail")
    add("redact", settings.redact)
    for name, value in ruleset.thresholds.items():
        add(f"thresholds.{name}", value, loaded.source_of("thresholds") if name in config.thresholds else "rule pack")
    # A referral may name another profile (`profile: wt2023`): its thresholds are in force for it.
    for profile, thresholds in _other_profiles_thresholds(selection).items():
        for name, value in thresholds.items():
            if ruleset.thresholds.get(name) == value:
                continue
            source = loaded.source_of("thresholds") if name in config.thresholds else "rule pack"
            add(f"thresholds.{name}", value, f"{source}; profile {profile}, for referrals that name it")
    add("learning-priorities", config.learning_priorities)
    add("glossary", sorted(config.glossary))
    for name, entries in sorted(ruleset.vocabularies.items()):
        added = sorted(config.vocabularies.get(name, []))
        source = f"rule pack; {loaded.source_of('vocabularies')} adds {len(added)}" if added else "rule pack"
        add(f"vocabularies.{name}", sorted(entries | frozenset(added)), source)
    add("select", config.select)
    add("ignore", config.ignore)
    add("exclude", config.exclude)
    add("force-exclude", bool(config.force_exclude))
    add("rules", config.rules)
    add("per-path", [o.model_dump() for o in config.per_path])
    add("limits.max-file-size", settings.limits.max_bytes, _limit_source(loaded, "max_file_size"))
    add("limits.max-depth", settings.limits.max_depth, _limit_source(loaded, "max_depth"))
    add("limits.max-nodes", settings.limits.max_nodes, _limit_source(loaded, "max_nodes"))
    add("jobs", jobs_of(config), loaded.source_of("jobs") if config.jobs else "default: the number of cores")
    add("cache", config.cache is not False)
    add("cache-dir", str(cache_directory(loaded)), loaded.source_of("cache-dir") if config.cache_dir else "default")
    add("allow-empty", bool(config.allow_empty))
    add("rules-in-force", len(ruleset.rules), "profile and select/ignore")
    return "\n".join(lines) + "\n"


def _other_profiles_thresholds(selection: Selection) -> dict[str, dict[str, int]]:
    """Each other shipped profile's thresholds, board packs and configuration applied, as a run loads them."""
    return {name: selection.profile(name).thresholds for name in profiles() if name != selection.default.profile}


def _limit_source(loaded: LoadedConfig, name: str) -> str:
    return loaded.source_of("limits") if getattr(loaded.config.limits, name) is not None else "default"


