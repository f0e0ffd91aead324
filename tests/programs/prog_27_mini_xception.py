"""The keras.io "Image classification from scratch" small Xception-like network, scaled down:
Rescaling, SeparableConv2D + BatchNormalization blocks with strided 1x1 Conv2D residual projections,
GlobalAveragePooling2D; plus UpSampling2D / ZeroPadding2D / Cropping2D / DepthwiseConv2D shapes."""
import json

import keras
import numpy as np
from keras import layers


def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)

    # Entry block
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [8, 16]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.SeparableConv2D(16, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes

    x = layers.Dropout(0.0)(x)
    # We specify activation=None so as to return logits
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)


model = make_model(input_shape=(16, 16, 3), num_classes=2)
w_rng = np.random.default_rng(0)
model.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])
for layer in model.layers:
    if isinstance(layer, layers.BatchNormalization):
        gamma, beta, mean, var = layer.get_weights()
        layer.set_weights([1.0 + gamma, beta, mean, np.abs(var) + 0.5])

rng = np.random.default_rng(27)
images = rng.integers(0, 256, size=(24, 16, 16, 3)).astype("float32")
labels = rng.integers(0, 2, size=(24, 1)).astype("float32")

# SGD, not the example's Adam: the biases of the convolutions feeding BatchNormalization get gradients
# that are zero up to rounding noise (the normalization removes any constant shift), and Adam's
# normalized steps would turn that noise into full-size updates, leaving the results to rounding.
model.compile(
    optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(name="acc")],
)
history = model.fit(images, labels, epochs=2, batch_size=8, shuffle=False, verbose=0)
logits = model.predict(images[:6], verbose=0)

shapes_model = keras.Sequential([
    keras.Input(shape=(5, 5, 2)),
    layers.ZeroPadding2D(padding=(1, 2)),
    layers.DepthwiseConv2D(3, depth_multiplier=2),
    layers.UpSampling2D(size=2),
    layers.Cropping2D(cropping=((1, 1), (2, 0))),
    layers.Conv2D(3, 2, strides=2, activation="relu"),
    layers.AveragePooling2D(2),
])
shapes_model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in shapes_model.get_weights()])
shaped = shapes_model.predict(rng.normal(size=(2, 5, 5, 2)).astype("float32"), verbose=0)

print("RESULT " + json.dumps({
    "final_loss": float(history.history["loss"][-1]),
    "final_acc": float(history.history["acc"][-1]),
    "logit_sum": float(logits.sum()),
    "logit_abs_sum": float(np.abs(logits).sum()),
    "param_count": float(model.count_params()),
    "shapes_out_h": float(shaped.shape[1]),
    "shapes_out_w": float(shaped.shape[2]),
    "shapes_sum": float(shaped.sum()),
}))
