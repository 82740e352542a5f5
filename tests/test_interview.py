"""The interview's parts: the round-trip draft, carrying on, going through, the editor, pastes, advice."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES
from scrqm.load.document import load_text
from scrqm.packs.loader import load_ruleset
from scrqm.pipeline import Settings
from scrqm.teach.authoring import render_referral
from scrqm.teach.draft import Draft, Long
from scrqm.teach.interview import Advisor, Interview, Mode, Terminal

TODAY = dt.date(2026, 11, 26)


class Scripted:
    """A terminal whose answers depend on the question on the screen: (words in the question, answer)."""

    def __init__(self, rules: list[tuple[str, str]], default: str = "", waiting: list[bool] | None = None) -> None:
        self.rules = list(rules)
        self.default = default
        self.screen: list[str] = []
        self.question = ""
        self.waits = list(waiting or [])
        self.heading = ""

    def read(self, prompt: str) -> str:
        """The first rule whose pattern is found in "heading | question" answers, once."""
        self.screen.append(prompt)
        context = f"{self.heading} | {self.question if prompt.strip() == '>' else prompt}"
        for index, (pattern, answer) in enumerate(self.rules):
            if re.search(pattern, context):
                del self.rules[index]
                return answer
        return self.default

    def write(self, line: str) -> None:
        self.screen.append(line)
        if line.startswith("— "):
            self.heading = line
        elif line and not line.startswith(" "):
            self.question = line

    def waiting(self) -> bool:
        return self.waits.pop(0) if self.waits else False

    def terminal(self, edit: Callable[[str], str | None] = lambda text: None) -> Terminal:
        return Terminal(read=self.read, write=self.write, waiting=self.waiting, edit=edit)

    @property
    def flat(self) -> str:
        return " ".join(" ".join(self.screen).split())


def interview(path: Path, script: Scripted, *, mode: Mode, profile: str = "wt2023",
              edit: Callable[[str], str | None] = lambda text: None) -> tuple[Draft, Any]:
    draft = Draft.read(path) if path.exists() else Draft(render_referral(profile=profile))
    ruleset = load_ruleset(profile)
    run = Interview(draft, profile, script.terminal(edit), save=lambda: draft.save(path),
                    advisor=Advisor(ruleset, Settings(today=TODAY), str(path)), mode=mode)
    return draft, run.run()


# ----------------------------------------------------------------- the draft


@pytest.mark.parametrize("example", sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("**/*.yaml")))
def test_a_file_read_and_written_unchanged_is_byte_for_byte_the_same(example: str) -> None:
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    assert Draft(text).text() == text


def test_setting_a_field_changes_that_line_only_and_keeps_every_comment(tmp_path: Path) -> None:
    text = (EXAMPLES / "wt2023" / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    text = text.replace("  reference: NSCP-2024-101\n", "  reference: NSCP-2024-101   # the chair's number\n")
    text = text.replace("\nchild:\n", "\n# Checked with the designated nurse on 5 March.\nchild:\n")
    draft = Draft(text)
    draft.set(("referral", "reference"), "004")
    draft.set(("institutions", 1), "Little Acorns Nursery, Northtown")
    out = draft.text()
    import difflib

    changed = [line for line in difflib.ndiff(text.splitlines(), out.splitlines()) if line[:1] in "+-"]
    assert changed == [
        "-   reference: NSCP-2024-101   # the chair's number",
        "+   reference: '004'           # the chair's number",  # the comment stays in its column
        "+   - Little Acorns Nursery, Northtown",
    ]
    data = load_text(out).data
    assert data["referral"]["reference"] == "004"  # kept as text, zeros and all
    assert data["institutions"] == ["Little Acorns Children's Centre", "Little Acorns Nursery, Northtown"]


def test_new_entries_go_where_the_skeleton_shows_them_with_the_blank_line_after(tmp_path: Path) -> None:
    draft = Draft(render_referral())
    draft.set(("agencies", 0, "name"), "Health visiting")
    draft.set(("agencies", 0, "involvement"), Long("First paragraph.\n\nSecond: with a colon # and a hash."))
    draft.set(("agencies", 1, "name"), "GP practice")
    out = draft.text()
    block = out[out.index("agencies:"):out.index("institutions:")]
    assert "# - name:" not in block  # the commented template goes once there is an entry
    assert block.endswith("  - name: GP practice\n\n")
    data = load_text(out).data
    assert data["agencies"][0]["involvement"] == "First paragraph.\nSecond: with a colon # and a hash.\n"


def test_saving_is_atomic_and_keeps_the_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text(render_referral(), encoding="utf-8")
    os.chmod(target, 0o640)
    draft = Draft.read(target)
    draft.set(("referral", "reference"), "KL-1")
    draft.save(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yaml"]  # no temporary file left behind
    assert "reference: KL-1" in target.read_text(encoding="utf-8")


# ----------------------------------------------------------------- carrying on and going through


def test_going_through_every_answer_changes_only_what_is_typed(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    original = (EXAMPLES / "wt2023" / "01-exemplary-death.yaml").read_text(encoding="utf-8")
    original = original.replace("\nchild:\n", "\n# Checked with the designated nurse on 5 March.\nchild:\n")
    target.write_text(original, encoding="utf-8")
    result = run_line("new", "--interactive", str(target), input="e\nNSCP-2024-102\n" + "\n" * 400)
    assert result.exit_code == 0, result.output
    assert "[now: NSCP-2024-101; Enter keeps it, - clears it]" in result.stdout
    assert "Done. Every question passes under wt2023" in result.stdout
    assert target.read_text(encoding="utf-8") == original.replace("NSCP-2024-101", "NSCP-2024-102")


def test_leaving_it_as_it_is_writes_nothing(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    shutil.copy(EXAMPLES / "wt2023" / "05-qm12-fail-local-review-missing.yaml", target)
    before = target.read_bytes()
    result = run_line("new", "--interactive", str(target), input="q\n")
    assert result.exit_code == 0 and target.read_bytes() == before


def test_carrying_on_a_hand_written_file_asks_its_gaps_and_keeps_the_rest(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    shutil.copy(EXAMPLES / "wt2023" / "05-qm12-fail-local-review-missing.yaml", target)
    original = target.read_text(encoding="utf-8")
    script = Scripted([
        ("Add another urgent risk?", "n"),
        ("Go back to them now?", "y"),
        (r"\(a\).*Does it apply", "y"), (r"\(a\).*Why it applies", "The step-down from a child "
         "protection plan for neglect to universal services shows improvements needed."),
        (r"\(b\).*Does it apply", "y"),
        (r"\(b\).*Why it applies", "Neglect linked to parental alcohol use is a recurrent theme."),
        (r"\(c\).*Does it apply", "y"),
        (r"\(c\).*Why it applies", "Three agencies each held part of the picture and did not share it."),
        (r"\(d\).*Does it apply", "n"), (r"\(d\).*Why it applies", "The Panel has not yet considered the case."),
    ])
    draft, result = interview(target, script, mode="continue")
    assert result.questions == {"QM1.1": "pass", "QM1.2": "pass", "QM1.3": "pass"}, script.flat
    assert "Carrying on where you stopped" in script.flat
    text = target.read_text(encoding="utf-8")
    assert text.startswith(original.split("\ncriteria:")[0])  # everything before is as it was, comments too
    assert [e["consideration"] for e in load_text(text).data["criteria"]["local_review"]] == ["a", "b", "c", "d"]
    # Nothing the file already answered was asked again.
    assert "case reference" not in script.flat and "The agency's name" not in script.flat


def test_carrying_on_starts_after_the_last_answer(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    draft = Draft(render_referral(profile="wt2015"))
    draft.set(("referral", "reference"), "KL-1")
    draft.set(("child", "reference"), "Child K")  # referral.date, board, referrer skipped before it
    draft.save(target)
    script = Scripted([("Go back to", "n")], default="")
    interview(target, script, mode="continue", profile="wt2015")
    questions = [line for line in script.screen if line.endswith(": ")]
    assert questions[0].startswith("The child's age")
    assert any("still unanswered" in q for q in questions)


# ----------------------------------------------------------------- long answers


def test_a_blank_line_with_pasted_text_waiting_behind_it_does_not_end_the_answer(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    script = Scripted([("in plain words", "Paragraph one, pasted."), ("in plain words", ""),
                       ("in plain words", "Paragraph two, pasted."), ("in plain words", "")],
                      waiting=[True, False])
    # Everything before the summary is left empty; the summary's four lines come in order.
    draft, _ = interview(target, script, mode="new", profile="wt2015")
    assert draft.get(("incident", "summary")) == "Paragraph one, pasted.\nParagraph two, pasted.\n"
    assert "Add an agency?" in script.flat  # the second paragraph did not go to the next question


def test_edit_opens_the_editor_for_long_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.teach.terminal import edit_in_editor

    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "before = open(path, encoding='utf-8').read()\n"
        "assert before.endswith('save and close to go on.\\n'), before\n"
        "open(path, 'w', encoding='utf-8').write('Written in the editor.\\n\\nA second paragraph.\\n# a note to self\\n')\n",
        encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    target = tmp_path / "r.yaml"
    script = Scripted([("in plain words", "edit")])
    draft, _ = interview(target, script, mode="new", profile="wt2015", edit=edit_in_editor)
    assert draft.get(("incident", "summary")) == "Written in the editor.\nA second paragraph.\n"
    assert "Saved what you wrote in the editor." in script.flat


def test_the_editor_s_text_keeps_line_separators_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.teach.terminal import edit_in_editor

    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w', encoding='utf-8', newline='').write("
                      "'one\\u2028two\\x85three\\r\\nfour\\rfive\\n# a note\\n')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert edit_in_editor("before") == "one\u2028two\x85three\nfour\nfive"


def test_without_an_editor_it_says_so_and_takes_typed_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrqm.teach.terminal import edit_in_editor

    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    target = tmp_path / "r.yaml"
    script = Scripted([("in plain words", "edit"), ("in plain words", "Typed instead.")])
    draft, _ = interview(target, script, mode="new", profile="wt2015", edit=edit_in_editor)
    assert "No editor is set (the EDITOR variable)" in script.flat
    assert draft.get(("incident", "summary")) == "Typed instead.\n"


# ----------------------------------------------------------------- advice


def test_the_criteria_are_stated_against_the_facts_and_the_rules_answer_at_once(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    script = Scripted([
        ("death, or serious harm", "serious harm"), (r"known or suspected\?", "not suspected"),
        ("notification criteria", "met"), ("The case for a review", "STOP"),
    ])
    with pytest.raises(EOFError):
        def read(prompt: str) -> str:
            answer = Scripted.read(script, prompt)
            if answer == "STOP":
                raise EOFError
            return answer

        script.read = read  # type: ignore[method-assign]
        interview(target, script, mode="new", profile="wt2023")
    flat = script.flat
    assert ("The notification criteria (Children Act 2004 s16C): abuse or neglect of the child is known or "
            "suspected, and the child has died or been seriously harmed.") in flat
    assert "This referral says: the child was seriously harmed; abuse or neglect is not suspected." in flat
    # The rule's own finding, before the next question is asked.
    said = flat.index("`criteria.notification` is met, but `incident.abuse_or_neglect` is not_suspected")
    assert said < flat.index("The case for a review")
    # Irrelevant after met: not asked; relevant after met: asked.
    assert "why would a review still give useful learning" not in flat and "consideration (a)" in flat


def test_a_file_with_shape_errors_is_not_carried_on_with(run_line: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("format: scrqm/referral@1\nreferral:\n  date: 14/03/2016\n", encoding="utf-8")
    result = run_line("new", "--interactive", str(target), input="c\n")
    assert result.exit_code == 2
    assert "line 3:" in result.stdout and "fix the problems above first" in result.stderr
    assert target.read_text(encoding="utf-8") == "format: scrqm/referral@1\nreferral:\n  date: 14/03/2016\n"


def test_not_met_asks_for_the_other_reason_and_not_for_the_statutory_clock(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    script = Scripted([
        ("death, or serious harm", "serious harm"), (r"known or suspected\?", "not suspected"),
        ("notification criteria", "not met"),
        ("why would a review still give useful learning", "Three agencies saw signs of self-harm separately."),
        ("learning priority", "LP2, LP4"), ("Another learning priority", ""),
    ])
    draft, _ = interview(target, script, mode="new", profile="wt2023")
    flat = script.flat
    assert "consideration (a)" not in flat and "notified the Child Safeguarding Practice Review Panel" not in flat
    assert "rapid review was held" not in flat and "Why was the Panel not notified sooner?" not in flat
    assert draft.get(("criteria", "other_reason")) == "Three agencies saw signs of self-harm separately.\n"
    assert list(draft.get(("criteria", "learning_priorities"))) == ["LP2", "LP4"]  # ids, split at commas


def test_a_late_referral_is_told_and_asked_why_under_wt2015(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    script = Scripted([
        ("sent to the LSCB", "2016-11-21"), ("when it was identified", "2016-11-04"),
        ("became aware of it", "2016-11-04"),
        ("Why was the referral not made sooner?", "Neglect was first suspected when the post-mortem findings "
         "were shared on 15 November."),
    ])
    draft, result = interview(target, script, mode="new", profile="wt2015")
    flat = script.flat
    assert ("The referral is made 11 working days after the referrer became aware (weekends and bank holidays "
            "not counted): more than 5") in flat
    assert flat.index("more than 5") < flat.index("Why was the referral not made sooner?")
    assert draft.get(("delay", "explanation")).startswith("Neglect was first suspected")
    assert result.questions["QM1.3"] == "pass"


def test_an_age_in_superscript_digits_is_asked_again_in_words() -> None:
    from scrqm.teach.authoring import _age

    with pytest.raises(ValueError, match="is not an age; write whole years 0-17"):
        _age("\u00b2")
    assert _age("7") == 7
