"""`scrqm server` driven by a real LSP client over stdio (JSON-RPC messages written by the test).

Each diagnostic must be a finding of `scrqm check --format json` for the same
text: same rule, position (0-based here), severity; hover and code actions are
checked by applying what the server sends, as an editor would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from conftest import DATA, EXAMPLES, ROOT, TODAY
from lsp_client import LspClient, apply_edits

LSP_SEVERITY = {"fail": 1, "warn": 2, "info": 3}
REFERRALS = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "wt2023").glob("*.yaml"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    """One server for the module, started away from the checkout (configuration is found per file)."""
    elsewhere = tmp_path_factory.mktemp("editor-cwd")
    cache = tmp_path_factory.mktemp("editor-cache")
    client = LspClient(cwd=elsewhere, env={"XDG_CACHE_HOME": str(cache)})
    result = client.initialize(ROOT, {"today": TODAY, "debounce": 0})
    capabilities = result["capabilities"]
    assert result["serverInfo"]["name"] == "scrqm"
    assert capabilities["hoverProvider"] and "quickfix" in capabilities["codeActionProvider"]["codeActionKinds"]
    assert capabilities["textDocumentSync"]["change"] == 2 and capabilities["textDocumentSync"]["save"]
    yield client
    assert client.shutdown() == 0
    assert not [n for n in client.notifications if n["method"] == "window/showMessage"]


def _expected(run_line: Callable[..., Any], path: Path, *args: str) -> list[tuple[int, int, str, int]]:
    result = run_line("check", "--format", "json", "--today", TODAY, "--no-cache", *args, str(path))
    findings = json.loads(result.stdout)["files"][0]["findings"]
    return [(f["line"] - 1, f["column"] - 1, f["rule"], 4 if f.get("waived") else LSP_SEVERITY[f["severity"]])
            for f in findings]


def _got(diagnostics: list[dict[str, Any]]) -> list[tuple[int, int, str, int]]:
    return [(d["range"]["start"]["line"], d["range"]["start"]["character"], d["code"], d["severity"])
            for d in diagnostics]


def test_open_gives_exactly_what_check_gives_for_every_example(server: LspClient, run_line: Callable[..., Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    profiles = set()
    for path in REFERRALS:
        uri = server.open(path, path.read_text(encoding="utf-8"))
        diagnostics = server.diagnostics(uri, 1)
        assert _got(diagnostics) == _expected(run_line, path), path.name
        for d in diagnostics:
            assert d["source"] == "scrqm" and d["message"]
            assert d["codeDescription"]["href"].startswith("file://")
            assert Path(d["codeDescription"]["href"][7:]).read_text(encoding="utf-8").startswith(d["code"])
        profiles |= {("wt2023" in str(path)), bool(diagnostics)}
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert server.diagnostics(uri) == []
    assert profiles == {True, False}


def test_change_checks_the_new_text(server: LspClient, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    uri = server.open(path, text)
    assert server.diagnostics(uri, 1) == []
    line = text.splitlines().index("  type: death")
    server.change(uri, 2, edit=(line, 8, line, 13, "Death"))  # one keystroke's worth, incrementally
    diagnostics = server.diagnostics(uri, 2)
    assert _got(diagnostics) == [(line, 8, "shape", 1)]
    assert "should be one of death, serious_harm" in diagnostics[0]["message"]
    server.change(uri, 3, edit=(line, 8, line, 9, "d"))
    assert server.diagnostics(uri, 3) == []
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert server.diagnostics(uri, 3) == []


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_an_edit_below_a_pasted_line_separator_lands_on_its_line(server: LspClient, tmp_path: Path,
                                                                  ending: str) -> None:
    """LSP breaks lines at LF, CR and CR LF only; pygls's own count (str.splitlines) also broke at U+2028,
    so a change below one was applied a line too high. A CR LF file is a referral too."""
    path = tmp_path / f"pasted{len(ending)}.yaml"
    text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8").replace("\n", "\u2028 pasted\n", 1)
    text = text.replace("\n", ending)
    uri = server.open(path, text)
    assert server.diagnostics(uri, 1) == []
    line = text.split(ending).index("  type: death")
    server.change(uri, 2, edit=(line, 8, line, 13, "Death"))
    diagnostics = server.diagnostics(uri, 2)
    assert _got(diagnostics) == [(line, 8, "shape", 1)] and "got 'Death'" in diagnostics[0]["message"]
    assert diagnostics[0]["range"]["end"] == {"line": line, "character": 13}
    server.change(uri, 3, edit=(line, 8, line, 9, "d"))
    assert server.diagnostics(uri, 3) == []


def test_positions_are_in_the_clients_code_units(server: LspClient, tmp_path: Path,
                                                 run_line: Callable[..., Any]) -> None:
    path = tmp_path / "r.yaml"
    line_text = 'institutions: ["Brambleway 😀 Nursery", 4]'
    text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8").replace(
        "institutions:\n  - Brambleway Day Nursery", line_text)
    path.write_text(text, encoding="utf-8")
    uri = server.open(path, text)
    [diagnostic] = server.diagnostics(uri, 1)
    [(line, column, rule, _)] = _expected(run_line, path)
    assert line_text[column:] == "4]" and rule == "shape"
    # LSP counts UTF-16 code units: the emoji before the finding is two of them, one code point in scrqm's column.
    assert diagnostic["range"]["start"] == {"line": line, "character": column + 1}
    assert diagnostic["range"]["end"] == {"line": line, "character": len(line_text.encode("utf-16-le")) // 2}


def test_hover_says_what_to_write_and_why(server: LspClient) -> None:
    path = EXAMPLES / "13-qm13-fail-late-unexplained.yaml"
    uri = server.open(path, path.read_text(encoding="utf-8"))
    diagnostic = next(d for d in server.diagnostics(uri, 1) if d["code"] == "QM1.3-delay-unexplained")
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": diagnostic["range"]["start"]})
    value = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert value.startswith("**QM1.3-delay-unexplained** (fail): referred 10 working days")
    assert "*What to write:* Explain the delay in `delay.explanation`" in value
    from scrqm.packs.loader import load_ruleset
    from scrqm.teach.explain import explain

    assert explain(load_ruleset("wt2015"), "QM1.3-delay-unexplained").rstrip() in value
    nowhere = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                    "position": {"line": 0, "character": 0}})
    assert nowhere is None
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def _actions(server: LspClient, uri: str, diagnostic: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})
    return result


def test_quick_fix_applies_the_same_edits_as_check_fix(server: LspClient, tmp_path: Path,
                                                      run_line: Callable[..., Any]) -> None:
    good = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    text = good.replace("  type: death\n", "  type: Death\n").replace("  gender: male", "  gendr: male")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    uri = server.open(path, text)
    diagnostics = server.diagnostics(uri, 1)
    assert [d["code"] for d in diagnostics] == ["shape", "shape"]
    for version, diagnostic in enumerate(diagnostics, start=2):
        fixes = [a for a in _actions(server, uri, diagnostic) if a["kind"] == "quickfix" and a.get("isPreferred")]
        assert len(fixes) == 1 and fixes[0]["diagnostics"] == [diagnostic]
        text = apply_edits(text, fixes[0]["edit"]["changes"][uri])
        server.change(uri, version, text)
        server.diagnostics(uri, version)
    assert text == good
    fix_all = path.with_name("all.yaml")
    broken = good.replace("  type: death\n", "  type: Death\n").replace("  gender: male", "  gendr: male")
    fix_all.write_text(broken, encoding="utf-8")
    uri = server.open(fix_all, broken)
    first = server.diagnostics(uri, 1)[0]
    [everything] = [a for a in _actions(server, uri, first) if a["kind"] == "source.fixAll"]
    run_line("check", "--fix", str(fix_all))
    assert apply_edits(broken, everything["edit"]["changes"][uri]) == fix_all.read_text(encoding="utf-8") == good


def test_skeleton_of_a_missing_field(server: LspClient, tmp_path: Path) -> None:
    good = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    start = good.index("rationale: >")
    end = good.index("\n\n", start) + 1
    text = good[:start] + good[end:]
    summary = text.index("  summary: >")
    text = text[:summary] + text[text.index("\n\n", summary) + 1:]  # incident.summary missing too
    path = tmp_path / "r.yaml"
    uri = server.open(path, text)
    diagnostics = server.diagnostics(uri, 1)
    by_rule = {d["code"]: d for d in diagnostics}
    for rule, title, key_line in [("QM1.1-rationale-missing", "scrqm: add `rationale:`", "rationale: "),
                                  ("QM1.1-summary-missing", "scrqm: add `incident.summary:`", "  summary: ")]:
        [action] = [a for a in _actions(server, uri, by_rule[rule]) if a["title"] == title]
        mended = apply_edits(text, action["edit"]["changes"][uri])
        lines = mended.splitlines()
        cursor = action["command"]["arguments"][1]["start"]
        assert lines[cursor["line"]].startswith(key_line) and cursor["character"] == len(key_line)
        server.change(uri, 2 if rule.endswith("rationale-missing") else 3, mended)
        after = server.diagnostics(uri)
        # The field is there now, still to be written: the finding points at it, where the cursor is.
        assert [d["range"]["start"]["line"] for d in after if d["code"] == rule] == [cursor["line"]]
        assert "shape" not in {d["code"] for d in after}  # the skeleton is valid YAML in the right mapping
        server.change(uri, 10 if rule.endswith("rationale-missing") else 11, text)
        server.diagnostics(uri)


def test_waiver_with_the_cursor_on_its_reason(server: LspClient, tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    text = (EXAMPLES / "13-qm13-fail-late-unexplained.yaml").read_text(encoding="utf-8")
    uri = server.open(path, text)
    diagnostic = next(d for d in server.diagnostics(uri, 1) if d["code"] == "QM1.3-delay-unexplained")
    [action] = [a for a in _actions(server, uri, diagnostic) if a["title"].startswith("scrqm: waive")]
    mended = apply_edits(text, action["edit"]["changes"][uri])
    assert mended.startswith(text) and mended.endswith("waivers:\n  - rule: QM1.3-delay-unexplained\n    reason: \n")
    command = action["command"]
    server.request("workspace/executeCommand", {"command": command["command"], "arguments": command["arguments"]})
    shown = [r for r in server.server_requests if r["method"] == "window/showDocument"][-1]["params"]
    assert shown["uri"] == uri and shown["takeFocus"] is True
    cursor = shown["selection"]["start"]
    assert mended.splitlines()[cursor["line"]][:cursor["character"]] == "    reason: "
    written = mended.replace("    reason: \n", "    reason: The referrer was on leave; the board agreed the delay.\n")
    server.change(uri, 2, written)
    after = {d["code"]: d for d in server.diagnostics(uri, 2)}
    assert after["QM1.3-delay-unexplained"]["severity"] == 4  # waived: a hint, with its reason
    assert "(waived: The referrer was on leave" in after["QM1.3-delay-unexplained"]["message"]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_a_waiver_and_a_skeleton_follow_the_file_s_line_breaks(server: LspClient, tmp_path: Path, newline: str) -> None:
    """In a file broken by CR alone (or CR LF), the new lines are broken the same way, after the list they join."""
    written = (EXAMPLES / "13-qm13-fail-late-unexplained.yaml").read_text(encoding="utf-8")
    at = written.index("format: scrqm/referral@1\n") + len("format: scrqm/referral@1\n")
    first, rest = written[:at - 1], written[at:]
    waived = "waivers:\n  - rule: QM1.1-no-supporting-information\n    reason: The chronology is attached.\n"
    text = (first + "\n" + waived + rest).replace("\n", newline)
    uri = server.open(tmp_path / "late.yaml", text)
    diagnostic = next(d for d in server.diagnostics(uri, 1) if d["code"] == "QM1.3-delay-unexplained")
    [action] = [a for a in _actions(server, uri, diagnostic) if a["title"].startswith("scrqm: waive")]
    mended = apply_edits(text, action["edit"]["changes"][uri])
    item = "  - rule: QM1.3-delay-unexplained\n    reason: \n"
    assert mended == (first + "\n" + waived + item + rest).replace("\n", newline)
    cursor = action["command"]["arguments"][1]["start"]
    assert mended.splitlines()[cursor["line"]][:cursor["character"]] == "    reason: "
    start = text.index("rationale: >")
    without = text[:start] + text[text.index(newline * 2, start) + len(newline):]
    server.change(uri, 2, without)
    missing = next(d for d in server.diagnostics(uri, 2) if d["code"] == "QM1.1-rationale-missing")
    [add] = [a for a in _actions(server, uri, missing) if a["title"] == "scrqm: add `rationale:`"]
    added = apply_edits(without, add["edit"]["changes"][uri])
    new = added[len(without):]
    assert added.startswith(without) and new.startswith("rationale: ") and new.endswith(newline)
    assert new.count(newline) == 1 and (newline == "\r\n" or "\n" not in new)


def test_other_yaml_files_get_nothing(server: LspClient, tmp_path: Path) -> None:
    for name, text, language in [("ci.yaml", "jobs: {test: {script: [pytest]}}\n", "yaml"),
                                 ("notes.txt", "format: scrqm/referral@1\nreferral: {}\n", "plaintext"),
                                 ("other.yaml", "format: scrqm/other@1\nfoo: Bar\n", "yaml")]:
        uri = server.open(tmp_path / name, text, language=language)
        assert server.diagnostics(uri, 1) == []
        assert server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {
            "start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}, "context": {"diagnostics": []}}) == []


def test_yaml_test_suite_as_did_change_never_crashes(server: LspClient, tmp_path: Path) -> None:
    uri = server.open(tmp_path / "suite.yaml", "format: scrqm/referral@1\n")
    server.diagnostics(uri, 1)
    corpus = sorted(p for p in (DATA / "yaml-test-suite").glob("*.yaml"))
    assert len(corpus) > 300
    for version, path in enumerate(corpus, start=2):
        text = path.read_bytes().decode("utf-8", "replace")
        # With the format line first, every file is judged: most are not referrals, many not valid YAML.
        server.change(uri, version, "format: scrqm/referral@1\n" + text)
    last = server.diagnostics(uri, len(corpus) + 1, timeout=120)
    assert isinstance(last, list)
    assert server.process.poll() is None
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 0, "character": 0}})
    assert hover is None or "contents" in hover
    assert b"Traceback" not in b"".join(server.stderr_lines)
    assert not [n for n in server.notifications if n["method"] == "window/logMessage"
                and n["params"]["type"] == 1]


def test_configuration_and_board_packs_found_from_the_files_folder(tmp_path: Path,
                                                                     run_line: Callable[..., Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    board = tmp_path / "board"
    (board / "packs").mkdir(parents=True)
    page = (ROOT / "docs" / "board-packs.md").read_text(encoding="utf-8")
    pack = next(b for b in re.findall(r"```yaml\n(.*?)```", page, re.S) if b.startswith("pack:"))
    (board / "packs" / "board.yaml").write_text(pack, encoding="utf-8")
    (board / ".scrqm.yaml").write_text("thresholds: {late_after_working_days: 1}\nrules: [packs]\n",
                                       encoding="utf-8")
    referral = board / "referrals" / "r.yaml"
    referral.parent.mkdir()
    text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8").replace(
        "  known_to_social_care: true\n", "")
    referral.write_text(text, encoding="utf-8")
    monkeypatch.chdir(board)
    expected = _expected(run_line, Path("referrals/r.yaml"))
    rules = {rule for _, _, rule, _ in expected}
    assert "QM1.3-delay-unexplained" in rules  # the board's threshold applies
    assert rules - {"QM1.3-delay-unexplained", "QM1.3-delay-explanation-short"}  # and the board's own rule
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    client = LspClient("--today", TODAY, cwd=tmp_path, env=env)
    try:
        client.initialize(tmp_path, {"debounce": 0})
        uri = client.open(referral, text)
        assert _got(client.diagnostics(uri, 1)) == expected
        isolated = LspClient("--isolated", "--today", TODAY, cwd=tmp_path, env=env)
        try:
            isolated.initialize(tmp_path, {"debounce": 0})
            assert isolated.diagnostics(isolated.open(referral, text), 1) == []
        finally:
            assert isolated.shutdown() == 0
        # Saving the configuration checks the open referrals again, under the new values.
        (board / ".scrqm.yaml").write_text("thresholds: {late_after_working_days: 5}\n", encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": (board / ".scrqm.yaml").as_uri()}})
        assert client.diagnostics(uri, 1) == []
    finally:
        assert client.shutdown() == 0


def test_changes_are_debounced(tmp_path: Path) -> None:
    client = LspClient("--today", TODAY, cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    try:
        client.initialize(tmp_path, {"debounce": 0.4})
        text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
        uri = client.open(tmp_path / "r.yaml", text)
        assert client.diagnostics(uri, 1) == []
        line = text.splitlines().index("  type: death")
        for version, letter in enumerate("DEATH", start=2):  # five keystrokes, faster than the debounce
            client.change(uri, version, edit=(line, 8 + version - 2, line, 9 + version - 2, letter))
        assert _got(client.diagnostics(uri, 6)) == [(line, 8, "shape", 1)]
        client.drain(0.6)
        assert client.published(uri) == []  # nothing for the versions in between
    finally:
        assert client.shutdown() == 0


def test_a_broken_configuration_is_said_once_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / ".scrqm.yaml").write_text("fail-on: sometimes\n", encoding="utf-8")
    client = LspClient(cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    try:
        client.initialize(tmp_path, {"debounce": 0})
        text = (EXAMPLES / "01-exemplary-death.yaml").read_text(encoding="utf-8")
        uri = client.open(tmp_path / "r.yaml", text)
        assert client.diagnostics(uri, 1) == []
        client.change(uri, 2, text + "\n")
        assert client.diagnostics(uri, 2) == []
        shown = [n["params"] for n in client.notifications if n["method"] == "window/showMessage"]
        assert len(shown) == 1 and shown[0]["type"] == 1
        assert ".scrqm.yaml" in shown[0]["message"] and "fail-on" in shown[0]["message"]
    finally:
        assert client.shutdown() == 0
    missing = LspClient("--config", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert missing.process.wait(timeout=30) == 2
    missing.close()
    assert b"nope.yaml: configuration file not found" in b"".join(missing.stderr_lines)


def test_bad_initialization_options_are_named_not_fatal(tmp_path: Path) -> None:
    client = LspClient(cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    try:
        client.initialize(tmp_path, {"todya": "2016-01-01", "debounce": 0})
        uri = client.open(tmp_path / "r.yaml", "format: scrqm/referral@1\nincident: {type: Death}\n")
        assert {d["code"] for d in client.diagnostics(uri, 1)} == {"shape"}
        [shown] = [n for n in client.notifications if n["method"] == "window/showMessage"]
        assert "todya" in shown["params"]["message"] and "ignored" in shown["params"]["message"]
    finally:
        assert client.shutdown() == 0
