"""A classic convolutional network on the bundled 8x8 digits: Conv2D, BatchNormalization,
MaxPooling2D, Dropout and Dense, trained with fit.

Expect about 99% test accuracy after 20 epochs (seconds on a CPU).
Run: python examples/cnn.py [epochs]
"""

import sys

import kerastorch as keras
from kerastorch import layers

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = (x_train.astype("float32") / 16.0)[..., None]  # (n, 8, 8, 1): channels_last
x_test = (x_test.astype("float32") / 16.0)[..., None]

model = keras.Sequential(
    [
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ],
    name="digits_cnn",
)
model.summary()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, validation_split=0.1, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
assert accuracy > 0.9, accuracy
