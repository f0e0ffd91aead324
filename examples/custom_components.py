"""Custom layers, a custom loss and a custom metric written Keras 3 style with only ``keras.ops``.

The classes below use nothing but ``keras.ops`` and the Keras base classes, so the same code runs on
Keras 3; with ``import kerastorch as keras`` they run on torch tensors. The model trains with ``fit`` on
the bundled digits data, is saved to a ``.keras`` archive and reloaded (the classes are registered, so
the archive loads by name), and the reloaded model predicts and evaluates exactly as the original.

Run: python examples/custom_components.py [epochs]
"""

import os
import sys
import tempfile

import numpy as np

import kerastorch as keras
from kerastorch import layers, ops


@keras.saving.register_keras_serializable(package="custom")
class SimpleDense(layers.Layer):
    """``activation(inputs @ w + b)``, with the activation given by name."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.w) + self.b)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="custom")
class ResidualBlock(layers.Layer):
    """``x + dense(relu(normalize(x)))``: a sublayer, a non-trainable counter and ops-only arithmetic."""

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.dense = SimpleDense(input_shape[-1])
        self.dense.build(input_shape)
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

    def call(self, inputs, training=None):
        mean = ops.mean(inputs, axis=-1, keepdims=True)
        variance = ops.var(inputs, axis=-1, keepdims=True)
        normalized = (inputs - mean) * ops.rsqrt(variance + self.epsilon)
        if training:
            self.calls.assign_add(1.0)
        return inputs + self.dense(ops.relu(normalized))

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="custom")
class SparseFocalLoss(keras.losses.Loss):
    """Focal cross-entropy on integer labels and softmax probabilities: ``-(1 - p)^gamma log p``."""

    def __init__(self, gamma=2.0, name="sparse_focal_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.gamma = gamma

    def call(self, y_true, y_pred):
        labels = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), ops.shape(y_pred)[-1])
        probs = ops.clip(ops.sum(labels * y_pred, axis=-1), 1e-7, 1.0)
        return -ops.power(1.0 - probs, self.gamma) * ops.log(probs)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma}


@keras.saving.register_keras_serializable(package="custom")
class TopOneAccuracy(keras.metrics.Metric):
    """The fraction of samples whose highest-scoring class is the label (state: two device scalars)."""

    def __init__(self, name="top_one_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = ops.argmax(y_pred, axis=-1)
        matches = ops.cast(ops.equal(predicted, ops.cast(ops.reshape(y_true, (-1,)), predicted.dtype)), "float32")
        self.correct.assign_add(ops.sum(matches))
        self.total.assign_add(ops.cast(ops.shape(matches)[0], "float32"))

    def result(self):
        return ops.divide(self.correct, ops.maximum(self.total, 1.0))

    def reset_state(self):
        self.correct.assign(0.0)
        self.total.assign(0.0)


def build_model():
    inputs = keras.Input((64,))
    x = SimpleDense(64, activation="relu")(inputs)
    x = ResidualBlock()(x)
    outputs = layers.Activation("softmax")(SimpleDense(10)(x))
    return keras.Model(inputs, outputs)


def main(epochs):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SparseFocalLoss(gamma=2.0), metrics=[TopOneAccuracy()])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1, verbose=0)
    print("loss per epoch:", " ".join(f"{v:.4f}" for v in history.history["loss"]))
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(f"test top_one_accuracy: {scores['top_one_accuracy']:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "custom_components.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    same = np.array_equal(model.predict(x_test, verbose=0), restored.predict(x_test, verbose=0))
    print("reloaded model gives the same predictions:", same)
    restored_scores = restored.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(
        "reloaded model gives the same scores:",
        np.allclose(list(scores.values()), [restored_scores[k] for k in scores]),
    )
    print("reloaded layers:", ", ".join(type(layer).__name__ for layer in restored.layers))
    print("reloaded scores:", ", ".join(f"{k}={v:.4f}" for k, v in sorted(restored_scores.items())))
    calls = int(restored.layers[2].calls.numpy())
    print("training calls counted by the residual block:", calls, "(restored from the archive)")
    assert same and calls == len(history.history["loss"]) * -(-int(len(x_train) * 0.9) // 32)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
