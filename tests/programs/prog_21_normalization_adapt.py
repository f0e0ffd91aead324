"""Preprocessing inside the model: a Normalization layer adapted to the training data (mean and
variance), Rescaling, and a Normalization with given mean/variance, then a regression model."""
import json

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(21)
x_train = (rng.normal(size=(80, 4)) * np.array([1.0, 10.0, 0.1, 5.0]) + np.array([3.0, -20.0, 0.5, 7.0]))
x_train = x_train.astype("float32")
y_train = (x_train @ np.array([[0.5], [0.05], [4.0], [-0.1]])).astype("float32")

normalizer = layers.Normalization(axis=-1)
normalizer.adapt(x_train)

model = keras.Sequential([
    keras.Input(shape=(4,)),
    normalizer,
    layers.Dense(8, activation="relu"),
    layers.Dense(1),
])
# Only the Dense layers get new weights; the Normalization statistics stay as adapted.
w_rng = np.random.default_rng(0)
for layer in model.layers[1:]:
    layer.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in layer.get_weights()])

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="mean_absolute_error")
history = model.fit(x_train, y_train, batch_size=16, epochs=4, shuffle=False, verbose=0)

normalized = keras.ops.convert_to_numpy(normalizer(x_train[:10]))

fixed = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25])
fixed_out = keras.ops.convert_to_numpy(fixed(np.array([[3.0, 2.5], [0.0, 1.0]], dtype="float32")))

inverse = layers.Normalization(axis=-1, invert=True)
inverse.adapt(x_train)
round_trip = keras.ops.convert_to_numpy(inverse(normalizer(x_train[:10])))

rescale = layers.Rescaling(scale=1.0 / 255, offset=-0.5)
rescaled = keras.ops.convert_to_numpy(rescale(np.array([[0.0, 51.0, 255.0]], dtype="float32")))

print("RESULT " + json.dumps({
    "adapted_mean_sum": float(np.sum(keras.ops.convert_to_numpy(normalizer.mean))),
    "adapted_variance_sum": float(np.sum(keras.ops.convert_to_numpy(normalizer.variance))),
    "normalized_column_std": float(normalized[:, 1].std()),
    "normalized_sum": float(normalized.sum()),
    "final_loss": float(history.history["loss"][-1]),
    "prediction_sum": float(model.predict(x_train[:10], verbose=0).sum()),
    "fixed_sum": float(fixed_out.sum()),
    "round_trip_error": float(np.abs(round_trip - x_train[:10]).max()),
    "rescaled_sum": float(rescaled.sum()),
}))
