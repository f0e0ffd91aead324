"""Callbacks driven by a real fit: resuming an interrupted fit, early stopping, checkpoints."""

import os

import numpy as np
import pytest

import kerastorch as keras
from kerastorch import layers


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x.sum(-1, keepdims=True) > 0).astype("float32")


def _model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


class _Crash(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 2:
            raise KeyboardInterrupt("simulated crash")


def test_backup_and_restore_resumes_to_the_same_weights(tmp_path):
    x, y = _data()
    reference = _model()
    reference.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)

    backup = str(tmp_path / "backup")
    interrupted = _model()
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(
            x,
            y,
            epochs=5,
            batch_size=16,
            shuffle=False,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup), _Crash()],
        )
    resumed = _model()  # a fresh process would rebuild the model like this
    history = resumed.fit(
        x, y, epochs=5, batch_size=16, shuffle=False, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup)]
    )
    assert history.epoch == [3, 4]
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(os.path.join(backup, "training_state.safetensors"))


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _model()
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["loss"], [w.copy() for w in self.model.get_weights()]))

    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[Record(), stopper])
    assert len(history.history["loss"]) == 2 and stopper.stopped_epoch == 1
    for a, b in zip(model.get_weights(), seen[0][1]):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_writes_only_improvements(tmp_path):
    x, y = _data()
    model = _model()
    path = str(tmp_path / "epoch{epoch:02d}.weights.safetensors")
    model.fit(
        x,
        y,
        epochs=4,
        verbose=0,
        validation_data=(x, y),
        callbacks=[
            keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True, save_weights_only=True)
        ],
    )
    written = sorted(os.listdir(tmp_path))
    assert written and written[0] == "epoch01.weights.safetensors"
    clone = _model()
    clone.load_weights(str(tmp_path / written[-1]))
    assert clone.evaluate(x, y, verbose=0, return_dict=True)["loss"] < 1.0


def test_terminate_on_nan_and_reduce_lr():
    x, y = _data()
    model = _model()
    bad = x.copy()
    bad[5, 0] = np.nan
    history = model.fit(bad, y, epochs=3, batch_size=4, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1

    model = _model()
    model.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)],
    )
    assert model.optimizer.learning_rate == pytest.approx(0.01 * 0.5**2)  # epochs 2 and 3 did not improve


def test_bad_inputs_get_clear_errors():
    x, y = _data(8)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"labels in \[0, 3\].*received labels in \[0, 7\]"):
        model.fit(x, np.arange(8), verbose=0)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        model.fit(x, np.zeros((8, 3), dtype="float32"), verbose=0)
    with pytest.raises(ValueError, match="Unknown|Could not interpret"):
        model.compile(optimizer="adam", loss="mse", metrics=["accuracyy"])
        model.fit(x, np.zeros((8, 4), dtype="float32"), verbose=0)


def test_progress_bar_output(capsys):
    x, y = _data(32)
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4 - " in out and "accuracy: " in out and "loss: " in out
