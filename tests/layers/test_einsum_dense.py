"""Tests for EinsumDense: Keras 3 parity (weight shapes, outputs, input and weight gradients) over many
equations, the matrix-product fast path against einsum, symbolic shapes, LoRA, configs and errors."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import assert_same_as_keras, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers import einsum_dense

pytestmark = pytest.mark.usefixtures("_cpu_weights")


def _cases(b, t, c, d, e):
    """(equation, input shape, output_shape, bias_axes options) for drawn sizes."""
    return [
        ("ab,bc->ac", (b, c), (d,), [None, "c"]),
        ("abc,cd->abd", (b, t, c), (None, d), [None, "d"]),
        ("abc,cd->abd", (b, t, c), (t, d), ["bd", "b"]),
        ("abc,cde->abde", (b, t, c), (None, d, e), [None, "de", "e", "d"]),
        ("abcd,cde->abe", (b, t, c, d), (None, e), [None, "e"]),
        ("abcd,cde->abe", (b, t, c, d), (t, e), ["be"]),
        ("...b,bc->...c", (b, t, c), (d,), [None, "c"]),
        ("...b,bc->...c", (b, c), (d,), ["c"]),
        ("abc,bcd->abd", (b, t, c), (t, d), [None, "bd", "d"]),
        ("ab...,bc->ac...", (b, c, t), (d,), [None, "c"]),
        ("abc,dc->adb", (b, t, c), (d, t), [None, "d"]),
    ]


@st.composite
def configs(draw):
    sizes = [draw(st.integers(1, 3))] + [draw(st.integers(1, 4)) for _ in range(4)]
    equation, shape, output_shape, biases = draw(st.sampled_from(_cases(*sizes)))
    return equation, shape, output_shape, draw(st.sampled_from(biases))


def _pair(keras3, equation, output_shape, bias_axes, shape, **kwargs):
    ours = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, **kwargs)
    theirs = keras3.layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, **kwargs)
    ours.build(shape)
    theirs.build(shape)
    return ours, theirs


@given(config=configs(), data=st.data())
def test_parity_with_keras(keras3, config, data):
    equation, shape, output_shape, bias_axes = config
    ours, theirs = _pair(
        keras3, equation, output_shape, bias_axes, shape, activation=data.draw(st.sampled_from([None, "tanh"]))
    )
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights(theirs.get_weights())
    x = data.draw(float_arrays(shape, low=-2, high=2))
    y = assert_same_as_keras(ours, theirs, x, weight_grads=True)
    assert ours.compute_output_shape(shape) == tuple(y.shape)


@given(config=configs(), data=st.data())
def test_matmul_path_equals_einsum(config, data):
    equation, shape, output_shape, bias_axes = config
    layer = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, bias_initializer="uniform")
    layer.build(shape)
    expected_plan = einsum_dense._matmul_plan(equation) is not None
    assert (layer._plan is not None) == expected_plan
    x = torch.tensor(data.draw(float_arrays(shape)))
    fast = layer(x)
    reference = torch.einsum(equation, x, layer.kernel) + (0 if layer.bias is None else layer.bias)
    np.testing.assert_allclose(to_np(fast), to_np(reference), rtol=1e-5, atol=1e-5)


def test_fast_path_covers_multi_head_projections():
    for equation in ("abc,cd->abd", "abc,cde->abde", "abcd,cde->abe", "...b,bc->...c", "ab,bc->ac"):
        assert einsum_dense._matmul_plan(equation) is not None, equation
    for equation in ("abc,bcd->abd", "ab...,bc->ac...", "abc,dc->adb", "abc,cd->adb"):
        assert einsum_dense._matmul_plan(equation) is None, equation


def test_symbolic_shapes_resolve_none_from_input():
    x = kerastorch.Input((5, 3))
    y = layers.EinsumDense("abc,cde->abde", (None, 2, 4), bias_axes="de")(x)
    assert tuple(y.shape) == (None, 5, 2, 4)
    z = layers.EinsumDense("abc,cd->abd", (None, 4))(kerastorch.Input((None, 3)))
    assert tuple(z.shape) == (None, None, 4)
    layer = layers.EinsumDense("...b,bc->...c", 6)
    assert layer.compute_output_shape((None, 7, 2, 3)) == (None, 7, 2, 6)
    assert not layer.built


@given(config=configs())
def test_config_roundtrip_and_keras_interchange(keras3, config):
    equation, shape, output_shape, bias_axes = config
    ours = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, activation="relu", kernel_regularizer="l2")
    clone = roundtrip(ours)
    assert clone.equation == equation and clone.bias_axes == bias_axes
    theirs = keras3.layers.EinsumDense.from_config(json.loads(json.dumps(ours.get_config())))
    back = layers.EinsumDense.from_config(json.loads(json.dumps(theirs.get_config())))
    assert back.get_config() == ours.get_config()
    theirs.build(shape)
    clone.build(shape)
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in theirs.weights]


def test_weights_roundtrip_and_initializer_fans():
    layer = layers.EinsumDense("abc,cde->abde", (None, 4, 8), bias_axes="de")
    layer.build((None, 3, 16))
    values = [np.random.default_rng(1).normal(size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    # glorot fans from the input axis (16) and the output axes (4 * 8), as Keras computes them
    big = layers.EinsumDense("abc,cde->abde", (None, 16, 64))
    big.build((None, 3, 64))
    limit = np.sqrt(6.0 / (64 + 16 * 64))
    kernel = to_np(big.kernel)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


def test_lora_matches_keras(keras3):
    shape = (2, 3, 4)
    ours, theirs = _pair(keras3, "abc,cde->abde", (None, 2, 5), "de", shape, lora_rank=2)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.trainable_weights] == ["bias", "lora_kernel_a", "lora_kernel_b"]
    rng = np.random.default_rng(3)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights(theirs.get_weights())
    x = rng.normal(size=shape).astype("float32")
    assert_same_as_keras(ours, theirs, x)
    assert ours.get_config()["lora_rank"] == 2
    with pytest.raises(ValueError, match='EinsumDense layer ".*": LoRA is already enabled'):
        ours.enable_lora(2)


def test_integer_inputs_and_device_of_kernel():
    layer = layers.EinsumDense("ab,bc->ac", 3, kernel_initializer="ones")
    out = layer(torch.tensor([[1, 2]]))
    assert out.dtype == torch.float32 and out.tolist() == [[3.0, 3.0, 3.0]]
    assert keras_device() in ("cpu", "cuda")


@pytest.mark.parametrize(
    "kwargs, shape, message",
    [
        ({"equation": "ab->ac", "output_shape": 3}, (2, 3), "invalid einsum equation"),
        ({"equation": "abc,cd->abd", "output_shape": (4, 5)}, (2, 3, 6), "disagree on the shared axis 'b'"),
        ({"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "x"}, (2, 4), "bias axis 'x'"),
        ({"equation": "ab,bc->ad", "output_shape": 3}, (2, 4), "appears in neither"),
        ({"equation": "abc,cd->abd", "output_shape": 4}, (2, 3, 5), "do not fit inputs"),
    ],
)
def test_build_errors_name_the_layer(kwargs, shape, message):
    with pytest.raises(ValueError, match=f'EinsumDense layer "[a-z_0-9]+": .*{message}'):
        layers.EinsumDense(**kwargs).build(shape)


def test_constructor_errors():
    with pytest.raises(ValueError, match="output_shape must be an int or a tuple"):
        layers.EinsumDense("ab,bc->ac", output_shape=0)
    with pytest.raises(ValueError, match="bias_axes must be None or a string"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes=["c"])
    with pytest.raises(ValueError, match="quantization_config must be a keras.quantizers.QuantizationConfig"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, quantization_config={"mode": "int8"})
