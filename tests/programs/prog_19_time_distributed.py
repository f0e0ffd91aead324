"""TimeDistributed: a per-frame Conv2D feature extractor over short "videos", followed by an LSTM,
and a TimeDistributed(Dense) sequence tagger."""
import json

import keras
import numpy as np
from keras import layers

frames = keras.Input(shape=(4, 6, 6, 1))
x = layers.TimeDistributed(layers.Conv2D(4, (3, 3), activation="relu"))(frames)
x = layers.TimeDistributed(layers.MaxPooling2D((2, 2)))(x)
x = layers.TimeDistributed(layers.Flatten())(x)
x = layers.LSTM(6)(x)
outputs = layers.Dense(3, activation="softmax")(x)
video_model = keras.Model(frames, outputs)

w_rng = np.random.default_rng(0)
video_model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in video_model.get_weights()])

rng = np.random.default_rng(19)
videos = rng.random(size=(24, 4, 6, 6, 1)).astype("float32")
labels = rng.integers(0, 3, size=(24,))
video_model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
history = video_model.fit(videos, labels, batch_size=8, epochs=2, shuffle=False, verbose=0)

tagger = keras.Sequential([
    keras.Input(shape=(7, 5)),
    layers.GRU(8, return_sequences=True),
    layers.TimeDistributed(layers.Dense(4, activation="softmax")),
])
tagger.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in tagger.get_weights()])
sequences = rng.normal(size=(30, 7, 5)).astype("float32")
tags = rng.integers(0, 4, size=(30, 7))
tagger.compile(optimizer=keras.optimizers.RMSprop(1e-2), loss="sparse_categorical_crossentropy",
               metrics=["accuracy"])
tag_history = tagger.fit(sequences, tags, batch_size=10, epochs=2, shuffle=False, verbose=0)

print("RESULT " + json.dumps({
    "video_final_loss": float(history.history["loss"][-1]),
    "video_prediction_sum_col0": float(video_model.predict(videos[:5], verbose=0)[:, 0].sum()),
    "tagger_final_loss": float(tag_history.history["loss"][-1]),
    "tagger_accuracy": float(tag_history.history["accuracy"][-1]),
    "tagger_prediction_col2_sum": float(tagger.predict(sequences[:3], verbose=0)[..., 2].sum()),
}))
