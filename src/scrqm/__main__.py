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
    from .cli import run

    run()


if __name__ == "__main__":
    main()
