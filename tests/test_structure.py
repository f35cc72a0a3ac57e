"""The package's import structure, read with ``ast``: no import cycle, no hidden imports in rest/.

An import inside a function hides a dependency from the reader and from this graph; in
``rest/`` one is allowed only where it keeps an optional dependency optional, listed below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import django_functionalkit

PACKAGE = Path(django_functionalkit.__file__).parent
NAME = PACKAGE.name

# (module, imported module) pairs of rest/ that import inside a function, each because the
# imported module belongs to an optional extra the rest of the module works without.
OPTIONAL_IMPORTS: frozenset[tuple[str, str]] = frozenset()


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, whether it is a package's ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules(PACKAGE)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs as it loads (``if``/``try`` included, ``TYPE_CHECKING`` not)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _top_level_imports(block)


def _function_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports inside a function or method, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The absolute names ``node`` imports: ``from .x import y`` is ``x.y`` when that is a
    module, else ``x``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    names = [f"{source}.{alias.name}" for alias in node.names]
    return [name if name in MODULES else source for name in names]


def _own(name: str) -> str | None:
    """The package module ``name`` is, or is inside; ``None`` for another package's."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports as it loads (its parent packages aside: every
    submodule runs them, which is no dependency of its own)."""
    graph = {}
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        found = set()
        for node in _top_level_imports(tree.body):
            for name in _imported(module, is_package, node):
                own = _own(name)
                if own is not None and own != module:
                    found.add(own)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph``, each as a path that ends where it starts."""
    found: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_graph_sees_a_cycle() -> None:
    """The check itself: a cycle, and one through a package's ``__init__``, are found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    graph = import_graph()
    assert f"{NAME}.rest.serializers" in graph[f"{NAME}.rest.schema.body"]
    assert f"{NAME}.rest.schema" in graph[f"{NAME}.rest.views"]


def test_rest_imports_nothing_inside_a_function_but_optional_dependencies() -> None:
    hidden = set()
    for module, (path, is_package) in MODULES.items():
        if not module.startswith(f"{NAME}.rest"):
            continue
        for node in _function_imports(ast.parse(path.read_text(), str(path))):
            for name in _imported(module, is_package, node):
                if (module, name) not in OPTIONAL_IMPORTS:
                    hidden.add(f"{module}:{node.lineno} imports {name}")
    assert sorted(hidden) == []


def _spells_a_dotted_name(node: ast.JoinedStr) -> bool:
    """An f-string that puts ``__module__`` and ``__qualname__`` together."""
    read = {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    } | {  # getattr(x, "__qualname__", ...)
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }
    return {"__module__", "__qualname__"} <= read


def test_names_and_subclasses_are_worked_out_in_one_module() -> None:
    """``introspection.dotted_name`` and ``introspection.subclasses``, nowhere else."""
    found = []
    for module, (path, _) in MODULES.items():
        if module == f"{NAME}.introspection":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.JoinedStr) and _spells_a_dotted_name(node):
                found.append(f"{module}:{node.lineno} spells module.qualname")
            if isinstance(node, ast.Attribute) and node.attr == "__subclasses__":
                found.append(f"{module}:{node.lineno} walks subclasses")
    assert found == []
