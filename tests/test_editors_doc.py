"""docs/editors.md: every editor's snippet is parsed, and the server it starts is run."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

from conftest import EXAMPLES, ROOT
from lsp_client import LspClient
from scrqm.server.options import InitializationOptions

PAGE = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")


def _snippet(editor: str) -> str:
    found = re.search(rf"<!-- editor: {editor} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert found is not None, f"docs/editors.md has no {editor} snippet"
    return found[1]


def _vscode() -> tuple[list[str], dict[str, Any]]:
    settings = json.loads(_snippet("vscode"))
    assert settings["glspc.server.languageId"] == ["yaml"]
    return [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]], \
        settings["glspc.server.initializationOptions"]


def _helix() -> tuple[list[str], dict[str, Any]]:
    config = tomllib.loads(_snippet("helix"))
    server = config["language-server"]["scrqm"]
    [yaml] = [language for language in config["language"] if language["name"] == "yaml"]
    assert "scrqm" in yaml["language-servers"] and "yaml-language-server" in yaml["language-servers"]
    return [server["command"], *server["args"]], server["config"]


def _lua_tokens(text: str) -> list[str]:
    """Lua's tokens, enough to check the snippet is well formed (strings, names, numbers, brackets)."""
    tokens = re.findall(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w.]*|\d+(?:\.\d+)?|--[^\n]*|[{}()\[\],=]|\S', text)
    tokens = [t for t in tokens if not t.startswith("--")]
    depth: list[str] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    for token in tokens:
        if token in "{([":
            depth.append(token)
        elif token in pairs:
            assert depth and depth.pop() == pairs[token], f"unbalanced {token} in the Neovim snippet"
    assert not depth, "unclosed bracket in the Neovim snippet"
    assert tokens[-1] == ")" and tokens[0] == "vim.api.nvim_create_autocmd"
    return tokens


def _neovim() -> tuple[list[str], dict[str, Any]]:
    text = _snippet("neovim")
    tokens = _lua_tokens(text)
    assert 'pattern' in tokens and tokens[tokens.index("pattern") + 2] == '"yaml"'
    assert "vim.lsp.start" in tokens
    cmd = re.search(r"cmd = \{ ([^}]*) \}", text)
    options = re.search(r"init_options = \{ ([^}]*) \}", text)
    assert cmd is not None and options is not None
    command = [json.loads(part.strip()) for part in cmd[1].split(",")]
    given = {key.strip(): json.loads(value) for key, value in
             (item.split("=") for item in options[1].split(","))}
    return command, given


def _sexp(text: str) -> list[Any]:
    """Emacs Lisp read as nested lists of strings, symbols and numbers (enough for the snippet)."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[()]|\'|#\'|[^\s()\']+', text)
    stack: list[list[Any]] = [[]]
    for token in tokens:
        if token == "(":
            stack.append([])
        elif token == ")":
            assert len(stack) > 1, "unbalanced ) in the Emacs snippet"
            done = stack.pop()
            stack[-1].append(done)
        elif token in ("'", "#'"):
            continue
        elif token.startswith('"'):
            stack[-1].append(json.loads(token))
        else:
            stack[-1].append(float(token) if re.fullmatch(r"\d+\.\d+", token) else token)
    assert len(stack) == 1, "unclosed ( in the Emacs snippet"
    return stack[0]


def _emacs() -> tuple[list[str], dict[str, Any]]:
    forms = _sexp(_snippet("emacs"))
    assert [form[0] for form in forms] == ["with-eval-after-load", "add-hook", "add-hook"]
    add = forms[0][2]
    assert add[:2] == ["add-to-list", "eglot-server-programs"]
    modes, dot, contact = add[2]
    assert modes == ["yaml-mode", "yaml-ts-mode"] and dot == "."
    keyword = contact.index(":initializationOptions")
    plist = contact[keyword + 1]
    return contact[:keyword], {plist[i].lstrip(":"): plist[i + 1] for i in range(0, len(plist), 2)}


def test_every_editor_starts_the_same_server_with_valid_options() -> None:
    configurations = {name: reader() for name, reader in
                      [("vscode", _vscode), ("neovim", _neovim), ("helix", _helix), ("emacs", _emacs)]}
    for name, (command, options) in configurations.items():
        assert command == ["scrqm", "server"], name
        InitializationOptions.model_validate(options)
    assert len({json.dumps(c, sort_keys=True) for c in configurations.values()}) == 1


def test_the_snippets_command_runs_the_server(tmp_path: Path) -> None:
    command, options = _helix()
    executable = shutil.which(command[0], path=str(Path(sys.executable).parent))
    assert executable is not None, "the scrqm console script is installed beside the interpreter"
    client = LspClient(command=[executable, *command[1:]], cwd=tmp_path,
                       env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    try:
        client.initialize(tmp_path, {**options, "debounce": 0})
        text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8").replace(
            "  type: death", "  type: Death")
        uri = client.open(tmp_path / "r.yaml", text)
        assert [d["code"] for d in client.diagnostics(uri, 1)] == ["shape"]
    finally:
        assert client.shutdown() == 0


def test_the_page_names_what_it_promises() -> None:
    for words in ("pip install 'scrqm[server]'", "--today", "--config", "--isolated", "--rules",
                  "initializationOptions", "benchmarks/server.py"):
        assert words in PAGE
    assert (ROOT / "benchmarks" / "server.py").is_file()
