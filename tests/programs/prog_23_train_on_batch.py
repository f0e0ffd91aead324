"""Batch-level training APIs: train_on_batch, test_on_batch and predict_on_batch with RMSprop, and
model.evaluate / model.predict afterwards, on a small regression model."""
import json

import keras
import numpy as np
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(3,)),
    layers.Dense(6, activation="elu"),
    layers.Dense(6, activation="sigmoid"),
    layers.Dense(2),
])
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5),
    loss=keras.losses.Huber(delta=0.5),
    metrics=[keras.metrics.MeanSquaredError(name="mse"), keras.metrics.RootMeanSquaredError(name="rmse")],
)

rng = np.random.default_rng(23)
losses = []
for step in range(6):
    xb = rng.normal(size=(8, 3)).astype("float32")
    yb = np.stack([xb[:, 0] * xb[:, 1], np.sin(xb[:, 2])], axis=1).astype("float32")
    logs = model.train_on_batch(xb, yb, return_dict=True)
    losses.append(float(logs["loss"]))

x_test = rng.normal(size=(16, 3)).astype("float32")
y_test = np.stack([x_test[:, 0] * x_test[:, 1], np.sin(x_test[:, 2])], axis=1).astype("float32")
test_logs = model.test_on_batch(x_test, y_test, return_dict=True)
batch_pred = model.predict_on_batch(x_test)
evaluation = model.evaluate(x_test, y_test, batch_size=5, return_dict=True, verbose=0)

print("RESULT " + json.dumps({
    "first_loss": losses[0],
    "last_loss": losses[-1],
    "loss_sum": float(sum(losses)),
    "test_loss": float(test_logs["loss"]),
    "test_rmse": float(test_logs["rmse"]),
    "predict_on_batch_sum": float(np.asarray(batch_pred).sum()),
    "eval_loss": float(evaluation["loss"]),
    "eval_mse": float(evaluation["mse"]),
    "iterations": float(keras.ops.convert_to_numpy(model.optimizer.iterations)),
}))
