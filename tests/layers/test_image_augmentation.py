"""Tests for the image augmentation layers (RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
RandomContrast) and the batched affine transform under them: equality with Keras 3's
``ops.image.affine_transform`` on random images and matrices, Keras's transforms for pinned factors,
inference identity, seeds, gradients, data formats, unbatched inputs, configs both ways and errors."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from layer_checks import (
    TOL,
    assert_same_as_keras,
    channels_layout,
    check_augmenter_common,
    check_keras_configs_load,
    float_arrays,
    keras_clone,
    keras_device,
    to_np,
)

from kerastorch import layers
from kerastorch.backend import image

pytestmark = pytest.mark.usefixtures("_cpu_weights")

FILL_MODES = ["reflect", "wrap", "constant", "nearest"]


# ----------------------------------------------------------- affine transform
@given(
    x=float_arrays(st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 3))),
    data=st.data(),
    fill_mode=st.sampled_from(image.AFFINE_FILL_MODES),
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    fill_value=st.floats(-2, 2),
)
def test_affine_transform_matches_keras(keras3, x, data, fill_mode, interpolation, data_format, fill_value):
    assume(fill_mode != "mirror" or min(x.shape[1:]) >= 2)  # Keras divides by zero mirroring a size-1 axis
    batch = x.shape[0]
    coefficients = data.draw(float_arrays((batch, 6), low=-3.0, high=3.0))
    matrix = np.concatenate([coefficients, np.zeros((batch, 2), "float32")], 1)
    x = channels_layout(x, data_format)
    kwargs = {
        "interpolation": interpolation,
        "fill_mode": fill_mode,
        "fill_value": fill_value,
        "data_format": data_format,
    }
    assert_same_as_keras(
        lambda t: image.affine_transform(t, torch.tensor(matrix), **kwargs),
        lambda t: keras3.ops.image.affine_transform(t, torch.tensor(matrix, device=keras_device()), **kwargs),
        x,
    )
    single = image.affine_transform(torch.tensor(x[0]), torch.tensor(matrix[0]), **kwargs)  # unbatched
    np.testing.assert_allclose(
        to_np(single), to_np(image.affine_transform(torch.tensor(x[:1]), torch.tensor(matrix[:1]), **kwargs))[0], **TOL
    )


# ------------------------------------------------------------------ RandomFlip
@given(
    x=float_arrays((3, 4, 5, 2)),
    mode=st.sampled_from(["horizontal", "vertical", "horizontal_and_vertical"]),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    seed=st.integers(0, 100),
)
def test_flip_flips_each_image_or_leaves_it(x, mode, data_format, seed):
    x = channels_layout(x, data_format)
    h, w = (2, 3) if data_format == "channels_first" else (1, 2)
    dims = {"horizontal": (w,), "vertical": (h,), "horizontal_and_vertical": (h, w)}[mode]
    layer = layers.RandomFlip(mode, seed=seed, data_format=data_format)
    xt = torch.tensor(x)
    assert layer(xt) is xt and layer(xt, training=False) is xt
    y = to_np(layer(xt, training=True))
    flipped = np.flip(x, dims)
    for i in range(len(x)):
        assert np.array_equal(y[i], x[i]) or np.array_equal(y[i], flipped[i])
    again = to_np(layers.RandomFlip(mode, seed=seed, data_format=data_format)(xt, training=True))
    np.testing.assert_array_equal(y, again)  # one seed, one draw


def test_flip_draws_both_outcomes_and_grads():
    x = torch.arange(64 * 4.0).reshape(64, 1, 4, 1).requires_grad_(True)
    layer = layers.RandomFlip("horizontal", seed=0)
    y = layer(x, training=True)
    flipped = (y[:, 0, 0, 0] != x[:, 0, 0, 0]).sum().item()
    assert 10 < flipped < 54
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))
    unbatched = layer(torch.arange(4.0).reshape(1, 4, 1), training=True)
    assert unbatched.shape == (1, 4, 1)


# ------------------------------------------------------------- RandomRotation
@given(
    side=st.integers(1, 6),
    quarter=st.sampled_from([0.25, -0.25, 0.5]),
    channels=st.integers(1, 2),
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    fill_mode=st.sampled_from(FILL_MODES),
)
def test_rotation_by_quarter_turns_is_rot90(side, quarter, channels, interpolation, fill_mode):
    x = torch.rand(2, side, side, channels)
    layer = layers.RandomRotation((quarter, quarter), interpolation=interpolation, fill_mode=fill_mode)
    k = round(quarter * 4) % 4
    np.testing.assert_allclose(to_np(layer(x, training=True)), to_np(torch.rot90(x, k, dims=(1, 2))), atol=1e-4)


@given(
    x=float_arrays((2, 5, 4, 2), low=0.0, high=1.0),
    factor=st.floats(-1, 1),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    fill_mode=st.sampled_from(FILL_MODES),
)
def test_rotation_pinned_matches_keras(keras3, x, factor, data_format, interpolation, fill_mode):
    x = channels_layout(x, data_format)
    ours = layers.RandomRotation(
        (factor, factor), fill_mode=fill_mode, interpolation=interpolation, fill_value=0.5, data_format=data_format
    )
    theirs = keras_clone(keras3, ours)
    y = assert_same_as_keras(
        lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x, tol={"rtol": 1e-4, "atol": 1e-4}
    )
    assert y.shape == x.shape


# ------------------------------------------------------- RandomZoom/Translation
@given(
    x=float_arrays((2, 5, 6, 2), low=0.0, high=1.0),
    zoom=st.tuples(st.floats(-0.9, 1), st.floats(-0.9, 1)),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    same=st.booleans(),
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    fill_mode=st.sampled_from(FILL_MODES),
)
def test_zoom_pinned_matches_keras(keras3, x, zoom, data_format, same, interpolation, fill_mode):
    x = channels_layout(x, data_format)
    width = None if same else (zoom[1], zoom[1])
    ours = layers.RandomZoom(
        (zoom[0], zoom[0]), width, fill_mode=fill_mode, interpolation=interpolation, data_format=data_format
    )
    theirs = keras_clone(keras3, ours)
    assert_same_as_keras(
        lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x, tol={"rtol": 1e-4, "atol": 1e-4}
    )


@given(
    x=float_arrays((2, 5, 6, 2), low=0.0, high=1.0),
    shift=st.tuples(st.floats(-1, 1), st.floats(-1, 1)),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    fill_mode=st.sampled_from(FILL_MODES),
)
def test_translation_pinned_matches_keras(keras3, x, shift, data_format, interpolation, fill_mode):
    x = channels_layout(x, data_format)
    ours = layers.RandomTranslation(
        (shift[0], shift[0]),
        (shift[1], shift[1]),
        fill_mode=fill_mode,
        interpolation=interpolation,
        fill_value=1.5,
        data_format=data_format,
    )
    theirs = keras_clone(keras3, ours)
    assert_same_as_keras(
        lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x, tol={"rtol": 1e-4, "atol": 1e-4}
    )


def test_translation_and_zoom_exact_cases():
    x = torch.arange(16.0).reshape(1, 4, 4, 1)
    down = layers.RandomTranslation((0.25, 0.25), 0, fill_mode="constant", fill_value=-1.0)(x, training=True)
    np.testing.assert_array_equal(to_np(down)[0, :, :, 0], np.concatenate([-np.ones((1, 4)), to_np(x)[0, :3, :, 0]]))
    wrap = layers.RandomTranslation(0, (0.5, 0.5), fill_mode="wrap")(x, training=True)
    np.testing.assert_array_equal(to_np(wrap), np.roll(to_np(x), 2, axis=2))
    identity = layers.RandomZoom((0.0, 0.0))(x, training=True)
    np.testing.assert_allclose(to_np(identity), to_np(x), **TOL)


# -------------------------------------------------------------- RandomContrast
@given(
    x=float_arrays(
        st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)), low=0.0, high=255.0
    ),
    factor=st.floats(0, 1),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
    value_range=st.sampled_from([(0, 255), (0, 100)]),
)
def test_contrast_pinned_formula_and_keras(keras3, x, factor, data_format, value_range):
    x = channels_layout(x, data_format)
    ours = layers.RandomContrast((factor, factor), value_range=value_range, data_format=data_format)
    # the factor range is [1 - lower, 1 + upper]: pinning a single contrast c needs lower = 1 - c = upper - 1
    assert ours.factor == (factor, factor)
    y = to_np(ours(torch.tensor(x), training=True))
    axes = (-2, -1) if data_format == "channels_first" else (-3, -2)
    mean = x.mean(axis=axes, keepdims=True)
    lo, hi = (np.clip((x - mean) * c + mean, *value_range) for c in (1 - factor, 1 + factor))
    assert np.all((y >= np.minimum(lo, hi) - 1e-3) & (y <= np.maximum(lo, hi) + 1e-3))
    # pin the draw: the output is Keras's formula for that contrast, and the draw range is Keras's
    drawn = []
    c = 1 + factor / 2

    def pinned(shape, low, high, like):
        drawn.append((low, high))
        return torch.full(shape, c)

    ours._uniform = pinned
    y = to_np(ours(torch.tensor(x), training=True))
    assert drawn == [(1 - factor, 1 + factor)]
    np.testing.assert_allclose(y, np.clip((x - mean) * c + mean, *value_range), rtol=1e-5, atol=1e-3)
    if factor == 0.0:  # the one factor that pins Keras's draw too
        np.testing.assert_allclose(
            to_np(ours.__class__((0, 0), value_range, data_format=data_format)(torch.tensor(x), training=True)),
            to_np(keras_clone(keras3, ours)(torch.tensor(x, device=keras_device()), training=True)),
            **TOL,
        )


def test_contrast_fixed_factor_formula_and_grads():
    layer = layers.RandomContrast((0.5, 0.5), value_range=(-100, 100), seed=3)
    x = torch.tensor([[[[1.0], [3.0]], [[5.0], [7.0]]]], requires_grad=True)
    y = layer(x, training=True)
    c = (y[0, 0, 0, 0] - 4.0) / (1.0 - 4.0)
    assert 0.5 <= c.item() <= 1.5
    np.testing.assert_allclose(to_np(y), to_np((x - 4.0) * c + 4.0), **TOL)
    y.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert layer(x) is x


# ------------------------------------------------------------ RandomBrightness
@given(
    x=float_arrays(
        st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)), low=0.0, high=255.0
    ),
    delta=st.floats(-1, 1),
    value_range=st.sampled_from([(0, 255), (255, 0), (-10, 300)]),
)
def test_brightness_pinned_matches_keras(keras3, x, delta, value_range):
    ours = layers.RandomBrightness((delta, delta), value_range=value_range)
    theirs = keras_clone(keras3, ours)  # (Keras adds in place: no gradient through a leaf input there)
    xt = torch.tensor(x, requires_grad=True)
    y = ours(xt, training=True)
    np.testing.assert_allclose(
        to_np(y), to_np(theirs(torch.tensor(x, device=keras_device()), training=True)), rtol=1e-5, atol=1e-4
    )
    low, high = sorted(value_range)
    shifted = x + np.float32(delta) * np.float32(high - low)
    np.testing.assert_allclose(to_np(y), np.clip(shifted, low, high), rtol=1e-5, atol=1e-4)
    y.sum().backward()
    inside = (shifted > low) & (shifted < high)
    np.testing.assert_array_equal(to_np(xt.grad)[inside], 1.0)


# ------------------------------------------------------------ common behaviour
AUGMENTERS = [
    lambda seed, df: layers.RandomFlip(seed=seed, data_format=df),
    lambda seed, df: layers.RandomRotation(0.3, seed=seed, data_format=df),
    lambda seed, df: layers.RandomZoom(0.5, (-0.3, 0.4), seed=seed, data_format=df),
    lambda seed, df: layers.RandomTranslation(0.3, 0.3, seed=seed, data_format=df),
    lambda seed, df: layers.RandomContrast(0.8, seed=seed, data_format=df),
    lambda seed, df: layers.RandomBrightness(0.3, seed=seed, data_format=df),
]


@pytest.mark.parametrize("make", AUGMENTERS)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_augmenters_common(keras3, make, data_format):
    x = torch.rand(4, 3, 5, 5) * 255 if data_format == "channels_first" else torch.rand(4, 5, 5, 3) * 255
    layer = make(7, data_format)
    check_augmenter_common(keras3, layer, lambda: make(7, data_format), x)
    per_image = layer(x, training=True)
    assert not all(torch.equal(per_image[0], per_image[i]) for i in range(1, 4)) or isinstance(layer, layers.RandomFlip)


def test_keras_configs_load(keras3):
    pairs = [
        (keras3.layers.RandomRotation(0.2, fill_mode="wrap"), {"factor": (-0.2, 0.2), "fill_mode": "wrap"}),
        (keras3.layers.RandomContrast(0.3), {"factor": (0, 0.3), "value_range": (0, 255)}),
        (keras3.layers.RandomZoom((-0.2, 0.3)), {"height_factor": (-0.2, 0.3), "width_factor": None}),
        (keras3.layers.RandomTranslation(0.1, (0.2, -0.1)), {"height_factor": 0.1, "width_factor": (0.2, -0.1)}),
        (keras3.layers.RandomFlip("vertical", seed=3), {"mode": "vertical", "seed": 3}),
    ]
    check_keras_configs_load(pairs)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.RandomRotation(1.5), 'RandomRotation layer "random_rotation.*": factor must be'),
        (lambda: layers.RandomRotation((0.1, 0.2, 0.3)), "RandomRotation layer .*factor must be a number or a pair"),
        (lambda: layers.RandomRotation("a"), "RandomRotation layer .*factor must be"),
        (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "RandomRotation layer .*fill_mode must be one of"),
        (lambda: layers.RandomRotation(0.1, interpolation="bicubic"), "RandomRotation layer .*interpolation must be"),
        (lambda: layers.RandomZoom(-1.0), "RandomZoom layer .*height_factor must be .* in \\(-1, 1\\]"),
        (lambda: layers.RandomZoom(0.2, 1.2), "RandomZoom layer .*width_factor must be"),
        (lambda: layers.RandomTranslation(0.1, -1.1), "RandomTranslation layer .*width_factor must be .*\\[-1, 1\\]"),
        (lambda: layers.RandomContrast(-0.1), "RandomContrast layer .*factor must be .*\\[0, 1\\]"),
        (lambda: layers.RandomContrast(0.1, value_range=(1, 0)), "RandomContrast layer .*value_range must be"),
        (lambda: layers.RandomBrightness(1.5), "RandomBrightness layer .*factor must be .*\\[-1, 1\\]"),
        (lambda: layers.RandomBrightness(0.1, value_range=3), "RandomBrightness layer .*value_range must be"),
        (lambda: layers.RandomFlip("diagonal"), "RandomFlip layer .*mode must be one of"),
        (lambda: layers.RandomFlip(seed=1.5), "RandomFlip layer .*argument `seed` must be an integer or None"),
        (lambda: layers.RandomFlip(data_format="nhwc"), "RandomFlip layer .*data_format must be one of"),
        (lambda: layers.RandomFlip()(torch.ones(2, 3), training=True), "RandomFlip layer .*rank 3 .* or 4"),
    ],
)
def test_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
