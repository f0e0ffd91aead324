"""Attention layers: layers.Attention and layers.AdditiveAttention on query/value sequences (their
docstring's CNN+attention model), MultiHeadAttention with a padding mask, a causal mask and
return_attention_scores, and an Embedding(mask_zero=True) + LSTM encoder."""
import json

import keras
import numpy as np
from keras import layers, ops

vocab, dim = 30, 8

# The layers.Attention docstring's query-value model.
query_input = keras.Input(shape=(None,), dtype="int32")
value_input = keras.Input(shape=(None,), dtype="int32")
token_embedding = layers.Embedding(input_dim=vocab, output_dim=dim)
query_embeddings = token_embedding(query_input)
value_embeddings = token_embedding(value_input)
cnn_layer = layers.Conv1D(filters=6, kernel_size=3, padding="same")
query_seq_encoding = cnn_layer(query_embeddings)
value_seq_encoding = cnn_layer(value_embeddings)
query_value_attention_seq = layers.Attention(use_scale=True)([query_seq_encoding, value_seq_encoding])
additive_seq = layers.AdditiveAttention()([query_seq_encoding, value_seq_encoding])
query_encoding = layers.GlobalAveragePooling1D()(query_seq_encoding)
query_value_attention = layers.GlobalAveragePooling1D()(query_value_attention_seq)
additive = layers.GlobalAveragePooling1D()(additive_seq)
input_layer = layers.Concatenate()([query_encoding, query_value_attention, additive])
output = layers.Dense(1, activation="sigmoid")(input_layer)
model = keras.Model([query_input, value_input], output)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(34)
queries = rng.integers(0, vocab, size=(32, 5))
values = rng.integers(0, vocab, size=(32, 7))
labels = rng.integers(0, 2, size=(32, 1)).astype("float32")
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
history = model.fit([queries, values], labels, batch_size=8, epochs=2, shuffle=False, verbose=0)

# MultiHeadAttention with an attention mask (padding), a causal mask, and the attention scores.
mha = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, output_shape=5)
q = ops.convert_to_tensor(rng.normal(size=(2, 4, 6)).astype("float32"))
v = ops.convert_to_tensor(rng.normal(size=(2, 5, 6)).astype("float32"))
mha(q, v)
mha.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in mha.get_weights()])
padding = np.ones((2, 4, 5), dtype=bool)
padding[1, :, 3:] = False
out, scores = mha(q, v, attention_mask=padding, return_attention_scores=True)
self_out = mha(q, q, use_causal_mask=True)

# Embedding(mask_zero=True) feeding an LSTM: the mask skips the padded steps.
encoder = keras.Sequential([
    keras.Input(shape=(None,), dtype="int32"),
    layers.Embedding(vocab, 4, mask_zero=True),
    layers.LSTM(3),
])
encoder.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in encoder.get_weights()])
tokens = np.array([[5, 3, 0, 0], [7, 1, 2, 9], [4, 0, 0, 0]])

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "prediction_sum": float(model.predict([queries[:6], values[:6]], verbose=0).sum()),
    "mha_out_sum": float(ops.convert_to_numpy(out).sum()),
    "mha_scores_masked": float(ops.convert_to_numpy(scores)[1, :, :, 3:].sum()),
    "mha_scores_sum": float(ops.convert_to_numpy(scores).sum()),
    "mha_scores_shape": float(np.prod(ops.convert_to_numpy(scores).shape)),
    "mha_causal_sum": float(ops.convert_to_numpy(self_out).sum()),
    "masked_lstm_sum": float(encoder.predict(tokens, verbose=0).sum()),
    "masked_lstm_row2_vs_trimmed": float(np.abs(encoder.predict(tokens, verbose=0)[2]
                                                - encoder.predict(tokens[2:, :1], verbose=0)[0]).max()),
}))
