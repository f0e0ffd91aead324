"""An image classifier: Conv2D + BatchNormalization + MaxPooling2D blocks, Flatten, Dense (the
"simple MNIST convnet" example shape, scaled down), with evaluate() in inference mode."""
import json

import keras
import numpy as np
from keras import layers

num_classes = 3
input_shape = (10, 10, 1)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(8, kernel_size=(3, 3), use_bias=False),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(8, kernel_size=(3, 3), activation="relu", padding="same"),
        layers.BatchNormalization(momentum=0.9),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.1, w.shape).astype("float32") for w in model.get_weights()])
# BatchNormalization holds gamma, beta, moving_mean, moving_variance: keep gamma near 1, the variance positive.
for layer in model.layers:
    if isinstance(layer, layers.BatchNormalization):
        gamma, beta, mean, var = layer.get_weights()
        layer.set_weights([1.0 + gamma, beta, mean, np.abs(var) + 0.5])

rng = np.random.default_rng(5)
x_train = rng.random(size=(48,) + input_shape).astype("float32")
y_train = keras.utils.to_categorical(rng.integers(0, num_classes, size=(48,)), num_classes)

model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=16, epochs=3, shuffle=False, verbose=0)
score = model.evaluate(x_train, y_train, verbose=0)
bn = model.layers[1]
probs = model.predict(x_train[:6], verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "eval_loss": float(score[0]),
    "eval_accuracy": float(score[1]),
    "bn_moving_mean_sum": float(np.sum(keras.ops.convert_to_numpy(bn.moving_mean))),
    "bn_moving_var_sum": float(np.sum(keras.ops.convert_to_numpy(bn.moving_variance))),
    "prob_col0_sum": float(probs[:, 0].sum()),
}))
