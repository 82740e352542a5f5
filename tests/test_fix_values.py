"""`--fix` mends the values whose correction shape/mend.py derives: dates written the British way, ages in years."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from conftest import EXAMPLES, TODAY

LATE = (EXAMPLES / "03-late-explained.yaml").read_text(encoding="utf-8")

# (as the example has it, the same value written by hand, unambiguously day first)
VALUES = [
    ("  date: 2017-01-25\n", "  date: 25/01/2017\n"),                 # DD/MM/YYYY
    ("    date: 2017-01-24\n", "    date: 24.1.2017\n"),              # D.M.YYYY
    ("    date: 2016-11-15\n", "    date: 15 November 2016\n"),       # a month name
    ("  age: 2\n", "  age: 2 years\n"),                              # child.age in years
]


def _written(text: str) -> str:
    for good, bad in VALUES:
        assert text.count(good) == 1, good
        text = text.replace(good, bad)
    return text


def test_fix_mends_dates_and_ages_byte_for_byte(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    referral.write_bytes(_written(LATE).encode("utf-8"))
    diff = run_line("check", "--diff", str(referral))
    assert "-  date: 25/01/2017\n+  date: 2017-01-25\n" in diff.stdout and diff.exit_code == 1
    result = run_line("check", "--today", TODAY, "--fix", str(referral))
    assert referral.read_bytes() == LATE.encode("utf-8")
    assert f"fixed {len(VALUES)} faults in 1 file" in result.stderr


def test_an_ambiguous_date_is_reported_not_guessed(run_line: Callable[..., Any], tmp_path: Path) -> None:
    referral = tmp_path / "r.yaml"
    text = _written(LATE).replace("  aware_date: 2017-01-10\n", "  aware_date: 10/01/2017\n")  # 10 Jan or 1 Oct?
    referral.write_text(text, encoding="utf-8")
    result = run_line("check", "--today", TODAY, "--fix", "-f", "concise", str(referral))
    mended = referral.read_text(encoding="utf-8")
    assert "  aware_date: 10/01/2017\n" in mended
    assert mended == LATE.replace("  aware_date: 2017-01-10\n", "  aware_date: 10/01/2017\n")
    assert "[shape] `incident.aware_date`" in result.stdout and "[*]" not in result.stdout
    assert result.exit_code == 1
