"""The rules page (docs/rules.md), rendered from the packs so it cannot drift.

One section per shipped profile.  Regenerate with
`python -m scrqm.teach.rulespage > docs/rules.md`; a test fails when the page and the
packs disagree.
"""

from __future__ import annotations

from scrqm.packs.loader import DEFAULT_PROFILE, RuleSet, load_ruleset, profiles


def render_markdown(rulesets: RuleSet | list[RuleSet]) -> str:
    """The page for one profile, or for several (each under its own heading)."""
    if isinstance(rulesets, RuleSet):
        rulesets = [rulesets]
    lines = [
        "# Rules",
        "",
        "Generated from the rule packs in `rules/` by `python -m scrqm.teach.rulespage`; do not edit by hand.",
        "`scrqm explain ID` shows the same for one rule or question, with a passing and a failing example.",
        "",
        f"A run uses profile `{DEFAULT_PROFILE}` unless `--profile` or the configuration says otherwise;",
        "a referral may name its own with `profile:` (see docs/format.md). The profiles:",
        "",
        *[f"- [`{r.profile}`](#profile-{r.profile}): {r.title}" for r in rulesets],
        "",
    ]
    for ruleset in rulesets:
        lines += _profile_section(ruleset)
    return "\n".join(lines)


def _profile_section(ruleset: RuleSet) -> list[str]:
    lines = [
        f"## Profile `{ruleset.profile}`",
        "",
        ruleset.title,
        "",
        "Thresholds (a board's configuration may change them):",
        "",
        *[f"- `{name}`: {value}" for name, value in ruleset.thresholds.items()],
        "",
    ]
    if ruleset.filler is not None:
        fields = ", ".join(f"`{name}`" for name in ruleset.filler.fields)
        lines += [f"Filler is judged like a placeholder in {fields}: a sentence, word or phrase repeated "
                  f"(from {ruleset.filler.repeats} copies) to more than `filler_repeated_percent` of the words, "
                  "more than `filler_not_english_percent` of the words not English, and, where a number of "
                  "distinct content words is set, fewer than it.", ""]
    for name, entries in sorted(ruleset.vocabularies.items()):
        lines += [f"Vocabulary `{name}` (a board adds words under `vocabularies:` in its configuration): "
                  + ", ".join(f"`{e}`" for e in sorted(entries)), ""]
    sections: dict[str, str] = {q.id: f"{q.id}: {' '.join(q.text.split())}" for q in ruleset.questions.values()}
    groups = dict.fromkeys(r.definition.group for r in ruleset.rules if r.definition.group)
    sections.update({g: f"Group `{g}`: {ruleset.groups.get(g, '')}".rstrip(": ") for g in groups})
    for key, title in sections.items():
        rules = [r for r in ruleset.rules if (r.definition.question or r.definition.group) == key]
        lines += [f"### {title}", "", "| Rule | Severity | Checks | How to fix |", "|---|---|---|---|"]
        for rule in rules:
            d = rule.definition
            fix = " ".join(d.fix.split())
            lines.append(f"| `{d.id}` | {d.severity} | {d.title} | {fix} |")
        lines.append("")
        whys = [f"- `{r.id}`: {' '.join(r.definition.why.split())}" for r in rules if r.definition.why]
        if whys:
            lines += ["Why these rules matter:", "", *whys, ""]
    return lines


if __name__ == "__main__":
    print(render_markdown([load_ruleset(name) for name in profiles()]), end="")
