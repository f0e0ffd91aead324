"""ReduceLROnPlateau and LearningRateScheduler change the optimizer's learning rate as Keras does."""

import numpy as np
import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import LambdaCallback, LearningRateScheduler, ReduceLROnPlateau


def constant_val_loss(epoch):
    return {"val_loss": torch.tensor(1.0)}


def test_reduce_on_plateau_with_patience_cooldown_and_min_lr(capsys):
    model = FakeModel(learning_rate=0.1)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.03, verbose=1)
    history = run_fit(model, [reduce], epochs=7, steps=1, epoch_logs=constant_val_loss)
    # epoch 2: patience reached -> 0.05; epoch 3 cooldown; epoch 4 -> 0.025, clipped to min_lr 0.03.
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03])
    assert model.optimizer.learning_rate == pytest.approx(0.03)
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out


def test_improvement_resets_the_wait_but_not_below_min_delta():
    model = FakeModel(learning_rate=1.0)
    losses = [1.0, 0.5, 0.49995, 0.49990, 0.2]  # steps of 5e-5 are below min_delta=1e-4
    run_fit(
        model,
        [ReduceLROnPlateau(factor=0.1, patience=2)],
        epochs=5,
        steps=1,
        epoch_logs=lambda e: {"val_loss": torch.tensor(losses[e], dtype=torch.float64)},
    )
    assert model.optimizer.learning_rate == pytest.approx(0.1)  # one reduction, at epoch 3


def test_reduce_on_plateau_rejects_factor_and_warns_without_monitor():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="not available"):
        run_fit(FakeModel(), [ReduceLROnPlateau(monitor="val_acc")], epochs=1, steps=1)


def test_scheduler_sets_the_rate_before_each_epoch():
    model = FakeModel(learning_rate=0.1)
    seen = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    scheduler = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
    history = run_fit(model, [scheduler, record], epochs=4, steps=1)
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.025])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05, 0.025])


def test_scheduler_one_argument_verbose_and_type_check(capsys):
    model = FakeModel()
    run_fit(model, [LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1), verbose=1)], epochs=2, steps=1)
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.02." in capsys.readouterr().out
    with pytest.raises(ValueError, match="should be a float"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: "fast")], epochs=1, steps=1)


def test_torch_optimizers_are_driven_through_param_groups():
    model = FakeModel()
    model.optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    model.optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    model.train_step = lambda: None
    run_fit(model, [LearningRateScheduler(lambda epoch, lr: lr / 10)], epochs=2, steps=1)
    assert [group["lr"] for group in model.optimizer.param_groups] == pytest.approx([0.001, 0.001])
