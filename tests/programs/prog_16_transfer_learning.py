"""Transfer learning and fine-tuning (the keras.io guide's workflow): a "pre-trained" base (with
BatchNormalization) is frozen (trainable=False), a new head is trained with the base called in
inference mode, then the base is unfrozen and the whole model fine-tuned at a low learning rate."""
import json

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(16)
x = rng.random(size=(48, 8, 8, 2)).astype("float32")
y = rng.integers(0, 2, size=(48, 1)).astype("float32")

base_model = keras.Sequential(
    [
        keras.Input(shape=(8, 8, 2)),
        layers.Conv2D(6, 3, padding="same"),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Conv2D(6, 3, activation="relu"),
    ],
    name="base",
)
w_rng = np.random.default_rng(0)
base_model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in base_model.get_weights()])
bn = base_model.layers[1]
gamma, beta, mean, var = bn.get_weights()
bn.set_weights([1.0 + gamma, beta, mean, np.abs(var) + 0.5])

# Freeze the base model
base_model.trainable = False

inputs = keras.Input(shape=(8, 8, 2))
# The base model runs in inference mode (training=False), also when unfrozen later for fine-tuning.
x_features = base_model(inputs, training=False)
x_features = layers.GlobalAveragePooling2D()(x_features)
outputs = layers.Dense(1)(x_features)
model = keras.Model(inputs, outputs)
head = model.layers[-1]
head.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in head.get_weights()])

results = {
    "frozen_trainable_weights": float(len(model.trainable_weights)),
    "frozen_non_trainable_weights": float(len(model.non_trainable_weights)),
}
base_before = [w.copy() for w in base_model.get_weights()]

model.compile(
    optimizer=keras.optimizers.Adam(1e-2),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)
history = model.fit(x, y, batch_size=12, epochs=3, shuffle=False, verbose=0)
results["head_loss"] = float(history.history["loss"][-1])
results["base_changed_while_frozen"] = float(sum(np.abs(a - b).sum() for a, b in
                                                 zip(base_before, base_model.get_weights())))

# Unfreeze the base model and recompile (so that the change is taken into account).
base_model.trainable = True
results["unfrozen_trainable_weights"] = float(len(model.trainable_weights))
model.compile(
    optimizer=keras.optimizers.Adam(1e-4),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)
history = model.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
results["fine_tune_loss"] = float(history.history["loss"][-1])
results["fine_tune_accuracy"] = float(history.history["binary_accuracy"][-1])
results["bn_moving_mean_sum"] = float(np.sum(bn.get_weights()[2]))
results["base_kernel_sum"] = float(np.sum(base_model.layers[0].get_weights()[0]))
results["prediction_sum"] = float(model.predict(x[:8], verbose=0).sum())

print("RESULT " + json.dumps(results))
