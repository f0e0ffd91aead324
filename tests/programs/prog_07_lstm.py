"""An LSTM sequence classifier (the "Working with RNNs" guide's Sequential LSTM model),
plus a stacked LSTM with return_sequences."""
import json

import keras
import numpy as np
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(8, 5)))
model.add(layers.LSTM(12, return_sequences=True))
model.add(layers.LSTM(6))
model.add(layers.Dense(3))

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(7)
x_train = rng.normal(size=(40, 8, 5)).astype("float32")
y_train = rng.integers(0, 3, size=(40,))

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.Adam(learning_rate=3e-3),
    metrics=["sparse_categorical_accuracy"],
)
history = model.fit(x_train, y_train, batch_size=10, epochs=3, shuffle=False, verbose=0)
logits = model.predict(x_train[:5], verbose=0)

# The LSTM's state outputs, called directly on one batch.
lstm = layers.LSTM(4, return_state=True, return_sequences=True)
sequence, state_h, state_c = lstm(keras.ops.convert_to_tensor(x_train[:3]))
lstm.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in lstm.get_weights()])
sequence, state_h, state_c = lstm(keras.ops.convert_to_tensor(x_train[:3]))

print("RESULT " + json.dumps({
    "first_loss": float(history.history["loss"][0]),
    "final_loss": float(history.history["loss"][-1]),
    "final_accuracy": float(history.history["sparse_categorical_accuracy"][-1]),
    "logit_sum": float(logits.sum()),
    "logit_abs_sum": float(np.abs(logits).sum()),
    "state_h_sum": float(keras.ops.convert_to_numpy(state_h).sum()),
    "state_c_sum": float(keras.ops.convert_to_numpy(state_c).sum()),
    "sequence_abs_sum": float(np.abs(keras.ops.convert_to_numpy(sequence)).sum()),
}))
