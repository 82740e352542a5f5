"""Speed must not change answers: cache cold or warm, any --jobs, fast paths.

The reference is `--no-cache --jobs 1`: the plain serial pipeline.  Every
faster way of getting the results must give the same JSON document, byte for
byte, over the examples plus generated variations of them (enough files for
the process pool to be used).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, GOOD, TODAY
from scrqm.run import batch
from scrqm.run.batch import Plan, check_files
from scrqm.run.cache import FORMAT, MAX_ENTRIES, ResultCache
from scrqm.pipeline import Settings, check_text
from scrqm.config import Config
from scrqm.packs.loader import RuleSet
from scrqm.result import FileResult, Finding

_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _shifted(text: str, weeks: int, index: int) -> str:
    def shift(match: re.Match[str]) -> str:
        day = dt.date(int(match[1]), int(match[2]), int(match[3])) + dt.timedelta(weeks=weeks)
        return day.isoformat()

    return f"# variation {index}\n" + _DATE.sub(shift, text)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples and 3 variations of each (dates moved, so delays cross bank holidays): 72 files."""
    folder = tmp_path_factory.mktemp("corpus")
    for index, example in enumerate(sorted(EXAMPLES.glob("*.yaml"))):
        text = example.read_text(encoding="utf-8")
        (folder / example.name).write_text(text, encoding="utf-8")
        for weeks in (3, 17, 40):
            (folder / f"v{weeks:02d}-{example.name}").write_text(_shifted(text, weeks, index), encoding="utf-8")
    return folder


def _json(run_line: Callable[..., Any], *args: str) -> str:
    result = run_line("check", "--format", "json", "--today", TODAY, "--isolated", *args)
    assert result.exit_code == 1, result.output  # the corpus holds failing and invalid files
    stdout: str = result.stdout
    return stdout


def test_corpus_is_large_enough_for_the_pool(corpus: Path) -> None:
    """The pool starts once SERIAL_BELOW files wait; as many again reach it in later chunks."""
    assert len(list(corpus.glob("*.yaml"))) >= 2 * batch.SERIAL_BELOW


@pytest.mark.parametrize("jobs", ["1", "2", "4"])
def test_same_json_with_any_jobs_and_with_the_cache_cold_and_warm(
    run_line: Callable[..., Any], corpus: Path, tmp_path: Path, jobs: str
) -> None:
    reference = _json(run_line, "--no-cache", "--jobs", "1", str(corpus))
    verdicts = {f["verdict"] for f in json.loads(reference)["files"]}
    assert verdicts == {"pass", "warn", "fail", "invalid"}
    cache = str(tmp_path / "cache")
    assert _json(run_line, "--no-cache", "--jobs", jobs, str(corpus)) == reference
    assert _json(run_line, "--cache-dir", cache, "--jobs", jobs, str(corpus)) == reference  # cold
    assert list((tmp_path / "cache" / f"v{FORMAT}").glob("*.json")), "the cold run wrote no cache"
    assert _json(run_line, "--cache-dir", cache, "--jobs", jobs, str(corpus)) == reference  # warm


def test_same_text_report_with_any_jobs_and_cache(run_line: Callable[..., Any], corpus: Path, tmp_path: Path) -> None:
    def text(*args: str) -> str:
        out: str = run_line("check", "--today", TODAY, "--isolated", *args, str(corpus)).stdout
        return out

    reference = text("--no-cache", "--jobs", "1")
    cache = str(tmp_path / "c")
    assert text("--jobs", "2", "--cache-dir", cache) == reference
    assert text("--jobs", "2", "--cache-dir", cache) == reference


def test_warm_run_checks_nothing_again(
    run_line: Callable[..., Any], corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "cache")
    reference = _json(run_line, "--cache-dir", cache, "--jobs", "1", str(corpus))

    def must_not_check(self: Plan, job: Any) -> FileResult:
        raise AssertionError(f"{job.display} was checked again")

    monkeypatch.setattr(Plan, "check", must_not_check)
    assert _json(run_line, "--cache-dir", cache, "--jobs", "1", str(corpus)) == reference


def test_default_cache_directory_follows_xdg(run_line: Callable[..., Any], corpus: Path, _private_cache: Path) -> None:
    _json(run_line, str(corpus))
    assert list((_private_cache / "scrqm" / f"v{FORMAT}").glob("*.json"))


def test_config_can_turn_the_cache_off_and_set_jobs(run_line: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / ".scrqm.yaml").write_text("cache: false\njobs: 2\n", encoding="utf-8")
    cache = tmp_path / "never"
    result = run_line("check", "--config", str(tmp_path / ".scrqm.yaml"), "--cache-dir", str(cache),
                      "--today", TODAY, str(EXAMPLES / "01-exemplary-death.yaml"))
    assert result.exit_code == 0, result.output
    assert not cache.exists()


def test_jobs_must_be_positive(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "--jobs", "0", str(EXAMPLES))
    assert result.exit_code == 2


# ---------------------------------------------------------------- what the key covers



def _verdict(run_line: Callable[..., Any], cache: Path, *args: str) -> dict[str, Any]:
    result = run_line("check", "--format", "json", "--isolated", "--cache-dir", str(cache), *args)
    files: list[dict[str, Any]] = json.loads(result.stdout)["files"]
    return files[0]


def test_today_is_part_of_the_key(run_line: Callable[..., Any], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _verdict(run_line, cache, "--today", TODAY, str(GOOD))["verdict"] == "pass"
    # The referral date is now after "today": a fail, not the cached pass.
    assert _verdict(run_line, cache, "--today", "2016-11-09", str(GOOD))["verdict"] == "fail"


def test_content_config_redaction_and_path_are_part_of_the_key(run_line: Callable[..., Any], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    referral = tmp_path / "r.yaml"
    referral.write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    base = _verdict(run_line, cache, "--today", TODAY, str(referral))
    assert base["verdict"] == "pass" and base["path"] == referral.as_posix()
    # Changed content: the placeholder rationale fails.
    referral.write_text(re.sub(r"rationale: >\n(  .*\n)+", "rationale: TBC\n", GOOD.read_text(encoding="utf-8")),
                        encoding="utf-8")
    assert _verdict(run_line, cache, "--today", TODAY, str(referral))["verdict"] == "fail"
    # Same content, another name: the cached result under the new name.
    copy = tmp_path / "copy.yaml"
    copy.write_text(referral.read_text(encoding="utf-8"), encoding="utf-8")
    renamed = _verdict(run_line, cache, "--today", TODAY, str(copy))
    assert renamed["path"] == copy.as_posix() and renamed["verdict"] == "fail"
    # Configuration: ignoring the rule changes the answer.
    ignored = _verdict(run_line, cache, "--today", TODAY, "--ignore", "QM1.1", str(copy))
    assert ignored["verdict"] == "pass"
    # Redaction changes the words of the report.
    shape = tmp_path / "shape.yaml"
    shape.write_text("format: scrqm/referral@1\nincident:\n  date: 14/03/2016\n", encoding="utf-8")
    plain = _verdict(run_line, cache, "--today", TODAY, str(shape))
    redacted = _verdict(run_line, cache, "--today", TODAY, "--redact", str(shape))
    assert "14/03/2016" in json.dumps(plain) and "14/03/2016" not in json.dumps(redacted)


def test_per_path_rules_are_part_of_the_key(run_line: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / ".scrqm.yaml").write_text(
        "per-path:\n  - paths: ['*/archive/*']\n    ignore: [QM1.1]\n", encoding="utf-8"
    )
    text = "format: scrqm/referral@1\nrationale: TBC\n"
    for folder in ("archive", "live"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "r.yaml").write_text(text, encoding="utf-8")
    cache = str(tmp_path / "cache")

    def qm11(folder: str) -> str:
        result = run_line("check", "--format", "json", "--config", str(tmp_path / ".scrqm.yaml"),
                          "--cache-dir", cache, "--today", TODAY, f"{tmp_path}/{folder}/r.yaml")
        verdict: str = json.loads(result.stdout)["files"][0]["questions"]["QM1.1"]
        return verdict

    assert qm11("archive") == "pass"
    assert qm11("live") == "fail"
    assert qm11("archive") == "pass"


# ---------------------------------------------------------------- a safe cache


def _plan(ruleset: RuleSet) -> Plan:
    return Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26)))


def _shard(tmp_path: Path) -> Path:
    shards = list((tmp_path / f"v{FORMAT}").glob("*.json"))
    assert len(shards) == 1
    return shards[0]


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"format": 1, "entries": {"k": "junk"}}',
                                     b"\xff\xfe\x00", b'{"format": 999, "entries": {}}'])
def test_corrupt_cache_is_ignored(ruleset: RuleSet, corpus: Path, tmp_path: Path, garbage: bytes) -> None:
    files = [(p, p.name) for p in sorted(corpus.glob("*.yaml"))[:6]]
    plan = _plan(ruleset)
    reference = [r.to_dict() for r in check_files(files, plan=plan, jobs=1)]
    cache = ResultCache(tmp_path, "ctx")
    check_files(files, plan=plan, jobs=1, cache=cache)
    cache.save()
    shard = _shard(tmp_path)
    data = json.loads(shard.read_text(encoding="utf-8"))
    if garbage.startswith(b'{"format": 1'):  # well-formed shard, malformed entries
        data["entries"] = {key: {"verdict": "pass"} for key in data["entries"]}
        shard.write_text(json.dumps(data), encoding="utf-8")
    else:
        shard.write_bytes(garbage)
    again = ResultCache(tmp_path, "ctx")
    assert [r.to_dict() for r in check_files(files, plan=plan, jobs=1, cache=again)] == reference
    assert again.hits == 0


def test_unwritable_cache_directory_does_not_stop_the_run(run_line: Callable[..., Any], tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    result = run_line("check", "--today", TODAY, "--cache-dir", str(blocker), str(GOOD))
    assert result.exit_code == 0, result.output
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_unreadable_files_are_never_cached(ruleset: RuleSet, tmp_path: Path) -> None:
    missing = tmp_path / "gone.yaml"
    missing.symlink_to(tmp_path / "nowhere.yaml")
    cache = ResultCache(tmp_path / "cache", "ctx")
    [result] = check_files([(missing, "gone.yaml")], plan=_plan(ruleset), jobs=1, cache=cache)
    assert result.io_error and result.verdict == "invalid"
    assert cache.new == {}
    cache.put("key", result)
    assert cache.new == {}


def test_cache_keeps_the_latest_entries_when_full(ruleset: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scrqm.run.cache.MAX_ENTRIES", 3)
    result = check_text(GOOD.read_text(encoding="utf-8"), display="x", ruleset=ruleset,
                        settings=Settings(today=dt.date(2026, 11, 26)))
    first = ResultCache(tmp_path, "ctx")
    for key in ("a", "b", "c", "d"):
        first.put(key, result)
    first.save()
    second = ResultCache(tmp_path, "ctx")
    second.put("e", result)
    second.save()
    entries = json.loads(_shard(tmp_path).read_text(encoding="utf-8"))["entries"]
    assert len(entries) == 3 and "e" in entries
    assert MAX_ENTRIES > 1000


def test_cache_entries_round_trip_exactly(ruleset: RuleSet, corpus: Path) -> None:
    plan = _plan(ruleset)
    results = check_files([(p, p.name) for p in sorted(corpus.glob("*.yaml"))], plan=plan, jobs=1)
    waived = dataclasses.replace(results[0], findings=[
        Finding(3, 4, "R1", "warn", "m", "f.g", "QM1.1", None, "fix", waived=True, waiver_reason="agreed")])
    assert any(r.facts for r in results) and any(r.groups for r in results)
    for result in [*results, waived]:
        entry = json.loads(json.dumps(result.to_dict()))
        restored = FileResult.from_dict(entry)
        assert dataclasses.asdict(restored) == dataclasses.asdict(result)
        assert [dataclasses.astuple(f) for f in restored.findings] == [dataclasses.astuple(f) for f in result.findings]


def test_pool_returns_results_in_the_order_given(ruleset: RuleSet, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNKS_PER_WORKER", 5)  # many small chunks, finishing in any order
    monkeypatch.setattr(batch, "SERIAL_BELOW", 4)
    files = [(p, p.name) for p in sorted(corpus.glob("*.yaml"), reverse=True)]
    sent: list[int] = []
    original = batch._Runner._send

    def counting(self: Any) -> None:
        sent.append(len(self.waiting))
        original(self)

    monkeypatch.setattr(batch._Runner, "_send", counting)
    results = check_files(files, plan=_plan(ruleset), jobs=3)
    assert len(sent) > 3 and sum(sent) == len(files)  # the pool did the work, in several chunks
    assert [r.path for r in results] == [name for _, name in files]
    assert [r.to_dict() for r in results] == [r.to_dict() for r in check_files(files, plan=_plan(ruleset), jobs=1)]


def test_the_common_words_are_read_before_the_workers_fork(ruleset: RuleSet, corpus: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Read once in this process before the pool forks, the word list is the workers' too (shared pages)."""
    import concurrent.futures

    from scrqm.judge import english

    monkeypatch.setattr(batch, "SERIAL_BELOW", 4)
    read_at_fork: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    def pool(*args: Any, **kwargs: Any) -> Any:
        read_at_fork.append(english.english_words.cache_info().currsize)
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    english.english_words.cache_clear()
    files = [(p, p.name) for p in sorted(corpus.glob("*.yaml"))]
    check_files(files, plan=_plan(ruleset), jobs=2)
    assert read_at_fork == [1]
    english.english_words.cache_clear()
    # `scrqm patterns` runs no rule: it has no use for the list.
    Plan(ruleset, Config(), Settings(today=dt.date(2026, 11, 26), judge=False)).before_fork()
    assert english.english_words.cache_info().currsize == 0


# ---------------------------------------------------------------- fast paths


def test_c_parser_and_pure_parser_give_the_same_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.load import document as load

    pytest.importorskip("_ruamel_yaml")
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
    fast = [load.load_text(text) for text in texts]
    assert load._c_parser() is not None  # the fast path is the one in use
    monkeypatch.setattr(load, "_C_PARSER", None)
    for text, document in zip(texts, fast):
        slow = load.load_text(text)
        assert (slow.data, slow.values, slow.keys, slow.styles) == (
            document.data, document.values, document.keys, document.styles)


def test_plain_text_report_equals_what_rich_prints(
    ruleset: RuleSet, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from scrqm.report import Run
    from scrqm.report import text as text_report

    results = check_files([(p, p.name) for p in sorted(corpus.glob("*.yaml"))], plan=_plan(ruleset), jobs=1)
    tricky = Finding(1, 1, "R", "warn", "tab\there [bold]not markup[/bold] \\ end", None, "QM1.1", None, "fix\tit")
    results.append(dataclasses.replace(results[0], findings=[tricky]))
    # A long path with double-width characters: the piped table is as wide as it needs, never folded.
    results.append(dataclasses.replace(results[1], path="referrals/事件-" + "x" * 90 + ".yaml"))
    run = Run(results, ruleset, teach=True)
    fast = io.StringIO()
    text_report.TextReporter().render(run, fast)
    assert isinstance(text_report.console_for(io.StringIO()), text_report.PlainConsole)
    slow = io.StringIO()
    monkeypatch.setattr(text_report, "console_for", lambda stream: Console(
        file=stream, highlight=False, soft_wrap=True, emoji=False, color_system=None))
    text_report.TextReporter().render(run, slow)
    assert "tab" in fast.getvalue() and fast.getvalue() == slow.getvalue()


_WORDS = st.sampled_from(["TBC", "to", "follow", "n/a", "-", "...", "x", "xxx", "see", "above", "not", "yet",
                          "known", "the", "child", "died", "\t", "—", "2016", "A&E", "é"])


@settings(max_examples=150, deadline=None)
@given(words=st.lists(_WORDS, max_size=8), glue=st.sampled_from([" ", "  ", "\n", " - ", ".", ""]))
def test_placeholder_shortcut_agrees_with_the_definition(words: list[str], glue: str) -> None:
    from scrqm.judge import prose as textutil

    text = glue.join(words)
    key = textutil._placeholder_key(text) if text.strip() else None
    expected = key is not None and (not key or key in textutil._PLACEHOLDER_KEYS
                                    or textutil._FILLER_RUN.fullmatch(key) is not None)
    assert textutil.is_placeholder(text) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="0123456789@"), max_size=80))
def test_text_without_digits_or_at_holds_no_identifier(text: str) -> None:
    from scrqm.judge import identifiers as privacy

    # What the shortcut skips, the full search would not have found either.
    for kind, finder in privacy._FINDERS:
        assert list(finder(text)) == [], kind


def test_cache_dir_in_config_is_relative_to_the_config_file(run_line: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / ".scrqm.yaml").write_text("cache-dir: .results\njobs: 3\n", encoding="utf-8")
    config = str(tmp_path / ".scrqm.yaml")
    shown = run_line("config", "--config", config).stdout
    assert f'cache-dir: "{tmp_path / ".results"}"' in shown and "jobs: 3" in shown
    run_line("check", "--config", config, "--today", TODAY, str(GOOD))
    assert list((tmp_path / ".results" / f"v{FORMAT}").glob("*.json"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["0", "1", "4", "7", "9", "943 476 5919", "AB 12 34 56 C", "SW1A 1AA", "+44",
                                 "07700 900", "@", "a@b.co", " ", "-", "(0)", "x", "GIR 0AA", "2016-03-14", "\n"]),
                max_size=12))
def test_identifier_shortcuts_agree_with_searching_every_kind(pieces: list[str]) -> None:
    from scrqm.judge import identifiers as privacy

    text = "".join(pieces)
    assert privacy.find_identifiers(text) == privacy._search(text, privacy._FINDERS, None)


_ENTRIES = st.sampled_from(["learn*", "lesson*", "show", "shown", "understood", "multi-agency", "practice*",
                            "lesson* learnt", "improv*", "child's", "a*b*", "**", "review*  ", "LEARN*", "ex.*"])
_VOCABULARY_TEXT = st.sampled_from(["learning", "Lessons", "shown", "shows", "show-", "multi-agency", "lesson learnt",
                                    "lessons \n learnt", "child's", "a*bz", "review", "reviewed", "-learn", "re-learn",
                                    "learn\u2019d", "ex.", "ex.x", " ", ".", "\n", "x", "_"])


@settings(max_examples=400, deadline=None)
@given(entries=st.frozensets(_ENTRIES, max_size=6), pieces=st.lists(_VOCABULARY_TEXT, max_size=8))
def test_a_vocabulary_pattern_finds_what_one_alternative_per_entry_finds(entries: frozenset[str],
                                                                        pieces: list[str]) -> None:
    from scrqm.judge.substance import vocabulary_pattern

    def one(entry: str) -> str:  # the pattern as first written: each entry its own alternative
        return r"\s+".join(re.escape(p.rstrip("*")) + (r"[\w'\u2019-]*" if p.endswith("*") else "")
                           for p in entry.split())

    alternatives = "|".join(one(e) for e in sorted(entries, key=len, reverse=True) if e.strip("* "))
    reference = re.compile(rf"(?<![\w-])(?:{alternatives or '(?!)'})(?![\w-])", re.IGNORECASE)
    for text in ("".join(pieces), " ".join(pieces)):
        assert (vocabulary_pattern(entries).search(text) is None) is (reference.search(text) is None), text


def test_referrals_naming_another_profile_same_with_pool_and_cache(
    run_line: Callable[..., Any], tmp_path: Path
) -> None:
    # Profiles chosen inside workers, or by cached results, must still reach the report.
    folder = tmp_path / "mixed"
    folder.mkdir()
    for index, example in enumerate(sorted(EXAMPLES.glob("*.yaml"))[:15]):
        text = example.read_text(encoding="utf-8")
        (folder / f"a{index:02d}.yaml").write_text(text, encoding="utf-8")
        (folder / f"b{index:02d}.yaml").write_text(
            text.replace("format: scrqm/referral@1\n", "format: scrqm/referral@1\nprofile: wt2023\n"), encoding="utf-8")
    cache = str(tmp_path / "cache")

    def both(*args: str) -> tuple[str, str]:
        common = ("--today", TODAY, "--isolated", "--teach", *args, str(folder))
        return (run_line("check", *common).stdout, run_line("check", "--format", "json", *common).stdout)

    reference = both("--no-cache", "--jobs", "1")
    assert '"profile": "wt2023"' in reference[1]
    assert both("--jobs", "2", "--cache-dir", cache) == reference
    assert both("--jobs", "2", "--cache-dir", cache) == reference


def test_the_code_fingerprint_follows_every_module_and_nothing_else(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.run import cache as cache_module

    package = tmp_path / "scrqm"
    (package / "run" / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "run" / "cache.py").write_text("# cache\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "__file__", str(package / "run" / "cache.py"))

    def fingerprint() -> str:
        cache_module.code_fingerprint.cache_clear()
        return cache_module.code_fingerprint()

    try:
        first = fingerprint()
        (package / "run" / "__pycache__" / "cache.cpython-311.pyc").write_bytes(b"\0" * 64)
        (package / "run" / "notes.txt").write_text("not code", encoding="utf-8")
        assert fingerprint() == first  # byte-code and other files are not the checker's code
        (package / "run" / "cache.py").write_text("# cache, changed\n", encoding="utf-8")
        second = fingerprint()
        assert second != first  # a module in a sub-package changed
        (package / "run" / "new.py").write_text("", encoding="utf-8")
        assert fingerprint() not in (first, second)  # a module added
    finally:
        cache_module.code_fingerprint.cache_clear()
