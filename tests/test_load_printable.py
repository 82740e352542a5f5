"""The characters a referral may not contain are exactly those YAML 1.2 refuses (c-printable's complement)."""

from __future__ import annotations

from scrqm.load.document import _NOT_PRINTABLE

# YAML 1.2, production [1] c-printable.
ALLOWED = [(0x09, 0x09), (0x0A, 0x0A), (0x0D, 0x0D), (0x20, 0x7E), (0x85, 0x85),
           (0xA0, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF)]


def _printable(code: int) -> bool:
    return any(low <= code <= high for low, high in ALLOWED)


def test_every_range_edge_is_judged_as_the_yaml_spec_does() -> None:
    edges = {0, 0x10FFFF}
    for low, high in ALLOWED:
        edges |= {low - 1, low, low + 1, high - 1, high, high + 1}
    codes = sorted(c for c in edges if 0 <= c <= 0x10FFFF) + list(range(0x100))
    wrong = [hex(c) for c in codes if (_NOT_PRINTABLE.search(chr(c)) is None) != _printable(c)]
    assert not wrong


def test_the_ascii_shortcut_agrees_with_the_search() -> None:
    """`_unprintable` deletes the refused bytes of an ASCII text: every ASCII code, alone and in text."""
    from scrqm.load.document import _unprintable

    for code in range(0x80):
        for text in (chr(code), f"a: b{chr(code)}c\n", f"{chr(code)}é"):
            assert _unprintable(text) == (_NOT_PRINTABLE.search(text) is not None), (hex(code), text)
