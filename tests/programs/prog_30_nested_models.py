"""Models as layers (the functional API guide): an encoder and a decoder model nested in an
autoencoder, an ensemble averaging three models, and a feature-extraction model built from
another model's intermediate layer outputs."""
import json

import keras
import numpy as np
from keras import layers

encoder_input = keras.Input(shape=(6, 6, 1), name="original_img")
x = layers.Conv2D(4, 3, activation="relu")(encoder_input)
x = layers.Conv2D(4, 3, activation="relu")(x)
encoder_output = layers.GlobalMaxPooling2D()(x)
encoder = keras.Model(encoder_input, encoder_output, name="encoder")

decoder_input = keras.Input(shape=(4,), name="encoded_img")
x = layers.Reshape((2, 2, 1))(decoder_input)
x = layers.Conv2DTranspose(4, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
decoder = keras.Model(decoder_input, decoder_output, name="decoder")

autoencoder_input = keras.Input(shape=(6, 6, 1), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")

w_rng = np.random.default_rng(0)
autoencoder.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in autoencoder.get_weights()])

rng = np.random.default_rng(30)
images = rng.random(size=(24, 6, 6, 1)).astype("float32")
autoencoder.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
history = autoencoder.fit(images, images, batch_size=8, epochs=2, shuffle=False, verbose=0)


def get_model():
    inputs = keras.Input(shape=(5,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1, model2, model3 = get_model(), get_model(), get_model()
for m in (model1, model2, model3):
    m.set_weights([w_rng.normal(0, 0.5, w.shape).astype("float32") for w in m.get_weights()])
inputs = keras.Input(shape=(5,))
y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
ensemble_outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=ensemble_outputs)
ensemble_pred = ensemble_model.predict(rng.normal(size=(7, 5)).astype("float32"), verbose=0)

feature_extractor = keras.Model(
    inputs=encoder.inputs,
    outputs=[layer.output for layer in encoder.layers[1:]],
)
features = feature_extractor([images[:3]])
named = keras.Model(inputs=encoder.inputs, outputs=encoder.get_layer(index=1).output)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "reconstruction_sum": float(autoencoder.predict(images[:4], verbose=0).sum()),
    "encoder_sum": float(encoder.predict(images[:4], verbose=0).sum()),
    "n_autoencoder_weights": float(len(autoencoder.weights)),
    "ensemble_sum": float(ensemble_pred.sum()),
    "n_features": float(len(features)),
    "feature_sums": float(sum(float(keras.ops.convert_to_numpy(f).sum()) for f in features)),
    "named_feature_sum": float(named.predict(images[:3], verbose=0).sum()),
}))
