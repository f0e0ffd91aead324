"""``keras.StatelessScope`` and ``keras.SymbolicScope``: values read from a mapping, updates recorded instead of
applied, losses collected, symbolic execution marked; parity with Keras 3 for the recorded updates."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers
from kerastorch.backend.stateless_scope import get_stateless_scope, in_stateless_scope
from kerastorch.backend.symbolic_scope import get_symbolic_scope, in_symbolic_scope


def _dense(units=2, inputs=3):
    layer = layers.Dense(units)
    layer.build((None, inputs))
    return layer


# ---------------------------------------------------------------- StatelessScope
def test_assign_is_recorded_not_applied():
    v = keras.Variable(np.zeros(3, "float32"), name="v")
    w = keras.Variable(np.ones(2, "float32"), name="w")
    with keras.StatelessScope(state_mapping=[(v, np.full(3, 5.0))]) as scope:
        assert in_stateless_scope() and get_stateless_scope() is scope
        assert v.value.tolist() == [5.0] * 3 and v.numpy().tolist() == [5.0] * 3
        v.assign(np.full(3, 7.0))
        assert v.value.tolist() == [7.0] * 3
        w.assign_add(np.ones(2))
        w.assign_sub(np.full(2, 0.5))
        assert w.value.tolist() == [1.5, 1.5]
    assert not in_stateless_scope()
    assert v.tolist() == [0.0] * 3 and w.tolist() == [1.0, 1.0]  # the variables are untouched
    assert v.value is v
    assert scope.get_current_value(v).tolist() == [7.0] * 3
    assert scope.get_current_value(w).tolist() == [1.5, 1.5]
    assert scope.get_current_value(keras.Variable(np.zeros(1))) is None


def test_values_are_cast_copied_and_checked():
    v = keras.Variable(np.zeros(3, "float32"))
    given = torch.arange(3.0)
    with keras.StatelessScope([(v, np.array([1, 2, 3], dtype="int64"))]) as scope:
        assert scope.get_current_value(v).dtype == torch.float32
    with keras.StatelessScope([(v, given)]) as scope:
        scope.get_current_value(v).add_(1.0)  # an in-place update of the scope's copy
    assert given.tolist() == [0.0, 1.0, 2.0]  # the caller's tensor is never written to
    with pytest.raises(ValueError, match="must be a Variable"):
        keras.StatelessScope([(1, 2)])
    with pytest.raises(ValueError, match=r"shape \(3,\), received shape \(4,\)"):
        keras.StatelessScope([(v, np.zeros(4))])
    with pytest.raises(ValueError, match="pairs"):
        keras.StatelessScope([v])
    with pytest.raises(ValueError, match="a list of"):
        keras.StatelessScope({v: 1})
    with pytest.raises(ValueError, match="initialize_variables"):
        keras.StatelessScope(initialize_variables=False)
    with keras.StatelessScope(), pytest.raises(ValueError, match=r"shape \(3,\)"):
        v.assign(np.zeros(2))


def test_layer_reads_mapped_weights_and_gradients_reach_the_values():
    layer = _dense()
    x = torch.randn(4, 3)
    values = [torch.randn(tuple(w.shape), requires_grad=True) for w in layer.weights]
    with keras.StatelessScope(list(zip(layer.weights, values))):
        y = layer(x)
    expected = x @ values[0] + values[1]
    torch.testing.assert_close(y, expected)
    grads = torch.autograd.grad(y.square().sum(), values)
    reference = torch.autograd.grad(expected.square().sum(), values)
    for ours, theirs in zip(grads, reference):
        torch.testing.assert_close(ours, theirs)
    assert all(w.grad is None for w in layer.weights)
    assert isinstance(layer.kernel, torch.nn.Parameter)  # the layer holds its variables again
    assert not torch.equal(layer(x), y)


def test_batch_normalization_statistics_are_recorded_and_match_keras(keras3):
    x = np.arange(12, dtype="float32").reshape(4, 3)
    ours = layers.BatchNormalization(momentum=0.9)
    ours.build((None, 3))
    theirs = keras3.layers.BatchNormalization(momentum=0.9)
    theirs.build((None, 3))
    with keras.StatelessScope([(w, w.detach().clone()) for w in ours.weights]) as our_scope:
        ours(torch.from_numpy(x), training=True)
    with keras3.StatelessScope([(w, keras3.ops.convert_to_tensor(w.numpy())) for w in theirs.weights]) as scope:
        theirs(x, training=True)
    assert [w.numpy().tolist() for w in ours.weights] == [[1.0] * 3, [0.0] * 3, [0.0] * 3, [1.0] * 3]
    for our_weight, their_weight in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(
            our_scope.get_current_value(our_weight).numpy(),
            np.asarray(scope.get_current_value(their_weight).cpu()),
            rtol=1e-6,
        )


def test_assign_inside_a_layer_call_is_recorded():
    class Counter(layers.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")
            self.step = self.count  # the same weight under a second attribute

        def call(self, x):
            self.count.assign_add(1.0)
            self.step.assign_add(1.0)  # sees the first update
            return x * self.count

    layer = Counter()
    assert layer(torch.ones(1, 2)).tolist() == [[2.0, 2.0]]  # builds; the count is 2
    with keras.StatelessScope([(layer.count, torch.tensor(10.0))]) as scope:
        y = layer(torch.ones(1, 2))
    assert y.tolist() == [[12.0, 12.0]]
    assert scope.get_current_value(layer.count).item() == 12.0
    assert layer.count.item() == 2.0 and layer.step is layer.count


def test_nested_scopes_do_not_inherit_and_exceptions_restore():
    v = keras.Variable(np.zeros(2, "float32"))
    with keras.StatelessScope([(v, np.ones(2))]) as outer:
        with keras.StatelessScope() as inner:
            assert v.value is v  # the outer mapping does not apply
            v.assign(np.full(2, 9.0))
        assert v.value.tolist() == [1.0, 1.0]
        assert get_stateless_scope() is outer
    assert inner.get_current_value(v).tolist() == [9.0, 9.0] and outer.get_current_value(v).tolist() == [1.0, 1.0]

    class Failing(layers.Layer):
        def call(self, x):
            if not in_symbolic_scope():
                raise RuntimeError("boom")
            return x

    model = keras.Sequential([layers.Dense(2), Failing()])
    model.build((None, 3))
    with pytest.raises(RuntimeError, match="boom"), keras.StatelessScope([(w, w.detach()) for w in model.weights]):
        model(torch.ones(1, 3))
    assert get_stateless_scope() is None
    assert all(isinstance(w, torch.nn.Parameter) for w in model.layers[0]._parameters.values())


def test_collect_losses():
    layer = layers.Dense(2, activity_regularizer="l2")
    with keras.StatelessScope(collect_losses=True) as scope:
        layer(torch.ones(3, 2))
        scope.add_loss(torch.tensor(1.0))
    assert len(scope.losses) == 2 and scope.losses[1].item() == 1.0
    torch.testing.assert_close(scope.losses[0], layer.losses[0])
    with keras.StatelessScope() as quiet:
        layer(torch.ones(3, 2))
    assert quiet.losses == []


def test_stateless_training_step_leaves_the_model_untouched():
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(4, activation="relu"), layers.BatchNormalization(), layers.Dense(1)]
    )
    before = [w.detach().clone() for w in model.weights]
    values = [w.detach().clone().requires_grad_(w.requires_grad) for w in model.weights]
    x, target = torch.randn(8, 3), torch.randn(8, 1)
    with keras.StatelessScope(list(zip(model.weights, values))) as scope:
        loss = (model(x, training=True) - target).square().mean()
    trainable = [v for v in values if v.requires_grad]
    grads = torch.autograd.grad(loss, trainable)
    reference_loss = (model(x, training=True) - target).square().mean()  # the same step, stateful
    reference = torch.autograd.grad(reference_loss, model.trainable_weights)
    for ours, theirs in zip(grads, reference):
        torch.testing.assert_close(ours, theirs)
    moving = model.layers[1].moving_mean
    torch.testing.assert_close(scope.get_current_value(moving), moving.detach())  # recorded == applied update
    assert not torch.equal(before[[id(w) for w in model.weights].index(id(moving))], moving.detach())


# ---------------------------------------------------------------- SymbolicScope
def test_symbolic_scope_marks_shape_inference():
    seen = []

    class Probe(layers.Layer):
        def call(self, x):
            seen.append(in_symbolic_scope())
            return x + 1

    probe = Probe()
    probe(keras.Input((2,)))
    assert seen and all(seen)
    seen.clear()
    probe(torch.ones(1, 2))
    assert seen == [False]
    assert not in_symbolic_scope()
    with keras.SymbolicScope() as outer:
        with keras.SymbolicScope() as inner:
            assert get_symbolic_scope() is inner
        assert get_symbolic_scope() is outer and in_symbolic_scope()
    assert get_symbolic_scope() is None
