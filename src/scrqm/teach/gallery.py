"""The teaching gallery: the bundled examples, their expected verdicts, copies for practice.

The examples ship inside the wheel (`scrqm/examples`); in a checkout they are
read from `examples/` (`packs.shipped`, as for the rules).  Their
expected results come from `examples/manifest.json`, the same file the test
suite checks them against.  A copy never overwrites anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrqm.errors import ScrqmError


@dataclass(frozen=True)
class Example:
    name: str
    verdict: str
    questions: dict[str, str] | None
    teaches: str


def examples_root() -> Path:
    from scrqm.packs.loader import shipped

    return shipped("examples")


def load_gallery() -> list[Example]:
    path = examples_root() / "manifest.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["examples"]
    except (OSError, ValueError, KeyError) as exc:
        raise ScrqmError(f"{path}: cannot read the examples' manifest: {exc}") from None
    return [Example(name, e["verdict"], e.get("questions"), e.get("teaches", "")) for name, e in sorted(data.items())]


def render_gallery(examples: list[Example]) -> str:
    width = max(len(e.name) for e in examples)
    lines = []
    for example in examples:
        questions = "  ".join(f"{q} {v}" for q, v in (example.questions or {}).items())
        lines.append(f"{example.name.ljust(width)}  {example.verdict.upper():<7}  {questions}".rstrip())
        lines.append(f"{'':{width}}  {example.teaches}")
    lines += ["", "Copy one out to practise on: scrqm examples copy NAME DIR",
              f"The walk-through, weakest to exemplary: {examples_root() / 'README.md'}"]
    return "\n".join(lines) + "\n"


def find_example(name: str, examples: list[Example]) -> Example:
    """By file name, with or without `.yaml`, or by its number (`13`)."""
    wanted = name.removesuffix(".yaml")
    for example in examples:
        stem = example.name.removesuffix(".yaml")
        number = stem.split("-", 1)[0]
        if wanted == stem or wanted.isdigit() and number.isdigit() and int(wanted) == int(number):
            return example
    import difflib

    close = difflib.get_close_matches(name, [e.name for e in examples], n=2, cutoff=0.4)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise ScrqmError(f"no example called '{name}'{hint} (`scrqm examples` lists them)")


def copy_example(name: str, directory: Path) -> Path:
    example = find_example(name, load_gallery())
    try:
        # As `mkdir -p`: the README's `scrqm examples copy 04 practice/` works in a fresh folder.
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ScrqmError(f"{directory}: not a folder; give a folder to copy the example into") from None
    except OSError as exc:
        raise ScrqmError(f"{directory}: cannot create the folder: {exc.strerror}") from None
    target = directory / example.name
    text = (examples_root() / example.name).read_text(encoding="utf-8")
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScrqmError(f"{target}: already exists; it was left as it is (remove it or copy to another folder)") from None
    except OSError as exc:
        raise ScrqmError(f"{target}: cannot write: {exc.strerror}") from None
    return target
