"""Checks shared by the tests of MultiHeadAttention and GroupQueryAttention (test_multi_head_attention.py,
test_grouped_query_attention.py): building a kerastorch / Keras 3 pair with the same weights, calling with
masks, parity of outputs, scores and gradients, the fused path against the explicit one, masks read from
tensors, dropout, build configs and CUDA's fused kernels on fully masked rows."""

import json

import numpy as np
import torch
from hypothesis import strategies as st
from layer_checks import build_pair, float_arrays, keras_device, to_np

TOL = {"rtol": 1e-4, "atol": 1e-5}


def bools(draw, shape):
    """A boolean array of ``shape`` drawn with hypothesis's ``draw``."""
    size = int(np.prod(shape))
    return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(shape)


def draw_arrays(draw, batch, tq, tv, max_dim):
    """Query ``(batch, *tq, d)``, value ``(batch, *tv, d')`` and, half the time, a key ``(batch, *tv, d'')``."""
    dims = [draw(st.integers(1, max_dim)) for _ in range(3)]
    arrays = [
        draw(float_arrays((batch, *tq, dims[0]), low=-2, high=2)),
        draw(float_arrays((batch, *tv, dims[1]), low=-2, high=2)),
    ]
    if draw(st.booleans()):
        arrays.append(draw(float_arrays((batch, *tv, dims[2]), low=-2, high=2)))
    return arrays


def draw_call(draw, batch, tq, tv, with_key, masks=True, key_mask=True):
    """Call arguments for sequences of ``tq`` queries and ``tv`` values: ``use_causal_mask`` and (with
    ``masks``) some of the query, value, key (with a key and ``key_mask``) and attention masks."""
    call = {"use_causal_mask": draw(st.booleans())}
    if masks:
        if draw(st.booleans()):
            call["query_mask"] = bools(draw, (batch, tq))
        if draw(st.booleans()):
            call["value_mask"] = bools(draw, (batch, tv))
        if key_mask and with_key and draw(st.booleans()):
            call["key_mask"] = bools(draw, (batch, tv))
        if draw(st.booleans()):
            call["attention_mask"] = bools(draw, (batch, tq, tv))
    return call


def keras_pair(ours_class, theirs_class, kwargs, arrays):
    """``(ours, theirs)`` built for the shapes of ``arrays``, with the same weight paths (but for the layer
    name) and shapes, and the same random weights."""
    return build_pair(ours_class(**kwargs), theirs_class(**kwargs), *[a.shape for a in arrays])


def call_attention(layer, arrays, call, device, **extra):
    """Call with the query mask on the query tensor (where Keras 3 reads it), the others as arguments;
    returns the input tensors (leaves, for their gradients) and the outputs as a tuple."""
    tensors = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    kwargs = {k: torch.tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    query = tensors[0]
    if "query_mask" in kwargs:
        query = query * 1.0  # a non-leaf tensor to carry the mask
        query._keras_mask = kwargs.pop("query_mask")
    out = layer(query, *tensors[1:], **kwargs, **extra)
    return tensors, out if isinstance(out, tuple) else (out,)


def check_parity(ours, theirs, arrays, call, scores):
    """Outputs (and scores), input and weight gradients agree; returns our outputs.

    Keras's own explicit path (``return_attention_scores=True``) is the reference: its fused path gives
    fully masked query rows a uniform average instead of zeros (see the layers' module docstrings)."""
    xt, yt = call_attention(ours, arrays, call, "cpu", return_attention_scores=scores)
    xk, yk = call_attention(theirs, arrays, call, keras_device(), return_attention_scores=True)
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


def check_fused_parity(ours, theirs, arrays, call):
    """Without scores both layers take their fused paths; where every query row sees a key they agree."""
    (_, (yt,)), (_, (yk,)) = (
        call_attention(ours, arrays, call, "cpu"),
        call_attention(theirs, arrays, call, keras_device()),
    )
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)


def check_fused_equals_explicit(layer, arrays, call):
    """The fused path (no scores) and the explicit one give the same outputs and gradients."""
    xf, (fused,) = call_attention(layer, arrays, call, "cpu")
    xe, (explicit, _) = call_attention(layer, arrays, call, "cpu", return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), **TOL)
    upstream = torch.tensor(np.random.default_rng(2).normal(size=tuple(fused.shape)).astype("float32"))
    fused_grads = torch.autograd.grad((fused * upstream).sum(), xf + list(layer.weights))
    explicit_grads = torch.autograd.grad((explicit * upstream).sum(), xe + list(layer.weights))
    for a, b in zip(fused_grads, explicit_grads):
        np.testing.assert_allclose(to_np(a), to_np(b), **TOL)


def check_masks_from_tensors(layer):
    """Masks carried by the tensors act as the mask arguments, the output carries the query mask, masked
    keys get no probability and a masked query row attends to nothing. Returns the query and value used."""
    torch.manual_seed(0)
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
    return q, v


def check_dropout(make):
    """``make(**kwargs)`` makes the layer: dropout is the identity in inference, random in training (the
    scores are returned before it), and two layers with one seed drop alike."""
    torch.manual_seed(0)
    q, v = torch.randn(2, 6, 4), torch.randn(2, 5, 4)
    dropped, plain = make(dropout=0.5), make()
    dropped.build(q.shape, v.shape)
    plain.build(q.shape, v.shape)
    plain.set_weights(dropped.get_weights())
    np.testing.assert_allclose(to_np(dropped(q, v)), to_np(plain(q, v)), **TOL)
    np.testing.assert_allclose(to_np(dropped(q, v, training=False)), to_np(plain(q, v)), **TOL)
    a, b = dropped(q, v, training=True), dropped(q, v, training=True)
    assert not torch.allclose(a, b) and not torch.allclose(a, plain(q, v))
    _, scores = dropped(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(to_np(scores.sum(-1)), np.ones(scores.shape[:-1]), **TOL)  # before dropout
    seeded = [make(dropout=0.5, seed=7) for _ in range(2)]
    for layer in seeded:
        layer.build(q.shape, v.shape)
    seeded[1].set_weights(seeded[0].get_weights())
    first = seeded[0](q, v, training=True)
    assert torch.equal(first, seeded[1](q, v, training=True))
    assert not torch.allclose(first, plain(q, v))


def check_build_config_and_weights(layer):
    """The build config records query, value and key shapes; a clone built from it takes the weights and
    computes the same outputs."""
    layer(torch.ones(1, 4, 5), torch.ones(1, 3, 6), torch.ones(1, 3, 2))
    build_config = layer.get_build_config()
    assert build_config == {"shapes_dict": {"query_shape": [1, 4, 5], "value_shape": [1, 3, 6], "key_shape": [1, 3, 2]}}
    clone = type(layer).from_config(layer.get_config())
    clone.build_from_config(json.loads(json.dumps(build_config)))
    values = [np.random.default_rng(4).normal(size=w.shape).astype("float32") for w in layer.weights]
    clone.set_weights(values)
    for got, want in zip(clone.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    layer.set_weights(values)
    args = torch.randn(2, 4, 5), torch.randn(2, 3, 6), torch.randn(2, 3, 2)
    np.testing.assert_array_equal(to_np(layer(*args)), to_np(clone(*args)))


def check_cuda_empty_rows(layer, tol=TOL):
    """On CUDA the fused kernels give fully masked query rows zeros (not NaN), as the explicit path does."""
    layer = layer.to("cuda")
    q = torch.randn(2, 6, 16, device="cuda", requires_grad=True)
    v = torch.randn(2, 5, 16, device="cuda", requires_grad=True)
    mask = torch.rand(2, 6, 5, device="cuda") > 0.5
    mask[:, 0] = False
    fused = layer(q, v, attention_mask=mask)
    explicit, _ = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(to_np(fused), to_np(explicit), **tol)
    grad_fused = torch.autograd.grad(fused.sum(), (q, v))
    grad_explicit = torch.autograd.grad(explicit.sum(), (q, v))
    for a, b in zip(grad_fused, grad_explicit):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-4, atol=1e-4)
