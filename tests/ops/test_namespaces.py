"""The public names of Keras 3's function namespaces that kerastorch lacks: exactly ``KNOWN_GAPS``, which
README.md names too (this test fails when a gap closes or opens, so the list and the README stay current)."""

import importlib

import pytest

pytestmark = pytest.mark.parity

NAMESPACES = ["ops", "ops.nn", "ops.numpy", "ops.linalg", "ops.image", "random", "tree", "backend"]

KNOWN_GAPS = set()


def public(module):
    return {name for name in dir(module) if not name.startswith("_")}


def missing_names(keras3):
    gaps = set()
    for namespace in NAMESPACES:
        theirs = importlib.import_module(f"keras.{namespace}")
        ours = importlib.import_module(f"kerastorch.{namespace}")
        gaps |= {f"keras.{namespace}.{name}" for name in public(theirs) - public(ours)}
    return gaps


def test_missing_names_are_the_known_gaps(keras3):
    gaps = missing_names(keras3)
    assert sorted(gaps - KNOWN_GAPS) == [], "new gaps: add them to KNOWN_GAPS and README.md, or implement them"
    assert sorted(KNOWN_GAPS - gaps) == [], "closed gaps: remove them from KNOWN_GAPS and README.md"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_exported_names_are_callable_or_classes(keras3, namespace):
    ours = importlib.import_module(f"kerastorch.{namespace}")
    theirs = importlib.import_module(f"keras.{namespace}")
    for name in public(theirs) & public(ours):
        if not isinstance(getattr(theirs, name), type(importlib)):  # submodules (ops.nn ...) are checked apart
            assert callable(getattr(ours, name)), f"kerastorch.{namespace}.{name} is not callable"
