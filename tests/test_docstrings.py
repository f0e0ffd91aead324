"""Every ``>>>`` example in kerastorch's docstrings runs and shows what it prints.

This is what ``python -m pytest --doctest-modules kerastorch`` checks, collected with the rest of the suite:
one test per module that has examples, each docstring run with that module's globals only (an example
imports whatever else it uses), in an empty working folder, from the known state every test starts from.
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import kerastorch

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
OPTIONAL = {"kerastorch.applications.torchvision_models": "torchvision", "kerastorch.applications.timm_models": "timm"}
"""Modules whose examples need an optional package (the ``vision`` extra); they run where it is installed."""
OPTIONAL["kerastorch.wrappers.sklearn_wrapper"] = "sklearn"  # scikit-learn, an optional dependency


def _docstring_tests(name):
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module, name) if t.examples]
    # A function wrapped by a decorator defined elsewhere (the ops' symbolic dispatch) has that module's
    # globals, so the finder above skips it: its docstring runs here, with its own module's globals.
    finder, seen = doctest.DocTestFinder(recurse=False), {id(t.docstring) for t in tests}
    for key, value in sorted(vars(module).items()):
        wrapped = getattr(value, "__wrapped__", None)
        if key.startswith("_") or wrapped is None or getattr(wrapped, "__module__", None) != name:
            continue
        for test in finder.find(value, f"{name}.{key}", globs=dict(vars(module))):
            if test.examples and id(test.docstring) not in seen:
                tests.append(test)
    return tests


MODULES = [
    name
    for name in ["kerastorch"] + sorted(m.name for m in pkgutil.walk_packages(kerastorch.__path__, "kerastorch."))
    if _docstring_tests(name)
]


def _public_modules():
    """Modules outside private packages that define public functions or classes."""
    for name in sorted(m.name for m in pkgutil.walk_packages(kerastorch.__path__, "kerastorch.")):
        module = importlib.import_module(name)
        if not any(part.startswith("_") for part in name.split(".")) and any(
            not key.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == name
            for key, value in vars(module).items()
        ):
            yield name


def test_every_public_module_has_examples():
    """Documented like Keras: a module with public functions or classes shows them at work."""
    assert sorted(set(_public_modules()) - set(MODULES)) == []


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    report = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in _docstring_tests(name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
