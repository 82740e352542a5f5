"""The HTML and Markdown reports: self-contained, accessible, escaped, and rendered by a real browser.

The browser tests run Debian's `chromium` headless when it is installed
(`.ci/run` installs it) and are skipped, with the reason, when it is not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

import pytest

from conftest import EXAMPLES, TODAY, invoke

# Every example below examples/, each subfolder's manifest naming its own files.
MANIFEST = {
    (manifest.parent.relative_to(EXAMPLES) / name).as_posix(): entry
    for manifest in sorted(EXAMPLES.rglob("manifest.json"))
    for name, entry in json.loads(manifest.read_text(encoding="utf-8"))["examples"].items()
}
WITH_DELAY = {name: e["delay"] for name, e in MANIFEST.items() if e["delay"] is not None}
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's `chromium` is not installed (apt-get install chromium); .ci/run installs it"
)


@pytest.fixture(scope="module")
def examples_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = invoke("check", "-f", "html", "-o", str(out), "--today", TODAY, str(EXAMPLES))
    assert result.exit_code == 1, result.output  # some examples fail on purpose
    return out


def test_html_is_self_contained(examples_html: Path) -> None:
    page = examples_html.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|link|img|iframe|object)\b", page)
    assert re.search(r"""\b(src|href)=["'](?!#)""", page) is None  # only in-page anchors
    assert "default-src 'none'" in page  # and the browser is told to refuse any fetch anyway


def test_html_is_accessible_and_prints_on_a4(examples_html: Path) -> None:
    page = examples_html.read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in page
    assert page.count("<h1>") == 1
    assert "@page { size: A4" in page and "@media print" in page
    # Every header cell is scoped; every verdict badge carries the verdict as a word.
    assert len(re.findall(r"<th[ >]", page)) == page.count("<th scope=\"")
    for verdict, word in re.findall(r'class="verdict v-(\w+)">(\w+)<', page):
        assert word == verdict.upper()


def test_html_escapes_what_the_user_wrote(run_line: Callable[..., Any], tmp_path: Path) -> None:
    evil = tmp_path / "<b>evil&.yaml"
    evil.write_text("format: scrqm/referral@1\nincident: {date: '<script>alert(1)</script>'}\n", encoding="utf-8")
    result = run_line("check", "-f", "html", "--today", TODAY, str(evil))
    assert "<script>" not in result.stdout and "<b>evil" not in result.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    assert "&lt;b&gt;evil&amp;.yaml" in result.stdout


def test_chart_has_one_bar_per_referral_with_a_delay(examples_html: Path) -> None:
    page = examples_html.read_text(encoding="utf-8")
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None
    root = ElementTree.fromstring(svg.group(0))
    bars = root.findall(".//rect")
    assert sorted(int(b.get("data-delay", "-1")) for b in bars) == sorted(WITH_DELAY.values())
    late = [b for b in bars if "late" in b.get("class", "")]
    assert len(late) == sum(1 for d in WITH_DELAY.values() if d > 5)


def test_one_file_has_no_chart(run_line: Callable[..., Any]) -> None:
    result = run_line("check", "-f", "html", "--today", TODAY, str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml"))
    assert "<svg" not in result.stdout
    assert ("Timeliness: 10 working days from when the agency became aware of the incident to the referral; "
            "expected within 5: late; see QM1.3 for the explanation.") in result.stdout


def test_markdown_report(run_line: Callable[..., Any], tmp_path: Path) -> None:
    odd = tmp_path / "a|b.yaml"
    odd.write_text("format: scrqm/referral@1\nincident: {date: '[x](javascript:y)'}\n", encoding="utf-8")
    result = run_line("check", "-f", "markdown", "--today", TODAY, str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml"),
                      str(odd))
    out = result.stdout
    assert result.exit_code == 1
    assert out.startswith("# SCR Quality Marker 1: referral check\n")
    assert "| ELSCB-2017-005 · Child N · 28 Apr 2017 | **FAIL** | pass | pass | fail | 10 |" in out
    assert "a\\|b.yaml" in out  # a pipe in a name cannot break the table
    assert "\\[x\\](javascript:y)" in out  # nor can text become a link (no unescaped [...])
    assert "`QM1.3-delay-unexplained`" in out and "scrqm explain RULE" in out


# ----------------------------------------------------------------- in a browser

def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={profile}", '--host-resolver-rules=MAP * ~NOTFOUND', *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def page_requests(netlog: Path) -> list[str]:
    """Network requests the page made (Chromium's own update checks are not the page's)."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"].get("url", "?") for e in data["events"]
            if e["type"] == start_job and "file://" in e.get("params", {}).get("network_isolation_key", "")]


@needs_chromium
def test_the_request_detector_sees_a_page_request(tmp_path: Path) -> None:
    # Without this the next test could pass with a detector that sees nothing.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png">', encoding="utf-8")
    chromium(f"--log-net-log={tmp_path / 'net.json'}", "--dump-dom", control.as_uri(), profile=tmp_path / "p")
    assert page_requests(tmp_path / "net.json") == ["http://example.invalid/x.png"]


@needs_chromium
def test_examples_report_renders_in_chromium_without_network(examples_html: Path, tmp_path: Path) -> None:
    netlog = tmp_path / "net.json"
    dom = chromium(f"--log-net-log={netlog}", "--dump-dom", examples_html.as_uri(), profile=tmp_path / "p").stdout
    assert page_requests(netlog) == []
    assert "<h1>SCR Quality Marker 1: referral check</h1>" in dom
    overview = re.search(r"<caption>Verdict of each referral.*?</tbody>", dom, re.S)
    assert overview is not None
    assert overview.group(0).count("<tr>") == len(MANIFEST) + 1  # the heading row and one per file
    for name in MANIFEST:
        assert re.search(rf'<p class="path">File: <code>[^<]*/{re.escape(name)}</code></p>', dom), name
    assert len(re.findall(r"<rect [^>]*data-delay=", dom)) == len(WITH_DELAY)

    screenshot = tmp_path / "scrqm-report.png"
    chromium("--window-size=1000,2200", f"--screenshot={screenshot}", examples_html.as_uri(), profile=tmp_path / "q")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    print(f"screenshot of the examples report for review: {screenshot}")


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_teach_in_papers_formats(run_line: Callable[..., Any], fmt: str) -> None:
    target = str(EXAMPLES / "13-qm13-fail-late-unexplained.yaml")
    taught = run_line("check", "-f", fmt, "--teach", "--today", TODAY, target).stdout
    plain = run_line("check", "-f", fmt, "--today", TODAY, target).stdout
    quote = '&quot;' if fmt == "html" else '"'
    assert f"{quote}the case is referred for Serious Case Review" in taught  # the statement, quoted
    assert "(NSPCC/SCIE (2016) SCR Quality Markers" in taught
    assert "What helps (paraphrased from the marker" in taught and "paraphrased" not in plain
    assert "Common obstacle" not in taught and "marker&#x27;s prompt:" not in taught and "marker's prompt:" not in taught
