"""Shared fixtures: a typer runner around the real app, and the shipped rule set."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from scrqm.pipeline import Settings, check_text
from scrqm.cli import app
from scrqm.packs.loader import RuleSet, keep_rulesets_in, load_ruleset
from scrqm.result import FileResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
# Copies of shared/schemas and shared/corpora/yaml-test-suite (see tests/data/README.md).
DATA = ROOT / "tests" / "data"
TODAY = "2026-11-26"
# The referrals that pass with nothing to say, one per profile: the base most tests change.
GOOD = EXAMPLES / "01-exemplary-death.yaml"  # wt2015: aware 2016-11-08, referred 2016-11-10
GOOD_TEXT = GOOD.read_text(encoding="utf-8")
GOOD_2023 = EXAMPLES / "wt2023" / "01-exemplary-death.yaml"


def signals_as_from_a_shell() -> None:
    """For a child about to exec: SIGINT unblocked and at its default, as a shell starts a command.

    A test that sends a real Ctrl-C must not depend on what the test runner's own
    process does with SIGINT at that moment (an ignored or blocked signal is inherited).
    """
    import signal

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _build_the_cli_once() -> None:
    """typer's CliRunner builds the click command from `app` on every invoke (5 ms, 700 times a suite).

    A real process builds it once; so do the tests.  If typer renames its private
    `_get_command`, this only stops saving time.
    """
    import typer.main
    import typer.testing

    built = typer.main.get_command(app)
    build = typer.main.get_command
    setattr(typer.testing, "_get_command", lambda given: built if given is app else build(given))


_build_the_cli_once()


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run `scrqm ARGS...` in-process; the click Result (stdout and stderr apart).

    Exceptions propagate (catch_exceptions=False): a crash fails the test with its
    traceback and never passes as an exit code.  So "no traceback" is never worth
    asserting; assert what a broken program would get wrong (message, exit code, file).
    """
    return CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default format follows GITHUB_ACTIONS; tests must not change with the CI they run on."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test writes to the real ~/.cache: the default cache directory is a temporary one."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_kept_rulesets() -> Iterator[None]:
    """A command run in-process keeps rule sets in its cache folder; the next test starts without that store."""
    yield
    keep_rulesets_in(None)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset()


@pytest.fixture
def run_line() -> Callable[..., Any]:
    """Run `scrqm ARGS...` in-process; returns the click Result (stdout and stderr apart)."""
    return invoke


@pytest.fixture
def run_json(run_line: Callable[..., Any]) -> Callable[..., tuple[int, dict[str, Any]]]:
    def run(*args: str) -> tuple[int, dict[str, Any]]:
        result = run_line("check", "--format", "json", "--today", TODAY, *args)
        return result.exit_code, json.loads(result.stdout)

    return run


@pytest.fixture
def check(ruleset: RuleSet) -> Callable[..., FileResult]:
    """Check YAML text with the default pack; `today` fixed for reproducibility."""

    def run(text: str, **settings: Any) -> FileResult:
        settings.setdefault("today", dt.date(2026, 11, 26))
        return check_text(text, display="referral.yaml", ruleset=ruleset, settings=Settings(**settings))

    return run


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `base` with `a__b` paths set (None deletes the key)."""
    import copy

    data = copy.deepcopy(base)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data
