"""The import graph points one way.

``lint-imports`` (the contract in ``pyproject.toml``) checks that each layer of the stack imports only the layers
below it; these tests check what it does not: no import cycle between any two modules, no ``kerastorch`` import
hidden in a function body (the one allowed is listed with its reason), and no module importing another module's
private names.
"""

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "kerastorch"

DEFERRED_ALLOWED = {
    # The estimators subclass scikit-learn's base classes: importing them needs scikit-learn, an optional
    # dependency, so the namespace loads them on first use.
    ("kerastorch.wrappers", "kerastorch.wrappers.sklearn_wrapper"),
}


def _modules():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()
_TYPE_CHECKING = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
"""Imports under ``if TYPE_CHECKING:`` serve the type checker only and never run: they are not counted."""


def _target(module, is_package, node, alias):
    """The module an import statement's ``alias`` names (a submodule when it is one)."""
    if isinstance(node, ast.Import):
        return alias.name
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[: len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module
    candidate = f"{prefix}.{alias.name}"
    return candidate if candidate in MODULES else prefix


def _imports():
    """``(importer, imported module, line, at module level, imported name)`` for every import of a kerastorch
    module; the name is empty when the import names the module itself."""
    rows = []
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text())

        def visit(node, in_function):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for alias in child.names:
                        target = _target(module, is_package, child, alias)
                        if target and target.split(".")[0] == "kerastorch":
                            names_module = (
                                isinstance(child, ast.Import)
                                or target.endswith("." + alias.name)
                                and (child.module is None or not child.module.endswith(alias.name))
                            )
                            name = "" if names_module else alias.name
                            rows.append((module, target, child.lineno, not in_function, name))
                elif isinstance(child, ast.If) and ast.unparse(child.test) in _TYPE_CHECKING:
                    visit(ast.Module(body=child.orelse, type_ignores=[]), in_function)  # annotations only
                else:
                    nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                    visit(child, in_function or nested)

        visit(tree, False)
    return rows


IMPORTS = _imports()


def test_no_kerastorch_import_inside_a_function():
    deferred = {(importer, target): line for importer, target, line, top, _ in IMPORTS if not top}
    unexpected = sorted(
        f"{importer}:{line} imports {target}"
        for (importer, target), line in deferred.items()
        if (importer, target) not in DEFERRED_ALLOWED
    )
    assert not unexpected, "imports belong at module level (the stack points one way):\n" + "\n".join(unexpected)


def test_no_import_cycle():
    graph = {}
    for importer, target, _, _, _ in IMPORTS:
        if importer != target:
            graph.setdefault(importer, set()).add(target)
        # Importing kerastorch.a.b first runs kerastorch.a's __init__ (unless the importer is inside it already).
        package = target.rpartition(".")[0]
        while package.count("."):
            if not importer.startswith(package + "."):
                graph.setdefault(importer, set()).add(package)
            package = package.rpartition(".")[0]
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in list(graph):
            if node not in index:
                connect(node)
    finally:
        sys.setrecursionlimit(limit)
    assert not cycles, "modules importing each other: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_module_imports_private_names_of_another():
    leaks = sorted(
        f"{importer}:{line} imports {target}.{name}"
        for importer, target, line, _, name in IMPORTS
        if name.startswith("_") and not name.startswith("__")
    )
    assert not leaks, "private names stay in their module:\n" + "\n".join(leaks)


def test_the_layer_contract_holds():
    lint_imports = shutil.which("lint-imports", path=str(pathlib.Path(sys.executable).parent))
    if lint_imports is None:
        pytest.skip("import-linter is not installed (the `lint` extra); CI runs lint-imports itself")
    result = subprocess.run([lint_imports], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
