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
    assert hook["id"] == "scrqm" and hook["entry"] == "scrqm check" and hook["language"] == "python"
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
