"""An endless keras.utils.PyDataset (num_batches returns None, as the PyDataset docs describe for an
infinite dataset) trained with steps_per_epoch and evaluated with steps."""
import json
import math

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(36)
x = rng.normal(size=(100, 4)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32") + 0.3).astype("float32")


class Repeating(keras.utils.PyDataset):
    """Serves the data in batches of 16, endlessly."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.n_batches = math.ceil(len(x) / 16)

    @property
    def num_batches(self):
        return None  # infinite

    def __getitem__(self, index):
        i = index % self.n_batches
        return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]


model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="sigmoid"), layers.Dense(1)])
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")

history = model.fit(Repeating(), steps_per_epoch=5, epochs=3, shuffle=False, verbose=0)
evaluation = model.evaluate(Repeating(), steps=3, verbose=0)

print("RESULT " + json.dumps({
    "first_loss": float(history.history["loss"][0]),
    "final_loss": float(history.history["loss"][-1]),
    "iterations": float(keras.ops.convert_to_numpy(model.optimizer.iterations)),
    "eval_loss": float(evaluation),
}))
