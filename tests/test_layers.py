"""No import cycle inside ``compliance/`` (issue 16).

A cycle is hidden today by an import moved into a function body; it breaks the day someone moves
it back to the top, and it means two modules cannot be understood (or moved into packages) one
without the other. Every ``from .x import y``, ``from . import x`` and ``import compliance.x`` is
an edge, at module level or inside a function alike; ``from . import NAME`` where NAME is no
module is an edge to the package's ``__init__``.
"""

import ast
from pathlib import Path

PACKAGE = "compliance"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_names() -> dict[str, Path]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def edges_of(name: str, modules: dict[str, Path]) -> set[str]:
    """The modules of this package that module ``name`` imports, anywhere in its body."""
    tree = ast.parse(modules[name].read_text(), filename=str(modules[name]))
    package = name if is_package(name, modules) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: edges_of(name, modules) for name in modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_module_level_and_function_level_imports():
    graph = import_graph()
    results = graph["compliance.results"]
    assert "compliance.core.engine" in results  # from compliance.core.engine import ...
    assert "compliance.results.tokens" in results  # from . import tokens
    assert "compliance.pages.staff" in graph["compliance"]  # inside create_app
    cpsc = graph["compliance.data.importers.cpsc"]
    assert "compliance.data.importers" in cpsc  # from . import Parsed
    assert "compliance.core.normalize" in cpsc  # from compliance.core.normalize import ...


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_inside_the_package():
    assert cycles(import_graph()) == []


#: The layers of ARCHITECTURE.md, lowest first: a module may import its own package and the ones
#: before it (pages and api sit side by side and import neither each other nor another page).
RANK = {"core": 0, "data": 1, "results": 2, "web": 3, "pages": 4, "api": 4}
#: Modules above the layers: the factory, the command line, the settings.
APP = {"compliance", "compliance.cli", "compliance.config"}


def group_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 3 or parts[1] not in RANK:
        raise AssertionError(f"{module} is in no package of ARCHITECTURE.md")
    return parts[1]


def wrong_way(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for module, targets in graph.items():
        if module in APP or module.count(".") == 1 and module.split(".")[1] in RANK:
            continue
        group = group_of(module)
        for target in targets:
            if target == "compliance.config":
                continue
            other = "app" if target in APP else target.split(".")[1]
            if other == group and group == "pages" and target != module.rpartition(".")[0]:
                lateral = True
            else:
                lateral = group in ("pages", "api") and other in ("pages", "api") and group != other
            if other == "app" or RANK[other] > RANK[group] or lateral:
                found.add((module.removeprefix(PACKAGE + "."), target.removeprefix(PACKAGE + ".")))
    return found


def test_config_imports_nothing_of_the_package():
    assert import_graph()["compliance.config"] == set()


def test_imports_run_one_way():
    """core <- data <- results <- web <- pages, api: no module imports a layer above its own,
    a page never imports another page or the API, the API never imports a page."""
    assert wrong_way(import_graph()) == set()


def test_the_layer_check_sees_a_page_importing_a_page():
    assert wrong_way({"compliance.pages.embed": {"compliance.pages.staff"},
                      "compliance.pages.staff": set()}) == {("pages.embed", "pages.staff")}
    assert wrong_way({"compliance.web.i18n": {"compliance.core.engine"},
                      "compliance.core.engine": set()}) == set()
    assert wrong_way({"compliance.core.engine": {"compliance.web.i18n"},
                      "compliance.web.i18n": set()}) == {("core.engine", "web.i18n")}


def test_the_core_imports_no_web_framework_and_no_database():
    """Issue 16: the decision is plain Python (the CLI and tests call it without an app), over
    data already in memory."""
    outside = ("flask", "flask_babel", "werkzeug", "jinja2", "markupsafe", "sqlite3",
               "sqlite_utils")
    for path in sorted((ROOT / "core").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported = [node.module or ""]
            else:
                continue
            assert not [m for m in imported if m.split(".")[0] in outside], (path.name, imported)
