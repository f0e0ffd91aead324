"""ModelCheckpoint: formatted names, best-only saving, weights vs model, batch frequency."""

import os

import numpy as np
import pytest
import torch
from callback_fakes import FakeModel, load_saved_weights, run_fit

from kerastorch.callbacks import ModelCheckpoint


def val_losses(values):
    return lambda epoch: {"loss": torch.tensor(1.0), "val_loss": torch.tensor(values[epoch])}


def test_every_epoch_with_formatted_names(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.weights.npz")
    run_fit(
        model,
        [ModelCheckpoint(path, save_weights_only=True)],
        epochs=3,
        steps=1,
        epoch_logs=val_losses([0.5, 0.25, 0.125]),
    )
    assert sorted(os.listdir(tmp_path / "ckpt")) == [
        "01-0.50.weights.npz",
        "02-0.25.weights.npz",
        "03-0.12.weights.npz",
    ]
    assert [kind for kind, _ in model.saves] == ["weights"] * 3


def test_save_best_only_writes_only_improving_files(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / "model-{epoch}.keras")
    run_fit(
        model,
        [ModelCheckpoint(path, save_best_only=True, verbose=1)],
        epochs=5,
        steps=1,
        epoch_logs=val_losses([1.0, 0.8, 0.9, 0.7, 0.75]),
    )
    assert sorted(os.listdir(tmp_path)) == ["model-1.keras", "model-2.keras", "model-4.keras"]
    assert [kind for kind, _ in model.saves] == ["model"] * 3
    out = capsys.readouterr().out
    assert "Epoch 2: val_loss improved from 1.00000 to 0.80000, saving model to" in out
    assert "Epoch 3: val_loss did not improve from 0.80000" in out


def test_best_file_holds_the_best_weights(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "best.npz")
    run_fit(
        model,
        [ModelCheckpoint(path, monitor="val_acc", save_best_only=True, save_weights_only=True)],
        epochs=4,
        steps=1,
        epoch_logs=lambda e: {"val_acc": torch.tensor([0.1, 0.9, 0.5, 0.2][e])},
    )
    assert len(model.saves) == 2  # epochs 0 and 1 improved ("acc": max mode)
    for got, want in zip(load_saved_weights(path), model.weights_after(2)):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_initial_value_threshold_and_min_mode(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "m{epoch}.keras")
    run_fit(
        model,
        [ModelCheckpoint(path, monitor="val_loss", mode="min", save_best_only=True, initial_value_threshold=0.6)],
        epochs=3,
        steps=1,
        epoch_logs=val_losses([0.7, 0.5, 0.55]),
    )
    assert os.listdir(tmp_path) == ["m2.keras"]


def test_integer_save_freq_saves_every_n_batches(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "e{epoch}-b{batch}-{loss:.1f}.npz")
    run_fit(
        model,
        [ModelCheckpoint(path, monitor="loss", save_freq=3, save_weights_only=True)],
        epochs=2,
        steps=4,
        batch_loss=lambda e, s: torch.tensor(0.5),
    )
    # batches counted across epochs: 3rd and 6th batch overall.
    assert sorted(os.listdir(tmp_path)) == ["e1-b3-0.5.npz", "e2-b2-0.5.npz"]


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x.keras", save_freq="batch")
    with pytest.raises(KeyError, match="Failed to format"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))], epochs=1, steps=1)
    (tmp_path / "dir.keras").mkdir()
    with pytest.raises(IOError, match="non-directory"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "dir.keras"))], epochs=1, steps=1)
