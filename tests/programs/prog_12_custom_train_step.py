"""The "Customizing what happens in fit() with PyTorch" guide: a keras.Model subclass overriding
train_step (self.zero_grad(), loss.backward(), self.optimizer.apply(...), updating self.metrics),
then a lower-level variant with its own loss tracker and a custom test_step."""
import json

import keras
import numpy as np
import torch
from keras import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data

        # Call torch.nn.Module.zero_grad() to clear the leftover gradients for the weights from the previous train step.
        self.zero_grad()

        # Compute loss
        y_pred = self(x, training=True)  # Forward pass
        loss = self.compute_loss(y=y, y_pred=y_pred)

        # Call torch.Tensor.backward() on the loss to compute gradients for the weights.
        loss.backward()

        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]

        # Update weights
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        # Update metrics (includes the metric that tracks the loss)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)

        # Return a dict mapping metric names to current value
        # Note that it will include the loss (tracked in self.metrics).
        return {m.name: m.result() for m in self.metrics}


rng = np.random.default_rng(12)
x = rng.random(size=(64, 8)).astype("float32")
y = rng.random(size=(64, 1)).astype("float32")

inputs = keras.Input(shape=(8,))
outputs = layers.Dense(1)(layers.Dense(6, activation="relu")(inputs))
model = CustomModel(inputs, outputs)
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)


class LowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.loss_fn(y, y_pred)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        # Listed here so that reset_states() is called automatically at the start of each epoch.
        return [self.loss_tracker, self.mae_metric]


inputs = keras.Input(shape=(8,))
outputs = layers.Dense(1)(inputs)
low = LowLevelModel(inputs, outputs)
low.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in low.get_weights()])
low.compile(optimizer=keras.optimizers.SGD(0.1))  # no loss given to compile()
low_history = low.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
low_eval = low.evaluate(x, y, batch_size=32, return_dict=True, verbose=0)

print("RESULT " + json.dumps({
    "custom_final_loss": float(history.history["loss"][-1]),
    "custom_final_mae": float(history.history["mae"][-1]),
    "custom_prediction_sum": float(model.predict(x[:8], verbose=0).sum()),
    "low_first_loss": float(low_history.history["loss"][0]),
    "low_final_loss": float(low_history.history["loss"][-1]),
    "low_final_mae": float(low_history.history["mae"][-1]),
    "low_eval_loss": float(low_eval["loss"]),
    "low_eval_mae": float(low_eval["mae"]),
}))
