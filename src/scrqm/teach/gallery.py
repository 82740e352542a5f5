"""The teaching gallery: the bundled examples, their expected verdicts, copies for practice.

The examples ship inside the wheel (`scrqm/examples`); in a checkout they are
read from `examples/` (`packs.shipped`, as for the rules).  Their
expected results come from `examples/manifest.json`, the same file the test
suite checks them against.  A copy never overwrites anything.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrqm.errors import ScrqmError
from scrqm.packs.loader import shipped
from scrqm.shape.model import is_index


@dataclass(frozen=True)
class Example:
    name: str  # the path below the examples folder: `01-exemplary-death.yaml`, `wt2023/01-exemplary-death.yaml`
    verdict: str
    questions: dict[str, str] | None
    teaches: str
    profile: str = "wt2015"


# Each profile's gallery: its folder below the examples folder ("" for the
# wt2015 one, kept at the top for the README's `scrqm examples copy 04 ...`).
GALLERIES = {"wt2015": "", "wt2023": "wt2023"}
FRAMEWORKS = {"wt2015": "Working Together 2015", "wt2023": "Working Together 2018/2023"}


def examples_root() -> Path:
    return shipped("examples")


def load_gallery() -> list[Example]:
    """Every profile's examples, wt2015's first, each profile's in file order."""
    examples = []
    for profile, folder in GALLERIES.items():
        path = examples_root() / folder / "manifest.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["examples"]
        except (OSError, ValueError, KeyError) as exc:
            raise ScrqmError(f"{path}: cannot read the examples' manifest: {exc}") from None
        prefix = f"{folder}/" if folder else ""
        examples += [Example(f"{prefix}{name}", e["verdict"], e.get("questions"), e.get("teaches", ""), profile)
                     for name, e in sorted(data.items())]
    return examples


def render_gallery(examples: list[Example]) -> str:
    width = max(len(e.name) for e in examples)
    lines: list[str] = []
    previous = ""
    for example in examples:
        if example.profile != previous:
            if lines:
                lines.append("")
            lines.append(f"{FRAMEWORKS.get(example.profile, example.profile)} (profile {example.profile}):")
        previous = example.profile
        questions = "  ".join(f"{q} {v}" for q, v in (example.questions or {}).items())
        lines.append(f"{example.name.ljust(width)}  {example.verdict.upper():<7}  {questions}".rstrip())
        lines.append(f"{'':{width}}  {example.teaches}")
    lines += ["", "Copy one out to practise on: scrqm examples copy NAME DIR (e.g. 04, or wt2023/05)",
              "The walk-through, weakest to exemplary: scrqm examples walk-through"]
    return "\n".join(lines) + "\n"


def find_example(name: str, examples: list[Example]) -> Example:
    """By file name, with or without `.yaml`, or by its number (`13`); `wt2023/05` is in wt2023's gallery.

    Without a profile in front, the name is looked for in wt2015's gallery.
    """
    profile, _, rest = name.rpartition("/")
    profile = profile or "wt2015"
    if profile not in GALLERIES:
        raise ScrqmError(f"no examples for the profile '{profile}'; the galleries are {' and '.join(GALLERIES)} "
                         "(`scrqm examples` lists them)")
    wanted = rest.removesuffix(".yaml")
    for example in examples:
        if example.profile != profile:
            continue
        stem = example.name.rpartition("/")[2].removesuffix(".yaml")
        number = stem.split("-", 1)[0]
        if wanted == stem or is_index(wanted) and is_index(number) and int(wanted) == int(number):
            return example

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
    target = directory / Path(example.name).name
    text = (examples_root() / example.name).read_text(encoding="utf-8")
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScrqmError(f"{target}: already exists; it was left as it is (remove it or copy to another folder)") from None
    except OSError as exc:
        raise ScrqmError(f"{target}: cannot write: {exc.strerror}") from None
    return target


def walk_through() -> str:
    """The gallery's walk-through (examples/README.md), as shipped."""
    path = examples_root() / "README.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScrqmError(f"{path}: cannot read the walk-through: {exc.strerror or exc}") from None
