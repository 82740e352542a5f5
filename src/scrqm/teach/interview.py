"""`scrqm new --interactive`: a referral written one plain question at a time.

Written for people who have never seen YAML.  Every answer is saved into the
file as soon as it is given (`Draft`, atomically), so an interruption loses
nothing, and running the command again on the file carries on where it
stopped, or goes through every answer to change some.  Questions the answers
make irrelevant are not asked (`other_reason` after `met`), and what the
rules will say is said as soon as it is known: the delay in working days and
whether it needs explaining, and each finding of the real rules once the
fields it is about have been asked.  None of that is worked out here: it is
the rule packs' own delay rules and the checker itself, run on the file.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

from scrqm.check.functions import delay_in_working_days, start_label
from scrqm.errors import ScrqmError
from scrqm.load.document import LoadFailure, load_text
from scrqm.pipeline import check_text
from scrqm.shape.model import Referral, get_field
from scrqm.shape.validate import validate
from scrqm.teach.authoring import Spec, fields_for, parse_answer, with_article
from scrqm.teach.draft import Draft, FieldPath, Long

if TYPE_CHECKING:
    from scrqm.packs.loader import RuleSet
    from scrqm.pipeline import Settings
    from scrqm.result import FileResult, Finding

Mode = Literal["new", "continue", "edit"]
# "gaps": after carrying on, the questions before the stopping point that are still empty.
_Pass = Literal["new", "continue", "edit", "gaps"]


class _Keep:
    """The answer that leaves the field as it is (Enter)."""


KEEP = _Keep()


@dataclass
class Terminal:
    """How the interview talks: `read` one line after a prompt (EOFError at the end, Ctrl-C as
    KeyboardInterrupt), `write` one line, `waiting`: more input already typed or pasted,
    `edit`: the text after the user's editor has changed it (None when no editor is set)."""

    read: Callable[[str], str]
    write: Callable[[str], None]
    waiting: Callable[[], bool] = lambda: False
    edit: Callable[[str], "str | None"] = lambda text: None


# How advice names the date a delay is counted to.
_END_WORDS = {
    "referral.date": "The referral is made",
    "notification.date": "The Panel is notified",
    "rapid_review.date": "The rapid review is held",
    "rapid_review.sent_date": "The rapid review is sent to the Panel",
}


@dataclass(frozen=True)
class DelayAdvice:
    rule: str
    explanation: str  # the field that explains the delay
    end: str
    days: int
    threshold: int
    start: str

    @property
    def late(self) -> bool:
        return self.days > self.threshold

    def sentence(self) -> str:
        said = (f"{_END_WORDS.get(self.end, self.end)} {self.days} working "
                f"day{'s' if self.days != 1 else ''} after {self.start} (weekends and bank holidays not counted): ")
        if self.late:
            return said + (f"more than {self.threshold}, so the referral needs to say why it took longer "
                           "(you will be asked).")
        return said + f"within {self.threshold}, so no explanation of a delay is needed."


class Advisor:
    """What the rules make of the file so far: its delays, and its findings."""

    def __init__(self, ruleset: RuleSet, settings: Settings, display: str) -> None:
        self.ruleset = ruleset
        self.settings = settings
        self.display = display

    def check(self, text: str) -> FileResult:
        return check_text(text, display=self.display, ruleset=self.ruleset, settings=self.settings)

    def explanation_fields(self) -> set[str]:
        return {str(rule.options.explanation) for rule in self._delay_rules()}

    def delays(self, text: str) -> list[DelayAdvice]:
        """Each delay the pack's delay rules count, where the file gives both its dates."""
        try:
            referral = validate(Referral, load_text(text))
        except LoadFailure:
            return []
        if not isinstance(referral, Referral):
            return []
        found = []
        for rule in self._delay_rules():
            options: Any = rule.options
            if options.unless is not None and options.unless.holds(referral):
                continue  # no clock runs (wt2023: the notification criteria are not met)
            computed = delay_in_working_days(referral, options.start, options.end, options.fallback)
            if computed is not None:
                start_field, days = computed
                end = options.end if get_field(referral, options.end) is not None else options.fallback
                found.append(DelayAdvice(rule.id, options.explanation, end, days, options.threshold,
                                         start_label(options.start_labels, start_field)))
        return found

    def _delay_rules(self) -> list[Any]:
        # The rule that fails an unexplained delay says when an explanation is needed.
        return [rule for rule in self.ruleset.rules
                if rule.definition.check == "delay" and getattr(rule.options, "when", None) == "unexplained"]


@dataclass
class Interview:
    """Asks for the fields of `profile` in order, saving each answer with `save`."""

    draft: Draft
    profile: str
    terminal: Terminal
    save: Callable[[], None]
    advisor: Advisor
    mode: Mode = "new"
    _count: int = 0
    _mark: int = -1
    _last_answered: int = -1
    _scanning: bool = False
    _pass: _Pass = "new"
    _gaps: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    _gap_idents: set[tuple[Any, ...]] = field(default_factory=set)
    _said: set[Any] = field(default_factory=set)
    _visited: set[str] = field(default_factory=set)
    _headings: list[str] = field(default_factory=list)
    asked: int = 0
    _told_long: bool = False

    # ------------------------------------------------------------ the walk

    def run(self) -> FileResult:
        fields = fields_for(self.profile)
        self._pass = self.mode
        if self.mode == "continue":
            self._scan(fields)
            self._mark = self._last_answered
            self._gap_idents = {ident for number, ident in self._gaps if number <= self._mark}
        if self.mode != "new":
            result = self.advisor.check(self.draft.text())
            if result.verdict == "invalid":
                self._refuse(result)
            self._said |= {_key(f) for f in result.findings}
            self._said |= {(d.rule, d.days) for d in self.advisor.delays(self.draft.text())}
        self._intro()
        self._walk(fields)
        if self.mode == "continue":
            self._scan(fields)
            gaps = self._gap_idents & {ident for _, ident in self._gaps}
            self._gap_idents = gaps
            if gaps and self._ask_yes_no(
                f"{len(gaps)} question{'s' if len(gaps) != 1 else ''} before where you stopped "
                f"{'are' if len(gaps) != 1 else 'is'} still unanswered. Go back to {'them' if len(gaps) != 1 else 'it'} now?"
            ):
                self._pass = "gaps"
                self._walk(fields)
        return self._finish()

    def _refuse(self, result: FileResult) -> None:
        """A file with shape errors cannot be carried on with: its answers cannot be read back."""
        for finding in result.findings:
            self._advise(f"line {finding.line}: {finding.message}", finding.fix)
        where = self.advisor.display
        raise ScrqmError(f"{where}: fix the problems above first (`scrqm check {where}` shows them), "
                         f"then run `scrqm new --interactive {where}` again")

    def _scan(self, fields: tuple[Spec, ...]) -> None:
        """Walk without asking: where the file's answers stop, and which questions are empty."""
        self._scanning, self._count, self._gaps = True, 0, []
        self._walk(fields)
        self._scanning, self._count = False, 0
        self._visited.clear()

    def _intro(self) -> None:
        say = self.terminal.write
        if self.mode == "continue":
            say("Carrying on where you stopped. Every answer is saved in the file as soon as you give it.")
        elif self.mode == "edit":
            say("Going through every answer: press Enter to keep one as it is, or type a new one.")
        else:
            say("Answer each question in your own words; press Enter to leave one for now.")
            say("Every answer is saved in the file as soon as you give it: you can stop at any time")
            say("(Ctrl-C) and carry on later with the same command.")

    def _walk(self, fields: tuple[Spec, ...]) -> None:
        for spec in fields:
            self._field(spec, (spec.key,))
            self._visited.add(spec.key)
            if not self._scanning:
                # Once a part is done, its dates are all known: what the rules make of it.
                self._advise_delays()
                self._advise_findings()

    def _field(self, spec: Spec, path: FieldPath, *, create: dict[str, Any] | None = None) -> None:
        if not self._relevant(path):
            return
        if spec.is_section:
            self._headings.append(_heading(spec))
            for child in spec.children:
                self._field(child, (*path, child.key))
            self._end_heading()
        elif spec.kind == "items":
            self._fixed(spec, path) if spec.fixed else self._items(spec, path)
        elif spec.kind == "list":
            self._list(spec, path)
        else:
            self._question(spec, path, create=create)

    def _items(self, spec: Spec, path: FieldPath) -> None:
        self._headings.append(_heading(spec))
        index = 0
        noun = spec.item_name
        while True:
            exists = index < self.draft.count(path)
            if not exists:
                question = f"Add {'another ' + noun if index else with_article(noun)}?"
                if not self._yes_no(question):
                    break
            before = self.draft.count(path)
            self._headings.append(f"{noun[:1].upper()}{noun[1:]} {index + 1}")
            for child in spec.children:
                self._field(child, (*path, index, child.key))
            self._end_heading()
            if not exists and self.draft.count(path) == before:
                break  # nothing was written for it: no more
            index += 1
        self._end_heading()

    def _fixed(self, spec: Spec, path: FieldPath) -> None:
        """Entries that are always there: the four regulation 11 considerations."""
        first = spec.children[0].key
        for value, meaning in spec.fixed:
            entries = self.draft.get(path) or []
            index = next((i for i, e in enumerate(entries) if isinstance(e, dict) and str(e.get(first)) == value),
                         len(entries))
            self._headings.append(f"Regulation 11, consideration ({value}): {meaning}")
            for child in spec.children[1:]:
                self._question(child, (*path, index, child.key), create={first: value},
                               ident=(*path, value, child.key))
            self._end_heading()

    def _list(self, spec: Spec, path: FieldPath) -> None:
        """One entry per answer: a comma never splits a name."""
        index = 0
        while True:
            exists = index < self.draft.count(path)
            label = spec.question if index == 0 else f"Another {spec.item_name} (press Enter when there are no more)"
            answered = self._question(Spec(spec.key, "text", "", prompt=label, item_name=spec.item_name),
                                      (*path, index), split_ids=spec.key == "learning_priorities",
                                      gap=index == 0)
            if not exists and not answered:
                return
            index = max(index + 1, self.draft.count(path))

    # ------------------------------------------------------------ one question

    def _next(self) -> tuple[int, bool]:
        """This question's number, and whether to ask it (else the file's answer stands)."""
        number = self._count
        self._count += 1
        if self._scanning:
            return number, False
        if self._pass == "continue" and number <= self._mark:
            return number, False
        return number, True

    def _yes_no(self, question: str) -> bool:
        number, ask = self._next()
        if not ask or self._pass == "gaps":
            return False
        self._show_headings()
        return self._ask_yes_no(question)

    def _ask_yes_no(self, question: str) -> bool:
        while True:
            raw = self._line(f"{question} (y/n): ").strip().lower()
            if raw in ("y", "yes"):
                return True
            if raw in ("", "n", "no"):
                return False
            self.terminal.write("  Answer y or n.")

    def _question(self, spec: Spec, path: FieldPath, *, create: dict[str, Any] | None = None,
                  split_ids: bool = False, ident: tuple[Any, ...] | None = None, gap: bool = True) -> bool:
        """Ask for one value; True when the field has one afterwards.

        `ident` names the question when its path can move (an entry found by its value);
        `gap`: left empty, it counts as a question still to answer (not so "another ...?").
        """
        current = self.draft.get(path)
        number, ask = self._next()
        if self._scanning:
            if _empty(current) and gap:
                self._gaps.append((number, ident or path))
            else:
                self._last_answered = number
        if self._pass == "gaps" and (ident or path) not in self._gap_idents:
            ask = False
        if not ask:
            return not _empty(current)
        shown = None if _empty(current) else current
        self._show_headings()
        self._before(path)
        value = self._read(spec, shown)
        if value is KEEP:
            return shown is not None
        self.asked += 1
        if split_ids and isinstance(value, str) and "," in value:
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if all(re.fullmatch(r"[A-Za-z0-9_.-]+", p) for p in parts):
                for offset, part in enumerate(parts):
                    self.draft.set((*path[:-1], int(path[-1]) + offset), part)
                self.save()
                return True
        if create is not None and self.draft.get(path[:-1]) is None:
            self.draft.set(path[:-1], {**create, str(path[-1]): value})
        else:
            self.draft.set(path, value)
        self.save()
        return value is not None

    def _read(self, spec: Spec, current: Any) -> Any:
        if spec.kind == "long":
            return self._read_long(spec.question, current)
        hint = _choices(spec)
        now = f" [now: {_plain(current)}; Enter keeps it, - clears it]" if current is not None else ""
        question = spec.question.replace("YYYY-MM-DD", "day/month/year, e.g. 20/11/2026")
        while True:
            raw = " ".join(self._line(f"{question}{hint}{now}: ").split())
            if not raw:
                return KEEP
            if raw == "-" and current is not None:
                return None
            try:
                value = parse_answer(spec, raw)
            except ValueError as exc:
                self.terminal.write(f"  {exc}; try again, or press Enter to leave it for now.")
                continue
            if isinstance(value, dt.date):
                self.terminal.write(f"  ({value:%A} {value.day} {value:%B %Y})")
            return value

    def _read_long(self, question: str, current: Any) -> Any:
        say = self.terminal.write
        say(question)
        if not self._told_long:
            self._told_long = True
            say("  Write as many lines as you need; an empty line ends the answer.")
            say("  (Or type edit on its own line to write it in your editor.)")
        else:
            say("  (An empty line ends it; edit opens your editor.)")
        if current is not None:
            say("  Now:")
            for line in textwrap.wrap(" ".join(str(current).split()), 72):
                say(f"    {line}")
            say("  Press Enter to keep it, type new text to replace it, or - to clear it.")
        lines: list[str] = []
        while True:
            line = self._line("  > ")
            stripped = line.strip()
            if not lines and stripped == "edit":
                edited = self.terminal.edit("" if current is None else str(current))
                if edited is None:
                    say("  No editor is set (the EDITOR variable); type the text here instead.")
                    continue
                if not edited.strip():
                    return KEEP
                say("  Saved what you wrote in the editor.")
                return Long(edited)
            if not lines and stripped == "-" and current is not None:
                return None
            if not stripped:
                if not lines:
                    return KEEP
                if self.terminal.waiting():
                    lines.append("")  # a blank line inside pasted text: the paste goes on
                    continue
                break
            lines.append(line)
        return Long("\n".join(lines))

    def _line(self, prompt: str) -> str:
        return self.terminal.read(prompt)

    # ------------------------------------------------------------ what is asked

    def _relevant(self, path: FieldPath) -> bool:
        dotted = ".".join(k for k in path if isinstance(k, str))
        statement = self.draft.get(("criteria", "notification" if self.profile == "wt2023" else "statutory"))
        if dotted in ("criteria.other_reason", "criteria.learning_priorities"):
            return bool(statement == "not_met")
        if dotted in ("criteria.local_review", "notification", "rapid_review"):
            return bool(statement == "met")
        if dotted in self.advisor.explanation_fields():
            delays = [d for d in self.advisor.delays(self.draft.text()) if d.explanation == dotted]
            return any(d.late for d in delays)
        if dotted == "delay":
            return any(self._relevant(("delay", c.key)) for c in _children(fields_for(self.profile), "delay"))
        return True

    # ------------------------------------------------------------ advice

    def _before(self, path: FieldPath) -> None:
        """Before the criteria are stated: what they are, beside what the referral says of the facts."""
        criteria = CRITERIA.get(".".join(str(k) for k in path))
        if criteria is None:
            return
        said = self.draft.get(("incident", "type"))
        abuse = self.draft.get(("incident", "abuse_or_neglect"))
        facts = [f"the child {'died' if said == 'death' else 'was seriously harmed'}" if said else None,
                 f"abuse or neglect is {_plain(abuse)}" if abuse else None,
                 "there is a concern about how agencies worked together"
                 if not _empty(self.draft.get(("working_together_concerns",))) else None]
        known = [f for f in facts if f]
        self._advise(criteria)
        if known:
            self._advise(f"This referral says: {'; '.join(known)}.")

    def _advise_delays(self) -> None:
        for advice in self.advisor.delays(self.draft.text()):
            if (advice.rule, advice.days) not in self._said:
                self._said.add((advice.rule, advice.days))
                self._advise(advice.sentence())

    def _advise_findings(self) -> None:
        result = self.advisor.check(self.draft.text())
        for finding in result.findings:
            top = (finding.field or "").split(".")[0]
            if finding.waived or top not in self._visited or _key(finding) in self._said:
                continue
            self._said.add(_key(finding))
            where = finding.question or finding.group or "shape"
            self._advise(f"{where} {finding.severity}: {finding.message}", finding.fix)

    def _advise(self, text: str, fix: str | None = None) -> None:
        for number, line in enumerate(textwrap.wrap(text, 76, initial_indent="  ! ", subsequent_indent="    ")):
            self.terminal.write(line)
        if fix:
            for line in textwrap.wrap(fix, 76, initial_indent="    → ", subsequent_indent="      "):
                self.terminal.write(line)

    def _finish(self) -> FileResult:
        result = self.advisor.check(self.draft.text())
        say = self.terminal.write
        questions = ", ".join(f"{q} {v}" for q, v in (result.questions or {}).items())
        if self.mode == "continue" and not self.asked:
            say("Nothing was left to ask.")
        if result.verdict == "pass":
            say(f"Done. Every question passes under {self.profile}: {questions}.")
            return result
        say(f"Saved. Under {self.profile}: {questions}. Before it passes:")
        for finding in result.findings:
            if not finding.waived and finding.severity != "info":
                self._advise(f"{finding.question or finding.group} {finding.severity}: {finding.message}",
                             finding.fix)
        return result

    # ------------------------------------------------------------ headings

    def _show_headings(self) -> None:
        for heading in self._headings:
            if heading:
                self.terminal.write(f"— {heading}")
        self._headings[:] = ["" for _ in self._headings]

    def _end_heading(self) -> None:
        if self._headings:
            self._headings.pop()


# The criteria the statement answers, in the words of the regulations (DOMAIN.md).
CRITERIA = {
    "criteria.statutory": (
        "The statutory criteria (LSCB Regulations 2006, regulation 5): abuse or neglect of the child is known "
        "or suspected, and either the child has died, or the child has been seriously harmed and there is "
        "cause for concern about how the agencies worked together."
    ),
    "criteria.notification": (
        "The notification criteria (Children Act 2004 s16C): abuse or neglect of the child is known or "
        "suspected, and the child has died or been seriously harmed."
    ),
}

# What each part of the referral is called when its questions begin.
HEADINGS = {
    "referral": "The referral",
    "referrer": "Who makes the referral",
    "child": "The child (no names and no date of birth: use a pseudonym)",
    "incident": "What happened",
    "agencies": "The agencies involved with the child or family before the incident",
    "criteria": "The criteria",
    "supporting_information": "The documents the case for a review rests on",
    "notification": "The notification to the Child Safeguarding Practice Review Panel",
    "rapid_review": "The rapid review",
    "delay": "The delay",
    "urgent_risks": "Risks that need action now",
}


def _heading(spec: Spec) -> str:
    return HEADINGS.get(spec.key) or spec.hint[:1].upper() + spec.hint[1:]


def _children(fields: tuple[Spec, ...], key: str) -> tuple[Spec, ...]:
    return next((s.children for s in fields if s.key == key), ())


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, str) and not value.strip() or \
        isinstance(value, (list, dict)) and not value


def _key(finding: Finding) -> tuple[str, str | None, str]:
    return (finding.rule, finding.field, finding.message)


def _choices(spec: Spec) -> str:
    if spec.kind == "bool":
        return " (y/n)"
    if spec.kind == "choice":
        return f" ({' / '.join(c.replace('_', ' ') for c in spec.choices)})"
    return ""


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.replace("_", " ") if re.fullmatch(r"[a-z_]+", value) else value
    return str(value)
