"""MultiOptimizer and OptimizerMap: Keras 3's lookup rules, trajectories, state layout and configs; training
with ``fit``, saving and loading with the optimizer state."""

import json

import numpy as np
import pytest
import torch
from optimizer_checks import TOL, keras_device, our_variables, random_problem

import kerastorch
from kerastorch.optimizers import SGD, Adam, AdamW, MultiOptimizer, OptimizerMap, RMSprop

NAMES = ["encoder/kernel", "encoder/bias", "head/kernel", "head/bias", "scale"]
SHAPES = [(3, 4), (4,), (4, 2), (2,), ()]


def _variables(library, initial):
    """Variables with the paths NAMES in ``library`` (Keras refuses "/" in a name: the scope gives the path)."""
    variables = []
    for value, path in zip(initial, NAMES):
        scope, _, name = path.rpartition("/")
        if scope:
            with library.name_scope(scope):
                variables.append(library.Variable(torch.tensor(value), name=name))
        else:
            variables.append(library.Variable(torch.tensor(value), name=name))
    assert [v.path for v in variables] == NAMES
    return variables


def _build_map(library, sub_kwargs=None):
    """The same map in kerastorch or Keras: Adam for the encoder, a momentum SGD by default, an unused RMSprop
    and AdamW for ``scale``."""
    optimizers = library.optimizers
    return optimizers.OptimizerMap(
        optimizers.SGD(learning_rate=0.1, momentum=0.5, **(sub_kwargs or {})),
        {
            "encoder/.*": optimizers.Adam(learning_rate=0.05, **(sub_kwargs or {})),
            "decoder/.*": optimizers.RMSprop(),
            "scale": optimizers.AdamW(learning_rate=0.1, weight_decay=0.1),
        },
    )


# ------------------------------------------------------------------ OptimizerMap
def test_optimizer_map_lookup_rules():
    default, exact, pattern = RMSprop(name="rmsprop"), Adam(name="adam"), SGD(name="sgd")
    optimizer_map = OptimizerMap(default)
    optimizer_map["encoder/layer_0/dense"] = exact
    optimizer_map["encoder/.*"] = pattern
    assert optimizer_map["encoder/layer_0/dense"] is exact  # an exact key wins over a matching pattern
    assert optimizer_map["encoder/query"] is pattern
    assert optimizer_map["encoder"] is default  # the whole path must match
    assert optimizer_map["my_encoder/query"] is default
    assert optimizer_map.default_optimizer is default
    assert len(optimizer_map) == 2 and list(optimizer_map) == ["encoder/layer_0/dense", "encoder/.*"]
    variable = kerastorch.Variable(torch.zeros(2), name="query")
    assert optimizer_map(variable) is default
    optimizer_map[".*query"] = exact
    assert optimizer_map(variable) is exact
    with pytest.raises(ValueError, match="multiple optimizers assigned to variable 'encoder/query'"):
        optimizer_map["encoder/query"]
    del optimizer_map[".*query"]
    assert optimizer_map["encoder/query"] is pattern and list(optimizer_map) == ["encoder/layer_0/dense", "encoder/.*"]


def test_optimizer_map_errors():
    with pytest.raises(TypeError, match="default_optimizer must be a kerastorch Optimizer"):
        OptimizerMap("sgd")
    optimizer_map = OptimizerMap(SGD())
    with pytest.raises(ValueError, match="must be a kerastorch Optimizer instance. Received: 'adam'"):
        optimizer_map["dense/.*"] = "adam"
    with pytest.raises(ValueError, match="key must be a string"):
        optimizer_map[3] = Adam()
    with pytest.raises(ValueError, match="not a valid regular expression"):
        optimizer_map["dense/[kernel"] = Adam()
    with pytest.raises(ValueError, match="a variable must have a `path`"):
        optimizer_map(torch.zeros(2))


def test_optimizer_map_config_round_trip_shares_one_instance():
    shared = Adam(learning_rate=0.01)
    optimizer_map = OptimizerMap(SGD(0.1), {"a/.*": shared, "b/.*": shared, "c": Adam(learning_rate=0.01)})
    config = json.loads(json.dumps(optimizer_map.get_config()))
    assert list(config) == ["default_optimizer", "optimizer_map"]
    rebuilt = OptimizerMap.from_config(config)
    assert rebuilt.get_config() == optimizer_map.get_config()
    assert rebuilt["a/x"] is rebuilt["b/x"] and rebuilt["c"] is not rebuilt["a/x"]
    assert type(rebuilt.default_optimizer) is SGD


# ------------------------------------------------------------------ Keras parity
@pytest.mark.parity
@pytest.mark.filterwarnings("ignore:Gradients do not exist")  # Keras's, for the missing gradients
@pytest.mark.parametrize("sub_kwargs", [{}, {"clipnorm": 0.5}], ids=["plain", "clipnorm"])
def test_trajectory_iterations_and_state_layout_match_keras(keras3, sub_kwargs):
    initial, grads = random_problem(SHAPES, steps=4, seed=5)
    ours = MultiOptimizer(_build_map(kerastorch, sub_kwargs), loss_scale_factor=4.0)
    theirs = keras3.optimizers.MultiOptimizer(_build_map(keras3, sub_kwargs), loss_scale_factor=4.0)
    our_vars, their_vars = _variables(kerastorch, initial), _variables(keras3, initial)
    ours.build(our_vars)
    theirs.build(their_vars)
    assert [o.name.split("_")[0] for o in ours.optimizers] == [o.name.split("_")[0] for o in theirs.optimizers]
    assert [tuple(t.shape) for t in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    assert [o.loss_scale_factor for o in ours.optimizers] == [4.0] * 4
    for step, step_grads in enumerate(grads):
        step_grads = [4.0 * g for g in step_grads]  # gradients of the scaled loss
        missing = step % 2 == 1  # the head's bias has no gradient on odd steps
        ours.apply([None if missing and i == 3 else torch.tensor(g) for i, g in enumerate(step_grads)], our_vars)
        theirs.apply(
            [None if missing and i == 3 else torch.tensor(g, device=keras_device()) for i, g in enumerate(step_grads)],
            their_vars,
        )
        for o, t in zip(our_vars, their_vars):
            np.testing.assert_allclose(o.numpy(), np.asarray(t.numpy()), **TOL, err_msg=f"step {step}")
    assert int(ours.iterations) == int(theirs.iterations) == 4
    assert [int(o.iterations) for o in ours.optimizers] == [int(o.iterations) for o in theirs.optimizers]
    assert [int(o.iterations) for o in ours.optimizers] == [4, 0, 4, 4]  # the RMSprop has no variable
    for ours_tensor, theirs_variable in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(
            ours_tensor.cpu().numpy().astype("float64"), np.asarray(theirs_variable.numpy()).astype("float64"), **TOL
        )
    assert float(ours.scale_loss(torch.tensor(1.0))) == 4.0


@pytest.mark.parity
def test_config_matches_and_interchanges_with_keras(keras3):
    ours = MultiOptimizer(_build_map(kerastorch), name="multi")
    theirs = keras3.optimizers.MultiOptimizer(_build_map(keras3), name="multi")
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert list(ours_config) == list(theirs_config) == ["optimizer_map", "loss_scale_factor", "name"]
    assert ours_config["optimizer_map"]["class_name"] == theirs_config["optimizer_map"]["class_name"] == "OptimizerMap"
    assert list(ours_config["optimizer_map"]["config"]["optimizer_map"]) == ["encoder/.*", "decoder/.*", "scale"]
    from_keras = kerastorch.optimizers.deserialize(json.loads(json.dumps(keras3.optimizers.serialize(theirs))))
    assert type(from_keras) is MultiOptimizer and from_keras.name == "multi"
    assert [type(o).__name__ for o in from_keras.optimizers] == ["Adam", "RMSprop", "AdamW", "SGD"]
    assert from_keras.optimizers[0].learning_rate == pytest.approx(0.05)
    to_keras = keras3.optimizers.deserialize(json.loads(json.dumps(kerastorch.optimizers.serialize(ours))))
    assert type(to_keras).__name__ == "MultiOptimizer"
    assert [type(o).__name__ for o in to_keras.optimizers] == ["Adam", "RMSprop", "AdamW", "SGD"]


# ------------------------------------------------------------------ behaviour
def test_learning_rate_is_refused_and_loss_scale_factor_propagates():
    optimizer = MultiOptimizer(OptimizerMap(SGD(loss_scale_factor=2.0), {"a": Adam()}))
    assert [o.loss_scale_factor for o in optimizer.optimizers] == [None, None]  # replaced, as in Keras
    with pytest.raises(AttributeError, match="cannot be accessed on a MultiOptimizer"):
        optimizer.learning_rate
    with pytest.raises(AttributeError, match="cannot be set on a MultiOptimizer"):
        optimizer.learning_rate = 0.1
    optimizer.loss_scale_factor = 8.0
    assert [o.loss_scale_factor for o in optimizer.optimizers] == [8.0, 8.0]
    with pytest.raises(ValueError, match="loss_scale_factor"):
        optimizer.loss_scale_factor = -1.0


def test_callable_selector_builds_its_optimizers_in_variable_order():
    calls = []

    def select(variable):
        calls.append(variable.path)
        return Adam(learning_rate=0.1) if variable.path.startswith("encoder") else SGD(learning_rate=0.1)

    optimizer = MultiOptimizer(select)
    assert optimizer.optimizers == []
    variables = our_variables([np.ones(2, "float32")] * 3, ["head/kernel", "encoder/kernel", "head/bias"])
    optimizer.apply([torch.ones(2)] * 3, variables)
    assert calls == ["head/kernel", "encoder/kernel", "head/bias"]  # once per variable
    assert [type(o).__name__ for o in optimizer.optimizers] == ["SGD", "Adam", "SGD"]
    np.testing.assert_allclose(variables[1].numpy(), [0.9, 0.9], **TOL)
    np.testing.assert_allclose(variables[0].numpy(), [0.9, 0.9], **TOL)
    optimizer.apply([torch.ones(2)] * 3, variables)
    assert len(calls) == 3
    with pytest.raises(TypeError, match="returned 'adam' for variable head/kernel"):
        MultiOptimizer(lambda variable: "adam").build(variables)


def test_callable_config_needs_a_registered_function():
    @kerastorch.saving.register_keras_serializable(package="multi_test")
    def pick_sgd(variable):
        return SGD()

    config = MultiOptimizer(pick_sgd, name="m").get_config()
    assert MultiOptimizer.from_config(config).optimizer_map is pick_sgd

    def unregistered(variable):
        return SGD()

    with pytest.raises(ValueError, match="unknown optimizer_map 'unregistered'"):
        MultiOptimizer.from_config(MultiOptimizer(unregistered).get_config())


def test_argument_and_variable_errors():
    with pytest.raises(TypeError, match="optimizer_map must be an OptimizerMap or a callable"):
        MultiOptimizer("adam")
    with pytest.raises(TypeError):
        MultiOptimizer(OptimizerMap(SGD()), learning_rate=0.1)
    optimizer = MultiOptimizer(OptimizerMap(SGD()))
    known, unknown = our_variables([np.ones(2, "float32")] * 2, ["known", "unknown"])
    optimizer.build([known])
    with pytest.raises(ValueError, match="received variable unknown that was not passed to build"):
        optimizer.apply([torch.ones(2)], [unknown])
    with pytest.raises(ValueError, match="received 1 gradients for 2 variables"):
        optimizer.apply([torch.ones(2)], [known, unknown])
    optimizer.apply([None], [known])  # no gradient at all: nothing happens
    assert int(optimizer.iterations) == 0 and known.numpy().tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="missing keys"):
        optimizer.load_state_dict({"iterations": 0})


def test_weight_decay_exclusion_and_moving_averages_reach_the_sub_optimizers():
    optimizer = MultiOptimizer(
        OptimizerMap(
            AdamW(learning_rate=0.1, weight_decay=0.5),
            {"ema/.*": SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)},
        )
    )
    assert optimizer.use_ema
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    kernel, bias, averaged = our_variables([np.ones(2, "float32")] * 3, ["dense/kernel", "dense/bias", "ema/w"])
    for _ in range(2):
        optimizer.apply([torch.zeros(2), torch.zeros(2), torch.ones(2)], [kernel, bias, averaged])
    np.testing.assert_allclose(kernel.numpy(), [0.9025, 0.9025], **TOL)  # decayed twice by 5 %
    np.testing.assert_allclose(bias.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(averaged.numpy(), [0.8, 0.8], **TOL)
    optimizer.swap_ema_weights()  # averages: 0.9 after step 1, 0.85 after step 2
    np.testing.assert_allclose(averaged.numpy(), [0.85, 0.85], **TOL)
    optimizer.swap_ema_weights()
    optimizer.finalize_variable_values([kernel, bias, averaged])
    np.testing.assert_allclose(averaged.numpy(), [0.85, 0.85], **TOL)
    np.testing.assert_allclose(kernel.numpy(), [0.9025, 0.9025], **TOL)


# ------------------------------------------------------------------ fit, save, load
def _model():
    layers = kerastorch.layers
    return kerastorch.Sequential(
        [kerastorch.Input((4,)), layers.Dense(8, activation="relu", name="encoder"), layers.Dense(1, name="head")]
    )


def _data():
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_fit_updates_each_part_with_its_optimizer():
    x, y = _data()
    model = _model()
    frozen_by_rate = SGD(learning_rate=0.0)
    model.compile(
        optimizer=MultiOptimizer(OptimizerMap(Adam(learning_rate=0.02), {"encoder/.*": frozen_by_rate})), loss="mse"
    )
    before = [w.detach().clone() for w in model.trainable_weights]
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    after = model.trainable_weights
    assert torch.equal(before[0], after[0].detach()) and torch.equal(before[1], after[1].detach())
    assert not torch.equal(before[2], after[2].detach())
    assert int(model.optimizer.iterations) == 12
    assert [int(o.iterations) for o in model.optimizer.optimizers] == [12, 12]


def test_save_and_load_model_restore_the_state_and_training_continues(tmp_path):
    x, y = _data()
    shared = Adam(learning_rate=0.01)
    model = _model()
    model.compile(
        optimizer=MultiOptimizer(
            OptimizerMap(
                SGD(0.05, momentum=0.9), {"encoder/kernel": shared, "encoder/bias": shared, "unused/.*": RMSprop()}
            ),
            loss_scale_factor=2.0,
        ),
        loss="mse",
    )
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    model.save(tmp_path / "model.keras")
    loaded = kerastorch.models.load_model(tmp_path / "model.keras")
    assert type(loaded.optimizer) is MultiOptimizer and loaded.optimizer.loss_scale_factor == 2.0
    assert [type(o).__name__ for o in loaded.optimizer.optimizers] == ["Adam", "RMSprop", "SGD"]
    saved_state, loaded_state = model.optimizer.state_dict(), loaded.optimizer.state_dict()
    assert list(saved_state) == list(loaded_state)
    for key, value in saved_state.items():
        assert torch.equal(value.cpu(), loaded_state[key].cpu()), key
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(loaded.optimizer.iterations) == 12
