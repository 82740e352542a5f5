"""`scrqm server`: a Language Server Protocol server over standard input and output.

Built on pygls; it only translates.  `checker` says what `check` would find
for a text and path, `protocol` turns that into diagnostics, hovers and code
actions.  `main` imports neither typer nor the checker before the editor's
`initialize` has been answered, so the server starts within the budget of one
`scrqm check`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The options `scrqm server` shares with `scrqm check`."""
    parser = argparse.ArgumentParser(
        prog="scrqm server",
        description="Run the scrqm language server on standard input and output (for editors).",
    )
    parser.add_argument("--stdio", action="store_true", help="Talk over standard input and output (the default).")
    parser.add_argument("--today", type=_date, help="Treat this date (YYYY-MM-DD) as today.")
    parser.add_argument("--config", type=Path, help="Read this configuration file instead of searching for one.")
    parser.add_argument("--isolated", action="store_true", help="Ignore every configuration file.")
    parser.add_argument("--rules", type=str, action="append", default=[],
                        help="Add the rule packs in this directory (repeatable).")
    return parser.parse_args(argv)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2016-03-14") from None


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    if arguments.config is not None and not arguments.config.is_file():
        print(f"scrqm: error: {arguments.config}: configuration file not found", file=sys.stderr)
        return 2
    try:
        # start-up: imported here, not at the top: `scrqm --help` must not pay for the protocol's types.
        from scrqm.server.protocol import build_server
    except ImportError as exc:  # pygls is the optional extra `server`
        print(f"scrqm: error: the language server needs pygls ({exc.name} is missing); "
              "install it with: pip install 'scrqm[server]'", file=sys.stderr)
        return 2
    from scrqm.server.checker import Options  # start-up: the server answers initialize before the checker is imported

    options = Options(today=arguments.today, config=arguments.config, isolated=arguments.isolated,
                      rules=tuple(arguments.rules))
    build_server(options).start_io()
    return 0
