"""Which files a run checks: files named, and `*.yaml`/`*.yml` found below folders.

Hidden directories (`.git`, `.venv`) are skipped; `exclude` globs match
against the path as shown, its name, and each of its parent folders (as a
path and by name).  As in ruff, a path named on the command line is checked
even when it matches `exclude`, unless `force_exclude` is set (pre-commit
names every staged file, so its hook needs it).  The order is
stable (sorted), whatever the filesystem returns.  A path that does not
exist is an error for the run, reported on its own line; the other paths are
still checked.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scrqm.errors import os_message

SUFFIXES = (".yaml", ".yml")


@dataclass
class Discovery:
    """What the paths named hold: the referrals to check, what could not be read, what was left out."""

    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Files below the folders given that are not `*.yaml`/`*.yml` (or are hidden): said when nothing is found.
    skipped: list[Path] = field(default_factory=list)
    # Paths left out by `exclude`: the configuration chose to check nothing, not a mistake.
    excluded: int = 0


def discover(paths: list[str], *, exclude: list[str] | None = None, force_exclude: bool = False) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    for given in paths:
        _expand(Path(given), exclude or [], found, seen, force_exclude=force_exclude)
    return found


def _expand(path: Path, exclude: list[str], found: Discovery, seen: set[str], *, force_exclude: bool) -> None:
    if force_exclude and excluded(path, exclude, by_folder_name=True):
        found.excluded += 1
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
    """Every referral below `root`, walked with a list rather than recursion: any depth is fine.

    A folder whose path is too long for the system (`ENAMETOOLONG`) is one
    line for the whole tree, however many such folders it holds; the rest of
    the tree is still searched.
    """
    files: list[Path] = []
    too_long: list[str] = []
    pending = [root]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as entries:
                listed = list(entries)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                too_long.append(str(here))
            else:
                found.errors.append(f"{here}: cannot read folder: {exc.strerror}")
            continue
        folders = []
        for entry in listed:
            name = entry.name
            try:
                is_folder = entry.is_dir()  # a link to a folder is a folder, as os.walk sees it...
                linked = is_folder and entry.is_symlink()
            except OSError:
                is_folder = linked = False
            candidate = here / name
            if is_folder:
                # ...but is never entered: a link may loop back up.
                if linked or name.startswith("."):
                    continue
                if excluded(candidate, exclude):
                    found.excluded += 1
                else:
                    folders.append(candidate)
            elif name.endswith(SUFFIXES) and not name.startswith("."):
                if excluded(candidate, exclude):
                    found.excluded += 1
                else:
                    files.append(candidate)
            else:
                found.skipped.append(candidate)
        pending.extend(sorted(folders, reverse=True))
    if too_long:
        deepest = os.path.dirname(min(too_long, key=len))
        more = f" ({len(too_long)} folders)" if len(too_long) > 1 else ""
        found.errors.append(f"{deepest}: folders below it{more} are nested too deep to read "
                            f"(the path is longer than the system allows); the rest was checked")
    return sorted(files, key=lambda p: PurePosixPath(p.as_posix()).parts)


def excluded(path: Path, patterns: list[str], *, by_folder_name: bool = False) -> bool:
    """Whether a glob matches the path, its name or a parent folder's path.

    A folder met while walking is matched by its name on the way down; a path
    named on the command line (`by_folder_name`) is matched by each folder's
    name too, so `drafts` skips `referrals/drafts/x.yaml` as it would in a walk.
    """
    if not patterns:
        return False
    text = path.as_posix()
    parents = [p for p in path.parents if str(p) != "."]
    names = [p.name for p in _below_cwd(path).parents if p.name] if by_folder_name else []
    candidates = [text, path.name, *(p.as_posix() for p in parents), *names]
    return any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, pattern.rstrip("/"))
               for c in candidates for pattern in patterns)


def _below_cwd(path: Path) -> Path:
    """An absolute path's part below the current folder: folders above the project never exclude it."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return Path(path.name)
