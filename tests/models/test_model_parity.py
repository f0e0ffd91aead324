"""Parity with Keras 3: the same small models with the same weights give the same
outputs and input gradients, with weights copied in both directions."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import kerastorch

pytestmark = pytest.mark.parity

ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "softplus", "softsign", "selu", "gelu", "silu", "linear"]


def _sequential(k, in_dim, units, activation):
    return k.Sequential(
        [k.Input((in_dim,))]
        + [k.layers.Dense(u, activation=activation) for u in units]
        + [k.layers.Dense(3), k.layers.Softmax()]
    )


def _functional(k, in_dim, units, activation):
    a = k.Input((in_dim,), name="a")
    b = k.Input((in_dim,), name="b")
    shared = k.layers.Dense(units[0], activation=activation, name="shared")
    sa, sb = shared(a), shared(b)
    residual = k.layers.Add(name="residual")([sa, k.layers.Dense(units[0], name="skip")(a)])
    merged = k.layers.Concatenate(name="merged")([residual, k.layers.Multiply(name="gate")([sa, sb])])
    x = merged
    for i, u in enumerate(units[1:]):
        x = k.layers.Dense(u, activation=activation, name=f"hidden_{i}")(x)
    head = k.layers.Dense(2, name="head")(x)
    aux = k.layers.Dot(axes=1, name="aux")([sa, sb])
    return k.Model([a, b], [head, aux])


def _inputs(model_kind, batch, in_dim, seed):
    rng = np.random.default_rng(seed)
    count = 1 if model_kind == "sequential" else 2
    return [rng.normal(size=(batch, in_dim)).astype("float32") for _ in range(count)]


def _run_ours(model, arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    outputs = model(tensors[0] if len(tensors) == 1 else tensors)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    sum(o.sum() for o in outputs).backward()
    return [o.detach().numpy() for o in outputs], [t.grad.numpy() for t in tensors]


def _run_theirs(keras3, model, arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    outputs = model(tensors[0] if len(tensors) == 1 else tensors)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    sum(o.sum() for o in outputs).backward()
    return [keras3.ops.convert_to_numpy(o) for o in outputs], [t.grad.numpy() for t in tensors]


@given(
    kind=st.sampled_from(["sequential", "functional"]),
    in_dim=st.integers(1, 6),
    units=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    activation=st.sampled_from(ACTIVATIONS),
    batch=st.integers(1, 4),
    from_keras=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_same_weights_same_outputs_and_gradients(keras3, kind, in_dim, units, activation, batch, from_keras, seed):
    build = _sequential if kind == "sequential" else _functional
    ours, theirs = build(kerastorch, in_dim, units, activation), build(keras3, in_dim, units, activation)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    if from_keras:
        ours.set_weights(theirs.get_weights())
    else:
        theirs.set_weights(ours.get_weights())
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    arrays = _inputs(kind, batch, in_dim, seed)
    our_out, our_grad = _run_ours(ours, arrays)
    their_out, their_grad = _run_theirs(keras3, theirs, arrays)
    for x, y in zip(our_out + our_grad, their_out + their_grad):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)


def test_config_written_by_kerastorch_builds_in_keras(keras3):
    ours = _functional(kerastorch, 4, [3, 2], "relu")
    theirs = keras3.Model.from_config(ours.get_config())
    theirs.set_weights(ours.get_weights())
    arrays = _inputs("functional", 2, 4, 0)
    for x, y in zip(_run_ours(ours, arrays)[0], _run_theirs(keras3, theirs, arrays)[0]):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)


def test_config_written_by_keras_builds_in_kerastorch(keras3):
    theirs = _functional(keras3, 4, [3, 2], "tanh")
    ours = kerastorch.Model.from_config(theirs.get_config())
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    ours.set_weights(theirs.get_weights())
    arrays = _inputs("functional", 3, 4, 1)
    for x, y in zip(_run_ours(ours, arrays)[0], _run_theirs(keras3, theirs, arrays)[0]):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)


def test_sequential_config_interchange(keras3):
    theirs = _sequential(keras3, 5, [4], "relu")
    ours = kerastorch.Sequential.from_config(theirs.get_config())
    back = keras3.Sequential.from_config(ours.get_config())
    assert [type(layer).__name__ for layer in ours.layers] == [type(layer).__name__ for layer in back.layers]
