"""A custom layer with build(), add_weight() and get_config() (the "Making new layers and models via
subclassing" guide), used in a functional model, trained, and rebuilt from its config."""
import json

import keras
import numpy as np
from keras import layers, ops


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
            name="kernel",
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class ComputeSum(layers.Layer):
    """A layer with a non-trainable weight, updated in call()."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(shape=(input_dim,), initializer="zeros", trainable=False, name="total")

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return inputs


inputs = keras.Input(shape=(6,))
x = Linear(10, name="linear_1")(inputs)
x = layers.Activation("tanh")(x)
outputs = Linear(1, name="linear_2")(x)
model = keras.Model(inputs, outputs)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(11)
x_train = rng.normal(size=(50, 6)).astype("float32")
y_train = (x_train @ np.arange(1, 7, dtype="float32")[:, None] / 6.0).astype("float32")

model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
history = model.fit(x_train, y_train, batch_size=10, epochs=3, shuffle=False, verbose=0)

config = model.layers[1].get_config()
clone = Linear.from_config(config)
clone(ops.zeros((1, 6)))
clone.set_weights(model.layers[1].get_weights())

summer = ComputeSum(6)
summer(ops.convert_to_tensor(x_train[:10]))
summer(ops.convert_to_tensor(x_train[10:20]))

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "units_from_config": float(config["units"]),
    "trainable_weights": float(len(model.trainable_weights)),
    "clone_output_sum": float(ops.convert_to_numpy(clone(x_train[:5])).sum()),
    "prediction_sum": float(model.predict(x_train[:5], verbose=0).sum()),
    "compute_sum_total": float(ops.convert_to_numpy(summer.total).sum()),
    "compute_sum_non_trainable": float(len(summer.non_trainable_weights)),
}))
