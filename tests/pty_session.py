"""Drive `scrqm` in a real pseudo-terminal, as a person at a keyboard would.

`expect` waits for text to appear on the screen (escape sequences removed),
`type` sends keys; `paste` sends text the way a terminal sends a paste
(bracketed, so readline takes it whole); `interrupt` presses Ctrl-C.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time
from pathlib import Path

from conftest import signals_as_from_a_shell

_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z~]|\x1b[=>]|\r")


class PtySession:
    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        environment = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "40", **(env or {})}
        environment.pop("VISUAL", None)
        if env is None or "EDITOR" not in env:
            environment.pop("EDITOR", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the real command line
            signals_as_from_a_shell()
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "scrqm", *args], environment)
        self.screen = ""
        self._seen = 0
        self.code: int | None = None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.screen += _ESCAPES.sub(b"", data).decode("utf-8", "replace")
        return True

    def expect(self, text: str, timeout: float = 20.0) -> str:
        """Wait until `text` appears after what was last expected; the output up to it."""
        end = time.monotonic() + timeout
        while text not in self.screen[self._seen:]:
            if time.monotonic() > end or not self._read(0.1):
                if text in self.screen[self._seen:]:
                    break
                raise AssertionError(f"never saw {text!r}; the screen after the last step:\n{self.screen[self._seen:]}")
        at = self.screen.index(text, self._seen) + len(text)
        seen, self._seen = self.screen[self._seen:at], at
        return seen

    def type(self, line: str = "") -> None:
        os.write(self.fd, line.encode("utf-8") + b"\r")

    def paste(self, text: str) -> None:
        """As a terminal sends a paste: marked, so the line editor takes it whole; then Enter."""
        os.write(self.fd, b"\x1b[200~" + text.encode("utf-8") + b"\x1b[201~")
        time.sleep(0.05)
        os.write(self.fd, b"\r")

    def interrupt(self) -> None:
        """Ctrl-C as a person presses it: once the program has gone quiet at its prompt.

        Sent the instant the prompt's text appears, it can reach a busy machine before
        the line editor has taken the terminal, and race what the editor does with it.
        """
        end = time.monotonic() + 5
        while time.monotonic() < end:
            before = len(self.screen)
            if not self._read(0.2) or len(self.screen) == before:
                break
        os.write(self.fd, b"\x03")

    def wait(self, timeout: float = 20.0) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._read(0.05)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
                    pass
                os.close(self.fd)
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"scrqm did not finish; the screen:\n{self.screen[-3000:]}")
