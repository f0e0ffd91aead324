"""The functional API guide's ticket classifier: three inputs (title, body, tags), two outputs
(priority, department), losses and loss weights given per output name."""
import json

import keras
import numpy as np
from keras import layers

num_tags = 12
num_words = 100
num_departments = 4

title_input = keras.Input(shape=(None,), name="title")
body_input = keras.Input(shape=(None,), name="body")
tags_input = keras.Input(shape=(num_tags,), name="tags")

title_features = layers.Embedding(num_words, 8)(title_input)
body_features = layers.Embedding(num_words, 8)(body_input)
title_features = layers.LSTM(8)(title_features)
body_features = layers.LSTM(4)(body_features)
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)

model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.1, w.shape).astype("float32") for w in model.get_weights()])

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)

rng = np.random.default_rng(2)
title_data = rng.integers(0, num_words, size=(40, 6))
body_data = rng.integers(0, num_words, size=(40, 10))
tags_data = rng.integers(0, 2, size=(40, num_tags)).astype("float32")
priority_targets = rng.random(size=(40, 1)).astype("float32")
dept_targets = rng.integers(0, 2, size=(40, num_departments)).astype("float32")

history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=3,
    batch_size=8,
    shuffle=False,
    verbose=0,
)
outputs = model.predict({"title": title_data[:5], "body": body_data[:5], "tags": tags_data[:5]}, verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "first_loss": float(history.history["loss"][0]),
    "priority_sum": float(outputs["priority"].sum()),
    "department_sum": float(outputs["department"].sum()),
    "department_abs_sum": float(np.abs(outputs["department"]).sum()),
}))
