"""Tests for MultiHeadAttention: Keras 3 parity (weight layout and paths, outputs, scores, gradients of the
inputs and weights) with padding, causal and explicit masks, attention axes of 4-D inputs, the fused
(scaled_dot_product_attention) path against the explicit one, dropout, symbolic shapes, configs that load
into Keras 3 and back, training in a functional model, and errors."""
import doctest
import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.attention import multi_head_attention as mha_module

pytestmark = pytest.mark.usefixtures("_cpu_weights")

TOL = {"rtol": 1e-4, "atol": 1e-5}


def _bools(draw, shape):
    size = int(np.prod(shape))
    return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(shape)


@st.composite
def problems(draw, ndim=3):
    """Layer arguments, call arguments and arrays: query, value (and key), masks, causal, scores."""
    batch = draw(st.integers(1, 3))
    kwargs = {"num_heads": draw(st.integers(1, 3)), "key_dim": draw(st.integers(1, 4)),
              "value_dim": draw(st.sampled_from([None, 1, 2, 4])),
              "output_shape": draw(st.sampled_from([None, 1, 3])), "use_bias": draw(st.booleans())}
    if ndim == 3:
        tq, tv = (draw(st.integers(1, 5)),), (draw(st.integers(1, 5)),)
    else:
        axes = draw(st.sampled_from([(1,), (2,), (1, 2), (-2,)]))
        kwargs["attention_axes"] = axes
        q_axes = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        free = 2 if axes == (1,) else (1 if axes in ((2,), (-2,)) else None)
        tq = q_axes
        tv = tuple(q_axes[i] if i + 1 == free else draw(st.integers(1, 3)) for i in range(2))
    dims = [draw(st.integers(1, 6)) for _ in range(3)]
    arrays = [draw(float_arrays((batch, *tq, dims[0]), low=-2, high=2)),
              draw(float_arrays((batch, *tv, dims[1]), low=-2, high=2))]
    if draw(st.booleans()):
        arrays.append(draw(float_arrays((batch, *tv, dims[2]), low=-2, high=2)))
    call = {}
    if ndim == 3:
        call["use_causal_mask"] = draw(st.booleans())
        if draw(st.booleans()):
            call["query_mask"] = _bools(draw, (batch, tq[0]))
        if draw(st.booleans()):
            call["value_mask"] = _bools(draw, (batch, tv[0]))
        if draw(st.booleans()):
            call["attention_mask"] = _bools(draw, (batch, tq[0], tv[0]))
    return kwargs, arrays, call


def _pair(keras3, kwargs, arrays):
    ours, theirs = layers.MultiHeadAttention(**kwargs), keras3.layers.MultiHeadAttention(**kwargs)
    shapes = [a.shape for a in arrays]
    ours.build(*shapes)
    theirs.build(*shapes)
    assert [w.path.replace(ours.name, "L") for w in ours.weights] == \
        [w.path.replace(theirs.name, "L") for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _call(layer, arrays, call, device, **extra):
    """Call with the query mask on the query tensor (where Keras 3 reads it), the others as arguments."""
    tensors = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    kwargs = {k: torch.tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    query = tensors[0]
    if "query_mask" in kwargs:
        query = query * 1.0  # a non-leaf tensor to carry the mask
        query._keras_mask = kwargs.pop("query_mask")
    out = layer(query, *tensors[1:], **kwargs, **extra)
    return tensors, out if isinstance(out, tuple) else (out,)


def _check_parity(ours, theirs, arrays, call, scores):
    # Keras's own explicit path (return_attention_scores=True) is the reference: its fused path gives
    # fully masked query rows a uniform average instead of zeros (see the module docstring).
    xt, yt = _call(ours, arrays, call, "cpu", return_attention_scores=scores)
    xk, yk = _call(theirs, arrays, call, keras_device(), return_attention_scores=True)
    np.testing.assert_allclose(to_np(yt[0]), to_np(yk[0]), **TOL)
    if scores:
        np.testing.assert_allclose(to_np(yt[1]), to_np(yk[1]), **TOL)
    upstream = np.random.default_rng(1).normal(size=tuple(yt[0].shape)).astype("float32")
    (yt[0] * torch.tensor(upstream)).sum().backward()
    (yk[0] * torch.tensor(upstream, device=yk[0].device)).sum().backward()
    for a, b in zip(xt, xk):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), **TOL)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.value.grad), **TOL)
    return yt


@given(problem=problems(), scores=st.booleans())
def test_parity_with_keras(keras3, problem, scores):
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    yt = _check_parity(ours, theirs, arrays, call, scores)
    q, v = arrays[0].shape, arrays[1].shape
    assert tuple(yt[0].shape) == ours.compute_output_shape(q, v)
    if scores:
        assert tuple(yt[1].shape) == (q[0], kwargs["num_heads"], q[1], v[1])


@given(problem=problems(ndim=4), scores=st.booleans())
def test_parity_with_keras_attention_axes(keras3, problem, scores):
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    _check_parity(ours, theirs, arrays, call, scores)


@given(problem=problems())
def test_parity_with_keras_fused_path_without_empty_rows(keras3, problem):
    """Where every query position sees some key, Keras's fused path and ours agree too."""
    kwargs, arrays, call = problem
    call = {"use_causal_mask": call["use_causal_mask"]}
    ours, theirs = _pair(keras3, kwargs, arrays)
    (_, (yt,)), (_, (yk,)) = _call(ours, arrays, call, "cpu"), _call(theirs, arrays, call, keras_device())
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)


@given(problem=problems())
def test_fused_path_equals_explicit_path(problem):
    kwargs, arrays, call = problem
    layer = layers.MultiHeadAttention(**kwargs, bias_initializer="uniform")
    xf, (fused,) = _call(layer, arrays, call, "cpu")
    xe, (explicit, _) = _call(layer, arrays, call, "cpu", return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), **TOL)
    upstream = torch.tensor(np.random.default_rng(2).normal(size=tuple(fused.shape)).astype("float32"))
    fused_grads = torch.autograd.grad((fused * upstream).sum(), xf + list(layer.weights))
    explicit_grads = torch.autograd.grad((explicit * upstream).sum(), xe + list(layer.weights))
    for a, b in zip(fused_grads, explicit_grads):
        np.testing.assert_allclose(to_np(a), to_np(b), **TOL)


def test_masks_from_tensors_and_output_mask():
    torch.manual_seed(0)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    q, v = torch.randn(2, 4, 5), torch.randn(2, 3, 5)
    q_mask = torch.tensor([[True, True, False, True], [True, False, True, True]])
    v_mask = torch.tensor([[True, False, True], [False, True, True]])
    explicit = layer(q, v, query_mask=q_mask, value_mask=v_mask)
    qm, vm = q.clone(), v.clone()
    qm._keras_mask, vm._keras_mask = q_mask, v_mask
    implicit = layer(qm, vm)
    np.testing.assert_allclose(to_np(implicit), to_np(explicit), **TOL)
    assert torch.equal(implicit._keras_mask, q_mask) and torch.equal(explicit._keras_mask, q_mask)
    unmasked = layer(q, v)
    assert not torch.allclose(unmasked, explicit)
    _, scores = layer(qm, vm, return_attention_scores=True)
    assert not scores[..., ~v_mask[0]][0].any()  # masked keys get no probability
    assert torch.all(scores[0, :, 2] == 0)  # a masked query row attends to nothing


def test_dropout_identity_in_inference_random_in_training():
    torch.manual_seed(0)
    q, v = torch.randn(2, 6, 4), torch.randn(2, 5, 4)
    dropped = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5)
    plain = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    dropped.build(q.shape, v.shape)
    plain.build(q.shape, v.shape)
    plain.set_weights(dropped.get_weights())
    np.testing.assert_allclose(to_np(dropped(q, v)), to_np(plain(q, v)), **TOL)
    a, b = dropped(q, v, training=True), dropped(q, v, training=True)
    assert not torch.allclose(a, b) and not torch.allclose(a, plain(q, v))
    _, scores = dropped(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(to_np(scores.sum(-1)), np.ones(scores.shape[:-1]), **TOL)  # before dropout
    seeded = [layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=7) for _ in range(2)]
    for layer in seeded:
        layer.build(q.shape, v.shape)
    seeded[1].set_weights(seeded[0].get_weights())
    assert torch.equal(seeded[0](q, v, training=True), seeded[1](q, v, training=True))


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


@pytest.mark.parametrize("kwargs", [
    {"num_heads": 2, "key_dim": 3},
    {"num_heads": 1, "key_dim": 4, "value_dim": 2, "output_shape": 5, "use_bias": False, "dropout": 0.1, "seed": 3},
    {"num_heads": 3, "key_dim": 2, "attention_axes": [2], "kernel_regularizer": "l2", "bias_initializer": "ones"},
    {"num_heads": 2, "key_dim": 2, "use_gate": True, "sliding_window": 2},
])
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
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    layer(torch.ones(1, 4, 5), torch.ones(1, 3, 6), torch.ones(1, 3, 2))
    build_config = layer.get_build_config()
    assert build_config == {"shapes_dict": {"query_shape": [1, 4, 5], "value_shape": [1, 3, 6],
                                            "key_shape": [1, 3, 2]}}
    clone = layers.MultiHeadAttention.from_config(layer.get_config())
    clone.build_from_config(json.loads(json.dumps(build_config)))
    values = [np.random.default_rng(4).normal(size=w.shape).astype("float32") for w in layer.weights]
    clone.set_weights(values)
    for got, want in zip(clone.get_weights(), values):
        np.testing.assert_array_equal(got, want)


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
    with pytest.raises(ValueError, match=r'MultiHeadAttention layer "[a-z_0-9]+": num_heads must be a positive'):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="key_dim must be a positive integer, received key_dim=-1"):
        layers.MultiHeadAttention(num_heads=2, key_dim=-1)
    with pytest.raises(ValueError, match="value_dim must be a positive integer"):
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


def test_doctests():
    result = doctest.testmod(mha_module, extraglobs={"torch": torch, "kerastorch": kerastorch},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.cuda
def test_cuda_fused_path_equals_explicit_path_with_empty_rows():
    """CUDA's fused kernels must also give zeros (not NaN) for query rows with nothing to attend to."""
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=8).to("cuda")
    q = torch.randn(2, 6, 16, device="cuda", requires_grad=True)
    v = torch.randn(2, 5, 16, device="cuda", requires_grad=True)
    mask = torch.rand(2, 6, 5, device="cuda") > 0.5
    mask[:, 0] = False
    fused = layer(q, v, attention_mask=mask)
    explicit, _ = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), **TOL)
    grad_fused = torch.autograd.grad(fused.sum(), (q, v))
    grad_explicit = torch.autograd.grad(explicit.sum(), (q, v))
    for a, b in zip(grad_fused, grad_explicit):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-4, atol=1e-4)
