"""LossScaleOptimizer: unscaled updates, skipped non-finite steps, scale growth, fit, saving, Keras 3 configs."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.optimizers import SGD, Adam, LossScaleOptimizer


def test_finite_steps_update_like_the_inner_optimizer_and_the_scale_grows():
    optimizer = LossScaleOptimizer(SGD(learning_rate=0.1), initial_scale=4.0, dynamic_growth_steps=2)
    weight = torch.nn.Parameter(torch.ones(3))
    for expected_scale in (4.0, 4.0, 8.0, 8.0):  # doubled after every two finite steps
        assert float(optimizer.dynamic_scale) == expected_scale
        optimizer.apply([torch.full((3,), 2.0) * optimizer.dynamic_scale], [weight])  # a scaled gradient of 2
    torch.testing.assert_close(weight.detach(), torch.full((3,), 1.0 - 4 * 0.2))
    assert float(optimizer.dynamic_scale) == 16.0
    assert int(optimizer.iterations) == 4


def test_a_non_finite_gradient_skips_the_step_and_halves_the_scale():
    optimizer = LossScaleOptimizer(Adam(learning_rate=0.1), initial_scale=16.0)
    weight = torch.nn.Parameter(torch.ones(2))
    optimizer.apply([torch.tensor([float("nan"), 1.0])], [weight])
    assert torch.equal(weight.detach(), torch.ones(2)) and float(optimizer.dynamic_scale) == 8.0
    assert int(optimizer.iterations) == 0


def _fitted(optimizer, seed=0):
    rng = np.random.default_rng(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=optimizer, loss="mse")
    x, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    return model, model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]


@pytest.mark.parametrize(
    "optimizer",
    [LossScaleOptimizer(Adam(0.01)), Adam(0.01, loss_scale_factor=8.0)],
    ids=["loss_scale_optimizer", "loss_scale_factor"],
)
def test_fit_with_a_scaled_loss_trains_as_the_plain_optimizer(optimizer):
    _, expected = _fitted(Adam(0.01))
    _, losses = _fitted(optimizer)
    np.testing.assert_allclose(losses, expected, rtol=1e-5)


def test_saved_and_loaded_with_its_state(tmp_path):
    model, _ = _fitted(LossScaleOptimizer(SGD(0.01), initial_scale=64.0, dynamic_growth_steps=5))
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras").optimizer
    assert isinstance(restored, LossScaleOptimizer) and isinstance(restored.inner_optimizer, SGD)
    assert float(restored.dynamic_scale) == float(model.optimizer.dynamic_scale) == 256.0  # 12 steps: 2 doublings
    assert int(restored.iterations) == 12 and restored.dynamic_growth_steps == 5
    assert restored.learning_rate == pytest.approx(0.01)


def test_arguments_are_checked():
    with pytest.raises(TypeError, match="inner_optimizer must be a kerastorch optimizer, received str"):
        LossScaleOptimizer("adam")
    with pytest.raises(ValueError, match="dynamic_growth_steps must be a positive int, received 0"):
        LossScaleOptimizer(SGD(), dynamic_growth_steps=0)


@pytest.mark.parity
def test_keras3_config_loads(keras3):
    theirs = keras3.optimizers.LossScaleOptimizer(
        keras3.optimizers.Adam(learning_rate=0.003), initial_scale=256.0, dynamic_growth_steps=7
    )
    ours = keras.optimizers.deserialize(keras3.optimizers.serialize(theirs))
    assert isinstance(ours, LossScaleOptimizer) and ours.initial_scale == 256.0 and ours.dynamic_growth_steps == 7
    assert ours.inner_optimizer.learning_rate == pytest.approx(0.003)
    assert keras.mixed_precision.LossScaleOptimizer is LossScaleOptimizer
