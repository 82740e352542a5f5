"""The HTML and Markdown reports as a paper for the board, on screen and printed on A4.

A board member knows a referral by its case reference, the child's pseudonym
and its date, not its path; needs the report's date and the day the delays
were counted to; reads findings in words (positions and rule ids are for the
author, in an appendix); and prints the paper: each referral on a page of its
own, no table split.  The print test runs Debian's `chromium` headless, as
tests/test_report_html.py does, and reads the PDF's pages back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY, invoke
from scrqm.load.document import load_text
from test_report_html import MANIFEST, chromium, needs_chromium

FEW = ["01-exemplary-death.yaml", "13-qm13-fail-late-unexplained.yaml", "16-privacy-warn-nhs-number.yaml",
       "17-practice-warn-urgent-risk-no-action.yaml"]


def names(example: str) -> tuple[str, str, dt.date]:
    """The case reference, child and referral date an example file gives."""
    data = load_text((EXAMPLES / example).read_text(encoding="utf-8"), source=example).data
    return data["referral"]["reference"], data["child"]["reference"], data["referral"]["date"]


def long(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


@pytest.fixture
def few(run_line: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798848000")  # 2027-01-02: the report's own date

    def run(fmt: str, *more: str) -> str:
        return str(run_line("check", "-f", fmt, "--today", TODAY, *more, *[str(EXAMPLES / f) for f in FEW]).stdout)

    return run


def sections(page: str) -> tuple[list[str], str]:
    """The HTML report's referral sections, and its appendix."""
    files = re.findall(r'<section class="file".*?</section>', page, re.S)
    appendix = re.search(r'<section class="appendix".*?</section>', page, re.S)
    assert appendix is not None
    return files, appendix.group(0)


def findings_of(run_line: Callable[..., Any]) -> list[dict[str, Any]]:
    out = run_line("check", "-f", "json", "--today", TODAY, *[str(EXAMPLES / f) for f in FEW]).stdout
    return [f for file in json.loads(out)["files"] for f in file["findings"]]


def test_html_names_each_referral_by_case_child_and_date_with_the_path_below(few: Callable[..., str]) -> None:
    files, _ = sections(few("html"))
    assert len(files) == len(FEW)
    for example, section in zip(FEW, files):
        case, child, date = names(example)
        heading = re.search(r"<h2 [^>]*>(.*?) <span", section)
        assert heading is not None and heading.group(1) == f"{case} · {child} · referred {long(date)}"
        assert re.search(rf'<p class="path">File: <code>[^<]*/{re.escape(example)}</code>', section)


def test_markdown_names_each_referral_by_case_child_and_date_with_the_path_below(few: Callable[..., str]) -> None:
    out = few("markdown")
    for index, example in enumerate(FEW, 1):
        case, child, date = names(example)
        assert re.search(rf"^## {re.escape(case)} · {re.escape(child)} · referred {long(date)}: [A-Z]+\n\n"
                         rf"Referral {index} of {len(FEW)}; file `[^`]*/{re.escape(example)}`$", out, re.M), example


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_the_report_says_when_it_was_made_and_which_day_delays_were_counted_to(
    few: Callable[..., str], run_line: Callable[..., Any], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = few(fmt)
    assert "Report produced on 2 January 2027." in out
    assert "Checked as of 26 November 2026: a date after it is in the future" in out
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    today = dt.date.today()
    plain = run_line("check", "-f", fmt, str(EXAMPLES / FEW[0])).stdout
    assert f"Report produced on {long(today)}." in plain and f"Checked as of {long(today)}:" in plain


def test_the_overview_has_a_column_for_every_group_with_findings(few: Callable[..., str]) -> None:
    page = few("html")
    table = re.search(r'<table class="verdicts">.*?</table>', page, re.S)
    assert table is not None
    head = re.findall(r'<th scope="col">([^<]*)</th>', table.group(0))
    assert head == ["Referral", "Verdict", "QM1.1", "QM1.2", "QM1.3", "Privacy", "Practice", "Delay"]
    rows = {re.sub(r"<[^>]+>", "", row.split("</th>")[0]): re.findall(r'class="verdict v-(\w+)"', row)
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table.group(0))}
    case, child, date = names("16-privacy-warn-nhs-number.yaml")
    assert rows[f"{case} · {child} · {date.day} {date:%b %Y}"] == ["warn", "pass", "pass", "pass", "warn", "pass"]
    case, child, date = names("17-practice-warn-urgent-risk-no-action.yaml")
    assert rows[f"{case} · {child} · {date.day} {date:%b %Y}"] == ["warn", "pass", "pass", "pass", "pass", "warn"]
    markdown = few("markdown")
    assert "| Referral | Verdict | QM1.1 | QM1.2 | QM1.3 | Privacy | Practice | Delay |" in markdown
    case, child, date = names("16-privacy-warn-nhs-number.yaml")
    assert f"| {case} · {child} · {date.day} {date:%b %Y} | **WARN** | pass | pass | pass | warn | pass | 3 |" in markdown


def test_the_board_view_has_no_positions_or_rule_ids_and_the_appendix_has_them(
    few: Callable[..., str], run_line: Callable[..., Any]
) -> None:
    findings = findings_of(run_line)
    assert findings
    files, appendix = sections(few("html"))
    board = "\n".join(files)
    assert not re.search(r"\b\d+:\d+\b", board) and "Line:column" not in board
    assert "scrqm explain" not in board and "scrqm explain" not in few("html").split('<section class="appendix"')[0]
    for finding in findings:
        assert finding["rule"] not in board
        assert f'{finding["line"]}:{finding["column"]}</td>' in appendix and f"<code>{finding['rule']}</code>" in appendix
    markdown = few("markdown")
    main, _, author = markdown.partition("## Appendix for the authors")
    assert author and "scrqm explain RULE" in author and "scrqm explain" not in main
    for finding in findings:
        assert f"`{finding['rule']}`" not in main and f"line {finding['line']}, column" not in main
        assert f"line {finding['line']}, column {finding['column']} " in author and f"`{finding['rule']}`" in author


def test_the_board_view_says_which_field_a_finding_without_one_in_its_message_is_about(
    few: Callable[..., str]
) -> None:
    files, _ = sections(few("html"))
    privacy = next(s for s in files if "16-privacy" in s)
    assert re.search(r"NHS number; the value is not shown here \(in <code>[a-z_.0-9]+</code>\)", privacy)


# ----------------------------------------------------------------- printed on A4

@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[dict[str, Any]]]:
    """The examples folder's HTML report printed to PDF by Chromium: each page's text, and the run's results."""
    from pypdf import PdfReader
    folder = tmp_path_factory.mktemp("print")
    html = folder / "report.html"
    invoke("check", "-f", "html", "-o", str(html), "-q", "--today", TODAY, str(EXAMPLES))
    results = json.loads(invoke("check", "-f", "json", "--today", TODAY, str(EXAMPLES)).stdout)["files"]
    pdf = folder / "report.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(), profile=folder / "profile")
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    # NFKC: the PDF's ligatures ("ﬁ") as letters; the page number at the foot comes out first, on its own line.
    texts = [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]
    return texts, results


@needs_chromium
def test_printed_each_referral_starts_a_page_and_fits_on_it(printed: tuple[list[str], list[dict[str, Any]]]) -> None:
    pages, results = printed
    count = len(results)
    assert count == len(MANIFEST)
    starts = []
    for number, result in enumerate(results, 1):
        on = [i for i, text in enumerate(pages) if re.search(rf"\bREFERRAL {number} OF {count}\b", text, re.I)]
        assert len(on) == 1, (number, on)
        # A long path wraps in the PDF's text wherever the checkout lives: compare without the line breaks.
        assert result["path"].rsplit("/", 1)[-1] in "".join(pages[on[0]].split())
        starts.append(on[0])
    # One page each: the next referral starts on the very next page, and the appendix after the last.
    assert starts == list(range(starts[0], starts[0] + count))
    assert re.match(r"Page \d+ of \d+\nAppendix for the authors", pages[starts[-1] + 1])
    # Numbered at the foot of every page, "Page N of M".
    assert [re.match(r"Page (\d+) of (\d+)\n", text).groups() for text in pages] == [  # type: ignore[union-attr]
        (str(n), str(len(pages))) for n in range(1, len(pages) + 1)]


@needs_chromium
def test_printed_no_table_is_split(printed: tuple[list[str], list[dict[str, Any]]]) -> None:
    pages, results = printed
    squeezed = ["".join(text.split()) for text in pages]
    # The overview: its caption and every referral's row on one page.
    [overview] = [i for i, text in enumerate(pages) if "Verdict of each referral" in text]
    references = {r["facts"]["case_reference"] for r in results}
    assert len(references) == len(results)
    assert all("".join(ref.split()) in squeezed[overview] for ref in references)
    # The appendix: each referral's table of findings, from its caption to its last rule, on one page.
    for result in results:
        if not result["findings"]:
            continue
        caption = "".join(f"Findings in {result['path']}".split())
        [page] = [i for i, text in enumerate(squeezed) if caption in text]
        last = squeezed[page].index(caption)
        for finding in result["findings"]:
            assert finding["rule"] in squeezed[page][last:], (result["path"], finding["rule"])
