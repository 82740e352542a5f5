"""Errors the user must fix, and the exit codes (sqlfluff-style named constants)."""

from __future__ import annotations

import os
import sys

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what `yes | head` gives, and a shell's pipefail sees


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a supervisor, `kill PID`, a closed terminal): stop as Ctrl-C does.

    A KeyboardInterrupt, so every clean-up that Ctrl-C runs runs for it too:
    workers are killed, a half-written `--output` is removed, the cache is
    left as it was.  The exit status is 128 + the signal's number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        import signal  # start-up: signal only when a run is stopped

        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def stop_on_termination() -> None:
    """Turn SIGTERM and SIGHUP into `Terminated` in the main thread (the default would skip all clean-up)."""
    import signal  # start-up: as above

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                signal.signal(number, stop)
            except (OSError, ValueError):  # not the main thread, or not allowed here
                pass


def quiet_broken_pipe() -> None:
    """The reader of standard output went away (`scrqm check | head`): stop without a word.

    Standard output is pointed at /dev/null so that Python's own flush at exit
    finds nowhere to fail (the pattern the Python documentation gives).
    """
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
