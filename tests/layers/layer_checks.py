"""Helpers shared by the layer tests: tolerances, array conversion, hypothesis inputs, config round trips.

pytest imports the test files here with this folder put first on ``sys.path`` (rootdir-based "prepend"
import mode, no ``__init__.py``), so they can ``from layer_checks import ...``.
"""
import json

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerastorch.saving import deserialize_keras_object, serialize_keras_object

TOL = dict(rtol=1e-5, atol=1e-5)
"""Tolerances for ``np.testing.assert_allclose`` on float32 results."""


def to_np(x):
    """A NumPy array of ``x``: a torch tensor (on any device, with or without grad) or anything array-like."""
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def float_arrays(shape=None, *, min_dims=1, max_dims=4, max_side=4, low=-5.0, high=5.0):
    """A hypothesis strategy for float32 arrays with finite elements in ``[low, high]``.

    ``shape`` is a tuple or a strategy of shapes; when it is None the shape is drawn with
    ``min_dims`` to ``max_dims`` axes of ``1`` to ``max_side`` entries each (the dims are ignored otherwise).
    """
    if shape is None:
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side)
    return hnp.arrays(np.float32, shape, elements=st.floats(low, high, width=32))


def roundtrip(layer):
    """Check that a layer's config survives ``from_config`` and serialization; return the clone.

    The config must be JSON-able; ``from_config`` must give the same config back both from the config
    itself and from its JSON round trip (tuples come back as lists); and
    ``deserialize_keras_object(serialize_keras_object(layer))``, also through JSON, must give a layer of
    the same type with the same config. The clone returned is the one built from the JSON-loaded config.
    """
    config = layer.get_config()
    clone = type(layer).from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    assert type(layer).from_config(config).get_config() == config
    restored = deserialize_keras_object(json.loads(json.dumps(serialize_keras_object(layer))))
    assert type(restored) is type(layer) and restored.get_config() == config
    return clone


def keras_device():
    """The device Keras 3's torch backend puts tensors on: CUDA when available, else CPU."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def assert_same_as_keras(ours, theirs, x, tol=TOL, weight_grads=False):
    """Outputs and input gradients (and, with ``weight_grads``, weight gradients) of a kerastorch
    layer and the Keras 3 layer ``theirs`` agree on ``x`` under one random upstream gradient; returns
    kerastorch's output."""
    xt = torch.tensor(x, requires_grad=True)
    xk = torch.tensor(x, requires_grad=True, device=keras_device())
    yt, yk = ours(xt), theirs(xk)
    assert tuple(yt.shape) == tuple(yk.shape)
    np.testing.assert_allclose(to_np(yt), to_np(yk), **tol)
    upstream = np.random.default_rng(1).normal(size=tuple(yt.shape)).astype("float32")
    (yt * torch.tensor(upstream)).sum().backward()
    (yk * torch.tensor(upstream, device=yk.device)).sum().backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **tol)
    if weight_grads:
        for wt, wk in zip(ours.weights, theirs.weights):
            np.testing.assert_allclose(to_np(wt.grad), to_np(wk.value.grad), **tol)
    return yt
