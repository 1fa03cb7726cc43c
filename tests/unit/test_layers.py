"""The layer order of the README ("Architecture"), enforced on the import graph.

Every module of the application is parsed with `ast` (no import runs); each import — at module
level, inside a function or under `TYPE_CHECKING` alike — is mapped to the package it names. A
package may import packages of lower layers only: never one of its own layer, never one above.
Within a package, modules must not import each other in a cycle. And no package reads another
package's tables behind its back with a hand-declared `sa.table("…", sa.column(…))` clause: it uses
the owner's model (a lower layer) or what the owner contributes through a signal (a higher one).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom first. Packages of one layer do not import each other. A package that must react to one
# above it subscribes to that one's blinker signals, connected in `factory`.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config", "extensions"),
    ("platform_support",),
    ("calendars",),
    ("staff",),
    ("audit", "notifications"),
    ("customers",),
    ("complaints",),
    ("surveys", "webhooks", "inbound"),
    ("reports", "operations"),
    ("api", "demo", "scheduling"),
    ("models_registry",),
    ("factory",),
    ("wsgi", "manage"),
)
# Not application code: tests, benchmarks, scripts and Alembic's environment may import anything.
NOT_APPLICATION = {"tests", "bench", "scripts", "migrations"}


def application_units() -> dict[str, list[Path]]:
    """Top-level package or module name → its source files."""
    units: dict[str, list[Path]] = {}
    for path in sorted(ROOT.iterdir()):
        if path.name.startswith(".") or path.name in NOT_APPLICATION:
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            units[path.name] = sorted(path.rglob("*.py"))
        elif path.suffix == ".py":
            units[path.stem] = [path]
    return units


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # `from package import module` imports that module too.
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
    return found


def _table_owners(units: dict[str, list[Path]]) -> dict[str, str]:
    """Table name → the package whose models declare it (`__tablename__ = …` or `Table("…", …)`)."""
    owners: dict[str, str] = {}
    for unit, files in units.items():
        for path in files:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__tablename__" for t in node.targets)
                        and isinstance(node.value, ast.Constant)):
                    owners[node.value.value] = unit
                elif (isinstance(node, ast.Call) and _called(node) == "Table" and node.args
                      and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    owners[node.args[0].value] = unit
    return owners


def _called(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


NOT_YET: set[str] = set()


def test_no_table_clauses_over_another_packages_tables():
    units = application_units()
    owners = _table_owners(units)
    wrong = []
    for unit, files in units.items():
        for path in files:
            if str(path.relative_to(ROOT)) in NOT_YET:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and _called(node) == "table" and node.args
                        and isinstance(node.args[0], ast.Constant) and owners.get(node.args[0].value, unit) != unit):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} declares {node.args[0].value!r} "
                                 f"(owned by {owners[node.args[0].value]})")
    assert wrong == []


def layer_of() -> dict[str, int]:
    return {name: level for level, names in enumerate(LAYERS) for name in names}


def test_every_application_package_has_a_place_in_the_order():
    placed = layer_of()
    assert sorted(set(application_units()) - set(placed)) == []
    assert sorted(set(placed) - set(application_units())) == []


def test_imports_only_go_down_the_layers():
    units, level = application_units(), layer_of()
    wrong = []
    for unit, files in units.items():
        for path in files:
            for target, line in imported_modules(path):
                other = target.split(".")[0]
                if other in units and other != unit and level[other] >= level[unit]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} "
                                 f"({unit}, layer {level[unit]} → {other}, layer {level[other]})")
    assert wrong == []


def test_no_import_cycles_between_modules():
    modules = {module_name(path): path for files in application_units().values() for path in files}
    graph = {name: sorted({target for target, _line in imported_modules(path)
                           if target in modules and target != name})
             for name, path in modules.items()}
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in graph[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert cycles == []


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    """The graph reader itself: a nested and a relative import are both found."""
    package = tmp_path / "somepackage"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text("def view():\n    from complaints.services import x\n"
                                      "from . import models\nfrom .queries import page\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    names = [target for target, _line in imported_modules(package / "views.py")]
    assert "complaints.services" in names
    assert "somepackage.models" in names and "somepackage.queries" in names
