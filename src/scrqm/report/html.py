"""The HTML report: one self-contained page, a paper for the SCR sub-group or board.

Everything is inline (CSS, an SVG chart), a Content-Security-Policy forbids
any fetch, and nothing needs JavaScript, so the file can be emailed, opened
offline and printed.  Verdicts are words in a badge, so colour is never the
only signal; tables have captions and scoped header cells.

It is written for board members first: each referral is named by its case
reference, the child's pseudonym and its date (the file path comes second),
and its page says in plain words what each question found.  Line and column
numbers and rule ids, which only the referral's author needs, are kept to an
appendix.  Printed on A4, the overview comes first, each referral starts a
page, and no table row, heading or block of findings is split or left alone
at the foot of a page.  Every piece of text from a referral or a path is
escaped with `html.escape`.
"""

from __future__ import annotations

import html
from typing import TextIO

from scrqm import __version__
from scrqm.report import Run
from scrqm.report.paper import MEANING, as_of, columns, delay_sentence, judged_by, name_of, rows_of, verdict_in
from scrqm.result import FileResult, Finding
from scrqm.teach.marker import question_notes, statement_note

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
h2 { font-size: 1.25rem; margin: 2rem 0 .2rem; border-bottom: 2px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .2rem; }
h2 .verdict, h3 .verdict { font-size: .85em; vertical-align: .1em; margin-left: .4rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f1f2f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.verdict-cell { white-space: nowrap; }
.verdict { display: inline-block; font-weight: 700; border-radius: .25rem; padding: 0 .4rem;
           border: 1px solid currentColor; letter-spacing: .02em; }
.v-pass { color: var(--pass); background: var(--pass-bg); }
.v-warn { color: var(--warn); background: var(--warn-bg); }
.v-fail { color: var(--fail); background: var(--fail-bg); }
.v-invalid { color: var(--invalid); background: var(--invalid-bg); }
.v-info { color: var(--info); background: var(--info-bg); }
ul.found { margin: 0; padding-left: 1.1rem; }
ul.found li + li { margin-top: .2rem; }
.fix { margin: .15rem 0 0; color: #333; }
.fix::before { content: "What to write: "; font-weight: 600; }
.none { color: #444; }
code { font-family: ui-monospace, Consolas, monospace; font-size: .92em; background: #f3f3f3; padding: 0 .2rem; }
.meta, footer, .path, .count { color: #444; font-size: .9rem; }
.path { margin: 0 0 .5rem; }
.count { margin: 0; text-transform: uppercase; letter-spacing: .04em; font-size: .78rem; }
table.verdicts td, table.verdicts thead th + th { width: 1%; white-space: nowrap; }
table.verdicts .verdict { font-size: .8em; }
table.verdicts tbody th { font-weight: normal; white-space: nowrap; }
table.board > thead > tr > th:first-child { width: 40%; }
table.board tbody th { font-weight: normal; }
dl.key { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .5rem 0 1rem; }
dl.key dt { font-weight: 600; }
dl.key dd { margin: 0; }
.teach { border-left: 4px solid var(--info); background: #f5fafc; padding: .4rem .8rem; margin: .5rem 0; }
figure { margin: 1rem 0; }
figcaption { font-size: .9rem; color: #333; }
figure.chart svg { max-width: 100%; height: auto; }
svg text { font: 11.5px system-ui, Arial, sans-serif; fill: #1a1a1a; }
a { color: #0b4f71; }
@page { size: A4; margin: 16mm 14mm 18mm;
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, Arial, sans-serif; color: #444; } }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  h2 { margin-top: 0; }
  h1, h2, h3, caption, .count, .path { break-after: avoid; page-break-after: avoid; }
  tr, figure, .teach, dl.key, .author, .delays { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section.file table, section.overview table.verdicts { break-inside: avoid; page-break-inside: avoid; }
  section.file, section.appendix { break-before: page; page-break-before: always; }
  table.verdicts { font-size: 9pt; }
  table.verdicts th, table.verdicts td { padding: .1rem .35rem; }
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
    body.append(_appendix(run))
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
        *[part for part in body if part],
        "</main>",
        _footer(),
        "</body>",
        "</html>",
        "",
    ])


def _header(run: Run) -> str:
    summary = run.summary
    counts = ", ".join(f"{summary[v]} {v}" for v in ("pass", "warn", "fail", "invalid") if summary[v])
    noun = "referral" if summary["files"] == 1 else "referrals"
    parts = ["<header>", f"<h1>{esc(TITLE)}</h1>",
             f'<p class="meta">{summary["files"]} {noun} checked: {esc(counts or "nothing to report")}. '
             f"{esc(judged_by(run))}</p>"]
    parts += [f'<p class="meta">{esc(line)}</p>' for line in as_of(run)]
    if run.teach and statement_note(run.ruleset):
        parts.append(f'<p class="teach">{esc(statement_note(run.ruleset))}</p>')
    shown = [v for v in ("pass", "warn", "fail", "invalid") if summary[v]] or ["pass"]
    meanings = "".join(f"<dt>{badge(v)}</dt><dd>{esc(MEANING[v].capitalize())}.</dd>" for v in shown)
    parts.append(f'<dl class="key" aria-label="What the verdicts mean">{meanings}</dl>')
    if len(run.results) > 1:
        parts.append(_column_key(run))
        parts.append("<p>The overview gives each referral's verdict, question by question; each referral then has a "
                     "page of its own, saying what the check found; an appendix for the authors says where in "
                     "each file a finding is and what to write.</p>")
    return "\n".join([*parts, "</header>"])


def _column_key(run: Run) -> str:
    """What the overview's columns are: on the first page, so the overview table has its page to itself."""
    key = "".join(f"<dt>{esc(c.heading)}</dt><dd>{esc(c.description)}</dd>" for c in columns(run))
    key += ("<dt>Delay</dt><dd>Working days from when the agency became aware of the incident (or, failing that, "
            "the incident) to the referral or notification.</dd>")
    return f'<h2 class="key-heading">The overview\'s columns</h2><dl class="key" aria-label="The overview\'s columns">{key}</dl>'


def _overview(run: Run) -> str:
    cols = columns(run)
    head = "".join(f'<th scope="col">{esc(c.heading)}</th>' for c in cols)
    rows = []
    for index, result in enumerate(run.results, 1):
        cells = "".join(f'<td class="verdict-cell">{badge(v) if (v := verdict_in(result, c)) else "—"}</td>'
                        for c in cols)
        delay = result.facts.get("delay_working_days")
        rows.append(f'<tr><th scope="row"><a href="#file-{index}">{esc(name_of(result).short)}</a></th>'
                    f'<td class="verdict-cell">{badge(result.verdict)}</td>{cells}'
                    f'<td class="num">{"—" if delay is None else esc(delay)}</td></tr>')
    table = ('<table class="verdicts"><caption>Verdict of each referral, question by question</caption>'
             f'<thead><tr><th scope="col">Referral</th><th scope="col">Verdict</th>{head}'
             '<th scope="col">Delay</th></tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>")
    chart = delay_chart(run.results)
    if chart:
        chart = f'<div class="delays"><h3>Delay before each referral, in working days</h3>{chart}</div>'
    return "\n".join(['<section class="overview" aria-labelledby="overview">', '<h2 id="overview">Overview</h2>',
                      table, chart, "</section>"])


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
        name = name_of(result)
        label = name.parts[0] if name.parts else result.path.rsplit("/", 1)[-1]
        parts.append(_bar(row, result.path, label, delay, row_threshold, scale, explained=explained))
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


def _bar(row: int, path: str, name: str, delay: int, threshold: int | None, scale: float, *,
         explained: bool) -> str:
    y = 8 + row * _ROW
    late = threshold is not None and delay > threshold
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


# ----------------------------------------------------------------- per referral

def _file_section(run: Run, index: int, result: FileResult) -> str:
    name = name_of(result)
    parts = [f'<section class="file" id="file-{index}" aria-labelledby="file-{index}-h">',
             f'<p class="count">Referral {index} of {len(run.results)}</p>',
             f'<h2 id="file-{index}-h">{esc(name.title)} {badge(result.verdict)}</h2>',
             f'<p class="path">File: <code>{esc(result.path)}</code></p>' if name.parts else ""]
    delay = delay_sentence(result)
    if delay is not None:
        parts.append(f"<p>Timeliness: {esc(delay)}</p>")
    if result.questions is None:
        parts.append(f"<p>{esc(MEANING['invalid'].capitalize())}: the author must correct the file first "
                     "(the appendix says where).</p>")
        parts.append(_board_table("What is wrong with the file", [("The file", "", result.verdict,
                                                                    tuple(result.findings))], "Part"))
    else:
        rows = [(row.label, row.text, row.verdict, row.findings) for row in rows_of(run, result)]
        parts.append(_board_table("What Quality Marker 1 asks, and what the check found", rows))
        if run.teach:
            parts += [_teaching(run, result, qid) for qid in result.questions]
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _board_table(caption: str, rows: list[tuple[str, str, str, tuple[Finding, ...]]], first: str = "Question") -> str:
    """The board's view: the question, its verdict and the findings in words; no positions, no rule ids."""
    body = []
    for label, text, verdict, findings in rows:
        asks = f"<strong>{esc(label)}</strong> {esc(text)}" if text else f"<strong>{esc(label)}</strong>"
        found = "".join(f"<li>{_severity_word(f)}{message_html(f.message)}{_in_field(f)}{_waived(f)}</li>"
                        for f in findings)
        body.append(f'<tr><th scope="row">{asks}</th><td class="verdict-cell">{badge(verdict)}</td>'
                    f'<td>{f"<ul class=found>{found}</ul>" if found else "<span class=none>Nothing to add.</span>"}</td></tr>')
    return (f'<table class="board"><caption>{esc(caption)}</caption><thead><tr>'
            f'<th scope="col">{esc(first)}</th><th scope="col">Verdict</th><th scope="col">What the check found</th>'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _severity_word(finding: Finding) -> str:
    return f"{badge(finding.severity)} "


def _in_field(finding: Finding) -> str:
    """Which field a finding is about, when its message does not say: the board view has no line numbers."""
    if not finding.field or f"`{finding.field.rsplit('.', 1)[-1]}`" in finding.message or f"`{finding.field}" in finding.message:
        return ""
    return f" (in <code>{esc(finding.field)}</code>)"


def _waived(finding: Finding) -> str:
    return f" <em>(waived: {esc(finding.waiver_reason or 'no reason given')})</em>" if finding.waived else ""


def _teaching(run: Run, result: FileResult, qid: str) -> str:
    question = run.ruleset_for(result).questions.get(qid)
    if question is None:
        return ""
    notes = "".join(f"<li><strong>{esc(label)}:</strong> {esc(note)}</li>" for label, note in question_notes(question))
    return f'<aside class="teach"><h3>For training: {esc(qid)}</h3><ul>{notes}</ul></aside>'


# ----------------------------------------------------------------- for the authors

def _appendix(run: Run) -> str:
    """Where each finding is (line and column), its rule and what to write: for whoever corrects the file."""
    blocks = [_author_block(index, result) for index, result in enumerate(run.results, 1) if result.findings]
    if not blocks:
        return ""
    return "\n".join(['<section class="appendix" aria-labelledby="appendix">',
                      '<h2 id="appendix">Appendix for the authors: where each finding is</h2>',
                      "<p>Line and column in the referral's file, the rule that found it, and what to write. "
                      "For why a rule matters, with a passing and a failing example, run "
                      "<code>scrqm explain RULE</code>.</p>",
                      *blocks, "</section>"])


def _author_block(index: int, result: FileResult) -> str:
    name = name_of(result)
    heading = f'<h3><a href="#file-{index}">{esc(name.title)}</a></h3>'
    return f'<div class="author">{heading}{_findings_table(result.findings, f"Findings in {result.path}")}</div>'


def _findings_table(findings: list[Finding], caption: str) -> str:
    rows = []
    for f in findings:
        fix = f'<p class="fix">{message_html(f.fix)}</p>' if f.fix else ""
        rows.append(f'<tr><td class="num">{f.line}:{f.column}</td><td>{badge(f.severity)}</td>'
                    f"<td>{message_html(f.message)}{_waived(f)}{fix}</td><td><code>{esc(f.rule)}</code></td></tr>")
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>"
            '<th scope="col">Line:column</th><th scope="col">Severity</th><th scope="col">Finding</th>'
            f'<th scope="col">Rule</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _footer() -> str:
    return ("<footer><p>Questions quoted from NSPCC/SCIE (2016) SCR Quality Markers, Quality Marker 1: Referral. "
            f"Produced offline by scrqm {esc(__version__)}; the referrals' text stays in this file.</p></footer>")
