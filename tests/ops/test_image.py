"""``kerastorch.ops.image`` against Keras 3's ``keras.ops.image`` (torch backend): values, dtypes and shapes."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import arrays, assert_matches

from kerastorch import ops
from kerastorch.ops import image as ops_image


def _images(data, channels=None, dtype=None, low=-2.0, high=2.0):
    data_format = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    batched = data.draw(st.booleans())
    h, w = data.draw(st.integers(2, 5)), data.draw(st.integers(2, 5))
    c = channels or data.draw(st.integers(1, 2))
    shape = (h, w, c) if data_format == "channels_last" else (c, h, w)
    dtype = dtype or data.draw(st.sampled_from(["float32", "float64"]))
    x = torch.as_tensor(data.draw(arrays(dtype, ((2,) if batched else ()) + shape, low, high)))
    return x, data_format, h, w


@given(data=st.data())
def test_resize_matches_keras(keras3, data):
    x, data_format, _, _ = _images(data)
    size = (data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6)))
    kw = dict(
        interpolation=data.draw(st.sampled_from(["bilinear", "nearest", "bicubic"])),
        crop_to_aspect_ratio=data.draw(st.booleans()),
        data_format=data_format,
    )
    assert_matches(ops.image.resize(x, size, **kw), keras3.ops.image.resize(x, size, **kw), rtol=1e-4, atol=1e-4)


@given(data=st.data())
def test_affine_transform_matches_keras(keras3, data):
    x, data_format, _, _ = _images(data)
    transform = torch.as_tensor(data.draw(arrays("float32", (6,), -1.5, 1.5)))
    transform = torch.cat([transform, torch.zeros(2)])
    if x.dim() == 4:  # Keras needs one transform per image
        transform = transform.repeat(2, 1)
    kw = dict(
        interpolation=data.draw(st.sampled_from(["bilinear", "nearest"])),
        fill_mode=data.draw(st.sampled_from(["constant", "nearest", "wrap", "reflect"])),
        fill_value=data.draw(st.sampled_from([0.0, 1.5])),
        data_format=data_format,
    )
    assert_matches(
        ops.image.affine_transform(x, transform, **kw),
        keras3.ops.image.affine_transform(x, transform, **kw),
        rtol=1e-4,
        atol=1e-4,
    )


@given(data=st.data())
def test_map_coordinates_matches_keras(keras3, data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    rank = data.draw(st.integers(1, 3))
    x = torch.as_tensor(data.draw(arrays(dtype, st.tuples(*[st.integers(2, 4)] * rank))))
    coords = [torch.as_tensor(data.draw(arrays(dtype, (3, 2), -1.3, 4.3))) for _ in range(rank)]
    order = data.draw(st.sampled_from([0, 1]))
    kw = dict(
        fill_mode=data.draw(st.sampled_from(["constant", "nearest", "wrap", "reflect", "mirror"])),
        fill_value=data.draw(st.sampled_from([0, 2.0])),
    )
    assert_matches(
        ops.image.map_coordinates(x, coords, order, **kw),
        keras3.ops.image.map_coordinates(x, coords, order, **kw),
        rtol=1e-4,
        atol=1e-4,
    )


@given(data=st.data())
def test_pad_and_crop_match_keras(keras3, data):
    x, data_format, h, w = _images(data)
    top, bottom, left, right = (data.draw(st.integers(0, 2)) for _ in range(4))
    pad = dict(top_padding=top, bottom_padding=bottom, left_padding=left, right_padding=right)
    if data.draw(st.booleans()):
        pad = dict(top_padding=top, left_padding=left, target_height=h + top + bottom, target_width=w + left + right)
    assert_matches(
        ops.image.pad_images(x, data_format=data_format, **pad),
        keras3.ops.image.pad_images(x, data_format=data_format, **pad),
    )
    top, left = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1))
    crop = dict(
        top_cropping=top,
        left_cropping=left,
        target_height=data.draw(st.integers(1, h - top)),
        target_width=data.draw(st.integers(1, w - left)),
    )
    assert_matches(
        ops.image.crop_images(x, data_format=data_format, **crop),
        keras3.ops.image.crop_images(x, data_format=data_format, **crop),
    )


@given(data=st.data())
def test_colour_conversions_match_keras(keras3, data):
    x, data_format, _, _ = _images(data, channels=3, dtype="int32", low=0, high=255)
    x = x / 255.0  # 8-bit colours (Keras zeroes hue and saturation of values below its epsilon, 1e-7)
    assert_matches(ops.image.rgb_to_grayscale(x, data_format), keras3.ops.image.rgb_to_grayscale(x, data_format))
    hsv = ops.image.rgb_to_hsv(x, data_format)
    assert_matches(hsv, keras3.ops.image.rgb_to_hsv(x, data_format), rtol=1e-4, atol=1e-4)
    assert_matches(
        ops.image.hsv_to_rgb(hsv, data_format), keras3.ops.image.hsv_to_rgb(hsv, data_format), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(ops.image.hsv_to_rgb(hsv, data_format).numpy(), x.numpy(), atol=1e-5)  # inverse


@given(data=st.data())
def test_patches_and_blur_match_keras(keras3, data):
    x, data_format, h, w = _images(data)
    size = (data.draw(st.integers(1, min(h, 3))), data.draw(st.integers(1, min(w, 3))))
    kw = dict(
        strides=data.draw(st.sampled_from([None, 1, 2])),
        padding=data.draw(st.sampled_from(["valid", "same"])),
        data_format=data_format,
    )
    assert_matches(
        ops.image.extract_patches(x, size, **kw), keras3.ops.image.extract_patches(x, size, **kw), rtol=1e-5, atol=1e-5
    )


@given(data=st.data())
def test_gaussian_blur_impulse_response(data):
    # Keras 3.15's torch gaussian_blur is wrong (its impulse response is one row, not normalized), so the
    # reference is the definition: the response to a centred impulse is the normalized separable Gaussian.
    kernel_size = (data.draw(st.sampled_from([1, 3, 5])), data.draw(st.sampled_from([1, 3])))
    sigma = (data.draw(st.sampled_from([0.5, 1.0, 2.0])), data.draw(st.sampled_from([1.0, 1.5])))
    data_format = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    x = torch.zeros(1, 7, 7, 1, dtype=torch.float64)
    x[0, 3, 3, 0] = 1.0
    x = x if data_format == "channels_last" else x.permute(0, 3, 1, 2)
    out = ops.image.gaussian_blur(x, kernel_size, sigma, data_format)
    out = (out if data_format == "channels_last" else out.permute(0, 2, 3, 1))[0, :, :, 0].numpy()
    expected = np.zeros((7, 7))
    gy, gx = (np.exp(-((np.arange(k) - (k - 1) / 2) ** 2) / (2 * s * s)) for k, s in zip(kernel_size, sigma))
    ky, kx = kernel_size
    expected[3 - ky // 2 : 3 - ky // 2 + ky, 3 - kx // 2 : 3 - kx // 2 + kx] = np.outer(gy / gy.sum(), gx / gx.sum())
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="ops.image.resize: expected images of rank 3"):
        ops.image.resize(torch.ones(2, 2), (1, 1))
    with pytest.raises(ValueError, match="ops.image.pad_images: exactly two of"):
        ops.image.pad_images(torch.ones(2, 2, 1), top_padding=1)
    with pytest.raises(ValueError, match="ops.image.crop_images: the crop must lie inside the image"):
        ops.image.crop_images(torch.ones(2, 2, 1), 0, 0, target_height=3, target_width=1)
    with pytest.raises(ValueError, match="ops.image.rgb_to_grayscale: expected 3 channels"):
        ops.image.rgb_to_grayscale(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="ops.image.map_coordinates: order must be 0 or 1"):
        ops.image.map_coordinates(torch.ones(2), [torch.zeros(1)], 3)


def test_namespace_matches_keras(keras3):
    theirs = {n for n in dir(keras3.ops.image) if not n.startswith("_")}
    assert theirs <= set(ops_image.__all__), theirs - set(ops_image.__all__)
