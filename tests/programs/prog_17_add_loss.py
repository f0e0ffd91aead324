"""Losses created during the forward pass (the subclassing guide's ActivityRegularizationLayer with
self.add_loss), together with kernel_regularizer / activity_regularizer arguments, and model.losses."""
import json

import keras
import numpy as np
from keras import layers, ops


class ActivityRegularizationLayer(layers.Layer):
    def __init__(self, rate=1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.square(inputs)))
        return inputs


inputs = keras.Input(shape=(10,))
x = layers.Dense(12, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3))(inputs)
x = ActivityRegularizationLayer(rate=0.05)(x)
x = layers.Dense(8, activation="tanh", activity_regularizer=keras.regularizers.L1(1e-3))(x)
outputs = layers.Dense(1, bias_regularizer=keras.regularizers.L1L2(l1=1e-3, l2=1e-2))(x)
model = keras.Model(inputs, outputs)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(17)
x_train = rng.normal(size=(40, 10)).astype("float32")
y_train = rng.normal(size=(40, 1)).astype("float32")

# Evaluate the regularization losses once on a fixed batch.
model(x_train[:8])
regularization = float(sum(ops.convert_to_numpy(loss) for loss in model.losses))
n_losses = len(model.losses)

model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
before = model.evaluate(x_train, y_train, batch_size=40, verbose=0)
history = model.fit(x_train, y_train, batch_size=10, epochs=3, shuffle=False, verbose=0)
after = model.evaluate(x_train, y_train, batch_size=40, verbose=0)


class OnlyAddLoss(keras.Model):
    """A model trained by the losses it adds alone: compile() has no loss."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)
        self.reg = ActivityRegularizationLayer(rate=1.0)

    def call(self, x):
        return self.reg(self.dense(x))


only = OnlyAddLoss()
only(x_train[:1])
only.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in only.get_weights()])
only.compile(optimizer=keras.optimizers.SGD(0.1))
only_history = only.fit(x_train, batch_size=10, epochs=2, shuffle=False, verbose=0)

print("RESULT " + json.dumps({
    "regularization_losses": regularization,
    "n_losses": float(n_losses),
    "eval_before": float(before),
    "eval_after": float(after),
    "final_loss": float(history.history["loss"][-1]),
    "only_add_loss_final": float(only_history.history["loss"][-1]),
}))
