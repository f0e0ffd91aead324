"""SpectralNormalization: Keras 3 parity in training and inference (outputs, gradients, weight updates),
weight order, symbolic shapes, configs, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.normalization.spectral_normalization import SpectralNormalization

pytestmark = pytest.mark.usefixtures("_cpu_weights")


def _inner(lib, kind, units, use_bias):
    if kind == "dense":
        return lib.layers.Dense(units, use_bias=use_bias)
    if kind == "conv1d":
        return lib.layers.Conv1D(units, 2, use_bias=use_bias)
    if kind == "conv2d":
        return lib.layers.Conv2D(units, 2, use_bias=use_bias)
    return lib.layers.Embedding(6, units)


_INPUT_SHAPES = {"dense": (2, 3), "conv1d": (2, 4, 3), "conv2d": (1, 3, 3, 2), "embedding": (2, 3)}


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(sorted(_INPUT_SHAPES)))
    shape = _INPUT_SHAPES[kind]
    if kind == "embedding":
        x = draw(st.lists(st.integers(0, 5), min_size=6, max_size=6)).copy()
        x = np.array(x, dtype="int64").reshape(shape)
    else:
        x = draw(float_arrays(shape, low=-2.0, high=2.0))
    # units >= 2: Keras 3.15 sends a single-filter conv to a torch routine that fails in backward
    return kind, x, draw(st.integers(2, 4)), draw(st.booleans()), draw(st.integers(1, 3))


def _pair(keras3, kind, units, use_bias, power_iterations, x):
    ours = SpectralNormalization(_inner(kerastorch, kind, units, use_bias), power_iterations=power_iterations)
    theirs = keras3.layers.SpectralNormalization(
        _inner(keras3, kind, units, use_bias), power_iterations=power_iterations
    )
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    rng = np.random.default_rng(0)  # copy Keras's weights, with a well-scaled random vector_u
    weights = [
        w if w.shape[0] != 1 or w.ndim != 2 else rng.normal(size=w.shape).astype("float32")
        for w in theirs.get_weights()
    ]
    theirs.set_weights(weights)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


@given(case=cases())
def test_matches_keras_in_training_and_inference(keras3, case):
    kind, x, units, use_bias, power_iterations = case
    ours, theirs = _pair(keras3, kind, units, use_bias, power_iterations, x)
    floating = x.dtype == np.float32
    xt = torch.tensor(x, requires_grad=floating)
    xk = torch.tensor(x, requires_grad=floating, device=keras_device())
    yt, yk = ours(xt, training=True), theirs(xk, training=True)
    assert yt.dtype == torch.float32
    if not floating:  # Keras casts the Embedding's output to the integer input dtype; compare the float output
        np.testing.assert_array_equal(to_np(yt).astype("int64"), to_np(yk))
        yk = theirs.layer(xk)
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
    for wt, wk in zip(ours.get_weights(), theirs.get_weights()):  # normalized kernel and new vector_u
        np.testing.assert_allclose(wt, wk, **TOL)
    upstream = np.random.default_rng(1).normal(size=tuple(yt.shape)).astype("float32")
    (yt * torch.tensor(upstream)).sum().backward()
    (yk * torch.tensor(upstream, device=yk.device)).sum().backward()
    if floating:
        np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **TOL)
    for wt, wk in zip(ours.trainable_weights, theirs.trainable_weights):
        np.testing.assert_allclose(to_np(wt.grad), to_np(wk.value.grad), **TOL)
    # The kernel now has spectral norm ~1 (up to the power iteration's accuracy), and inference leaves it alone.
    before = ours.get_weights()
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), to_np(theirs(x) if floating else theirs.layer(x)), **TOL)
    for wt, wk in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(wt, wk)


def test_power_iteration_converges_to_unit_spectral_norm():
    layer = SpectralNormalization(layers.Dense(5), power_iterations=30)
    layer.build((None, 7))
    with torch.no_grad():
        layer.layer.kernel.mul_(10.0)
    layer(torch.ones(1, 7), training=True)
    assert abs(float(torch.linalg.matrix_norm(layer.layer.kernel.detach(), ord=2)) - 1.0) < 1e-4
    assert abs(float(layer.vector_u.detach().norm()) - 1.0) < 1e-5


def test_zero_kernel_is_left_alone():
    layer = SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    layer.build((None, 3))
    u = layer.vector_u.detach().clone()
    out = layer(torch.ones(2, 3), training=True)
    assert torch.isfinite(out).all() and torch.equal(layer.vector_u.detach(), u)
    assert torch.count_nonzero(layer.layer.kernel) == 0


def test_weight_order_in_models_matches_keras(keras3):
    ours = kerastorch.Sequential([kerastorch.Input((4,)), layers.Dense(2), SpectralNormalization(layers.Dense(3))])
    theirs = keras3.Sequential(
        [keras3.Input((4,)), keras3.layers.Dense(2), keras3.layers.SpectralNormalization(keras3.layers.Dense(3))]
    )
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == [(w.name, tuple(w.shape)) for w in theirs.weights]
    assert [w.name for w in ours.weights] == ["kernel", "bias", "kernel", "vector_u", "bias"]
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), to_np(theirs(x)), **TOL)
    # a kernel regularizer's penalty is counted once
    sn = SpectralNormalization(layers.Dense(3, kernel_regularizer="l2"))
    sn.build((None, 4))
    assert len(sn.losses) == 1
    assert [w.name for w in sn.weights] == ["kernel", "vector_u", "bias"]


@given(shape=st.sampled_from([(None, 4), (2, 4), (None, 5, 4)]))
def test_symbolic_shapes(keras3, shape):
    out = SpectralNormalization(layers.Dense(3))(kerastorch.Input(batch_shape=shape))
    theirs = keras3.layers.SpectralNormalization(keras3.layers.Dense(3))(keras3.Input(batch_shape=shape))
    assert out.shape == tuple(theirs.shape)
    assert SpectralNormalization(layers.Conv2D(2, 3)).compute_output_shape((None, 5, 5, 1)) == (None, 3, 3, 2)


def test_configs_interchange_with_keras(keras3):
    ours = SpectralNormalization(layers.Conv2D(2, 3), power_iterations=2, name="sn")
    clone = roundtrip(ours)
    assert isinstance(clone.layer, layers.Conv2D) and clone.power_iterations == 2
    theirs = keras3.layers.SpectralNormalization.from_config(ours.get_config())
    assert theirs.power_iterations == 2 and theirs.layer.filters == 2
    back = SpectralNormalization.from_config(theirs.get_config())
    assert back.get_config() == ours.get_config()
    assert back(torch.ones(1, 4, 4, 1), training=True).shape == (1, 2, 2, 2)


def test_errors():
    with pytest.raises(ValueError, match=r'SpectralNormalization layer "sn".*power_iterations=0'):
        SpectralNormalization(layers.Dense(2), power_iterations=0, name="sn")
    with pytest.raises(ValueError, match="expected a kerastorch Layer"):
        SpectralNormalization(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r'"sn".*`kernel` or `embeddings`.*ReLU'):
        SpectralNormalization(layers.ReLU(), name="sn")(torch.ones(1, 2))
    layer = SpectralNormalization(layers.Dense(2), name="sn")
    layer(torch.ones(1, 3))
    with pytest.raises(ValueError, match="sn"):
        layer(torch.ones(1, 4))
