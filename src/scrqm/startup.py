"""What a command-line run does before its imports, once they are done, and at its end.

Three costs of a run that are not scrqm's own work:

- pydantic looks for observability plugins through every installed package's
  entry points the first time a model is built, and the module that looks
  imports `importlib.metadata` (~10 ms) even when `PYDANTIC_DISABLE_PLUGINS`
  says not to look.  With every plugin disabled, that module is replaced by
  one that finds none, which is what pydantic itself would return.
- The garbage collector runs about a hundred times while the imports and the
  rule set build tens of thousands of objects that live for the whole run
  (~10 ms).  Collections are made rare until `done()`, which moves everything
  built so far out of the collector's sight (`gc.freeze()`, as a forking
  server does before its workers: their copies of those pages then stay
  shared) and restores the usual thresholds for the per-file work.
- At its end the interpreter frees every module and object one by one (~2 % of a
  one-referral run).  `leave()` runs the `atexit` handlers, flushes the output (a
  broken pipe or a full disk gives the exit code and message they give elsewhere)
  and ends the process without that, as mypy does, unless a thread still runs.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import types
from typing import NoReturn

_DISABLED = ("__all__", "1", "true")
_usual: tuple[int, ...] | None = None


def quiet_pydantic() -> None:
    """No plugin search: the command line uses none (the user can still opt in with the variable)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in _DISABLED and "pydantic.plugin._loader" not in sys.modules:
        loader = types.ModuleType("pydantic.plugin._loader", "No plugins: PYDANTIC_DISABLE_PLUGINS (scrqm.startup).")
        loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules["pydantic.plugin._loader"] = loader


def begin() -> None:
    """Before the imports: the collector only every 100,000 allocations, not every 700."""
    global _usual
    if _usual is None:
        _usual = gc.get_threshold()
        gc.set_threshold(100_000, *_usual[1:])


def done() -> None:
    """Start-up is over (the rule set is built): freeze what it made, and collect as usual."""
    global _usual
    if _usual is not None:
        gc.freeze()
        gc.set_threshold(*_usual)
        _usual = None


def leave(code: object) -> NoReturn:
    """End the process with `code` (as `SystemExit(code)` would), without freeing what it built."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        raise SystemExit(code)  # the interpreter waits for the other threads
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # before the flush, as the usual exit: what they print is written too
    os._exit(_flushed(status))


def _flushed(status: int) -> int:
    """`status` once standard output and error are written; else the code of output that was lost."""
    try:
        if sys.stdout is not None and not sys.stdout.closed:  # closed on purpose: nothing waits in it
            sys.stdout.flush()
    except BrokenPipeError:  # `scrqm rules | head`: quiet, as every command is when its reader leaves
        from scrqm.errors import EXIT_BROKEN_PIPE, quiet_broken_pipe  # start-up: only when the pipe broke

        quiet_broken_pipe()
        status = EXIT_BROKEN_PIPE
    except OSError as exc:  # a full disk: the report is lost, so say so
        from scrqm.errors import EXIT_ERROR  # start-up: only when the output could not be written

        print(f"scrqm: error: cannot write to standard output: {exc}; free some space, or send the "
              "output somewhere else", file=sys.stderr)
        status = EXIT_ERROR
    try:
        if sys.stderr is not None and not sys.stderr.closed:
            sys.stderr.flush()
    except OSError:
        pass  # nowhere left to say it
    return status
