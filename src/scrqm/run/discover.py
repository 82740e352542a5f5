"""Which files a run checks: files named, and `*.yaml`/`*.yml` found below folders.

Hidden directories (`.git`, `.venv`) are skipped; `exclude` globs match
against the path as shown and each of its parent folders.  The order is
stable (sorted), whatever the filesystem returns.  A path that does not
exist is an error for the run, reported on its own line; the other paths are
still checked.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scrqm.errors import os_message

SUFFIXES = (".yaml", ".yml")


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def discover(paths: list[str], *, exclude: list[str] | None = None) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    for given in paths:
        _expand(Path(given), exclude or [], found, seen)
    return found


def _expand(path: Path, exclude: list[str], found: Discovery, seen: set[str]) -> None:
    if excluded(path, exclude):
        return
    try:
        _expand_existing(path, exclude, found, seen)
    except OSError as exc:  # a name too long, a folder in the way we may not enter: this path only
        found.errors.append(os_message(path, exc))


def _expand_existing(path: Path, exclude: list[str], found: Discovery, seen: set[str]) -> None:
    if path.is_dir():
        for file in _walk(path, exclude, found):
            _add(file, found, seen)
    elif path.exists() or path.is_symlink():
        _add(path, found, seen)
    else:
        found.errors.append(f"{path}: no such file or directory")


def _add(path: Path, found: Discovery, seen: set[str]) -> None:
    key = os.path.normpath(str(path))
    if key not in seen:
        seen.add(key)
        found.files.append(path)


def _walk(root: Path, exclude: list[str], found: Discovery) -> list[Path]:
    files: list[Path] = []

    def on_error(error: OSError) -> None:
        found.errors.append(f"{error.filename}: cannot read folder: {error.strerror}")

    for folder, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(folder)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not excluded(here / d, exclude)
        )
        for name in sorted(filenames):
            candidate = here / name
            if name.endswith(SUFFIXES) and not name.startswith(".") and not excluded(candidate, exclude):
                files.append(candidate)
    return sorted(files, key=lambda p: PurePosixPath(p.as_posix()).parts)


def excluded(path: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    text = path.as_posix()
    candidates = [text, path.name, *(p.as_posix() for p in path.parents if str(p) != ".")]
    return any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, pattern.rstrip("/"))
               for c in candidates for pattern in patterns)
