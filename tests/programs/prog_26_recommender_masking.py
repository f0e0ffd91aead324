"""Two more functional patterns: the keras.io collaborative-filtering recommender (user and movie
Embeddings combined by a Dot layer, plus bias embeddings) and a Masking layer in front of an LSTM
on zero-padded sequences."""
import json

import keras
import numpy as np
from keras import layers, ops

num_users, num_movies, embedding_size = 20, 30, 6

user_input = keras.Input(shape=(1,), dtype="int32", name="user")
movie_input = keras.Input(shape=(1,), dtype="int32", name="movie")
user_embedding = layers.Embedding(num_users, embedding_size, embeddings_regularizer=keras.regularizers.l2(1e-4))
user_bias = layers.Embedding(num_users, 1)
movie_embedding = layers.Embedding(num_movies, embedding_size, embeddings_regularizer=keras.regularizers.l2(1e-4))
movie_bias = layers.Embedding(num_movies, 1)
u = layers.Flatten()(user_embedding(user_input))
m = layers.Flatten()(movie_embedding(movie_input))
dot_user_movie = layers.Dot(axes=1)([u, m])
x = layers.Add()([dot_user_movie, layers.Flatten()(user_bias(user_input)), layers.Flatten()(movie_bias(movie_input))])
rating = layers.Activation("sigmoid")(x)
recommender = keras.Model([user_input, movie_input], rating)

w_rng = np.random.default_rng(0)
recommender.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in recommender.get_weights()])

rng = np.random.default_rng(26)
users = rng.integers(0, num_users, size=(80, 1))
movies = rng.integers(0, num_movies, size=(80, 1))
ratings = rng.random(size=(80, 1)).astype("float32")
recommender.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=0.01))
rec_history = recommender.fit([users, movies], ratings, batch_size=16, epochs=3, shuffle=False,
                              validation_data=([users[:16], movies[:16]], ratings[:16]), verbose=0)

sequences = rng.normal(size=(30, 9, 3)).astype("float32")
lengths = rng.integers(2, 10, size=(30,))
for i, n in enumerate(lengths):
    sequences[i, n:] = 0.0
targets = np.array([s[:n].sum() for s, n in zip(sequences, lengths)], dtype="float32")[:, None]

masked = keras.Sequential([
    keras.Input(shape=(9, 3)),
    layers.Masking(mask_value=0.0),
    layers.LSTM(8, return_sequences=True),
    layers.LSTM(4),
    layers.Dense(1),
])
masked.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in masked.get_weights()])
masked.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
masked_history = masked.fit(sequences, targets, batch_size=10, epochs=2, shuffle=False, verbose=0)
mask = masked.layers[0].compute_mask(ops.convert_to_tensor(sequences[:4]))

print("RESULT " + json.dumps({
    "recommender_loss": float(rec_history.history["loss"][-1]),
    "recommender_val_loss": float(rec_history.history["val_loss"][-1]),
    "recommender_prediction_sum": float(recommender.predict([users[:10], movies[:10]], verbose=0).sum()),
    "masked_loss": float(masked_history.history["loss"][-1]),
    "masked_prediction_sum": float(masked.predict(sequences[:6], verbose=0).sum()),
    "mask_true_count": float(ops.convert_to_numpy(mask).sum()),
}))
