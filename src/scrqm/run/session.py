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
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, TextIO

from scrqm.errors import ScrqmError

if TYPE_CHECKING:
    from scrqm.run.batch import Plan
    from scrqm.run.cache import ResultCache
    from scrqm.pipeline import ChooseRules, Settings
    from scrqm.config import Config, LoadedConfig
    from scrqm.packs.loader import RuleSet
    from scrqm.report import Reporter, Run


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
    verdicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    io_errors: int = 0
    fail_on: str = "fail"
    would_change: bool | None = None  # with --diff: whether any file has something to mend


def effective_config(options: CheckOptions) -> LoadedConfig:
    """The configuration file's values with the command line's on top."""
    from scrqm.config import load_config

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


def prepare(loaded: LoadedConfig) -> tuple[RuleSet, Settings]:
    """The rule set and settings a configuration gives."""
    ruleset, settings, _ = prepare_profiles(loaded)
    return ruleset, settings


def prepare_profiles(loaded: LoadedConfig) -> tuple[RuleSet, Settings, ProfileRules]:
    """As `prepare`, plus the rules of any other profile a referral asks for with `profile:`."""
    from scrqm.pipeline import Settings
    from scrqm.load.document import Limits
    from scrqm.packs.loader import DEFAULT_PROFILE
    from scrqm.judge.prose import ACRONYM_GLOSSARY_DEFAULT

    config = loaded.config
    keep_rulesets(loaded)
    profiles = ProfileRules(loaded, config.profile or DEFAULT_PROFILE)
    ruleset = profiles.default
    defaults = Limits()
    limits = Limits(
        max_bytes=config.limits.max_file_size or defaults.max_bytes,
        max_depth=config.limits.max_depth or defaults.max_depth,
        max_nodes=config.limits.max_nodes or defaults.max_nodes,
    )
    settings = Settings(
        today=dt.date.today(),
        limits=limits,
        glossary=ACRONYM_GLOSSARY_DEFAULT | frozenset(config.glossary),
        learning_priorities=config.learning_priorities,
        redact=bool(config.redact),
        vocabularies=tuple((name, tuple(sorted(entries))) for name, entries in sorted(config.vocabularies.items())),
    )
    return ruleset, settings, profiles


def keep_rulesets(loaded: LoadedConfig) -> None:
    """Assembled rule sets kept in the result cache's folder, unless caching is off."""
    from scrqm.packs.loader import keep_rulesets_in
    from scrqm.run.cache import RulesetCache

    directory = cache_directory(loaded)
    keep_rulesets_in(RulesetCache(directory) if loaded.config.cache is not False
                     and _not_a_cache_folder(directory) is None else None)


@dataclass
class ProfileRules:
    """The rule sets of one run: the configured profile's, and each other profile a referral names.

    Every profile gets the same board packs, thresholds and select/ignore, and is loaded
    once, when the first referral that names it is met.
    """

    loaded: LoadedConfig
    default_profile: str
    _cache: dict[str, RuleSet] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.default = self._load(self.default_profile, check_patterns=True)

    def loaded_profiles(self) -> dict[str, RuleSet]:
        return dict(self._cache)

    def get(self, profile: str | None) -> RuleSet:
        if profile is None or profile == self.default.profile:
            return self.default
        if profile not in self._cache:
            self._cache[profile] = self._load(profile, check_patterns=False)
        return self._cache[profile]

    def _load(self, profile: str, *, check_patterns: bool) -> RuleSet:
        from scrqm.config import ConfigError, select_rules, validate_patterns
        from scrqm.packs.loader import load_ruleset

        config = self.loaded.config
        ruleset = load_ruleset(profile, extra_dirs=self._extra_dirs(), thresholds=config.thresholds)
        if check_patterns:
            problem = validate_patterns(ruleset, config)
            if problem and validate_patterns(self._every_profile(ruleset), config):
                key, message = problem
                raise ConfigError(f"{self.loaded.where(key)}: {message}")
        ruleset.rules = select_rules(ruleset.rules, config)
        return ruleset

    def _extra_dirs(self) -> list[Path]:
        loaded = self.loaded
        base = loaded.path.parent if loaded.path is not None else Path(".")
        from_cli = loaded.source_of("rules") == "command line"
        return [Path(d) if Path(d).is_absolute() or from_cli else base / d for d in loaded.config.rules]

    def _every_profile(self, ruleset: RuleSet) -> RuleSet:
        """A pattern may name a rule of another profile that some referral asks for."""
        from dataclasses import replace

        from scrqm.packs.loader import load_ruleset, profiles

        rules = [rule for name in profiles() if name != ruleset.profile
                 for rule in load_ruleset(name, extra_dirs=self._extra_dirs()).rules]
        return replace(ruleset, rules=[*ruleset.rules, *rules])


def describe_config(loaded: LoadedConfig) -> str:
    """Each effective setting as `key: value  # source`, thresholds included."""
    import json

    ruleset, settings = prepare(loaded)
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
    for profile, thresholds in _other_profiles_thresholds(loaded, ruleset.profile).items():
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


def _other_profiles_thresholds(loaded: LoadedConfig, default: str) -> dict[str, dict[str, int]]:
    """Each other shipped profile's thresholds, with the configuration's applied, as a run loads them."""
    from scrqm.packs.loader import load_ruleset, profiles

    return {name: load_ruleset(name, thresholds=loaded.config.thresholds).thresholds
            for name in profiles() if name != default}


def _limit_source(loaded: LoadedConfig, name: str) -> str:
    return loaded.source_of("limits") if getattr(loaded.config.limits, name) is not None else "default"


def execute(options: CheckOptions) -> Outcome:
    from dataclasses import replace

    from scrqm.run.batch import Plan, check_files
    from scrqm.pipeline import check_file_name, check_stream
    from scrqm.config import rules_for_path
    from scrqm.run.discover import discover
    from scrqm.run.progress import progress
    from scrqm.report import Run, get_reporter
    from scrqm.report.visible import visible

    loaded = effective_config(options)
    ruleset, settings, profiles = prepare_profiles(loaded)
    if options.today is not None:
        settings = replace(settings, today=options.today)
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

    def rules_of(display: str, chosen: RuleSet = ruleset) -> RuleSet:
        rules = rules_for_path(chosen.rules, config, display)
        return chosen if rules is chosen.rules else replace(chosen, rules=rules)

    def chooser(display: str) -> ChooseRules:
        return lambda profile: rules_of(display, profiles.get(profile))

    if options.fix or options.diff:
        mended = _mend(options, found.files, rules_of, chooser, settings,
                       stdin="-" in options.paths and not _stdin_excluded(options, config))
        if options.diff:
            return Outcome(errors=found.errors, io_errors=mended.unreadable,
                           would_change=mended.fixes > 0 or mended.not_loaded > 0)
    results = []
    if "-" in options.paths and not _stdin_excluded(options, config):
        if sys.stdin is None:  # started with standard input closed (`<&-`)
            raise ScrqmError("standard input is closed; pipe a referral in, or name a file instead of -")
        display = options.stdin_filename
        piped = check_stream(sys.stdin.buffer, display=display, ruleset=rules_of(display),
                             settings=settings, choose=chooser(display))
        results.append(check_file_name(piped, rules_of(display), redact=settings.redact))
    plan = Plan(ruleset, config, settings, profiles)
    cache = open_cache(loaded, plan) if found.files else None
    with progress(len(found.files)) as advance:
        results += check_files(((path, path.as_posix()) for path in found.files), plan=plan,
                               jobs=jobs_of(config), cache=cache, advance=advance)
    if cache is not None:
        cache.save()
    for result in results:  # profiles chosen in workers, or by cached results, are the report's too
        if result.profile:
            profiles.get(result.profile)
    run = Run(results, ruleset, errors=found.errors, teach=options.teach,
              profiles={profiles.default.profile: profiles.default, **profiles.loaded_profiles()},
              today=settings.today, generated=report_date(os.environ))
    run.fail_on = config.fail_on or "fail"
    write_reports(run, options, get_reporter)
    return Outcome(
        verdicts=[r.verdict for r in results],
        errors=found.errors,
        io_errors=sum(1 for r in results if r.io_error),
        fail_on=config.fail_on or "fail",
    )


def _stdin_excluded(options: CheckOptions, config: Config) -> bool:
    """As ruff: with force-exclude, standard input named by `--stdin-filename` obeys `exclude` too."""
    from scrqm.run.discover import excluded

    named = options.stdin_filename != "<stdin>"
    return bool(config.force_exclude) and named and excluded(Path(options.stdin_filename), config.exclude,
                                                             by_folder_name=True)


def _mend(options: CheckOptions, files: list[Path], rules_of: Callable[[str], RuleSet],
          chooser: Callable[[str], ChooseRules], settings: Settings, *, stdin: bool) -> Any:
    """`--fix` or `--diff` over the run's files (and standard input, for --diff only)."""
    from dataclasses import replace

    from scrqm.load.document import LoadFailure, read_path, read_stream
    from scrqm.pipeline import check_text
    from scrqm.run.mend import mend_files, summary

    write = options.fix and not options.diff
    if write and "-" in options.paths:
        raise ScrqmError("--fix cannot write back to standard input; use --diff to see the fixes")
    # Fixes carry the text they write even where the reports are redacted; nothing here is printed but diffs.
    unredacted = replace(settings, redact=False)

    def check(text: str, display: str) -> Any:
        return check_text(text, display=display, ruleset=rules_of(display), settings=unredacted,
                          choose=chooser(display))

    unreadable = 0

    def sources() -> Iterator[tuple[Path | None, str, str]]:
        nonlocal unreadable
        if stdin:
            if sys.stdin is None:
                raise ScrqmError("standard input is closed; pipe a referral in, or name a file instead of -")
            try:
                yield None, options.stdin_filename, read_stream(sys.stdin.buffer, limits=settings.limits)
            except LoadFailure as exc:
                print(f"scrqm: {options.stdin_filename}: not fixed: {exc}", file=sys.stderr)
        for path in files:
            try:
                yield path, path.as_posix(), read_path(path, limits=settings.limits)
            except LoadFailure as exc:
                print(f"scrqm: {path.as_posix()}: not fixed: {exc}", file=sys.stderr)
            except OSError as exc:
                unreadable += 1
                print(f"scrqm: {path.as_posix()}: not fixed: {exc.strerror or exc}", file=sys.stderr)

    done = mend_files(sources(), check, write=write, out=sys.stdout.write, say=lambda line: print(line, file=sys.stderr))
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


def write_reports(run: Run, options: CheckOptions, get_reporter: Callable[[str], Reporter]) -> None:
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
    from dataclasses import replace

    from scrqm.report import format_for_output

    if options.output is None or not options.format_from_output:
        return options
    chosen = format_for_output(str(options.output), options.format)
    if chosen is None:
        raise ScrqmError(f"{options.output}: scrqm writes no report as {options.output.suffix}; end the name with "
                         ".html, .md, .json, .jsonl, .sarif, .xml (JUnit) or .txt, or choose the format with -f")
    return replace(options, format=chosen)


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


def jobs_of(config: Config) -> int:
    from scrqm.run.batch import default_jobs

    return config.jobs or default_jobs()


def open_cache(loaded: LoadedConfig, plan: Plan) -> ResultCache | None:
    """The run's result cache, or None with `--no-cache` / `cache: false`."""
    from scrqm.run.cache import ResultCache, context_key, shipped_packs_digest

    config = loaded.config
    if config.cache is False:
        return None
    # The cache's own settings do not change a result, so they are not part of the key.
    relevant = config.model_dump(mode="json", exclude={"jobs", "cache", "cache_dir"})
    # A referral may name another profile: every shipped pack is part of the key.
    packs = f"{plan.ruleset.digest}:{shipped_packs_digest()}"
    directory = cache_directory(loaded)
    problem = _not_a_cache_folder(directory)
    if problem:
        # Caching only saves time: the run goes on without it, but says why it is slower.
        print(f"scrqm: warning: {directory}: {problem}; results are not cached", file=sys.stderr)
        return None
    return ResultCache(directory, context_key(ruleset_digest=packs, config=relevant,
                                                            settings=plan.settings))


def _not_a_cache_folder(directory: Path) -> str | None:
    """Why `directory` cannot hold the cache, or None; a missing folder is created when saving."""
    try:
        if directory.exists() and not directory.is_dir():
            return "not a folder"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def cache_directory(loaded: LoadedConfig) -> Path:
    """`--cache-dir`; else the configuration's, relative to its file (like `rules`); else XDG."""
    from scrqm.run.cache import default_directory

    config = loaded.config
    if config.cache_dir is None:
        return default_directory()
    if loaded.source_of("cache-dir") == "command line" or loaded.path is None:
        return Path(config.cache_dir)
    return loaded.path.parent / config.cache_dir


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# A report file is UTF-8 that any reader accepts: a file name that is not UTF-8
# appears escaped (`bad\udcffname.yaml`; in JSON that decodes back to the same name).
REPORT_ERRORS = "backslashreplace"


@contextmanager
def open_report(output: Path | None) -> Iterator[TextIO]:
    """Standard output, or `output` written atomically: never half a report, never a replaced link or device."""
    if output is None:
        # Standard output is UTF-8 that any reader accepts, as a report file is: a file name that is
        # not UTF-8 appears escaped, never as a raw byte.
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=REPORT_ERRORS)
            except (ValueError, OSError):
                pass
        yield sys.stdout
        sys.stdout.flush()
        return
    target, special = _report_target(output)
    handle: Any
    try:
        if special:
            # A device or FIFO (`-o /dev/null`) is written to: renaming over it would replace the node.
            handle = open(_open_special(output, target), "w", encoding="utf-8", errors=REPORT_ERRORS)
        else:
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", errors=REPORT_ERRORS, dir=target.parent,
                                                 prefix=f".{target.name}.", suffix=".tmp", delete=False)
    except OSError as exc:
        raise ScrqmError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    try:
        try:
            yield handle
            if not special:
                # A temporary file is private (0600); a report gets the mode any new file would.
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.close()
            if not special:
                os.replace(handle.name, target)
        except OSError as exc:  # a full disk, a device that refuses: the report is not written
            raise ScrqmError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    except BaseException:
        _discard(handle, temporary=not special)
        raise


def _open_special(output: Path, target: Path) -> int:
    """Open a device or FIFO for writing without blocking: a FIFO nobody reads would wait for ever."""
    import errno

    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ScrqmError(f"{output}: a named pipe (FIFO) that no program is reading; start the reader "
                             "first, or write the report to a file") from None
        raise
    os.set_blocking(fd, True)  # from here on, write as to any file
    return fd


def _discard(handle: Any, *, temporary: bool) -> None:
    """Close without flushing what failed to write, and remove a temporary file; keep the first error."""
    try:
        handle.close()
    except OSError:
        pass
    if temporary:
        try:
            os.unlink(handle.name)
        except FileNotFoundError:
            pass


def _report_target(output: Path) -> tuple[Path, bool]:
    """The file `--output` names, through any symlinks (the link stays, its target gets the report),
    and whether it exists but is no regular file (a device, a FIFO)."""
    target = Path(os.path.realpath(output))
    try:
        if target.is_dir():
            raise ScrqmError(f"{output}: is a folder; give a file name for --output")
        return target, target.exists() and not target.is_file()
    except OSError as exc:
        raise ScrqmError(f"{output}: cannot write the report: {exc.strerror}") from None
