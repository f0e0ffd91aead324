"""Tests for LSTM / GRU and their cells: Keras 3 parity on the fused-kernel path and on the step loop
(forced by use_cudnn=False, non-default activations, recurrent dropout settings or reset_after=False), with
masks, initial states, go_backwards; which path runs; fused == loop with input dropout; configs in both
directions; the unit_forget_bias initializer; and an Embedding(mask_zero) -> LSTM model that trains."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import float_arrays, roundtrip, to_np
from test_rnn import RNN_TOL, compare_with_keras, sequences

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")

PATHS = {
    "fused": {},
    "loop": {"use_cudnn": False},
    "relu": {"activation": "relu"},
    "hard_sigmoid": {"recurrent_activation": "hard_sigmoid"},
    "no_bias": {"use_bias": False},
}


def _count_fused_calls(layer):
    """Wrap the layer's fused kernel; the returned list collects one entry per fused call."""
    calls, kernel = [], layer._kernel

    def counting(*args):
        calls.append(1)
        return kernel(*args)

    layer._kernel = counting
    return calls


@pytest.mark.parametrize("path", sorted(PATHS) + ["reset_before"])
@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
@given(
    data=sequences(),
    units=st.integers(1, 4),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    init_state=st.booleans(),
)
def test_matches_keras(keras3, data, units, flags, init_state, path, cls):
    (x, mask), (return_sequences, return_state, go_backwards) = data, flags
    options = dict(PATHS.get(path, {}))
    if path == "reset_before":
        options = {"reset_after": False} if cls == "GRU" else {"unit_forget_bias": False}
    kwargs = dict(
        units=units,
        bias_initializer="uniform",
        return_sequences=return_sequences,
        return_state=return_state,
        go_backwards=go_backwards,
        **options,
    )
    n_states = 2 if cls == "LSTM" else 1
    states = (
        [np.random.default_rng(i).normal(size=(x.shape[0], units)).astype("float32") for i in range(n_states)]
        if init_state
        else None
    )
    compare_with_keras(getattr(layers, cls)(**kwargs), getattr(keras3.layers, cls)(**kwargs), x, mask, states)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_fused_kernel_runs_when_keras_would_use_cudnn(cls):
    x = torch.randn(3, 5, 4)
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    scattered = torch.tensor([[1, 0, 1, 1, 1]] * 3, dtype=torch.bool)
    make = getattr(layers, cls)
    cases = [
        ({}, None, 1),
        ({}, right, 1),
        ({"return_sequences": True}, right, 1),
        ({}, scattered, 0),
        ({"go_backwards": True}, None, 1),
        ({"go_backwards": True}, right, 0),
        ({"use_cudnn": False}, None, 0),
        ({"activation": "relu"}, None, 0),
        ({"recurrent_dropout": 0.1}, None, 0),
        ({"unroll": True}, None, 0),
    ]
    if cls == "GRU":
        cases.append(({"reset_after": False}, None, 0))
    for kwargs, mask, expected in cases:
        layer = make(3, **kwargs)
        calls = _count_fused_calls(layer)
        layer(x, mask=mask)
        assert len(calls) == expected, (kwargs, mask)


@given(
    data=sequences(),
    units=st.integers(1, 3),
    cls=st.sampled_from(["LSTM", "GRU"]),
    return_sequences=st.booleans(),
    go_backwards=st.booleans(),
    zero_output=st.booleans(),
)
def test_fused_equals_loop_in_training_with_dropout(data, units, cls, return_sequences, go_backwards, zero_output):
    x, mask = data
    kwargs = {
        "dropout": 0.5,
        "seed": 7,
        "return_sequences": return_sequences,
        "go_backwards": go_backwards,
        "return_state": True,
        "zero_output_for_mask": zero_output,
    }
    fused = getattr(layers, cls)(units, **kwargs)
    loop = getattr(layers, cls)(units, use_cudnn=False, **kwargs)
    xt = torch.tensor(x)
    mt = None if mask is None else torch.tensor(mask)
    fused(xt)
    loop(xt)
    loop.set_weights(fused.get_weights())
    grads = []
    for layer in (fused, loop):
        inputs = xt.clone().requires_grad_(True)
        outputs = layer(inputs, mask=mt, training=True)
        sum(o.sum() * (i + 1) for i, o in enumerate(outputs)).backward()
        grads.append((outputs, inputs.grad, [w.grad for w in layer.weights]))
    (out_f, gx_f, gw_f), (out_l, gx_l, gw_l) = grads
    for a, b in zip(out_f, out_l):
        np.testing.assert_allclose(to_np(a), to_np(b), **RNN_TOL)
    np.testing.assert_allclose(to_np(gx_f), to_np(gx_l), **RNN_TOL)
    for a, b in zip(gw_f, gw_l):
        np.testing.assert_allclose(to_np(a), to_np(b), **RNN_TOL)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_use_cudnn_true_refuses_configurations_without_the_fused_kernel(cls):
    with pytest.raises(ValueError, match=rf'{cls} layer ".*": use_cudnn=True, but this configuration'):
        getattr(layers, cls)(2, activation="relu", use_cudnn=True)(torch.ones(1, 2, 3))
    with pytest.raises(ValueError, match=r"use_cudnn=True, but the mask is not right-padded"):
        getattr(layers, cls)(2, use_cudnn=True)(torch.ones(1, 2, 3), mask=torch.tensor([[False, True]]))


@given(
    data=sequences(),
    units=st.integers(1, 3),
    cls=st.sampled_from(["LSTMCell", "GRUCell"]),
    recurrent_dropout=st.sampled_from([0.0, 0.5]),
)
def test_cells_in_rnn_match_keras(keras3, data, units, cls, recurrent_dropout):
    x, mask = data
    # recurrent_dropout > 0 switches Keras to per-gate masks ("implementation 1"); inference ignores them.
    make = lambda k: k.layers.RNN(
        getattr(k.layers, cls)(units, recurrent_dropout=recurrent_dropout, bias_initializer="uniform"),
        return_sequences=True,
    )
    compare_with_keras(make(kerastorch), make(keras3), x, mask)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_recurrent_dropout_uses_one_mask_per_gate_for_the_whole_sequence(cls):
    layer = getattr(layers, cls)(3, dropout=0.3, recurrent_dropout=0.4, seed=2, return_sequences=True)
    x = torch.randn(2, 4, 5)
    seen = []
    original = layer.cell._step_projected

    def spy(projected, states, training=False):
        result = original(projected, states, training)
        seen.append((layer.cell._dropout_mask, layer.cell._recurrent_dropout_mask))
        return result

    layer.cell._step_projected = spy
    y = layer(x, training=True)
    gates = 4 if cls == "LSTM" else 3
    assert tuple(seen[0][0].shape) == (gates, 2, 5) and tuple(seen[0][1].shape) == (gates, 2, 3)
    assert all(a is seen[0][0] and b is seen[0][1] for a, b in seen)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None
    assert not torch.allclose(y, layer(x))


def test_lstm_forget_bias_starts_at_one():
    layer = layers.LSTM(3, bias_initializer="zeros")
    layer(torch.ones(1, 2, 4))
    assert layer.cell.bias.tolist() == [0.0] * 3 + [1.0] * 3 + [0.0] * 6
    plain = layers.LSTM(3, unit_forget_bias=False)
    plain(torch.ones(1, 2, 4))
    assert not plain.cell.bias.any()


@pytest.mark.parametrize(
    "make",
    [
        lambda k: k.layers.LSTM(
            3,
            dropout=0.2,
            recurrent_dropout=0.1,
            unit_forget_bias=False,
            return_state=True,
            seed=4,
            recurrent_activation="hard_sigmoid",
            kernel_regularizer="l2",
        ),
        lambda k: k.layers.GRU(2, reset_after=False, go_backwards=True, stateful=True, activity_regularizer="l2"),
        lambda k: k.layers.LSTMCell(2, use_bias=False, bias_constraint="non_neg"),
        lambda k: k.layers.GRUCell(4, recurrent_initializer="glorot_normal"),
    ],
    ids=["lstm", "gru", "lstm_cell", "gru_cell"],
)
def test_configs_round_trip_both_ways_with_keras(keras3, make):
    ours, theirs = make(kerastorch), make(keras3)
    roundtrip(ours)
    config = json.loads(json.dumps(ours.get_config()))
    their_config = json.loads(json.dumps(theirs.get_config()))
    del config["name"], their_config["name"]
    assert config == their_config
    loaded = type(theirs).from_config(json.loads(json.dumps(ours.get_config())))
    assert json.loads(json.dumps(loaded.get_config())) == json.loads(json.dumps(ours.get_config()))
    back = type(ours).from_config(json.loads(json.dumps(theirs.get_config())))
    assert back.get_config() == json.loads(json.dumps(theirs.get_config()))


def test_layer_attributes_come_from_the_cell():
    layer = layers.GRU(5, dropout=0.25, reset_after=False)
    assert (layer.units, layer.dropout, layer.reset_after) == (5, 0.25, False)
    assert layer.cell.name == "gru_cell" and layer.recurrent_activation is kerastorch.activations.sigmoid


@given(x=float_arrays((2, 3, 4), low=-1, high=1))
def test_initial_state_changes_the_result_and_is_differentiable(x):
    layer = layers.LSTM(2)
    h = torch.ones(2, 2, requires_grad=True)
    c = torch.zeros(2, 2, requires_grad=True)
    out = layer(torch.tensor(x), initial_state=[h, c])
    assert not torch.allclose(out, layer(torch.tensor(x)))
    out.sum().backward()
    assert h.grad is not None and c.grad is not None and h.grad.abs().sum() > 0


def test_embedding_mask_zero_lstm_model_trains_with_fit():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 7, size=64)
    ids = np.where(np.arange(6)[None, :] < lengths[:, None], rng.integers(1, 10, size=(64, 6)), 0)
    y = (ids[np.arange(64), lengths - 1] >= 5).astype("float32")[:, None]  # depends on the last real token
    model = kerastorch.Sequential(
        [
            kerastorch.Input((6,), dtype="int64"),
            layers.Embedding(10, 8, mask_zero=True),
            layers.LSTM(8),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=kerastorch.optimizers.Adam(0.02), loss="binary_crossentropy")
    history = model.fit(ids, y, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    # padding is masked: appending more zeros does not change the prediction
    padded = np.concatenate([ids[:4], np.zeros((4, 3), ids.dtype)], 1)
    longer = kerastorch.Sequential(
        [
            kerastorch.Input((9,), dtype="int64"),
            layers.Embedding(10, 8, mask_zero=True),
            layers.LSTM(8),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    longer.set_weights(model.get_weights())
    np.testing.assert_allclose(to_np(longer(torch.tensor(padded))), to_np(model(torch.tensor(ids[:4]))), **RNN_TOL)


@pytest.mark.cuda
@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_cudnn_path_matches_the_cpu_loop(cls):
    x = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    gpu = getattr(layers, cls)(3, return_sequences=True, return_state=True, bias_initializer="uniform")
    cpu = getattr(layers, cls)(3, return_sequences=True, return_state=True, use_cudnn=False)
    gpu(x.cuda())
    cpu(x)
    cpu.set_weights(gpu.get_weights())
    calls = _count_fused_calls(gpu)
    for m in (None, mask):
        ours = gpu(x.cuda(), mask=None if m is None else m.cuda())
        for a, b in zip(ours, cpu(x, mask=m)):
            np.testing.assert_allclose(to_np(a), to_np(b), rtol=2e-3, atol=2e-3)  # cuDNN may use TF32
    assert len(calls) == 2
