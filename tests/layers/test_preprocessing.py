"""Tests for the deterministic preprocessing layers (Rescaling, Normalization, Resizing, CenterCrop): Keras 3
parity on drawn shapes and arguments, adapt on every kind of data, symbolic shapes, configs both ways, errors
and a small model that trains with fit."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, assert_same_as_keras, float_arrays, from_keras, keras_clone, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def images(draw, max_side=6, batched=None):
    """(array, data_format): a rank-4 (or rank-3) float32 image array in a drawn data format."""
    batched = draw(st.booleans()) if batched is None else batched
    shape = (draw(st.integers(1, 3)),) if batched else ()
    shape += (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)), draw(st.integers(1, 3)))
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    x = draw(float_arrays(shape, low=0.0, high=10.0))
    if data_format == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, -3))
    return x, data_format


# ------------------------------------------------------------------ Rescaling
@given(x=float_arrays(min_dims=2, max_dims=4), per_channel=st.booleans(), offset=st.floats(-2, 2))
def test_rescaling_parity(keras3, x, per_channel, offset):
    channels = x.shape[-1]
    scale = [0.5 + i for i in range(channels)] if per_channel else 1 / 255
    ours = layers.Rescaling(scale, offset=offset)
    assert_same_as_keras(ours, keras_clone(keras3, ours), x)
    loaded = from_keras(keras3.layers.Rescaling(scale, offset))
    assert (loaded.scale, loaded.offset) == (ours.scale, ours.offset)


def test_rescaling_per_channel_and_int_inputs():
    layer = layers.Rescaling([1.0, 10.0], offset=[0.0, 1.0])
    y = layer(torch.ones(2, 3, 2, dtype=torch.uint8))
    assert y.dtype == torch.float32
    assert y[..., 0].eq(1).all() and y[..., 1].eq(11).all()
    kerastorch.config.set_image_data_format("channels_first")
    try:
        cf = layers.Rescaling([1.0, 10.0], offset=[0.0, 1.0])(torch.ones(2, 2, 3, 3))
        assert cf[:, 0].eq(1).all() and cf[:, 1].eq(11).all()
    finally:
        kerastorch.config.set_image_data_format("channels_last")
    clone = roundtrip(layer)
    assert clone.scale == [1.0, 10.0] and clone.offset == [0.0, 1.0]
    with pytest.raises(ValueError, match='Rescaling layer "rescaling_.*": scale must be a number'):
        layers.Rescaling("big")


# -------------------------------------------------------------- Normalization
@given(x=float_arrays(min_dims=2, max_dims=4, max_side=4), invert=st.booleans(), data=st.data())
def test_normalization_adapt_parity(keras3, x, invert, data):
    ndim = x.ndim
    axis = data.draw(st.sampled_from([-1, None, (1,) if ndim > 1 else -1, (1, -1) if ndim > 2 else -1]))
    ours = layers.Normalization(axis=axis, invert=invert)
    theirs = keras3.layers.Normalization(axis=axis, invert=invert)
    ours.adapt(x)
    theirs.adapt(x)
    assert (
        [w.name for w in ours.weights]
        == [w.path.split("/")[-1] for w in theirs.weights]
        == ["mean", "variance", "count"]
    )
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    for a, b in zip(ours.get_weights()[:2], theirs.get_weights()[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    theirs.set_weights(ours.get_weights())  # the same statistics on both sides
    assert_same_as_keras(ours, theirs, x, tol={"rtol": 1e-4, "atol": 1e-4})


@given(
    mean=st.lists(st.floats(-3, 3), min_size=3, max_size=3),
    var=st.lists(st.floats(0, 4), min_size=3, max_size=3),
    invert=st.booleans(),
    x=float_arrays((2, 2, 3)),
)
def test_normalization_given_statistics_parity(keras3, mean, var, invert, x):
    ours = layers.Normalization(mean=mean, variance=var, invert=invert)
    theirs = keras_clone(keras3, ours)
    assert ours.get_config()["mean"] == mean and ours.get_config()["variance"] == var
    assert_same_as_keras(ours, theirs, x)
    assert ours.weights == [] and theirs.weights == []
    assert roundtrip(ours).get_config() == ours.get_config()
    from_keras(keras3.layers.Normalization(mean=mean, variance=var, invert=invert))


def test_normalization_formula_and_epsilon():
    layer = layers.Normalization(mean=[1.0, 2.0], variance=[0.0, 4.0])
    y = layer(torch.tensor([[1.0, 4.0]]))
    assert y[0, 1] == 1.0 and y[0, 0] == 0.0
    assert layer(torch.tensor([[1.0 + 2**-20, 2.0]]))[0, 0].item() == pytest.approx(2**-20 / 1e-7, rel=1e-5)
    inverse = layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0], invert=True)
    np.testing.assert_allclose(to_np(inverse(torch.tensor([[1.0, 1.0]]))), [[2.0, 4.0]])


def _batches(x, size):
    return [x[i : i + size] for i in range(0, len(x), size)]


def test_normalization_adapt_sources_agree():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(50, 3)) * [1.0, 10.0, 1e-3] + [1e4, -5.0, 0.0]).astype("float32")
    expected_mean, expected_var = x.astype("float64").mean(0), x.astype("float64").var(0)
    tensors = torch.tensor(x)
    sources = [
        x,
        tensors,
        x.tolist(),
        _batches(x, 7),
        (b for b in _batches(tensors, 9)),
        torch.utils.data.TensorDataset(tensors),
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tensors, torch.zeros(50)), batch_size=11),
    ]
    for source in sources:
        layer = layers.Normalization()
        layer.adapt(source)
        np.testing.assert_allclose(layer.mean.numpy(), expected_mean, rtol=1e-6)
        np.testing.assert_allclose(layer.variance.numpy(), expected_var, rtol=1e-4)
        assert int(layer.count.numpy()) == 50
    layer = layers.Normalization()
    layer.adapt(x, batch_size=8)
    np.testing.assert_allclose(layer.variance.numpy(), expected_var, rtol=1e-4)
    layer.adapt(x, batch_size=10, steps=2)  # only the first 20 rows
    np.testing.assert_allclose(layer.mean.numpy(), x[:20].astype("float64").mean(0), rtol=1e-5)


def test_normalization_weights_and_errors():
    layer = layers.Normalization(axis=(1, -1))
    layer.adapt(np.random.default_rng(0).random((4, 3, 2, 5)))
    assert [(w.name, tuple(w.shape), w.trainable) for w in layer.weights] == [
        ("mean", (3, 5), False),
        ("variance", (3, 5), False),
        ("count", (), False),
    ]
    clone = layers.Normalization(axis=(1, -1))
    clone.build((None, 3, 2, 5))
    clone.set_weights(layer.get_weights())
    x = torch.rand(2, 3, 2, 5)
    np.testing.assert_allclose(to_np(clone(x)), to_np(layer(x)), **TOL)
    with pytest.raises(ValueError, match='Normalization layer "normalization.*": adapt\\(\\) data of shape'):
        layer.adapt(np.zeros((4, 2, 2, 5)))
    with pytest.raises(ValueError, match="Normalization layer .*mean and variance must be given together"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="Normalization layer .*same shape"):
        layers.Normalization(mean=[1.0], variance=[1.0, 2.0])
    with pytest.raises(ValueError, match="Normalization layer .*empty iterable"):
        layers.Normalization().adapt([])
    with pytest.raises(TypeError, match="Normalization layer .*adapt\\(\\) expects"):
        layers.Normalization().adapt(3)
    with pytest.raises(ValueError, match="Normalization layer .*every axis must be in"):
        layers.Normalization(axis=3)(torch.ones(2, 3))


def test_normalization_adapted_model_fits():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(32, 3)) * 100 + 50).astype("float32")
    y = (x[:, :1] > 50).astype("float32")
    norm = layers.Normalization()
    norm.adapt(x)
    model = kerastorch.Sequential([kerastorch.Input((3,)), norm, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = norm.get_weights()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2
    for a, b in zip(before, norm.get_weights()):
        np.testing.assert_array_equal(a, b)  # the statistics are not trained
    assert abs(float(to_np(model.layers[0](torch.tensor(x))).mean())) < 1e-3


# ------------------------------------------------------------------ Resizing
@given(
    img=images(),
    size=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    interpolation=st.sampled_from(["bilinear", "nearest", "bicubic"]),
    aspect=st.sampled_from([None, "crop", "pad"]),
    antialias=st.booleans(),
)
def test_resizing_parity(keras3, img, size, interpolation, aspect, antialias):
    x, data_format = img
    ours = layers.Resizing(
        *size,
        interpolation=interpolation,
        crop_to_aspect_ratio=aspect == "crop",
        pad_to_aspect_ratio=aspect == "pad",
        fill_value=0.5,
        antialias=antialias,
        data_format=data_format,
    )
    theirs = keras_clone(keras3, ours)
    y = assert_same_as_keras(ours, theirs, x, tol={"rtol": 1e-4, "atol": 1e-4})
    assert tuple(y.shape) == ours.compute_output_shape(x.shape) == tuple(theirs.compute_output_shape(x.shape))
    assert roundtrip(ours).get_config() == ours.get_config()


def test_resizing_symbolic_and_int():
    out = layers.Resizing(3, 5)(kerastorch.Input((None, None, 2)))
    assert tuple(out.shape) == (None, 3, 5, 2)
    cf = layers.Resizing(3, 5, data_format="channels_first")(kerastorch.Input((2, None, 7)))
    assert tuple(cf.shape) == (None, 2, 3, 5)
    y = layers.Resizing(2, 2)(torch.full((1, 4, 4, 1), 200, dtype=torch.uint8))
    assert y.dtype == torch.uint8 and y.eq(200).all()
    with pytest.raises(ValueError, match='Resizing layer "resizing.*": interpolation must be one of'):
        layers.Resizing(2, 2, interpolation="lanczos3")
    with pytest.raises(ValueError, match="Resizing layer .*only one of crop_to_aspect_ratio"):
        layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="Resizing layer .*argument `height` must be a positive integer"):
        layers.Resizing(0, 2)
    with pytest.raises(ValueError, match="Resizing layer .*rank 3 .* or 4"):
        layers.Resizing(2, 2)(torch.ones(2, 3))


# ---------------------------------------------------------------- CenterCrop
@given(img=images(), size=st.tuples(st.integers(1, 7), st.integers(1, 7)))
def test_center_crop_parity(keras3, img, size):
    x, data_format = img
    ours = layers.CenterCrop(*size, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = assert_same_as_keras(ours, theirs, x, tol={"rtol": 1e-4, "atol": 1e-4})
    assert tuple(y.shape) == ours.compute_output_shape(x.shape)
    assert roundtrip(ours).get_config() == ours.get_config()


def test_center_crop_window_and_symbolic():
    x = torch.arange(30.0).reshape(1, 5, 6, 1)
    np.testing.assert_array_equal(to_np(layers.CenterCrop(3, 2)(x))[0, :, :, 0], to_np(x)[0, 1:4, 2:4, 0])
    assert tuple(layers.CenterCrop(2, 3)(kerastorch.Input((None, None, 3))).shape) == (None, 2, 3, 3)
    assert tuple(layers.CenterCrop(2, 2)(torch.ones(1, 1, 3, 2)).shape) == (1, 2, 2, 2)  # too small: resized


# ------------------------------------------------------------- model, exports
def test_augmented_model_trains_and_predicts():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = (rng.random((16, 6, 6, 3)) * 255).astype("float32")
    y = rng.integers(0, 2, size=(16, 1)).astype("float32")
    model = kerastorch.Sequential(
        [
            kerastorch.Input((6, 6, 3)),
            layers.Rescaling(1 / 255),
            layers.RandomFlip(seed=1),
            layers.Conv2D(4, 3),
            layers.GlobalAveragePooling2D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert all(np.isfinite(history.history["loss"]))
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, second)  # no augmentation in predict
    manual = model.layers[-1](model.layers[-2](model.layers[-3](model.layers[0](torch.tensor(x)))))
    np.testing.assert_allclose(first, to_np(manual), **TOL)


def test_exports():
    for name in (
        "CenterCrop",
        "Normalization",
        "RandomBrightness",
        "RandomContrast",
        "RandomFlip",
        "RandomRotation",
        "RandomTranslation",
        "RandomZoom",
        "Rescaling",
        "Resizing",
    ):
        assert getattr(kerastorch.layers, name).__module__.startswith("kerastorch.layers.preprocessing")
