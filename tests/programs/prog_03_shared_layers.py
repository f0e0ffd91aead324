"""Shared layers: one Embedding + LSTM encoder applied to two inputs (a siamese text matcher),
in the style of the functional API guide's "shared layers" section."""
import json

import keras
import numpy as np
from keras import layers

vocab = 50
shared_embedding = layers.Embedding(vocab, 8)
shared_encoder = layers.GRU(6)

text_a = keras.Input(shape=(None,), dtype="int32", name="text_a")
text_b = keras.Input(shape=(None,), dtype="int32", name="text_b")
encoded_a = shared_encoder(shared_embedding(text_a))
encoded_b = shared_encoder(shared_embedding(text_b))
diff = layers.Subtract()([encoded_a, encoded_b])
prod = layers.Multiply()([encoded_a, encoded_b])
merged = layers.Concatenate()([diff, prod])
score = layers.Dense(1, activation="sigmoid")(merged)
model = keras.Model(inputs=[text_a, text_b], outputs=score)

w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])

rng = np.random.default_rng(3)
a = rng.integers(0, vocab, size=(48, 7))
b = rng.integers(0, vocab, size=(48, 7))
y = rng.integers(0, 2, size=(48, 1)).astype("float32")

model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="binary_crossentropy",
              metrics=["accuracy", keras.metrics.AUC(name="auc")])
history = model.fit([a, b], y, batch_size=12, epochs=3, shuffle=False, verbose=0)
pred = model.predict([a[:10], b[:10]], verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "final_accuracy": float(history.history["accuracy"][-1]),
    "final_auc": float(history.history["auc"][-1]),
    "prediction_sum": float(pred.sum()),
    "n_weights": float(len(model.weights)),
    "shared_layer_weights": float(len(shared_encoder.weights)),
}))
