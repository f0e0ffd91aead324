"""The public signatures carry type hints, which mypy checks (``mypy``, configured in ``pyproject.toml``).

Every function a public namespace exports annotates each argument and its return; every class annotates the
arguments of its constructor; and the methods Keras users call on the central classes (``fit``, ``add_weight``,
``apply_gradients`` ...) are annotated too. ``py.typed`` ships with the package, so type checkers read them.
"""

import importlib.resources
import inspect

import pytest
from test_api_docs import NAMESPACES, public_objects

import kerastorch

METHODS = {
    kerastorch.Layer: [
        "add_weight",
        "build",
        "compute_output_shape",
        "compute_output_spec",
        "count_params",
        "get_config",
        "get_weights",
        "set_weights",
        "add_loss",
        "from_config",
    ],
    kerastorch.Model: [
        "compile",
        "fit",
        "evaluate",
        "predict",
        "train_on_batch",
        "test_on_batch",
        "predict_on_batch",
        "save",
        "save_weights",
        "load_weights",
        "summary",
        "get_layer",
        "to_json",
        "quantize",
    ],
    kerastorch.Sequential: ["add", "pop"],
    kerastorch.optimizers.Optimizer: ["apply_gradients", "apply", "build", "get_config"],
    kerastorch.losses.Loss: ["__call__", "call", "get_config"],
    kerastorch.metrics.Metric: ["update_state", "result", "reset_state", "get_config"],
    kerastorch.callbacks.Callback: [
        "set_model",
        "set_params",
        "on_epoch_begin",
        "on_epoch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_train_begin",
        "on_train_end",
    ],
}


def _objects():
    seen = {}
    for namespace in NAMESPACES:
        for name, obj in public_objects(namespace).items():
            seen.setdefault(id(obj), (name, obj))
    return sorted(seen.values(), key=lambda pair: pair[0])


def _unannotated(function, needs_return):
    """The arguments of ``function`` without a hint (``return`` too when it lacks one and must have one)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
    ]
    if needs_return and signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


OBJECTS = _objects()


@pytest.mark.parametrize("name,obj", OBJECTS, ids=[name for name, _ in OBJECTS])
def test_public_signature_is_annotated(name, obj):
    if inspect.isclass(obj):
        init = obj.__dict__.get("__init__") or next(
            (klass.__dict__["__init__"] for klass in obj.__mro__ if "__init__" in klass.__dict__), None
        )
        if init is None or not getattr(init, "__module__", "").startswith("kerastorch"):
            return  # a constructor inherited from outside kerastorch (object, torch.nn.Module ...)
        missing = _unannotated(init, needs_return=False)
    else:
        missing = _unannotated(obj, needs_return=True)
    assert not missing, f"{name}: no type hint for {missing}"


@pytest.mark.parametrize(
    "cls,method",
    [(cls, m) for cls, methods in METHODS.items() for m in methods],
    ids=[f"{cls.__name__}.{m}" for cls, methods in METHODS.items() for m in methods],
)
def test_central_methods_are_annotated(cls, method):
    function = inspect.getattr_static(cls, method)
    function = getattr(function, "__func__", function)
    missing = _unannotated(function, needs_return=True)
    assert not missing, f"{cls.__name__}.{method}: no type hint for {missing}"


def test_the_package_says_it_is_typed():
    assert importlib.resources.files("kerastorch").joinpath("py.typed").is_file()
