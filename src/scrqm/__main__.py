"""Entry point for `scrqm` and `python -m scrqm`.

`scrqm --version` answers before typer, pydantic or rich are imported: it runs
in pre-commit hooks and shell prompts, where every millisecond shows.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"scrqm {__version__}")
        return
    try:
        from .cli import run

        run()
    except KeyboardInterrupt:
        # Ctrl-C outside a command (while importing, say): the same one line as inside.
        print("scrqm: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
