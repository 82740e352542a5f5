"""`scrqm explain`: a rule, question or group described for people.

Everything shown comes from the packs (title, message, fix, why, examples) and
the pack's citation, so the explanation of a rule cannot drift from what the
rule does.  An unknown id is a `ScrqmError` with the nearest ids suggested.
"""

from __future__ import annotations

import difflib
import textwrap
from typing import Any

from scrqm.check.builtins import BUILT_INS
from scrqm.errors import ScrqmError
from scrqm.packs.loader import Rule, RuleSet
from scrqm.teach.marker import ATTRIBUTION, one_line, question_notes
from scrqm.teach.packtests import check_example, to_yaml


class UnknownId(ScrqmError):
    """An id that is neither a rule, a question nor a group."""


def explain(ruleset: RuleSet, identifier: str) -> str:
    """The explanation of a rule, a question or a group; UnknownId otherwise."""
    builtin = BUILT_INS.get(identifier.lower())
    if builtin is not None and ruleset.rule(identifier) is None:
        return f"{builtin.id}  ({builtin.title[0].lower()}{builtin.title[1:]})\n\n{builtin.explanation}"
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
    out += _example_section("A referral that passes this rule (the part that matters):", d.examples.pass_,
                            ruleset, rule, "pass")
    out += _example_section("A referral that gives this finding:", d.examples.fail, ruleset, rule, "fail")
    source = ruleset.citations.get(rule.pack)
    if source:
        out += [f"Sources: {source}"]
    return "\n".join(out).rstrip("\n") + "\n"


def _checks_sentence(rule: Rule) -> str:
    d = rule.definition
    message = d.message.replace("{", "<").replace("}", ">")
    return one_line(f"{d.title}. The finding reads: \"{message}\" ({d.severity}).")


def _example_section(heading: str, examples: list[dict[str, Any]], ruleset: RuleSet, rule: Rule,
                     kind: str) -> list[str]:
    if not examples:
        return []
    # The fullest example shows most of what to write (a late referral *with*
    # its explanation, rather than one that was simply on time).
    example = max(examples, key=_leaf_count)
    return [heading, _indent(to_yaml(example).rstrip("\n")), *_misbehaves(ruleset, rule, example, kind), ""]


def _misbehaves(ruleset: RuleSet, rule: Rule, example: dict[str, Any], kind: str) -> list[str]:
    """A warning when the example shown does not do what its heading says (checked as `scrqm check` would)."""
    result = check_example(ruleset, rule, example)
    if any(f.rule in ("load", "shape") for f in result.findings):
        said = "it is not a valid referral"
    else:
        found = any(f.rule == rule.id for f in result.findings)
        if found is (kind == "fail"):
            return []
        said = "it gives this rule's finding" if found else "it gives no finding from this rule"
    return [f"  Warning: this example does not behave as its heading says: {said}. "
            "Run `scrqm test-rules` on the pack."]


def _leaf_count(node: Any) -> int:
    if isinstance(node, dict):
        return sum(_leaf_count(v) for v in node.values())
    if isinstance(node, list):
        return sum(_leaf_count(v) for v in node)
    return 1


def _indent(text: str, by: int = 2) -> str:
    if "\n" in text or text.startswith(("{", "-")) or ":" in text.split(" ")[0]:
        return "\n".join(line.rstrip() for line in textwrap.indent(text, " " * by).splitlines())
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
