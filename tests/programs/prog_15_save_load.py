"""Saving and loading (the "Save, serialize, and export models" guide): model.save(".keras") and
keras.models.load_model() with a registered custom layer, save_weights/load_weights, get_config/
from_config and to_json/model_from_json, all in a temporary directory."""
import json
import os
import tempfile

import keras
import numpy as np
from keras import layers, ops


@keras.saving.register_keras_serializable(package="MyLayers")
class ScaledDense(layers.Layer):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform",
                                      name="kernel")

    def call(self, x):
        return self.scale * ops.matmul(x, self.kernel)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "scale": self.scale})
        return config


def get_model():
    inputs = keras.Input(shape=(7,))
    x = ScaledDense(6, scale=0.5)(inputs)
    x = layers.Dense(5, activation="relu")(x)
    outputs = layers.Dense(2)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mean_squared_error", metrics=["mae"])
    return model


model = get_model()
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(15)
x = rng.random(size=(40, 7)).astype("float32")
y = rng.random(size=(40, 2)).astype("float32")
model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0)
reference = model.predict(x, verbose=0)

results = {}
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "my_model.keras")
    model.save(path)
    reconstructed = keras.models.load_model(path)
    results["reload_max_diff"] = float(np.max(np.abs(reconstructed.predict(x, verbose=0) - reference)))
    # The optimizer state was saved too: training continues identically.
    model.fit(x, y, batch_size=10, epochs=1, shuffle=False, verbose=0)
    reconstructed.fit(x, y, batch_size=10, epochs=1, shuffle=False, verbose=0)
    results["continued_prediction_sum"] = float(model.predict(x, verbose=0).sum())
    results["continued_max_diff"] = float(np.max(np.abs(reconstructed.predict(x, verbose=0)
                                                        - model.predict(x, verbose=0))))
    results["reloaded_iterations"] = float(keras.ops.convert_to_numpy(reconstructed.optimizer.iterations))

    weights_path = os.path.join(tmp, "my.weights.h5")
    model.save_weights(weights_path)
    fresh = get_model()
    fresh.load_weights(weights_path)
    results["weights_reload_max_diff"] = float(np.max(np.abs(fresh.predict(x, verbose=0)
                                                             - model.predict(x, verbose=0))))

config = model.get_config()
from_config = keras.Model.from_config(config)
from_config.set_weights(model.get_weights())
results["from_config_max_diff"] = float(np.max(np.abs(from_config.predict(x, verbose=0) - model.predict(x, verbose=0))))
from_json = keras.models.model_from_json(model.to_json())
results["from_json_layers"] = float(len(from_json.layers))
results["scale_from_json"] = float(from_json.layers[1].scale)
results["prediction_sum"] = float(reference.sum())

print("RESULT " + json.dumps(results))
