"""A two-output functional model with per-output losses and metrics given as lists and dicts, as the
"Training & evaluation" guide shows, checking the names fit and evaluate report."""
import json

import keras
import numpy as np
from keras import layers

image_input = keras.Input(shape=(8, 8, 2), name="img_input")
timeseries_input = keras.Input(shape=(None, 3), name="ts_input")

x1 = layers.Conv2D(4, 3)(image_input)
x1 = layers.GlobalMaxPooling2D()(x1)

x2 = layers.Conv1D(4, 3)(timeseries_input)
x2 = layers.GlobalMaxPooling1D()(x2)

x = layers.concatenate([x1, x2])

score_output = layers.Dense(1, name="score_output")(x)
class_output = layers.Dense(5, name="class_output")(x)

model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(32)
img_data = rng.random(size=(40, 8, 8, 2)).astype("float32")
ts_data = rng.random(size=(40, 6, 3)).astype("float32")
score_targets = rng.random(size=(40, 1)).astype("float32")
class_targets = rng.integers(0, 5, size=(40, 1))

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[keras.losses.MeanSquaredError(), keras.losses.SparseCategoricalCrossentropy(from_logits=True)],
    metrics=[
        [keras.metrics.MeanAbsolutePercentageError(), keras.metrics.MeanAbsoluteError()],
        [keras.metrics.SparseCategoricalAccuracy()],
    ],
    loss_weights=[1.0, 0.5],
)
history = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=10, epochs=2, shuffle=False,
                    verbose=0)
evaluation = model.evaluate({"img_input": img_data, "ts_input": ts_data},
                            {"score_output": score_targets, "class_output": class_targets},
                            batch_size=20, return_dict=True, verbose=0)

results = {"n_history_keys": float(len(history.history))}
for key in ["loss", "score_output_mean_absolute_error", "class_output_sparse_categorical_accuracy",
            "score_output_mean_absolute_percentage_error"]:
    results[f"fit_{key}"] = float(history.history[key][-1])
    results[f"eval_{key}"] = float(evaluation[key])
score, classes = model.predict([img_data[:5], ts_data[:5]], verbose=0)
results["score_sum"] = float(score.sum())
results["class_sum"] = float(classes.sum())

print("RESULT " + json.dumps(results))
