"""A convolutional autoencoder (the keras.io "Convolutional autoencoder for image denoising" shape):
Conv2D + MaxPooling2D encoder, Conv2DTranspose decoder, trained on its inputs with binary crossentropy."""
import json

import keras
import numpy as np
from keras import layers

input_img = keras.Input(shape=(8, 8, 1))

# Encoder
x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input_img)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(4, (3, 3), activation="relu", padding="same")(x)
encoded = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(4, (3, 3), strides=2, activation="relu", padding="same")(encoded)
x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
decoded = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = keras.Model(input_img, decoded)
w_rng = np.random.default_rng(0)
autoencoder.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in autoencoder.get_weights()])
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")

rng = np.random.default_rng(18)
x_train = rng.random(size=(32, 8, 8, 1)).astype("float32")
noisy = np.clip(x_train + 0.2 * rng.normal(size=x_train.shape), 0.0, 1.0).astype("float32")

history = autoencoder.fit(noisy, x_train, epochs=3, batch_size=8, shuffle=False,
                          validation_data=(noisy[:8], x_train[:8]), verbose=0)
reconstruction = autoencoder.predict(noisy[:4], verbose=0)

encoder = keras.Model(input_img, encoded)
codes = encoder.predict(x_train[:4], verbose=0)

# An output_padding / valid-padding transpose convolution, called directly.
deconv = layers.Conv2DTranspose(2, (3, 3), strides=(2, 2), output_padding=1, padding="valid")
out = deconv(keras.ops.convert_to_tensor(codes))
deconv.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in deconv.get_weights()])
out = keras.ops.convert_to_numpy(deconv(keras.ops.convert_to_tensor(codes)))

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "val_loss": float(history.history["val_loss"][-1]),
    "reconstruction_sum": float(reconstruction.sum()),
    "code_sum": float(codes.sum()),
    "deconv_shape_h": float(out.shape[1]),
    "deconv_sum": float(out.sum()),
}))
