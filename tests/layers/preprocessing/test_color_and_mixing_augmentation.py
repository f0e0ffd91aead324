"""Tests for RandomErasing, RandomGaussianBlur, RandomSaturation, RandomHue, RandomSharpness,
RandomColorDegeneration, RandomColorJitter, AutoContrast, Equalization, MixUp, CutMix and Pipeline.

Keras 3 parity where the output is deterministic (factors that pin the draw, fixed sigmas, AutoContrast and
Equalization) or where Keras's ``transform_images`` is fed the draws ours was pinned to; the random parts on
properties (ranges, direction of the effect, identity at zero strength, per-image draws, seeds); the common
augmenter contract (inference, unbatched inputs, symbolic shapes, configs both ways, ``module.train()``);
the deliberate differences from Keras 3.15; errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import (
    TOL,
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
RGB = float_arrays(st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.just(3)), low=0.0, high=1.0)
FEW = settings(max_examples=6)


def _keras(layer, x, **kwargs):
    return to_np(layer(torch.tensor(x, device=keras_device()), **kwargs))


def _train(layer, x):
    return to_np(layer(torch.tensor(x), training=True))


def _scaled(x, value_range):
    low, high = value_range
    return (x * (high - low) + low).astype("float32")


# ------------------------------------------------------------ deterministic parity
@FEW
@given(x=RGB, value_range=st.sampled_from([(0, 255), (0, 1), (-1, 1)]), data_format=FORMATS, unbatched=st.booleans())
def test_auto_contrast_matches_keras(keras3, x, value_range, data_format, unbatched):
    x = _scaled(x, value_range)
    x[0, ..., 0] = value_range[0] + 0.25  # a constant channel is left as it is
    x = x[0] if unbatched else x
    ours = layers.AutoContrast(value_range=value_range)
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), _keras(keras_clone(keras3, ours), x), **TOL)
    # channels first: per channel (Keras 3.15 reduces over axes 1 and 2 whatever the format)
    ours_first = layers.AutoContrast(value_range=value_range, data_format=data_format)
    y = to_np(ours_first(torch.tensor(channels_layout(x, data_format))))
    np.testing.assert_allclose(y, channels_layout(to_np(ours(torch.tensor(x))), data_format), **TOL)


def test_auto_contrast_stretches_per_channel_in_inference_too():
    x = torch.tensor([[[[10.0, 5.0], [20.0, 5.0]], [[30.0, 5.0], [40.0, 5.0]]]])
    model = kerastorch.Sequential([kerastorch.Input((2, 2, 2)), layers.AutoContrast()])
    y = torch.as_tensor(model.predict(x, verbose=0))
    assert y[..., 0].flatten().tolist() == [0.0, 85.0, 170.0, 255.0] and torch.equal(y[..., 1], x[..., 1])
    xg = x.clone().requires_grad_(True)
    layers.AutoContrast()(xg).sum().backward()
    assert torch.isfinite(xg.grad).all() and torch.equal(xg.grad[..., 1], torch.ones(1, 2, 2))
    assert layers.AutoContrast()(x.to(torch.uint8)).dtype == torch.float32


@FEW
@given(
    data=st.data(),
    value_range=st.sampled_from([(0, 255), (0, 1), (-1, 1)]),
    bins=st.sampled_from([256, 64, 7]),
    data_format=FORMATS,
)
def test_equalization_matches_keras_on_one_image(keras3, data, value_range, bins, data_format):
    shape = (1, data.draw(st.integers(2, 8)), data.draw(st.integers(2, 8)), data.draw(st.sampled_from([1, 3])))
    levels = data.draw(st.sampled_from([None, 4, 256]))  # a few values (ties, empty bins) or any
    x = np.random.default_rng(data.draw(st.integers(0, 99))).uniform(size=shape)
    x = _scaled(x if levels is None else np.floor(x * levels) / levels, value_range)
    x = channels_layout(x, data_format)
    ours = layers.Equalization(value_range=value_range, bins=bins, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), _keras(theirs, x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(to_np(ours(torch.tensor(x[0]))), _keras(theirs, x[0]), rtol=1e-6, atol=1e-6)


def test_equalization_spreads_values_and_is_per_image():
    x = torch.tensor([[0.0, 10.0, 10.0, 20.0]]).reshape(1, 2, 2, 1)
    y = layers.Equalization()(x)  # inference too
    assert y.flatten().tolist() == [0.0, 170.0, 170.0, 255.0]
    batch = torch.cat([x, x * 3, torch.full_like(x, 9.0)])
    per_image = torch.cat([layers.Equalization()(image[None]) for image in batch])
    assert torch.equal(layers.Equalization()(batch), per_image)  # Keras 3.15 counts over the batch
    assert torch.equal(per_image[2], batch[2])  # one occupied bin: unchanged
    model = kerastorch.Sequential([kerastorch.Input((2, 2, 1)), layers.Equalization()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), to_np(y))


@FEW
@given(x=RGB, sigma=st.floats(0.1, 1.0), kernel_size=st.sampled_from([1, 3, 5]), data_format=FORMATS)
def test_gaussian_blur_with_fixed_sigma_matches_keras(keras3, x, sigma, kernel_size, data_format):
    x = channels_layout(x * 255, data_format)
    ours = layers.RandomGaussianBlur((1.0, 1.0), kernel_size=kernel_size, sigma=(sigma, sigma), data_format=data_format)
    np.testing.assert_allclose(_train(ours, x), _keras(keras_clone(keras3, ours), x), rtol=1e-5, atol=1e-3)


@FEW
@given(x=RGB, factor=st.floats(0.0, 1.0), data_format=FORMATS, negative=st.booleans())
def test_sharpness_and_color_degeneration_pinned_match_keras(keras3, x, factor, data_format, negative):
    x = channels_layout(x * 255, data_format)
    sharpness = layers.RandomSharpness((factor, factor), data_format=data_format)
    np.testing.assert_allclose(_train(sharpness, x), _keras(keras_clone(keras3, sharpness), x), rtol=1e-5, atol=1e-3)
    f = -factor if negative else factor
    degeneration = layers.RandomColorDegeneration((f, f), data_format=data_format)
    np.testing.assert_allclose(
        _train(degeneration, x), _keras(keras_clone(keras3, degeneration), x), rtol=1e-5, atol=1e-3
    )


@FEW
@given(x=RGB, factor=st.floats(0.0, 1.0), data_format=FORMATS)
def test_saturation_pinned_matches_keras(keras3, x, factor, data_format):
    x = channels_layout(x, data_format)
    unit = layers.RandomSaturation((factor, factor), value_range=(0, 1), data_format=data_format)
    np.testing.assert_allclose(_train(unit, x), _keras(keras_clone(keras3, unit), x), rtol=1e-5, atol=1e-5)
    if factor <= 0.5:  # the scaled saturation stays at most 1: Keras's clip to value_range does not matter
        bytes_ = layers.RandomSaturation((factor, factor), data_format=data_format)
        np.testing.assert_allclose(
            _train(bytes_, x * 255), _keras(keras_clone(keras3, bytes_), x * 255), rtol=1e-5, atol=1e-3
        )


@FEW
@given(x=RGB, factor=st.floats(0.0, 1.0), value_range=st.sampled_from([(0, 255), (0, 1), (-1, 1)]), data_format=FORMATS)
def test_hue_pinned_matches_keras_transform(keras3, x, factor, value_range, data_format):
    x = channels_layout(_scaled(x, value_range), data_format)
    ours = layers.RandomHue((factor, factor), value_range=value_range, data_format=data_format)
    theirs = keras_clone(keras3, ours)
    y = _train(ours, x)  # each image turned by +factor / 2 or -factor / 2
    turned = [
        to_np(
            theirs.transform_images(
                torch.tensor(x, device=keras_device()), {"factor": torch.full((len(x),), sign * factor / 2)}
            )
        )
        for sign in (1, -1)
    ]
    tol = 2e-5 * (value_range[1] - value_range[0])
    for i in range(len(x)):
        assert any(np.allclose(y[i], t[i], rtol=1e-5, atol=tol) for t in turned)


@pytest.mark.parametrize("fill_value", [5.0, (1.0, 300.0, -4.0)])
def test_erasing_everything_matches_keras(keras3, fill_value):
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 5, 3)).astype("float32")
    ours = layers.RandomErasing((1.0, 1.0), scale=(1.0, 1.0), fill_value=fill_value)
    y = _train(ours, x)
    np.testing.assert_array_equal(y, _keras(keras_clone(keras3, ours), x))
    np.testing.assert_array_equal(y, np.broadcast_to(np.clip(fill_value, 0, 255), x.shape))  # clipped to the range


def test_color_jitter_pinned_matches_keras(keras3):
    x = np.random.default_rng(1).uniform(0, 255, (3, 4, 4, 3)).astype("float32")
    ours = layers.RandomColorJitter(
        brightness_factor=(0.1, 0.1),
        contrast_factor=(0.0, 0.0),  # c in [1, 1]
        saturation_factor=(0.3, 0.3),
        hue_factor=(0.0, 0.0),
        seed=1,
    )
    np.testing.assert_allclose(_train(ours, x), _keras(keras_clone(keras3, ours), x), rtol=1e-5, atol=2e-3)


# ------------------------------------------------------------ random draws: properties
def test_erasing_boxes_fill_and_probability():
    x = torch.zeros(200, 6, 8, 1)
    y = layers.RandomErasing(scale=(0.25, 0.25), fill_value=1.0, seed=3)(x, training=True)
    erased = y.flatten(1).sum(1)
    assert set(erased.tolist()) <= {0.0, 12.0}  # 3 x 4 pixel boxes (half the height and width)
    assert 0.4 < (erased > 0).float().mean() < 0.6  # probability drawn in [0, 1): 1/2 overall
    rows, cols = y[..., 0].amax(2), y[..., 0].amax(1)
    assert len({tuple(r.tolist()) for r in rows[erased > 0]}) > 1 and len({tuple(c.tolist()) for c in cols}) > 1
    noise = layers.RandomErasing((1.0, 1.0), scale=(1.0, 1.0), value_range=(0, 1), seed=0)(
        torch.full((1, 32, 32, 3), 0.5), training=True
    )
    assert noise.min() == 0.0 and noise.max() <= 1.0 and 0.3 < (noise == 0).float().mean() < 0.7  # N(0, 1) clipped
    assert torch.equal(layers.RandomErasing(0.0)(x, training=True), x)


def test_gaussian_blur_smooths_and_keeps_the_mean():
    x = torch.zeros(64, 9, 9, 1)
    x[:, 4, 4] = 100.0
    y = layers.RandomGaussianBlur(kernel_size=(5, 3), sigma=(0.5, 1.0), seed=2)(x, training=True)
    blurred = y[:, 4, 4, 0] < 100
    assert 10 < int(blurred.sum()) < 54  # probability drawn in [0, 1): 1/2 overall
    assert torch.allclose(y.sum((1, 2, 3)), torch.tensor(100.0))  # normalized kernel, no mass lost
    assert torch.equal(
        y[blurred][:, 4, 2:7, 0] > 0, torch.tensor([False, True, True, True, False]).expand(int(blurred.sum()), 5)
    )  # 3 wide
    assert (y[blurred][:, 2:7, 4, 0] > 0).all()  # 5 high
    centres = y[blurred][:, 4, 4, 0]
    assert len(set(centres.tolist())) > 5  # sigmas drawn per image
    assert torch.equal(layers.RandomGaussianBlur(0.0)(x, training=True), x)


def test_saturation_direction_and_bounds():
    x = torch.rand(16, 4, 4, 3) * 255

    def saturation(y):
        high, low = y.amax(-1), y.amin(-1)
        return (high - low) / high

    more = layers.RandomSaturation((0.6, 1.0), seed=1)(x, training=True)
    less = layers.RandomSaturation((0.0, 0.4), seed=1)(x, training=True)
    assert (saturation(more) >= saturation(x) - 1e-5).all() and (saturation(less) <= saturation(x) + 1e-5).all()
    assert torch.allclose(more.amax(-1), x.amax(-1)) and torch.allclose(less.amax(-1), x.amax(-1))  # value kept
    full = layers.RandomSaturation((1.0, 1.0))(x, training=True)  # Keras 3.15 gives values below 0 here
    assert torch.allclose(full.amin(-1), torch.zeros(()), atol=1e-3) and full.max() <= 255
    gray = layers.RandomSaturation((-0.5, 0.0))(x, training=True)
    assert torch.allclose(gray, x.amax(-1, keepdim=True).expand_as(x))
    assert torch.allclose(layers.RandomSaturation((0.5, 0.5))(x, training=True), x, atol=1e-4)


def test_hue_turns_keep_value_and_saturation():
    x = torch.rand(32, 3, 3, 3)
    y = layers.RandomHue(1.0, value_range=(0, 1), seed=4)(x, training=True)
    assert torch.allclose(y.amax(-1), x.amax(-1), atol=1e-6)
    assert torch.allclose(y.amax(-1) - y.amin(-1), x.amax(-1) - x.amin(-1), atol=1e-5)
    assert not torch.allclose(y, x, atol=1e-3)
    assert torch.allclose(layers.RandomHue(0.0, value_range=(0, 1))(x, training=True), x, atol=1e-6)
    red = torch.tensor([255.0, 0.0, 0.0]).expand(400, 1, 1, 3)
    turns = layers.RandomHue((0.5, 0.5), seed=0)(red, training=True).reshape(400, 3)  # a quarter turn either way
    yellow_green, violet = torch.tensor([127.5, 255.0, 0.0]), torch.tensor([127.5, 0.0, 255.0])
    forward = torch.isclose(turns, yellow_green, atol=1e-3).all(1)
    assert (forward | torch.isclose(turns, violet, atol=1e-3).all(1)).all() and 150 < int(forward.sum()) < 250


def test_sharpness_and_degeneration_directions():
    x = torch.rand(8, 6, 6, 3) * 255
    inner = (slice(None), slice(1, -1), slice(1, -1))

    def roughness(y):
        return (y[:, 1:] - y[:, :-1]).abs().mean()

    sharp = layers.RandomSharpness((1.0, 1.0), value_range=(-1000, 1000))(x, training=True)
    soft = layers.RandomSharpness((0.0, 0.0))(x, training=True)
    assert roughness(sharp[inner]) > roughness(x[inner]) > roughness(soft[inner])
    assert torch.equal(layers.RandomSharpness((0.5, 0.5))(x, training=True), x)
    gray = layers.RandomColorDegeneration((1.0, 1.0))(x, training=True)
    assert torch.allclose(gray, (x @ torch.tensor([0.2989, 0.587, 0.114]))[..., None].expand_as(x), atol=1e-3)
    vivid = layers.RandomColorDegeneration((-0.5, -0.5), value_range=(-1e4, 1e4))(x, training=True)
    assert ((vivid.amax(-1) - vivid.amin(-1)) >= (x.amax(-1) - x.amin(-1))).all()
    assert torch.equal(layers.RandomColorDegeneration(0.0)(x, training=True), x)


def test_color_jitter_draws_are_independent():
    x = torch.full((64, 2, 2, 3), 100.0)
    x[..., 0] = 150.0
    y = layers.RandomColorJitter(brightness_factor=0.3, saturation_factor=(0.2, 0.8), seed=5)(x, training=True)
    shift = y.amax(-1)[:, 0, 0] - 150.0  # brightness (saturation keeps the maximum)
    spread = (y.amax(-1) - y.amin(-1))[:, 0, 0]
    assert abs(np.corrcoef(shift.numpy(), spread.numpy())[0, 1]) < 0.5
    assert torch.equal(layers.RandomColorJitter()(x, training=True), x)


def _mix_partners(labels):
    """Each image's weight on its own one-hot label and its partner (argmax of the rest)."""
    own = torch.diagonal(labels)
    rest = labels - torch.diag(own)
    return own, torch.where(own < 1, rest.argmax(1), torch.arange(len(own)))


@given(seed=st.integers(0, 99), alpha=st.sampled_from([0.2, 1.0, 5.0]), data_format=FORMATS)
def test_mix_up_mixes_images_and_labels_alike(seed, alpha, data_format):
    x = torch.rand(6, 3, 4, 4) if data_format == "channels_first" else torch.rand(6, 4, 4, 3)
    labels = torch.eye(6)
    masks = (x[:, :1] if data_format == "channels_first" else x[..., :1]) > 0.5
    out = layers.MixUp(alpha, data_format=data_format, seed=seed)(
        {"images": x, "labels": labels, "segmentation_masks": masks, "extra": "kept"}, training=True
    )
    own, partner = _mix_partners(out["labels"])
    assert torch.allclose(out["labels"].sum(1), torch.ones(6)) and out["extra"] == "kept"
    w = own.reshape(-1, 1, 1, 1)
    assert torch.allclose(out["images"], w * x + (1 - w) * x[partner], atol=1e-6)
    assert torch.allclose(out["segmentation_masks"], w * masks + (1 - w) * masks[partner].float(), atol=1e-6)


def test_mix_up_weights_follow_beta_and_boxes_are_appended():
    x = torch.rand(400, 1, 1, 1)
    small = layers.MixUp(0.2, seed=1)({"images": x, "labels": torch.eye(400)}, training=True)["labels"]
    large = layers.MixUp(5.0, seed=1)({"images": x, "labels": torch.eye(400)}, training=True)["labels"]
    extreme = lambda w: ((w < 0.1) | (w > 0.9)).float().mean()
    assert extreme(torch.diagonal(small)) > 0.5 > extreme(torch.diagonal(large))
    boxes = {"boxes": torch.rand(3, 2, 4), "labels": torch.tensor([[0, 1], [2, 3], [4, 5]])}
    out = layers.MixUp(bounding_box_format="xyxy", seed=0)(
        {"images": torch.rand(3, 2, 2, 1), "bounding_boxes": boxes}, training=True
    )["bounding_boxes"]
    assert out["boxes"].shape == (3, 4, 4) and torch.equal(out["boxes"][:, :2], boxes["boxes"])
    partner = out["labels"][:, 2] // 2
    assert torch.equal(out["labels"][:, 2:], boxes["labels"][partner])
    assert torch.equal(out["boxes"][:, 2:], boxes["boxes"][partner])


@given(seed=st.integers(0, 99), factor=st.sampled_from([1.0, (0.2, 0.5)]), data_format=FORMATS)
def test_cut_mix_pastes_one_box_and_mixes_labels_by_area(seed, factor, data_format):
    x = torch.arange(4.0).reshape(4, 1, 1, 1) + torch.zeros(4, 12, 10, 1)  # image i is all i
    x = x.permute(0, 3, 1, 2) if data_format == "channels_first" else x
    out = layers.CutMix(factor, data_format=data_format, seed=seed)(
        {"images": x, "labels": torch.eye(4), "segmentation_masks": x}, training=True
    )
    own, partner = _mix_partners(out["labels"])
    images = out["images"][:, 0] if data_format == "channels_first" else out["images"][..., 0]
    assert torch.equal(out["segmentation_masks"], out["images"])
    for i in range(4):
        pasted = images[i] != i
        assert (images[i][pasted] == partner[i]).all()
        if pasted.any():  # one axis-aligned box, of about the area the labels say
            rows, cols = pasted.any(1).nonzero().flatten(), pasted.any(0).nonzero().flatten()
            assert pasted[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].all()
            assert abs(pasted.float().mean() - (1 - own[i])) < 0.35


def test_mixing_layers_on_tensors_unbatched_and_in_inference():
    x = torch.rand(5, 4, 4, 3)
    for layer in (layers.MixUp(seed=0), layers.CutMix(seed=0)):
        data = layer({"images": x, "labels": torch.eye(5)})
        assert torch.equal(data["images"], x) and torch.equal(data["labels"], torch.eye(5)) and layer(x) is x
        single = layer({"images": x[0], "labels": torch.eye(5)[0]}, training=True)
        assert torch.equal(single["images"], x[0]) and torch.equal(single["labels"], torch.eye(5)[0])
        assert layer(x, training=True).shape == x.shape
        assert layer(x.to(torch.uint8), training=True).dtype == torch.float32
    assert layers.MixUp(seed=0)(torch.ones(4, 2, 2, 3), training=True).eq(1).all()
    with pytest.raises(NotImplementedError, match="bounding boxes"):
        layers.CutMix(bounding_box_format="xyxy")(
            {"images": x, "bounding_boxes": {"boxes": torch.rand(5, 1, 4), "labels": torch.ones(5, 1)}}, training=True
        )


# ------------------------------------------------------------ Pipeline
def test_pipeline_applies_in_order_and_passes_training(keras3):
    x = torch.rand(2, 4, 4, 3) * 100
    pipeline = layers.Pipeline(
        [layers.Rescaling(2.0), layers.RandomBrightness((0.5, 0.5), seed=1), layers.AutoContrast(value_range=(0, 1))],
        name="augment",
    )
    assert [type(layer) for layer in pipeline.layers] == [
        layers.Rescaling,
        layers.RandomBrightness,
        layers.AutoContrast,
    ]
    expected = layers.AutoContrast(value_range=(0, 1))(x * 2)
    assert torch.allclose(pipeline(x), expected)  # inference: the brightness change is off
    trained = layers.AutoContrast(value_range=(0, 1))(torch.clamp(x * 2 + 127.5, 0, 255))
    assert torch.allclose(pipeline(x, training=True), trained)
    pipeline.train()
    assert torch.allclose(pipeline(x), trained)
    pipeline.eval()
    symbolic = pipeline(kerastorch.Input((None, None, 3)))
    assert tuple(symbolic.shape) == (None, None, None, 3)
    config = pipeline.get_config()
    assert sorted(config) == ["layers", "name"] and config["name"] == "augment"
    clone = layers.Pipeline.from_config(config)
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in pipeline.layers]
    assert torch.allclose(clone(x, training=True), trained)
    theirs = keras_clone(keras3, pipeline)
    assert [type(layer).__name__ for layer in theirs.layers] == ["Rescaling", "RandomBrightness", "AutoContrast"]
    assert from_keras(theirs).layers[1].factor == (0.5, 0.5)


def test_pipeline_passes_masks_and_saves_in_a_model(tmp_path):
    pipeline = layers.Pipeline([layers.Masking(0.0), layers.Dense(2)])
    x = torch.tensor([[[1.0], [0.0], [2.0]]])
    assert pipeline(x)._keras_mask.tolist() == [[True, False, True]]
    model = kerastorch.Sequential(
        [
            kerastorch.Input((4, 4, 3)),
            layers.Pipeline([layers.RandomSaturation(0.5, seed=1), layers.Equalization()]),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    images = np.random.default_rng(0).uniform(0, 255, (4, 4, 4, 3)).astype("float32")
    model.fit(images, np.zeros((4, 2), "float32"), verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = kerastorch.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), **TOL)


# ------------------------------------------------------------ common behaviour, configs, errors
AUGMENTERS = [
    lambda seed, df: layers.RandomErasing((1.0, 1.0), fill_value=(0.0, 128.0, 255.0), seed=seed, data_format=df),
    lambda seed, df: layers.RandomGaussianBlur(
        (1.0, 1.0), kernel_size=(3, 5), sigma=(0.5, 1.0), seed=seed, data_format=df
    ),
    lambda seed, df: layers.RandomSaturation((0.1, 0.9), seed=seed, data_format=df),
    lambda seed, df: layers.RandomHue(0.5, seed=seed, data_format=df),
    lambda seed, df: layers.RandomSharpness(1.0, seed=seed, data_format=df),
    lambda seed, df: layers.RandomColorDegeneration(0.8, seed=seed, data_format=df),
    lambda seed, df: layers.RandomColorJitter(
        brightness_factor=0.2, contrast_factor=(0.1, 0.5), hue_factor=0.2, seed=seed, data_format=df
    ),
    lambda seed, df: layers.MixUp(1.0, seed=seed, data_format=df),
    lambda seed, df: layers.CutMix(seed=seed, data_format=df),
]


@pytest.mark.parametrize("make", AUGMENTERS)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_augmenters_common(keras3, make, data_format):
    x = torch.rand(6, 3, 5, 5) * 255 if data_format == "channels_first" else torch.rand(6, 5, 5, 3) * 255
    first = check_augmenter_common(
        keras3, make(7, data_format), lambda: make(7, data_format), x, keras_overrides={"seed": 7}
    )
    assert not all(torch.allclose(first[0] - x[0], first[i] - x[i]) for i in range(1, 6))  # per-image draws


@pytest.mark.parametrize("make", [layers.AutoContrast, layers.Equalization])
def test_deterministic_layers_common(make):
    x = torch.rand(2, 5, 5, 3) * 255
    layer = make(value_range=[255, 0], data_format="channels_last")
    assert layer.value_range == [0, 255] and torch.equal(layer(x), layer(x, training=True))
    assert torch.equal(layer(x[0]), layer(x)[0]) and not torch.equal(layer(x), x)
    assert tuple(layer(kerastorch.Input((None, None, 3))).shape) == (None, None, None, 3)
    assert roundtrip(layer).get_config() == layer.get_config()


def test_keras_configs_load(keras3):
    k = keras3.layers
    pairs = [
        (k.RandomErasing(), {"factor": (0, 1.0), "scale": (0.02, 0.33), "fill_value": None, "value_range": (0, 255)}),
        (
            k.RandomGaussianBlur(0.5, kernel_size=5, sigma=(0.2, 2.0)),
            {"factor": (0, 0.5), "kernel_size": (5, 5), "sigma": (0.2, 2.0)},
        ),
        (k.RandomSaturation(0.3, value_range=(1, 0)), {"factor": (-0.3, 0.3), "value_range": [0, 1]}),
        (k.RandomHue(0.3), {"factor": (0, 0.3), "value_range": (0, 255)}),
        (k.RandomSharpness((0.2, 0.7)), {"factor": (0.2, 0.7), "value_range": [0, 255]}),
        (k.RandomColorDegeneration(0.4), {"factor": (-0.4, 0.4)}),
        (
            k.RandomColorJitter(brightness_factor=0.1, hue_factor=(0.1, 0.2)),
            {"brightness_factor": 0.1, "hue_factor": (0.1, 0.2), "contrast_factor": None},
        ),
        (k.AutoContrast(value_range=(1, 0)), {"value_range": [0, 1]}),
        (k.Equalization(bins=64), {"bins": 64, "value_range": [0, 255]}),
        (k.MixUp(alpha=0.4), {"alpha": 0.4}),
        (k.CutMix(0.5, data_format="channels_first"), {"factor": (0, 0.5), "data_format": "channels_first"}),
    ]
    for ours, (keras_layer, _) in zip(check_keras_configs_load(pairs, ignore={"seed"}), pairs):
        assert type(keras_clone(keras3, ours)) is type(keras_layer)
    assert layers.MixUp(bounding_box_format="xyxy").get_config()["bounding_box_format"] == "xyxy"


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: layers.RandomErasing(1.5), ValueError, "factor must be a number or a pair"),
        (lambda: layers.RandomErasing(scale=(0.1, 2.0)), ValueError, "scale must be"),
        (
            lambda: layers.RandomErasing(fill_value=(1.0, 2.0)),
            ValueError,
            "fill_value must be None, a number or a list",
        ),
        (
            lambda: layers.RandomErasing(fill_value=(1, 2, 3))(torch.ones(1, 2, 2, 1), training=True),
            ValueError,
            "a fill_value per channel needs 3 channels",
        ),
        (lambda: layers.RandomGaussianBlur(kernel_size=4), ValueError, "kernel_size must be a positive odd int"),
        (lambda: layers.RandomGaussianBlur(sigma=2.0), ValueError, "sigma must be a number in"),
        (lambda: layers.RandomSaturation(1.5), ValueError, "factor must be"),
        (lambda: layers.RandomHue(-0.5), ValueError, "factor must be"),
        (lambda: layers.RandomSharpness(0.5, value_range=(0,)), ValueError, "value_range must be a pair"),
        (
            lambda: layers.RandomSaturation(0.5)(torch.ones(1, 2, 2, 4), training=True),
            ValueError,
            r"expected 3 \(RGB\)",
        ),
        (
            lambda: layers.RandomHue(0.5, data_format="channels_first")(kerastorch.Input((1, 4, 4))),
            ValueError,
            r"expected 3 \(RGB\)",
        ),
        (
            lambda: layers.RandomColorDegeneration(0.5)(torch.ones(2, 2, 2), training=True),
            ValueError,
            r"expected 3 \(RGB\)",
        ),
        (lambda: layers.Equalization(bins=0), ValueError, "bins must be a positive int"),
        (lambda: layers.AutoContrast()(torch.ones(2, 2)), ValueError, "expected images of rank 3"),
        (lambda: layers.MixUp(alpha=0), ValueError, "alpha must be a positive number"),
        (lambda: layers.MixUp()({"labels": torch.ones(2, 2)}, training=True), ValueError, "needs an 'images' entry"),
        (
            lambda: layers.MixUp()({"images": torch.ones(2, 2, 2, 1), "bounding_boxes": {}}),
            ValueError,
            "need a bounding_box_format",
        ),
        (lambda: layers.Pipeline(layers.Dense(2)), ValueError, "layers must be a list of layers"),
    ],
)
def test_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()
