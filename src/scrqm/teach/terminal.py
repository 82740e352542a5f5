"""The real terminal behind `scrqm new --interactive`.

On a terminal, GNU readline gives line editing and takes a paste whole
(bracketed paste): a two-paragraph summary pasted in arrives as one answer,
its blank line inside it, instead of its second paragraph going to the next
question.  Where a terminal does not mark pastes, a blank line that has more
text already waiting behind it is taken as part of the paste too.  Long text
can be written in the user's editor ($VISUAL, then $EDITOR).
"""

from __future__ import annotations

import os
import select
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from scrqm.teach.interview import Terminal

EDITOR_NOTE = "# Write the answer above this line. Lines starting with # are left out; save and close to go on.\n"


@dataclass
class RealTerminal(Terminal):
    def close(self) -> None:
        sys.stdout.flush()


def real_terminal() -> RealTerminal:
    interactive = sys.stdin.isatty()
    if interactive:
        # Imported only here, for start-up cost: readline edits lines and takes pastes whole.
        import readline  # noqa: F401

    def write(line: str) -> None:
        print(line, flush=True)

    def waiting() -> bool:
        if not interactive:
            return False

        ready, _, _ = select.select([sys.stdin], [], [], 0.05)
        return bool(ready)

    return RealTerminal(read=input, write=write, waiting=waiting, edit=edit_in_editor)


def edit_in_editor(text: str) -> str | None:
    """`text` after the user's editor has changed it; None when no editor is set or it failed."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        return None
    handle, name = tempfile.mkstemp(prefix="scrqm-answer-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write((text.rstrip("\n") + "\n" if text else "\n") + EDITOR_NOTE)
        try:
            done = subprocess.run([*shlex.split(command), name], check=False)
        except OSError:
            return None
        if done.returncode != 0:
            return None
        with open(name, encoding="utf-8") as stream:  # CR LF and CR read as LF
            # Lines at LF only: str.splitlines would also break at U+2028 and NEL, which are text.
            lines = [line for line in stream.read().split("\n") if not line.lstrip().startswith("#")]
        return "\n".join(lines).strip()
    finally:
        os.unlink(name)
