"""Entry point for `scrqm` and `python -m scrqm`.

`scrqm --version` answers before typer, pydantic or rich are imported: it runs
in pre-commit hooks and shell prompts, where every millisecond shows.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from scrqm import __version__  # start-up: `--version` reads nothing else

        print(f"scrqm {__version__}")
        return
    if sys.argv[1:2] == ["server"]:
        # The language server answers the editor before typer, rich or the checker are imported.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        from scrqm.server import main as serve  # start-up: after the environment is set

        sys.exit(serve(sys.argv[2:]))
    # pydantic looks for observability plugins through every installed
    # package's entry points (importlib.metadata: ~40 ms a run) the first time
    # a model is built; the command line uses none.  The user can still opt in.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        from scrqm.cli import run  # start-up: after the environment is set, and inside the Ctrl-C guard

        run()
    except KeyboardInterrupt as exc:
        from scrqm.errors import Terminated  # start-up: only when a run is stopped

        if isinstance(exc, Terminated):
            print(f"scrqm: stopped by {exc.name}", file=sys.stderr)
            sys.exit(exc.exit_code)
        # Ctrl-C outside a command (while importing, say): the same one line as inside.
        print("scrqm: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:  # `scrqm rules | head`, outside a command's own handling
        from scrqm.errors import EXIT_BROKEN_PIPE, quiet_broken_pipe  # start-up: only when the pipe broke

        quiet_broken_pipe()
        sys.exit(EXIT_BROKEN_PIPE)


if __name__ == "__main__":
    main()
