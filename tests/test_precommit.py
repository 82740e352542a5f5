"""The pre-commit hook definition and the README's CI snippets are well formed.

The hook itself was run for real with `pre-commit try-repo` (see the commit
that added it); that needs network and minutes, so it is not part of the suite.
"""

from __future__ import annotations

import re
from typing import Any

from conftest import ROOT
from scrqm.load.document import load_text


def load_yaml(text: str) -> Any:
    return load_text(text, source="snippet").data


def test_hook_definition() -> None:
    [hook] = load_yaml((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "scrqm" and hook["entry"] == "scrqm check --force-exclude --allow-empty" and hook["language"] == "python"
    files = re.compile(hook["files"])
    assert files.search("referrals/a.yaml") and files.search("b.yml")
    assert not files.search("a.json") and not files.search("a.yaml.bak")


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_readme_pre_commit_snippet_uses_the_hook_on_referrals_only() -> None:
    [config] = [load_yaml(b) for b in readme_blocks("yaml") if "repos:" in b]
    [hook] = config["repos"][0]["hooks"]
    assert hook["id"] == "scrqm"
    assert re.search(hook["files"], "referrals/2016/a.yaml") and not re.search(hook["files"], ".github/ci.yaml")


def test_readme_workflow_uploads_the_sarif_it_writes() -> None:
    [workflow] = [load_yaml(b) for b in readme_blocks("yaml") if "upload-sarif" in b]
    steps = workflow["jobs"]["scrqm"]["steps"]
    check = next(s for s in steps if "scrqm check" in s.get("run", ""))
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "--format sarif --output scrqm.sarif" in check["run"]
    assert upload["with"]["sarif_file"] == "scrqm.sarif" and upload["if"] == "always()"
    assert workflow["permissions"]["security-events"] == "write"


# ------------------------------------------------------ --force-exclude

DRAFT = "format: scrqm/referral@1\nnot: a finished referral\n"  # invalid: it would block a commit


def _repo(tmp_path: Any) -> Any:
    (tmp_path / ".scrqm.yaml").write_text("exclude: [drafts]\n", encoding="utf-8")
    (tmp_path / "referrals" / "drafts").mkdir(parents=True)
    (tmp_path / "referrals" / "drafts" / "x.yaml").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "referrals" / "ok.yaml").write_text((ROOT / "examples" / "01-exemplary-death.yaml")
                                                    .read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def _run_as_pre_commit(entry: str, args: list[str], files: list[str], cwd: Any) -> Any:
    """What pre-commit runs: the hook's entry, the configured args, then the staged file names."""
    import shlex
    import subprocess
    import sys

    command = shlex.split(entry)
    assert command[0] == "scrqm"
    return subprocess.run([sys.executable, "-m", "scrqm", *command[1:], "--today", "2026-11-26", "--no-cache",
                           *args, *files], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_hook_skips_a_committed_draft_the_configuration_excludes(tmp_path: Any) -> None:
    [hook] = load_yaml((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [config] = [load_yaml(b) for b in readme_blocks("yaml") if "repos:" in b]
    [snippet] = config["repos"][0]["hooks"]
    repo = _repo(tmp_path)
    staged = ["referrals/drafts/x.yaml", "referrals/ok.yaml"]
    done = _run_as_pre_commit(hook["entry"], snippet.get("args", []), staged, repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "referrals/ok.yaml" in done.stdout and "drafts" not in done.stdout
    assert "1 file checked: 1 pass" in done.stdout


def test_a_file_named_on_the_command_line_is_checked_without_force_exclude(run_line: Any, tmp_path: Any,
                                                                            monkeypatch: Any) -> None:
    import json

    monkeypatch.chdir(_repo(tmp_path))
    named = run_line("check", "-f", "json", "referrals/drafts/x.yaml")
    assert [f["path"] for f in json.loads(named.stdout)["files"]] == ["referrals/drafts/x.yaml"]
    forced = run_line("check", "-f", "json", "--force-exclude", "referrals/drafts/x.yaml", "referrals/ok.yaml")
    assert [f["path"] for f in json.loads(forced.stdout)["files"]] == ["referrals/ok.yaml"]
    # The configuration can set it too, and `scrqm config` shows where it came from.
    (tmp_path / ".scrqm.yaml").write_text("exclude: [drafts]\nforce-exclude: true\n", encoding="utf-8")
    configured = run_line("check", "-f", "json", str(tmp_path / "referrals" / "drafts" / "x.yaml"))
    assert json.loads(configured.stdout)["files"] == [] and configured.exit_code == 0
    assert "force-exclude: true  # " in run_line("config").stdout
    # Standard input named as an excluded file is skipped as well (as ruff does).
    piped = run_line("check", "-f", "json", "-", "--stdin-filename", "referrals/drafts/x.yaml", input=DRAFT)
    assert json.loads(piped.stdout)["files"] == []
