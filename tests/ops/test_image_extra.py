"""``ops.image.sobel_edges``, ``perspective_transform``, ``elastic_transform``, ``scale_and_translate``,
``extract_patches_3d`` and ``ssim`` against Keras 3's (torch backend): values, dtypes and shapes; gradients by
finite differences (float64); properties; errors.

``elastic_transform`` is compared where Keras 3.15's torch backend computes the documented field: a one-tap
smoothing kernel (``sigma < 1/3``; its ``gaussian_blur`` is faulty for larger kernels) and the same noise (both
draw it from torch's global generator when no seed is given)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import arrays, assert_matches

from kerastorch import ops
from kerastorch.random import SeedGenerator

FORMATS = ["channels_last", "channels_first"]
image = ops.image


def _layout(x, data_format):
    """A channels-last tensor in ``data_format`` (channels moved just after the batch axis, if any)."""
    return x if data_format == "channels_last" else x.movedim(-1, 1 if x.dim() == 4 else 0).contiguous()


def _draw_images(data, batched=None, dtype=None, low=-2.0, high=2.0, min_side=2):
    data_format = data.draw(st.sampled_from(FORMATS))
    batched = data.draw(st.booleans()) if batched is None else batched
    h, w, c = data.draw(st.integers(min_side, 6)), data.draw(st.integers(min_side, 6)), data.draw(st.integers(1, 3))
    dtype = dtype or data.draw(st.sampled_from(["float32", "float64"]))
    x = torch.as_tensor(data.draw(arrays(dtype, ((2,) if batched else ()) + (h, w, c), low, high)))
    return _layout(x, data_format), data_format, h, w


# ------------------------------------------------------------------------------------------------ sobel_edges
@given(data=st.data())
def test_sobel_edges_matches_keras(keras3, data):
    x, data_format, _, _ = _draw_images(
        data, batched=True, dtype=data.draw(st.sampled_from(["float32", "float64", "int32"])), low=-50, high=50
    )
    assert_matches(image.sobel_edges(x, data_format), keras3.ops.image.sobel_edges(x, data_format))


def test_sobel_edges_properties():
    ramp = torch.arange(6.0).repeat(5, 1).reshape(1, 5, 6, 1)  # brightens by 1 per column
    edges = image.sobel_edges(ramp)
    assert edges.shape == (1, 5, 6, 1, 2)
    assert torch.equal(edges[0, 1:-1, 1:-1, 0, 1], torch.full((3, 4), 8.0))  # dx = (1 + 2 + 1) * 2 inside
    assert torch.equal(edges[0, 1:-1, :, 0, 0], torch.zeros(3, 6))  # no vertical change away from the border
    first = image.sobel_edges(_layout(ramp, "channels_first"), "channels_first")
    assert torch.equal(first[0, 0], edges[0, :, :, 0])
    assert image.sobel_edges(torch.ones(1, 3, 3, 1, dtype=torch.uint8)).dtype == torch.uint8
    with pytest.raises(ValueError, match="ops.image.sobel_edges: expected images of rank 4"):
        image.sobel_edges(torch.ones(3, 3, 1))


# ------------------------------------------------------------------------------------- perspective_transform
@given(data=st.data())
def test_perspective_transform_matches_keras(keras3, data):
    x, data_format, h, w = _draw_images(data)
    corners = torch.tensor([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], dtype=torch.float32)
    per_image = x.dim() == 4 and data.draw(st.booleans())
    moves = torch.as_tensor(data.draw(arrays("float32", ((2,) if per_image else ()) + (4, 2), -1.5, 1.5)))
    start, end = corners.expand_as(moves), corners + moves
    kw = dict(
        interpolation=data.draw(st.sampled_from(["bilinear", "nearest"])),
        fill_value=data.draw(st.sampled_from([0, 0.5])),
        data_format=data_format,
    )
    ours = image.perspective_transform(x, start, end, **kw)
    theirs = keras3.ops.image.perspective_transform(x, start, end, **kw)
    if kw["interpolation"] == "nearest":  # points within round-off of a pixel midpoint may round either way
        assert np.mean(np.isclose(ours.numpy(), np.asarray(theirs), atol=1e-4)) > 0.95
    else:
        assert_matches(ours, theirs, rtol=1e-4, atol=1e-4)


def test_perspective_transform_properties():
    x = torch.rand(2, 5, 7, 3)
    corners = torch.tensor([[0.0, 0.0], [6.0, 0.0], [0.0, 4.0], [6.0, 4.0]])
    torch.testing.assert_close(image.perspective_transform(x, corners, corners), x)  # no move: the identity
    shifted = image.perspective_transform(x, corners, corners + torch.tensor([1.0, 0.0]), fill_value=-1.0)
    torch.testing.assert_close(shifted[:, :, 1:], x[:, :, :-1])  # content moved one pixel right
    assert bool((shifted[:, :, 0] == -1.0).all())
    ints = (x * 255).to(torch.uint8)
    half = image.perspective_transform(ints, corners, corners + 0.5)
    expected = image.perspective_transform(ints.float(), corners, corners + 0.5)
    assert half.dtype == torch.uint8 and torch.equal(half, expected.round().to(torch.uint8))  # rounded, not cut
    assert image.perspective_transform(x.half(), corners, corners).dtype == torch.float16


def test_perspective_transform_errors():
    x, corners = torch.rand(2, 4, 4, 1), torch.zeros(4, 2)
    with pytest.raises(ValueError, match="ops.image.perspective_transform: interpolation must be one of"):
        image.perspective_transform(x, corners, corners, interpolation="bicubic")
    with pytest.raises(ValueError, match=r"expected start_points of shape \(4, 2\)"):
        image.perspective_transform(x, corners[:3], corners[:3])
    with pytest.raises(ValueError, match="start_points and end_points must have one shape"):
        image.perspective_transform(x, corners, corners.expand(2, 4, 2))
    with pytest.raises(ValueError, match=r"expected points for 1 or 2 images \(the batch\)"):
        image.perspective_transform(x, corners.expand(3, 4, 2), corners.expand(3, 4, 2))
    with pytest.raises(ValueError, match="expected images of rank 3"):
        image.perspective_transform(torch.rand(4, 4), corners, corners)


# ----------------------------------------------------------------------------------------- elastic_transform
@given(data=st.data())
def test_elastic_transform_matches_keras_with_a_one_tap_kernel(keras3, data):
    x, data_format, _, _ = _draw_images(data, dtype="float32")  # (Keras fails on images one pixel wide)
    kw = dict(
        alpha=data.draw(st.sampled_from([5.0, 30.0])),
        sigma=data.draw(st.sampled_from([0.1, 0.3])),
        interpolation=data.draw(st.sampled_from(["bilinear", "nearest"])),
        fill_mode=data.draw(st.sampled_from(["reflect", "mirror", "wrap", "nearest", "constant"])),
        fill_value=0.5,
        data_format=data_format,
    )
    torch.manual_seed(7)
    theirs = keras3.ops.image.elastic_transform(x, **kw)
    torch.manual_seed(7)
    assert_matches(image.elastic_transform(x, **kw), theirs, rtol=1e-4, atol=1e-4)


def test_elastic_transform_properties():
    x = torch.rand(2, 12, 10, 3)
    assert torch.equal(image.elastic_transform(x, seed=3), image.elastic_transform(x, seed=3))  # int seeds replay
    generator = SeedGenerator(3)
    assert not torch.equal(image.elastic_transform(x, seed=generator), image.elastic_transform(x, seed=generator))
    assert not torch.equal(image.elastic_transform(x, seed=3), x)
    torch.testing.assert_close(image.elastic_transform(x, alpha=0.0, seed=1), x)
    torch.testing.assert_close(image.elastic_transform(x, sigma=0.0, seed=1), x)
    one = image.elastic_transform(x[0], alpha=3.0, sigma=1.5, seed=4)
    assert one.shape == x[0].shape
    line = image.elastic_transform(x[:, :1], alpha=3.0, sigma=1.5, seed=4)  # one pixel high (Keras fails on it)
    assert line.shape == (2, 1, 10, 3)
    first = image.elastic_transform(
        _layout(x, "channels_first"), alpha=3.0, sigma=1.5, seed=4, data_format="channels_first"
    )
    torch.testing.assert_close(
        first, _layout(image.elastic_transform(x, alpha=3.0, sigma=1.5, seed=4), "channels_first")
    )
    ints = image.elastic_transform((x * 255).to(torch.uint8), seed=2)
    assert ints.dtype == torch.uint8
    constant = image.elastic_transform(
        torch.zeros(1, 9, 9, 1), alpha=50.0, sigma=1.0, fill_mode="constant", fill_value=1.0, seed=0
    )
    assert 0 < float(constant.mean()) and float(constant.max()) <= 1.0  # far moves read the fill value


def test_elastic_transform_errors():
    x = torch.rand(1, 4, 4, 1)
    with pytest.raises(ValueError, match="ops.image.elastic_transform: sigma must be >= 0"):
        image.elastic_transform(x, sigma=-1.0)
    with pytest.raises(ValueError, match="ops.image.elastic_transform: fill_mode must be one of"):
        image.elastic_transform(x, fill_mode="edge")
    with pytest.raises(ValueError, match="ops.image.elastic_transform: interpolation must be one of"):
        image.elastic_transform(x, interpolation="cubic")


# --------------------------------------------------------------------------------------- scale_and_translate
METHODS = ["linear", "bilinear", "cubic", "bicubic", "lanczos3", "lanczos5"]


@given(data=st.data())
def test_scale_and_translate_matches_keras(keras3, data):
    dtype = data.draw(st.sampled_from(["float32", "float64", "int32"]))
    shape = (2, data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6)), 2)
    x = torch.as_tensor(data.draw(arrays(dtype, shape, -50, 50)))
    out = (2, data.draw(st.integers(1, 8)), data.draw(st.integers(1, 8)), 2)
    scale = np.array([data.draw(st.floats(0.3, 3.0)), data.draw(st.floats(0.3, 3.0))], "float32")
    translation = np.array([data.draw(st.floats(-3, 3)), data.draw(st.floats(-3, 3))], "float32")
    method, antialias = data.draw(st.sampled_from(METHODS)), data.draw(st.booleans())
    ours = image.scale_and_translate(
        x, out, torch.as_tensor(scale), torch.as_tensor(translation), (1, 2), method, antialias
    )
    theirs = keras3.ops.image.scale_and_translate(x, out, scale, translation, (1, 2), method, antialias)
    if dtype == "int32":  # Keras 3.15 does not zero the pixels from outside integer images: ours are the float
        floats = image.scale_and_translate(
            x.float(), out, torch.as_tensor(scale), torch.as_tensor(translation), (1, 2), method, antialias
        )  # results, rounded
        assert ours.dtype == torch.int32 and torch.equal(ours, floats.round().int())
    else:
        assert_matches(ours, theirs, rtol=1e-4, atol=1e-4)


def test_scale_and_translate_properties():
    x = torch.rand(2, 5, 6, 3, dtype=torch.float64)
    for method in METHODS:  # scale 1, no translation: the identity
        torch.testing.assert_close(image.scale_and_translate(x, x.shape, [1.0, 1.0], [0.0, 0.0], (1, 2), method), x)
    shifted = image.scale_and_translate(x, x.shape, [1.0], [2.0], (-2,), "linear")  # two pixels right
    torch.testing.assert_close(shifted[:, :, 2:], x[:, :, :-2])
    assert bool((shifted[:, :, :2] == 0).all())  # from outside the input: 0
    half = image.scale_and_translate(x, (2, 5, 3, 3), [0.5], [0.0], (2,), "linear", antialias=False)
    torch.testing.assert_close(half, (x[:, :, 0::2] + x[:, :, 1::2]) / 2)  # halfway between pixel pairs
    smooth = image.scale_and_translate(x, (2, 5, 3, 3), [0.5], [0.0], (2,), "linear")  # a triangle twice as wide
    torch.testing.assert_close(smooth[:, :, 1], (x[:, :, 1] + 3 * x[:, :, 2] + 3 * x[:, :, 3] + x[:, :, 4]) / 8)
    line = torch.tensor([0.0, 10.0, 20.0])
    torch.testing.assert_close(
        image.scale_and_translate(line, (3,), [1.0], [0.5], [0], "linear"), torch.tensor([0.0, 5.0, 15.0])
    )
    ints = image.scale_and_translate(
        torch.tensor([[0, 255, 0]], dtype=torch.uint8), (1, 5), [5 / 3], [0.0], [1], "lanczos3"
    )
    assert ints.dtype == torch.uint8  # rounded and clipped (lanczos overshoots)


def test_scale_and_translate_errors():
    x = torch.rand(2, 4, 4)
    with pytest.raises(ValueError, match="ops.image.scale_and_translate: method must be one of"):
        image.scale_and_translate(x, (2, 4, 4), [1.0], [0.0], [1], "nearest")
    with pytest.raises(ValueError, match="spatial_dims must be distinct axes"):
        image.scale_and_translate(x, (2, 4, 4), [1.0, 1.0], [0.0, 0.0], [1, -2], "linear")
    with pytest.raises(ValueError, match="output_shape must give one size per axis"):
        image.scale_and_translate(x, (3, 4, 4), [1.0], [0.0], [1], "linear")
    with pytest.raises(ValueError, match="scale must hold one number per spatial axis"):
        image.scale_and_translate(x, (2, 4, 4), [1.0, 2.0], [0.0], [1], "linear")


# ---------------------------------------------------------------------------------------- extract_patches_3d
@given(data=st.data())
def test_extract_patches_3d_matches_keras(keras3, data):
    data_format = data.draw(st.sampled_from(FORMATS))
    batched = data.draw(st.booleans())
    spatial = tuple(data.draw(st.integers(2, 5)) for _ in range(3))
    dtype = data.draw(st.sampled_from(["float32", "int32"]))
    x = torch.as_tensor(data.draw(arrays(dtype, ((2,) if batched else ()) + spatial + (2,), -9, 9)))
    x = x if data_format == "channels_last" else x.movedim(-1, -4).contiguous()
    size = tuple(data.draw(st.integers(1, 2)) for _ in range(3))
    kw = dict(
        strides=data.draw(st.sampled_from([None, 1, (1, 2, 1)])),
        padding=data.draw(st.sampled_from(["valid", "same"])),
        data_format=data_format,
    )
    if dtype == "float32" and kw["strides"] == 1 and kw["padding"] == "same" and data.draw(st.booleans()):
        kw["dilation_rate"] = (1, 2, 1)  # (Keras's torch backend dilates float volumes only)
    assert_matches(image.extract_patches_3d(x, size, **kw), keras3.ops.image.extract_patches_3d(x, size, **kw))


def test_extract_patches_3d_properties():
    v = torch.arange(2 * 4 * 4 * 4 * 3).reshape(2, 4, 4, 4, 3)
    patches = image.extract_patches_3d(v, 2)
    assert patches.shape == (2, 2, 2, 2, 24) and patches.dtype == v.dtype
    assert torch.equal(patches[1, 1, 0, 1], v[1, 2:4, 0:2, 2:4].reshape(-1))  # depth, row, column, channel
    first = image.extract_patches_3d(v.movedim(-1, 1), 2, data_format="channels_first")
    assert torch.equal(first, patches.movedim(-1, 1))
    with pytest.raises(ValueError, match="ops.image.extract_patches_3d: expected volumes of rank 4"):
        image.extract_patches_3d(v[0, 0], 2)
    with pytest.raises(ValueError, match="ops.image.extract_patches_3d: size must be an int or a tuple of 3"):
        image.extract_patches_3d(v, (2, 2))
    with pytest.raises(ValueError, match="ops.image.extract_patches_3d: padding must be one of"):
        image.extract_patches_3d(v, 2, padding="full")
    with pytest.raises(ValueError, match="ops.image.extract_patches_3d: the output would be empty"):
        image.extract_patches_3d(v, 5)


# ---------------------------------------------------------------------------------------------------- ssim
@given(data=st.data())
def test_ssim_matches_keras(keras3, data):
    x, data_format, h, w = _draw_images(data, low=0.0, high=1.0, min_side=3)
    y = torch.clamp(x + torch.as_tensor(data.draw(arrays(str(x.dtype)[6:], tuple(x.shape), -0.3, 0.3))), 0, 1)
    kw = dict(
        max_val=data.draw(st.sampled_from([1.0, 2.0])),
        filter_size=data.draw(st.integers(1, min(h, w, 4))),
        filter_sigma=data.draw(st.sampled_from([0.5, 1.5])),
        k1=data.draw(st.sampled_from([0.01, 0.1])),
        k2=0.03,
        data_format=data_format,
    )
    assert_matches(image.ssim(x, y, **kw), keras3.ops.image.ssim(x, y, **kw), rtol=1e-4, atol=1e-5)


def test_ssim_properties():
    x = torch.rand(2, 16, 16, 3)
    assert torch.equal(image.ssim(x, x), torch.ones(2))
    noisy = torch.clamp(x + 0.1 * torch.randn_like(x), 0, 1)
    noisier = torch.clamp(x + 0.4 * torch.randn_like(x), 0, 1)
    assert bool((image.ssim(x, noisier) < image.ssim(x, noisy)).all()) and bool((image.ssim(x, noisy) < 1).all())
    assert image.ssim(x[0], noisy[0]).shape == ()
    torch.testing.assert_close(image.ssim(x, noisy), image.ssim(noisy, x))  # symmetric
    first = image.ssim(_layout(x, "channels_first"), _layout(noisy, "channels_first"), data_format="channels_first")
    torch.testing.assert_close(first, image.ssim(x, noisy))
    ints = image.ssim((x * 255).to(torch.uint8), (noisy * 255).to(torch.uint8), max_val=255.0)
    assert ints.dtype == torch.float32 and bool((ints > 0.5).all())  # computed in floatx (Keras truncates to 0)
    assert image.ssim(x.half(), x.half()).dtype == torch.float16
    with pytest.raises(ValueError, match="ops.image.ssim: image1 and image2 must have one shape"):
        image.ssim(x, x[:1])
    with pytest.raises(ValueError, match="ops.image.ssim: filter_size must be at most the image height and width"):
        image.ssim(torch.rand(1, 6, 6, 1), torch.rand(1, 6, 6, 1))
    with pytest.raises(ValueError, match="ops.image.ssim: filter_size must be an int"):
        image.ssim(x, x, filter_size=0)
    with pytest.raises(ValueError, match="ops.image.ssim: filter_sigma must be > 0"):
        image.ssim(x, x, filter_sigma=0.0)


# ------------------------------------------------------------------------------------------------ gradients
def _double(*shape):
    return torch.rand(*shape, dtype=torch.float64, requires_grad=True)


def test_gradients_by_finite_differences():
    gradcheck = torch.autograd.gradcheck
    assert gradcheck(lambda t: image.sobel_edges(t), (_double(1, 4, 5, 2),))
    corners = torch.tensor([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [4.0, 3.0]], dtype=torch.float64)
    end = corners + torch.tensor([[0.3, 0.2], [-0.4, 0.1], [0.2, -0.3], [0.1, 0.25]], dtype=torch.float64)
    assert gradcheck(lambda t, e: image.perspective_transform(t, corners, e), (_double(4, 5, 2), end.requires_grad_()))
    assert gradcheck(lambda t: image.elastic_transform(t, alpha=2.0, sigma=1.0, seed=1), (_double(1, 5, 5, 1),))
    scale = torch.tensor([0.7, 1.6], dtype=torch.float64, requires_grad=True)
    translation = torch.tensor([0.3, -0.45], dtype=torch.float64, requires_grad=True)
    assert gradcheck(
        lambda t, s, d: image.scale_and_translate(t, (3, 6, 2), s, d, (0, 1), "lanczos3"),
        (_double(4, 4, 2), scale, translation),
    )
    assert gradcheck(lambda t: image.extract_patches_3d(t, 2, strides=1, padding="same"), (_double(3, 3, 3, 1),))
    assert gradcheck(lambda a, b: image.ssim(a, b, filter_size=3), (_double(2, 5, 5, 1), _double(2, 5, 5, 1)))
