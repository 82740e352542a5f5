"""Entry point for `scrqm` and `python -m scrqm`.

`scrqm --version` answers before typer, pydantic or rich are imported: it runs
in pre-commit hooks and shell prompts, where every millisecond shows.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from scrqm import __version__  # start-up: `--version` reads nothing else

        print(f"scrqm {__version__}")
        return
    from scrqm.startup import begin, quiet_pydantic  # start-up: after `--version`, which needs nothing

    quiet_pydantic()
    if sys.argv[1:2] == ["server"]:
        # The language server answers the editor before typer, rich or the checker are imported.
        from scrqm.server import main as serve  # start-up: the server answers before typer, rich or the checker are imported

        sys.exit(serve(sys.argv[2:]))
    begin()  # few garbage collections while the imports and the rule set are built
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


def entry() -> None:
    """The `scrqm` command: `main`, then the process ends without freeing every module (startup.leave)."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if "scrqm.startup" not in sys.modules:  # `--version`: nothing was built to free
        sys.exit(code)
    from scrqm.startup import leave  # start-up: imported by `main` already

    leave(code)


if __name__ == "__main__":
    main()  # `python -m scrqm` ends as usual: profilers, debuggers and runpy callers see its end
