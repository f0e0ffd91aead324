"""Layers whose fused torch kernels have no forward-mode rule (LSTM/GRU through oneDNN/cuDNN, fused
scaled-dot-product attention) run under forward mode through their explicit path, with correct JVPs."""

import pytest
import torch
from ad_checks import F64, tensors
from hypothesis import given, settings
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch import autodiff
from kerastorch.backend.forward_mode import forward_mode_active

L = keras.layers
SEQ = (2, 3, 2)  # batch, steps, features

# name -> (factory, input shapes); every layer gets float64 weights.
LAYERS = {
    "lstm": (lambda: L.LSTM(3, return_sequences=True), [SEQ]),
    "lstm_backwards_state": (lambda: L.LSTM(2, go_backwards=True, return_state=True), [SEQ]),
    "gru": (lambda: L.GRU(3), [SEQ]),
    "bidirectional_lstm": (lambda: L.Bidirectional(L.LSTM(2, return_sequences=True)), [SEQ]),
    "simple_rnn": (lambda: L.SimpleRNN(2), [SEQ]),
    "multi_head_attention": (lambda: L.MultiHeadAttention(2, 2), [(2, 3, 4), (2, 2, 4)]),
    "multi_head_attention_causal": (lambda: L.MultiHeadAttention(2, 2, use_bias=False), [(1, 3, 2), (1, 3, 2)]),
    "grouped_query_attention": (lambda: L.GroupQueryAttention(2, 4, 2), [(2, 3, 4), (2, 2, 4)]),
    "attention": (lambda: L.Attention(use_scale=True), [(2, 3, 2), (2, 4, 2)]),
    "batch_normalization": (lambda: L.BatchNormalization(), [(4, 3)]),
}
CALL_KWARGS = {"multi_head_attention_causal": {"use_causal_mask": True}}


def _build(name):
    """The layer built in float64 (under floatx float64)."""
    factory, shapes = LAYERS[name]
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        layer = factory()
        _call(layer, name, [torch.randn(s, dtype=F64) for s in shapes], False)
    finally:
        keras.config.set_floatx(previous)
    return layer, shapes


def _call(layer, name, inputs, training):
    kwargs = dict(CALL_KWARGS.get(name, {}), training=training)
    if name == "attention":
        return layer(list(inputs), **kwargs)
    return layer(*inputs, **kwargs)


def _first(out):
    return out[0] if isinstance(out, (list, tuple)) else out


@pytest.mark.parametrize("name", sorted(LAYERS))
@settings(max_examples=3)
@given(data=st.data(), training=st.booleans())
def test_layer_jvp_matches_reverse_mode_and_differences(name, data, training):
    layer, shapes = _build(name)
    xs = tuple(data.draw(tensors(s, low=-1, high=1)) for s in shapes)
    vs = tuple(data.draw(tensors(s, low=-1, high=1)) for s in shapes)

    def f(*inputs):
        return _first(_call(layer, name, inputs, training))

    y, jv = autodiff.jvp(f, xs, vs)
    torch.testing.assert_close(y, f(*xs))
    u = torch.randn_like(y)
    cts = autodiff.vjp(f, *xs)[1](u)
    torch.testing.assert_close((u * jv).sum(), sum((c * v).sum() for c, v in zip(cts, vs)), rtol=1e-9, atol=1e-9)
    h = 1e-6
    plus = f(*(x + h * v for x, v in zip(xs, vs)))
    minus = f(*(x - h * v for x, v in zip(xs, vs)))
    torch.testing.assert_close(jv, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["lstm", "gru", "multi_head_attention", "grouped_query_attention"])
def test_weight_space_jvp_through_fused_layers(name):
    layer, shapes = _build(name)
    xs = [torch.randn(s, dtype=F64) for s in shapes]
    model = _Wrap(layer, name)
    direction = [torch.randn_like(w) for w in model.trainable_weights]
    _, dy = autodiff.model_jvp(model, xs, direction)
    u = torch.randn_like(dy)
    _, grads = autodiff.model_vjp(model, xs, u)
    torch.testing.assert_close(
        (u * dy).sum(), sum((g * d).sum() for g, d in zip(grads, direction)), rtol=1e-9, atol=1e-9
    )


class _Wrap(keras.layers.Layer):
    def __init__(self, layer, name):
        super().__init__(dtype="float64")
        self.inner, self.kind = layer, name

    def call(self, inputs, training=False):
        return _first(_call(self.inner, self.kind, inputs, training))


def test_fused_kernel_still_used_outside_forward_mode(monkeypatch):
    layer = L.LSTM(2)
    x = torch.randn(SEQ)
    layer(x)
    calls = []
    original = type(layer)._kernel

    def counting(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(type(layer), "_kernel", staticmethod(counting))
    expected = layer(x)
    assert len(calls) == 1
    y, _ = autodiff.jvp(layer, (x,), (torch.ones_like(x),))
    assert len(calls) == 1  # forward mode took the step loop
    torch.testing.assert_close(y, expected)


def test_forward_mode_active_flag():
    assert not forward_mode_active()
    seen = []
    autodiff.jvp(lambda x: seen.append(forward_mode_active()) or x, (torch.ones(1),), (torch.ones(1),))
    torch.func.jvp(lambda x: seen.append(forward_mode_active()) or x, (torch.ones(1),), (torch.ones(1),))
    assert seen == [True, True] and not forward_mode_active()


@pytest.mark.parametrize("name", ["lstm", "multi_head_attention", "batch_normalization"])
def test_hessian_through_layers_is_forward_over_reverse(name):
    """hessian / hvp work through fused-kernel layers (forward mode steps around the fused kernels), agree
    with central differences of the gradient, and are symmetric; reverse-over-reverse through fused attention
    hits a torch kernel without a second derivative, reported by name."""
    layer, shapes = _build(name)
    x = torch.randn(shapes[0], dtype=F64)

    def f(a):
        inputs = [a] + [a[..., :1, :].expand(s) if len(s) == 3 else a for s in shapes[1:]]
        return (torch.sin(_first(_call(layer, name, inputs, True))) ** 2).sum()

    h = autodiff.hessian(f, x).reshape(x.numel(), x.numel())
    torch.testing.assert_close(h, h.T, rtol=1e-9, atol=1e-9)
    numeric = autodiff.numerical_jacobian(autodiff.grad(f), x).reshape(x.numel(), x.numel())
    torch.testing.assert_close(h, numeric, rtol=1e-6, atol=1e-7)
    v = torch.randn_like(x)
    torch.testing.assert_close(autodiff.hvp(f, x, v).reshape(-1), h @ v.reshape(-1), rtol=1e-9, atol=1e-9)
    if name == "multi_head_attention":
        with pytest.raises(
            NotImplementedError,
            match="value_and_grad: the op '.*flash_attention.*_backward' has no "
            "reverse-mode derivative .*autodiff.hessian / hvp",
        ):
            autodiff.grad(lambda a: autodiff.grad(f)(a).sum())(x)
