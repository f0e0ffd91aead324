"""A Conv1D sequence regressor: Conv1D + MaxPooling1D + GlobalMaxPooling1D, trained with SGD on MSE
(the "timeseries classification from scratch" example shape, scaled down)."""
import json

import keras
import numpy as np
from keras import layers

inputs = keras.Input(shape=(24, 2))
x = layers.Conv1D(filters=8, kernel_size=3, padding="same", activation="relu")(inputs)
x = layers.MaxPooling1D(pool_size=2)(x)
x = layers.Conv1D(filters=8, kernel_size=3, strides=2, activation="relu")(x)
x = layers.Conv1D(filters=4, kernel_size=2, dilation_rate=2, padding="causal", activation="tanh")(x)
x = layers.GlobalMaxPooling1D()(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(6)
x_train = rng.normal(size=(64, 24, 2)).astype("float32")
y_train = (x_train[:, :, 0].mean(axis=1, keepdims=True) * 3.0).astype("float32")

model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse",
              metrics=[keras.metrics.MeanAbsoluteError()])
history = model.fit(x_train, y_train, batch_size=16, epochs=4, shuffle=False, verbose=0)
pred = model.predict(x_train[:16], verbose=0)

print("RESULT " + json.dumps({
    "first_loss": float(history.history["loss"][0]),
    "final_loss": float(history.history["loss"][-1]),
    "final_mae": float(history.history["mean_absolute_error"][-1]),
    "prediction_sum": float(pred.sum()),
}))
