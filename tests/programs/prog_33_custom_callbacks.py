"""The "Writing your own callbacks" guide: a callback seeing every hook's log keys, the
loss-printing callback, EarlyStoppingAtMinLoss (get_weights/set_weights, stop_training), a custom
learning-rate scheduler setting optimizer.learning_rate, and the LambdaCallback docstring's JSON
loss log written to a file in a temporary directory."""
import json
import os
import tempfile

import keras
import numpy as np
from keras import layers


def get_model():
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.4, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


rng = np.random.default_rng(33)
x_train = rng.normal(size=(40, 6)).astype("float32")
y_train = (x_train[:, :2].sum(axis=1, keepdims=True)).astype("float32")
x_test, y_test = x_train[:12], y_train[:12]


class CustomCallback(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = {}

    def _record(self, hook, logs):
        keys = sorted((logs or {}).keys())
        self.seen.setdefault(hook, keys)

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs)

    def on_train_end(self, logs=None):
        self._record("train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", logs)

    def on_test_begin(self, logs=None):
        self._record("test_begin", logs)

    def on_test_end(self, logs=None):
        self._record("test_end", logs)

    def on_predict_begin(self, logs=None):
        self._record("predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._record("predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("train_batch_begin", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("train_batch_end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("test_batch_begin", logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("test_batch_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("predict_batch_begin", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("predict_batch_end", logs)


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def on_train_batch_end(self, batch, logs=None):
        self.lines.append("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_test_batch_end(self, batch, logs=None):
        self.lines.append("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        self.lines.append(
            "The average loss for epoch {} is {:7.2f} "
            "and mean absolute error is {:7.2f}.".format(epoch, logs["loss"], logs["mean_absolute_error"])
        )


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        # best_weights to store the weights at which the minimum loss occurs.
        self.best_weights = None

    def on_train_begin(self, logs=None):
        # The number of epoch it has waited when loss is no longer minimum.
        self.wait = 0
        # The epoch the training stops at.
        self.stopped_epoch = 0
        # Initialize the best as infinity.
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            # Record the best weights if current results is better (less).
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (2, 0.2),
    (4, 0.6),
    (6, 2.0),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        # Get the current learning rate from model's optimizer.
        lr = self.model.optimizer.learning_rate
        # Call schedule function to get the scheduled learning rate.
        scheduled_lr = self.schedule(epoch, lr)
        # Set the value back to the optimizer before this epoch starts
        self.model.optimizer.learning_rate = scheduled_lr
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


results = {}
model = get_model()
hooks = CustomCallback()
model.fit(x_train, y_train, batch_size=10, epochs=2, validation_data=(x_test, y_test), callbacks=[hooks],
          shuffle=False, verbose=0)
model.evaluate(x_test, y_test, batch_size=6, callbacks=[hooks], verbose=0)
model.predict(x_test, batch_size=6, callbacks=[hooks], verbose=0)
for hook, keys in sorted(hooks.seen.items()):
    results[f"keys_{hook}"] = float(len(keys))

printer = LossAndErrorPrintingCallback()
model = get_model()
history = model.fit(x_train, y_train, batch_size=10, epochs=2, callbacks=[printer], shuffle=False, verbose=0)
model.evaluate(x_test, y_test, batch_size=6, callbacks=[printer], verbose=0)
results["printed_lines"] = float(len(printer.lines))
results["printed_last_epoch_mae"] = float(printer.lines[-3].split()[-1].rstrip("."))

model = get_model()
stopper = EarlyStoppingAtMinLoss(patience=1)
scheduler = CustomLearningRateScheduler(lr_schedule)
history = model.fit(x_train, y_train, batch_size=10, epochs=12, callbacks=[stopper, scheduler], shuffle=False,
                    verbose=0)
results["epochs_run"] = float(len(history.history["loss"]))
results["stopped_epoch"] = float(stopper.stopped_epoch)
results["best_loss"] = float(stopper.best)
results["restored_loss"] = float(model.evaluate(x_train, y_train, batch_size=40, verbose=0)[0])
results["scheduled_rates_sum"] = float(sum(scheduler.rates))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "loss_log.json")
    json_log = open(path, mode="wt", buffering=1)
    json_logging_callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: json_log.write(json.dumps({"epoch": epoch, "loss": logs["loss"]}) + "\n"),
        on_train_batch_end=lambda batch, logs: json_log.write(json.dumps({"batch": batch, "loss": logs["loss"]})
                                                              + "\n"),
        on_train_end=lambda logs: json_log.close(),
    )
    model = get_model()
    model.fit(x_train, y_train, batch_size=10, epochs=2, callbacks=[json_logging_callback], shuffle=False, verbose=0)
    with open(path) as f:
        records = [json.loads(line) for line in f]
    results["json_records"] = float(len(records))
    results["json_last_epoch_loss"] = float(records[-1]["loss"])
    results["json_batch_loss_sum"] = float(sum(r["loss"] for r in records if "batch" in r))

print("RESULT " + json.dumps(results))
