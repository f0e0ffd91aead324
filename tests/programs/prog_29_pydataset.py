"""Training from a keras.utils.PyDataset (the Keras 3 backend-agnostic data pipeline) for fit,
validation and evaluate, plus a Python generator for predict."""
import json
import math

import keras
import numpy as np
from keras import layers


class ArrayDataset(keras.utils.PyDataset):
    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        # Return number of batches.
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        # Return x, y for batch idx.
        low = idx * self.batch_size
        # Cap upper bound at array length; the last batch may be smaller
        # if the total number of items is not a multiple of batch size.
        high = min(low + self.batch_size, len(self.x))
        batch_x = self.x[low:high]
        batch_y = self.y[low:high]
        return batch_x * 2.0 - 1.0, batch_y


rng = np.random.default_rng(29)
x = rng.random(size=(50, 8)).astype("float32")
y = (x[:, :3].sum(axis=1) > 1.5).astype("float32")[:, None]

model = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(8, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5), loss="binary_crossentropy",
              metrics=["accuracy"])

train = ArrayDataset(x[:40], y[:40], batch_size=12)
val = ArrayDataset(x[40:], y[40:], batch_size=4)
history = model.fit(train, validation_data=val, epochs=3, shuffle=False, verbose=0)  # keep the batch order
evaluation = model.evaluate(val, return_dict=True, verbose=0)


def batches():
    for start in range(0, 20, 6):
        yield (x[start:start + 6] * 2.0 - 1.0,)


pred = model.predict(batches(), verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "final_accuracy": float(history.history["accuracy"][-1]),
    "val_loss": float(history.history["val_loss"][-1]),
    "eval_loss": float(evaluation["loss"]),
    "eval_accuracy": float(evaluation["accuracy"]),
    "n_predictions": float(pred.shape[0]),
    "prediction_sum": float(pred.sum()),
}))
