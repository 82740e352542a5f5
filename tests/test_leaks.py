"""Nothing leaked: --redact keeps the referral's text out of every format; identifiers never shown.

Every free-text field, and every value a message may quote (a bad date, an
acronym, a learning priority id, a waiver's rule and reason, the referral's
dates), holds a marker.  Each format in the REPORTERS registry is run with
--redact (and with `redact: true` in a configuration file), to standard
output and to a file, and no marker may appear anywhere.  Formats added to
the registry later are covered without touching this file.  A control run
without --redact shows the markers do reach the reports, so the test can fail.
"""

from __future__ import annotations

import json
import re
import socket
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES, TODAY, invoke
from scrqm.report import REPORTERS

MARK = "zzleak"

REFERRAL = """\
format: scrqm/referral@1
referral:
  reference: zzleak01
  date: 2031-07-19
  board: zzleak02 board
  referrer:
    agency: zzleak03 agency
    role: zzleak04 role
child:
  reference: zzleak05
  age: 3
  gender: zzleak06
  ethnicity: zzleak07
  disability: zzleak08
incident:
  type: death
  date: 2016-02-17
  aware_date: 2016-02-13
  abuse_or_neglect: suspected
  setting: home
  summary: zzleak09 the ZZLEAKAC team saw the child. {identifiers}
agencies:
  - name: zzleak10
    involvement: zzleak11 {identifiers}
institutions: [zzleak12 nursery]
working_together_concerns: zzleak13 concerns.
criteria:
  statutory: not_met
  other_reason: zzleak14 reason.
  learning_priorities: [ZZLEAKLP]
rationale: zzleak15 the ZZLEAKRA service. {identifiers}
supporting_information:
  - type: chronology
    title: zzleak16 chronology
delay:
  explanation: zzleak17
urgent_risks:
  - risk: zzleak18 {identifiers}
waivers:
  - rule: QM1.1-acronym-unexpanded
    reason: zzleak19 the acronym is the team's own name
  - rule: zzleak20-rule
    reason: zzleak21 reason
"""

SHAPE_ERRORS = """\
format: scrqm/referral@1
referral:
  date: 2016-02-30
incident:
  type: zzleak30
  date: 14/03/2016-zzleak31
  aware_date: {nhs}
  abuse_or_neglect: zzleak32
  setting: zzleak33
child:
  age: zzleak34 years
  looked_after: zzleak35
  child_protection_plan: zzleak36
supporting_information:
  - type: zzleak37
    date: zzleak38
criteria:
  statutory: zzleak39
"""

LOAD_ERROR = "format: scrqm/referral@1\nrationale: !!int zzleak40\n"

# Fictional identifiers that pass the checks' own validation (modulus 11 and so on).
IDENTIFIERS = {
    "NHS number": "943 476 5919",
    "NI number": "JG 10 37 59 A",
    "email": "jo.bloggs@example.org",
    "phone": "020 7946 0018",
    "postcode": "SW1A 1AA",
}
REFERRAL_DATES = ("2031-07-19", "2016-02-17", "2016-02-13", "2016-02-30")


@pytest.fixture
def referrals(tmp_path: Path) -> Path:
    folder = tmp_path / "referrals"
    folder.mkdir()
    identifiers = "Contact " + "; ".join(IDENTIFIERS.values()) + "."
    (folder / "a-marked.yaml").write_text(REFERRAL.format(identifiers=identifiers), encoding="utf-8")
    (folder / "b-shape.yaml").write_text(SHAPE_ERRORS.format(nhs=IDENTIFIERS["NHS number"]), encoding="utf-8")
    (folder / "c-load.yaml").write_text(LOAD_ERROR, encoding="utf-8")
    (tmp_path / "board.yaml").write_text("learning-priorities:\n  LP1: Neglect\n", encoding="utf-8")
    (tmp_path / "board-redact.yaml").write_text("redact: true\nlearning-priorities:\n  LP1: Neglect\n",
                                                encoding="utf-8")
    return folder


def everything(run_line: Callable[..., Any], folder: Path, fmt: str, *options: str) -> str:
    """stdout, stderr and the --output file of a run, and of the same run to standard output."""
    report = folder.parent / f"report.{fmt}"
    to_file = run_line("check", "--today", TODAY, "--format", fmt, "--output", str(report), *options, str(folder))
    to_stdout = run_line("check", "--today", TODAY, "--format", fmt, *options, str(folder))
    assert to_file.exit_code == to_stdout.exit_code == 1, to_stdout.output
    return "\n".join([to_file.stdout, to_file.stderr, report.read_text(encoding="utf-8"),
                      to_stdout.stdout, to_stdout.stderr])


def leaks(output: str) -> list[str]:
    found = sorted(set(re.findall(rf"{MARK}\w*", output, flags=re.IGNORECASE)))
    found += [date for date in REFERRAL_DATES if date in output]
    return found + identifiers_in(output)


def identifiers_in(output: str) -> list[str]:
    squeezed = re.sub(r"[\s\-]", "", output)
    return [kind for kind, value in IDENTIFIERS.items()
            if value in output or re.sub(r"[\s\-]", "", value) in squeezed]


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_redact_keeps_every_marker_out_of_every_format(
    run_line: Callable[..., Any], referrals: Path, fmt: str
) -> None:
    output = everything(run_line, referrals, fmt, "--redact", "--config", str(referrals.parent / "board.yaml"))
    assert leaks(output) == []
    assert "[redacted]" in output or fmt in ("junit",) or "redacted" in output.lower()


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_redact_from_the_configuration_file(run_line: Callable[..., Any], referrals: Path, fmt: str) -> None:
    output = everything(run_line, referrals, fmt, "--config", str(referrals.parent / "board-redact.yaml"))
    assert leaks(output) == []


def test_without_redact_the_markers_do_reach_the_report(run_line: Callable[..., Any], referrals: Path) -> None:
    """The control: each kind of quoted value is shown when --redact is off."""
    output = everything(run_line, referrals, "json", "--config", str(referrals.parent / "board.yaml"))
    shown = set(leaks(output))
    for expected in ["ZZLEAKRA", "ZZLEAKLP", "zzleak19", "zzleak20", "zzleak31", "zzleak34", "zzleak30",
                     "2031-07-19", "2016-02-13"]:
        assert any(expected.lower() == s.lower() for s in shown), (expected, shown)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_identifiers_are_never_shown_even_without_redact(
    run_line: Callable[..., Any], referrals: Path, fmt: str
) -> None:
    output = everything(run_line, referrals, fmt, "--config", str(referrals.parent / "board.yaml"))
    assert identifiers_in(output) == []
    # Nor a piece of one: the postcode's "SW1A" and the NI number's "JG" are not acronyms.
    assert "SW1A" not in output and not re.search(r"\bJG\b", output)
    assert "an NHS number" in output  # the finding names the kind instead


def test_a_pack_message_quoting_a_field_cannot_show_an_identifier(tmp_path: Path) -> None:
    """Even a board's own rule whose message quotes a free-text `{value}` masks identifiers."""
    import datetime as dt

    from scrqm.pipeline import Settings, check_text
    from scrqm.packs.loader import load_ruleset

    pack = tmp_path / "packs"
    pack.mkdir()
    (pack / "board.yaml").write_text(
        "pack: board\nprofile: wt2015\ntitle: Board\nrules:\n"
        "  - id: board-echo\n    question: QM1.1\n    severity: warn\n    title: Echo\n    check: match\n"
        "    options:\n      at: rationale\n      when: {field: rationale, absent: false}\n"
        "    message: 'the rationale says {value}'\n    fix: none\n",
        encoding="utf-8",
    )
    ruleset = load_ruleset(extra_dirs=[pack])
    text = ("format: scrqm/referral@1\nrationale: call 020 7946 0018 or write to jo.bloggs@example.org"
            " about the family's housing, the school's worries and the nursery's records\n")
    result = check_text(text, display="r.yaml", ruleset=ruleset, settings=Settings(today=dt.date(2026, 11, 26)))
    [echo] = [f for f in result.findings if f.rule == "board-echo"]
    assert echo.message == ("the rationale says call [a UK phone number] or write to [an email address]"
                            " about the family's housing, the school's worries and the nursery's records")


# ---------------------------------------------------------------- no network


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any socket made or connection tried is recorded and refused."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"scrqm tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_no_check_opens_a_socket(run_line: Callable[..., Any], no_network: list[Any], fmt: str) -> None:
    result = run_line("check", "--today", TODAY, "--isolated", "--format", fmt, str(EXAMPLES))
    assert result.exit_code == 1 and no_network == []


def test_no_socket_in_a_real_process(tmp_path: Path) -> None:
    """An audit hook in a fresh interpreter sees every socket event of a whole run."""
    import subprocess

    program = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event.startswith('socket.'):\n"
        "        sys.stderr.write('NETWORK ' + event + '\\n'); sys.stderr.flush()\n"
        "        raise SystemExit(99)\n"
        "sys.addaudithook(hook)\n"
        "sys.argv = ['scrqm', 'check', '--isolated', '--format', 'json', '--today', '" + TODAY + "', "
        + repr(str(EXAMPLES)) + "]\n"
        "from scrqm.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert "NETWORK" not in done.stderr
    assert done.returncode == 1 and json.loads(done.stdout)["summary"]["files"] > 10


def test_unknown_keys_are_redacted_and_identifiers_in_keys_never_shown(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("format: scrqm/referral@1\nchild:\n  nhs_9434765919: x\n  Plughkey: y\n", encoding="utf-8")
    plain = invoke("check", "-f", "json", "--today", TODAY, str(path)).stdout
    assert "9434765919" not in plain and "Plughkey" in plain  # a key is shown, an identifier never
    redacted = invoke("check", "-f", "json", "--redact", "--today", TODAY, str(path)).stdout
    assert "9434765919" not in redacted and "Plughkey" not in redacted
    assert '"field": "child.[redacted]"' in redacted
