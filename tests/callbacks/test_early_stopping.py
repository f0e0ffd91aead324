"""EarlyStopping and the monitor direction rules it shares with ModelCheckpoint and ReduceLROnPlateau."""

import numpy as np
import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import EarlyStopping
from kerastorch.callbacks.monitor_callback import MonitorCallback


def val_losses(values):
    return lambda epoch: {"loss": torch.tensor(1.0), "val_loss": torch.tensor(values[epoch])}


def test_stops_after_patience_and_restores_the_best_weights():
    model = FakeModel()
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    losses = [1.0, 0.5, 0.6, 0.7, 0.4, 0.3]
    history = run_fit(model, [stop], epochs=6, steps=2, epoch_logs=val_losses(losses))
    assert history.epoch == [0, 1, 2, 3]  # best at epoch 1; epochs 2 and 3 do not improve
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1 and stop.best == 0.5
    for got, want in zip(model.get_weights(), model.weights_after(2 * 2)):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_without_restore_the_last_weights_stay():
    model = FakeModel()
    run_fit(model, [EarlyStopping(patience=1)], epochs=5, steps=1, epoch_logs=val_losses([1.0, 2.0, 3.0, 4, 5]))
    assert model.optimizer.iterations == 2
    for got, want in zip(model.get_weights(), model.weights_after(2)):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_min_delta_baseline_and_start_from_epoch():
    stop = EarlyStopping(patience=0, min_delta=0.1)
    history = run_fit(FakeModel(), [stop], epochs=5, steps=1, epoch_logs=val_losses([1.0, 0.95, 0.5, 0.4, 0.3]))
    assert history.epoch == [0, 1]  # 0.95 is not better by 0.1
    # Without a baseline the first value resets the patience; with one it does not until beaten.
    plateau = val_losses([0.9, 0.95, 0.97, 0.99, 0.3, 0.3])
    assert run_fit(FakeModel(), [EarlyStopping(patience=2)], epochs=6, steps=1, epoch_logs=plateau).epoch == [0, 1, 2]
    history = run_fit(FakeModel(), [EarlyStopping(patience=2, baseline=0.5)], epochs=6, steps=1, epoch_logs=plateau)
    assert history.epoch == [0, 1]
    stop = EarlyStopping(patience=0, start_from_epoch=3)
    history = run_fit(FakeModel(), [stop], epochs=6, steps=1, epoch_logs=val_losses([1, 2, 3, 4, 5, 6]))
    assert history.epoch == [0, 1, 2, 3, 4]


def test_max_mode_for_accuracy_names():
    stop = EarlyStopping(monitor="val_accuracy", patience=0)
    accuracies = [0.5, 0.6, 0.55, 0.9]
    history = run_fit(
        FakeModel(), [stop], epochs=4, steps=1, epoch_logs=lambda e: {"val_accuracy": torch.tensor(accuracies[e])}
    )
    assert history.epoch == [0, 1, 2] and stop.best == pytest.approx(0.6)


def test_restart_resets_state_and_missing_monitor_warns():
    stop = EarlyStopping(patience=0)
    run_fit(FakeModel(), [stop], epochs=3, steps=1, epoch_logs=val_losses([1.0, 2.0, 3.0]))
    assert stop.stopped_epoch == 1
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        history = run_fit(FakeModel(), [stop], epochs=2, steps=1)
    assert stop.stopped_epoch == 0 and history.epoch == [0, 1]


def test_verbose_messages(capsys):
    run_fit(
        FakeModel(),
        [EarlyStopping(patience=0, verbose=1, restore_best_weights=True)],
        epochs=3,
        steps=1,
        epoch_logs=val_losses([1.0, 2.0, 3.0]),
    )
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out and "the end of the best epoch: 1." in out


@pytest.mark.parametrize(
    "monitor, direction",
    [
        ("val_loss", "min"),
        ("loss", "min"),
        ("output_1_loss", "min"),
        ("val_accuracy", "max"),
        ("sparse_categorical_accuracy", "max"),
        ("auc", "max"),
        ("val_precision", "max"),
        ("f1_score", "max"),
        ("mean_squared_error", "min"),
        ("val_mae", "min"),
        ("binary_crossentropy", "min"),
    ],
)
def test_auto_mode_direction(monitor, direction):
    callback = MonitorCallback(monitor=monitor)
    assert callback._direction() == direction


def test_auto_mode_uses_a_metric_declared_direction_and_refuses_unknown_names():
    class Metric:
        def __init__(self, name, direction):
            self.name, self._direction = name, direction

    class Container:
        metrics = [Metric("my_score", "up")]

    model = FakeModel()
    model.metrics = [Container()]
    callback = MonitorCallback(monitor="val_my_score")
    callback.set_model(model)
    assert callback._direction() == "max"
    with pytest.raises(ValueError, match="mode='max'"):
        MonitorCallback(monitor="val_something")._direction()
    with pytest.warns(UserWarning, match="unknown"):
        assert MonitorCallback(mode="sideways").mode == "auto"
