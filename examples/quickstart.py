"""The Keras workflow on the bundled digits data: define, compile, fit with validation
and callbacks, evaluate, predict, save and reload.

Expect about 97% test accuracy after 30 epochs (a few seconds on a CPU).
Run: python examples/quickstart.py [epochs]
"""

import os
import sys
import tempfile

import numpy as np

import kerastorch as keras
from kerastorch import layers

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
keras.utils.set_random_seed(42)

# Data: 8x8 grey-level digits, pixel values 0..16.
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.astype("float32") / 16.0
x_test = x_test.astype("float32") / 16.0

# Define.
model = keras.Sequential(
    [
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ],
    name="digits",
)
model.summary()

# Compile and fit, keeping the best weights seen on the validation split.
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
folder = tempfile.mkdtemp()
checkpoint = os.path.join(folder, "best.weights.safetensors")
history = model.fit(
    x_train,
    y_train,
    batch_size=32,
    epochs=EPOCHS,
    validation_split=0.15,
    verbose=2,
    callbacks=[
        keras.callbacks.ModelCheckpoint(
            checkpoint, monitor="val_accuracy", save_best_only=True, save_weights_only=True
        ),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
    ],
)
print("epochs run:", len(history.history["loss"]))

# Evaluate and predict.
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
probabilities = model.predict(x_test[:5], verbose=0)
print("predicted:", probabilities.argmax(axis=-1), "true:", y_test[:5])

# Save the whole model (architecture, weights, compile information, optimizer state) and reload it.
path = os.path.join(folder, "digits.keras")
model.save(path)
clone = keras.models.load_model(path)
np.testing.assert_allclose(clone.predict(x_test, verbose=0), model.predict(x_test, verbose=0), rtol=1e-6)
print("reloaded model gives the same predictions")
clone.fit(x_train, y_train, epochs=1, batch_size=64, verbose=0)  # training goes on where it stopped
assert accuracy > 0.9, accuracy
