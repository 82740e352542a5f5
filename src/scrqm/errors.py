"""Errors the user must fix, and the exit codes (sqlfluff-style named constants)."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def os_message(path: object, exc: OSError) -> str:
    """`PATH: reason` for an error the system gave about a name the user wrote (too long, no access)."""
    return f"{path}: {exc.strerror or exc}"


class ScrqmError(Exception):
    """Something the user must fix (usage, config, rule pack, I/O); caught once in the CLI."""

    exit_code = EXIT_ERROR
