"""Every way to save and load a kerastorch model.

1. Whole models: ``model.save("x.keras")`` (one zip archive) or ``model.save("folder")``, then
   ``keras.models.load_model``: architecture, weights, compile information and optimizer
   state, so training continues exactly where it stopped.
2. Weights only: ``save_weights`` / ``load_weights`` (safetensors keyed by weight path, or
   Keras 3's ``.weights.h5``), with a load status.
3. Architecture only: ``get_config`` / ``from_config`` and ``serialize_keras_object``.
4. Custom classes: ``@keras.saving.register_keras_serializable`` or ``custom_objects=``.
5. Keras 3 interchange: ``weights_format="h5"`` writes a ``.keras`` archive Keras 3 loads, and
   ``load_model`` reads archives Keras 3 wrote (h5py needed: ``pip install kerastorch[h5]``).

Run: python examples/save_load.py
"""

import json
import os
import tempfile

import numpy as np

import kerastorch as keras
from kerastorch import layers

try:
    import h5py  # optional: Keras 3's HDF5 layouts (pip install "kerastorch[h5]")
except ImportError:
    h5py = None
SKIPPED_H5 = 'skipped (needs h5py: pip install "kerastorch[h5]")'

keras.utils.set_random_seed(0)
folder = tempfile.mkdtemp()
x = np.random.rand(64, 4).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")


@keras.saving.register_keras_serializable(package="example")
class Scale(layers.Layer):
    """A custom layer: registered, so saved models that use it load by name."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def build():
    inputs = keras.Input((4,))
    hidden = layers.Dense(16, activation="relu")(Scale(0.5)(inputs))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden))


model = build()
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

# 1. Whole models: a .keras zip archive, or a folder with the same members.
archive = os.path.join(folder, "model.keras")
model.save(archive)
keras.saving.save_model(model, os.path.join(folder, "model_folder"))  # same as model.save(folder)
print("folder members:", sorted(os.listdir(os.path.join(folder, "model_folder"))))
restored = keras.models.load_model(archive)
assert np.array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))

# ... and training continues where it stopped: same weights as the model that was never saved.
model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
restored.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), restored.get_weights()))
print("continued training matches:", True)

# Without compile information: just the architecture and the weights.
bare = keras.models.load_model(os.path.join(folder, "model_folder"), compile=False)
print("compiled after compile=False:", bare.compiled)

# 2. Weights only, into a model built from the same code.
weights_path = os.path.join(folder, "model.weights.safetensors")
model.save_weights(weights_path)
clone = build()
clone.load_weights(weights_path).assert_consumed()  # every weight of the file used, every model weight set
print("weights by path:", True)
if h5py is not None:
    model.save_weights(os.path.join(folder, "model.weights.h5"))  # Keras 3's weights layout
    other = build()
    other.load_weights(os.path.join(folder, "model.weights.h5"))
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))
print("Keras 3 .weights.h5 round trip:", True if h5py is not None else SKIPPED_H5)

# 3. Architecture only: a plain-JSON config (weights are freshly initialized).
config = json.dumps(keras.saving.serialize_keras_object(model))
same_architecture = keras.saving.deserialize_keras_object(json.loads(config))
print("layers:", [type(layer).__name__ for layer in same_architecture.layers])

# 4. Unregistered custom classes are named at load time; a Lambda's Python code needs safe_mode=False.
lambda_model = keras.Sequential([keras.Input((4,)), layers.Lambda(lambda t: t * 3.0)])
lambda_model.save(os.path.join(folder, "lambda.keras"))
try:
    keras.models.load_model(os.path.join(folder, "lambda.keras"))
except ValueError as error:
    print("refused:", error)
trusted = keras.models.load_model(os.path.join(folder, "lambda.keras"), safe_mode=False)
print("trusted Lambda model:", trusted.predict(x[:1], verbose=0).round(2))

# 5. A .keras archive for Keras 3 itself: weights and optimizer state in Keras 3's h5 layout.
if h5py is not None:
    model.save(os.path.join(folder, "for_keras3.keras"), weights_format="h5")
    again = keras.models.load_model(os.path.join(folder, "for_keras3.keras"))
    assert np.array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
print("archive for Keras 3:", True if h5py is not None else SKIPPED_H5)
print("saved to", folder)
