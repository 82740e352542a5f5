"""`scrqm new`: the skeleton loads, the interview validates as typed, nothing is overwritten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import TODAY
from scrqm.teach.authoring import FIELDS, Spec, parse_answer, render_referral
from scrqm.load.document import load_text
from scrqm.shape.model import Referral
from scrqm.shape.schema import referral_schema
from scrqm.shape.validate import validate


def leaves(specs: tuple[Spec, ...], prefix: str = "") -> list[str]:
    out = []
    for spec in specs:
        if spec.is_section:
            out += leaves(spec.children, f"{prefix}{spec.key}.")
        else:
            out.append(f"{prefix}{spec.key}")
    return out


def schema_leaves(schema: dict[str, Any], node: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in node.get("properties", {}).items():
        ref = next((b["$ref"] for b in value.get("anyOf", []) if "$ref" in b), value.get("$ref"))
        if ref and key not in ("agencies", "supporting_information", "urgent_risks"):
            out += schema_leaves(schema, schema["$defs"][ref.rsplit("/", 1)[1]], f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


# Fields only the wt2023 profile reads; the skeleton is written for the default profile.
WT2023_ONLY = {"profile", "notification.date", "rapid_review.date", "rapid_review.delay_explanation",
               "rapid_review.sent_date", "rapid_review.decision", "rapid_review.decision_reasons",
               "rapid_review.learning", "rapid_review.immediate_actions",
               "criteria.notification", "criteria.local_review"}


def test_skeleton_asks_for_every_field_of_the_format_but_waivers() -> None:
    schema = referral_schema()
    expected = set(schema_leaves(schema, schema)) - {"format", "waivers"} - WT2023_ONLY
    assert set(leaves(FIELDS)) == expected


def test_skeleton_starts_with_the_schema_line_and_comments_every_field() -> None:
    text = render_referral()
    assert text.startswith("# yaml-language-server: $schema=referral.schema.json\n")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("format:"):
            assert " # " in line, f"no comment on: {line!r}"


def test_skeleton_loads_without_shape_errors_and_fails_on_quality(check: Callable[..., Any]) -> None:
    text = render_referral()
    shaped = validate(Referral, load_text(text))
    assert isinstance(shaped, Referral), shaped
    result = check(text)
    assert result.verdict == "fail"
    assert set(result.questions.values()) == {"fail"}


def test_new_without_path_prints_the_skeleton(run_line: Callable[..., Any]) -> None:
    result = run_line("new")
    assert result.exit_code == 0
    assert result.stdout == render_referral()


def test_new_writes_the_file_and_the_schema_beside_it(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    result = run_line("new", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == render_referral()
    assert json.loads((tmp_path / "referral.schema.json").read_text(encoding="utf-8")) == referral_schema()
    assert f"scrqm check {target}" in result.stderr


def test_new_never_overwrites_without_force(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = run_line("new", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"scrqm: error: {target}: already exists; choose another name, or add --force to replace it\n"
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert run_line("new", "--force", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == render_referral()


def test_interactive_refuses_to_carry_on_with_a_file_that_is_no_referral(
    run_line: Callable[..., Any], tmp_path: Path
) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = run_line("new", "--interactive", str(target), input="")
    assert result.exit_code == 2 and "Answer each question" not in result.stdout
    assert "cannot carry on with this file: it is not a referral" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_interactive_without_a_path_asks_for_one(
    run_line: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_line("new", "--interactive", input="child-k\nwt2023\nKL-1\n")
    assert "The file to save the referral in [referral.yaml]: " in result.stdout
    assert result.exit_code == 2 and "every answer given so far is saved in child-k.yaml" in result.stderr
    data = load_text((tmp_path / "child-k.yaml").read_text(encoding="utf-8")).data
    assert data["profile"] == "wt2023" and data["referral"]["reference"] == "KL-1"


RATIONALE = (
    "Child K, aged two, died after a fall that doctors think was caused by neglect, and neglect is therefore "
    "suspected. The statutory criteria are met. Health visiting, the GP and the nursery each knew of missed "
    "appointments and unexplained injuries: a review could show how concerns about neglect are shared between "
    "agencies and acted on, and what the partnership should change."
)

# One answer per prompt, in FIELDS order; "" skips.  Wrong answers are re-asked; a
# long answer ends with an empty line; other_reason and learning_priorities are
# not asked after `met`, nor the delay's explanation when the referral is on time.
ANSWERS = [
    "wt2015", "KL-2026-001", "2026-13-20", "20/11/2026", "Kellbridge LSCB", "Kellbridge Children's Services", "Head of Service",
    "Child K", "twenty", "2", "", "", "", "maybe", "n", "never", "y",
    "kill", "death", "2026-11-16", "2026-11-17", "suspected", "home",
    "Child K was found at home on 16 November 2026 with a head injury and died the next day.", "",
    "y", "Health visiting", "Missed two-year review: three appointments in 2026.", "",
    "n",
    "Little Acorns Nursery, Northtown", "",
    "The nursery's concern about bruising was not shared with the GP.", "",
    "met",
    RATIONALE, "",
    "y", "chronology", "Multi-agency chronology, 2024 to 2026", "2026-11-19",
    "n",
    "n",
]


def test_interactive_asks_validates_and_writes_a_referral_that_passes(
    run_line: Callable[..., Any], tmp_path: Path
) -> None:
    target = tmp_path / "k.yaml"
    result = run_line("new", "--interactive", str(target), input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Which framework is the referral written under?" in out
    assert "'2026-13-20' is not a real date (no such day)" in out
    assert "(Friday 20 November 2026)" in out
    assert "'twenty' is not an age" in out
    assert "'maybe': answer y or n" in out
    assert "'kill' is not one of: death, serious harm" in out
    assert "Add an agency? (y/n)" in out and "Add another agency? (y/n)" in out
    assert "Add a document? (y/n)" in out and "Add an urgent risk? (y/n)" in out
    assert "The agency's name" in out and "[0]" not in out
    # Irrelevant after `met`, and on time: not asked.
    assert "why would a review still give useful learning" not in out and "learning priority" not in out
    assert "Why was the referral not made sooner?" not in out
    flat = " ".join(out.split())  # advice is wrapped to the terminal
    assert "The referral is made 3 working days after the referrer became aware" in flat
    assert "within 5, so no explanation of a delay is needed" in flat
    assert "Done. Every question passes under wt2015: QM1.1 pass, QM1.2 pass, QM1.3 pass." in out
    assert "next: fill it in" not in result.stderr
    text = target.read_text(encoding="utf-8")
    shaped = validate(Referral, load_text(text))
    assert isinstance(shaped, Referral), shaped
    assert shaped.referral.date.isoformat() == "2026-11-20"
    assert shaped.child.age == 2 and shaped.child.looked_after is False and shaped.child.known_to_social_care
    assert shaped.institutions == ["Little Acorns Nursery, Northtown"]
    assert " ".join(shaped.rationale.split()) == RATIONALE
    checked = run_line("check", "--today", TODAY, str(target))
    assert checked.exit_code == 0, checked.stdout
    assert "1 file checked: 1 pass" in checked.stdout


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [("date", "2016-03-14", "2016-03-14"), ("age", "17", 17), ("age", "7 Months", "7 Months"), ("list", "LP1, LP2", ["LP1", "LP2"])],
)
def test_answers_are_typed(kind: str, raw: str, value: Any) -> None:
    parsed = parse_answer(Spec("x", kind, ""), raw)  # type: ignore[arg-type]
    assert (parsed.isoformat() if kind == "date" else parsed) == value


@pytest.mark.parametrize(("kind", "raw"), [("date", "2016-02-30"), ("date", "2016-3-4"), ("age", "18"), ("bool", "maybe")])
def test_wrong_answers_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(ValueError):
        parse_answer(Spec("x", kind, ""), raw)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["yes", "12:30", "#hash", "- dash", "a: b", "Child's", '"quoted"', "2016-03-14", "null"])
def test_text_answers_read_back_as_written(text: str) -> None:
    rendered = render_referral({"referral": {"reference": text}})
    shaped = validate(Referral, load_text(rendered))
    assert isinstance(shaped, Referral)
    assert shaped.referral.reference == text


def test_interactive_input_ending_early_keeps_every_answer(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "k.yaml"
    result = run_line("new", "--interactive", "--profile", "wt2015", str(target), input="KL-1\n2026-11-20\n")
    assert result.exit_code == 2
    assert f"every answer given so far is saved in {target}" in result.stderr
    assert f"To carry on: scrqm new --interactive {target}" in result.stderr
    shaped = validate(Referral, load_text(target.read_text(encoding="utf-8")))
    assert isinstance(shaped, Referral)
    assert shaped.referral.reference == "KL-1" and shaped.referral.date.isoformat() == "2026-11-20"
