"""Tests for the convolutional LSTM layers: Keras 3 parity (outputs, input and weight gradients) of
ConvLSTM1D and ConvLSTM2D on drawn geometries in both data formats, with masks, go_backwards and
return_state; the cell against a step-by-step reference; dropout; symbolic shapes; configs; errors."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import (
    as_list,
    assert_outputs_and_input_grads,
    build_pair,
    check_initial_state_parity,
    float_arrays,
    keras_device,
    roundtrip,
    to_np,
)

import kerastorch
from kerastorch import layers
from kerastorch.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell

pytestmark = pytest.mark.usefixtures("_cpu_weights")

TOL = {"rtol": 1e-4, "atol": 1e-5}
"""Convolutions and recurrences sum float32 products in a different order than Keras."""


@st.composite
def conv_lstm_cases(draw, rank):
    """``(kwargs, x)``: ConvLSTM arguments and a fitting small input of shape (batch, time, ...)."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    mode = draw(st.sampled_from(["plain", "strided", "dilated"]))
    strides = tuple(draw(st.integers(1, 2)) if mode == "strided" else 1 for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) if mode == "dilated" else 1 for _ in range(rank))
    padding = draw(st.sampled_from(["valid", "same"]))
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    low = [(k - 1) * d + 1 if padding == "valid" else 1 for k, d in zip(kernel, dilation)]
    spatial = tuple(draw(st.integers(lo, lo + 2)) for lo in low)
    batch, time, channels = draw(st.integers(2, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    shape = (batch, time, channels, *spatial) if data_format == "channels_first" else (batch, time, *spatial, channels)
    kwargs = {
        "filters": draw(st.integers(1, 3)),
        "kernel_size": kernel,
        "strides": strides,
        "dilation_rate": dilation,
        "padding": padding,
        "data_format": data_format,
        "return_sequences": draw(st.booleans()),
        "return_state": draw(st.booleans()),
        "go_backwards": draw(st.booleans()),
        "use_bias": draw(st.booleans()),
        "activation": draw(st.sampled_from(["tanh", "relu"])),
    }
    return kwargs, draw(float_arrays(shape, low=-2, high=2))


def _parity(keras3, ours, theirs, x, mask=None):
    build_pair(ours, theirs, x.shape, scale=0.5)
    xt, xk = torch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True, device=keras_device())
    kwargs_t = {} if mask is None else {"mask": torch.tensor(mask)}
    kwargs_k = {} if mask is None else {"mask": torch.tensor(mask, device=keras_device())}
    yt, yk = as_list(ours(xt, **kwargs_t)), as_list(theirs(xk, **kwargs_k))
    assert_outputs_and_input_grads(yt, yk, xt, xk, TOL)
    for wt, wk in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(to_np(wt.grad), to_np(wk.value.grad), **TOL)
    shapes = ours.compute_output_shape(x.shape)
    assert [tuple(s) for s in (shapes if isinstance(shapes, list) else [shapes])] == [tuple(a.shape) for a in yt]
    return yt


@pytest.mark.parity
@given(conv_lstm_cases(1))
def test_conv_lstm1d_matches_keras(keras3, case):
    kwargs, x = case
    _parity(keras3, ConvLSTM1D(**kwargs), keras3.layers.ConvLSTM1D(**kwargs), x)


@pytest.mark.parity
@given(conv_lstm_cases(2))
def test_conv_lstm2d_matches_keras(keras3, case):
    kwargs, x = case
    _parity(keras3, ConvLSTM2D(**kwargs), keras3.layers.ConvLSTM2D(**kwargs), x)


@pytest.mark.parity
@given(st.booleans(), st.data())
def test_conv_lstm2d_masks_match_keras(keras3, go_backwards, data):
    x = data.draw(float_arrays((2, 4, 3, 3, 2), low=-2, high=2))
    lengths = data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=2))
    mask = np.arange(4)[None] < np.array(lengths)[:, None]
    args = {"filters": 2, "kernel_size": 2, "padding": "same", "return_sequences": True, "go_backwards": go_backwards}
    yt = _parity(keras3, ConvLSTM2D(**args), keras3.layers.ConvLSTM2D(**args), x, mask)
    if not go_backwards:  # masked steps repeat the last unmasked output
        row = 0 if lengths[0] < 4 else None
        if row is not None:
            torch.testing.assert_close(
                yt[0][row, lengths[row] :],
                yt[0][row, lengths[row] - 1 : lengths[row]].expand(4 - lengths[row], -1, -1, -1),
            )


@pytest.mark.parity
def test_conv_lstm2d_initial_state_matches_keras(keras3):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4, 4, 2)).astype("float32")
    states = [rng.normal(size=(2, 4, 4, 3)).astype("float32") for _ in range(2)]
    check_initial_state_parity(
        ConvLSTM2D(3, 3, padding="same"), keras3.layers.ConvLSTM2D(3, 3, padding="same"), x, states, TOL
    )


def _reference_step(cell, x, h, c):
    """One ConvLSTM step written gate by gate with torch's conv on channels-last 2-D tensors."""

    def conv(inputs, kernel, padding, strides=1):
        return torch.nn.functional.conv2d(
            inputs.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), None, strides, padding
        ).permute(0, 2, 3, 1)

    f = cell.filters
    zx = conv(x, cell.kernel, 0, cell.strides) + cell.bias
    zh = conv(h, cell.recurrent_kernel, "same")
    gates = [zx[..., k * f : (k + 1) * f] + zh[..., k * f : (k + 1) * f] for k in range(4)]
    i, fg, g, o = torch.sigmoid(gates[0]), torch.sigmoid(gates[1]), torch.tanh(gates[2]), torch.sigmoid(gates[3])
    c = fg * c + i * g
    return o * torch.tanh(c), c


def test_cell_matches_gate_by_gate_reference():
    cell = ConvLSTMCell(2, filters=2, kernel_size=3, bias_initializer="random_normal")
    x, h, c = torch.randn(2, 6, 6, 3), torch.randn(2, 4, 4, 2), torch.randn(2, 4, 4, 2)
    out, (h1, c1) = cell(x, [h, c])
    h_ref, c_ref = _reference_step(cell, x, h, c)
    torch.testing.assert_close(h1, h_ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(c1, c_ref, rtol=1e-5, atol=1e-5)
    assert out is h1
    layer = ConvLSTM2D(2, 3, return_sequences=True)
    seq = torch.randn(2, 3, 6, 6, 3)
    ys = layer(seq)
    h = c = torch.zeros(2, 4, 4, 2)
    for t in range(3):
        h, c = _reference_step(layer.cell, seq[:, t], h, c)
        torch.testing.assert_close(ys[:, t], h, rtol=1e-5, atol=1e-5)


def test_weights_layout_and_unit_forget_bias():
    layer = ConvLSTM2D(4, (3, 2))
    layer.build((None, 2, 7, 7, 5))
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("kernel", (3, 2, 5, 16)),
        ("recurrent_kernel", (3, 2, 4, 16)),
        ("bias", (16,)),
    ]
    assert layer.get_weights()[2].tolist() == [0.0] * 4 + [1.0] * 4 + [0.0] * 8
    assert ConvLSTM1D(2, 3, unit_forget_bias=False, bias_initializer="ones").cell.unit_forget_bias is False
    plain = ConvLSTM1D(2, 3, unit_forget_bias=False)
    plain.build((None, 2, 5, 1))
    assert not plain.get_weights()[2].any()
    no_bias = ConvLSTM2D(2, 3, use_bias=False)
    no_bias.build((None, 2, 5, 5, 1))
    assert [w.name for w in no_bias.weights] == ["kernel", "recurrent_kernel"]
    arrays = [np.random.default_rng(i).normal(size=w.shape).astype("float32") for i, w in enumerate(layer.weights)]
    layer.set_weights(arrays)
    for got, want in zip(layer.get_weights(), arrays):
        np.testing.assert_array_equal(got, want)


def test_dropout_draws_one_mask_per_sequence_and_only_in_training():
    layer = ConvLSTM1D(2, 2, dropout=0.5, recurrent_dropout=0.5, seed=1, return_sequences=True)
    x = torch.randn(2, 3, 5, 2)
    inference = layer(x)
    torch.testing.assert_close(layer(x), inference)
    trained = layer(x, training=True)
    assert trained.shape == inference.shape and not torch.allclose(trained, inference)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None  # reset after the call
    x.requires_grad_(True)
    layer(x, training=True).sum().backward()
    dropped = (x.grad == 0).all(dim=1)  # a dropped input feature gets no gradient at any step
    assert dropped.any()


def test_symbolic_shapes_and_functional_model():
    inputs = kerastorch.Input((None, 8, 8, 1))
    x = ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inputs)
    assert x.shape == (None, None, 8, 8, 4)
    out, h, c = ConvLSTM2D(2, 3, strides=2, return_state=True)(x)
    assert out.shape == h.shape == c.shape == (None, 3, 3, 2)
    model = kerastorch.Model(inputs, out)
    assert model(torch.randn(2, 3, 8, 8, 1)).shape == (2, 3, 3, 2)
    assert ConvLSTM3D(2, 2).compute_output_shape((None, 4, 5, 5, 5, 3)) == (None, 4, 4, 4, 2)
    assert ConvLSTM1D(3, 3, data_format="channels_first", return_sequences=True).compute_output_shape(
        (None, 4, 2, 9)
    ) == (None, 4, 3, 7)


def test_varying_spatial_size_and_stateful():
    layer = ConvLSTM1D(2, 3, padding="same")
    assert layer(torch.randn(2, 3, 5, 1)).shape == (2, 5, 2)
    assert layer(torch.randn(2, 3, 7, 1)).shape == (2, 7, 2)
    stateful = ConvLSTM1D(2, 3, stateful=True)
    x = torch.randn(2, 3, 6, 1)
    first = stateful(x)
    assert stateful.states[0].shape == (2, 4, 2)
    assert not torch.allclose(stateful(x), first)
    stateful.reset_states()
    torch.testing.assert_close(stateful(x), first)


def test_in_bidirectional_and_time_distributed_models():
    bi = layers.Bidirectional(ConvLSTM1D(2, 3, padding="same", return_sequences=True))
    assert bi(torch.randn(2, 3, 5, 1)).shape == (2, 3, 5, 4)
    assert [w.path.split("/")[1] for w in bi.weights][::3] == ["forward_conv_lstm1d", "backward_conv_lstm1d"]


@pytest.mark.parity
def test_config_roundtrip_and_keras_interchange(keras3):
    layer = ConvLSTM2D(
        3,
        (2, 3),
        strides=(1, 2),
        padding="same",
        data_format="channels_first",
        dropout=0.1,
        recurrent_dropout=0.2,
        seed=4,
        return_sequences=True,
        go_backwards=True,
        kernel_regularizer="l2",
        name="clstm",
    )
    clone = roundtrip(layer)
    assert clone.kernel_size == (2, 3) and clone.data_format == "channels_first" and clone.go_backwards
    config = json.loads(json.dumps(layer.get_config()))
    theirs = keras3.layers.ConvLSTM2D.from_config(config)
    assert set(theirs.get_config()) == set(layer.get_config())
    back = ConvLSTM2D.from_config(json.loads(json.dumps(theirs.get_config())))
    ours_cfg, back_cfg = json.loads(json.dumps(layer.get_config())), back.get_config()
    assert json.loads(json.dumps(back_cfg)) == ours_cfg
    assert layers.ConvLSTM1D is ConvLSTM1D and layers.ConvLSTM2D is ConvLSTM2D and layers.ConvLSTM3D is ConvLSTM3D


def test_errors():
    with pytest.raises(ValueError, match=r'layer "conv_lstm2d.*expected ndim=5, found ndim=4.*\(2, 3, 4, 1\)'):
        ConvLSTM2D(2, 3)(torch.ones(2, 3, 4, 1))
    with pytest.raises(ValueError, match=r'ConvLSTM2D layer "conv_lstm2d.*": expected inputs of rank 5.*\(2, 3, 4\)'):
        ConvLSTM2D(2, 3).build((2, 3, 4))
    with pytest.raises(ValueError, match=r"argument `filters` must be a positive integer; received 0 \(int\)"):
        ConvLSTM1D(0, 3)
    with pytest.raises(ValueError, match=r"padding must be one of \['valid', 'same'\].*'causal'"):
        ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\].*dropout=2"):
        ConvLSTM1D(2, 3, dropout=2)
    with pytest.raises(ValueError, match=r"strides > 1 is not supported together with dilation_rate > 1"):
        ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"the output would be empty"):
        ConvLSTM1D(2, 5)(torch.ones(1, 2, 3, 1))
    with pytest.raises(ValueError, match=r"stateful ConvLSTM needs known spatial"):
        ConvLSTM1D(2, 3, stateful=True).build((2, 3, None, 1))
    with pytest.raises(ValueError, match=r"initial_state must be 2 tensor"):
        ConvLSTM1D(2, 3)(torch.ones(1, 2, 5, 1), initial_state=[torch.zeros(1, 5, 2)] * 2)
