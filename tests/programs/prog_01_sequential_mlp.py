"""A Sequential MLP classifier (the "Sequential model" guide), trained with Adam."""
import json

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(1)
x_train = rng.normal(size=(96, 20)).astype("float32")
y_train = rng.integers(0, 4, size=(96,))
x_test = rng.normal(size=(32, 20)).astype("float32")
y_test = rng.integers(0, 4, size=(32,))

model = keras.Sequential(
    [
        keras.Input(shape=(20,)),
        layers.Dense(32, activation="relu", name="layer1"),
        layers.Dense(16, activation="relu", name="layer2"),
        layers.Dense(4, activation="softmax", name="layer3"),
    ]
)
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.1, w.shape).astype("float32") for w in model.get_weights()])

model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
history = model.fit(x_train, y_train, batch_size=16, epochs=4, shuffle=False, verbose=0)
test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=16, verbose=0)
predictions = model.predict(x_test[:8], verbose=0)

print("RESULT " + json.dumps({
    "first_loss": float(history.history["loss"][0]),
    "final_loss": float(history.history["loss"][-1]),
    "final_accuracy": float(history.history["sparse_categorical_accuracy"][-1]),
    "test_loss": float(test_loss),
    "test_accuracy": float(test_acc),
    "prediction_sum_col0": float(predictions[:, 0].sum()),
    "param_count": float(model.count_params()),
}))
