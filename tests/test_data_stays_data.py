"""Data stays data: nothing in a referral, a rule pack or a configuration runs or imports code.

The sentinel is a module, `scrqm_sentinel`, put where Python would find it
(the working folder and PYTHONPATH of a real process): importing it writes a
marker file.  Every hostile file below names it, or `os.system`, in a way a
careless loader might follow (YAML python tags, a pack's check function as a
dotted path, a format string reaching attributes, a profile that is a path,
a configuration key holding a module path, merge and anchor tricks).  Each
must give a clear error or an invalid result, never a traceback, and the
marker must not exist afterwards.

Each hostile pack and configuration runs in-process, with the sentinel on
`sys.path` as the working folder puts it there for a real process; one of
each, and the referrals, also run as a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import EXAMPLES, TODAY, invoke

SENTINEL = """\
import pathlib, os
pathlib.Path(os.environ["SCRQM_MARKER"]).write_text("imported")
def run(*args, **kwargs):
    pathlib.Path(os.environ["SCRQM_MARKER"]).write_text("ran")
    return []
class Reporter:
    def render(self, run, stream):
        run()
"""

PACK_HEAD = "pack: evil\nprofile: wt2015\ntitle: Evil\nrules:\n"
RULE = ("  - id: evil-{n}\n    question: QM1.1\n    severity: warn\n    title: Evil\n"
        "    check: {check}\n    options: {options}\n    message: '{message}'\n    fix: none\n")


def rule(n: int, *, check: str = "missing", options: str = "{field: rationale}", message: str = "x") -> str:
    return RULE.format(n=n, check=check, options=options, message=message)


HOSTILE_REFERRALS = {
    "apply": "rationale: !!python/object/apply:scrqm_sentinel.run []\n",
    "name": "rationale: !!python/name:scrqm_sentinel.run\n",
    "module": "rationale: !!python/module:scrqm_sentinel\n",
    "object": "rationale: !!python/object:scrqm_sentinel.Reporter {}\n",
    "new": "rationale: !!python/object/new:scrqm_sentinel.Reporter []\n",
    "os-system": "rationale: !!python/object/apply:os.system ['touch $SCRQM_MARKER']\n",
    "verbatim": "rationale: !<tag:yaml.org,2002:python/object/apply:scrqm_sentinel.run> []\n",
    "local-tag": "%TAG !py! tag:yaml.org,2002:python/object/apply:\n---\nformat: scrqm/referral@1\n"
                 "rationale: !py!scrqm_sentinel.run []\n",
    "merge-of-tag": "base: &b !!python/object/apply:scrqm_sentinel.run []\nreferral:\n  <<: *b\n",
    "anchor-in-key": "? !!python/name:scrqm_sentinel.run\n: x\n",
}

HOSTILE_PACKS = {
    "check-os-system": rule(1, check="os.system"),
    "check-dotted-path": rule(2, check="scrqm_sentinel.run"),
    "check-module-colon": rule(3, check="scrqm_sentinel:run"),
    "tag-in-options": rule(4, options="!!python/object/apply:scrqm_sentinel.run []"),
    "tag-as-check": rule(5, check="!!python/name:scrqm_sentinel.run"),
    "attribute-in-message": rule(6, check="match", options="{at: rationale, when: {field: rationale, absent: true}}",
                                 message="{value.__class__.__init__.__globals__}"),
    "index-in-message": rule(7, check="match", options="{at: rationale, when: {field: rationale, absent: true}}",
                             message="{value[0]}"),
    "huge-width-in-message": rule(8, check="match",
                                  options="{at: rationale, when: {field: rationale, absent: true}}",
                                  message="{value:>999999999}"),
    "unbalanced-brace": rule(10, message="oops {"),
    "dunder-field": rule(9, check="match",
                         options="{at: rationale.__class__, when: {field: rationale.__class__, absent: false}}"),
}

HOSTILE_CONFIGS = {
    "python-tag": "profile: !!python/object/apply:scrqm_sentinel.run []\n",
    "profile-is-a-module": "profile: scrqm_sentinel\n",
    "profile-is-a-path": "profile: ../../../../tmp\n",
    "reporter-key": "reporters:\n  evil: scrqm_sentinel:Reporter\n",
    "format-key": "format: scrqm_sentinel:Reporter\n",
    "plugin-key": "plugins: [scrqm_sentinel]\n",
    "laughs": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdefgh", "bcdefghi")),
}


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    (tmp_path / "scrqm_sentinel.py").write_text(SENTINEL, encoding="utf-8")
    return tmp_path


def run_scrqm(sandbox: Path, *args: str) -> subprocess.CompletedProcess[str]:
    marker = sandbox / "MARKER"
    env = {**os.environ, "PYTHONPATH": str(sandbox), "SCRQM_MARKER": str(marker)}
    done = subprocess.run([sys.executable, "-m", "scrqm", *args], capture_output=True, text=True, cwd=sandbox,
                          env=env, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    assert not marker.exists(), f"code ran: {marker.read_text()}"
    return done


@pytest.fixture
def here(sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sandbox for a run in this process: the working folder, first on sys.path, the marker named."""
    monkeypatch.chdir(sandbox)
    monkeypatch.syspath_prepend(str(sandbox))
    monkeypatch.setenv("SCRQM_MARKER", str(sandbox / "MARKER"))
    sys.modules.pop("scrqm_sentinel", None)
    yield sandbox
    sys.modules.pop("scrqm_sentinel", None)


class Done:
    """What a run in this process gave, named as `subprocess.CompletedProcess` names it."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_here(sandbox: Path, *args: str) -> Done:
    result = invoke(*args)  # a traceback propagates and fails the test
    marker = sandbox / "MARKER"
    assert not marker.exists(), f"code ran: {marker.read_text()}"
    return Done(result.exit_code, result.stdout, result.stderr)


def test_the_sentinel_works_in_this_process(here: Path) -> None:
    """The control for the runs in this process: the sentinel is importable and leaves the marker."""
    import importlib

    importlib.import_module("scrqm_sentinel")
    assert (here / "MARKER").read_text() == "imported"


def test_the_sentinel_works(sandbox: Path) -> None:
    """The control: importing the sentinel does leave the marker."""
    env = {**os.environ, "PYTHONPATH": str(sandbox), "SCRQM_MARKER": str(sandbox / "MARKER")}
    subprocess.run([sys.executable, "-c", "import scrqm_sentinel"], cwd=sandbox, env=env, check=True)
    assert (sandbox / "MARKER").read_text() == "imported"


def test_hostile_referrals_are_invalid_and_inert(sandbox: Path) -> None:
    folder = sandbox / "referrals"
    folder.mkdir()
    for name, text in HOSTILE_REFERRALS.items():
        header = "" if text.startswith("%") else "format: scrqm/referral@1\n"
        (folder / f"{name}.yaml").write_text(header + text, encoding="utf-8")
    done = run_scrqm(sandbox, "check", "--isolated", "--format", "concise", "--today", TODAY, str(folder))
    assert done.returncode == 1
    for name in HOSTILE_REFERRALS:
        [line] = [line for line in done.stdout.splitlines() if f"{name}.yaml:" in line]
        assert "is not allowed" in line, line


def _refused_pack(sandbox: Path, name: str, run: Any) -> None:
    packs = sandbox / "packs"
    packs.mkdir()
    (packs / "evil.yaml").write_text(PACK_HEAD + HOSTILE_PACKS[name], encoding="utf-8")
    done = run(sandbox, "check", "--isolated", "--rules", str(packs), "--today", TODAY,
               str(EXAMPLES / "01-exemplary-death.yaml"))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"scrqm: error: {packs / 'evil.yaml'}:")
    assert any(words in line for words in ("unknown check function", "is not allowed", "not a valid",
                                           "is not a field of a referral"))


@pytest.mark.parametrize("name", sorted(HOSTILE_PACKS))
def test_hostile_rule_packs_are_refused(here: Path, name: str) -> None:
    _refused_pack(here, name, run_here)


def test_a_hostile_rule_pack_is_refused_by_a_real_process(sandbox: Path) -> None:
    _refused_pack(sandbox, "check-dotted-path", run_scrqm)


def _refused_configuration(sandbox: Path, name: str, run: Any) -> None:
    config = sandbox / ".scrqm.yaml"
    config.write_text(HOSTILE_CONFIGS[name], encoding="utf-8")
    done = run(sandbox, "check", "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml"))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"scrqm: error: {config}") or line.startswith("scrqm: error: unknown profile")
    expected = {"python-tag": "is not allowed", "profile-is-a-module": "unknown profile",
                "profile-is-a-path": "unknown profile", "reporter-key": "unknown key",
                "format-key": "unknown key", "plugin-key": "unknown key",
                "laughs": "expands to more than"}[name]
    assert expected in line


@pytest.mark.parametrize("name", sorted(HOSTILE_CONFIGS))
def test_hostile_configurations_are_refused(here: Path, name: str) -> None:
    _refused_configuration(here, name, run_here)


def test_a_hostile_configuration_is_refused_by_a_real_process(sandbox: Path) -> None:
    _refused_configuration(sandbox, "profile-is-a-module", run_scrqm)


def test_a_pyproject_table_holds_data_only(sandbox: Path) -> None:
    (sandbox / "pyproject.toml").write_text(
        '[tool.scrqm]\nprofile = "scrqm_sentinel"\n[tool.scrqm.reporters]\nevil = "scrqm_sentinel:Reporter"\n',
        encoding="utf-8",
    )
    done = run_scrqm(sandbox, "check", "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml"))
    assert done.returncode == 2 and done.stderr.startswith("scrqm: error:")


def test_the_format_option_takes_registry_names_only(sandbox: Path) -> None:
    done = run_scrqm(sandbox, "check", "--format", "scrqm_sentinel:Reporter", str(EXAMPLES / "01-exemplary-death.yaml"))
    assert done.returncode == 2 and "scrqm_sentinel:Reporter" in done.stderr
