"""Train a kerastorch model on the bundled digits data with a plain PyTorch loop.

Every kerastorch model is a torch.nn.Module: its parameters go straight into a torch
optimizer. Run: python examples/train_digits.py [epochs]
"""

import sys

import numpy as np
import torch

import kerastorch as keras
from kerastorch import layers

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
keras.utils.set_random_seed(1337)

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = torch.tensor(x_train, dtype=torch.float32) / 16.0
x_test = torch.tensor(x_test, dtype=torch.float32) / 16.0
y_train = torch.tensor(y_train, dtype=torch.long)
y_test = torch.tensor(y_test, dtype=torch.long)

model = keras.Sequential(
    [
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10),
    ],
    name="digits_mlp",
)
model.summary()

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
batch_size = 32
for epoch in range(EPOCHS):
    order = torch.randperm(len(x_train))
    total = 0.0
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[index], training=True), y_train[index])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    if epoch % 10 == 9 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1}/{EPOCHS} - loss: {total / len(x_train):.4f}")

with torch.inference_mode():
    accuracy = (model(x_test).argmax(-1) == y_test).float().mean().item()
print(f"test accuracy: {accuracy:.4f}")
np.testing.assert_array_less(0.9, accuracy)
