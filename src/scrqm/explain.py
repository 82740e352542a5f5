"""`scrqm rules` and `scrqm explain`: the rule set described for people.

Everything shown comes from the packs (title, message, fix, why, examples) and
the pack's citation, so the explanation of a rule cannot drift from what the
rule does.  An unknown id is a `ScrqmError` with the nearest ids suggested.
"""

from __future__ import annotations

import difflib
import io
import json
from typing import Any

from .errors import ScrqmError
from .packs import Rule, RuleSet
from .teaching import ATTRIBUTION, one_line, question_notes


class UnknownId(ScrqmError):
    """An id that is neither a rule, a question nor a group."""


def rules_table(ruleset: RuleSet) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "question": r.definition.question,
            "group": r.definition.group,
            "severity": r.severity,
            "title": r.definition.title,
            "check": r.definition.check,
            "fix": one_line(r.definition.fix),
            "why": one_line(r.definition.why) if r.definition.why else None,
        }
        for r in ruleset.rules
    ]


def render_rules_text(ruleset: RuleSet) -> str:
    rows = [(r["id"], r["question"] or r["group"], r["severity"], r["title"]) for r in rules_table(ruleset)]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(_HEADINGS)]
    lines = [_row(_HEADINGS, widths), _row(tuple("-" * w for w in widths), widths)]
    lines += [_row(row, widths) for row in rows]
    lines += ["", f"{len(rows)} rules in profile {ruleset.profile}. "
              "Run `scrqm explain ID` for what a rule checks, why, and how to fix it."]
    return "\n".join(lines) + "\n"


_HEADINGS = ("rule", "question/group", "severity", "title")


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def render_rules_json(ruleset: RuleSet) -> str:
    return json.dumps({"profile": ruleset.profile, "rules": rules_table(ruleset)}, indent=2,
                      ensure_ascii=False) + "\n"


def explain(ruleset: RuleSet, identifier: str) -> str:
    """The explanation of a rule, a question or a group; UnknownId otherwise."""
    rule = ruleset.rule(identifier)
    if rule is not None:
        return explain_rule(ruleset, rule)
    question = _case_insensitive(identifier, list(ruleset.questions))
    if question is not None:
        return explain_question(ruleset, question)
    group = _case_insensitive(identifier, _group_names(ruleset))
    if group is not None:
        return explain_group(ruleset, group)
    rule_id = _case_insensitive(identifier, [r.id for r in ruleset.rules])
    if rule_id is not None:
        return explain_rule(ruleset, ruleset.rule(rule_id))  # type: ignore[arg-type]
    raise UnknownId(_unknown_message(ruleset, identifier))


def _group_names(ruleset: RuleSet) -> list[str]:
    return list(dict.fromkeys([*ruleset.groups, *(r.definition.group for r in ruleset.rules if r.definition.group)]))


def _case_insensitive(identifier: str, known: list[str]) -> str | None:
    return next((k for k in known if k.lower() == identifier.lower()), None)


def _unknown_message(ruleset: RuleSet, identifier: str) -> str:
    known = [*ruleset.questions, *_group_names(ruleset), *(r.id for r in ruleset.rules)]
    close = difflib.get_close_matches(identifier, known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return (f"unknown rule or question '{identifier}' in profile {ruleset.profile}{hint} "
            "(`scrqm rules` lists them all)")


def explain_rule(ruleset: RuleSet, rule: Rule) -> str:
    d = rule.definition
    where = f"question {d.question}" if d.question else f"group {d.group}"
    out = [f"{d.id}  ({where}, severity {d.severity})", ""]
    if d.question and d.question in ruleset.questions:
        out += [f'The question: "{one_line(ruleset.questions[d.question].text)}" ({ATTRIBUTION})', ""]
    out += ["What it checks:", _indent(_checks_sentence(rule)), ""]
    if d.why:
        out += ["Why it matters:", _indent(one_line(d.why)), ""]
    out += ["How to fix it:", _indent(one_line(d.fix)), ""]
    out += _example_section("A referral that passes this rule (the part that matters):", d.examples.pass_)
    out += _example_section("A referral that gives this finding:", d.examples.fail)
    source = ruleset.citations.get(rule.pack)
    if source:
        out += [f"Sources: {source}"]
    return "\n".join(out).rstrip("\n") + "\n"


def _checks_sentence(rule: Rule) -> str:
    d = rule.definition
    message = d.message.replace("{", "<").replace("}", ">")
    return one_line(f"{d.title}. The finding reads: \"{message}\" ({d.severity}).")


def _example_section(heading: str, examples: list[dict[str, Any]]) -> list[str]:
    if not examples:
        return []
    # The first example is the plainest; the others cover edge cases the tests need.
    return [heading, _indent(to_yaml(examples[0]).rstrip("\n")), ""]


def to_yaml(data: dict[str, Any]) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 76
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _indent(text: str, by: int = 2) -> str:
    import textwrap

    if "\n" in text or text.startswith(("{", "-")) or ":" in text.split(" ")[0]:
        return textwrap.indent(text, " " * by)
    return "\n".join(textwrap.wrap(text, width=80 - by, initial_indent=" " * by, subsequent_indent=" " * by))


def explain_question(ruleset: RuleSet, question_id: str) -> str:
    question = ruleset.questions[question_id]
    out = [f"{question_id}  {one_line(question.text)}", f"(quoted from {ATTRIBUTION}, Quality Marker 1: Referral)", ""]
    for label, note in question_notes(question)[1:]:
        out += [f"{label}:", _indent(note), ""]
    out += _rule_list(ruleset, [r for r in ruleset.rules if r.definition.question == question_id])
    return "\n".join(out).rstrip("\n") + "\n"


def explain_group(ruleset: RuleSet, group: str) -> str:
    title = ruleset.groups.get(group, "")
    out = [f"{group}  {title}".rstrip(), "(outside the marker's three questions)", ""]
    out += _rule_list(ruleset, [r for r in ruleset.rules if r.definition.group == group])
    return "\n".join(out).rstrip("\n") + "\n"


def _rule_list(ruleset: RuleSet, rules: list[Rule]) -> list[str]:
    if not rules:
        return ["No rule of this profile is in force for it."]
    out = ["Rules (`scrqm explain RULE` for each):"]
    width = max(len(r.id) for r in rules)
    out += [f"  {r.id.ljust(width)}  {r.severity:<4}  {r.definition.title}" for r in rules]
    return out
