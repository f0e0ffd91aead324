"""ScheduleFreeAdamW: Keras 3's update (trajectories against Keras's torch backend and against the documented
formulas), config, state, resume, training with ``fit``."""

import json
import re

import numpy as np
import pytest
import torch
from optimizer_checks import TOL, assert_parity, keras_device, keras_variables, make, our_variables, random_problem

import kerastorch
from kerastorch.optimizers import ScheduleFreeAdamW, schedules

NAME = "ScheduleFreeAdamW"
SHAPES = [(3,), (4, 5), (2, 3, 4), ()]
COSINE = ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "warmup_target": 0.2, "warmup_steps": 2})
# Keras 3.15's torch backend reads its momentum after the in-place step, which cancels beta_1 out of its update
# (see the module docstring); with beta_1=1 its update and Keras's written one (ours) are the same.
KERAS_TORCH_CASES = {
    "defaults": {},
    "warmup": {"learning_rate": 0.1, "warmup_steps": 3, "beta_2": 0.99, "epsilon": 1e-3},
    "weight-decay": {"learning_rate": 0.1, "weight_decay": 0.05},
    "schedule-clipnorm-warmup": {"learning_rate": COSINE, "clipnorm": 0.5, "warmup_steps": 2},
    "clipvalue": {"learning_rate": 0.05, "clipvalue": 0.3},
    "global-clipnorm-schedule": {
        "global_clipnorm": 1.0,
        "weight_decay": 0.01,
        "learning_rate": ("PiecewiseConstantDecay", {"boundaries": [1, 2], "values": [0.1, 0.05, 0.01]}),
    },
    "accumulation-ema": {
        "learning_rate": 0.05,
        "gradient_accumulation_steps": 2,
        "use_ema": True,
        "ema_momentum": 0.5,
        "warmup_steps": 2,
    },
    "loss-scale": {"learning_rate": 0.05, "loss_scale_factor": 64.0},
}


# ------------------------------------------------------------------ update trajectories
@pytest.mark.parity
@pytest.mark.parametrize("kwargs", KERAS_TORCH_CASES.values(), ids=KERAS_TORCH_CASES.keys())
def test_update_matches_keras_torch_backend(keras3, kwargs):
    ours, theirs = assert_parity(keras3, NAME, {**kwargs, "beta_1": 1.0}, SHAPES, steps=5, seed=len(str(kwargs)))
    assert int(ours.iterations) == int(theirs.iterations)
    if kwargs.get("use_ema"):
        for ours_average, theirs_average in zip(ours._averages, theirs._model_variables_moving_average):
            torch.testing.assert_close(ours_average, theirs_average.value.cpu(), rtol=1e-5, atol=1e-6)


def _reference(initial, grads, learning_rate, beta_1, beta_2, epsilon, warmup_steps=0, weight_decay=None):
    """Keras 3's ``update_step`` as written, in float64: ``x`` recovered from ``y`` and the old ``z``."""
    ys = [x.astype("float64") for x in initial]
    zs = [y.copy() for y in ys]
    vs = [np.zeros_like(y) for y in ys]
    for t, step_grads in enumerate(grads, start=1):
        lr = learning_rate * (min(t / warmup_steps, 1.0) if warmup_steps else 1.0)
        for y, z, v, g in zip(ys, zs, vs, step_grads):
            if weight_decay:
                y -= y * weight_decay * learning_rate
            v += (g * g - v) * (1 - beta_2)
            x = (y - (1 - beta_1) * z) / beta_1
            z -= lr * g / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
            x = (1 - 1 / t) * x + z / t
            y[...] = (1 - beta_1) * z + beta_1 * x
    return ys, zs


@pytest.mark.parametrize(
    "kwargs",
    [
        {"learning_rate": 0.1, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
        {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3, "warmup_steps": 3},
        {"learning_rate": 0.2, "beta_1": 0.95, "beta_2": 0.99, "epsilon": 1e-6, "weight_decay": 0.1},
    ],
    ids=["defaults-lr", "warmup", "weight-decay"],
)
def test_update_follows_keras_formulas(kwargs):
    initial, grads = random_problem(SHAPES, steps=6, seed=3)
    optimizer = ScheduleFreeAdamW(**kwargs)
    variables = our_variables(initial)
    for step, step_grads in enumerate(grads):
        optimizer.apply([torch.tensor(g) for g in step_grads], variables)
        expected_y, expected_z = _reference(initial, grads[: step + 1], **kwargs)
        for variable, y, z, key in zip(variables, expected_y, expected_z, ("0", "1", "2", "3")):
            np.testing.assert_allclose(variable.numpy(), y, **TOL, err_msg=f"step {step}")
            np.testing.assert_allclose(optimizer.state_dict()[f"{key}/momentum"].numpy(), z, **TOL)


def test_beta_1_interpolates_between_the_iterate_and_the_average():
    initial, grads = random_problem([(4,)], steps=4, seed=1)
    finals = {}
    for beta_1 in (0.0, 0.5, 1.0):
        optimizer = ScheduleFreeAdamW(learning_rate=0.1, beta_1=beta_1)
        variables = our_variables(initial)
        for step_grads in grads:
            optimizer.apply([torch.tensor(g) for g in step_grads], variables)
        finals[beta_1] = (variables[0].numpy(), optimizer.state_dict()["0/momentum"].numpy())
    y_0, z = finals[0.0]
    x, _ = finals[1.0]  # beta_1 = 1: the variable is the average x
    np.testing.assert_allclose(y_0, z, **TOL)  # beta_1 = 0: the variable is the iterate z
    np.testing.assert_allclose(finals[0.5][0], (z + x) / 2, **TOL)
    assert not np.allclose(x, z)


def test_momentum_starts_at_the_variable_and_warmup_scales_the_first_steps():
    variables = our_variables([np.array([1.0, -2.0], "float32")])
    optimizer = ScheduleFreeAdamW(learning_rate=0.4, warmup_steps=4)
    optimizer.build(variables)
    np.testing.assert_array_equal(optimizer.state_dict()["0/momentum"].numpy(), [1.0, -2.0])
    optimizer.apply([torch.tensor([1.0, -1.0])], variables)  # lr 0.4 * 1/4, Adam step sign(g)
    np.testing.assert_allclose(variables[0].numpy(), [0.9, -1.9], **TOL)


# ------------------------------------------------------------------ config
@pytest.mark.parity
def test_defaults_and_config_interchange_with_keras(keras3):
    ours, theirs = make(kerastorch, NAME).get_config(), make(keras3, NAME).get_config()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if key == "name":
            assert re.sub(r"_\d+$", "", ours[key]) == re.sub(r"_\d+$", "", value)
        elif isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-6), key
        else:
            assert ours[key] == value and type(ours[key]) is type(value), key
    optimizer = ScheduleFreeAdamW(
        learning_rate=schedules.CosineDecay(0.1, 10),
        beta_1=0.8,
        beta_2=0.99,
        epsilon=1e-6,
        warmup_steps=7,
        weight_decay=0.01,
        name="sf",
    )
    serialized = json.loads(json.dumps(kerastorch.optimizers.serialize(optimizer)))
    theirs = keras3.optimizers.deserialize(serialized)
    assert type(theirs).__name__ == NAME
    assert {k: theirs.get_config()[k] for k in ("beta_1", "beta_2", "epsilon", "warmup_steps", "name")} == {
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "warmup_steps": 7,
        "name": "sf",
    }
    back = kerastorch.optimizers.deserialize(json.loads(json.dumps(keras3.optimizers.serialize(theirs))))
    assert type(back) is ScheduleFreeAdamW
    assert back.get_config().keys() == optimizer.get_config().keys()
    assert back.warmup_steps == 7 and back.beta_1 == pytest.approx(0.8)


def test_config_round_trip_get_and_errors():
    optimizer = ScheduleFreeAdamW(learning_rate=0.01, beta_1=0.8, warmup_steps=5, clipnorm=1.0, name="sf")
    config = optimizer.get_config()
    assert ScheduleFreeAdamW.from_config(config).get_config() == config
    assert kerastorch.optimizers.deserialize(kerastorch.optimizers.serialize(optimizer)).get_config() == config
    for name in ("ScheduleFreeAdamW", "schedulefreeadamw"):
        assert type(kerastorch.optimizers.get(name)) is ScheduleFreeAdamW
    for kwargs in (
        {"warmup_steps": -1},
        {"warmup_steps": 2.5},
        {"warmup_steps": True},
        {"beta_1": 1.5},
        {"beta_2": -0.1},
        {"epsilon": -1.0},
    ):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            ScheduleFreeAdamW(**kwargs)
    with pytest.raises(ValueError, match="not recognized"):
        ScheduleFreeAdamW(amsgrad=True)


# ------------------------------------------------------------------ state
@pytest.mark.parity
def test_state_follows_keras_variables_and_continues_from_keras_state(keras3):
    names = ["kernel", "bias", "cube", "scale"]
    initial, grads = random_problem([(3, 4), (4,), (2, 3, 4), ()], steps=5, seed=2)
    kwargs = {"learning_rate": 0.05, "use_ema": True, "beta_1": 1.0, "warmup_steps": 2}
    ours, theirs = make(kerastorch, NAME, **kwargs), make(keras3, NAME, **kwargs)
    our_vars, their_vars = our_variables(initial, names), keras_variables(keras3, initial, names)
    ours.build(our_vars)
    theirs.build(their_vars)
    expected = (
        ["iterations", "learning_rate"]
        + [f"{i}/average" for i in range(4)]
        + [f"{i}/{slot}" for i in range(4) for slot in ("momentum", "velocity")]
    )
    assert list(ours.state_dict()) == expected
    assert [tuple(t.shape) for t in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    for key, theirs_variable in zip(ours.state_dict(), theirs.variables):  # momentum starts as the variable
        if key.endswith(("momentum", "velocity")):  # (EMA averages: Keras's start at 0, see optimizers.base)
            np.testing.assert_array_equal(ours.state_dict()[key].cpu().numpy(), np.asarray(theirs_variable.numpy()))
    for step_grads in grads[:3]:
        theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
    ours.load_state_dict({key: v.value.cpu() for key, v in zip(ours.state_dict(), theirs.variables)})
    for o, t in zip(our_vars, their_vars):
        o.assign(t.value.cpu())
    for step_grads in grads[3:]:
        ours.apply([torch.tensor(g) for g in step_grads], our_vars)
        theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
        for o, t in zip(our_vars, their_vars):
            np.testing.assert_allclose(o.numpy(), np.asarray(t.numpy()), **TOL)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"learning_rate": schedules.CosineDecay(0.05, 10), "weight_decay": 0.01, "warmup_steps": 4},
        {"gradient_accumulation_steps": 2, "use_ema": True, "clipvalue": 0.5},
    ],
    ids=["plain", "schedule-wd-warmup", "accumulation-ema"],
)
def test_resume_is_bitwise_identical(options):
    initial, grads = random_problem([(3, 4), (4,), ()], steps=6, seed=7)
    straight = our_variables(initial)
    reference = ScheduleFreeAdamW(**options)
    for step_grads in grads:
        reference.apply([torch.tensor(g) for g in step_grads], straight)
    first = our_variables(initial)
    interrupted = ScheduleFreeAdamW(**options)
    for step_grads in grads[:3]:
        interrupted.apply([torch.tensor(g) for g in step_grads], first)
    saved = {key: value.clone() for key, value in interrupted.state_dict().items()}
    resumed_vars = our_variables([v.numpy() for v in first])
    resumed = ScheduleFreeAdamW(**options)
    resumed.build(resumed_vars)
    resumed.load_state_dict(saved)
    for step_grads in grads[3:]:
        resumed.apply([torch.tensor(g) for g in step_grads], resumed_vars)
    for a, b in zip(straight, resumed_vars):
        assert torch.equal(a.detach(), b.detach())


def test_speed_properties_of_the_other_optimizers_hold(monkeypatch):
    """No host sync in a step; the ops dispatched do not grow with the number of tensors."""
    import test_optimizer_base as base_checks

    base_checks.test_step_never_reads_a_tensor_back(NAME, monkeypatch)
    base_checks.test_op_count_does_not_grow_with_the_number_of_tensors(NAME)


@pytest.mark.cuda
def test_cuda_step_is_sync_free_and_matches_cpu():
    import test_optimizer_cuda

    test_optimizer_cuda.test_cuda_step_is_sync_free_and_matches_cpu(NAME)


# ------------------------------------------------------------------ training
def _model():
    layers = kerastorch.layers
    return kerastorch.Sequential([kerastorch.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])


def test_fit_trains_and_keeps_the_training_weights(tmp_path):
    """As in Keras, fit leaves the ``y`` weights in the model (no swap to the average ``x``); the model and
    its optimizer state save and load, and training continues identically."""
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _model()
    model.compile(optimizer=ScheduleFreeAdamW(learning_rate=0.02, warmup_steps=4), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert int(model.optimizer.iterations) == 16
    # y = (1 - beta_1) z + beta_1 x, with x the average of the z iterates: the kernel is neither z nor x
    kernel = model.layers[0].kernel.detach()
    z = model.optimizer.state_dict()["0/momentum"]
    assert not torch.allclose(kernel, z)
    model.save(tmp_path / "model.keras")
    loaded = kerastorch.models.load_model(tmp_path / "model.keras")
    assert type(loaded.optimizer) is ScheduleFreeAdamW and loaded.optimizer.warmup_steps == 4
    for key, value in model.optimizer.state_dict().items():
        assert torch.equal(value.cpu(), loaded.optimizer.state_dict()[key].cpu()), key
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_with_ema_finalizes_to_the_moving_average():
    x = np.random.default_rng(1).normal(size=(32, 4)).astype("float32")
    model = _model()
    model.compile(optimizer=ScheduleFreeAdamW(learning_rate=0.02, use_ema=True, ema_momentum=0.5), loss="mse")
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
    averages = model.optimizer.state_dict()["0/average"]
    torch.testing.assert_close(model.layers[0].kernel.detach(), averages)
