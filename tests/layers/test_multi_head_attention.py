"""Tests for MultiHeadAttention: Keras 3 parity (weight layout and paths, outputs, scores, gradients of the
inputs and weights) with padding, causal and explicit masks, attention axes of 4-D inputs, the fused
(scaled_dot_product_attention) path against the explicit one, dropout, symbolic shapes, configs that load
into Keras 3 and back, training in a functional model, and errors."""

import json

import numpy as np
import pytest
import torch
from attention_checks import (
    check_build_config_and_weights,
    check_cuda_empty_rows,
    check_dropout,
    check_fused_equals_explicit,
    check_fused_parity,
    check_masks_from_tensors,
    check_parity,
    draw_arrays,
    draw_call,
    keras_pair,
)
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import roundtrip

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def problems(draw, ndim=3):
    """Layer arguments, call arguments and arrays: query, value (and key), masks, causal, scores."""
    batch = draw(st.integers(1, 3))
    kwargs = {
        "num_heads": draw(st.integers(1, 3)),
        "key_dim": draw(st.integers(1, 4)),
        "value_dim": draw(st.sampled_from([None, 1, 2, 4])),
        "output_shape": draw(st.sampled_from([None, 1, 3])),
        "use_bias": draw(st.booleans()),
    }
    if ndim == 3:
        tq, tv = (draw(st.integers(1, 5)),), (draw(st.integers(1, 5)),)
    else:
        axes = draw(st.sampled_from([(1,), (2,), (1, 2), (-2,)]))
        kwargs["attention_axes"] = axes
        q_axes = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        free = 2 if axes == (1,) else (1 if axes in ((2,), (-2,)) else None)
        tq = q_axes
        tv = tuple(q_axes[i] if i + 1 == free else draw(st.integers(1, 3)) for i in range(2))
    arrays = draw_arrays(draw, batch, tq, tv, 6)
    call = draw_call(draw, batch, tq[0], tv[0], len(arrays) == 3, key_mask=False) if ndim == 3 else {}
    return kwargs, arrays, call


def _pair(keras3, kwargs, arrays):
    return keras_pair(layers.MultiHeadAttention, keras3.layers.MultiHeadAttention, kwargs, arrays)


@given(problem=problems(), scores=st.booleans())
def test_parity_with_keras(keras3, problem, scores):
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    yt = check_parity(ours, theirs, arrays, call, scores)
    q, v = arrays[0].shape, arrays[1].shape
    assert tuple(yt[0].shape) == ours.compute_output_shape(q, v)
    if scores:
        assert tuple(yt[1].shape) == (q[0], kwargs["num_heads"], q[1], v[1])


@given(problem=problems(ndim=4), scores=st.booleans())
def test_parity_with_keras_attention_axes(keras3, problem, scores):
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    check_parity(ours, theirs, arrays, call, scores)


@given(problem=problems())
def test_parity_with_keras_fused_path_without_empty_rows(keras3, problem):
    """Where every query position sees some key, Keras's fused path and ours agree too."""
    kwargs, arrays, call = problem
    call = {"use_causal_mask": call["use_causal_mask"]}
    check_fused_parity(*_pair(keras3, kwargs, arrays), arrays, call)


@given(problem=problems())
def test_fused_path_equals_explicit_path(problem):
    kwargs, arrays, call = problem
    check_fused_equals_explicit(layers.MultiHeadAttention(**kwargs, bias_initializer="uniform"), arrays, call)


def test_masks_from_tensors_and_output_mask():
    check_masks_from_tensors(layers.MultiHeadAttention(num_heads=2, key_dim=3))


def test_dropout_identity_in_inference_random_in_training():
    check_dropout(lambda **kwargs: layers.MultiHeadAttention(num_heads=2, key_dim=3, **kwargs))


def test_symbolic_shapes():
    q, v = kerastorch.Input((None, 6)), kerastorch.Input((7, 5))
    assert tuple(layers.MultiHeadAttention(2, 3)(q, v).shape) == (None, None, 6)
    out, scores = layers.MultiHeadAttention(3, 2, output_shape=4)(q, v, return_attention_scores=True)
    assert tuple(out.shape) == (None, None, 4) and tuple(scores.shape) == (None, 3, None, 7)
    layer = layers.MultiHeadAttention(2, 3, output_shape=(2, 4))
    assert layer.compute_output_shape((None, 5, 6), (None, 7, 5)) == (None, 5, 2, 4)
    assert not layer.built
    grid = kerastorch.Input((4, 3, 6))
    assert tuple(layers.MultiHeadAttention(2, 3, attention_axes=(1, 2))(grid, grid).shape) == (None, 4, 3, 6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_heads": 2, "key_dim": 3},
        {"num_heads": 1, "key_dim": 4, "value_dim": 2, "output_shape": 5, "use_bias": False, "dropout": 0.1, "seed": 3},
        {"num_heads": 3, "key_dim": 2, "attention_axes": [2], "kernel_regularizer": "l2", "bias_initializer": "ones"},
        {"num_heads": 2, "key_dim": 2, "use_gate": True, "sliding_window": 2},
    ],
)
def test_config_roundtrip_and_keras_interchange(keras3, kwargs):
    ours = layers.MultiHeadAttention(**kwargs)
    config = roundtrip(ours).get_config()
    theirs = keras3.layers.MultiHeadAttention.from_config(json.loads(json.dumps(config)))
    back = layers.MultiHeadAttention.from_config(json.loads(json.dumps(theirs.get_config())))
    shapes = [(2, 3, 4, 5), (2, 3, 2, 6)] if "attention_axes" in kwargs else [(2, 3, 5), (2, 4, 6)]
    theirs.build(*shapes)
    back.build(*shapes)
    assert [tuple(w.shape) for w in back.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path.split("/", 1)[1] for w in back.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
    mine = {k: v for k, v in back.get_config().items() if k != "name"}
    assert mine == {k: v for k, v in config.items() if k != "name"}


def test_build_config_and_weights_roundtrip():
    check_build_config_and_weights(layers.MultiHeadAttention(num_heads=2, key_dim=3))


def test_trains_in_functional_model():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 4)).astype("float32")
    y = x[:, ::-1].mean(axis=1, keepdims=True).repeat(5, axis=1)
    inputs = kerastorch.Input((5, 4))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs, use_causal_mask=False)
    hidden = layers.LayerNormalization()(layers.Add()([inputs, attended]))
    model = kerastorch.Model(inputs, layers.Dense(4)(hidden))
    model.compile(optimizer=kerastorch.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert any("multi_head_attention/query/kernel" in w.path for w in model.weights)


def test_errors_name_the_layer():
    with pytest.raises(
        ValueError, match=r'MultiHeadAttention layer "[a-z_0-9]+": argument `num_heads` must be a positive'
    ):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match=r"argument `key_dim` must be a positive integer; received -1 \(int\)"):
        layers.MultiHeadAttention(num_heads=2, key_dim=-1)
    with pytest.raises(ValueError, match="argument `value_dim` must be a positive integer"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=0)
    with pytest.raises(ValueError, match="dropout must be a number"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=1.0)
    with pytest.raises(ValueError, match="dropout is not supported with flash_attention=True"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.1, flash_attention=True)
    with pytest.raises(ValueError, match="attention_axes must be None, an int or a tuple"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes="1")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha")
    with pytest.raises(ValueError, match='MultiHeadAttention layer "mha": value and key must agree'):
        layer(torch.ones(1, 2, 3), torch.ones(1, 4, 3), torch.ones(1, 5, 3))
    with pytest.raises(ValueError, match='"mha": query and value must have the same rank'):
        layer(torch.ones(1, 2, 3), torch.ones(1, 2, 4, 3))
    with pytest.raises(ValueError, match="attention_axes=.* must name distinct"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=3)(torch.ones(1, 2, 3), torch.ones(1, 2, 3))
    flash = layers.MultiHeadAttention(num_heads=2, key_dim=2, flash_attention=True)
    with pytest.raises(ValueError, match="return_attention_scores=True is not supported with flash_attention"):
        flash(torch.ones(1, 2, 3), torch.ones(1, 2, 3), return_attention_scores=True)


@pytest.mark.cuda
def test_cuda_fused_path_equals_explicit_path_with_empty_rows():
    """CUDA's fused kernels must also give zeros (not NaN) for query rows with nothing to attend to."""
    check_cuda_empty_rows(layers.MultiHeadAttention(num_heads=2, key_dim=8))
