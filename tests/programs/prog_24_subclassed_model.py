"""A keras.Model subclass with layers created in __init__ and used in call() (the subclassing guide's
style), with a training argument, a nested custom block, compile/fit/evaluate/predict and summary counts."""
import json

import keras
import numpy as np
from keras import layers


class MLPBlock(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(units, activation="relu")
        self.dense_2 = layers.Dense(units)
        self.norm = layers.LayerNormalization()

    def call(self, inputs):
        x = self.dense_1(inputs)
        x = self.dense_2(x)
        return self.norm(x + inputs)


class ResidualMLP(keras.Model):
    def __init__(self, hidden, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(hidden)
        self.block_1 = MLPBlock(hidden)
        self.block_2 = MLPBlock(hidden)
        self.dropout = layers.Dropout(0.0)
        self.classifier = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = self.project(inputs)
        x = self.block_1(x)
        x = self.block_2(x)
        x = self.dropout(x, training=training)
        return self.classifier(x)


model = ResidualMLP(hidden=12, num_classes=3)
model(np.zeros((1, 7), dtype="float32"))  # create the weights by calling the model once
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(24)
x_train = rng.normal(size=(45, 7)).astype("float32")
y_train = rng.integers(0, 3, size=(45,))

model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc"), keras.metrics.SparseTopKCategoricalAccuracy(
        k=2, name="top2")],
)
history = model.fit(x_train, y_train, batch_size=9, epochs=3, shuffle=False, verbose=0)
evaluation = model.evaluate(x_train, y_train, batch_size=15, return_dict=True, verbose=0)
logits = model.predict(x_train[:5], verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "final_acc": float(history.history["acc"][-1]),
    "final_top2": float(history.history["top2"][-1]),
    "eval_loss": float(evaluation["loss"]),
    "logit_sum": float(logits.sum()),
    "logit_abs_sum": float(np.abs(logits).sum()),
    "n_weights": float(len(model.weights)),
    "param_count": float(model.count_params()),
}))
