"""The package's imports run one way: no cycle, and an import inside a function only for start-up cost.

A walk over every module's `import` statements (ast, nothing is imported):
the graph of who imports whom, counting imports inside functions too (they
run when the function does) and the packages an import of another package's
module executes, has no cycle.  An import inside a function hides the real graph, so each one says
on its line, or on a comment line just above its block, why it waits
("start-up: ..."): `scrqm --version` stays instant.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "scrqm"


@dataclass
class Module:
    name: str
    path: Path
    imports: set[str] = field(default_factory=set)
    # (line, text) of each import inside a function with no reason given
    unexplained: list[tuple[int, str]] = field(default_factory=list)


def _name_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(module: str, node: ast.Import | ast.ImportFrom, known: set[str], is_package: bool) -> set[str]:
    """The scrqm modules `node` executes: each named module and the packages above it."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            parts = module.split(".")[: None if is_package else -1]
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join([*parts, *([base] if base else [])])
        named = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    found = set()
    for name in named:
        parts = name.split(".")
        found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & known
    # A module's own packages run before it whatever it imports: not an edge of its choosing.
    own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    return found - {module} - own


def _reasoned(lines: list[str], node: ast.stmt, previous: ast.stmt | None) -> bool:
    """A `start-up` comment on the import's line, or on the line above its block of imports."""
    if "start-up" in lines[node.lineno - 1].partition("#")[2]:
        return True
    if previous is not None and isinstance(previous, (ast.Import, ast.ImportFrom)) and previous.end_lineno is not None \
            and node.lineno - previous.end_lineno <= 2:
        return True  # one block of imports: the comment above the first explains them all
    above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
    return above.startswith("#") and "start-up" in above


def modules() -> dict[str, Module]:
    paths = sorted(PACKAGE.rglob("*.py"))
    known = {_name_of(p) for p in paths}
    found = {}
    for path in paths:
        module = Module(_name_of(path), path)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        is_package = path.name == "__init__.py"

        def visit(node: ast.AST, *, in_function: bool, typing_only: bool) -> None:
            previous: ast.stmt | None = None
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    visit(child, in_function=True, typing_only=typing_only)
                elif isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                    visit(child, in_function=in_function, typing_only=True)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    if not typing_only:
                        module.imports |= _targets(module.name, child, known, is_package)
                    if in_function and not _reasoned(lines, child, previous):
                        module.unexplained.append((child.lineno, lines[child.lineno - 1].strip()))
                else:
                    visit(child, in_function=in_function, typing_only=typing_only)
                if isinstance(child, ast.stmt):
                    previous = child

        visit(ast.parse(text), in_function=False, typing_only=False)
        found[module.name] = module
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each as a path that closes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_the_walk_finds_the_imports_it_should() -> None:
    """The walk itself: a known edge of each kind, so an empty graph cannot pass the tests below."""
    found = modules()
    assert "scrqm.pipeline" in found["scrqm.run.batch"].imports  # module level
    assert "scrqm.run.session" in found["scrqm.cli"].imports  # inside a command's function
    assert "scrqm.run" in found["scrqm.cli"].imports  # the package of a module imported
    assert "scrqm.report" not in found["scrqm.report.json"].imports  # but not a module's own package
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = {name: module.imports for name, module in modules().items()}
    assert cycles(graph) == []


def test_every_import_inside_a_function_says_why_it_waits() -> None:
    unexplained = [f"{m.path.relative_to(ROOT)}:{line}: {text}"
                   for m in modules().values() for line, text in m.unexplained]
    assert unexplained == [], "\n".join(unexplained)
