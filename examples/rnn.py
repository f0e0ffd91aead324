"""A recurrent network on the bundled 8x8 digits: each image is read as a sequence of 8 rows of
8 pixels by a bidirectional LSTM, whose last states classify the digit with Dense(10).

Expect about 97% test accuracy after 40 epochs (seconds on a CPU).
Run: python examples/rnn.py [epochs]
"""

import sys

import kerastorch as keras
from kerastorch import layers

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.astype("float32") / 16.0  # (n, 8, 8): 8 time steps of 8 features
x_test = x_test.astype("float32") / 16.0

model = keras.Sequential(
    [
        keras.Input(shape=(8, 8)),
        layers.Bidirectional(layers.LSTM(32)),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ],
    name="digits_rnn",
)
model.summary()
model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, validation_split=0.1, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
assert accuracy > 0.9, accuracy
