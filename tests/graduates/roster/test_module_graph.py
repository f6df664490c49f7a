"""The roster import's modules form an acyclic import graph: the Celery tasks call the actions, and the actions
send the tasks by name (never importing graduates.tasks, not even inside a function)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "graduates"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every graduates.* module PATH imports, at the top or inside a function."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m.startswith("graduates")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_roster_actions_never_import_the_tasks():
    graph = _graph()
    assert "graduates.roster.actions" in graph["graduates.tasks"]
    roster = [name for name in graph if name.startswith("graduates.roster")]
    assert not [name for name in roster if "graduates.tasks" in graph[name]]


def test_no_import_cycle_runs_through_the_roster_import_or_the_tasks():
    graph = _graph()
    ours = {name for name in graph if name.startswith("graduates.roster")} | {"graduates.tasks"}

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    assert not [name for name in sorted(ours) if reaches(name, name)]
