"""Errors the user must fix, and the exit codes (sqlfluff-style named constants)."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what `yes | head` gives, and a shell's pipefail sees


def quiet_broken_pipe() -> None:
    """The reader of standard output went away (`scrqm check | head`): stop without a word.

    Standard output is pointed at /dev/null so that Python's own flush at exit
    finds nowhere to fail (the pattern the Python documentation gives).
    """
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no real standard output (an in-process runner): nothing will be flushed to it


def os_message(path: object, exc: OSError) -> str:
    """`PATH: reason` for an error the system gave about a name the user wrote (too long, no access)."""
    return f"{path}: {exc.strerror or exc}"


class ScrqmError(Exception):
    """Something the user must fix (usage, config, rule pack, I/O); caught once in the CLI."""

    exit_code = EXIT_ERROR
