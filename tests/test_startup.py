"""Start-up of one referral checked from a hook: what it does not import, and what it does not collect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import EXAMPLES, TODAY

# The command line run in-process, then what it imported and how often the collector ran.
PROBE = """
import gc, json, sys
sys.argv = ["scrqm"] + sys.argv[1:]
from scrqm.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
tokenize = sys.modules.get("tokenize")
model = sys.modules.get("scrqm.shape.model")
print(json.dumps({"modules": sorted(sys.modules), "gen2": gc.get_stats()[2]["collections"],
                  "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(),
                  "tokenized": tokenize._compile.cache_info().currsize if tokenize else 0,
                  "referral_built": bool(model and model.Referral.__pydantic_complete__),
                  "patterns": [key[1] for key in __import__("re")._cache if isinstance(key[1], str)]}),
      file=sys.stderr)
"""


def _probe(tmp_path: Path, *args: str, **environ: str) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "PYDANTIC_DISABLE_PLUGINS")}
    env.update(environ)
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    return done, json.loads(done.stderr.strip().splitlines()[-1])


def test_a_piped_check_writes_plain_text_without_rich_or_the_plugin_search(tmp_path: Path) -> None:
    referral = EXAMPLES / "04-qm11-fail-rationale-placeholder.yaml"
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"),
                        str(referral), NO_COLOR="1")
    assert done.returncode == 0 and "FAIL" in done.stdout and "\x1b[" not in done.stdout
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert "scrqm.report.text" in modules and "pydantic" in modules  # the probe saw the real run
    assert not {"rich.console", "rich.table", "importlib.metadata"} & modules
    # Start-up collected at most rarely, then froze what it built and restored the thresholds.
    assert seen["gen2"] == 0 and seen["frozen"] > 10_000 and seen["threshold"][0] < 100_000  # type: ignore[index]


def test_start_up_parses_no_signature_from_text_and_compiles_no_pattern_it_does_not_use(tmp_path: Path) -> None:
    """A builtin `default_factory` makes pydantic read its signature, which `inspect` tokenizes (~3 ms);
    the placeholder-sentence pattern (~2.5 ms) is compiled only for a sentence that may be one."""
    from scrqm.judge.substance import _to_follow

    referral = EXAMPLES / "01-exemplary-death.yaml"
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"),
                        str(referral), NO_COLOR="1")
    assert done.returncode == 0 and "PASS" in done.stdout
    assert seen["tokenized"] == 0
    patterns = set(seen["patterns"])  # type: ignore[arg-type]
    assert _to_follow().pattern not in patterns and any("understand" in p for p in patterns)
    _, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--no-cache",
                     str(EXAMPLES / "21-qm11-warn-rationale-placeholder-sentence.yaml"), NO_COLOR="1")
    assert _to_follow().pattern in seen["patterns"]  # type: ignore[operator]


def test_a_valid_referral_imports_none_of_the_mending(tmp_path: Path) -> None:
    """What to write instead of a mistake (shape/mend.py, fixes, spans, --fix) is imported for a file that has one."""
    mending = {"scrqm.shape.mend", "scrqm.shape.fixes", "scrqm.load.spans", "scrqm.run.mend"}
    _, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--no-cache",
                     str(EXAMPLES / "04-qm11-fail-rationale-placeholder.yaml"), NO_COLOR="1")
    assert "scrqm.shape.validate" in seen["modules"] and not mending & set(seen["modules"])  # type: ignore[arg-type]
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("format: scrqm/referral@1\nincident:\n  date: 31/02/2017\n", encoding="utf-8")
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--no-cache", str(wrong), NO_COLOR="1")
    assert "INVALID" in done.stdout and "YYYY-MM-DD" in done.stdout and "scrqm.shape.mend" in seen["modules"]  # type: ignore[operator]


def test_forced_colour_still_goes_through_rich(tmp_path: Path) -> None:
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"),
                        str(EXAMPLES / "01-exemplary-death.yaml"), FORCE_COLOR="1")
    assert "rich.console" in seen["modules"] and "\x1b[" in done.stdout  # type: ignore[operator]


def test_a_plugin_the_user_asks_for_is_still_searched_for(tmp_path: Path) -> None:
    done, seen = _probe(tmp_path, "check", "--isolated", "--today", TODAY, "--no-cache",
                        str(EXAMPLES / "01-exemplary-death.yaml"), PYDANTIC_DISABLE_PLUGINS="some-other-plugin")
    assert done.returncode == 0 and "importlib.metadata" in seen["modules"]  # type: ignore[operator]


def _check(tmp_path: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scrqm", "check", "--isolated", "--today", TODAY, "--cache-dir",
                           str(cache), *extra, str(EXAMPLES / "04-qm11-fail-rationale-placeholder.yaml")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_the_assembled_rule_set_is_kept_and_used_only_while_it_verifies(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _check(tmp_path, cache)
    kept = list((cache / "v2" / "rulesets").glob("*.pickle"))
    assert first.returncode == 1 and len(kept) == 1
    for shard in (cache / "v2").glob("*.json"):
        shard.unlink()  # the file's result is not cached: only the rule set is reused
    again = _check(tmp_path, cache)
    assert again.stdout == first.stdout and again.returncode == 1
    # A kept rule set edited by someone else no longer verifies: the packs are composed again, same report.
    data = bytearray(kept[0].read_bytes())
    data[-5] ^= 0xFF
    kept[0].write_bytes(bytes(data))
    for shard in (cache / "v2").glob("*.json"):
        shard.unlink()
    tampered = _check(tmp_path, cache)
    assert tampered.stdout == first.stdout and tampered.stderr == first.stderr
    assert kept[0].read_bytes() != bytes(data)  # composed again and stored afresh
    # --no-cache keeps nothing.
    _check(tmp_path, tmp_path / "other", "--no-cache")
    assert not (tmp_path / "other").exists()


def test_a_kept_rule_set_answers_only_for_the_same_packs(tmp_path: Path) -> None:
    from scrqm.packs.loader import forget_assembled, keep_rulesets_in, load_ruleset
    from scrqm.run.cache import RulesetCache

    forget_assembled()  # this process's own copies would answer before the store
    keep_rulesets_in(RulesetCache(tmp_path / "cache"))
    try:
        plain = load_ruleset()
        assert load_ruleset() == plain and len(list((tmp_path / "cache").rglob("*.pickle"))) == 1
        stricter = load_ruleset(thresholds={next(iter(plain.thresholds)): 1})
        assert stricter.thresholds != plain.thresholds  # other thresholds: another key, composed afresh
        board = tmp_path / "board"
        board.mkdir()
        assert load_ruleset(extra_dirs=[board]) == plain
        missing = tmp_path / "nowhere"
        try:
            load_ruleset(extra_dirs=[missing])
        except Exception as exc:  # noqa: BLE001 - the same error as without a store
            assert "not found" in str(exc)
        else:
            raise AssertionError("a missing board folder must still be an error")
    finally:
        keep_rulesets_in(None)


def test_a_rule_set_is_assembled_once_per_process_and_each_caller_owns_its_copy(tmp_path: Path) -> None:
    from scrqm.packs import loader

    loader.forget_assembled()
    composed: list[str] = []
    real = loader._load_ruleset

    def counting(profile: str, **kwargs: object) -> loader.RuleSet:
        composed.append(profile)
        return real(profile, **kwargs)  # type: ignore[arg-type]

    loader._load_ruleset = counting  # type: ignore[assignment]
    try:
        first = loader.load_ruleset()
        first.rules = first.rules[:1]  # what select/ignore do to their copy
        first.thresholds.clear()
        second = loader.load_ruleset()
        assert composed == ["wt2015"]
        assert len(second.rules) > 1 and second.thresholds, "narrowing one caller's copy narrowed another's"
        board = tmp_path / "board"
        board.mkdir()
        pack = board / "extra.yaml"
        pack.write_text("pack: extra\nprofile: wt2015\ntitle: Extra\nrules: []\n", encoding="utf-8")
        loader.load_ruleset(extra_dirs=[board])
        loader.load_ruleset(extra_dirs=[board])
        assert composed == ["wt2015", "wt2015"]
        pack.write_text("pack: extra\nprofile: wt2015\ntitle: Extra\n# edited\nrules: []\n", encoding="utf-8")
        loader.load_ruleset(extra_dirs=[board])
        assert composed == ["wt2015", "wt2015", "wt2015"], "an edited board pack must be assembled afresh"
    finally:
        loader._load_ruleset = real  # type: ignore[assignment]
        loader.forget_assembled()


def test_the_command_ends_without_freeing_its_modules_yet_flushes_and_runs_exit_handlers(tmp_path: Path) -> None:
    """`scrqm` ends through os._exit: the whole report still arrives, atexit handlers run, the code is kept."""
    # Buffered output, as a user's shell gives it (PYTHONUNBUFFERED would hide a missing flush).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    ending = ("import atexit, sys\n"
              "atexit.register(lambda: print('handler ran', file=sys.stderr, end=''))\n"
              "atexit.register(lambda: print('bye', end=''))\n"
              "sys.argv = ['scrqm'] + sys.argv[1:]\n"
              "from scrqm.__main__ import entry\n"
              "entry()\n"
              "print('not reached', file=sys.stderr)\n")

    def run(script: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, *args], text=True, cwd=tmp_path, env=env,
                              timeout=120, **{"capture_output": True, **kw})

    done = run(ending, "check", "--isolated", "--no-cache", "--today", TODAY, "--format", "json", str(EXAMPLES))
    assert done.returncode == 1 and done.stderr == "handler ran" and done.stdout.endswith("}\nbye")
    assert len(json.loads(done.stdout[:-3])["files"]) == len(list(EXAMPLES.rglob("*.yaml")))
    # A module's finalizer is what the fast exit skips.
    skipped = ending.replace("from scrqm", "class Noisy:\n    def __del__(self): print('freed', file=sys.stderr)\n"
                                           "kept = Noisy()\nfrom scrqm")
    done = run(skipped, "--bogus")
    assert done.returncode == 2 and "handler ran" in done.stderr and "freed" not in done.stderr
    # With another thread still running, the usual exit waits for it.
    threaded = ending.replace("from scrqm", "import threading, time\n"
                                            "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done', "
                                            "file=sys.stderr))).start()\nfrom scrqm")
    done = run(threaded, "rules")
    assert done.returncode == 0 and "thread done" in done.stderr and "qm1" in done.stdout.lower()


def test_output_the_command_could_not_write_is_never_an_exit_code_of_0(tmp_path: Path) -> None:
    """The last flush happens in `leave`: a reader gone is quiet (141), a full disk an error (2), as elsewhere."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    gone = subprocess.Popen([sys.executable, "-c", "from scrqm.__main__ import entry; entry()", "rules"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    assert gone.stdout is not None and gone.stderr is not None
    gone.stdout.close()  # as `scrqm rules | true`
    with gone.stderr:
        assert gone.wait(timeout=120) == 141 and gone.stderr.read() == b""
    full = ("import errno, io, sys\n"
            "class Full(io.RawIOBase):\n"
            "    def writable(self): return True\n"
            "    def write(self, data): raise OSError(errno.ENOSPC, 'No space left on device')\n"
            "sys.stdout = io.TextIOWrapper(io.BufferedWriter(Full(), 1 << 16), encoding='utf-8')\n"
            "sys.argv = ['scrqm', 'rules']\n"
            "from scrqm.__main__ import entry\n"
            "entry()\n")
    done = subprocess.run([sys.executable, "-c", full], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 2 and "cannot write to standard output" in done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr


def test_model_fields_are_annotated_with_types_not_strings() -> None:
    """A string annotation costs every start a typing.ForwardRef (a compile) and an eval: only the
    references to a model defined later in its module (Condition refers to itself) are written so."""
    import importlib

    from pydantic import BaseModel

    strings = set()
    for name in ("scrqm.shape.model", "scrqm.config", "scrqm.packs.loader", "scrqm.check.functions"):
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name:
                strings |= {f"{value.__name__}.{field}" for field, annotation in vars(value).get(
                    "__annotations__", {}).items() if isinstance(annotation, str)}
    assert strings == {"MissingOptions.when", "Condition.all", "Condition.any", "Condition.not_", "Condition.any_item"}


def test_the_referral_validators_are_built_only_for_a_file_that_needs_checking(tmp_path: Path) -> None:
    """The referral models are built when a file is first validated: a run answered from the cache skips it."""
    referral = EXAMPLES / "01-exemplary-death.yaml"
    args = ("check", "--isolated", "--today", TODAY, "--cache-dir", str(tmp_path / "c"), str(referral))
    cold, seen = _probe(tmp_path, *args, NO_COLOR="1")
    assert cold.returncode == 0 and seen["referral_built"] is True
    warm, seen = _probe(tmp_path, *args, NO_COLOR="1")
    assert warm.stdout == cold.stdout and seen["referral_built"] is False
