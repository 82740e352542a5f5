"""The suite's copies of shared reference files are identical to the project's shared folder.

The copies let the README's test command run from a fresh clone alone; this
test keeps them from drifting wherever `shared/` sits beside the clone (in CI).
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from conftest import DATA, SHARED

PAIRS = [
    (DATA / "schemas", SHARED / "schemas"),
    (DATA / "yaml-test-suite", SHARED / "corpora" / "yaml-test-suite"),
]


@pytest.mark.parametrize(("copy", "original"), PAIRS, ids=["schemas", "yaml-test-suite"])
def test_copies_match_the_shared_folder(copy: Path, original: Path) -> None:
    assert any(copy.iterdir()), f"{copy} is empty"
    if not original.is_dir():
        pytest.skip(f"{original} is not beside this clone (it is in CI); nothing to compare with")
    originals = sorted(p.name for p in original.iterdir())
    assert sorted(p.name for p in copy.iterdir() if p.name != "README.md") == originals
    _, mismatch, errors = filecmp.cmpfiles(original, copy, originals, shallow=False)
    assert mismatch == [] and errors == [], f"copy {original} into {copy} again"
