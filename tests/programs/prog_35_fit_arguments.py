"""fit() arguments from the Model.fit docs: validation_split, validation_freq, initial_epoch, the
default batch_size of 32, steps_per_epoch over NumPy arrays (an epoch of fewer steps than the data
holds: the next epoch carries on where the last one stopped), and the History object's epoch and params."""
import json

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(35)
x = rng.normal(size=(100, 4)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32") + 0.3).astype("float32")


def get_model():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="sigmoid"), layers.Dense(1)])
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=[keras.metrics.R2Score(name="r2")])
    return model


results = {}
model = get_model()
history = model.fit(x, y, epochs=6, initial_epoch=2, validation_split=0.2, validation_freq=2, shuffle=False,
                    verbose=0)  # batch_size defaults to 32
results["epochs_listed"] = float(len(history.epoch))
results["first_epoch_index"] = float(history.epoch[0])
results["n_val_loss"] = float(len(history.history["val_loss"]))
results["last_val_loss"] = float(history.history["val_loss"][-1])
results["last_loss"] = float(history.history["loss"][-1])
results["last_r2"] = float(history.history["r2"][-1])
results["params_steps"] = float(history.params["steps"])
results["params_epochs"] = float(history.params["epochs"])

model = get_model()
history = model.fit(x, y, batch_size=10, steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
results["stepped_last_loss"] = float(history.history["loss"][-1])
results["stepped_first_loss"] = float(history.history["loss"][0])
results["stepped_iterations"] = float(keras.ops.convert_to_numpy(model.optimizer.iterations))
results["stepped_eval_loss"] = float(model.evaluate(x, y, batch_size=25, steps=2, verbose=0)[0])

print("RESULT " + json.dumps(results))
