"""Custom layers written with keras.ops only (backend-agnostic, as the Keras 3 docs recommend):
an RMS normalization, a gated linear unit with einsum, and a simple additive attention pooling."""
import json

import keras
import numpy as np
from keras import layers, ops


class RMSNorm(layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        variance = ops.mean(ops.square(x), axis=-1, keepdims=True)
        return x * ops.rsqrt(variance + self.epsilon) * self.scale


class GatedLinearUnit(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2, self.units), initializer="glorot_uniform",
                                      name="kernel")
        self.bias = self.add_weight(shape=(2, self.units), initializer="zeros", name="bias")

    def call(self, x):
        h = ops.einsum("btd,dgu->btgu", x, self.kernel) + self.bias
        value, gate = ops.unstack(h, num=2, axis=2)
        return value * ops.sigmoid(gate) + 0.1 * ops.gelu(value, approximate=True)


class AttentionPooling(layers.Layer):
    def build(self, input_shape):
        self.query = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="query")

    def call(self, x):
        scores = ops.tensordot(x, self.query, axes=[[2], [0]])  # (batch, time)
        weights = ops.softmax(scores, axis=-1)
        pooled = ops.sum(x * ops.expand_dims(weights, -1), axis=1)
        return ops.concatenate([pooled, ops.max(x, axis=1), ops.logsumexp(x, axis=1)], axis=-1)


inputs = keras.Input(shape=(5, 6))
x = RMSNorm()(inputs)
x = GatedLinearUnit(8)(x)
x = AttentionPooling()(x)
x = layers.Dense(4)(x)
outputs = layers.Lambda(lambda t: ops.log_softmax(t, axis=-1))(x)
model = keras.Model(inputs, outputs)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])


def nll(y_true, log_probs):
    y_true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    return -ops.take_along_axis(log_probs, ops.expand_dims(y_true, -1), axis=-1)[:, 0]


rng = np.random.default_rng(22)
x_train = rng.normal(size=(40, 5, 6)).astype("float32")
y_train = rng.integers(0, 4, size=(40,))
model.compile(optimizer=keras.optimizers.Adam(5e-3), loss=nll)
history = model.fit(x_train, y_train, batch_size=10, epochs=3, shuffle=False, verbose=0)
log_probs = model.predict(x_train[:6], verbose=0)

t = ops.convert_to_tensor(x_train[:2])
misc = [
    ops.sum(ops.cumsum(t, axis=1)),
    ops.sum(ops.where(t > 0, ops.sqrt(ops.abs(t)), ops.exp(t))),
    ops.sum(ops.clip(ops.transpose(t, (0, 2, 1)), -0.5, 0.5)),
    ops.norm(ops.reshape(t, (2, -1)), axis=-1)[1],
    ops.sum(ops.top_k(ops.reshape(t, (2, -1)), k=3)[0]),
    ops.sum(ops.sort(t, axis=-1)[..., 0]),
    ops.var(t),
    ops.sum(ops.matmul(t, ops.swapaxes(t, 1, 2))),
]

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "first_loss": float(history.history["loss"][0]),
    "log_prob_sum": float(log_probs.sum()),
    "prob_row_sum": float(np.exp(log_probs).sum()),
    **{f"ops_{i}": float(ops.convert_to_numpy(v)) for i, v in enumerate(misc)},
}))
