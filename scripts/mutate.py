"""A small mutation tester for scrqm's judging modules (not part of CI).

Why our own and not mutmut 3: mutmut 3 copies the tree into `mutants/` and
rewrites every function through a trampoline, which fights the src layout and
the editable install, and its run of ~1,900 tests per mutant is far too slow
on a shared two-core machine.  This runner is deliberately plain:

* operators (ast-based): comparison flips (== !=, < >=, <= >, in / not in,
  is / is not), `and` <-> `or`, integer constants +1 and -1, True <-> False,
  `continue` <-> `break`, `return X` -> `return not X`, and removing a
  statement (an expression statement, an augmented assignment or an `if`,
  replaced by `pass`);
* each mutant runs only the tests chosen for its module (MODULES below), in a
  forked child of a parent that has already imported pytest and the heavy
  third-party libraries, with the mutated module served by an import hook;
  `-x` stops at the first failing test; a per-mutant timeout counts as killed
  (an endless loop) and is reported apart;
* it prints every survivor (line, operator, the mutated line) and the score.

Decorator arguments are not mutated.  Two scores are printed: of every
mutant, and of the non-equivalent ones.  An equivalent mutant (one no test can
tell apart, e.g. an lru_cache size) is listed, with the reason, in
scripts/equivalent-mutants.txt, one per line:

    MODULE | OPERATOR DESCRIPTION | THE ORIGINAL LINE, STRIPPED | WHY NO TEST CAN TELL

keyed by text, not line number, so an entry survives edits above it.  A listed
mutant that is killed (and has no surviving twin: two mutants of one line can share the
key), or that no longer exists, is reported as stale.

Usage:  .venv/bin/python scripts/mutate.py MODULE [--timeout S] [--only LINE,...]
        MODULE is a dotted name under scrqm, e.g. judge.workdays.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib.abc
import importlib.util
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The tests that judge each module: small and relevant, so a run is minutes, not hours.
MODULES: dict[str, list[str]] = {
    "judge.workdays": ["tests/test_workdays.py", "tests/test_mutants.py", "tests/test_mutants_judge.py"],
    "judge.identifiers": ["tests/test_privacy.py", "tests/test_mutants.py", "tests/test_mutants_judge.py"],
    "judge.prose": ["tests/test_text.py", "tests/test_mutants.py", "tests/test_mutants_judge.py"],
    "judge.substance": ["tests/test_substance_corpus.py", "tests/test_text.py", "tests/test_mutants.py", "tests/test_mutants_judge.py"],
    "judge.english": ["tests/test_mutants_judge.py", "tests/test_text.py"],
    "result": ["tests/test_mutants_check.py", "tests/test_mutants.py", "tests/test_formats.py", "tests/test_waivers.py", "tests/test_streaming.py"],
    "check.engine": ["tests/test_mutants_check.py", "tests/test_mutants.py", "tests/test_rules_qm1.py"],
    "check.functions": ["tests/test_mutants_check.py", "tests/test_mutants.py", "tests/test_rules_qm1.py", "tests/test_packs.py",
                        "tests/test_privacy.py", "tests/test_waivers.py"],
    "check.waivers": ["tests/test_mutants_check.py", "tests/test_waivers.py"],
    "check.builtins": ["tests/test_mutants_check.py"],
}

FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
        ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def mutation_points(tree: ast.Module) -> list[tuple[int, str, object]]:
    """(line, description, key) for every mutation; the key finds the node again in a copy."""
    points: list[tuple[int, str, object]] = []
    in_function: set[int] = set()
    decorators: set[int] = set()  # `@lru_cache(maxsize=1)`: cache sizes change no answer
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                in_function.add(id(inner))
            for decorator in node.decorator_list:
                decorators.update(id(inner) for inner in ast.walk(decorator))
    for index, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if id(node) in decorators:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in FLIP:
                    points.append((line, f"compare {type(op).__name__}->{FLIP[type(op)].__name__}", (index, "cmp", i)))
        elif isinstance(node, ast.BoolOp):
            points.append((line, "and<->or", (index, "bool", 0)))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            points.append((line, f"{node.value}+1", (index, "int", 1)))
            points.append((line, f"{node.value}-1", (index, "int", -1)))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            points.append((line, f"{node.value}->{not node.value}", (index, "boolconst", 0)))
        elif isinstance(node, ast.Continue):
            points.append((line, "continue->break", (index, "loop", 0)))
        elif isinstance(node, ast.Break):
            points.append((line, "break->continue", (index, "loop", 0)))
        elif isinstance(node, ast.Return) and node.value is not None:
            points.append((line, "return not X", (index, "ret", 0)))
        if id(node) in in_function:
            for field in ("body", "orelse"):
                items = getattr(node, field, None)
                for i, stmt in enumerate(items if isinstance(items, list) else []):
                    if isinstance(stmt, (ast.Expr, ast.AugAssign, ast.If)) and not _docstring(stmt, node):
                        points.append((stmt.lineno, f"remove {type(stmt).__name__}", (index, field, i)))
    return points


def mutate(tree: ast.Module, key: tuple[int, str, int]) -> ast.Module:
    tree = copy.deepcopy(tree)
    index, kind, arg = key
    node = next(n for i, n in enumerate(ast.walk(tree)) if i == index)
    if kind == "cmp":
        assert isinstance(node, ast.Compare)
        node.ops[arg] = FLIP[type(node.ops[arg])]()
    elif kind == "bool":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "int":
        assert isinstance(node, ast.Constant)
        node.value = node.value + arg
    elif kind == "boolconst":
        assert isinstance(node, ast.Constant)
        node.value = not node.value
    elif kind == "loop":
        replacement: ast.stmt = ast.Break() if isinstance(node, ast.Continue) else ast.Continue()
        _replace_child(tree, node, replacement)
    elif kind == "ret":
        assert isinstance(node, ast.Return) and node.value is not None
        node.value = ast.UnaryOp(op=ast.Not(), operand=node.value)
    else:  # remove statement `arg` of list `kind`
        getattr(node, kind)[arg] = ast.Pass()
    return ast.fix_missing_locations(tree)


def _replace_child(tree: ast.AST, old: ast.AST, new: ast.stmt) -> None:
    for parent in ast.walk(tree):
        for field in ("body", "orelse"):
            items = getattr(parent, field, None)
            if isinstance(items, list) and any(item is old for item in items):
                items[[i for i, item in enumerate(items) if item is old][0]] = ast.copy_location(new, old)
                return
    raise AssertionError("statement not found")


class _Serve(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated source for one module name; everything else imports normally."""

    def __init__(self, name: str, path: str, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname == self.name:
            return importlib.util.spec_from_loader(fullname, self, origin=self.path)
        return None

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        module.__file__ = self.path
        exec(compile(self.source, self.path, "exec"), module.__dict__)


def run_tests(name: str, path: str, source: str | None, tests: list[str], timeout: float) -> str:
    """'killed', 'survived' or 'timeout' for one mutant (source None: the unmutated module)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(ROOT)
            if source is not None:
                sys.meta_path.insert(0, _Serve(name, path, source))
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            code = pytest.main(["-x", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly", *tests])
            os._exit(int(code))
        except BaseException:
            import traceback

            traceback.print_exc(file=open(os.environ.get("MUTATE_LOG", os.devnull), "w"))
            os._exit(99)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.02)


EQUIVALENT = ROOT / "scripts" / "equivalent-mutants.txt"


def equivalents(module: str) -> dict[tuple[str, str], str]:
    """(operator description, stripped original line) -> the reason, for MODULE's listed mutants."""
    listed: dict[tuple[str, str], str] = {}
    if not EQUIVALENT.exists():
        return listed
    for raw in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in raw.split(" | ")]
        if len(parts) != 4:
            raise SystemExit(f"{EQUIVALENT.name}: not MODULE | OPERATOR | LINE | WHY: {raw!r}")
        if parts[0] == module:
            listed[(parts[1], parts[2])] = parts[3]
    return listed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", choices=sorted(MODULES))
    parser.add_argument("--timeout", type=float, default=0, help="seconds per mutant (default: 10 x the clean run, at least 60)")
    parser.add_argument("--only", default="", help="comma-separated line numbers to mutate")
    args = parser.parse_args()

    # Heavy libraries once, in the parent (not pytest plugins such as hypothesis, which pytest must
    # import itself to rewrite their asserts), so each forked mutant starts warm.  Nothing of scrqm
    # is imported here: every child imports scrqm afresh, with the mutated module in place.
    import pydantic  # noqa: F401
    import pytest  # noqa: F401
    import ruamel.yaml  # noqa: F401
    import typer  # noqa: F401

    name = f"scrqm.{args.module}"
    path = str(ROOT / "src" / "scrqm" / (args.module.replace(".", "/") + ".py"))
    original = Path(path).read_text(encoding="utf-8")
    tree = ast.parse(original)
    tests = MODULES[args.module]

    started = time.monotonic()
    if run_tests(name, path, ast.unparse(tree), tests, timeout=600) != "survived":
        print(f"the chosen tests fail on the unmutated {name}: fix them first", file=sys.stderr)
        return 2
    clean = time.monotonic() - started
    timeout = args.timeout or max(60.0, 10 * clean)  # generous: on a loaded machine a slow run is not a kill

    only = {int(x) for x in args.only.split(",") if x}
    points = [p for p in mutation_points(tree) if not only or p[0] in only]
    lines = original.splitlines()
    tally = {"killed": 0, "survived": 0, "timeout": 0}
    listed = equivalents(args.module)
    seen: set[tuple[str, str]] = set()
    survived: set[tuple[str, str]] = set()  # listed entries some surviving mutant matched
    killed_listed: dict[tuple[str, str], int] = {}  # listed entries a killed mutant matched, and its line
    equivalent = 0
    print(f"{name}: {len(points)} mutants, tests {' '.join(tests)}, clean run {clean:.1f}s, timeout {timeout:.0f}s",
          flush=True)
    for line, description, key in points:
        try:
            source = ast.unparse(mutate(tree, key))  # type: ignore[arg-type]
        except Exception as error:  # a mutant that cannot be written is not counted
            print(f"  skipped {line}: {description} ({error})")
            continue
        outcome = run_tests(name, path, source, tests, timeout)
        tally[outcome] += 1
        entry = (description, lines[line - 1].strip())
        if outcome == "survived" and entry in listed:
            seen.add(entry)
            survived.add(entry)
            equivalent += 1
            print(f"  equivalent {args.module}:{line}: {description}: {entry[1]} ({listed[entry]})", flush=True)
        elif outcome == "survived":
            print(f"  SURVIVED {args.module}:{line}: {description}: {entry[1]}", flush=True)
        elif entry in listed:
            seen.add(entry)
            killed_listed.setdefault(entry, line)
    for entry, line in sorted(killed_listed.items(), key=lambda item: item[1]):
        if entry not in survived:
            print(f"  stale: listed as equivalent but killed, {args.module}:{line}: {entry[0]}: {entry[1]}")
    if only:
        seen |= {entry for entry in listed if entry not in seen}  # a partial run cannot tell what is gone
    for description, text in sorted(set(listed) - seen):
        print(f"  stale: listed as equivalent but no such mutant, {args.module}: {description}: {text}")
    total = sum(tally.values())
    killed = tally["killed"] + tally["timeout"]
    score = 100.0 * killed / total if total else 100.0
    real = total - equivalent
    real_score = 100.0 * killed / real if real else 100.0
    print(f"{name}: {killed}/{total} killed ({tally['timeout']} by timeout), "
          f"{tally['survived'] - equivalent} survived, {equivalent} equivalent, "
          f"score {score:.1f}% of all mutants, {real_score:.1f}% of {real} non-equivalent", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
