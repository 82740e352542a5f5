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
reader never sees half of one; a shard that cannot be read or parsed, or whose
entries are malformed, counts as empty.  Results of files that could not be
read are never stored.  Size: at most `MAX_SHARDS` shards are kept (the
least recently written are deleted) and each holds at most `MAX_ENTRIES`
entries, those of the latest run first.  The directory is `--cache-dir`, the
configuration's `cache-dir`, else `$XDG_CACHE_HOME/scrqm` or `~/.cache/scrqm`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scrqm import __version__
from scrqm.result import FileResult

FORMAT = 1
MAX_SHARDS = 8
MAX_ENTRIES = 50_000


def default_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "scrqm"


def code_fingerprint() -> str:
    """The installed package's own files (name, size, mtime): a changed checker invalidates results.

    The version alone is not enough for a development install, where the code
    changes under the same version number.
    """
    package = Path(__file__).parents[1]
    stats = []
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        stats.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(stats).encode()).hexdigest()


def shipped_packs_digest() -> str:
    """Every shipped profile's pack files: a referral's own `profile:` may pick any of them."""
    from scrqm.packs.loader import rules_root

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


class ResultCache:
    """The results of one context: looked up by entry key, saved once at the end of a run."""

    def __init__(self, directory: Path, context: str) -> None:
        self.directory = directory
        self.shard = directory / f"v{FORMAT}" / f"{context}.json"
        self.old: dict[str, Any] = self._read()
        self.new: dict[str, Any] = {}
        self.hits = 0

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.shard.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("entries"), dict):
            return {}
        entries: dict[str, Any] = data["entries"]
        return entries

    def get(self, key: str, *, display: str) -> FileResult | None:
        entry = self.new.get(key) or self.old.get(key)
        if entry is None:
            return None
        try:
            result = FileResult.from_dict({**entry, "path": display})
        except (TypeError, KeyError, AttributeError):
            return None  # a malformed entry is a miss, never an error
        self.new[key] = entry
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if result.io_error:
            return
        entry = result.to_dict()
        del entry["path"]
        self.new[key] = entry

    def save(self) -> None:
        """Write the shard atomically; a cache that cannot be written is silently skipped."""
        entries = dict(self.new)
        for key, value in self.old.items():
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(key, value)
        if entries == self.old:
            return
        try:
            self.shard.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.shard, json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False))
            _prune(self.shard.parent, keep=self.shard)
        except OSError:
            pass  # a read-only or full disk makes the next run cold, not wrong


def _write_atomically(path: Path, text: str) -> None:
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise


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
