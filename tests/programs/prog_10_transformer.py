"""The keras.io "Text classification with Transformer" example, scaled down: a TransformerBlock layer
(MultiHeadAttention + LayerNormalization + feed-forward, residual connections) over a
TokenAndPositionEmbedding, pooled and classified."""
import json

import keras
import numpy as np
from keras import layers, ops


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


vocab_size = 40
maxlen = 10
embed_dim = 8
num_heads = 2
ff_dim = 16

inputs = layers.Input(shape=(maxlen,))
embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
x = embedding_layer(inputs)
transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
x = transformer_block(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dense(8, activation="relu")(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(10)
x_train = rng.integers(0, vocab_size, size=(32, maxlen))
y_train = rng.integers(0, 2, size=(32,))

model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=8, epochs=2, validation_data=(x_train[:8], y_train[:8]),
                    shuffle=False, verbose=0)
probs = model.predict(x_train[:6], verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "val_loss": float(history.history["val_loss"][-1]),
    "val_accuracy": float(history.history["val_accuracy"][-1]),
    "prob_col1_sum": float(probs[:, 1].sum()),
    "n_weights": float(len(model.weights)),
    "param_count": float(model.count_params()),
}))
