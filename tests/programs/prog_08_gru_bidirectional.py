"""Bidirectional recurrent layers (the "Working with RNNs" guide): Bidirectional(LSTM) with
return_sequences feeding a Bidirectional(GRU), then a Dense head; also a SimpleRNN model."""
import json

import keras
import numpy as np
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(6, 4)))
model.add(layers.Bidirectional(layers.LSTM(8, return_sequences=True)))
model.add(layers.Bidirectional(layers.GRU(4), merge_mode="concat"))
model.add(layers.Dense(2))

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(8)
x_train = rng.normal(size=(36, 6, 4)).astype("float32")
y_train = rng.normal(size=(36, 2)).astype("float32")

model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=2e-3), loss="mse")
history = model.fit(x_train, y_train, batch_size=12, epochs=3, shuffle=False, verbose=0)
pred = model.predict(x_train[:6], verbose=0)

simple = keras.Sequential([
    keras.Input(shape=(6, 4)),
    layers.GRU(5, return_sequences=True, reset_after=True),
    layers.SimpleRNN(3, activation="tanh"),
    layers.Dense(1),
])
simple.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in simple.get_weights()])
simple.compile(optimizer=keras.optimizers.SGD(0.1), loss="mae")
simple_history = simple.fit(x_train, y_train[:, :1], batch_size=9, epochs=2, shuffle=False, verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "first_loss": float(history.history["loss"][0]),
    "prediction_sum": float(pred.sum()),
    "prediction_abs_sum": float(np.abs(pred).sum()),
    "simple_final_loss": float(simple_history.history["loss"][-1]),
    "simple_prediction_sum": float(simple.predict(x_train[:6], verbose=0).sum()),
}))
