"""Configuration: `.scrqm.yaml`, or `[tool.scrqm]` in `pyproject.toml`.

Found by walking up from the current directory (the nearest wins; in one
folder `.scrqm.yaml` before `.scrqm.yml` before `pyproject.toml`); `--config
FILE` names one; `--isolated` ignores them all.  Precedence, lowest first:
built-in defaults < configuration file < command-line options.  Each
effective value remembers where it came from, for `scrqm config`.

A configuration error names the file, line and key and exits 2.  Keys are
written kebab-case as in ruff (`fail-on`); snake_case is accepted too.
"""

# No `from __future__ import annotations`: pydantic would turn each field's string annotation
# into a typing.ForwardRef, which compiles it, then evaluate it (~0.1 ms a field, every start).

import datetime as dt
import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from scrqm.errors import ScrqmError, os_message
from scrqm.load.breaks import lines as text_lines
from scrqm.load.document import LoadFailure, load_path

CONFIG_NAMES = (".scrqm.yaml", ".scrqm.yml", "pyproject.toml")


class ConfigError(ScrqmError):
    """A configuration file that cannot be used; exit code 2."""


class _Strict(BaseModel):
    # Built when a configuration file is first validated: a run with none (the default
    # configuration, `--isolated`) never needs the validators.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    # Empty lists and dicts are plain defaults: pydantic copies a mutable default for each model,
    # while `default_factory=list` costs every run ~2 ms (pydantic reads the builtin's signature,
    # which `inspect` parses from text with `tokenize`).


class PathOverride(_Strict):
    """Rules to ignore, or severities to change, for files matching `paths`."""

    paths: list[str] = Field(description="Globs matched against the path as shown, e.g. 'archive/**'.")
    ignore: list[str] = Field([], description="Rule ids or globs to ignore there.")
    severity: dict[str, Literal["fail", "warn", "info"]] = Field(
        {}, description="Rule id (or glob) to the severity it takes there."
    )


class Limits(_Strict):
    # Upper bounds keep a configuration from undoing the protection: path
    # bookkeeping grows with depth squared, so depth stays at most 1000, and
    # positions are kept per expanded value, so at most a million of them
    # (an alias bomb at that cap: 1.5 s and about 220 MiB; docs/reliability.md);
    # files are read whole, so at most 16 MiB.
    max_file_size: int | None = Field(
        None, alias="max-file-size", ge=1, le=16 * 1024 * 1024, description="Bytes; larger files are invalid."
    )
    max_depth: int | None = Field(None, alias="max-depth", ge=1, le=1000, description="Nesting levels.")
    max_nodes: int | None = Field(
        None, alias="max-nodes", ge=1, le=1_000_000, description="Values after alias expansion."
    )


class Config(_Strict):
    """Everything a board can set; every key optional."""

    profile: str | None = Field(None, description="Rule profile, e.g. wt2015.")
    fail_on: Literal["fail", "warn"] | None = Field(None, alias="fail-on", description="Exit 1 at this verdict.")
    thresholds: dict[str, StrictInt] = Field({}, description="Rule-pack thresholds to change.")
    learning_priorities: dict[str, str] | None = Field(
        None, alias="learning-priorities", description="The board's local learning priorities: id to title."
    )
    glossary: list[str] = Field([], description="Acronyms that need no expansion.")
    vocabularies: dict[str, list[str]] = Field(
        {}, description="Words or phrases added to the packs' vocabularies, e.g. learning."
    )
    select: list[str] | None = Field(None, description="Only these rules (ids, globs, questions or groups).")
    ignore: list[str] = Field([], description="Rules not to run (ids, globs, questions or groups).")
    per_path: list[PathOverride] = Field([], alias="per-path")
    exclude: list[str] = Field([], description="Globs of files and folders not to check.")
    force_exclude: bool | None = Field(
        None, alias="force-exclude", description="Apply `exclude` to files named on the command line too (pre-commit)."
    )
    redact: bool | None = Field(None, description="Keep the referral's own text out of reports.")
    rules: list[str] = Field([], description="Extra rule-pack directories of the board.")
    limits: Limits = Field(default_factory=lambda: Limits.model_construct())
    jobs: int | None = Field(None, ge=1, description="Files checked in parallel.")
    cache: bool | None = Field(None, description="Reuse results of unchanged files.")
    cache_dir: str | None = Field(None, alias="cache-dir", description="Where the result cache lives.")
    allow_empty: bool | None = Field(
        None, alias="allow-empty", description="A run that finds no referral passes (else it is an error, exit 2)."
    )

    @field_validator("thresholds")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        for name, number in value.items():
            if number < 0:
                raise ValueError(f"threshold {name} must not be negative")
        return value


def settings_of(model: BaseModel, *, exclude: Collection[str] = ()) -> dict[str, Any]:
    """`model.model_dump(mode="json", exclude=exclude)` of a configuration, read from its fields.

    Dumping through pydantic would build the serializer, and the validators with it, that a
    run with the default configuration never otherwise needs (the result cache keys on this).
    """
    return {name: _plain(getattr(model, name)) for name in type(model).model_fields if name not in exclude}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return settings_of(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@dataclass
class LoadedConfig:
    """The configuration in force, where it was read from, and each key's source."""

    # The defaults, as `Config()` gives them, without building the validators to check none.
    config: Config = field(default_factory=lambda: Config.model_construct())
    path: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    locate: Any = None  # key path -> (line, column) in the file

    def where(self, key: str | tuple[str | int, ...]) -> str:
        """`file:line:column` of `key` (a top-level key or a key path), for error messages."""
        key_path = (key,) if isinstance(key, str) else key
        if self.path is None or self.source_of(str(key_path[0])) == "command line":
            return "command line"
        line, column = self.locate(key_path) if self.locate else (1, 1)
        return f"{self.path}:{line}:{column}"

    def source_of(self, key: str) -> str:
        return self.sources.get(key, "default")

    def with_cli(self, **values: Any) -> "LoadedConfig":
        """Command-line values (not None) override the file."""
        given = {k: v for k, v in values.items() if v is not None and v != [] and v != ()}
        config = self.config.model_copy(update=given)
        sources = {**self.sources, **{_kebab(k): "command line" for k in given}}
        return LoadedConfig(config, self.path, sources, self.locate)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def find_config(start: Path) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError:
        return False
    # Only the first MAX_CONFIG_BYTES are looked at; a larger file that has the table says it is too large.
    return b"tool.scrqm" in head


# A configuration file is read whole, like a referral: the same bound (a 20 MB pyproject.toml
# took 4.8 s and 370 MB to parse before it was known to hold no [tool.scrqm]).
MAX_CONFIG_BYTES = 2 * 1024 * 1024


def load_config(*, start: Path | None = None, explicit: Path | None = None, isolated: bool = False) -> LoadedConfig:
    if isolated:
        return LoadedConfig()
    path = explicit if explicit is not None else find_config(start or Path.cwd())
    if path is None:
        return LoadedConfig()
    _require_file(path)
    raw, locate = _read(path)
    config = _validate(path, raw, locate)
    sources = {_kebab(key): str(path) for key in raw}
    return LoadedConfig(config, path, sources, locate)


def _require_file(path: Path) -> None:
    try:
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder; give the configuration file, e.g. {path / '.scrqm.yaml'}")
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
    except OSError as exc:
        raise ConfigError(os_message(path, exc)) from None


def _read(path: Path) -> tuple[dict[str, Any], Any]:
    """The raw table, and a function from a key path to (line, column)."""
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        return _read_toml(path)

    try:
        document = load_path(path)
    except LoadFailure as exc:
        problem = exc.problems[0]
        raise ConfigError(f"{path}:{problem.line}:{problem.column}: {problem.message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if document.data is None:
        return {}, lambda key_path: (1, 1)
    if not isinstance(document.data, dict):
        raise ConfigError(f"{path}:1:1: the configuration should be a mapping of keys")

    def locate(key_path: tuple[Any, ...]) -> tuple[int, int]:
        pos = document.key_position(key_path)
        return pos.line, pos.column

    return document.data, locate


def _read_toml(path: Path) -> tuple[dict[str, Any], Any]:
    import tomllib  # start-up: only a pyproject.toml is TOML

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: the file is over {MAX_CONFIG_BYTES // (1024 * 1024)} MiB, too large "
                              "for a configuration; keep [tool.scrqm] in a small file (or .scrqm.yaml)")
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_message(path, exc)) from None
    except RecursionError:
        raise ConfigError(f"{path}: the TOML nests too deeply to read") from None
    lines = text_lines(text)
    table = _tool_table(path, data, lines)

    def locate(key_path: tuple[Any, ...]) -> tuple[int, int]:
        # tomllib keeps no positions: below the [tool.scrqm] header, find each
        # key of the path in turn (as `key =`, `"key" =`, inline `key =` or a
        # `[tool.scrqm.key]` header); the deepest one found is the answer.
        start = next((i for i, line in enumerate(lines) if line.strip().startswith("[tool.scrqm")), 0)
        found = (start + 1, 1)
        index = start
        for key in (str(k) for k in key_path if isinstance(k, str)):
            hit = _toml_key_line(lines, key, index)
            if hit is not None:
                index, column = hit
                found = (index + 1, column)
        return found

    return table, locate


def _tool_table(path: Path, data: dict[str, Any], lines: list[str]) -> dict[str, Any]:
    """`[tool.scrqm]`, or a file:line error when `tool` or `tool.scrqm` is not a table."""
    for dotted, value in (("tool", data.get("tool", {})),
                          ("tool.scrqm", data.get("tool", {}).get("scrqm", {}) if isinstance(data.get("tool"), dict)
                           else {})):
        if not isinstance(value, dict):
            line = _toml_assignment_line(lines, dotted)
            raise ConfigError(f"{path}:{line}:1: `{dotted}` should be a table (`[{dotted}]` with keys "
                              f"below it), but it is a {_toml_type(value)}")
    table: dict[str, Any] = data.get("tool", {}).get("scrqm", {})
    return table


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (dt.date, dt.time)):
        return "date or time"
    return type(value).__name__


def _toml_assignment_line(lines: list[str], dotted: str) -> int:
    """The line that sets `dotted` (`tool = 1`, `scrqm = "x"` under [tool], `tool.scrqm = ...`), else 1."""
    last = dotted.rsplit(".", 1)[-1]
    table = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            table = header.group(1).replace('"', "").replace(" ", "")
            continue
        key = re.match(r'^"?([A-Za-z0-9_.\- ]+?)"?\s*=', stripped)
        if not key:
            continue
        name = key.group(1).replace(" ", "").replace('"', "")
        full = f"{table}.{name}" if table else name
        if full == dotted or (table is None and name == dotted) or (full.endswith("." + last) and full == dotted):
            return index + 1
    return 1


def _toml_key_line(lines: list[str], key: str, start: int) -> tuple[int, int] | None:
    pattern = re.compile(rf'(^|[{{,\s.\[])"?{re.escape(key)}"?\s*(=|\])')
    for index in range(start, len(lines)):
        match = pattern.search(lines[index])
        if match:
            return index, match.start() + len(match.group(1)) + 1
    return None


def _toml_message(path: Path, exc: Exception) -> str:
    """`file:line:column: message`, from tomllib's "message (at line L, column C)"."""
    match = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", str(exc))
    if not match:
        return f"{path}: {exc}"
    return f"{path}:{match[2]}:{match[3]}: TOML syntax error: {match[1]}"


def _validate(path: Path, raw: dict[str, Any], locate: Any) -> Config:
    normalised = {_kebab(k) if isinstance(k, str) else k: v for k, v in raw.items()}
    try:
        return Config.model_validate(normalised)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        line, column = locate(_original_key(raw, loc))
        key = ".".join(str(p) for p in loc)
        raise ConfigError(f"{path}:{line}:{column}: {_config_message(key, error)}") from None


def _original_key(raw: dict[str, Any], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    if loc and isinstance(loc[0], str) and loc[0] not in raw:
        snake = loc[0].replace("-", "_")
        if snake in raw:
            return (snake, *loc[1:])
    return loc


def _config_message(key: str, error: Any) -> str:
    if error["type"] == "extra_forbidden":
        known = [f.alias or name for name, f in Config.model_fields.items()]
        last = key.split(".")[-1]
        if "." in key:  # inside a nested table: its own keys
            return f"unknown key `{key}`"
        match = difflib.get_close_matches(last, known, n=1, cutoff=0.6)
        hint = f"; did you mean `{match[0]}`?" if match else f"; the keys are: {', '.join(sorted(known))}"
        return f"unknown key `{key}`{hint}"
    if isinstance(error.get("input"), dict) and key.startswith("per-path") and ".severity." in key:
        # TOML reads a bare `QM1.1-x = "warn"` as nested keys QM1 -> 1-x.
        return (f"`{key}`: {error['msg']}; in TOML, quote a rule id that has dots in it: "
                '"QM1.1-rationale-brief" = "warn"')
    return f"`{key}`: {error['msg']}"
