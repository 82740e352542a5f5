"""The result cache: a file's result is reused while nothing it depends on changed.

A result depends on the file's text, the rules in force for its path, and the
run's context: the `scrqm` version and code, the rule packs' contents, the
effective configuration, today's date (delays and "a date after today" move
with it) and every other check setting (redaction, limits, glossary...).  The
context is hashed into the name of one *shard* file; inside it, each entry is
keyed by a hash of the rules in force and the file's text.  The display path is
not stored: the same text checked under another name gives the same result,
renamed.

Safety: a shard is written to a temporary file and renamed into place, so a
reader never sees half of one; a shard that cannot be read or parsed counts as
empty.  Trust (docs/reliability.md, "The result cache"): each entry carries
a keyed digest (HMAC-SHA256) of its context, its key and its exact text, with
a secret kept in the folder's `key` file, created 0600 on first use; an entry
whose digest does not verify (edited by hand, written with another key, moved
to another key or shard) is a miss.  An entry that verifies is still
validated as strictly as a referral (verdicts, severities and profiles from
their fixed sets, positions positive integers, nothing extra or missing):
a bad entry is a miss, never a traceback and never a verdict.  Results of files that could not be
read are never stored.  Size: at most `MAX_SHARDS` shards are kept (the
least recently written are deleted) and each holds at most `MAX_ENTRIES`
entries, those of the latest run first.  The directory is `--cache-dir`, the
configuration's `cache-dir`, else `$XDG_CACHE_HOME/scrqm` or `~/.cache/scrqm`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrqm import __version__
from scrqm.config import LoadedConfig, settings_of
from scrqm.packs.loader import RuleSet, keep_rulesets_in, profiles, rules_root
from scrqm.report.write import atomic_file
from scrqm.result import VERDICTS, FileResult

if TYPE_CHECKING:
    from scrqm.packs.loader import RuleSet

FORMAT = 2  # 2: entries are [digest, text], digest keyed by the folder's `key` file
KEY_FILE = "key"
KEY_BYTES = 32
MAX_SHARDS = 8
MAX_ENTRIES = 50_000


def default_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "scrqm"


@functools.cache
def code_fingerprint() -> str:
    """The installed package's own files (name, size, mtime): a changed checker invalidates results.

    The version alone is not enough for a development install, where the code
    changes under the same version number.
    """
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stats = []
    # os.walk and os.stat, not Path.rglob: a third of the time, on every run.
    for directory, folders, files in os.walk(package):
        folders[:] = sorted(folder for folder in folders if folder != "__pycache__")
        where = os.path.relpath(directory, package)
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(directory, name))
                stats.append(f"{os.path.join(where, name)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(stats).encode()).hexdigest()


def shipped_packs_digest() -> str:
    """Every shipped profile's pack files: a referral's own `profile:` may pick any of them."""
    digest = hashlib.sha256()
    for path in sorted(rules_root().rglob("*.y*ml")):
        digest.update(f"{path.relative_to(rules_root())}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def context_key(*, ruleset_digest: str, config: dict[str, Any], settings: Any) -> str:
    """One hash of everything besides the file and its path that a result depends on."""
    context = {
        "format": FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        "packs": ruleset_digest,
        "config": config,
        # Every field of Settings, present and future: sets sorted so the key
        # does not depend on hash randomisation.
        "settings": {f.name: _stable(getattr(settings, f.name)) for f in dataclasses.fields(settings)},
    }
    text = json.dumps(context, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _stable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def rules_key(rules: list[Any]) -> str:
    """The rules in force for one path (per-path overrides change ids and severities)."""
    text = "\n".join(f"{rule.id}:{rule.severity}" for rule in rules)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def entry_key(text: str, rules: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(rules.encode())
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


RULESETS_KEPT = 16


class RulesetCache:
    """Assembled rule sets, in the result cache's folder, under its key.

    A rule set is stored pickled, with a keyed digest (HMAC-SHA256, the folder's
    secret) of the scrqm version and code, the key of its inputs (the pack
    files, board folders and thresholds: `packs.loader._inputs_key`) and the
    bytes; only a file whose digest verifies is unpickled, and the secret is
    used only when it is this user's alone (`_secret`), so only this user's
    own runs can have written what is loaded.  Anything unreadable or
    unexpected is a miss: the packs are composed as without the cache.
    """

    def __init__(self, directory: Path) -> None:
        self.folder = directory / f"v{FORMAT}" / "rulesets"
        self.secret = _secret(directory)
        self.context = f"{__version__}\0{code_fingerprint()}"

    def _digest(self, key: str, payload: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, f"{self.context}\0{key}\0".encode() + payload, hashlib.sha256).digest()

    def get(self, key: str) -> RuleSet | None:
        import pickle  # start-up: only where a rule set was kept

        if self.secret is None:
            return None
        try:
            data = (self.folder / f"{key}.pickle").read_bytes()
        except OSError:
            return None
        digest, payload = data[:32], data[32:]
        if len(digest) != 32 or not hmac.compare_digest(digest, self._digest(key, payload)):
            return None
        try:
            ruleset = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a kept rule set that does not load is a miss, never a traceback
            return None
        return ruleset if isinstance(ruleset, RuleSet) else None

    def put(self, key: str, ruleset: RuleSet) -> None:
        import pickle  # start-up: only when a rule set was composed

        if self.secret is None:
            return
        try:
            payload = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a rule set that cannot be kept is composed next time
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".ruleset-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(self._digest(key, payload) + payload)
                os.replace(temporary, self.folder / f"{key}.pickle")
            except OSError:
                os.unlink(temporary)
                raise
            kept = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in kept[RULESETS_KEPT:]:
                old.unlink(missing_ok=True)
        except OSError:
            return


class ResultCache:
    """The results of one context: looked up by entry key, saved once at the end of a run."""

    def __init__(self, directory: Path, context: str) -> None:
        self.directory = directory
        self.context = context
        self.shard = directory / f"v{FORMAT}" / f"{context}.json"
        self.secret = _secret(directory)
        self.old: dict[str, Any] = self._read() if self.secret is not None else {}
        self.new: dict[str, Any] = {}
        self.hits = 0

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.shard.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("entries"), dict):
            return {}
        entries: dict[str, Any] = data["entries"]
        return entries

    def _digest(self, key: str, text: str) -> str:
        assert self.secret is not None
        message = f"{FORMAT}\0{self.context}\0{key}\0{text}".encode("utf-8", "surrogatepass")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def get(self, key: str, *, display: str) -> FileResult | None:
        stored = self.new.get(key) or self.old.get(key)
        if stored is None or self.secret is None:
            return None
        if not (isinstance(stored, list) and len(stored) == 2
                and isinstance(stored[0], str) and isinstance(stored[1], str)):
            return None
        digest, text = stored
        if not hmac.compare_digest(digest, self._digest(key, text)):
            return None  # edited, foreign, or moved from another key: not ours
        result = trusted_result(text, display=display)
        if result is None:
            return None  # a malformed entry is a miss, never an error
        self.new[key] = stored
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if result.io_error or self.secret is None:
            return
        entry = result.to_dict()
        del entry["path"]
        text = json.dumps(entry, ensure_ascii=False)  # key order kept: questions are in the pack's order
        self.new[key] = [self._digest(key, text), text]

    def save(self) -> None:
        """Write the shard atomically; a cache that cannot be written is silently skipped."""
        if self.secret is None:
            return
        entries = dict(self.new)
        for key, value in self.old.items():
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(key, value)
        if entries == self.old:
            return
        try:
            self.shard.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(self.shard, private=True) as handle:
                handle.write(json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False))
            _prune(self.shard.parent, keep=self.shard)
        except OSError:
            pass  # a read-only or full disk makes the next run cold, not wrong


def _secret(directory: Path) -> bytes | None:
    """The folder's key: read, or created 0600 on first use; None (no cache) when it cannot be trusted.

    A key that is not a regular file of this user, or that others may read or
    write, is not used: whoever can read it can write entries that verify.
    """
    path = directory / KEY_FILE
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                continue  # another run made it first: read theirs
            except OSError:
                return None
            secret = os.urandom(KEY_BYTES)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secret.hex().encode())
            except OSError:
                return None
            return secret
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            try:
                info = os.fstat(handle.fileno())
                if (not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077
                        or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
                    return None
                text = handle.read(2 * KEY_BYTES + 1)
            except OSError:
                return None
        try:
            secret = bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return None
        return secret if len(secret) == KEY_BYTES else None
    return None


_SEVERITIES = frozenset({"fail", "warn", "info"})
_FINDING_TEXT = ("question", "group", "fix", "field")


def trusted_result(text: str, *, display: str) -> FileResult | None:
    """The result an entry's text holds, if it is exactly what `put` writes; else None."""
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or "path" in entry or not _valid_entry(entry):
        return None
    try:
        result = FileResult.from_dict({**entry, "path": display})
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    # Nothing extra and nothing missing: the entry is what this version writes.
    if result.to_dict() != {**entry, "path": display}:
        return None
    return result


def _valid_entry(entry: dict[str, Any]) -> bool:
    if entry.get("verdict") not in VERDICTS:
        return False
    profile = entry.get("profile")
    if profile is not None and (not isinstance(profile, str) or profile not in _known_profiles(profiles)):
        return False
    questions = entry.get("questions")
    if questions is not None and not _verdict_map(questions):
        return False
    if not _verdict_map(entry.get("groups", {})):
        return False
    facts = entry.get("facts", {})
    if not isinstance(facts, dict) or not all(
            isinstance(k, str) and (isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)))
            for k, v in facts.items()):
        return False
    findings = entry.get("findings")
    return isinstance(findings, list) and all(_valid_finding(f) for f in findings)


_PROFILES: list[str] = []


def _known_profiles(profiles: Any) -> list[str]:
    if not _PROFILES:
        _PROFILES.extend(profiles())
    return _PROFILES


def _verdict_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and v in VERDICTS for k, v in value.items())


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _valid_finding(finding: Any) -> bool:
    if not isinstance(finding, dict):
        return False
    if not (_positive(finding.get("line")) and _positive(finding.get("column"))
            and isinstance(finding.get("rule"), str) and isinstance(finding.get("message"), str)
            and finding.get("severity") in _SEVERITIES):
        return False
    if not all(finding.get(name) is None or isinstance(finding.get(name), str) for name in _FINDING_TEXT):
        return False
    if "waived" in finding and (finding["waived"] is not True
                                or not (finding.get("waiver_reason") is None
                                        or isinstance(finding.get("waiver_reason"), str))):
        return False
    autofix = finding.get("autofix")
    if autofix is not None:
        if not (isinstance(autofix, dict) and isinstance(autofix.get("message"), str)
                and isinstance(autofix.get("edits"), list)):
            return False
        for edit in autofix["edits"]:
            if not (isinstance(edit, dict) and isinstance(edit.get("content"), str)
                    and all(_positive(edit.get(k)) for k in ("line", "column", "end_line", "end_column"))):
                return False
    return True


def _prune(folder: Path, *, keep: Path) -> None:
    """Delete the least recently written shards beyond MAX_SHARDS."""
    shards = []
    for path in folder.glob("*.json"):
        try:
            shards.append((path.stat().st_mtime, path))
        except OSError:
            continue
    shards.sort(reverse=True)
    for _mtime, path in shards[MAX_SHARDS:]:
        if path != keep:
            try:
                path.unlink()
            except OSError:
                pass


# ---------------------------------------------------------------- the run's cache


def open_cache(loaded: LoadedConfig, *, ruleset_digest: str, settings: Any) -> ResultCache | None:
    """The run's result cache, or None with `--no-cache` / `cache: false`."""
    config = loaded.config
    if config.cache is False:
        return None
    # The cache's own settings do not change a result, so they are not part of the key.
    relevant = settings_of(config, exclude={"jobs", "cache", "cache_dir"})
    # A referral may name another profile: every shipped pack is part of the key.
    packs = f"{ruleset_digest}:{shipped_packs_digest()}"
    directory = cache_directory(loaded)
    problem = _not_a_cache_folder(directory)
    if problem:
        # Caching only saves time: the run goes on without it, but says why it is slower.
        print(f"scrqm: warning: {directory}: {problem}; results are not cached", file=sys.stderr)
        return None
    return ResultCache(directory, context_key(ruleset_digest=packs, config=relevant, settings=settings))


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
    config = loaded.config
    if config.cache_dir is None:
        return default_directory()
    if loaded.source_of("cache-dir") == "command line" or loaded.path is None:
        return Path(config.cache_dir)
    return loaded.path.parent / config.cache_dir


def keep_rulesets(loaded: LoadedConfig) -> None:
    """Assembled rule sets kept in the result cache's folder, unless caching is off."""
    directory = cache_directory(loaded)
    keep_rulesets_in(RulesetCache(directory) if loaded.config.cache is not False
                     and _not_a_cache_folder(directory) is None else None)
