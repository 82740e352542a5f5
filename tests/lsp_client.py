"""A small LSP client for the tests: JSON-RPC messages over a real `scrqm server` subprocess.

The test writes the protocol's messages itself (as an editor does) and reads
the server's replies, notifications and requests; requests from the server
(`window/showDocument`, ...) are answered and kept for the test to look at.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable


class LspClient:
    def __init__(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                 command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "scrqm", "server", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self.next_id = 0
        self.responses: dict[int, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stderr_lines: list[bytes] = []
        self.stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.stderr_reader.start()

    # -- wire ------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            message = json.loads(stream.read(int(headers["content-length"])))
            if "id" in message and "method" in message:  # a request from the server
                self.server_requests.append(message)
                answer = {"window/showDocument": {"success": True}, "workspace/applyEdit": {"applied": True}}
                self._send({"id": message["id"], "result": answer.get(message["method"])})
            self.inbox.put(message)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def _pump(self, until: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer from the server in {timeout} s; stderr: {b''.join(self.stderr_lines)!r}")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            self._file(message)

    def _file(self, message: dict[str, Any] | None) -> None:
        if message is None:
            raise EOFError(f"the server stopped; stderr: {b''.join(self.stderr_lines)!r}")
        if "id" in message and "method" not in message:
            self.responses[message["id"]] = message
        elif "method" in message and "id" not in message:
            self.notifications.append(message)

    # -- protocol --------------------------------------------------------
    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self.next_id += 1
        number = self.next_id
        self._send({"id": number, "method": method, "params": params})
        self._pump(lambda: number in self.responses, timeout)
        response = self.responses.pop(number)
        assert "error" not in response, response
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 30) -> list[dict[str, Any]]:
        """The next diagnostics published for `uri` (at `version`, if given); consumed."""
        def match(n: dict[str, Any]) -> bool:
            return (n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri
                    and (version is None or n["params"].get("version") == version))

        self._pump(lambda: any(match(n) for n in self.notifications), timeout)
        found = next(n for n in self.notifications if match(n))
        self.notifications.remove(found)
        result: list[dict[str, Any]] = found["params"]["diagnostics"]
        return result

    def published(self, uri: str) -> list[dict[str, Any]]:
        """Every publishDiagnostics notification for `uri` received so far (not consumed)."""
        return [n for n in self.notifications
                if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri]

    def drain(self, seconds: float) -> None:
        """Read whatever the server sends for `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._file(self.inbox.get(timeout=left))
            except queue.Empty:
                return

    def initialize(self, root: Path, options: dict[str, Any] | None = None, *,
                   encodings: list[str] | None = None) -> Any:
        capabilities: dict[str, Any] = {"window": {"showDocument": {"support": True}},
                                        "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}}
        if encodings:
            capabilities["general"] = {"positionEncodings": encodings}
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                             "capabilities": capabilities,
                                             "initializationOptions": options or {}})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1, language: str = "yaml") -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language,
                                                               "version": version, "text": text}})
        return uri

    def change(self, uri: str, version: int, text: str | None = None, *,
               edit: tuple[int, int, int, int, str] | None = None) -> None:
        if edit is not None:
            line, character, end_line, end_character, new = edit
            change: dict[str, Any] = {"range": {"start": {"line": line, "character": character},
                                                "end": {"line": end_line, "character": end_character}},
                                      "text": new}
        else:
            change = {"text": text}
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [change]})

    def shutdown(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.process.wait(timeout=10)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.reader.join(timeout=10)  # everything the server wrote is read before the pipes close
        self.stderr_reader.join(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to `text`, as an editor does: from the last to the first."""
    lines = text.splitlines(keepends=True)

    def offset(position: dict[str, Any]) -> int:
        if position["line"] >= len(lines):
            return len(text)
        before = sum(len(line) for line in lines[:position["line"]])
        line = lines[position["line"]]
        units = 0
        for index, char in enumerate(line):
            if units >= position["character"]:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
