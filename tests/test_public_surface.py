"""Every public namespace shows its public names and nothing else.

A namespace's ``__all__`` holds Keras 3's names that kerastorch implements, kerastorch's own public additions and
its public submodules; ``dir()`` shows exactly that (a module-level ``__dir__``), so the imports a module works
with (``torch``, ``np``, ``register_builtin`` ...) and its private submodules (``kerastorch.layers.core`` ...)
stay out of sight while ``import kerastorch.layers.core`` keeps working.
"""

import importlib
import types

import pytest

import kerastorch

TOP_LEVEL = [
    "kerastorch",
    "kerastorch.activations",
    "kerastorch.applications",
    "kerastorch.backend",
    "kerastorch.callbacks",
    "kerastorch.config",
    "kerastorch.constraints",
    "kerastorch.datasets",
    "kerastorch.dtype_policies",
    "kerastorch.initializers",
    "kerastorch.layers",
    "kerastorch.losses",
    "kerastorch.metrics",
    "kerastorch.mixed_precision",
    "kerastorch.models",
    "kerastorch.ops",
    "kerastorch.optimizers",
    "kerastorch.optimizers.schedules",
    "kerastorch.random",
    "kerastorch.regularizers",
    "kerastorch.saving",
    "kerastorch.tree",
    "kerastorch.utils",
    "kerastorch.autodiff",
    "kerastorch.testing",
    "kerastorch.preprocessing",
    "kerastorch.visualization",
    "kerastorch.wrappers",
    "kerastorch.quantizers",
    "kerastorch.distribution",
]

DATASETS = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
APPLICATIONS = [
    "convnext",
    "densenet",
    "efficientnet",
    "efficientnet_v2",
    "imagenet_utils",
    "inception_resnet_v2",
    "inception_v3",
    "mobilenet",
    "mobilenet_v2",
    "mobilenet_v3",
    "nasnet",
    "resnet",
    "resnet50",
    "resnet_v2",
    "vgg16",
    "vgg19",
    "xception",
]
PUBLIC_SUBMODULES = {
    "kerastorch": {
        "activations",
        "applications",
        "autodiff",
        "backend",
        "callbacks",
        "config",
        "constraints",
        "datasets",
        "distribution",
        "dtype_policies",
        "initializers",
        "layers",
        "losses",
        "metrics",
        "mixed_precision",
        "models",
        "ops",
        "optimizers",
        "preprocessing",
        "quantizers",
        "random",
        "regularizers",
        "saving",
        "testing",
        "tree",
        "utils",
        "visualization",
        "wrappers",
    },
    "kerastorch.applications": set(APPLICATIONS),
    "kerastorch.datasets": set(DATASETS),
    "kerastorch.ops": {"image", "linalg", "nn", "numpy"},
    "kerastorch.optimizers": {"schedules"},
    "kerastorch.preprocessing": {"image", "sequence"},
    "kerastorch.testing": {"strategies"},
    "kerastorch.utils": {"bounding_boxes"},
}
"""The submodules each namespace shows (Keras 3's, plus ``autodiff``, ``testing`` and ``datasets.digits``)."""
NESTED = [
    "kerastorch.ops.image",
    "kerastorch.ops.linalg",
    "kerastorch.ops.nn",
    "kerastorch.ops.numpy",
    "kerastorch.preprocessing.image",
    "kerastorch.preprocessing.sequence",
    "kerastorch.utils.bounding_boxes",
]
NESTED += [f"kerastorch.datasets.{name}" for name in DATASETS]
"""Public submodules held to the same rule (the application families' ``__all__`` still lists their builders)."""

NAMESPACES = TOP_LEVEL + NESTED


def _module(name):
    if name == "kerastorch.wrappers":
        pytest.importorskip("sklearn")  # its estimators are made from scikit-learn's base classes on first use
    return importlib.import_module(name)


@pytest.mark.parametrize("name", NAMESPACES)
def test_dir_shows_exactly_all(name):
    module = _module(name)
    assert len(set(module.__all__)) == len(module.__all__), f"{name}.__all__ repeats a name"
    assert dir(module) == sorted(module.__all__)


@pytest.mark.parametrize("name", NAMESPACES)
def test_every_name_in_all_is_public_and_resolves(name):
    module = _module(name)
    for attribute in module.__all__:
        assert not attribute.startswith("_"), f"{name}.{attribute} is private"
        value = getattr(module, attribute)  # AttributeError if __all__ names something missing
        if isinstance(value, types.ModuleType):  # only kerastorch's own submodules, never torch, np, math ...
            assert value.__name__ == f"{name}.{attribute}", f"{name}.{attribute} is {value.__name__}"


@pytest.mark.parametrize("name", NAMESPACES)
def test_the_submodules_shown_are_the_public_ones(name):
    module = _module(name)
    shown = {attribute for attribute in module.__all__ if isinstance(getattr(module, attribute), types.ModuleType)}
    assert shown == PUBLIC_SUBMODULES.get(name, set())


@pytest.mark.parametrize("name", NAMESPACES)
def test_star_import_gives_all(name):
    namespace = {}
    exec(f"from {name} import *", namespace)
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(_module(name).__all__)


def test_every_public_submodule_is_checked():
    not_yet = {f"kerastorch.applications.{name}" for name in APPLICATIONS} | {"kerastorch.testing.strategies"}
    shown = {f"{name}.{sub}" for name, submodules in PUBLIC_SUBMODULES.items() for sub in submodules}
    assert sorted(shown - set(NAMESPACES) - not_yet) == []


def test_hidden_modules_and_names_still_import():
    """Hiding is only from ``dir()``: implementation modules and helpers stay importable and reachable."""
    import kerastorch.layers.base
    from kerastorch.layers import core
    from kerastorch.layers.core import Dense

    assert core.Dense is Dense is kerastorch.layers.Dense
    assert kerastorch.layers.base.Layer is kerastorch.Layer and "base" not in dir(kerastorch.layers)
    assert kerastorch.activations.torch is importlib.import_module("torch")
    assert "torch" not in dir(kerastorch.activations) and "keras_alias" not in dir(kerastorch)
    assert kerastorch.keras_alias.install_as_keras is kerastorch.install_as_keras
    assert kerastorch.__version__ == kerastorch.version()


def test_the_reported_leaks_are_gone():
    assert not {"F", "np", "torch", "types", "register_builtin"} & set(dir(kerastorch.activations))
    assert not {"base", "core", "node", "tensor_op"} & set(dir(kerastorch.layers))


def _keras_name(name):
    return "keras" + name[len("kerastorch") :]


@pytest.mark.parity
@pytest.mark.parametrize("name", [n for n in NAMESPACES if n not in ("kerastorch.autodiff", "kerastorch.testing")])
def test_every_keras_name_kerastorch_has_is_in_all(keras3, name):
    """A Keras name kerastorch provides is listed (so it shows in ``dir()`` and tools/keras_api_diff.py counts it)."""
    try:
        theirs = importlib.import_module(_keras_name(name))
    except ImportError:
        pytest.skip(f"Keras 3 has no {_keras_name(name)}")
    module = _module(name)
    keras_names = {attribute for attribute in dir(theirs) if not attribute.startswith("_")}
    unlisted = {attribute for attribute in keras_names - set(module.__all__) if hasattr(module, attribute)}
    assert not unlisted, sorted(unlisted)


@pytest.mark.parity
@pytest.mark.parametrize("name", NAMESPACES)
def test_names_beyond_keras_are_kerastorchs_own(keras3, name):
    """What ``__all__`` adds to Keras's names is defined in kerastorch (no re-exported torch or NumPy object)."""
    try:
        keras_names = set(dir(importlib.import_module(_keras_name(name))))
    except ImportError:
        keras_names = set()
    module = _module(name)
    for attribute in set(module.__all__) - keras_names:
        value = getattr(module, attribute)
        owner = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        if owner is not None:
            assert owner.startswith("kerastorch"), f"{name}.{attribute} comes from {owner}"
