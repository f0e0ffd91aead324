"""A custom loss (a plain function and a keras.losses.Loss subclass with get_config) and a custom
metric (a keras.metrics.Metric subclass with add_variable/update_state/result/reset_state), as in
the "Training & evaluation with the built-in methods" guide."""
import json

import keras
import numpy as np
from keras import layers, ops


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor

    def get_config(self):
        return {"regularization_factor": self.regularization_factor, "name": self.name}


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        # The state of the metric will be reset at the start of each epoch.
        self.true_positives.assign(0.0)


def get_uncompiled_model():
    inputs = keras.Input(shape=(12,), name="digits")
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(5, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])
    return model


rng = np.random.default_rng(13)
x_train = rng.random(size=(60, 12)).astype("float32")
y_train = rng.integers(0, 5, size=(60, 1))
y_train_one_hot = keras.utils.to_categorical(y_train, num_classes=5)

results = {}
model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=custom_mean_squared_error)
history = model.fit(x_train, y_train_one_hot, batch_size=20, epochs=3, shuffle=False, verbose=0)
results["function_loss"] = float(history.history["loss"][-1])

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=CustomMSE())
history = model.fit(x_train, y_train_one_hot, batch_size=20, epochs=3, shuffle=False, verbose=0)
results["class_loss"] = float(history.history["loss"][-1])
results["class_loss_from_config"] = float(CustomMSE.from_config(CustomMSE(0.3).get_config()).regularization_factor)

model = get_uncompiled_model()
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[CategoricalTruePositives()],
)
history = model.fit(x_train, y_train, batch_size=20, epochs=3, shuffle=False, verbose=0)
results["ctp_loss"] = float(history.history["loss"][-1])
results["ctp"] = float(history.history["categorical_true_positives"][-1])
evaluation = model.evaluate(x_train, y_train, batch_size=30, return_dict=True, verbose=0)
results["eval_ctp"] = float(evaluation["categorical_true_positives"])
results["eval_loss"] = float(evaluation["loss"])

metric = CategoricalTruePositives()
metric.update_state(y_train, model.predict(x_train, verbose=0), sample_weight=np.linspace(0, 1, 60)[:, None])
results["weighted_ctp"] = float(metric.result())

print("RESULT " + json.dumps(results))
