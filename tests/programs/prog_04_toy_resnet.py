"""The functional API guide's toy ResNet: Conv2D blocks with residual connections (layers.add),
GlobalAveragePooling2D and a softmax head, trained on small random images."""
import json

import keras
import numpy as np
from keras import layers

inputs = keras.Input(shape=(12, 12, 3), name="img")
x = layers.Conv2D(8, 3, activation="relu")(inputs)
x = layers.Conv2D(16, 3, activation="relu")(x)
block_1_output = layers.MaxPooling2D(2)(x)

x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_1_output)
x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
block_2_output = layers.add([x, block_1_output])

x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_2_output)
x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
block_3_output = layers.add([x, block_2_output])

x = layers.Conv2D(16, 3, activation="relu")(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(16, activation="relu")(x)
outputs = layers.Dense(5)(x)

model = keras.Model(inputs, outputs, name="toy_resnet")
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.1, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(4)
x_train = rng.random(size=(32, 12, 12, 3)).astype("float32")
y_train = keras.utils.to_categorical(rng.integers(0, 5, size=(32,)), 5)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    metrics=["acc"],
)
history = model.fit(x_train, y_train, batch_size=8, epochs=2, validation_split=0.25, shuffle=False, verbose=0)
logits = model.predict(x_train[:4], verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "val_loss": float(history.history["val_loss"][-1]),
    "acc": float(history.history["acc"][-1]),
    "logit_sum": float(logits.sum()),
    "logit_abs_sum": float(np.abs(logits).sum()),
    "param_count": float(model.count_params()),
}))
