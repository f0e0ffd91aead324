"""Helpers shared by the layer tests: tolerances, array conversion, hypothesis inputs, config round trips.

pytest imports the test files here with this folder put first on ``sys.path`` (rootdir-based "prepend"
import mode, no ``__init__.py``), so they can ``from layer_checks import ...``.
"""

import json

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kerastorch
from kerastorch import layers
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


def keras_clone(keras3, layer):
    """The Keras 3 layer made from our layer's config (through JSON)."""
    return getattr(keras3.layers, type(layer).__name__).from_config(json.loads(json.dumps(layer.get_config())))


def from_keras(keras_layer):
    """Our layer made from a Keras 3 layer's config (through JSON)."""
    return getattr(layers, type(keras_layer).__name__).from_config(json.loads(json.dumps(keras_layer.get_config())))


def channels_layout(x, data_format):
    """A channels-last image array ``x`` in ``data_format`` (the channel axis moved before the spatial axes)."""
    return np.ascontiguousarray(np.moveaxis(x, -1, -3)) if data_format == "channels_first" else x


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


def as_list(y):
    """A layer's outputs as a list (one tensor, or the tensors of a list/tuple)."""
    return list(y) if isinstance(y, (list, tuple)) else [y]


def copy_random_weights(ours, theirs, scale=1.0):
    """Give the Keras 3 layer ``theirs`` random normal weights times ``scale`` and copy them into ``ours``."""
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") * scale for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())


def build_pair(ours, theirs, *build_args, scale=1.0):
    """Build our layer and the Keras 3 one with ``build_args``, check that their weights have the same paths
    (but for the layers' names) and shapes, give them the same random weights (``copy_random_weights``)
    and return them."""
    ours.build(*build_args)
    theirs.build(*build_args)
    assert [w.path.replace(ours.name, "L") for w in ours.weights] == [
        w.path.replace(theirs.name, "L") for w in theirs.weights
    ]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    copy_random_weights(ours, theirs, scale)
    return ours, theirs


def check_initial_state_parity(ours, theirs, x, states, tol=TOL):
    """Built for ``x`` with Keras's weights, both layers give the same outputs from the initial ``states``
    (arrays); returns ours."""
    ours.build(x.shape)
    theirs.build(x.shape)
    ours.set_weights(theirs.get_weights())
    yt = ours(torch.tensor(x), initial_state=[torch.tensor(s) for s in states])
    yk = theirs(
        torch.tensor(x, device=keras_device()), initial_state=[torch.tensor(s, device=keras_device()) for s in states]
    )
    np.testing.assert_allclose(to_np(yt), to_np(yk), **tol)
    return yt


def assert_outputs_and_input_grads(yt, yk, xt, xk, tol=TOL):
    """Our outputs ``yt`` and Keras's ``yk`` (lists) agree, and so do the gradients of the inputs ``xt`` and
    ``xk`` under one random upstream gradient per output."""
    assert len(yt) == len(yk)
    loss_t = loss_k = 0
    for i, (a, b) in enumerate(zip(yt, yk)):
        np.testing.assert_allclose(to_np(a), to_np(b), **tol)
        upstream = np.random.default_rng(i).normal(size=tuple(a.shape)).astype("float32")
        loss_t = loss_t + (a * torch.tensor(upstream)).sum()
        loss_k = loss_k + (b * torch.tensor(upstream, device=b.device)).sum()
    loss_t.backward()
    loss_k.backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **tol)


def check_augmenter_common(keras3, layer, make, x, keras_overrides=()):
    """What every random image augmenter does: the identity in inference, new draws per training call,
    reproducible with a seed (``make()`` makes an equal layer), unbatched inputs, finite input gradients,
    symbolic shapes, config round trips (also through Keras 3, whose config may differ in
    ``keras_overrides``), and ``module.train()`` turns it on. Returns the first training output."""
    channels_first = layer.data_format == "channels_first"
    assert layer(x) is x and layer(x, training=False) is x
    first, second = layer(x, training=True), layer(x, training=True)
    assert first.shape == x.shape and not torch.equal(first, second)  # new draws each call
    assert torch.equal(first, make()(x, training=True))  # seeded: reproducible
    assert layer(x[0], training=True).shape == x[0].shape
    xg = x.clone().requires_grad_(True)
    layer(xg, training=True).sum().backward()
    assert xg.grad is not None and torch.isfinite(xg.grad).all()
    symbolic = layer(kerastorch.Input((3, None, None) if channels_first else (None, None, 3)))
    assert tuple(symbolic.shape) == ((None, 3, None, None) if channels_first else (None, None, None, 3))
    clone = roundtrip(layer)
    assert clone.seed == layer.seed and clone.data_format == layer.data_format
    restored = from_keras(keras_clone(keras3, layer)).get_config()
    assert restored | {"name": layer.name, **dict(keras_overrides)} == layer.get_config()
    layer.train()
    assert not torch.equal(layer(x), x)  # module.train() turns augmentation on
    layer.eval()
    return first


def check_keras_configs_load(pairs, ignore=()):
    """Each ``(keras_layer, expected)``: our layer made from the Keras config has the ``expected`` entries and
    the same config keys as Keras's (but for ``ignore``); returns our layers."""
    ours_all = []
    for keras_layer, expected in pairs:
        ours = from_keras(keras_layer)
        config = ours.get_config()
        assert {key: config[key] for key in expected} == expected
        assert set(config) - set(ignore) == set(keras_layer.get_config()) - set(ignore)
        ours_all.append(ours)
    return ours_all
