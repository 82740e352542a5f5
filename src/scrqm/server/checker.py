"""What the language server checks, without any protocol: text and path in, a `FileResult` out.

The rules, thresholds, profile and settings of a file come from the
configuration `check` would find for it, searched from the file's own folder
(the editor's working directory is not the project's), with the server's
`--today`, `--config`, `--isolated` and `--rules` on top, exactly as the
command line puts its options on top.  One context is kept per configuration
file and rebuilt when that file changes, so a keystroke costs one check of one
text and nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from scrqm.config import LoadedConfig
    from scrqm.packs.loader import RuleSet
    from scrqm.packs.select import Selection
    from scrqm.pipeline import Settings
    from scrqm.result import FileResult

# A referral says so on a line of its own; any other YAML file gets no diagnostics.  Lines end
# as the parser ends them, at LF, CR LF or CR alone (`^`/`$` with re.MULTILINE know only LF).
_FORMAT_LINE = re.compile(r"""(?:\A|(?<=[\r\n]))format:[ \t]*(["']?)scrqm/referral@1\1[ \t]*(#[^\r\n]*)?(?=[\r\n]|\Z)""")


def is_referral(text: str) -> bool:
    """Whether `text` is a referral (a top-level `format: scrqm/referral@1` line)."""
    return _FORMAT_LINE.search(text.lstrip("\ufeff")) is not None


@dataclass(frozen=True)
class Options:
    """The options `scrqm server` shares with `scrqm check`."""

    today: dt.date | None = None
    config: Path | None = None
    isolated: bool = False
    rules: tuple[str, ...] = ()


@dataclass
class Context:
    """The rules and settings in force for the files under one configuration."""

    loaded: LoadedConfig
    selection: Selection  # which rules judge each file, as `check` chooses them
    settings: Settings
    base: Path  # paths are shown (and matched by per-path globs) relative to this folder
    stamp: tuple[str, int] | None

    def ruleset_of(self, profile: str | None) -> RuleSet:
        """The rules of a profile (the run's when None) with the configuration applied, as reports show them."""
        return self.selection.profile(profile)


@dataclass
class Checker:
    options: Options = field(default_factory=Options)
    _contexts: dict[str | None, Context] = field(default_factory=dict)
    clock: Callable[[], dt.date] = dt.date.today

    def context(self, path: Path | None) -> Context:
        """The context for a file at `path` (None: an unsaved buffer, configured from the working directory)."""
        # start-up: the server answers initialize before the checker's modules are imported
        from scrqm.config import find_config

        folder = path.parent if path is not None else Path.cwd()
        if self.options.isolated:
            config_path = None
        elif self.options.config is not None:
            config_path = self.options.config
        else:
            config_path = find_config(folder)
        key = str(config_path) if config_path is not None else None
        stamp = _stamp(config_path)
        known = self._contexts.get(key)
        if known is None or known.stamp != stamp:
            known = self._contexts[key] = self._build(folder, stamp)
        return known

    def _build(self, folder: Path, stamp: tuple[str, int] | None) -> Context:
        from scrqm.run.options import CheckOptions, effective_config  # start-up: as above
        from scrqm.run.session import prepare_run

        options = CheckOptions(paths=[], config=self.options.config, isolated=self.options.isolated,
                               rules=list(self.options.rules), config_start=folder)
        loaded = effective_config(options)
        selection, settings = prepare_run(loaded)
        base = loaded.path.parent if loaded.path is not None else folder
        return Context(loaded, selection, settings, base, stamp)

    def display(self, path: Path | None, context: Context) -> str:
        """The path as `check` would show it when run from the configuration's folder."""
        if path is None:
            return "<unsaved>"
        try:
            return path.resolve().relative_to(context.base.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def check(self, text: str, path: Path | None) -> FileResult:
        """`text` checked as `scrqm check` checks the file at `path` (with today's date unless --today)."""
        from scrqm.run.batch import Plan  # start-up: as above

        context = self.context(path)
        display = self.display(path, context)
        settings = replace(context.settings, today=self.options.today or self.clock())
        plan = Plan(context.selection.default, context.loaded.config, settings, context.selection)
        return plan.check_text(text, display)


def _stamp(path: Path | None) -> tuple[str, int] | None:
    """What changes when a configuration file is edited (its path and modification time)."""
    if path is None:
        return None
    try:
        return str(path), os.stat(path).st_mtime_ns
    except OSError:
        return str(path), -1
