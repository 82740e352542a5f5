"""The one atomic writer: a report, schema or cache shard appears whole or not at all.

A file is written to a temporary file beside it and renamed into place, so an
interrupted run never leaves half of one.  A device or FIFO (`-o /dev/null`)
is written to directly (renaming over it would replace the node), and a
symbolic link keeps pointing where it did (its target gets the text).
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, TextIO

from scrqm.errors import ScrqmError

# A report file is UTF-8 that any reader accepts: a file name that is not UTF-8
# appears escaped (`bad\udcffname.yaml`; in JSON that decodes back to the same name).
REPORT_ERRORS = "backslashreplace"


@contextmanager
def atomic_file(target: Path, *, private: bool = False, errors: str = "strict") -> Iterator[TextIO]:
    """`target` replaced whole when the block ends without error; the temporary file removed otherwise.

    A new file gets the mode any new file would (the umask's), or 0600 when `private`.
    """
    handle: Any = tempfile.NamedTemporaryFile("w", encoding="utf-8", errors=errors, dir=target.parent,
                                         prefix=f".{target.name}.", suffix=".tmp", delete=False)
    try:
        yield handle
        if not private:
            # A temporary file is private (0600); a report gets the mode any new file would.
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        handle.close()
        os.replace(handle.name, target)
    except BaseException:
        _discard(handle, temporary=True)
        raise


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
    try:
        if special:
            with open(_open_special(output, target), "w", encoding="utf-8", errors=REPORT_ERRORS) as handle:
                try:
                    yield handle
                except BaseException:
                    _discard(handle, temporary=False)
                    raise
        else:
            with atomic_file(target, errors=REPORT_ERRORS) as handle:
                yield handle
    except OSError as exc:  # cannot create, a full disk, a device that refuses: the report is not written
        raise ScrqmError(f"{output}: cannot write the report: {exc.strerror or exc}") from None


def _open_special(output: Path, target: Path) -> int:
    """Open a device or FIFO for writing without blocking: a FIFO nobody reads would wait for ever."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ScrqmError(f"{output}: a named pipe (FIFO) that no program is reading; start the reader "
                             "first, or write the report to a file") from None
        raise
    os.set_blocking(fd, True)  # from here on, write as to any file
    return fd


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _discard(handle: IO[str], *, temporary: bool) -> None:
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
