"""Tests for the RNN base layer, SimpleRNN / SimpleRNNCell, StackedRNNCells and user-written cells: Keras 3
parity (outputs, final states, input / initial-state / weight gradients) on drawn configurations with masks,
stateful layers, symbolic shapes, configs (both ways with Keras 3), weights and errors.

``compare_with_keras`` and ``masks`` are shared with test_lstm_gru.py."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers, tree

pytestmark = pytest.mark.usefixtures("_cpu_weights")

RNN_TOL = {"rtol": 1e-4, "atol": 1e-5}
"""Gradients through several steps accumulate float32 round-off in a different order than Keras's."""


# ------------------------------------------------------------------ helpers
@st.composite
def masks(draw, batch, steps):
    """None, a right-padded mask (rows True then False, some maybe all False) or an arbitrary one."""
    kind = draw(st.sampled_from(["none", "right", "any"]))
    if kind == "none":
        return None
    if kind == "right":
        lengths = draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch))
        return np.arange(steps)[None, :] < np.array(lengths)[:, None]
    return np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=steps, max_size=steps), min_size=batch, max_size=batch))
    )


@st.composite
def sequences(draw, max_batch=3, max_steps=5, max_features=4):
    batch, steps = draw(st.integers(1, max_batch)), draw(st.integers(1, max_steps))
    x = draw(float_arrays((batch, steps, draw(st.integers(1, max_features))), low=-2.0, high=2.0))
    return x, draw(masks(batch, steps))


def _flat(outputs):
    return tree.flatten(list(outputs) if isinstance(outputs, (list, tuple)) else [outputs])


def _zero_grads(*modules_weights):
    for weights in modules_weights:
        for w in weights:
            w.grad = None


def compare_with_keras(ours, theirs, x, mask=None, initial_state=None, training=False, tol=RNN_TOL):
    """Build both layers, copy Keras's weights into ours, and check that outputs, states, and the gradients
    of inputs, initial states and weights agree under random upstream gradients; returns our outputs."""
    device = keras_device()
    ours(torch.tensor(x))
    theirs(torch.tensor(x, device=device))
    ours.set_weights(theirs.get_weights())
    _zero_grads(ours.weights, [w.value for w in theirs.weights])
    xt = torch.tensor(x, requires_grad=True)
    xk = torch.tensor(x, requires_grad=True, device=device)
    kw_t, kw_k = {"training": training}, {"training": training}
    if mask is not None:
        kw_t["mask"], kw_k["mask"] = torch.tensor(mask), torch.tensor(mask, device=device)
    states_t = states_k = []
    if initial_state is not None:
        states_t = [torch.tensor(s, requires_grad=True) for s in initial_state]
        states_k = [torch.tensor(s, requires_grad=True, device=device) for s in initial_state]
        kw_t["initial_state"], kw_k["initial_state"] = states_t, states_k
    out_t, out_k = _flat(ours(xt, **kw_t)), _flat(theirs(xk, **kw_k))
    assert len(out_t) == len(out_k)
    rng = np.random.default_rng(1)
    loss_t = loss_k = 0
    for a, b in zip(out_t, out_k):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(to_np(a), to_np(b), **tol)
        upstream = rng.normal(size=tuple(a.shape)).astype("float32")
        loss_t = loss_t + (a * torch.tensor(upstream)).sum()
        loss_k = loss_k + (b * torch.tensor(upstream, device=device)).sum()
    loss_t.backward()
    loss_k.backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **tol)
    for a, b in zip(states_t, states_k):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), **tol)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    for wt, wk in zip(ours.weights, theirs.weights):
        gt, gk = wt.grad, wk.value.grad
        if gk is None:
            assert gt is None or not gt.any()
        else:
            np.testing.assert_allclose(to_np(gt), to_np(gk), **tol)
    return out_t


def _states(draw_rng, batch, sizes):
    return [draw_rng.normal(size=(batch, s)).astype("float32") for s in sizes]


# ------------------------------------------------------------------ parity
@given(
    data=sequences(),
    units=st.integers(1, 4),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    activation=st.sampled_from(["tanh", "relu", "sigmoid"]),
    use_bias=st.booleans(),
    init_state=st.booleans(),
)
def test_simple_rnn_matches_keras(keras3, data, units, flags, activation, use_bias, init_state):
    (x, mask), (return_sequences, return_state, go_backwards) = data, flags
    kwargs = {
        "units": units,
        "activation": activation,
        "use_bias": use_bias,
        "bias_initializer": "uniform",
        "return_sequences": return_sequences,
        "return_state": return_state,
        "go_backwards": go_backwards,
    }
    states = _states(np.random.default_rng(0), x.shape[0], [units]) if init_state else None
    compare_with_keras(layers.SimpleRNN(**kwargs), keras3.layers.SimpleRNN(**kwargs), x, mask, states)


@given(
    data=sequences(),
    sizes=st.lists(
        st.tuples(st.sampled_from(["SimpleRNNCell", "LSTMCell", "GRUCell"]), st.integers(1, 3)), min_size=1, max_size=3
    ),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    zero_output=st.booleans(),
)
def test_stacked_cells_match_keras(keras3, data, sizes, return_sequences, return_state, zero_output):
    x, mask = data

    def make(k):
        cells = [getattr(k.layers, name)(units, bias_initializer="uniform") for name, units in sizes]
        return k.layers.RNN(
            cells, return_sequences=return_sequences, return_state=return_state, zero_output_for_mask=zero_output
        )

    ours = make(kerastorch)
    compare_with_keras(ours, make(keras3), x, mask)
    assert isinstance(ours.cell, layers.StackedRNNCells)
    assert next(w.path for w in ours.weights) == f"{ours.name}/{ours.cell.name}/{ours.cell.cells[0].name}/kernel"


@given(data=sequences(), units=st.integers(1, 3))
def test_rnn_of_a_cell_matches_keras_with_zero_output_for_mask(keras3, data, units):
    x, mask = data
    kwargs = {"return_sequences": True, "return_state": True, "zero_output_for_mask": True, "go_backwards": True}
    compare_with_keras(
        layers.RNN(layers.SimpleRNNCell(units), **kwargs),
        keras3.layers.RNN(keras3.layers.SimpleRNNCell(units), **kwargs),
        x,
        mask,
    )


# ------------------------------------------------------------- user cells
class MinimalCell(layers.Layer):
    """A cell written by a user with Keras's protocol: ``h = x @ w + tanh(h) @ u``, state_size an int."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.u = self.add_weight(shape=(self.units, self.units), name="u")

    def call(self, inputs, states):
        h = inputs @ self.w + torch.tanh(states[0]) @ self.u
        return h, [h]


@given(data=sequences(), units=st.integers(1, 3))
def test_a_user_cell_runs_in_rnn_with_masks(data, units):
    x, mask = data
    layer = layers.RNN(MinimalCell(units), return_sequences=True, return_state=True)
    out, state = layer(torch.tensor(x), mask=None if mask is None else torch.tensor(mask))
    w, u = to_np(layer.cell.w), to_np(layer.cell.u)
    h, prev, expected = np.zeros((x.shape[0], units), "float32"), np.zeros((x.shape[0], units), "float32"), []
    for t in range(x.shape[1]):
        new = x[:, t] @ w + np.tanh(h) @ u
        keep = np.ones((x.shape[0], 1), bool) if mask is None else mask[:, t : t + 1]
        h, prev = np.where(keep, new, h), np.where(keep, new, prev)
        expected.append(prev)
    np.testing.assert_allclose(to_np(out), np.stack(expected, 1), **RNN_TOL)
    np.testing.assert_allclose(to_np(state), h, **RNN_TOL)


def test_a_user_cell_without_get_initial_state_gets_zeros_and_nested_states():
    class TwoStates(MinimalCell):
        def __init__(self, units):
            super().__init__(units)
            self.state_size = [units, (2, units)]

        def call(self, inputs, states):
            h, m = states
            return inputs @ self.w + h, [h + 1, m + 1]

    layer = layers.RNN(TwoStates(2), return_state=True)
    out, h, m = layer(torch.ones(3, 4, 5))
    assert tuple(out.shape) == (3, 2) and tuple(m.shape) == (3, 2, 2)
    assert torch.equal(m, torch.full((3, 2, 2), 4.0)) and torch.equal(h, torch.full((3, 2), 4.0))


# ------------------------------------------------------------- stateful
@given(
    x=float_arrays((2, 4, 3), low=-2, high=2),
    split=st.integers(1, 3),
    cls=st.sampled_from(["SimpleRNN", "LSTM", "GRU"]),
)
def test_stateful_calls_continue_the_sequence(x, split, cls):
    stateful = getattr(layers, cls)(3, stateful=True)
    whole = getattr(layers, cls)(3)
    first, second = torch.tensor(x[:, :split]), torch.tensor(x[:, split:])
    stateful(first)
    whole(torch.tensor(x))
    whole.set_weights(stateful.get_weights())
    stateful.reset_states()
    stateful(first)
    np.testing.assert_allclose(to_np(stateful(second)), to_np(whole(torch.tensor(x))), **RNN_TOL)
    stateful.reset_states()
    assert all(not s.any() for s in stateful.states)
    np.testing.assert_allclose(to_np(stateful(first)), to_np(whole(first)), **RNN_TOL)
    assert [w.name for w in stateful.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert not any("rnn_state" in k for k in stateful.state_dict())


def test_stateful_states_carry_no_graph_and_backward_works_twice():
    layer = layers.LSTM(2, stateful=True)
    x = torch.ones(3, 2, 4)
    layer(x).sum().backward()
    layer(x).sum().backward()  # the stored states are detached: no "backward through the graph a second time"
    assert all(not s.requires_grad for s in layer.states)


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match=r'LSTM layer "lstm".*fixed batch size'):
        layers.LSTM(2, stateful=True)(kerastorch.Input((3, 4)))
    layer = layers.GRU(2, stateful=True)
    layer(torch.ones(2, 3, 4))
    with pytest.raises(ValueError, match=r'GRU layer "gru".*batch size it was built for \(2\).*3'):
        layer(torch.ones(3, 3, 4))


# ------------------------------------------------------------- symbolic
@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_symbolic_shapes(cls):
    make = getattr(layers, cls)
    inputs = kerastorch.Input((None, 5))
    seq, *states = make(3, return_sequences=True, return_state=True)(inputs)
    assert seq.shape == (None, None, 3) and [s.shape for s in states] == [(None, 3)] * len(states)
    assert make(4)(kerastorch.Input((6, 5), batch_size=2)).shape == (2, 4)
    assert make(4, return_sequences=True).compute_output_shape((2, 6, 5)) == (2, 6, 4)


def test_symbolic_stacked_states_and_masks_in_a_model():
    ids = kerastorch.Input((None,), dtype="int64")
    x = layers.Embedding(10, 4, mask_zero=True)(ids)
    seq = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_sequences=True)(x)
    out, (h1, c1), (h2,) = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)(seq)
    assert seq.shape == (None, None, 2) and seq._keras_mask is not None
    assert out.shape == (None, 2) and h1.shape == c1.shape == (None, 3) and h2.shape == (None, 2)
    model = kerastorch.Model(ids, [out, h1])
    y, h = model(torch.tensor([[1, 2, 0], [3, 0, 0]]))
    assert tuple(y.shape) == (2, 2) and tuple(h.shape) == (2, 3)


# ------------------------------------------------------------- configs
def _layers_to_check():
    return [
        layers.SimpleRNN(3, activation="relu", dropout=0.25, return_sequences=True, go_backwards=True),
        layers.RNN(layers.SimpleRNNCell(2), return_state=True, stateful=True, zero_output_for_mask=True),
        layers.RNN([layers.LSTMCell(2), layers.GRUCell(3, reset_after=False)], unroll=True),
        layers.StackedRNNCells([layers.SimpleRNNCell(2), layers.LSTMCell(3)]),
        layers.SimpleRNNCell(3, recurrent_dropout=0.5, seed=3, kernel_regularizer="l2"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_configs_round_trip_and_load_in_keras(keras3, index):
    layer = _layers_to_check()[index]
    roundtrip(layer)
    config = json.loads(json.dumps(layer.get_config()))
    theirs = getattr(keras3.layers, type(layer).__name__).from_config(json.loads(json.dumps(config)))  # it pops
    their_config = json.loads(json.dumps(theirs.get_config()))
    assert their_config == config
    assert type(layer).from_config(their_config).get_config() == config


def test_keras_built_rnn_config_loads_here(keras3):
    theirs = keras3.layers.RNN([keras3.layers.SimpleRNNCell(2), keras3.layers.GRUCell(3)], go_backwards=True)
    theirs(np.ones((2, 3, 4), "float32"))
    ours = layers.RNN.from_config(json.loads(json.dumps(theirs.get_config())))
    assert isinstance(ours.cell, layers.StackedRNNCells) and ours.go_backwards
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]


@given(x=float_arrays((2, 3, 4)))
def test_get_set_weights_round_trip(x):
    a, b = (
        layers.RNN([layers.SimpleRNNCell(2), layers.LSTMCell(3)]),
        layers.RNN([layers.SimpleRNNCell(2), layers.LSTMCell(3)]),
    )
    a(torch.tensor(x))
    b(torch.tensor(x))
    b.set_weights(a.get_weights())
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert torch.equal(a(torch.tensor(x)), b(torch.tensor(x)))


def test_weight_names_and_paths_match_keras(keras3):
    for cls in ("SimpleRNN", "LSTM", "GRU"):
        ours, theirs = getattr(layers, cls)(2, name="seq"), getattr(keras3.layers, cls)(2, name="seq")
        ours(torch.ones(1, 2, 3))
        theirs(np.ones((1, 2, 3), "float32"))
        assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
        assert ours.weights[0].path == f"seq/{cls.lower().replace('simplernn', 'simple_rnn')}_cell/kernel"


# ------------------------------------------------------------- dropout
def test_dropout_masks_are_drawn_once_per_sequence_and_only_in_training():
    layer = layers.SimpleRNN(
        4,
        activation="linear",
        use_bias=False,
        dropout=0.5,
        return_sequences=True,
        kernel_initializer="identity",
        recurrent_initializer="zeros",
    )
    x = torch.ones(8, 5, 4)
    y = layer(x, training=True)
    assert torch.equal(y, y[:, :1].expand_as(y))  # the same input mask at every step
    assert set(y.unique().tolist()) <= {0.0, 2.0} and (y == 0).any() and (y == 2).any()
    assert layer.cell._dropout_mask is None  # reset after the call: the next call draws a new mask
    assert torch.equal(layer(x), x)  # inference: no dropout


def test_recurrent_dropout_changes_training_outputs_only():
    layer = layers.SimpleRNN(6, recurrent_dropout=0.5, return_sequences=True, seed=1)
    x = torch.randn(4, 5, 3)
    inference = layer(x)
    assert torch.equal(inference, layer(x, training=False))
    assert not torch.allclose(layer(x, training=True), inference)


# ------------------------------------------------------------- errors
@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_units_must_be_positive(cls):
    with pytest.raises(
        ValueError, match=rf'{cls} layer ".*": argument `units` must be a positive integer; received 0 \(int\)'
    ):
        getattr(layers, cls)(0)


def test_input_rank_and_initial_state_errors():
    with pytest.raises(ValueError, match=r"lstm.*expected ndim=3, found ndim=2"):
        layers.LSTM(2)(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"rnn.*expected min_ndim=3, found ndim=2"):
        layers.RNN(layers.SimpleRNNCell(2))(torch.ones(2, 3))
    layer = layers.LSTM(2)
    with pytest.raises(
        ValueError,
        match=r'LSTM layer "lstm_1": initial_state must be 2 tensor\(s\) of shapes '
        r"\[\(3, 2\), \(3, 2\)\].*received shapes \[\(3, 2\)\]",
    ):
        layer(torch.ones(3, 4, 5), initial_state=[torch.zeros(3, 2)])
    with pytest.raises(ValueError, match=r"received shapes \[\(3, 4\), \(3, 2\)\]"):
        layer(torch.ones(3, 4, 5), initial_state=[torch.zeros(3, 4), torch.zeros(3, 2)])


def test_cell_and_argument_errors():
    with pytest.raises(ValueError, match=r'RNN layer "rnn": a cell needs a state_size'):
        layers.RNN(layers.Dense(2))
    with pytest.raises(ValueError, match=r'LSTM layer "lstm": use_cudnn must be'):
        layers.LSTM(2, use_cudnn="yes")
    with pytest.raises(ValueError, match=r'GRUCell layer "gru_cell": argument `dropout` must be a number'):
        layers.GRUCell(2, dropout="a")


__all__ = ["TOL", "compare_with_keras", "masks", "sequences"]
