"""Tests for GroupQueryAttention: Keras 3 parity (weight layout and paths, outputs, scores, gradients of the
inputs and weights) with padding, causal, sliding-window and explicit masks and gates, the fused
(scaled_dot_product_attention with enable_gqa) path against the explicit grouped one, dropout, masks carried
by tensors, symbolic shapes, configs that load into Keras 3 and back, and errors."""

import json

import numpy as np
import pytest
import torch
from attention_checks import (
    TOL,
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
from layer_checks import keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.attention import grouped_query_attention as gqa_module

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def problems(draw, masks=True):
    """Layer arguments, arrays (query, value and maybe key) and call arguments (masks, causal)."""
    batch = draw(st.integers(1, 2))
    kv_heads = draw(st.integers(1, 2))
    kwargs = {
        "head_dim": draw(st.integers(1, 4)),
        "num_query_heads": kv_heads * draw(st.integers(1, 3)),
        "num_key_value_heads": kv_heads,
        "use_bias": draw(st.booleans()),
        "use_gate": draw(st.booleans()),
        "sliding_window": draw(st.sampled_from([None, None, 1, 2])),
    }
    tq, tv = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    arrays = draw_arrays(draw, batch, (tq,), (tv,), 5)
    call = draw_call(draw, batch, tq, tv, len(arrays) == 3, masks)
    return kwargs, arrays, call


def _pair(keras3, kwargs, arrays):
    return keras_pair(layers.GroupQueryAttention, keras3.layers.GroupQueryAttention, kwargs, arrays)


@given(problem=problems(), scores=st.booleans())
def test_parity_with_keras(keras3, problem, scores):
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    yt = check_parity(ours, theirs, arrays, call, scores)
    assert tuple(yt[0].shape) == arrays[0].shape == ours.compute_output_shape(arrays[0].shape, arrays[1].shape)
    if scores:
        q, v = arrays[0].shape, arrays[1].shape
        assert tuple(yt[1].shape) == (q[0], kwargs["num_query_heads"], q[1], v[1])


@given(problem=problems(masks=False))
def test_parity_with_keras_fused_path(keras3, problem):
    """Where every query position sees some key (no padding masks), Keras's fused path and ours agree."""
    kwargs, arrays, call = problem
    if arrays[0].shape[1] > arrays[1].shape[1]:
        kwargs = dict(kwargs, sliding_window=None)  # late query rows would see no key in the window
    check_fused_parity(*_pair(keras3, kwargs, arrays), arrays, call)


@given(problem=problems())
def test_fused_path_equals_explicit_path(problem):
    kwargs, arrays, call = problem
    check_fused_equals_explicit(layers.GroupQueryAttention(**kwargs, bias_initializer="uniform"), arrays, call)


def test_repeated_heads_fused_path_equals_native_gqa(monkeypatch):
    """The repeat_interleave branch (CUDA without a flash-capable case) gives what enable_gqa gives."""
    torch.manual_seed(0)
    layer = layers.GroupQueryAttention(head_dim=3, num_query_heads=6, num_key_value_heads=2, bias_initializer="uniform")
    q, v = torch.randn(2, 4, 5, requires_grad=True), torch.randn(2, 3, 5, requires_grad=True)
    mask = torch.tensor([[True, False, True], [True, True, False]])
    results = []
    for native in (True, False):
        monkeypatch.setattr(gqa_module, "_native_gqa", lambda query, mask, native=native: native)
        for call in ({"value_mask": mask}, {"use_causal_mask": True}, {}):
            out = layer(q, v, **call)
            results.append((out, *torch.autograd.grad(out.square().sum(), (q, v, layer.query_dense.kernel))))
    for ours, reference in zip(results[3:], results[:3]):
        for a, b in zip(ours, reference):
            np.testing.assert_allclose(to_np(a), to_np(b), **TOL)


def test_query_heads_share_key_value_heads_in_order():
    """Query head h uses key/value head h // num_repeats: equal to MultiHeadAttention with repeated heads."""
    torch.manual_seed(0)
    gqa = layers.GroupQueryAttention(head_dim=3, num_query_heads=6, num_key_value_heads=2, use_bias=False)
    mha = layers.MultiHeadAttention(num_heads=6, key_dim=3, use_bias=False)
    q, v = torch.randn(2, 4, 5), torch.randn(2, 3, 5)
    gqa.build(q.shape, v.shape)
    mha.build(q.shape, v.shape)
    wq, wk, wv, wo = gqa.get_weights()
    mha.set_weights([wq, wk.repeat(3, axis=1), wv.repeat(3, axis=1), wo])
    out, scores = gqa(q, v, return_attention_scores=True)
    ref, ref_scores = mha(q, v, return_attention_scores=True)
    np.testing.assert_allclose(to_np(out), to_np(ref), **TOL)
    np.testing.assert_allclose(to_np(scores), to_np(ref_scores), **TOL)


def test_masks_from_tensors_and_output_mask():
    layer = layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    q, _ = check_masks_from_tensors(layer)
    _, causal = layer(q, q, return_attention_scores=True, use_causal_mask=True)
    lower = torch.ones(4, 4, dtype=torch.bool).tril()
    assert torch.all(causal[..., ~lower] == 0) and torch.all(causal[..., lower] > 0)


def test_dropout_identity_in_inference_random_in_training():
    check_dropout(lambda **kwargs: layers.GroupQueryAttention(2, 4, 2, **kwargs))


def test_symbolic_shapes():
    q, v, k = kerastorch.Input((None, 6)), kerastorch.Input((7, 5)), kerastorch.Input((7, 3))
    assert tuple(layers.GroupQueryAttention(2, 4, 2)(q, v).shape) == (None, None, 6)
    out, scores = layers.GroupQueryAttention(3, 6, 3)(q, v, k, return_attention_scores=True)
    assert tuple(out.shape) == (None, None, 6) and tuple(scores.shape) == (None, 6, None, 7)
    layer = layers.GroupQueryAttention(2, 2, 1)
    assert layer.compute_output_shape((None, 5, 6), (None, 7, 5)) == (None, 5, 6)
    assert not layer.built
    model = kerastorch.Model([q, v], layers.GroupQueryAttention(2, 4, 1, name="g")(q, v, use_causal_mask=True))
    assert tuple(model([torch.ones(2, 3, 6), torch.ones(2, 7, 5)]).shape) == (2, 3, 6)
    assert [w.path for w in model.weights][:2] == ["g/query/kernel", "g/query/bias"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        {"head_dim": 3, "num_query_heads": 3, "num_key_value_heads": 1, "use_bias": False, "dropout": 0.1, "seed": 3},
        {
            "head_dim": 2,
            "num_query_heads": 2,
            "num_key_value_heads": 2,
            "kernel_regularizer": "l2",
            "bias_initializer": "ones",
            "activity_regularizer": "l2",
            "kernel_constraint": "max_norm",
        },
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 1, "use_gate": True, "sliding_window": 2},
    ],
)
def test_config_roundtrip_and_keras_interchange(keras3, kwargs):
    ours = layers.GroupQueryAttention(**kwargs)
    config = roundtrip(ours).get_config()
    assert "flash_attention" not in config and config["name"] == "grouped_query_attention"
    theirs = keras3.layers.GroupQueryAttention.from_config(json.loads(json.dumps(config)))
    assert set(theirs.get_config()) == set(config)
    back = layers.GroupQueryAttention.from_config(json.loads(json.dumps(theirs.get_config())))
    shapes = [(2, 3, 5), (2, 4, 6)]
    theirs.build(*shapes)
    back.build(*shapes)
    assert [tuple(w.shape) for w in back.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path for w in back.weights] == [w.path for w in theirs.weights]
    assert {k: v for k, v in back.get_config().items()} == config
    serialized = kerastorch.saving.serialize_keras_object(ours)
    assert serialized["class_name"] == "GroupQueryAttention"
    assert (
        type(keras3.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))).__name__
        == "GroupedQueryAttention"
    )


def test_sublayers_and_activity_regularizer_follow_keras(keras3):
    ours = layers.GroupQueryAttention(2, 4, 2, use_gate=True, activity_regularizer="l2")
    theirs = keras3.layers.GroupQueryAttention(2, 4, 2, use_gate=True, activity_regularizer="l2")
    x, y = np.ones((1, 3, 5), "float32"), np.ones((1, 4, 6), "float32")
    ours(torch.tensor(x), torch.tensor(y))
    theirs(torch.tensor(x, device=keras_device()), torch.tensor(y, device=keras_device()))
    for name in ("_query_dense", "_key_dense", "_gate_dense", "_value_dense", "_output_dense"):
        mine, keras_sub = getattr(ours, name), getattr(theirs, name)
        assert (mine.equation, mine.bias_axes) == (keras_sub.equation, keras_sub.bias_axes)
        assert mine.partial_output_shape == tuple(keras_sub.partial_output_shape)
    assert len(ours.losses) == len(theirs.losses) == 6  # five sublayers and the layer's own output


def test_build_config_and_weights_roundtrip():
    check_build_config_and_weights(layers.GroupQueryAttention(2, 4, 2))


def test_trains_in_functional_model():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 4)).astype("float32")
    y = x[:, ::-1].mean(axis=1, keepdims=True).repeat(5, axis=1)
    inputs = kerastorch.Input((5, 4))
    attended = layers.GroupQueryAttention(4, 4, 2)(inputs, inputs)
    model = kerastorch.Model(inputs, layers.Dense(4)(layers.Add()([inputs, attended])))
    model.compile(optimizer=kerastorch.optimizers.Adam(0.01), loss="mse")
    losses = model.fit(x, y, batch_size=8, epochs=8, verbose=0).history["loss"]
    assert losses[-1] < 0.7 * losses[0]


def test_errors_name_the_layer():
    with pytest.raises(
        ValueError,
        match=r'GroupQueryAttention layer "[a-z_0-9]+": num_query_heads must be a '
        r"multiple of num_key_value_heads, received num_query_heads=3 and "
        r"num_key_value_heads=2",
    ):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2)
    with pytest.raises(ValueError, match=r"argument `head_dim` must be a positive integer; received 0 \(int\)"):
        layers.GroupQueryAttention(0, 2, 1)
    with pytest.raises(ValueError, match="argument `num_key_value_heads` must be a positive integer"):
        layers.GroupQueryAttention(2, 2, 0)
    with pytest.raises(ValueError, match="argument `num_query_heads` must be a positive integer"):
        layers.GroupQueryAttention(2, 1.5, 1)
    with pytest.raises(ValueError, match="dropout must be a number in"):
        layers.GroupQueryAttention(2, 2, 1, dropout=1.0)
    with pytest.raises(ValueError, match="argument `seed` must be an integer or None"):
        layers.GroupQueryAttention(2, 2, 1, seed="a")
    with pytest.raises(ValueError, match="argument `sliding_window` must be a positive integer"):
        layers.GroupQueryAttention(2, 2, 1, sliding_window=0)
    with pytest.raises(ValueError, match="dropout is not supported with flash_attention=True"):
        layers.GroupQueryAttention(2, 2, 1, dropout=0.1, flash_attention=True)
    layer = layers.GroupQueryAttention(2, 2, 1, name="gqa")
    with pytest.raises(ValueError, match='GroupQueryAttention layer "gqa": value and key must have the same seq'):
        layer(torch.ones(1, 2, 3), torch.ones(1, 4, 3), torch.ones(1, 5, 3))
    with pytest.raises(ValueError, match=r'"gqa": query must have shape \(batch, sequence, features\).*\(1, 2, 2, 3\)'):
        layer(torch.ones(1, 2, 2, 3), torch.ones(1, 2, 3))
    flash = layers.GroupQueryAttention(2, 2, 1, flash_attention=True, name="flash")
    with pytest.raises(ValueError, match='"flash": return_attention_scores=True is not supported with flash'):
        flash(torch.ones(1, 2, 3), torch.ones(1, 2, 3), return_attention_scores=True)


@pytest.mark.cuda
def test_cuda_fused_path_equals_explicit_path_with_empty_rows():
    """CUDA's fused kernels must also give zeros (not NaN) for query rows with nothing to attend to."""
    check_cuda_empty_rows(
        layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2),
        tol={"rtol": 1e-4, "atol": 1e-4},
    )
