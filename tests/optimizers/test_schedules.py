"""Learning rate schedules: Keras 3 values at many steps, device tensors, configs, errors."""

import numpy as np
import pytest
import torch

from kerastorch.optimizers import schedules

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
    ("ExponentialDecay", {"initial_learning_rate": 1.0, "decay_steps": 7, "decay_rate": 0.5, "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 50, 100], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("PiecewiseConstantDecay", {"boundaries": [2.5, 30.5], "values": [0.3, 0.2, 0.1]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01, "power": 2.0, "cycle": True},
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 80}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 80, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 60, "warmup_target": 0.2, "warmup_steps": 20}),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.05, "decay_steps": 60, "alpha": 0.2, "warmup_target": 0.1, "warmup_steps": 15},
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1},
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7, "t_mul": 1.5, "m_mul": 0.8}),
]
STEPS = list(range(0, 200)) + [250, 1000, 12345]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.mark.parity
@pytest.mark.parametrize("name, config", CASES, ids=IDS)
def test_values_match_keras(keras3, name, config):
    ours, theirs = getattr(schedules, name)(**config), getattr(keras3.optimizers.schedules, name)(**config)
    ours_values = np.array([float(ours(step)) for step in STEPS])
    theirs_values = np.array([float(theirs(step)) for step in STEPS])
    np.testing.assert_allclose(ours_values, theirs_values, rtol=2e-6, atol=1e-8)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("name, config", CASES, ids=IDS)
def test_tensor_steps_give_float32_tensors_on_their_device(name, config):
    schedule = getattr(schedules, name)(**config)
    steps = torch.tensor(17, dtype=torch.int64)
    value = schedule(steps)
    assert torch.is_tensor(value) and value.dtype == torch.float32 and value.shape == ()
    assert value.device == steps.device
    assert float(value) == pytest.approx(float(schedule(17)))


@pytest.mark.parametrize("name, config", CASES, ids=IDS)
def test_config_round_trip(name, config):
    schedule = getattr(schedules, name)(**config)
    restored = schedules.deserialize(schedules.serialize(schedule))
    assert type(restored) is type(schedule) and restored.get_config() == schedule.get_config()
    assert float(restored(33)) == float(schedule(33))


def test_keras_serialized_schedule_reads(keras3):
    config = keras3.optimizers.schedules.serialize(keras3.optimizers.schedules.CosineDecay(0.1, 100, alpha=0.1))
    restored = schedules.deserialize(config)
    assert isinstance(restored, schedules.CosineDecay) and restored.alpha == 0.1


def test_known_values():
    assert float(schedules.ExponentialDecay(1.0, 10, 0.5, staircase=True)(19)) == 0.5
    piecewise = schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
    assert [float(piecewise(s)) for s in (0, 100, 101, 200, 201)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1])
    warm = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=10)
    assert [float(warm(s)) for s in (0, 5, 10, 15, 20, 30)] == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0, 0.0], abs=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(ValueError, match="Unknown learning rate schedule"):
        schedules.deserialize({"class_name": "NoSuchDecay", "config": {}})
