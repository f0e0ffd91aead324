"""Tests for Attention and AdditiveAttention: Keras 3 parity (outputs, scores, gradients of query, value,
key and weights) with masks and causal masks, the fused and explicit paths, Keras masks on the inputs,
dropout, symbolic shapes, configs and errors."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, build_pair, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.attention import attention as attention_module

pytestmark = pytest.mark.usefixtures("_cpu_weights")

LAYERS = [
    ("Attention", {}),
    ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat"}),
    ("Attention", {"score_mode": "concat", "use_scale": True}),
    ("AdditiveAttention", {}),
    ("AdditiveAttention", {"use_scale": False}),
]


@st.composite
def problems(draw):
    batch, tq, tv = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dim, value_dim = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    with_key = draw(st.booleans())
    arrays = [
        draw(float_arrays((batch, tq, dim), low=-2, high=2)),
        draw(float_arrays((batch, tv, value_dim if with_key else dim), low=-2, high=2)),
    ]
    if with_key:
        arrays.append(draw(float_arrays((batch, tv, dim), low=-2, high=2)))
    masks = None
    if draw(st.booleans()):
        masks = [
            np.array(draw(st.lists(st.booleans(), min_size=batch * t, max_size=batch * t))).reshape(batch, t)
            for t in (tq, tv)
        ]
    return arrays, masks


def _pair(keras3, name, kwargs, shapes):
    return build_pair(getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs), shapes)


def _run(layer, arrays, masks, device, **kwargs):
    inputs = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    mask = None if masks is None else [torch.tensor(m, device=device) for m in masks]
    outputs = layer(list(inputs), mask=mask, **kwargs)
    return inputs, outputs if isinstance(outputs, tuple) else (outputs,)


@given(layer=st.sampled_from(LAYERS), problem=problems(), causal=st.booleans(), scores=st.booleans())
def test_parity_with_keras(keras3, layer, problem, causal, scores):
    (name, kwargs), (arrays, masks) = layer, problem
    ours, theirs = _pair(keras3, name, kwargs, [a.shape for a in arrays])
    xt, yt = _run(ours, arrays, masks, "cpu", use_causal_mask=causal, return_attention_scores=scores)
    xk, yk = _run(theirs, arrays, masks, keras_device(), use_causal_mask=causal, return_attention_scores=scores)
    assert len(yt) == len(yk)
    for a, b in zip(yt, yk):
        np.testing.assert_allclose(to_np(a), to_np(b), **TOL)
    upstream = np.random.default_rng(1).normal(size=tuple(yt[0].shape)).astype("float32")
    (yt[0] * torch.tensor(upstream)).sum().backward()
    (yk[0] * torch.tensor(upstream, device=yk[0].device)).sum().backward()
    for a, b in zip(xt, xk):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.value.grad), rtol=1e-4, atol=1e-4)


@given(problem=problems(), causal=st.booleans(), use_scale=st.booleans())
def test_fused_path_equals_explicit_path(problem, causal, use_scale):
    arrays, masks = problem
    layer = layers.Attention(use_scale=use_scale)
    layer.build([a.shape for a in arrays])
    with torch.no_grad():
        if use_scale:
            layer.scale.fill_(0.7)
    _, fused = _run(layer, arrays, masks, "cpu", use_causal_mask=causal)
    _, (explicit, _) = _run(layer, arrays, masks, "cpu", use_causal_mask=causal, return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused[0]), to_np(explicit), **TOL)


@given(layer=st.sampled_from(LAYERS), problem=problems())
def test_keras_masks_on_inputs_are_used(layer, problem):
    (name, kwargs), (arrays, masks) = layer, problem
    if masks is None:
        masks = [np.ones(arrays[0].shape[:2], bool), np.ones(arrays[1].shape[:2], bool)]
        masks[1][..., -1] = False
    attention = getattr(layers, name)(**kwargs)
    inputs = [torch.tensor(a) for a in arrays]
    explicit = attention(inputs, mask=[torch.tensor(m) for m in masks])
    inputs[0]._keras_mask, inputs[1]._keras_mask = (torch.tensor(m) for m in masks)
    implicit = attention(inputs)
    np.testing.assert_allclose(to_np(implicit), to_np(explicit), **TOL)
    assert torch.equal(implicit._keras_mask, torch.tensor(masks[0]))
    assert torch.equal(explicit._keras_mask, torch.tensor(masks[0]))
    assert torch.equal(attention.compute_mask(inputs, [inputs[0]._keras_mask, None]), torch.tensor(masks[0]))
    assert attention.compute_mask(inputs, None) is None
    # masked query positions give zero outputs
    assert not to_np(explicit)[~masks[0]].any()


def test_dropout_identity_in_inference_random_in_training():
    torch.manual_seed(0)
    q, v = torch.randn(2, 4, 3), torch.randn(2, 6, 3)
    plain, dropped = layers.Attention(), layers.Attention(dropout=0.5)
    np.testing.assert_allclose(to_np(dropped([q, v])), to_np(plain([q, v])), **TOL)
    _, scores = dropped([q, v], training=True, return_attention_scores=True)
    zeros = (scores == 0).float().mean().item()
    assert 0.2 < zeros < 0.8
    a, b = dropped([q, v], training=True), dropped([q, v], training=True)
    assert not torch.allclose(a, b)
    seeded = [layers.AdditiveAttention(dropout=0.5, seed=3) for _ in range(2)]
    for layer in seeded:
        layer.build([tuple(q.shape), tuple(v.shape)])
    seeded[1].set_weights(seeded[0].get_weights())
    assert torch.equal(seeded[0]([q, v], training=True), seeded[1]([q, v], training=True))


def test_symbolic_shapes():
    q, v, k = kerastorch.Input((None, 6)), kerastorch.Input((7, 4)), kerastorch.Input((7, 6))
    out, scores = layers.Attention()([q, v, k], return_attention_scores=True)
    assert tuple(out.shape) == (None, None, 4) and tuple(scores.shape) == (None, None, 7)
    assert tuple(layers.AdditiveAttention()([q, k]).shape) == (None, None, 6)
    assert layers.Attention().compute_output_shape([(None, 3, 6), (None, 7, 4)]) == (None, 3, 4)


@pytest.mark.parametrize("name, kwargs", LAYERS + [("Attention", {"dropout": 0.2, "seed": 4})])
def test_config_roundtrip_and_keras_interchange(keras3, name, kwargs):
    ours = getattr(layers, name)(**kwargs)
    config = roundtrip(ours).get_config()
    theirs = getattr(keras3.layers, name).from_config(json.loads(json.dumps(config)))
    back = getattr(layers, name).from_config(json.loads(json.dumps(theirs.get_config())))
    assert back.get_config() == config
    shapes = [(2, 3, 5), (2, 4, 5)]
    theirs.build(shapes)
    back.build(shapes)
    assert [tuple(w.shape) for w in back.weights] == [tuple(w.shape) for w in theirs.weights]
    assert ("score_mode" in config) == (name == "Attention")


def test_weights_roundtrip():
    layer = layers.Attention(use_scale=True, score_mode="concat")
    layer.build([(1, 2, 3), (1, 4, 3)])
    layer.set_weights([np.array(2.5, "float32"), np.array(-1.0, "float32")])
    assert [float(w) for w in layer.get_weights()] == [2.5, -1.0]
    with pytest.raises(ValueError, match="set_weights: weight .*scale expects shape"):
        layer.set_weights([np.ones(2, "float32"), np.array(1.0, "float32")])


def test_errors_name_the_layer():
    q = torch.ones(1, 2, 3)
    with pytest.raises(ValueError, match='Attention layer "attention": must be called on a list'):
        layers.Attention()(q)
    with pytest.raises(ValueError, match='Attention layer "attention_1": expected a list of 2 or 3 inputs'):
        layers.Attention()([q, q, q, q])
    with pytest.raises(ValueError, match='AdditiveAttention layer "additive_attention": expected a list of 2 or 3'):
        layers.AdditiveAttention()([q])
    with pytest.raises(ValueError, match='Attention layer "attention_2": the last axes of query and key'):
        layers.Attention()([q, torch.ones(1, 4, 5)])
    with pytest.raises(ValueError, match="value and key must have the same number of timesteps"):
        layers.Attention()([q, torch.ones(1, 4, 3), torch.ones(1, 5, 3)])
    with pytest.raises(ValueError, match="mask must be a list"):
        layers.Attention()([q, q], mask=torch.ones(1, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="score_mode must be 'dot' or 'concat'"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\]"):
        layers.AdditiveAttention(dropout=1.5)


def test_cached_causal_masks_survive_inference_mode_and_shape_inference():
    q = torch.randn(2, 3, 4, requires_grad=True)
    symbolic = layers.Attention()([kerastorch.Input((3, 4)), kerastorch.Input((3, 4))], use_causal_mask=True)
    assert tuple(symbolic.shape) == (None, 3, 4)
    layer = layers.Attention()
    with torch.inference_mode():
        first = layer([q.detach(), q.detach()], use_causal_mask=True, return_attention_scores=True)[1]
    assert torch.equal(first[0] > 0, torch.ones(3, 3, dtype=torch.bool).tril())
    out, scores = layer([q, q], use_causal_mask=True, return_attention_scores=True)
    out.sum().backward()  # the cached mask made under inference_mode is usable with autograd
    assert q.grad is not None and torch.equal(scores.detach(), first)
    assert attention_module.position_mask(3, 3, q) is attention_module.position_mask(3, 3, q)
