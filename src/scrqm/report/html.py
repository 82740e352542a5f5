"""The HTML report: one self-contained page for SCR sub-group papers.

Everything is inline (CSS, an SVG chart), a Content-Security-Policy forbids
any fetch, and nothing needs JavaScript, so the file can be emailed, opened
offline and printed.  Verdicts are words in a badge, so colour is never the
only signal; tables have captions and scoped header cells; `@page` sets A4.
Every piece of text from a referral or a path is escaped with `html.escape`.
"""

from __future__ import annotations

import html
from typing import TextIO

from scrqm import __version__
from scrqm.result import FileResult, Finding
from scrqm.report import Run

TITLE = "SCR Quality Marker 1: referral check"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --pass: #14532d; --pass-bg: #dcf2e1; --warn: #6b4300; --warn-bg: #fdf0c8;
        --fail: #8f1016; --fail-bg: #fbe0e0; --invalid: #5b1677; --invalid-bg: #efe0f6;
        --info: #0b4f71; --info-bg: #ddeff8; --rule: #c9ccd1; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, "Segoe UI", Arial, sans-serif; color: #1a1a1a; margin: 0 auto;
       max-width: 62rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f1f2f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { display: inline-block; font-weight: 700; border-radius: .25rem; padding: 0 .4rem;
           border: 1px solid currentColor; letter-spacing: .02em; }
.v-pass { color: var(--pass); background: var(--pass-bg); }
.v-warn { color: var(--warn); background: var(--warn-bg); }
.v-fail { color: var(--fail); background: var(--fail-bg); }
.v-invalid { color: var(--invalid); background: var(--invalid-bg); }
.v-info { color: var(--info); background: var(--info-bg); }
.fix { margin: .15rem 0 0; color: #333; }
.fix::before { content: "What to write: "; font-weight: 600; }
code { font-family: ui-monospace, Consolas, monospace; font-size: .92em; background: #f3f3f3; padding: 0 .2rem; }
.meta, footer { color: #444; font-size: .9rem; }
.teach { border-left: 4px solid var(--info); background: #f5fafc; padding: .4rem .8rem; margin: .5rem 0; }
figure { margin: 1rem 0; }
figcaption { font-size: .9rem; color: #333; }
figure.chart svg { max-width: 100%; height: auto; }
svg text { font: 11.5px system-ui, Arial, sans-serif; fill: #1a1a1a; }
a { color: #0b4f71; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, figure, .teach { break-inside: avoid; page-break-inside: avoid; }
  section.file { break-before: auto; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def badge(verdict: str) -> str:
    """A verdict as a word in a coloured badge: the word carries the meaning, colour only helps."""
    return f'<span class="verdict v-{esc(verdict)}">{esc(verdict.upper())}</span>'


def message_html(text: str) -> str:
    """A message with its `field` spans as <code>; all text escaped first."""
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:
        return esc(text)
    return "".join(f"<code>{esc(p)}</code>" if i % 2 else esc(p) for i, p in enumerate(parts))


class HtmlReporter:
    def render(self, run: Run, stream: TextIO) -> None:
        stream.write(render_page(run))


def render_page(run: Run) -> str:
    body = [_header(run)]
    if len(run.results) > 1:
        body.append(_overview(run))
    body += [_file_section(run, index, result) for index, result in enumerate(run.results, 1)]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(TITLE)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        "</main>",
        _footer(),
        "</body>",
        "</html>",
        "",
    ])


def _header(run: Run) -> str:
    from scrqm.teach.marker import statement_note

    summary = run.summary
    counts = ", ".join(f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v])
    noun = "referral" if summary["files"] == 1 else "referrals"
    parts = ["<header>", f"<h1>{esc(TITLE)}</h1>",
             f'<p class="meta">{summary["files"]} {noun} checked: {esc(counts or "nothing to report")}. '
             f"Profile <code>{esc(run.ruleset.profile)}</code>; scrqm {esc(__version__)}.</p>"]
    if run.teach and statement_note(run.ruleset):
        parts.append(f'<p class="teach">{esc(statement_note(run.ruleset))}</p>')
    return "\n".join([*parts, "</header>"])


def _overview(run: Run) -> str:
    questions = list(run.ruleset.questions)
    head = "".join(f'<th scope="col">{esc(q)}</th>' for q in questions)
    rows = []
    for index, result in enumerate(run.results, 1):
        cells = "".join(f"<td>{badge(v) if (v := (result.questions or {}).get(q)) else '—'}</td>" for q in questions)
        delay = result.facts.get("delay_working_days")
        rows.append(f'<tr><th scope="row"><a href="#file-{index}">{esc(result.path)}</a></th>'
                    f"<td>{badge(result.verdict)}</td>{cells}"
                    f'<td class="num">{"—" if delay is None else esc(delay)}</td></tr>')
    table = ("<table><caption>Verdict of each referral, question by question</caption>"
             f'<thead><tr><th scope="col">Referral</th><th scope="col">Verdict</th>{head}'
             '<th scope="col">Delay (working days)</th></tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>")
    chart = delay_chart(run.results)
    return "\n".join(['<section aria-labelledby="overview">', '<h2 id="overview">Overview</h2>', table,
                      chart, "</section>"])


# ----------------------------------------------------------------- the chart

_ROW = 24
_LABEL_WIDTH = 290
_CHART_WIDTH = 760
_BAR_AREA = _CHART_WIDTH - _LABEL_WIDTH - 175


def delay_chart(results: list[FileResult]) -> str:
    """Each referral's delay in working days as a bar, against the threshold line."""
    rows = [(r, r.facts["delay_working_days"], r.facts.get("delay_threshold"))
            for r in results if r.facts.get("delay_working_days") is not None]
    if not rows:
        return ""
    thresholds = {t for _, _, t in rows if t is not None}
    threshold = max(thresholds) if thresholds else None
    top = max([d for _, d, _ in rows] + [threshold or 0, 1])
    scale = _BAR_AREA / top
    height = _ROW * len(rows) + 40
    parts = [f'<svg role="img" aria-labelledby="chart-title chart-desc" '
             f'width="{_CHART_WIDTH}" height="{height}" viewBox="0 0 {_CHART_WIDTH} {height}">',
             '<title id="chart-title">Delay before each referral, in working days</title>',
             f'<desc id="chart-desc">{len(rows)} referrals; the dashed line is the threshold of '
             f"{esc(threshold)} working days; bars past it are late and need an explanation.</desc>"]
    for row, (result, delay, row_threshold) in enumerate(rows):
        explained = (result.questions or {}).get("QM1.3") == "pass"
        parts.append(_bar(row, result.path, delay, row_threshold, scale, explained=explained))
    if threshold is not None:
        x = _LABEL_WIDTH + threshold * scale
        parts.append(f'<line class="threshold" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 30}" '
                     'stroke="#1a1a1a" stroke-width="1.5" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle">threshold: '
                     f"{esc(threshold)} working days</text>")
    parts.append("</svg>")
    caption = ("<figcaption>Working days from when the referrer became aware (or, failing that, the incident) "
               "to the referral. A bar marked “late” passes the threshold and needs an explanation of the delay.</figcaption>")
    return f'<figure class="chart">{"".join(parts)}{caption}</figure>'


def _bar(row: int, path: str, delay: int, threshold: int | None, scale: float, *, explained: bool) -> str:
    y = 8 + row * _ROW
    late = threshold is not None and delay > threshold
    name = path.rsplit("/", 1)[-1]
    label = name if len(name) <= 42 else name[:41] + "…"
    # A late referral whose delay is explained is timely: amber, not red.
    colour = ("#a15c00" if explained else "#b3261e") if late else "#2e7d32"
    width = max(delay * scale, 1.5)
    status = (" (late, explained)" if explained else " (late)") if late else ""
    words = f"{delay} day{'s' if delay != 1 else ''}{status}"
    return (f'<g class="bar-row"><title>{esc(path)}: {esc(words)}</title>'
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{esc(label)}</text>'
            f'<rect class="bar{" late" if late else ""}" data-delay="{delay}" x="{_LABEL_WIDTH}" y="{y}" '
            f'width="{width:.1f}" height="{_ROW - 8}" fill="{colour}"/>'
            f'<text x="{_LABEL_WIDTH + width + 6:.1f}" y="{y + 13}">{esc(words)}</text></g>')


# ----------------------------------------------------------------- per file

def _file_section(run: Run, index: int, result: FileResult) -> str:
    parts = [f'<section class="file" id="file-{index}" aria-labelledby="file-{index}-h">',
             f'<h2 id="file-{index}-h">{esc(result.path)} {badge(result.verdict)}</h2>']
    delay = result.facts.get("delay_working_days")
    if delay is not None:
        parts.append(f"<p>Referred {esc(delay)} working days after the start date; the threshold is "
                     f"{esc(result.facts.get('delay_threshold'))}.</p>")
    if result.questions is None:
        parts.append("<p>This file is not a valid referral yet: fix these before its quality can be judged.</p>")
        parts.append(_findings_table(result.findings, "Problems with the file"))
    else:
        parts.append(_questions_table(run, result))
        for qid in result.questions:
            parts.append(_question_block(run, qid, [f for f in result.findings if f.question == qid]))
        for group in result.groups:
            title = run.ruleset.groups.get(group, group)
            parts.append(_findings_table([f for f in result.findings if f.group == group], f"{title} ({group})"))
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _questions_table(run: Run, result: FileResult) -> str:
    rows = []
    for qid, verdict in (result.questions or {}).items():
        question = run.ruleset.questions.get(qid)
        rows.append(f'<tr><th scope="row">{esc(qid)}</th><td>{esc(question.text if question else "")}</td>'
                    f"<td>{badge(verdict)}</td></tr>")
    for group, verdict in result.groups.items():
        rows.append(f'<tr><th scope="row">{esc(group)}</th><td>{esc(run.ruleset.groups.get(group, ""))}</td>'
                    f"<td>{badge(verdict)}</td></tr>")
    return ("<table><caption>Verdict for each question</caption><thead><tr>"
            '<th scope="col">Question</th><th scope="col">Quality Marker 1 asks</th><th scope="col">Verdict</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _question_block(run: Run, qid: str, findings: list[Finding]) -> str:
    parts = []
    if findings:
        parts.append(_findings_table(findings, f"Findings for {qid}"))
    if run.teach and qid in run.ruleset.questions:
        from scrqm.teach.marker import question_notes

        notes = "".join(f"<li><strong>{esc(label)}:</strong> {esc(note)}</li>"
                        for label, note in question_notes(run.ruleset.questions[qid]))
        parts.append(f'<aside class="teach"><h3>For training: {esc(qid)}</h3><ul>{notes}</ul></aside>')
    return "\n".join(parts)


def _findings_table(findings: list[Finding], caption: str) -> str:
    if not findings:
        return ""
    rows = []
    for f in findings:
        fix = f'<p class="fix">{message_html(f.fix)}</p>' if f.fix else ""
        waived = f" <em>(waived: {esc(f.waiver_reason or 'no reason given')})</em>" if f.waived else ""
        rows.append(f'<tr><td class="num">{f.line}:{f.column}</td><td>{badge(f.severity)}</td>'
                    f"<td>{message_html(f.message)}{waived}{fix}</td><td><code>{esc(f.rule)}</code></td></tr>")
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>"
            '<th scope="col">Line:column</th><th scope="col">Severity</th><th scope="col">Finding</th>'
            f'<th scope="col">Rule</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _footer() -> str:
    return ("<footer><p>Questions quoted from NSPCC/SCIE (2016) SCR Quality Markers, Quality Marker 1: Referral. "
            "For what a rule checks, why, and how to fix it, run <code>scrqm explain RULE</code>. "
            "Generated offline by scrqm; the referrals' text stays in this file.</p></footer>")
