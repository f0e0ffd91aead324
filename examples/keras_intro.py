"""The snippets of the Keras introduction guides, with only the import changed.

Run: python examples/keras_intro.py
"""

import numpy as np
import torch

import kerastorch as keras
from kerastorch import layers, ops

# --- A Sequential model, from a list and with add() ---------------------------------
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = ops.ones((3, 3))
y = model(x)
print("sequential output:", tuple(y.shape))

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print("layers after pop:", len(model.layers))

# --- Specifying the input shape in advance, summary ----------------------------------
model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()

# --- Freezing all layers except the last one ------------------------------------------
model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(10),
    ]
)
for layer in model.layers[:-1]:
    layer.trainable = False
print("trainable weights after freezing:", len(model.trainable_weights))


# --- A custom layer with add_weight ---------------------------------------------------
class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
print("custom layer output:", tuple(y.shape), "weights:", len(linear_layer.weights))


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


my_sum = ComputeSum(2)
my_sum(ops.ones((2, 2)))
print("running sum:", my_sum(ops.ones((2, 2))).detach().numpy())

# --- Configs: layer, Sequential and functional models --------------------------------
layer = layers.Dense(3, activation="relu")
config = layer.get_config()
new_layer = layers.Dense.from_config(config)
print("dense config round trip:", new_layer.get_config()["units"] == 3)

model = keras.Sequential([keras.Input((32,)), layers.Dense(1)])
config = model.get_config()
new_model = keras.Sequential.from_config(config)
print("sequential config round trip:", new_model.get_config() == config)

inputs = keras.Input((32,))
model = keras.Model(inputs, layers.Dense(1)(inputs))
config = model.get_config()
new_model = keras.Model.from_config(config)
print("functional config round trip:", new_model.get_config() == config)

# --- Transferring weights between layers ---------------------------------------------
layer_1 = layers.Dense(4, activation="relu")
layer_1.build((None, 3))
layer_2 = layers.Dense(4, activation="relu")
layer_2.build((None, 3))
layer_2.set_weights(layer_1.get_weights())
same = all(np.array_equal(a, b) for a, b in zip(layer_1.get_weights(), layer_2.get_weights()))
print("weights copied:", same)
assert same and torch.equal(layer_1(torch.ones(1, 3)), layer_2(torch.ones(1, 3)))
