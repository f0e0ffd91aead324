"""Keras optimizers side by side on one small regression, including learning-rate schedules
(ExponentialDecay, CosineDecay, PiecewiseConstantDecay), AdamW weight decay, gradient clipping
(clipnorm, clipvalue, global_clipnorm) and EMA-free options."""
import json

import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(31)
x = rng.normal(size=(48, 5)).astype("float32")
y = (np.tanh(x[:, :1]) + x[:, 1:2] ** 2).astype("float32")


def train(optimizer):
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(8, activation="tanh"), layers.Dense(1)])
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.4, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, batch_size=12, epochs=3, shuffle=False, verbose=0)
    return float(history.history["loss"][-1])


optimizers = {
    "sgd": keras.optimizers.SGD(learning_rate=0.05),
    "sgd_nesterov_clipnorm": keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, clipnorm=0.5),
    "adam_exp_decay": keras.optimizers.Adam(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5)),
    "adam_amsgrad": keras.optimizers.Adam(learning_rate=0.02, amsgrad=True),
    "adamw": keras.optimizers.AdamW(learning_rate=0.02, weight_decay=0.1),
    "rmsprop_centered_clipvalue": keras.optimizers.RMSprop(learning_rate=0.01, centered=True, clipvalue=0.1),
    "adagrad": keras.optimizers.Adagrad(learning_rate=0.1),
    "adadelta": keras.optimizers.Adadelta(learning_rate=1.0),
    "adamax_cosine": keras.optimizers.Adamax(
        learning_rate=keras.optimizers.schedules.CosineDecay(0.05, decay_steps=12, alpha=0.1)),
    "nadam_global_clipnorm": keras.optimizers.Nadam(learning_rate=0.02, global_clipnorm=1.0),
    "ftrl": keras.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01),
    "lion": keras.optimizers.Lion(learning_rate=0.003),
    "sgd_piecewise": keras.optimizers.SGD(
        learning_rate=keras.optimizers.schedules.PiecewiseConstantDecay([4, 8], [0.1, 0.05, 0.01])),
}
results = {name: train(opt) for name, opt in optimizers.items()}

schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True)
results["schedule_at_25"] = float(keras.ops.convert_to_numpy(schedule(25)))
cosine = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=20, warmup_target=0.1, warmup_steps=5)
results["cosine_warmup_at_3"] = float(keras.ops.convert_to_numpy(cosine(3)))
results["cosine_warmup_at_15"] = float(keras.ops.convert_to_numpy(cosine(15)))

print("RESULT " + json.dumps(results))
