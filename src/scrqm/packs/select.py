"""Selection: which rules, thresholds and profile apply to one file.

Every command that judges or describes a referral asks `Selection.for_file`
(`check` on files and standard input, `patterns`, the language server) or
`Selection.default` (`rules`, `explain`, `config`): the profile a referral
names with `profile:` (or the run's), that profile's packs plus the board's,
the configuration's thresholds, `select`/`ignore`, then the `per-path`
overrides of the file's path.  Nothing else chooses rules.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from scrqm.config import Config, ConfigError, LoadedConfig
from scrqm.packs.loader import DEFAULT_PROFILE, Rule, RuleSet, load_ruleset, profiles

# Given a referral's own `profile:` (None when it has none), the rules to check it with.
ChooseRules = Callable[[str | None], RuleSet]


def rule_matches(rule: Rule, patterns: list[str]) -> bool:
    """A pattern names a rule id (globs allowed), a question id, or a group."""
    d = rule.definition
    return any(fnmatch.fnmatchcase(d.id, p) or p == d.question or p == d.group for p in patterns)


def select_rules(rules: list[Rule], config: Config) -> list[Rule]:
    """The rules the configuration keeps, in pack order."""
    return [rule for rule in rules
            if (config.select is None or rule_matches(rule, config.select)) and not rule_matches(rule, config.ignore)]


def rules_for_path(rules: list[Rule], config: Config, display: str) -> list[Rule]:
    """`rules` with the per-path overrides for `display` applied (the same list when none match)."""
    overrides = [o for o in config.per_path if any(_path_matches(display, p) for p in o.paths)]
    if not overrides:
        return rules
    result = []
    for rule in rules:
        if any(rule_matches(rule, o.ignore) for o in overrides):
            continue
        for override in overrides:
            for pattern, severity in override.severity.items():
                if rule_matches(rule, [pattern]):
                    rule = replace(rule, definition=rule.definition.model_copy(update={"severity": severity}))
        result.append(rule)
    return result


def _path_matches(display: str, pattern: str) -> bool:
    posix = display.replace("\\", "/")
    return fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, pattern.rstrip("/") + "/*") or (
        pattern.startswith("**/") and fnmatch.fnmatch(posix, pattern[3:])
    )


def validate_patterns(ruleset: RuleSet, config: Config) -> tuple[tuple[str | int, ...], str] | None:
    """(key path, message) for the first select/ignore/per-path pattern naming no rule, or None."""
    rules = ruleset.rules
    named: list[tuple[tuple[str | int, ...], str, str]] = []
    named += [(("select", i), "select", p) for i, p in enumerate(config.select or [])]
    named += [(("ignore", i), "ignore", p) for i, p in enumerate(config.ignore)]
    for n, override in enumerate(config.per_path):
        named += [(("per-path", n, "ignore", i), "per-path ignore", p) for i, p in enumerate(override.ignore)]
        named += [(("per-path", n, "severity", p), "per-path severity", p) for p in override.severity]
    names = sorted({r.id for r in rules} | set(ruleset.questions) | set(ruleset.groups))
    for key_path, key, pattern in named:
        if not any(rule_matches(r, [pattern]) for r in rules):
            close = difflib.get_close_matches(pattern, names, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else "`scrqm rules` lists them"
            return key_path, (f"`{key}`: {pattern} names no rule, question or group of profile "
                              f"{ruleset.profile}; {hint}")
    return None


@dataclass
class Selection:
    """The rule sets of one run: the configured profile's, and each other profile a referral names.

    Every profile gets the same board packs, thresholds and select/ignore, and is
    loaded once, when the first referral that names it is met.
    """

    loaded: LoadedConfig
    default_profile: str = DEFAULT_PROFILE
    _cache: dict[str, RuleSet] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.default = self._load(self.default_profile, check_patterns=True)

    @classmethod
    def of(cls, loaded: LoadedConfig) -> Selection:
        return cls(loaded, loaded.config.profile or DEFAULT_PROFILE)

    @classmethod
    def fixed(cls, ruleset: RuleSet, config: Config) -> Selection:
        """A selection whose run profile is `ruleset` as given (for callers that built it themselves)."""
        selection = cls.__new__(cls)
        selection.loaded, selection.default_profile, selection._cache = LoadedConfig(config), ruleset.profile, {}
        selection.default = ruleset
        return selection

    @property
    def config(self) -> Config:
        return self.loaded.config

    def for_file(self, display: str, profile: str | None = None) -> RuleSet:
        """The rules that judge the file shown as `display` whose referral names `profile` (or none)."""
        chosen = self.profile(profile)
        rules = rules_for_path(chosen.rules, self.config, display)
        return chosen if rules is chosen.rules else replace(chosen, rules=rules)

    def chooser(self, display: str) -> ChooseRules:
        """`for_file` for one file, once its referral's `profile:` is known."""
        return lambda profile: self.for_file(display, profile)

    def profile(self, name: str | None) -> RuleSet:
        """A profile's rules with the configuration applied; UnknownProfile for a name with no packs."""
        if name is None or name == self.default.profile:
            return self.default
        if name not in self._cache:
            self._cache[name] = self._load(name, check_patterns=False)
        return self._cache[name]

    def loaded_profiles(self) -> dict[str, RuleSet]:
        """Every profile used so far, the run's first."""
        return {self.default.profile: self.default, **self._cache}

    def _load(self, profile: str, *, check_patterns: bool) -> RuleSet:
        config = self.config
        ruleset = load_ruleset(profile, extra_dirs=self.extra_dirs(), thresholds=config.thresholds)
        if check_patterns:
            problem = validate_patterns(ruleset, config)
            if problem and validate_patterns(self._every_profile(ruleset), config):
                key, message = problem
                raise ConfigError(f"{self.loaded.where(key)}: {message}")
        ruleset.rules = select_rules(ruleset.rules, config)
        return ruleset

    def extra_dirs(self) -> list[Path]:
        """The board's rule-pack folders: relative to the configuration file, or as given on the command line."""
        loaded = self.loaded
        base = loaded.path.parent if loaded.path is not None else Path(".")
        from_cli = loaded.source_of("rules") == "command line"
        return [Path(d) if Path(d).is_absolute() or from_cli else base / d for d in loaded.config.rules]

    def _every_profile(self, ruleset: RuleSet) -> RuleSet:
        """A pattern may name a rule of another profile that some referral asks for."""
        rules = [rule for name in profiles() if name != ruleset.profile
                 for rule in load_ruleset(name, extra_dirs=self.extra_dirs()).rules]
        return replace(ruleset, rules=[*ruleset.rules, *rules])
