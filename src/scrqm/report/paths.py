"""Paths as CI services want them: relative to the working directory (the repository root in CI), in posix form."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def repository_relative(path: str, *, base: Path | None = None) -> str | None:
    """`path` relative to `base` in posix form, or None when it lies outside `base`.

    A path as the user typed it (`examples/x.yaml`) is kept; an absolute one, or
    one climbing out with `..`, is resolved first.
    """
    posix = path.replace("\\", "/")
    if not Path(path).is_absolute() and ".." not in PurePosixPath(posix).parts:
        return str(PurePosixPath(posix))
    try:
        return Path(path).resolve().relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return None
