"""Callbacks in fit(): EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, ModelCheckpoint and
CSVLogger (into a temporary directory), plus a custom Callback recording the learning rate."""
import csv
import json
import os
import tempfile

import keras
import numpy as np
from keras import layers


def scheduler(epoch, lr):
    if epoch < 2:
        return lr
    return lr * 0.5


class LRRecorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.rates = []
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def make_model():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    return model


rng = np.random.default_rng(14)
x = rng.normal(size=(60, 5)).astype("float32")
y = (x.sum(axis=1, keepdims=True) + 0.1 * rng.normal(size=(60, 1))).astype("float32")
x_val, y_val = x[:15] + 0.5, y[:15]

results = {}
with tempfile.TemporaryDirectory() as tmp:
    model = make_model()
    recorder = LRRecorder()
    callbacks = [
        keras.callbacks.LearningRateScheduler(scheduler),
        keras.callbacks.ModelCheckpoint(os.path.join(tmp, "best.keras"), monitor="val_loss", save_best_only=True),
        keras.callbacks.CSVLogger(os.path.join(tmp, "training.csv")),
        recorder,
    ]
    history = model.fit(x, y, batch_size=20, epochs=5, validation_data=(x_val, y_val), callbacks=callbacks,
                        shuffle=False, verbose=0)
    with open(os.path.join(tmp, "training.csv")) as f:
        rows = list(csv.DictReader(f))
    best = keras.models.load_model(os.path.join(tmp, "best.keras"))
    best_val = best.evaluate(x_val, y_val, verbose=0, return_dict=True)
    results["scheduled_lr_last"] = recorder.rates[-1]
    results["scheduled_lr_sum"] = float(sum(recorder.rates))
    results["batches_seen"] = float(recorder.batches)
    results["history_lr_last"] = float(history.history["learning_rate"][-1])
    results["csv_rows"] = float(len(rows))
    results["csv_last_loss"] = float(rows[-1]["loss"])
    results["csv_last_val_mae"] = float(rows[-1]["val_mae"])
    results["best_val_loss"] = float(min(history.history["val_loss"]))
    results["checkpoint_val_loss"] = float(best_val["loss"])

    # EarlyStopping and ReduceLROnPlateau on a validation loss that stops improving.
    model = make_model()
    recorder = LRRecorder()
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=1e-3, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=1, min_lr=1e-4),
        recorder,
    ]
    y_val_bad = -y_val  # a validation target the model cannot learn towards
    history = model.fit(x, y, batch_size=20, epochs=30, validation_data=(x_val, y_val_bad), callbacks=callbacks,
                        shuffle=False, verbose=0)
    results["early_stopping_epochs"] = float(len(history.history["loss"]))
    results["plateau_lr_last"] = recorder.rates[-1]
    results["restored_val_loss"] = float(model.evaluate(x_val, y_val_bad, verbose=0)[0])
    results["min_val_loss"] = float(min(history.history["val_loss"]))

print("RESULT " + json.dumps(results))
