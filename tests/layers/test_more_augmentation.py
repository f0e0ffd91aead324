"""Tests for RandomCrop, RandomGrayscale, RandomInvert, Solarization, RandomShear and RandomPosterization:
Keras 3 parity of outputs and input gradients where the draw is pinned (factors that fix it, or Keras's
``transform_images`` fed the draws ours was pinned to), the random parts' supports, inference behaviour,
seeds, data formats, unbatched inputs, symbolic shapes, configs both ways, errors and the docstrings."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import (
    TOL,
    assert_same_as_keras,
    channels_layout,
    check_augmenter_common,
    check_keras_configs_load,
    float_arrays,
    from_keras,
    keras_clone,
    keras_device,
    roundtrip,
    to_np,
)

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")

FORMATS = st.sampled_from(["channels_last", "channels_first"])


def _hw(data_format, ndim=4):
    return (ndim - 2, ndim - 1) if data_format == "channels_first" else (ndim - 3, ndim - 2)


IMAGES = float_arrays(
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.sampled_from([1, 3])), low=0.0, high=1.0
)


# ------------------------------------------------------------------ RandomCrop
@given(
    x=float_arrays(st.tuples(st.integers(1, 2), st.integers(1, 6), st.integers(1, 6), st.integers(1, 2))),
    target=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    data_format=FORMATS,
    unbatched=st.booleans(),
)
def test_crop_training_matches_keras(keras3, x, target, data_format, unbatched):
    x = channels_layout(x, data_format)
    x = x[0] if unbatched else x
    ours = layers.RandomCrop(*target, seed=4, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    h_axis, w_axis = _hw(data_format, x.ndim)
    height, width = x.shape[h_axis], x.shape[w_axis]
    if height > target[0] and width > target[1]:  # a random window, one for the whole batch
        for layer, xt in ((ours, torch.tensor(x)), (theirs, torch.tensor(x, device=keras_device()))):
            y = to_np(layer(xt, training=True))
            windows = [
                (i, j)
                for i in range(height - target[0] + 1)
                for j in range(width - target[1] + 1)
                if np.array_equal(
                    y, np.take(np.take(x, range(i, i + target[0]), h_axis), range(j, j + target[1]), w_axis)
                )
            ]
            assert windows, type(layer).__module__
    else:  # Keras's deterministic window-and-resize
        assert_same_as_keras(
            lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x, tol={"rtol": 1e-5, "atol": 1e-4}
        )


@given(
    x=float_arrays(st.tuples(st.integers(1, 2), st.integers(1, 6), st.integers(1, 6), st.integers(1, 2))),
    target=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    data_format=FORMATS,
)
def test_crop_inference_is_aspect_crop_and_resize(keras3, x, target, data_format):
    x = channels_layout(x, data_format)
    ours = layers.RandomCrop(*target, data_format=data_format)
    resizing = keras3.layers.Resizing(*target, crop_to_aspect_ratio=True, data_format=data_format)
    assert_same_as_keras(ours, resizing, x, tol={"rtol": 1e-5, "atol": 1e-4})
    ints = torch.tensor(np.round(np.abs(x) * 40)).to(torch.uint8)
    y = ours(ints)
    assert y.dtype == torch.uint8
    np.testing.assert_array_equal(to_np(y), to_np(resizing(ints.to(keras_device()))))


def test_crop_windows_vary_and_seed_reproduces():
    x = torch.arange(2 * 8 * 9.0).reshape(2, 8, 9, 1)
    layer = layers.RandomCrop(3, 4, seed=11)
    corners = set()
    for _ in range(30):
        y = layer(x, training=True)
        assert y.shape == (2, 3, 4, 1)
        top, left = divmod(int(y[0, 0, 0, 0]), 9)
        assert torch.equal(y, x[:, top : top + 3, left : left + 4])  # same window for every image
        corners.add((top, left))
    assert len(corners) > 10 and all(t <= 5 and s <= 5 for t, s in corners)
    first = layers.RandomCrop(3, 4, seed=11)(x, training=True)
    assert torch.equal(first, layers.RandomCrop(3, 4, seed=11)(x, training=True))
    assert layers.RandomCrop(8, 9)(x) is x  # the target size already: nothing to do
    xg = x.clone().requires_grad_(True)
    layer(xg, training=True).sum().backward()
    assert xg.grad.sum() == 2 * 3 * 4 and set(xg.grad.unique().tolist()) == {0.0, 1.0}
    ints = torch.ones(1, 5, 5, 3, dtype=torch.uint8)
    assert layer(ints, training=True).dtype == torch.float32  # Keras casts in training
    symbolic = layer(kerastorch.Input((None, None, 3)))
    assert tuple(symbolic.shape) == (None, 3, 4, 3)
    clone = roundtrip(layer)
    assert (clone.height, clone.width, clone.seed) == (3, 4, 11)


# ------------------------------------------------------------- RandomGrayscale
@given(x=IMAGES, data_format=FORMATS, unbatched=st.booleans())
def test_grayscale_always_matches_keras(keras3, x, data_format, unbatched):
    x = channels_layout(x, data_format) * 255
    x = x[0] if unbatched else x
    ours = layers.RandomGrayscale(1.0, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = to_np(assert_same_as_keras(lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x))
    channel_axis = x.ndim - 3 if data_format == "channels_first" else x.ndim - 1
    assert np.ptp(y, axis=channel_axis).max() == 0  # every channel the same gray
    if x.shape[channel_axis] == 3:
        r, g, b = np.moveaxis(x, channel_axis, 0)
        np.testing.assert_allclose(np.take(y, 0, channel_axis), 0.2989 * r + 0.587 * g + 0.114 * b, **TOL)
    assert layers.RandomGrayscale(0.0, data_format=data_format)(torch.tensor(x), training=True).equal(torch.tensor(x))


def test_grayscale_per_image_and_ints(keras3):
    x = torch.rand(32, 2, 2, 3) * 255
    y = layers.RandomGrayscale(0.5, seed=2)(x, training=True)
    gray = (y[..., 0] == y[..., 1]).all(dim=(1, 2)) & (y[..., 1] == y[..., 2]).all(dim=(1, 2))
    kept = (y == x).flatten(1).all(dim=1)
    assert bool((gray ^ kept).all()) and 4 < int(gray.sum()) < 28
    ints = (x[:4] * 0 + torch.tensor([10.0, 200.0, 77.0])).to(torch.uint8)
    ours = layers.RandomGrayscale(1.0)(ints, training=True)
    theirs = keras3.layers.RandomGrayscale(1.0)(ints.to(keras_device()), training=True)
    assert ours.dtype == torch.uint8 and torch.equal(ours, theirs.cpu())


# ---------------------------------------------------------------- RandomInvert
@given(x=IMAGES, data_format=FORMATS, high=st.sampled_from([1.0, 255.0]), invert=st.booleans())
def test_invert_pinned_matches_keras(keras3, x, data_format, high, invert):
    x = channels_layout(x, data_format) * high
    p = 1.0 if invert else 0.0
    ours = layers.RandomInvert((p, p), value_range=(0, high), data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = assert_same_as_keras(lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x)
    np.testing.assert_allclose(to_np(y), high - x if invert else x, **TOL)


def test_invert_value_range_probability_and_ints():
    x = torch.rand(2, 3, 3, 1) * 2 - 1
    y = layers.RandomInvert((1.0, 1.0), value_range=(-1, 1))(x, training=True)
    assert torch.equal(y, -x)  # low + high - x stays in the range (Keras 3.15 gives 1 - x)
    many = torch.full((400, 1, 1, 1), 100.0)
    inverted = (layers.RandomInvert(seed=5)(many, training=True) == 155.0).float().mean().item()
    assert 0.4 < inverted < 0.6  # p drawn in [0, 1), then inverted with probability p: 1/2 overall
    ints = torch.full((1, 2, 2, 3), 5, dtype=torch.uint8)
    assert layers.RandomInvert((1.0, 1.0))(ints, training=True).eq(250.0).all()


# ---------------------------------------------------------------- Solarization
@given(
    x=IMAGES,
    value_range=st.sampled_from([(0, 255), (0, 1), (-1, 1), (1, -1)]),
    addition=st.floats(0, 1),
    threshold=st.floats(0, 1),
    data_format=FORMATS,
)
def test_solarization_pinned_matches_keras_transform(keras3, x, value_range, addition, threshold, data_format):
    low, high = sorted(value_range)
    x = channels_layout(x, data_format) * (high - low) + low
    ours = layers.Solarization(
        (addition, addition), (threshold, threshold), value_range=value_range, data_format=data_format
    )
    theirs = keras_clone(keras3, ours)  # Keras's draw is not pinned by these ranges: feed it the values
    draws = {
        "additions": torch.full((x.shape[0], 1, 1, 1), addition * 255, device=keras_device()),
        "thresholds": torch.full((x.shape[0], 1, 1, 1), threshold * 255, device=keras_device()),
    }
    assert_same_as_keras(
        lambda t: ours(t, training=True),
        lambda t: theirs.transform_images(t, draws, training=True),
        x,
        tol={"rtol": 1e-5, "atol": 1e-4},
    )


@given(x=IMAGES, data_format=FORMATS)
def test_solarization_defaults_invert_everything_as_keras(keras3, x, data_format):
    x = channels_layout(x, data_format) * 255
    ours = layers.Solarization(data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = assert_same_as_keras(lambda t: ours(t, training=True), lambda t: theirs(t, training=True), x)
    np.testing.assert_allclose(to_np(y), 255 - x, **TOL)


def test_solarization_draw_ranges():
    x = torch.linspace(0, 1, 11).reshape(1, 1, 11, 1).expand(64, 1, 11, 1)
    y = layers.Solarization(threshold_factor=(0.3, 0.7), value_range=(0, 1), seed=1)(x, training=True)
    solarized = (y - x).abs() > 1e-6
    assert not solarized[:, :, :3].any() and solarized[:, :, 8:].all()  # thresholds drawn in [0.3, 0.7)
    y = layers.Solarization(addition_factor=(0.5, 0.5), threshold_factor=(1.0, 1.0), seed=1)(
        torch.full((2, 1, 1, 1), 100.0), training=True
    )
    assert torch.allclose(y, torch.tensor(227.5))  # 100 + 127.5 below the threshold 255


# ---------------------------------------------------------- RandomPosterization
@given(
    x=IMAGES,
    bits=st.integers(1, 8),
    value_range=st.sampled_from([(0, 255), (0, 1), (255, 0), (-1, 1)]),
    data_format=FORMATS,
)
def test_posterization_pinned_matches_keras(keras3, x, bits, value_range, data_format):
    low, high = sorted(value_range)
    x = channels_layout(x, data_format) * (high - low) + low
    ours = layers.RandomPosterization((bits, bits), value_range=value_range, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = ours(torch.tensor(x), training=True)
    np.testing.assert_allclose(
        to_np(y), to_np(theirs(torch.tensor(x, device=keras_device()), training=True)), rtol=1e-5, atol=1e-5
    )
    levels = np.unique(np.round((to_np(y) - low) / (high - low) * 255, 3))
    assert np.all(levels % 2 ** (8 - bits) == 0)


def test_posterization_random_bits_and_no_gradient():
    x = torch.full((200, 1, 1, 1), 255.0, requires_grad=True)
    y = layers.RandomPosterization(4, seed=3)(x, training=True)
    kept = {int(v) for v in y.flatten().tolist()}
    assert kept == {128, 192, 224}  # bits drawn from [1, 4): 1, 2 or 3
    y.sum().backward()
    assert torch.equal(x.grad, torch.zeros_like(x))
    assert layers.RandomPosterization(8)(x, training=True).shape == x.shape


# ----------------------------------------------------------------- RandomShear
def _shear_matrix(sx, sy, batch=2):
    return np.tile(np.array([1, sx, 0, sy, 1, 0, 0, 0], "float32"), (batch, 1))


@given(
    x=float_arrays((2, 4, 5, 2), low=0.0, high=1.0),
    shear=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    data_format=FORMATS,
    interpolation=st.sampled_from(["bilinear", "nearest"]),
    fill_mode=st.sampled_from(["reflect", "wrap", "constant", "nearest"]),
)
def test_shear_pinned_matches_keras(keras3, x, shear, data_format, interpolation, fill_mode):
    x = channels_layout(x, data_format)
    sx, sy = shear
    ours = layers.RandomShear(
        (sx, sx), (sy, sy), interpolation=interpolation, fill_mode=fill_mode, fill_value=0.5, data_format=data_format
    )
    theirs = keras_clone(keras3, ours)
    kwargs = {"interpolation": interpolation, "fill_mode": fill_mode, "fill_value": 0.5, "data_format": data_format}
    tol = {"rtol": 1e-4, "atol": 1e-4}
    candidates = [
        to_np(
            keras3.ops.image.affine_transform(
                torch.tensor(x, device=keras_device()),
                torch.tensor(_shear_matrix(sign * sx, sign * sy), device=keras_device()),
                **kwargs,
            )
        )
        for sign in (1, -1)
    ]
    for y in (
        to_np(ours(torch.tensor(x), training=True)),
        to_np(theirs(torch.tensor(x, device=keras_device()), training=True)),
    ):
        for i in range(len(x)):  # each image sheared one way or the other
            assert any(np.allclose(y[i], c[i], **tol) for c in candidates)
    for sign_draw, sign in ((0.2, 1), (0.8, -1)):  # pin the sign: outputs and gradients are Keras's
        # the layer draws (3, batch) uniforms: the sign, then the two factors (pinned by their ranges)
        ours._uniform = lambda shape, low, high, like, d=sign_draw: torch.stack(
            [torch.full(shape[1:], d), torch.rand(shape[1:]), torch.rand(shape[1:])]
        )
        matrix = torch.tensor(_shear_matrix(sign * sx, sign * sy), device=keras_device())
        assert_same_as_keras(
            lambda t: ours(t, training=True),
            lambda t, m=matrix: keras3.ops.image.affine_transform(t, m, **kwargs),
            x,
            tol=tol,
        )


def test_shear_factor_forms(keras3):
    layer = layers.RandomShear(0.3, (0.2, 0.1))
    assert (layer.x_range, layer.y_range) == ((-0.3, 0.3), (0.1, 0.2))
    assert layer.get_config()["x_factor"] == 0.3
    keras_layer = keras_clone(keras3, layer)
    assert tuple(keras_layer.x_factor) == (-0.3, 0.3) and tuple(keras_layer.y_factor) == (0.1, 0.2)
    assert from_keras(keras_layer).x_range == (-0.3, 0.3)  # Keras's (-f, f) form loads
    x = torch.arange(12.0).reshape(1, 3, 4, 1)
    assert torch.allclose(layers.RandomShear()(x, training=True), x)  # zero shear: the identity


# ------------------------------------------------------------ common behaviour
AUGMENTERS = [
    lambda seed, df: layers.RandomGrayscale(0.5, seed=seed, data_format=df),
    lambda seed, df: layers.RandomInvert(seed=seed, data_format=df),
    lambda seed, df: layers.Solarization((0.0, 0.5), (0.2, 0.9), seed=seed, data_format=df),
    lambda seed, df: layers.RandomShear(0.4, (0.1, 0.5), seed=seed, data_format=df),
    lambda seed, df: layers.RandomPosterization(6, seed=seed, data_format=df),
]


@pytest.mark.parametrize("make", AUGMENTERS)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_augmenters_common(keras3, make, data_format):
    x = torch.rand(6, 3, 5, 5) * 255 if data_format == "channels_first" else torch.rand(6, 5, 5, 3) * 255
    first = check_augmenter_common(
        keras3, make(7, data_format), lambda: make(7, data_format), x, keras_overrides={"seed": 7}
    )
    assert not all(
        torch.equal(first[0] == x[0], first[i] == x[i]) and torch.allclose(first[0] - x[0], first[i] - x[i])
        for i in range(1, 6)
    )  # per-image draws


def test_keras_configs_load(keras3):
    k = keras3.layers
    pairs = [
        (k.RandomCrop(3, 4, seed=2), {"height": 3, "width": 4, "seed": 2}),
        (k.RandomGrayscale(0.2, data_format="channels_first"), {"factor": 0.2, "data_format": "channels_first"}),
        (k.RandomInvert(0.3, value_range=(0, 1)), {"factor": (0, 0.3), "value_range": (0, 1)}),
        (
            k.Solarization(0.2, (0.1, 0.4), value_range=(1, 0)),
            {"addition_factor": (0, 0.2), "threshold_factor": (0.1, 0.4), "value_range": [0, 1]},
        ),
        (k.RandomShear(0.3, (0.1, 0.2), fill_mode="constant"), {"y_factor": (0.1, 0.2), "fill_mode": "constant"}),
        (k.RandomPosterization(5), {"factor": (1, 5), "value_range": [0, 255]}),
    ]
    for ours, (keras_layer, _) in zip(check_keras_configs_load(pairs, ignore={"seed"}), pairs):
        assert type(keras_clone(keras3, ours)) is type(keras_layer)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: layers.RandomCrop(0, 3),
            'RandomCrop layer "random_crop.*": argument `height` must be a positive integer',
        ),
        (lambda: layers.RandomCrop(2, 2.5), "RandomCrop layer .*argument `width` must be a positive integer"),
        (lambda: layers.RandomCrop(2, 2, seed="a"), "RandomCrop layer .*argument `seed` must be an integer or None"),
        (lambda: layers.RandomCrop(2, 2)(torch.ones(2, 3), training=True), "RandomCrop layer .*rank 3 .* or 4"),
        (lambda: layers.RandomGrayscale(1.5), "RandomGrayscale layer .*factor must be a number in \\[0, 1\\]"),
        (lambda: layers.RandomGrayscale((0.1, 0.2)), "RandomGrayscale layer .*factor must be a number"),
        (
            lambda: layers.RandomGrayscale(1.0)(torch.ones(1, 2, 2, 2), training=True),
            "RandomGrayscale layer .*expected 3 \\(RGB\\) or 1 \\(grayscale\\) channels",
        ),
        (lambda: layers.RandomInvert(1.2), "RandomInvert layer .*factor must be .*\\[0, 1\\]"),
        (lambda: layers.RandomInvert((-0.1, 0.5)), "RandomInvert layer .*factor must be"),
        (lambda: layers.RandomInvert(value_range=(0, "x")), "RandomInvert layer .*value_range must be a pair"),
        (lambda: layers.Solarization(1.5), "Solarization layer .*addition_factor must be .*\\[0, 1\\]"),
        (lambda: layers.Solarization(0.1, (0.2, 1.2)), "Solarization layer .*threshold_factor must be"),
        (lambda: layers.Solarization(value_range=3), "Solarization layer .*value_range must be a pair"),
        (lambda: layers.RandomShear(-0.2), "RandomShear layer .*x_factor must be .*\\[0, 1\\]"),
        (lambda: layers.RandomShear(0.1, (0.1, 0.2, 0.3)), "RandomShear layer .*y_factor must be a number or a pair"),
        (lambda: layers.RandomShear(fill_mode="mirror"), "RandomShear layer .*fill_mode must be one of"),
        (lambda: layers.RandomPosterization(0), "RandomPosterization layer .*factor must be an int .*\\[1, 8\\]"),
        (lambda: layers.RandomPosterization((2, 9)), "RandomPosterization layer .*factor must be"),
        (lambda: layers.RandomPosterization(2.5), "RandomPosterization layer .*factor must be an int"),
        (lambda: layers.RandomPosterization(3, value_range=(0, 1, 2)), "RandomPosterization layer .*value_range"),
    ],
)
def test_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
