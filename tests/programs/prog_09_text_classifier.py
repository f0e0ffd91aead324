"""A bag-of-embeddings text classifier: Embedding + GlobalAveragePooling1D + Dense (the basic text
classification shape), once without and once with mask_zero=True padding masks."""
import json

import keras
import numpy as np
from keras import layers

max_features = 60
sequence_length = 12

rng = np.random.default_rng(9)
# Variable-length token lists, padded to one length the way the IMDB examples do.
lengths = rng.integers(3, sequence_length + 5, size=(64,))
sequences = [list(rng.integers(1, max_features, size=(n,))) for n in lengths]
x_train = keras.utils.pad_sequences(sequences, maxlen=sequence_length, padding="post", truncating="post")
x_pre = keras.utils.pad_sequences(sequences[:4], maxlen=sequence_length)  # default: pre-padding, pre-truncating
y_train = rng.integers(0, 2, size=(64, 1)).astype("float32")

results = {}
for mask_zero in (False, True):
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, 16, mask_zero=mask_zero)(inputs)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)

    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.1, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
                  metrics=["accuracy", keras.metrics.Precision(name="precision"), keras.metrics.Recall(name="recall")])
    history = model.fit(x_train, y_train, batch_size=16, epochs=3, shuffle=False, verbose=0)
    tag = "masked" if mask_zero else "unmasked"
    results[f"{tag}_final_loss"] = float(history.history["loss"][-1])
    results[f"{tag}_accuracy"] = float(history.history["accuracy"][-1])
    results[f"{tag}_precision"] = float(history.history["precision"][-1])
    results[f"{tag}_recall"] = float(history.history["recall"][-1])
    results[f"{tag}_prediction_sum"] = float(model.predict(x_train[:8], verbose=0).sum())

results["padded_zeros"] = float((x_train == 0).sum())
results["pre_padded_checksum"] = float((x_pre * np.arange(1, sequence_length + 1)).sum())
print("RESULT " + json.dumps(results))
