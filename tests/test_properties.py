"""Property-based tests: random documents and mutated examples never crash the pipeline.

Whatever the text, `check_text` returns a FileResult whose findings have
1-based positions: the loader, the shape models and the rule engine turn every
problem into a result.  Runs are derandomized (the same examples every run, so
CI is repeatable) and small enough to take seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from scrqm.pipeline import Settings, check_text
from scrqm.load.document import LoadFailure, load_text
from scrqm.packs.loader import RuleSet, load_ruleset
from scrqm.result import VERDICTS, FileResult

EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
RULESET: RuleSet = load_ruleset()
SETTINGS = Settings(today=dt.date(2026, 11, 26), learning_priorities={"LP1": "Neglect", "LP2": "Agencies"})

PROPERTY = settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

# Values a referral holds, and the ones that tend to break type handling.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.text(max_size=30),
    st.sampled_from(["TBC", "", "  ", "met", "not_met", "death", "serious_harm", "2016-02-30", "14/03/2016",
                     "7 months", "scrqm/referral@1", "LP1", "NHS 943 476 5919", "~", "yes"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
FIELDS = {
    "referral": ["reference", "date", "board", "referrer"],
    "child": ["reference", "age", "gender", "looked_after", "child_protection_plan"],
    "incident": ["type", "date", "aware_date", "abuse_or_neglect", "setting", "summary"],
    "criteria": ["statutory", "other_reason", "learning_priorities"],
    "delay": ["explanation"],
}
LISTS = {"agencies": ["name", "involvement"], "supporting_information": ["type", "title", "date"],
         "urgent_risks": ["risk", "action"], "waivers": ["rule", "reason"]}


@st.composite
def referral_like(draw: st.DrawFn) -> dict[str, Any]:
    """Referral-shaped data: the real field names with random values, to reach the models and rules."""
    data: dict[str, Any] = {"format": draw(st.sampled_from(["scrqm/referral@1", "scrqm/referral@1", "x"]))}
    for section, names in FIELDS.items():
        if draw(st.booleans()):
            data[section] = {n: draw(documents) if draw(st.booleans()) else draw(scalars)
                             for n in draw(st.lists(st.sampled_from(names), unique=True))}
    for section, names in LISTS.items():
        if draw(st.booleans()):
            data[section] = [{n: draw(scalars) for n in draw(st.lists(st.sampled_from(names), unique=True))}
                             for _ in range(draw(st.integers(0, 3)))]
    for name in ("rationale", "working_together_concerns", "institutions"):
        if draw(st.booleans()):
            data[name] = draw(documents)
    return data


def dump_yaml(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def assert_a_result(result: FileResult) -> None:
    assert isinstance(result, FileResult)
    assert result.verdict in VERDICTS
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1 and finding.message
    if result.verdict == "invalid":
        assert result.findings, "an invalid file says why"


def check(text: str) -> FileResult:
    return check_text(text, display="random.yaml", ruleset=RULESET, settings=SETTINGS)


@PROPERTY
@given(documents)
def test_random_documents_never_crash(data: Any) -> None:
    assert_a_result(check(dump_yaml(data)))
    assert_a_result(check(json.dumps(data, default=str)))


@PROPERTY
@given(referral_like())
def test_random_referrals_never_crash_the_models_or_the_rules(data: dict[str, Any]) -> None:
    assert_a_result(check(dump_yaml(data)))


# ruamel's emitter writes NEL, LS and PS raw inside single quotes, where every
# YAML reader (ruamel's own too) folds them into a space: not a loader matter.
_NO_FOLDED_BREAKS = st.characters(blacklist_characters="\x85\u2028\u2029", blacklist_categories=("Cs",))
plain_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.dates(),
              st.text(_NO_FOLDED_BREAKS, max_size=30)),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(_NO_FOLDED_BREAKS, max_size=12), children, max_size=4),
    max_leaves=25,
)


@PROPERTY
@given(st.dictionaries(st.text(_NO_FOLDED_BREAKS, max_size=12), plain_documents, max_size=5))
def test_what_ruamel_dumps_we_load_back_unchanged(data: dict[str, Any]) -> None:
    """The composer resolves scalars as YAML 1.2 does: the data survives a round trip."""
    if "<<" in json.dumps(data, default=str):
        return  # ruamel writes a '<<' key plain, which every reader takes as a merge key
    assert load_text(dump_yaml(data)).data == data


# Characters that mean something to YAML, and a few that tend to break decoders.
NOISE = st.text(alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\t\n \\~\x85\u2028\ufeff\x07é😀")), min_size=1,
                max_size=6)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLE_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "swap", "duplicate", "value"]))
        lines = text.split("\n")
        if kind == "delete":
            start = draw(st.integers(0, len(text)))
            text = text[:start] + text[start + draw(st.integers(1, 40)):]
        elif kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(NOISE) + text[at:]
        elif kind in ("swap", "duplicate"):
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
        else:
            i = draw(st.integers(0, len(lines) - 1))
            key, sep, _ = lines[i].partition(": ")
            if sep:
                lines[i] = key + sep + draw(st.one_of(NOISE, st.sampled_from(
                    ["TBC", "~", "[]", "{}", "2016-13-45", "-1", "999", "&a x", "*a", "!!str x", "|", ">-"])))
            text = "\n".join(lines)
    return text


@PROPERTY
@given(mutated_example())
def test_mutated_examples_never_crash(text: str) -> None:
    assert_a_result(check(text))


@PROPERTY
@given(st.text(max_size=200))
def test_any_text_never_crashes_the_loader(text: str) -> None:
    try:
        load_text(text)
    except LoadFailure as exc:
        assert exc.problems and all(p.line >= 1 and p.column >= 1 for p in exc.problems)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_never_crash_the_file_path(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    from scrqm.pipeline import check_file

    path: Path = tmp_path_factory.mktemp("bytes") / "random.yaml"
    path.write_bytes(raw)
    assert_a_result(check_file(path, display="random.yaml", ruleset=RULESET, settings=SETTINGS))
