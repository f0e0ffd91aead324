"""``keras.remat`` and ``keras.RematScope``: the same values, gradients and state updates as without
rematerialization (random draws included), less memory kept for the backward pass, and Keras 3's choice of
what to rematerialize in each mode."""

import numpy as np
import pytest
import torch
from torch.autograd.graph import saved_tensors_hooks

import kerastorch as keras
from kerastorch import layers
from kerastorch.backend import remat as remat_module
from kerastorch.layers import base as layer_base


@pytest.fixture
def rematerialized(monkeypatch):
    """Names of the layers (or functions) whose calls go through checkpointing."""
    names = []
    layer_call, function_call = layer_base.checkpoint_call, remat_module.checkpoint_call

    def spy_layer(fn, args, kwargs, state=None):
        names.append(fn.__self__.name)
        return layer_call(fn, args, kwargs, state=state)

    def spy_function(fn, args, kwargs, state=None):
        names.append(getattr(fn, "__name__", repr(fn)))
        return function_call(fn, args, kwargs, state=state)

    monkeypatch.setattr(layer_base, "checkpoint_call", spy_layer)
    monkeypatch.setattr(remat_module, "checkpoint_call", spy_function)
    return names


def _model(scope=None):
    def make():
        return keras.Sequential(
            [
                keras.Input((8,)),
                layers.Dense(16, activation="relu", name="a"),
                layers.Dropout(0.5, seed=3, name="drop"),
                layers.BatchNormalization(name="bn"),
                layers.Dense(4, name="b"),
            ],
            name="seq",
        )

    torch.manual_seed(1)
    if scope is None:
        return make()
    with scope:
        return make()


def _train_step(model, x):
    y = model(x, training=True)
    y.square().sum().backward()
    return (
        y.detach(),
        [w.grad.clone() for w in model.trainable_weights],
        [w.detach().clone() for w in model.non_trainable_weights],
    )


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ({"mode": "full"}, ["seq", "a", "drop", "bn", "b", "a", "drop", "bn", "b"]),  # inner calls rerun in recompute
        ({"mode": "activations"}, ["relu"]),
        ({"mode": "larger_than", "output_size_threshold": 5 * 4}, ["a", "drop", "bn"]),  # b's 5 x 4 is not larger
        ({"mode": "list_of_layers", "layer_names": ["a", "b"]}, ["a", "b"]),
    ],
)
def test_scope_modes_give_identical_values_gradients_and_state(rematerialized, arguments, expected):
    x = torch.randn(5, 8)
    plain = _train_step(_model(), x)
    assert rematerialized == []
    ours = _train_step(_model(keras.RematScope(**arguments)), x)
    assert rematerialized == expected
    for got, want in zip(ours, plain):
        for a, b in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
            assert torch.equal(a, b)


def test_rematerialization_keeps_less_for_the_backward_pass():
    def saved_bytes(model, x):
        total = [0]

        def pack(tensor):
            total[0] += tensor.numel() * tensor.element_size()
            return tensor

        with saved_tensors_hooks(pack, lambda t: t):
            model(x, training=True).sum().backward()
        return total[0]

    def make():
        torch.manual_seed(0)
        return keras.Sequential([keras.Input((64,))] + [layers.Dense(64, activation="gelu") for _ in range(6)])

    x = torch.randn(32, 64)
    plain = saved_bytes(make(), x)
    with keras.RematScope(mode="full"):
        rematerialized = make()
    assert saved_bytes(rematerialized, x) < plain / 2


def test_the_scope_at_creation_decides(rematerialized):
    x = torch.ones(2, 3)
    with keras.RematScope():
        inside = layers.Dense(2, name="inside")
        with keras.RematScope(mode=None):
            off = layers.Dense(2, name="off")
    outside = layers.Dense(2, name="outside")
    with keras.RematScope():
        outside(x).sum().backward()
    inside(x).sum().backward()
    off(x).sum().backward()
    assert rematerialized == ["inside"]
    with torch.no_grad():
        inside(x)  # no gradients recorded: a plain call
    inside(keras.Input((3,)))  # symbolic: a plain call
    assert rematerialized == ["inside"]


def test_larger_than_counts_all_outputs_batch_included(rematerialized, keras3, monkeypatch):
    class Two(layers.Layer):
        def call(self, x):
            return x[:, :3], x[:, 3:]

    class TheirTwo(keras3.layers.Layer):
        def call(self, x):
            return x[:, :3], x[:, 3:]

    keras_calls = []
    checkpoint = torch.utils.checkpoint.checkpoint

    def spy(fn, *args, **kwargs):
        keras_calls.append(fn)
        return checkpoint(fn, *args, **kwargs)

    monkeypatch.setattr(torch.utils.checkpoint, "checkpoint", spy)
    x = torch.ones(2, 6, requires_grad=True)
    for threshold in (5, 11, 12, 100):
        with keras.RematScope(mode="larger_than", output_size_threshold=threshold):
            ours = Two(name="two")
        with keras3.RematScope(mode="larger_than", output_size_threshold=threshold):
            theirs = TheirTwo()
        del rematerialized[:], keras_calls[:]
        sum(t.sum() for t in ours(x)).backward()
        sum(t.sum() for t in theirs(x)).backward()
        assert bool(rematerialized) == bool(keras_calls) == (threshold < 12), threshold


def test_remat_function_and_layer():
    x = torch.linspace(-2.0, 2.0, 6, requires_grad=True)
    generator = torch.Generator().manual_seed(7)

    def noisy(t):  # draws from an explicit generator: the recomputation must draw the same numbers
        return (torch.tanh(t) * torch.rand(t.shape, generator=generator)).exp().sum()

    state = generator.get_state()
    plain = torch.autograd.grad(noisy(x), x)[0]
    generator.set_state(state)
    ours = torch.autograd.grad(keras.remat(noisy)(x), x)[0]
    assert torch.equal(plain, ours)

    torch.manual_seed(0)
    bn = layers.BatchNormalization()
    bn.build((None, 4))
    reference = layers.BatchNormalization()
    reference.build((None, 4))
    inputs = torch.randn(6, 4, requires_grad=True)
    keras.remat(bn)(inputs, training=True).square().sum().backward()
    grad = inputs.grad.clone()
    inputs.grad = None
    reference(inputs, training=True).square().sum().backward()
    assert torch.equal(grad, inputs.grad)
    for a, b in zip(bn.weights, reference.weights):  # the statistics moved once
        assert torch.equal(a, b)
    with pytest.raises(TypeError, match="function or a layer"):
        keras.remat(3)


def test_remat_inside_a_stateless_scope():
    def values_and_grads(scope):
        model = _model(scope)
        mapping = [(w, w.detach().clone().requires_grad_(w.requires_grad)) for w in model.weights]
        with keras.StatelessScope(mapping):
            y = model(torch.ones(3, 8), training=True)
        trainable = [value for _, value in mapping if value.requires_grad]
        return y.detach(), torch.autograd.grad(y.square().sum(), trainable)

    plain = values_and_grads(None)
    ours = values_and_grads(keras.RematScope(mode="full"))
    assert torch.equal(plain[0], ours[0])
    assert all(torch.equal(a, b) for a, b in zip(plain[1], ours[1]))


def test_scope_arguments_are_checked():
    scope = keras.RematScope(mode="larger_than")
    assert (scope.mode, scope.output_size_threshold, scope.layer_names) == ("larger_than", 1024, [])
    assert keras.RematScope(mode="list_of_layers", layer_names=("x",)).layer_names == ["x"]
    with pytest.raises(ValueError, match="invalid mode 'bogus'"):
        keras.RematScope(mode="bogus")
    with pytest.raises(ValueError, match="non-negative int"):
        keras.RematScope(output_size_threshold=-1)
    with pytest.raises(ValueError, match="non-negative int"):
        keras.RematScope(output_size_threshold="x")
    with pytest.raises(ValueError, match="list of layer names"):
        keras.RematScope(mode="list_of_layers", layer_names="dense")
    with pytest.raises(ValueError, match="mode='list_of_layers' only"):
        keras.RematScope(mode="full", layer_names=["dense"])
    assert remat_module.get_current_remat_mode() is None
    np.testing.assert_equal(keras.remat(np.add)(1, 2), 3)  # a function of non-tensors runs as well


def test_remat_of_some_layers_inside_a_stateless_scope():
    def values_and_grads(scope):
        model = _model(scope)
        mapping = [(w, w.detach().clone().requires_grad_(w.requires_grad)) for w in model.weights]
        with keras.StatelessScope(mapping) as stateless:
            y = model(torch.ones(3, 8), training=True)
        trainable = [value for _, value in mapping if value.requires_grad]
        grads = torch.autograd.grad(y.square().sum(), trainable)
        return [y.detach(), *grads, *(stateless.get_current_value(w) for w in model.non_trainable_weights)]

    plain = values_and_grads(None)
    ours = values_and_grads(keras.RematScope(mode="list_of_layers", layer_names=["bn", "b"]))
    assert all(torch.equal(a, b) for a, b in zip(plain, ours))
