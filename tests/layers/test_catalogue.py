"""The whole layer catalogue at once: which Keras 3 layers kerastorch has, and for each built-in layer
with a simple configuration: Keras 3 parity of the inference output with copied weights, the symbolic
output shape, config round trips both ways, and get_weights/set_weights round trips."""

import numpy as np
import pytest
import torch
from layer_checks import keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")

NOT_AVAILABLE = {
    # Other frameworks' models inside a layer.
    "FlaxLayer",
    "JaxLayer",
    "TFSMLayer",
}
"""Keras 3 layers kerastorch does not provide (the README lists them too)."""


@pytest.mark.parity
def test_every_keras_layer_is_available_or_listed(keras3):
    theirs = {name for name in dir(keras3.layers) if name[0].isupper()}
    missing = {name for name in theirs if not hasattr(layers, name)}
    assert missing == NOT_AVAILABLE & theirs, sorted(missing ^ (NOT_AVAILABLE & theirs))
    readme = open(__file__.rsplit("/tests/", 1)[0] + "/README.md").read()
    assert all(name in readme for name in NOT_AVAILABLE), sorted(n for n in NOT_AVAILABLE if n not in readme)


# name, constructor arguments, input shape (with the batch axis); inputs are random floats unless noted.
CASES = [
    ("Dense", dict(units=3), (2, 4)),
    ("EinsumDense", dict(equation="abc,cd->abd", output_shape=(None, 3), bias_axes="d"), (2, 5, 4)),
    ("Activation", dict(activation="tanh"), (2, 3)),
    ("ReLU", dict(max_value=1.0), (2, 3)),
    ("Softmax", dict(axis=-1), (2, 3)),
    ("Conv1D", dict(filters=2, kernel_size=3, padding="causal"), (2, 6, 3)),
    ("Conv2D", dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 7, 7, 3)),
    ("Conv3D", dict(filters=2, kernel_size=2), (1, 4, 4, 4, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2), (2, 4, 4, 3)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, depth_multiplier=2), (2, 6, 6, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (2, 6, 6, 3)),
    ("MaxPooling2D", dict(pool_size=2), (2, 6, 6, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=2), (2, 7, 3)),
    ("GlobalAveragePooling3D", dict(), (2, 3, 3, 3, 2)),
    ("AdaptiveMaxPooling2D", dict(output_size=(2, 3)), (2, 5, 7, 3)),
    ("BatchNormalization", dict(), (4, 3)),
    ("LayerNormalization", dict(), (2, 3, 4)),
    ("GroupNormalization", dict(groups=2), (2, 5, 4)),
    ("RMSNormalization", dict(), (2, 3, 4)),
    ("UnitNormalization", dict(), (2, 4)),
    ("Dropout", dict(rate=0.5), (2, 4)),
    ("SpatialDropout2D", dict(rate=0.5), (2, 4, 4, 3)),
    ("GaussianNoise", dict(stddev=0.5), (2, 4)),
    ("GaussianDropout", dict(rate=0.5), (2, 4)),
    ("AlphaDropout", dict(rate=0.5), (2, 4)),
    ("ActivityRegularization", dict(l1=0.1), (2, 4)),
    ("Flatten", dict(), (2, 3, 4)),
    ("Reshape", dict(target_shape=(4, 3)), (2, 12)),
    ("Permute", dict(dims=(2, 1)), (2, 3, 4)),
    ("RepeatVector", dict(n=3), (2, 4)),
    ("ZeroPadding2D", dict(padding=((1, 2), (0, 1))), (2, 3, 3, 2)),
    ("Cropping1D", dict(cropping=(1, 2)), (2, 6, 3)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear"), (2, 3, 3, 2)),
    ("SimpleRNN", dict(units=3, return_sequences=True), (2, 5, 4)),
    ("LSTM", dict(units=3), (2, 5, 4)),
    ("GRU", dict(units=3, go_backwards=True), (2, 5, 4)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same"), (2, 3, 5, 5, 2)),
    ("Masking", dict(mask_value=0.0), (2, 5, 3)),
    ("Rescaling", dict(scale=1 / 255, offset=-0.5), (2, 3, 3, 1)),
    ("Resizing", dict(height=4, width=5), (2, 3, 3, 2)),
    ("CenterCrop", dict(height=2, width=2), (2, 4, 4, 3)),
    ("RandomFlip", dict(), (2, 4, 4, 3)),
    ("RandomRotation", dict(factor=0.2), (2, 4, 4, 3)),
    ("RandomZoom", dict(height_factor=0.2), (2, 4, 4, 3)),
    ("RandomTranslation", dict(height_factor=0.2, width_factor=0.2), (2, 4, 4, 3)),
    ("RandomContrast", dict(factor=0.2), (2, 4, 4, 3)),
]


def _randomize(layer, seed):
    """Random weights (positive where Keras needs them, e.g. variances)."""
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [
            np.abs(rng.normal(size=tuple(w.shape))).astype(np.asarray(w).dtype) + 0.5
            if "variance" in w.path
            else rng.normal(size=tuple(w.shape)).astype(np.asarray(w).dtype)
            for w in layer.weights
        ]
    )


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[c[0] for c in CASES])
def test_catalogue_parity_and_round_trips(keras3, name, kwargs, shape):
    cls = getattr(layers, name)
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    theirs = getattr(keras3.layers, name)(**kwargs)
    theirs(torch.tensor(x, device=keras_device()), training=False)  # build
    _randomize(theirs, 1)
    # training=False: Keras 3's augmentation layers default to training mode even outside fit
    y_theirs = to_np(theirs(torch.tensor(x, device=keras_device()), training=False))

    ours = cls(**kwargs)
    ours(torch.tensor(x))
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), y_theirs, rtol=1e-4, atol=1e-4)

    # weights round trip, and the symbolic shape agrees with the computed one
    clone = roundtrip(ours)
    clone(torch.tensor(x))
    clone.set_weights(ours.get_weights())
    for a, b in zip(clone.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(to_np(clone(torch.tensor(x))), y_theirs, rtol=1e-4, atol=1e-4)
    symbolic = cls(**kwargs)(kerastorch.Input(shape[1:]))
    assert symbolic.shape == (None, *y_theirs.shape[1:])

    # configs interchange with Keras 3
    assert type(getattr(keras3.layers, name).from_config(ours.get_config())).__name__ == name
    assert cls.from_config(theirs.get_config()).get_config().keys() == ours.get_config().keys()


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[c[0] for c in CASES])
def test_catalogue_model_save_load_and_resume(tmp_path, name, kwargs, shape):
    """Each layer in a compiled model: save -> load gives the same predictions, and one more epoch of fit
    gives bitwise the same weights in the loaded model as in the original."""
    cls = getattr(layers, name)
    torch.manual_seed(0)
    model = kerastorch.Sequential([kerastorch.Input(shape[1:]), cls(**kwargs), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, *shape[1:])).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = kerastorch.models.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for m in (model, loaded):  # the same random draws (dropout, noise, augmentation) in both runs
        torch.manual_seed(1)
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
