"""The "Writing a training loop from scratch in PyTorch" guide: a Keras model, a Keras optimizer and
loss, iterated by hand with model.zero_grad(), loss.backward() and optimizer.apply(), with metrics
updated and reset per epoch and a validation pass."""
import json

import keras
import numpy as np
import torch
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(10,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(4),
])
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

optimizer = keras.optimizers.Adam(learning_rate=1e-2)
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
train_acc_metric = keras.metrics.CategoricalAccuracy()
val_acc_metric = keras.metrics.CategoricalAccuracy()

rng = np.random.default_rng(25)
x_train = rng.normal(size=(64, 10)).astype("float32")
y_train = keras.utils.to_categorical(rng.integers(0, 4, size=(64,)), 4).astype("float32")
x_val = rng.normal(size=(16, 10)).astype("float32")
y_val = keras.utils.to_categorical(rng.integers(0, 4, size=(16,)), 4).astype("float32")

batch_size = 16
epochs = 3
epoch_losses, train_accs, val_accs = [], [], []
for epoch in range(epochs):
    losses = []
    for start in range(0, len(x_train), batch_size):
        inputs = torch.as_tensor(x_train[start:start + batch_size])
        targets = torch.as_tensor(y_train[start:start + batch_size])
        # Forward pass
        logits = model(inputs, training=True)
        loss = loss_fn(targets, logits)

        # Backward pass
        model.zero_grad()
        loss.backward()

        # Optimizer variable updates
        trainable_weights = [v for v in model.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, trainable_weights)

        train_acc_metric.update_state(targets, logits)
        losses.append(float(loss.detach()))
    epoch_losses.append(float(np.mean(losses)))
    train_accs.append(float(train_acc_metric.result()))
    train_acc_metric.reset_state()

    for start in range(0, len(x_val), 8):
        with torch.no_grad():
            val_logits = model(torch.as_tensor(x_val[start:start + 8]), training=False)
        val_acc_metric.update_state(torch.as_tensor(y_val[start:start + 8]), val_logits)
    val_accs.append(float(val_acc_metric.result()))
    val_acc_metric.reset_state()

print("RESULT " + json.dumps({
    "first_epoch_loss": epoch_losses[0],
    "final_epoch_loss": epoch_losses[-1],
    "final_train_acc": train_accs[-1],
    "final_val_acc": val_accs[-1],
    "iterations": float(keras.ops.convert_to_numpy(optimizer.iterations)),
    "kernel_sum": float(model.layers[0].get_weights()[0].sum()),
}))
