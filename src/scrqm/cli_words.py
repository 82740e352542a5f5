"""The command line in plain words: help without Python types, errors without pydantic's phrasing.

Typer shows each option's Python type in `--help` (`<bool>`, `<list[str]>`,
`<int range> [x>=1]`) and folds a long list of choices mid-word; its errors
for a bad value read "Value error, 'info' is not one of …".  The people who
run scrqm write referrals, not Python.  So every command gets `PlainCommand`
(and every group `PlainGroup`): a flag shows no type, an option shows its
metavar (FILE, DATE, FORMAT) and nothing else, an argument shows its name,
and a bad value is answered in words.  The choices of an option are listed in
its help text, where they wrap between words.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


def _no_type(ctx: Any) -> None:
    return None


def _no_range() -> None:
    return None


def _usage_of(argument: TyperArgument) -> Any:
    """`PATH...` for a required argument, `[PATH]` for one that may be left out (typer writes `{PATH}`)."""
    def usage() -> str:
        name = str(argument.metavar)
        name = name if argument.required else f"[{name}]"
        return name + ("..." if argument.nargs != 1 else "")
    return usage


# What an option's value is, in a word, where its name does not say (a metavar given in cli.py wins).
METAVARS = {"today": "DATE", "output": "FILE", "config": "FILE", "rules": "DIR", "cache_dir": "DIR",
            "select": "RULE", "ignore": "RULE", "exclude": "GLOB", "stdin_filename": "NAME", "profile": "NAME",
            "jobs": "N", "window_days": "DAYS", "min_referrals": "N", "path": "FILE", "paths": "PATH",
            "directory": "DIR", "identifier": "ID"}
_SHORT_CHOICES = 24  # `fail|warn` fits the metavar column; a longer list goes into the help text


def plain_params(params: list[Any]) -> None:
    """Hide what only a programmer reads: Python types, ranges as `[x>=1]`; name each value in a word.

    Typer has no setting for how a parameter shows in help, so these methods are replaced on
    the parameter objects of our own commands (never on typer's classes).
    """
    for param in params:
        if isinstance(param, TyperArgument):
            setattr(param, "display_type_rich", _no_type)
            if param.metavar is None and param.name:
                param.metavar = METAVARS.get(param.name, param.name.upper())
            setattr(param, "_usage_display_name", _usage_of(param))
            continue
        if not isinstance(param, TyperOption):
            continue
        setattr(param, "_get_number_range_help_str", _no_range)
        if param.is_flag:
            setattr(param, "display_type_rich", _no_type)
            continue
        if param.metavar is not None:
            continue
        choices = [str(getattr(c, "value", c)) for c in (param.type_descriptor.choices or ())] \
            if param.type_descriptor.is_choice else []
        if choices and len("|".join(choices)) <= _SHORT_CHOICES:
            param.metavar = "|".join(choices)
        elif choices:
            param.metavar = (param.name or "value").upper()
            listed = f"One of: {', '.join(choices)}."
            text = param.help or ""
            text = text if not text or text.rstrip().endswith((".", ":", "]")) else text.rstrip() + "."
            # Before a `[default: ...]` at the end, so the default stays last as everywhere else.
            at = text.rfind("\\[default")
            head = text[:at].rstrip() if at > 0 else text
            head = head if not head or head.endswith((".", ":")) else head + "."
            param.help = f"{head} {listed} {text[at:]}" if at > 0 else f"{head} {listed}".strip()
        else:
            param.metavar = METAVARS.get(param.name or "", (param.name or "value").upper())


_CHOICE = re.compile(r"^(?:Value error, )?('.*') is not one of (.*?)\.?$", re.S)
_AT_LEAST = re.compile(r"^Input should be greater than or equal to (-?\d+)$")
_AT_MOST = re.compile(r"^Input should be less than or equal to (-?\d+)$")


def plain_message(message: str) -> str:
    """A value error as a person would say it, and what to write instead."""
    if choice := _CHOICE.match(message):
        given, choices = choice.groups()
        words = [c.strip().strip("'") for c in choices.split(",")]
        listed = " or ".join(words) if len(words) == 2 else "one of " + ", ".join(words)
        return f"{given} is not a choice here; write {listed}"
    if at_least := _AT_LEAST.match(message):
        return f"write a whole number, {at_least.group(1)} or more"
    if at_most := _AT_MOST.match(message):
        return f"write a whole number, {at_most.group(1)} or less"
    if message.startswith("Input should be a valid integer"):
        return "write a whole number, such as 4"
    return message.removeprefix("Value error, ")


class _Plain:
    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_params(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            plain_params([option])
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            parsed: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
        except typer.BadParameter as exc:
            exc.message = plain_message(exc.message)
            raise
        return parsed


class PlainCommand(_Plain, TyperCommand):
    pass


class PlainGroup(_Plain, TyperGroup):
    pass


def use_plain_words(app: typer.Typer) -> None:
    """Give every command and group of `app` (and its sub-apps) plain help and errors.

    Done once all commands are registered, so a command added later gets it too.
    """
    if not isinstance(app.info.cls, type):  # not chosen (typer's `Default` placeholder)
        app.info.cls = PlainGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # typer's own: a command that chose its class keeps it
            command.cls = PlainCommand
    for group in app.registered_groups:
        if not isinstance(group.cls, type):
            group.cls = PlainGroup
        if group.typer_instance is not None:
            use_plain_words(group.typer_instance)
