"""Tests for RandomPerspective, RandomElasticTransform, ContrastLimitedAdaptiveHistogramEqualization, RandAugment
and AugMix.

Keras 3 parity where the result is pinned: the perspective warp against ``keras.ops.image.perspective_transform``
for the same corner points; the elastic layer against Keras's layer fed the same noise (both draw it from torch's
global generator without a seed); CLAHE, which is deterministic, where Keras's torch backend computes the
documented algorithm (whole-number bin limits, tiles dividing the image) and, through a padded input, the
symmetric fill; the sub-layers of RandAugment and AugMix against Keras's. The random parts on properties
(identity at zero strength, fixed top-left corner, clipping, proportion of images changed, uniform picks, the
mixing formula), the common augmenter contract (inference, seeds, unbatched inputs, symbolic shapes, configs both
ways, ``module.train()``), the deliberate differences from Keras 3.15, and errors."""

import numpy as np
import pytest
import torch
from layer_checks import (
    TOL,
    assert_same_as_keras,
    channels_layout,
    check_augmenter_common,
    check_keras_configs_load,
    keras_device,
    roundtrip,
    to_np,
)

from kerastorch import layers
from kerastorch.layers.preprocessing import aug_mix, rand_augment
from kerastorch.layers.preprocessing.random_perspective import corner_points, homographies, warp_perspective

pytestmark = pytest.mark.usefixtures("_cpu_weights")

FORMATS = ["channels_last", "channels_first"]
CLAHE = layers.ContrastLimitedAdaptiveHistogramEqualization


def _images(shape, data_format="channels_last", seed=0, high=255.0):
    """Random channels-last ``shape`` images (values in ``[0, high)``) laid out in ``data_format``, as float32."""
    x = np.random.default_rng(seed).uniform(0.0, high, size=shape).astype("float32")
    return channels_layout(x, data_format)


def _keras(layer, x, **kwargs):
    return to_np(layer(torch.tensor(x, device=keras_device()), **kwargs))


def _changed(y, x):
    """Which images of a batch differ from the input's."""
    return (y != x).flatten(1).any(1)


# ----------------------------------------------------------- RandomPerspective
@pytest.mark.parity
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_perspective_warp_matches_keras_op(keras3, interpolation, data_format):
    x = _images((3, 7, 9, 2), data_format, high=1.0)
    start = corner_points(3, 7, 9)
    end = start + start * torch.tensor(np.random.default_rng(1).uniform(-0.4, 0.4, size=(3, 4, 2)), dtype=torch.float32)
    transforms = homographies(start, end)
    theirs = keras3.ops.image.perspective_transform
    assert_same_as_keras(
        lambda t: warp_perspective(t, transforms, interpolation, 0.5, data_format),
        lambda t: theirs(
            t,
            start.to(t.device),
            end.to(t.device),
            interpolation=interpolation,
            fill_value=0.5,
            data_format=data_format,
        ),
        x,
        tol={"rtol": 1e-5, "atol": 1e-5},
    )


def test_perspective_homographies_map_end_points_to_start_points():
    start = corner_points(4, 6, 8, torch.float64)
    end = start + start * (torch.rand(4, 4, 2, dtype=torch.float64) - 0.5)
    t = homographies(start, end)
    u, v = end.unbind(-1)
    k = t[:, 6:7] * u + t[:, 7:8] * v + 1
    mapped = torch.stack(
        [(t[:, 0:1] * u + t[:, 1:2] * v + t[:, 2:3]) / k, (t[:, 3:4] * u + t[:, 4:5] * v + t[:, 5:6]) / k], -1
    )
    torch.testing.assert_close(mapped, start)
    identity = homographies(start[0], start[0]).squeeze(0)
    torch.testing.assert_close(identity, torch.tensor([1.0, 0, 0, 0, 1, 0, 0, 0], dtype=torch.float64))
    with pytest.raises(ValueError, match="homographies: expected start_points and end_points of one shape"):
        homographies(start, end[:, :3])


def test_perspective_layer_properties():
    x = torch.tensor(_images((64, 6, 5, 3)))
    assert torch.equal(layers.RandomPerspective(scale=0.0, seed=1)(x, training=True), x)
    assert torch.equal(layers.RandomPerspective(factor=0.0, seed=1)(x, training=True), x)
    y = layers.RandomPerspective(factor=(1.0, 1.0), scale=0.8, fill_value=-7.0, seed=2)(x, training=True)
    assert torch.equal(y[:, 0, 0], x[:, 0, 0])  # the top-left corner never moves, as in Keras
    assert bool(_changed(y, x).all())
    assert float(y.min()) >= -7.0 - 1e-4 and float(y.max()) <= float(x.max()) + 1e-4  # blends of input and fill
    assert float(y.min()) < 0  # some corners move inwards: the fill shows
    half = _changed(layers.RandomPerspective(factor=(0.5, 0.5), seed=3)(x, training=True), x)
    assert 16 < int(half.sum()) < 48  # each image warped with probability 1/2
    nearest = layers.RandomPerspective(interpolation="nearest", fill_value=-1.0, seed=4)(x, training=True)
    assert set(nearest.unique().tolist()) <= set(x.unique().tolist()) | {-1.0}
    line = torch.rand(2, 1, 5, 3)
    assert torch.equal(layers.RandomPerspective(seed=5)(line, training=True), line)  # corners coincide
    ints = layers.RandomPerspective(seed=6)(x.to(torch.uint8), training=True)
    assert ints.dtype == torch.float32


# ------------------------------------------------------ RandomElasticTransform
@pytest.mark.parity
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(
    "kwargs, shape",
    [
        (dict(scale=(0.7, 0.7)), (2, 12, 10, 3)),
        (dict(scale=(1.0, 1.0), fill_mode="constant", fill_value=3.0, interpolation="nearest"), (2, 9, 14, 1)),
        (dict(scale=(0.5, 0.5), value_range=(0, 200), fill_mode="mirror"), (1, 20, 20, 2)),
        (dict(scale=(1.0, 1.0), fill_mode="wrap"), (3, 40, 30, 3)),  # a 13-tap smoothing kernel
        (dict(scale=(0.3, 0.3), fill_mode="nearest"), (12, 10, 3)),  # one image: a 1-tap kernel
    ],
)
def test_elastic_matches_keras_fed_the_same_noise(keras3, data_format, kwargs, shape):
    x = _images(shape, data_format)
    ours = layers.RandomElasticTransform(factor=(1.0, 1.0), data_format=data_format, **kwargs)
    theirs = keras3.layers.RandomElasticTransform(factor=(1.0, 1.0), data_format=data_format, **kwargs)
    torch.manual_seed(3)  # both draw their noise from torch's global generator: dx, then dy
    expected = _keras(theirs, x, training=True)
    torch.manual_seed(3)
    y = ours(torch.tensor(x), training=True)
    np.testing.assert_allclose(to_np(y), expected, rtol=1e-5, atol=2e-3)
    assert not np.allclose(to_np(y), x)


def test_elastic_layer_properties():
    x = torch.tensor(_images((64, 8, 8, 3))) * 1.5  # values up to 382: the output is clipped to [0, 255]
    for layer in (layers.RandomElasticTransform(scale=0.0), layers.RandomElasticTransform(factor=0.0)):
        assert torch.equal(layer(x, training=True), x)  # as Keras: kept as they are, not clipped
    y = layers.RandomElasticTransform(factor=(1.0, 1.0), seed=1)(x, training=True)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 255.0
    clipped = torch.clamp(x, 0.0, 255.0)
    half = _changed(layers.RandomElasticTransform(factor=(0.5, 0.5), seed=2)(x, training=True), clipped)
    assert 16 < int(half.sum()) < 48
    smooth = torch.linspace(0.0, 255.0, 32).repeat(16, 32, 1).unsqueeze(-1)  # a horizontal ramp, 16 images
    weak = layers.RandomElasticTransform(scale=(0.2, 0.2), seed=3)(smooth, training=True)
    strong = layers.RandomElasticTransform(scale=(1.0, 1.0), seed=3)(smooth, training=True)
    assert 0 < float((weak - smooth).abs().mean()) < float((strong - smooth).abs().mean())
    ints = layers.RandomElasticTransform(seed=4)(x.to(torch.uint8), training=True)
    assert ints.dtype == torch.float32


# ----------------------------------------------------------------------- CLAHE
@pytest.mark.parity
@pytest.mark.parametrize(
    "shape, grid, clip_limit, value_range, levels",
    [
        ((2, 16, 16, 3), (2, 2), 4.0, (0, 255), 256),  # 8x8 tiles: a bin limit of 1
        ((1, 24, 20, 2), (3, 5), 16.0, (0, 1), 8),  # 8x4 tiles: a limit of 2, many ties
        ((2, 13, 7, 1), (3, 2), 12.8, (-1, 1), 256),  # 5x4 tiles, one added row and column
        ((3, 20, 16, 3), (4, 4), 0.0, (0, 255), 256),  # no limit
        ((1, 5, 9, 2), (8, 8), 0.0, (0, 255), 16),  # one-pixel-high tiles
        ((1, 3, 2, 1), (8, 8), 256.0, (0, 255), 256),  # a grid larger than the image
        ((2, 16, 16, 3), (1, 1), 300.0, (0, 255), 256),  # one tile: global equalization
    ],
)
@pytest.mark.parametrize("data_format", FORMATS)
def test_clahe_matches_keras(keras3, shape, grid, clip_limit, value_range, levels, data_format):
    x = np.floor(_images(shape, seed=sum(shape), high=1.0) * levels) / levels
    x = channels_layout((x * (value_range[1] - value_range[0]) + value_range[0]).astype("float32"), data_format)
    ours = CLAHE(value_range=value_range, clip_limit=clip_limit, tile_grid_size=grid, data_format=data_format)
    theirs = keras3.layers.ContrastLimitedAdaptiveHistogramEqualization(
        value_range=value_range, clip_limit=clip_limit, tile_grid_size=grid, data_format=data_format
    )
    y = to_np(ours(torch.tensor(x)))
    np.testing.assert_allclose(y, _keras(theirs, x), **TOL)
    np.testing.assert_allclose(to_np(ours(torch.tensor(x[0]))), _keras(theirs, x[0]), **TOL)
    assert y.min() >= min(value_range) - 1e-5 and y.max() <= max(value_range) + 1e-5


@pytest.mark.parity
def test_clahe_uint8_matches_keras(keras3):
    x = torch.tensor(np.random.default_rng(4).integers(0, 256, size=(2, 12, 12, 3)), dtype=torch.uint8)
    ours = CLAHE(tile_grid_size=(3, 3), clip_limit=16.0)  # 4x4 tiles: a bin limit of 1
    y = ours(x)
    assert y.dtype == torch.uint8  # cast back, as Keras
    theirs = keras3.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(3, 3), clip_limit=16.0)
    np.testing.assert_array_equal(to_np(y), _keras(theirs, to_np(x)))


@pytest.mark.parity
def test_clahe_fills_the_grid_symmetrically(keras3):
    # Keras's torch backend repeats the edge where its other backends reflect; with the image reflected by
    # NumPy beforehand, Keras's result (cropped) is the documented one.
    x = _images((2, 10, 7, 2), seed=5)
    ours = CLAHE(tile_grid_size=(3, 2), clip_limit=0)  # 4x4 tiles over 12x8
    padded = np.pad(x, [(0, 0), (0, 2), (0, 1), (0, 0)], mode="symmetric")
    expected = _keras(
        keras3.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(3, 2), clip_limit=0), padded
    )[:, :10, :7]
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), expected, **TOL)


def _one_tile_reference(values, clip_limit):
    """The documented CLAHE mapping of one tile (NumPy, float64), evaluated at each pixel's level."""
    levels = np.clip(values.astype(np.int64), 0, 255)
    hist = np.bincount(levels, minlength=256).astype(np.float64)
    if clip_limit > 0:
        clipped = np.minimum(hist, clip_limit * levels.size / 256.0)
        hist = clipped + (hist - clipped).sum() / 256.0
    cdf = np.cumsum(hist)
    mapping = np.clip((cdf - cdf[0]) * 255.0 / (levels.size - cdf[0]), 0, 255)
    return mapping[levels]


@pytest.mark.parametrize("clip_limit", [0.5, 2.0, 7.3])
def test_clahe_bin_limit_is_a_real_number(clip_limit):
    # 36 pixels: limits of 0.07, 0.28 and 1.03 pixels, which Keras's torch backend truncates (to 0 or 1).
    x = _images((6, 6, 1), seed=6) ** 1.0 * 0.4 + 60.0
    y = CLAHE(clip_limit=clip_limit, tile_grid_size=(1, 1))(torch.tensor(x))
    np.testing.assert_allclose(to_np(y).ravel(), _one_tile_reference(x.ravel(), clip_limit), rtol=1e-5, atol=1e-4)
    assert float(np.ptp(to_np(y))) > float(np.ptp(np.floor(x)))  # a real contrast boost, not the identity


def test_clahe_contract():
    x = torch.tensor(_images((2, 16, 12, 3), seed=7, high=1.0)) * 0.3 + 0.35  # a low-contrast image in [0, 1]
    layer = CLAHE(value_range=(0, 1), tile_grid_size=(2, 2))
    y = layer(x)
    assert torch.equal(layer(x, training=True), y) and torch.equal(layer(x), y)  # deterministic, always applied
    assert float(y.amax() - y.amin()) > float(x.amax() - x.amin())
    assert bool((y >= 0).all() and (y <= 1).all()) and y.dtype == torch.float32
    assert not y.requires_grad and not layer(x.clone().requires_grad_(True)).requires_grad  # a lookup
    first = CLAHE(value_range=(0, 1), tile_grid_size=(2, 2), data_format="channels_first")
    np.testing.assert_allclose(to_np(first(x.permute(0, 3, 1, 2))), to_np(y.permute(0, 3, 1, 2)), **TOL)
    symbolic = layer(layers.Input((None, None, 3)))
    assert tuple(symbolic.shape) == (None, None, None, 3)
    clone = roundtrip(CLAHE(value_range=(-1, 1), clip_limit=2.5, tile_grid_size=[4, 3]))
    assert (clone.value_range, clone.clip_limit, clone.tile_grid_size) == ((-1, 1), 2.5, (4, 3))


# ------------------------------------------------------- RandAugment and AugMix
def _spy(monkeypatch, module, result=None):
    """Record the policy layers a RandAugment / AugMix call applies (and optionally replace their output)."""
    applied = []
    original = module.apply_policy_layer

    def spy(layer, images):
        applied.append(type(layer).__name__)
        return original(layer, images) if result is None else result(images)

    monkeypatch.setattr(module, "apply_policy_layer", spy)
    return applied


def _sublayer_configs_match(keras_layer, ours):
    ignore = {"name", "seed", "dtype", "trainable"}
    for name in ours._ops:
        mine, theirs = getattr(ours, name).get_config(), getattr(keras_layer, name).get_config()
        assert type(getattr(ours, name)).__name__ == type(getattr(keras_layer, name)).__name__
        for key in set(theirs) - ignore:
            a, b = mine[key], theirs[key]
            assert (list(a) if isinstance(a, tuple) else a) == (list(b) if isinstance(b, tuple) else b), (name, key)


@pytest.mark.parity
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(factor=0.8, value_range=(0, 1), interpolation="nearest"),
        dict(factor=(0.2, 0.4), data_format="channels_first"),
    ],
)
def test_policy_sub_layers_are_keras_s(keras3, kwargs):
    _sublayer_configs_match(keras3.layers.RandAugment(**kwargs), layers.RandAugment(**kwargs))
    ours = layers.AugMix(**kwargs)
    _sublayer_configs_match(keras3.layers.AugMix(**kwargs), ours)
    assert len(ours.augmentation_layers) == 11 and len(layers.AugMix(all_ops=False).augmentation_layers) == 7
    assert len(layers.RandAugment(**kwargs).augmentation_layers) == 11


def test_rand_augment_picks_num_ops_uniformly(monkeypatch):
    applied = _spy(monkeypatch, rand_augment)
    layer = layers.RandAugment(num_ops=3, seed=1)
    x = torch.tensor(_images((2, 6, 6, 3)))
    for _ in range(110):
        assert layer(x, training=True).shape == x.shape
    assert len(applied) == 330  # num_ops per call, for the whole batch
    counts = {name: applied.count(name) for name in set(applied)}
    assert len(counts) == 11 and all(10 <= c <= 55 for c in counts.values()), counts  # about 30 each
    applied.clear()
    assert torch.equal(layers.RandAugment(num_ops=0)(x, training=True), x) and not applied


def test_aug_mix_mixes_as_documented(monkeypatch):
    # every augmentation replaced by the constant 100: deep chains always apply one, so that the output is
    # w * x + (1 - w) * 100 with one w in (0, 1) for the whole batch and the chain weights summing to 1
    applied = _spy(monkeypatch, aug_mix, result=lambda images: torch.full_like(images, 100.0))
    x = torch.tensor(_images((3, 4, 4, 3), seed=8))
    weights = []
    for _ in range(40):
        y = layers.AugMix(chain_depth=40, alpha=30.0)(x, training=True)
        w = (y - 100.0) / (x - 100.0)
        torch.testing.assert_close(w, torch.full_like(w, float(w.flatten()[0])), rtol=1e-4, atol=1e-4)
        weights.append(float(w.flatten()[0]))
    assert all(0 < w < 1 for w in weights) and abs(np.mean(weights) - 0.5) < 0.05 and np.std(weights) < 0.15
    applied.clear()
    layer = layers.AugMix(num_chains=4, chain_depth=5, all_ops=False, seed=2)
    for _ in range(50):
        layer(x, training=True)
    counts = {name: applied.count(name) for name in set(applied)}
    assert len(counts) == 7 and 825 <= len(applied) <= 925, (len(applied), counts)  # 7/8 of 1000 picks apply


def test_aug_mix_and_rand_augment_ranges():
    x = torch.tensor(_images((4, 8, 8, 3), seed=9, high=1.0))
    for layer in (
        layers.AugMix(value_range=(0, 1), factor=1.0, seed=3),
        layers.RandAugment((0, 1), factor=1.0, seed=3),
    ):
        y = layer(x, training=True)
        assert y.dtype == torch.float32 and float(y.min()) >= -1e-6 and float(y.max()) <= 1 + 1e-6
    torch.testing.assert_close(layers.AugMix(chain_depth=0)(x, training=True), x)  # chains of nothing
    ints = (x * 255).to(torch.uint8)
    assert layers.RandAugment(seed=4)(ints, training=True).dtype == torch.float32
    assert layers.AugMix(seed=4)(ints, training=True).dtype == torch.float32


# -------------------------------------------------------- the common contract
AUGMENTERS = [
    lambda seed, df: layers.RandomPerspective(scale=0.6, seed=seed, data_format=df),
    lambda seed, df: layers.RandomElasticTransform(scale=(0.5, 1.0), seed=seed, data_format=df),
    lambda seed, df: layers.RandAugment(num_ops=2, factor=0.5, seed=seed, data_format=df),
    lambda seed, df: layers.AugMix(num_chains=2, chain_depth=2, seed=seed, data_format=df),
]


@pytest.mark.parity
@pytest.mark.parametrize("make", AUGMENTERS, ids=["perspective", "elastic", "rand_augment", "aug_mix"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_augmenters_common(keras3, make, data_format):
    x = torch.rand(4, 3, 12, 12) * 255 if data_format == "channels_first" else torch.rand(4, 12, 12, 3) * 255
    check_augmenter_common(keras3, make(7, data_format), lambda: make(7, data_format), x, keras_overrides={"seed": 7})


@pytest.mark.parity
def test_keras_configs_load(keras3):
    k = keras3.layers
    pairs = [
        (
            k.RandomPerspective(0.3, scale=0.4, interpolation="nearest", fill_value=2.0),
            {"factor": (0, 0.3), "scale": 0.4, "interpolation": "nearest", "fill_value": 2.0},
        ),
        (
            k.RandomElasticTransform((0.2, 0.6), 0.5, fill_mode="mirror", value_range=(0, 1)),
            {"factor": (0.2, 0.6), "scale": (0, 0.5), "fill_mode": "mirror", "value_range": (0, 1)},
        ),
        (
            k.ContrastLimitedAdaptiveHistogramEqualization((0, 1), 2.0, (4, 6), data_format="channels_first"),
            {"value_range": (0, 1), "clip_limit": 2.0, "tile_grid_size": (4, 6), "data_format": "channels_first"},
        ),
        (
            k.RandAugment((0, 1), num_ops=4, factor=0.3, interpolation="nearest", seed=5),
            {"value_range": (0, 1), "num_ops": 4, "factor": (0, 0.3), "interpolation": "nearest", "seed": 5},
        ),
        (
            k.AugMix((-1, 1), num_chains=2, chain_depth=4, factor=(0.1, 0.2), alpha=0.5, all_ops=False),
            {
                "value_range": (-1, 1),
                "num_chains": 2,
                "chain_depth": 4,
                "factor": (0.1, 0.2),
                "alpha": 0.5,
                "all_ops": False,
            },
        ),
    ]
    for ours, (keras_layer, _) in zip(check_keras_configs_load(pairs), pairs):
        assert roundtrip(ours).get_config() == ours.get_config()
        restored = type(keras_layer).from_config(ours.get_config()).get_config()
        assert {key: restored[key] for key in ("name", "data_format")} == {
            key: ours.get_config()[key] for key in ("name", "data_format")
        }


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.RandomPerspective(scale=1.5), "RandomPerspective layer .*scale must be a number in \\[0, 1\\]"),
        (lambda: layers.RandomPerspective(scale=(0.1, 0.2)), "RandomPerspective layer .*scale must be a number"),
        (lambda: layers.RandomPerspective(factor=1.2), "RandomPerspective layer .*factor must be .*\\[0, 1\\]"),
        (lambda: layers.RandomPerspective(interpolation="bicubic"), "RandomPerspective layer .*interpolation must be"),
        (lambda: layers.RandomPerspective(seed="a"), "RandomPerspective layer .*seed"),
        (lambda: layers.RandomPerspective()(torch.ones(2, 3), training=True), "RandomPerspective layer .*rank 3"),
        (lambda: layers.RandomElasticTransform(scale=2.0), "RandomElasticTransform layer .*scale must be"),
        (lambda: layers.RandomElasticTransform(fill_mode="edge"), "RandomElasticTransform layer .*fill_mode must be"),
        (lambda: layers.RandomElasticTransform(interpolation="cubic"), "RandomElasticTransform layer .*interpolation"),
        (lambda: layers.RandomElasticTransform(value_range=(0,)), "RandomElasticTransform layer .*value_range must be"),
        (
            lambda: CLAHE(clip_limit="4"),
            "ContrastLimitedAdaptiveHistogramEqualization layer .*clip_limit must be a number",
        ),
        (
            lambda: CLAHE(tile_grid_size=(8, 0)),
            "ContrastLimitedAdaptiveHistogramEqualization layer .*tile_grid_size must be a pair of positive ints",
        ),
        (lambda: CLAHE(tile_grid_size=8), "ContrastLimitedAdaptiveHistogramEqualization layer .*tile_grid_size"),
        (lambda: CLAHE(value_range=(0, 1, 2)), "ContrastLimitedAdaptiveHistogramEqualization layer .*value_range"),
        (lambda: CLAHE()(torch.ones(2, 3)), "ContrastLimitedAdaptiveHistogramEqualization layer .*rank 3"),
        (lambda: layers.RandAugment(num_ops=-1), "RandAugment layer .*num_ops must be an int >= 0"),
        (lambda: layers.RandAugment(num_ops=1.5), "RandAugment layer .*num_ops must be an int"),
        (lambda: layers.RandAugment(factor=1.5), "RandAugment layer .*factor must be .*\\[0, 1\\]"),
        (lambda: layers.RandAugment(interpolation="bicubic"), "RandAugment layer .*interpolation must be"),
        (lambda: layers.AugMix(num_chains=0), "AugMix layer .*num_chains must be an int >= 1"),
        (lambda: layers.AugMix(chain_depth=-1), "AugMix layer .*chain_depth must be an int >= 0"),
        (lambda: layers.AugMix(alpha=0.0), "AugMix layer .*alpha must be a positive number"),
        (lambda: layers.AugMix(all_ops="yes"), "AugMix layer .*all_ops must be True or False"),
        (lambda: layers.AugMix(value_range="0-255"), "AugMix layer .*value_range must be a pair"),
    ],
)
def test_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
