"""Tests for GroupQueryAttention: Keras 3 parity (weight layout and paths, outputs, scores, gradients of the
inputs and weights) with padding, causal, sliding-window and explicit masks and gates, the fused
(scaled_dot_product_attention with enable_gqa) path against the explicit grouped one, dropout, masks carried
by tensors, symbolic shapes, configs that load into Keras 3 and back, and errors."""
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
from kerastorch.layers.attention import grouped_query_attention as gqa_module

pytestmark = pytest.mark.usefixtures("_cpu_weights")

TOL = {"rtol": 1e-4, "atol": 1e-5}


def _bools(draw, shape):
    size = int(np.prod(shape))
    return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(shape)


@st.composite
def problems(draw, masks=True):
    """Layer arguments, arrays (query, value and maybe key) and call arguments (masks, causal)."""
    batch = draw(st.integers(1, 2))
    kv_heads = draw(st.integers(1, 2))
    kwargs = {"head_dim": draw(st.integers(1, 4)), "num_query_heads": kv_heads * draw(st.integers(1, 3)),
              "num_key_value_heads": kv_heads, "use_bias": draw(st.booleans()), "use_gate": draw(st.booleans()),
              "sliding_window": draw(st.sampled_from([None, None, 1, 2]))}
    tq, tv = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dims = [draw(st.integers(1, 5)) for _ in range(3)]
    arrays = [draw(float_arrays((batch, tq, dims[0]), low=-2, high=2)),
              draw(float_arrays((batch, tv, dims[1]), low=-2, high=2))]
    if draw(st.booleans()):
        arrays.append(draw(float_arrays((batch, tv, dims[2]), low=-2, high=2)))
    call = {"use_causal_mask": draw(st.booleans())}
    if masks:
        if draw(st.booleans()):
            call["query_mask"] = _bools(draw, (batch, tq))
        if draw(st.booleans()):
            call["value_mask"] = _bools(draw, (batch, tv))
        if len(arrays) == 3 and draw(st.booleans()):
            call["key_mask"] = _bools(draw, (batch, tv))
        if draw(st.booleans()):
            call["attention_mask"] = _bools(draw, (batch, tq, tv))
    return kwargs, arrays, call


def _pair(keras3, kwargs, arrays):
    ours = layers.GroupQueryAttention(**kwargs)
    theirs = keras3.layers.GroupQueryAttention(**kwargs)
    shapes = [a.shape for a in arrays]
    ours.build(*shapes)
    theirs.build(*shapes)
    assert [w.path for w in ours.weights] == [w.path.replace(theirs.name, ours.name) for w in theirs.weights]
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


@given(problem=problems(), scores=st.booleans())
def test_parity_with_keras(keras3, problem, scores):
    # Keras's explicit path (return_attention_scores=True) is the reference: its fused path gives fully
    # masked query rows a uniform average instead of zeros (see the module docstring).
    kwargs, arrays, call = problem
    ours, theirs = _pair(keras3, kwargs, arrays)
    xt, yt = _call(ours, arrays, call, "cpu", return_attention_scores=scores)
    xk, yk = _call(theirs, arrays, call, keras_device(), return_attention_scores=True)
    assert tuple(yt[0].shape) == arrays[0].shape == ours.compute_output_shape(arrays[0].shape, arrays[1].shape)
    np.testing.assert_allclose(to_np(yt[0]), to_np(yk[0]), **TOL)
    if scores:
        q, v = arrays[0].shape, arrays[1].shape
        assert tuple(yt[1].shape) == (q[0], kwargs["num_query_heads"], q[1], v[1])
        np.testing.assert_allclose(to_np(yt[1]), to_np(yk[1]), **TOL)
    upstream = np.random.default_rng(1).normal(size=tuple(yt[0].shape)).astype("float32")
    (yt[0] * torch.tensor(upstream)).sum().backward()
    (yk[0] * torch.tensor(upstream, device=yk[0].device)).sum().backward()
    for a, b in zip(xt, xk):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), **TOL)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.value.grad), **TOL)


@given(problem=problems(masks=False))
def test_parity_with_keras_fused_path(keras3, problem):
    """Where every query position sees some key (no padding masks), Keras's fused path and ours agree."""
    kwargs, arrays, call = problem
    if arrays[0].shape[1] > arrays[1].shape[1]:
        kwargs = dict(kwargs, sliding_window=None)  # late query rows would see no key in the window
    ours, theirs = _pair(keras3, kwargs, arrays)
    (_, (yt,)), (_, (yk,)) = _call(ours, arrays, call, "cpu"), _call(theirs, arrays, call, keras_device())
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)


@given(problem=problems())
def test_fused_path_equals_explicit_path(problem):
    kwargs, arrays, call = problem
    layer = layers.GroupQueryAttention(**kwargs, bias_initializer="uniform")
    xf, (fused,) = _call(layer, arrays, call, "cpu")
    xe, (explicit, _) = _call(layer, arrays, call, "cpu", return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), **TOL)
    upstream = torch.tensor(np.random.default_rng(2).normal(size=tuple(fused.shape)).astype("float32"))
    fused_grads = torch.autograd.grad((fused * upstream).sum(), xf + list(layer.weights))
    explicit_grads = torch.autograd.grad((explicit * upstream).sum(), xe + list(layer.weights))
    for a, b in zip(fused_grads, explicit_grads):
        np.testing.assert_allclose(to_np(a), to_np(b), **TOL)


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
    torch.manual_seed(0)
    layer = layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    q, v = torch.randn(2, 4, 5), torch.randn(2, 3, 5)
    q_mask = torch.tensor([[True, True, False, True], [True, False, True, True]])
    v_mask = torch.tensor([[True, False, True], [False, True, True]])
    explicit = layer(q, v, query_mask=q_mask, value_mask=v_mask)
    qm, vm = q.clone(), v.clone()
    qm._keras_mask, vm._keras_mask = q_mask, v_mask
    implicit = layer(qm, vm)
    np.testing.assert_allclose(to_np(implicit), to_np(explicit), **TOL)
    assert torch.equal(implicit._keras_mask, q_mask) and torch.equal(explicit._keras_mask, q_mask)
    assert not torch.allclose(layer(q, v), explicit)
    _, scores = layer(qm, vm, return_attention_scores=True)
    assert not scores[0][..., ~v_mask[0]].any()  # masked keys get no probability
    assert torch.all(scores[0, :, 2] == 0)  # a masked query row attends to nothing
    _, causal = layer(q, q, return_attention_scores=True, use_causal_mask=True)
    lower = torch.ones(4, 4, dtype=torch.bool).tril()
    assert torch.all(causal[..., ~lower] == 0) and torch.all(causal[..., lower] > 0)


def test_dropout_identity_in_inference_random_in_training():
    torch.manual_seed(0)
    q, v = torch.randn(2, 6, 4), torch.randn(2, 5, 4)
    dropped = layers.GroupQueryAttention(2, 4, 2, dropout=0.5)
    plain = layers.GroupQueryAttention(2, 4, 2)
    dropped.build(q.shape, v.shape)
    plain.build(q.shape, v.shape)
    plain.set_weights(dropped.get_weights())
    np.testing.assert_allclose(to_np(dropped(q, v)), to_np(plain(q, v)), **TOL)
    np.testing.assert_allclose(to_np(dropped(q, v, training=False)), to_np(plain(q, v)), **TOL)
    a, b = dropped(q, v, training=True), dropped(q, v, training=True)
    assert not torch.allclose(a, b) and not torch.allclose(a, plain(q, v))
    _, scores = dropped(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(to_np(scores.sum(-1)), np.ones(scores.shape[:-1]), **TOL)  # before dropout
    seeded = [layers.GroupQueryAttention(2, 4, 2, dropout=0.5, seed=7) for _ in range(2)]
    for layer in seeded:
        layer.build(q.shape, v.shape)
    seeded[1].set_weights(seeded[0].get_weights())
    first = seeded[0](q, v, training=True)
    assert torch.equal(first, seeded[1](q, v, training=True))
    assert not torch.allclose(first, plain(q, v))


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


@pytest.mark.parametrize("kwargs", [
    {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
    {"head_dim": 3, "num_query_heads": 3, "num_key_value_heads": 1, "use_bias": False, "dropout": 0.1, "seed": 3},
    {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 2, "kernel_regularizer": "l2",
     "bias_initializer": "ones", "activity_regularizer": "l2", "kernel_constraint": "max_norm"},
    {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 1, "use_gate": True, "sliding_window": 2},
])
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
    assert type(keras3.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))).__name__ == \
        "GroupedQueryAttention"


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
    layer = layers.GroupQueryAttention(2, 4, 2)
    layer(torch.ones(1, 4, 5), torch.ones(1, 3, 6), torch.ones(1, 3, 2))
    build_config = layer.get_build_config()
    assert build_config == {"shapes_dict": {"query_shape": [1, 4, 5], "value_shape": [1, 3, 6],
                                            "key_shape": [1, 3, 2]}}
    clone = layers.GroupQueryAttention.from_config(layer.get_config())
    clone.build_from_config(json.loads(json.dumps(build_config)))
    values = [np.random.default_rng(4).normal(size=w.shape).astype("float32") for w in layer.weights]
    clone.set_weights(values)
    for got, want in zip(clone.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    layer.set_weights(values)
    args = torch.randn(2, 4, 5), torch.randn(2, 3, 6), torch.randn(2, 3, 2)
    np.testing.assert_array_equal(to_np(layer(*args)), to_np(clone(*args)))


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
    with pytest.raises(ValueError, match=r'GroupQueryAttention layer "[a-z_0-9]+": num_query_heads must be a '
                                         r"multiple of num_key_value_heads, received num_query_heads=3 and "
                                         r"num_key_value_heads=2"):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2)
    with pytest.raises(ValueError, match="head_dim must be a positive integer, received head_dim=0"):
        layers.GroupQueryAttention(0, 2, 1)
    with pytest.raises(ValueError, match="num_key_value_heads must be a positive integer"):
        layers.GroupQueryAttention(2, 2, 0)
    with pytest.raises(ValueError, match="num_query_heads must be a positive integer"):
        layers.GroupQueryAttention(2, 1.5, 1)
    with pytest.raises(ValueError, match="dropout must be a number in"):
        layers.GroupQueryAttention(2, 2, 1, dropout=1.0)
    with pytest.raises(ValueError, match="seed must be None or an int"):
        layers.GroupQueryAttention(2, 2, 1, seed="a")
    with pytest.raises(ValueError, match="sliding_window must be a positive integer"):
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


def test_doctests():
    result = doctest.testmod(gqa_module, extraglobs={"torch": torch, "kerastorch": kerastorch},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.cuda
def test_cuda_fused_path_equals_explicit_path_with_empty_rows():
    """CUDA's fused kernels must also give zeros (not NaN) for query rows with nothing to attend to."""
    layer = layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2).to("cuda")
    q = torch.randn(2, 6, 16, device="cuda", requires_grad=True)
    v = torch.randn(2, 5, 16, device="cuda", requires_grad=True)
    mask = torch.rand(2, 6, 5, device="cuda") > 0.5
    mask[:, 0] = False
    fused = layer(q, v, attention_mask=mask)
    explicit, _ = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), rtol=1e-4, atol=1e-4)
    grad_fused = torch.autograd.grad(fused.sum(), (q, v))
    grad_explicit = torch.autograd.grad(explicit.sum(), (q, v))
    for a, b in zip(grad_fused, grad_explicit):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-4, atol=1e-4)
