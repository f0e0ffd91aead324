"""The examples in the optimizer docstrings run and print what they show."""
import doctest
import importlib

import pytest
import torch

import kerastorch
import kerastorch.optimizers as optimizers

MODULES = ["", ".base", ".sgd", ".rmsprop", ".adam", ".nadam", ".adagrad", ".adadelta", ".adamax", ".lion", ".ftrl",
           ".schedules"]


@pytest.mark.parametrize("suffix", MODULES)
def test_docstring_examples(suffix):
    module = importlib.import_module("kerastorch.optimizers" + suffix)
    names = {**{n: getattr(optimizers, n) for n in optimizers.__all__},
             **{n: getattr(optimizers.schedules, n) for n in dir(optimizers.schedules) if not n.startswith("_")}}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = doctest.DocTestFinder().find(module, globs={"torch": torch, "kerastorch": kerastorch, **names})
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0 and results.failed == 0
