"""``keras.ops.image``: Keras 3's image functions on torch tensors (rank-3 images or rank-4 batches,
``channels_last`` unless ``data_format`` / ``image_data_format()`` says otherwise).

``resize`` and ``affine_transform`` are ``kerastorch/backend/image.py``'s (Keras's numerics, one batched
gather instead of Keras's loop per image); ``map_coordinates`` samples N-D inputs the same way (corner indices
folded by ``fill_mode``). Colour conversions follow TensorFlow's formulas, as Keras does (Keras also zeroes hue
and saturation of colours darker than its epsilon; kerastorch does not). ``extract_patches`` is one ``F.conv2d``
with an identity kernel. ``gaussian_blur`` is one depthwise ``F.conv2d`` with the normalized separable Gaussian and
zero "same" padding; Keras 3.15's torch backend computes a wrong kernel (its impulse response is a single,
unnormalized row), so kerastorch deliberately differs there. ``sobel_edges`` is shifted sums (zero padding, the
input's dtype); ``perspective_transform`` and ``elastic_transform`` warp with the backend's ``homographies`` /
``elastic_fields`` and the same batched sampler; ``scale_and_translate`` is one matrix product per axis (JAX's
definition, which Keras follows); ``extract_patches_3d`` gathers strided views (no convolution); ``ssim`` filters
the five local statistics with one separable Gaussian pass.

    >>> rgb_to_grayscale(torch.ones(2, 2, 3)).shape
    torch.Size([2, 2, 1])
    >>> pad_images(torch.ones(1, 2, 2, 1), 1, 1, 1, 1).shape
    torch.Size([1, 4, 4, 1])
"""

from __future__ import annotations

import itertools
import numbers
from typing import Sequence

import torch
import torch.nn.functional as F

from kerastorch import random as krandom
from kerastorch.backend import conv_utils as cu
from kerastorch.backend import image as _image
from kerastorch.backend.annotations import TensorLike
from kerastorch.ops._nn_activations import floating, tensor

__all__ = [
    "resize",
    "affine_transform",
    "map_coordinates",
    "pad_images",
    "crop_images",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "hsv_to_rgb",
    "extract_patches",
    "gaussian_blur",
    "sobel_edges",
    "perspective_transform",
    "elastic_transform",
    "scale_and_translate",
    "extract_patches_3d",
    "ssim",
]


def _images(name: str, images: TensorLike, data_format: str | None) -> tuple[torch.Tensor, str]:
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError(
            f"ops.image.{name}: expected images of rank 3 (height, width, channels) or 4 "
            f"(batch, height, width, channels), received shape {tuple(x.shape)}"
        )
    return x, cu.normalize_data_format(data_format, f"ops.image.{name}")


def _batched_first(x: torch.Tensor, data_format: str) -> tuple[torch.Tensor, bool]:
    """``(nchw, unbatched)``: a channels-first batch view of ``x``."""
    unbatched = x.dim() == 3
    x = x.unsqueeze(0) if unbatched else x
    return (x.permute(0, 3, 1, 2) if data_format == "channels_last" else x), unbatched


def _restore(y: torch.Tensor, data_format: str, unbatched: bool) -> torch.Tensor:
    y = y.permute(0, 2, 3, 1) if data_format == "channels_last" else y
    return y.squeeze(0) if unbatched else y


def resize(
    images: TensorLike,
    size: Sequence[int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Resizes images to ``size = (height, width)``: ``resize(torch.ones(4, 4, 3), (2, 2)).shape`` -> ``(2, 2, 3)``."""
    x, data_format = _images("resize", images, data_format)
    if interpolation not in _image.RESIZE_MODES:
        raise ValueError(
            f"ops.image.resize: interpolation must be one of {list(_image.RESIZE_MODES)}, "
            f"received interpolation={interpolation!r}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("ops.image.resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    size = tuple(size)
    if len(size) != 2:
        raise ValueError(f"ops.image.resize: size must be (height, width), received size={size!r}")
    return _image.resize(
        floating(x), size, interpolation, antialias, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value, data_format
    )


def affine_transform(
    images: TensorLike,
    transform: TensorLike,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Samples images at the points ``transform`` (``(8,)`` or ``(batch, 8)``) maps each output pixel to."""
    x, data_format = _images("affine_transform", images, data_format)
    if interpolation not in _image.AFFINE_INTERPOLATIONS:
        raise ValueError(
            f"ops.image.affine_transform: interpolation must be one of "
            f"{list(_image.AFFINE_INTERPOLATIONS)}, received interpolation={interpolation!r}"
        )
    if fill_mode not in _image.AFFINE_FILL_MODES:
        raise ValueError(
            f"ops.image.affine_transform: fill_mode must be one of {list(_image.AFFINE_FILL_MODES)}, "
            f"received fill_mode={fill_mode!r}"
        )
    transform = floating(transform)
    if transform.shape[-1:] != (8,) or transform.dim() > 2:
        raise ValueError(
            f"ops.image.affine_transform: expected transform of shape (8,) or (batch, 8), "
            f"received shape {tuple(transform.shape)}"
        )
    return _image.affine_transform(floating(x), transform, interpolation, fill_mode, fill_value, data_format)


def map_coordinates(
    inputs: TensorLike,
    coordinates: Sequence[TensorLike],
    order: int,
    fill_mode: str = "constant",
    fill_value: float = 0,
) -> torch.Tensor:
    """Samples ``inputs`` at ``coordinates`` (one coordinate array per input axis) with nearest (order 0) or
    linear (order 1) interpolation: ``map_coordinates(torch.tensor([1.0, 3.0]), [torch.tensor([0.5])], 1)``
    -> ``tensor([2.])``."""
    x = tensor(inputs)
    if order not in (0, 1):
        raise ValueError(f"ops.image.map_coordinates: order must be 0 or 1, received order={order!r}")
    if fill_mode not in _image.AFFINE_FILL_MODES:
        raise ValueError(
            f"ops.image.map_coordinates: fill_mode must be one of {list(_image.AFFINE_FILL_MODES)}, "
            f"received fill_mode={fill_mode!r}"
        )
    grids: Sequence[torch.Tensor] = [floating(c).to(x.device) for c in coordinates]
    if len(grids) != x.dim():
        raise ValueError(
            f"ops.image.map_coordinates: expected {x.dim()} coordinate arrays (one per input axis), "
            f"received {len(grids)}"
        )
    grids = torch.broadcast_tensors(*grids)
    compute = x if x.is_floating_point() else x.to(grids[0].dtype)
    flat = compute.reshape(-1)
    strides = [int(s) for s in torch.tensor(x.shape).flip(0).cumprod(0).flip(0)[1:].tolist()] + [1]
    per_axis: list[list[tuple[torch.Tensor, torch.Tensor | None]]]
    if order == 0:
        per_axis = [[(torch.round(c).long(), None)] for c in grids]
    else:
        per_axis = []
        for c in grids:
            lower = torch.floor(c)
            upper_weight = c - lower
            per_axis.append([(lower.long(), 1 - upper_weight), (lower.long() + 1, upper_weight)])
    out = None
    fill = torch.as_tensor(fill_value, dtype=flat.dtype, device=flat.device)
    for corner in itertools.product(*per_axis):
        index = torch.zeros_like(corner[0][0])
        valid = None
        weight = None
        for (i, w), size, stride in zip(corner, x.shape, strides):
            index = index + _image._fold(i, size, fill_mode) * stride
            if fill_mode == "constant":
                ok = (i >= 0) & (i < size)
                valid = ok if valid is None else valid & ok
            if w is not None:
                weight = w if weight is None else weight * w
        value = flat[index]
        if valid is not None:
            value = torch.where(valid, value, fill)
        if weight is not None:
            value = value * weight.to(value.dtype)
        out = value if out is None else out + value
    assert out is not None  # itertools.product yields at least one corner
    return out.to(x.dtype) if not x.is_floating_point() else out


def _box(name, size, before, after, target, what):
    """``(before, after)`` amounts of one axis from two of ``before``, ``after`` and ``target``."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(
            f"ops.image.{name}: exactly two of the {what[0]}, {what[1]} and {what[2]} arguments must "
            f"be set, received {what[0]}={before}, {what[1]}={after}, {what[2]}={target}"
        )
    return before, after, target


def pad_images(
    images: TensorLike,
    top_padding: int | None = None,
    left_padding: int | None = None,
    bottom_padding: int | None = None,
    right_padding: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> torch.Tensor:
    """Zero-pads images to ``target_height x target_width`` or by the given amounts."""
    x, data_format = _images("pad_images", images, data_format)
    nchw, unbatched = _batched_first(x, data_format)
    height, width = nchw.shape[-2:]
    amounts = []
    for size, before, after, target, what in (
        (height, top_padding, bottom_padding, target_height, ("top_padding", "bottom_padding", "target_height")),
        (width, left_padding, right_padding, target_width, ("left_padding", "right_padding", "target_width")),
    ):
        before, after, target = _box("pad_images", size, before, after, target, what)
        if before is None:
            before = target - size - after
        elif after is None:
            after = target - size - before
        if before < 0 or after < 0:
            raise ValueError(
                f"ops.image.pad_images: the padding must be non-negative, received {what[0]}={before} "
                f"and {what[1]}={after} for an axis of size {size}"
            )
        amounts.append((before, after))
    (top, bottom), (left, right) = amounts
    return _restore(F.pad(nchw, (left, right, top, bottom)), data_format, unbatched)


def crop_images(
    images: TensorLike,
    top_cropping: int | None = None,
    left_cropping: int | None = None,
    bottom_cropping: int | None = None,
    right_cropping: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> torch.Tensor:
    """Crops images to ``target_height x target_width`` or by the given amounts (a view)."""
    x, data_format = _images("crop_images", images, data_format)
    nchw, unbatched = _batched_first(x, data_format)
    height, width = nchw.shape[-2:]
    boxes = []
    for size, before, after, target, what in (
        (height, top_cropping, bottom_cropping, target_height, ("top_cropping", "bottom_cropping", "target_height")),
        (width, left_cropping, right_cropping, target_width, ("left_cropping", "right_cropping", "target_width")),
    ):
        before, after, target = _box("crop_images", size, before, after, target, what)
        if target is None:
            target = size - before - after
        elif before is None:
            before = size - target - after
        if before < 0 or target <= 0 or before + target > size:
            raise ValueError(
                f"ops.image.crop_images: the crop must lie inside the image, received "
                f"{what[0]}={before} and a target size of {target} for an axis of size {size}"
            )
        boxes.append(slice(before, before + target))
    return _restore(nchw[:, :, boxes[0], boxes[1]], data_format, unbatched)


_GRAY = (0.2989, 0.5870, 0.1140)


def rgb_to_grayscale(images: TensorLike, data_format: str | None = None) -> torch.Tensor:
    """The luma ``0.2989 R + 0.5870 G + 0.1140 B`` as one channel."""
    x, data_format = _images("rgb_to_grayscale", images, data_format)
    axis = -1 if data_format == "channels_last" else -3
    if x.shape[axis] != 3:
        raise ValueError(f"ops.image.rgb_to_grayscale: expected 3 channels, received shape {tuple(x.shape)}")
    compute = floating(x)
    weights = torch.tensor(_GRAY, dtype=compute.dtype, device=x.device)
    gray = torch.tensordot(compute.movedim(axis, -1), weights, dims=1).unsqueeze(axis)
    return gray.to(x.dtype)


def rgb_to_hsv(images: TensorLike, data_format: str | None = None) -> torch.Tensor:
    """RGB in ``[0, 1]`` to HSV (hue in ``[0, 1)``), TensorFlow's formulas."""
    x, data_format = _images("rgb_to_hsv", images, data_format)
    x = floating(x)
    axis = -1 if data_format == "channels_last" else -3
    r, g, b = x.unbind(axis)
    value = torch.maximum(torch.maximum(r, g), b)
    delta = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, delta / torch.where(value > 0, value, 1), 0)
    safe = torch.where(delta > 0, delta, 1)
    hue = torch.where(value == r, (g - b) / safe, torch.where(value == g, 2 + (b - r) / safe, 4 + (r - g) / safe))
    hue = torch.where(delta > 0, torch.remainder(hue / 6, 1.0), 0)
    return torch.stack([hue, saturation, value], axis)


def hsv_to_rgb(images: TensorLike, data_format: str | None = None) -> torch.Tensor:
    """HSV (hue in ``[0, 1]``) to RGB, TensorFlow's formulas."""
    x, data_format = _images("hsv_to_rgb", images, data_format)
    x = floating(x)
    axis = -1 if data_format == "channels_last" else -3
    h, s, v = x.unbind(axis)
    channels = []
    for n in (5.0, 3.0, 1.0):
        k = torch.remainder(n + h * 6, 6)
        channels.append(v - v * s * torch.clamp(torch.minimum(k, 4 - k), 0, 1))
    return torch.stack(channels, axis)


def extract_patches(
    images: TensorLike,
    size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    dilation_rate: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Patches of ``size`` every ``strides`` pixels, flattened into the channel axis."""
    x, data_format = _images("extract_patches", images, data_format)
    size = cu.normalize_tuple(size, 2, "size", "ops.image.extract_patches")
    strides = size if strides is None else cu.normalize_tuple(strides, 2, "strides", "ops.image.extract_patches")
    dilations = cu.normalize_tuple(dilation_rate, 2, "dilation_rate", "ops.image.extract_patches")
    padding = cu.normalize_padding(padding, ("valid", "same"), "ops.image.extract_patches")
    nchw, unbatched = _batched_first(floating(x), data_format)
    channels = nchw.shape[1]
    # an identity kernel: output channel (i, j, c) copies input channel c at offset (i, j)
    eye = torch.eye(size[0] * size[1] * channels, dtype=nchw.dtype, device=nchw.device)
    kernel = eye.reshape(size[0] * size[1] * channels, size[0], size[1], channels).permute(0, 3, 1, 2).contiguous()
    spatial = tuple(nchw.shape[2:])
    cu.check_output_size(spatial, size, strides, dilations, padding, "ops.image.extract_patches")
    torch_padding, pad = cu.conv_geometry(spatial, size, strides, dilations, padding)
    nchw = nchw if pad is None else F.pad(nchw, pad)
    return _restore(F.conv2d(nchw, kernel, None, strides, torch_padding, dilations), data_format, unbatched)


def gaussian_blur(
    images: TensorLike,
    kernel_size: int | Sequence[int] = (3, 3),
    sigma: float | tuple[float, ...] | list[float] = (1.0, 1.0),
    data_format: str | None = None,
) -> torch.Tensor:
    """Blurs images with a Gaussian kernel of ``kernel_size`` and ``sigma`` (per axis)."""
    x, data_format = _images("gaussian_blur", images, data_format)
    nchw, unbatched = _batched_first(floating(x), data_format)
    kernel_size = cu.normalize_tuple(kernel_size, 2, "kernel_size", "ops.image.gaussian_blur")
    sigmas = tuple(sigma) if isinstance(sigma, (tuple, list)) else (sigma, sigma)
    kernels = []
    for k, s in zip(kernel_size, sigmas):
        t = torch.arange(k, dtype=nchw.dtype, device=nchw.device) - (k - 1) / 2
        g = torch.exp(-t * t / (2.0 * float(s) ** 2))
        kernels.append(g / g.sum())
    kernel = kernels[0][:, None] * kernels[1][None, :]
    padding = (kernel_size[1] // 2, (kernel_size[1] - 1) // 2, kernel_size[0] // 2, (kernel_size[0] - 1) // 2)
    channels = nchw.shape[1]
    weight = kernel.expand(channels, 1, *kernel.shape).contiguous()
    y = F.conv2d(F.pad(nchw, padding), weight, groups=channels)
    return _restore(y, data_format, unbatched)


def _compute_dtype(x: TensorLike) -> torch.dtype:
    """The dtype the resampling ops compute ``x`` in: float32 and float64 as they are, half floats in float32,
    integers and bools in ``floatx``."""
    x = floating(x)
    return torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype


def _cast_back(y: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A computed float ``y`` in the input's ``dtype``: integers rounded and clipped to the dtype's range, bools
    left as computed (float)."""
    if dtype.is_floating_point:
        return y.to(dtype)
    if dtype == torch.bool:
        return y
    info = torch.iinfo(dtype)
    return torch.round(y).clamp(info.min, info.max).to(dtype)


def _check_choice(name, argument, value, allowed):
    if value not in allowed:
        raise ValueError(f"ops.image.{name}: {argument} must be one of {list(allowed)}, received {argument}={value!r}")


def sobel_edges(images: TensorLike, data_format: str | None = None) -> torch.Tensor:
    """Sobel edge detection: the vertical and horizontal intensity gradients of each channel.

    The gradients are the cross-correlations of each channel with the 3x3 Sobel kernels, ``dy`` with
    ``[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]`` (positive where the image brightens downwards) and ``dx`` with its
    transpose (positive where it brightens to the right); pixels outside the image count as 0, as in Keras 3's
    torch and JAX backends (so constant images have edges at their border). Computed with shifted sums in the
    input's dtype (integer images give exact integer gradients), differentiable.

    Args:
        images: tensor or array: a batch of images, ``(batch, height, width, channels)`` with
            ``data_format="channels_last"``, ``(batch, channels, height, width)`` with ``"channels_first"``.
        data_format: str or None, default ``None``: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.

    Returns:
        A tensor of the input's dtype (floatx for bool inputs) and of shape ``images.shape + (2,)``, whose last
        axis holds ``[dy, dx]``.

    Raises:
        ValueError: for images that are not a rank-4 batch, or an unknown ``data_format``.

    Example:
        >>> image = torch.zeros(1, 4, 4, 1)
        >>> image[0, :, 2:, 0] = 1.0   # a vertical edge
        >>> edges = sobel_edges(image)
        >>> edges.shape
        torch.Size([1, 4, 4, 1, 2])
        >>> edges[0, 1, :, 0, 1]   # dx along a row (the zeros outside make an edge at the right border)
        tensor([ 0.,  4.,  4., -4.])
    """
    x = tensor(images)
    data_format = cu.normalize_data_format(data_format, "ops.image.sobel_edges")
    if x.dim() != 4:
        raise ValueError(f"ops.image.sobel_edges: expected images of rank 4 (a batch), received shape {tuple(x.shape)}")
    x = floating(x) if x.dtype == torch.bool else x
    rows, cols = (1, 2) if data_format == "channels_last" else (2, 3)
    height, width = x.shape[rows], x.shape[cols]
    padded = F.pad(x, (0, 0, 1, 1, 1, 1) if data_format == "channels_last" else (1, 1, 1, 1))

    def smooth(t, axis, size):  # the [1, 2, 1] taps along ``axis``
        return t.narrow(axis, 0, size) + 2 * t.narrow(axis, 1, size) + t.narrow(axis, 2, size)

    across, down = smooth(padded, cols, width), smooth(padded, rows, height)
    dy = across.narrow(rows, 2, height) - across.narrow(rows, 0, height)
    dx = down.narrow(cols, 2, width) - down.narrow(cols, 0, width)
    return torch.stack([dy, dx], -1)


def _points(name: str, argument: str, points: TensorLike, device: torch.device) -> torch.Tensor:
    points = floating(points).to(device)
    if points.shape[-2:] != (4, 2) or points.dim() not in (2, 3):
        raise ValueError(
            f"ops.image.{name}: expected {argument} of shape (4, 2) for all images or (batch, 4, 2), "
            f"received shape {tuple(points.shape)}"
        )
    return points


def perspective_transform(
    images: TensorLike,
    start_points: TensorLike,
    end_points: TensorLike,
    interpolation: str = "bilinear",
    fill_value: float = 0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Warps images by the perspective transform (homography) that moves ``start_points`` onto ``end_points``.

    The output pixel at ``end_points[i]`` shows the input at ``start_points[i]``: each output pixel ``(x, y)`` reads
    the input at the projective map of ``(x, y)`` that sends the four end points onto the four start points
    (points are ``(x, y)``: column, then row). Sampling is :func:`affine_transform`'s; points outside the input read
    ``fill_value``. One batched gather for the whole batch; the transforms are solved in float64 and the result is
    differentiable in the images and in the points. Half-precision images are computed in float32; integer images
    in ``floatx``, then rounded and clipped to their dtype (Keras truncates, after casting the points to the
    image's integer dtype).

    Args:
        images: tensor or array: one image ``(height, width, channels)`` or a batch ``(batch, height, width,
            channels)`` (channels first with ``data_format="channels_first"``).
        start_points: tensor or array of shape ``(4, 2)`` (for every image) or ``(batch, 4, 2)``: four ``(x, y)``
            points of the input, in Keras's corner order (top-left, top-right, bottom-left, bottom-right) or any other
            four points of which no three are collinear.
        end_points: tensor or array of the shape of ``start_points``: where those points go in the output.
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        fill_value: float, default ``0``: the value of output pixels that map outside the input.
        data_format: str or None, default ``None``: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.

    Returns:
        A tensor of the shape and dtype of ``images``: the warped images.

    Raises:
        ValueError: for images not of rank 3 or 4, points not of shape ``(4, 2)`` or ``(batch, 4, 2)``, start and
            end points of different shapes, a batch of points that does not match the batch of images, or an
            unknown ``interpolation`` or ``data_format``.

    Example:
        >>> x = torch.arange(9.0).reshape(3, 3, 1)
        >>> corners = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
        >>> perspective_transform(x, corners, corners * 2)[..., 0]   # zoom in: the top-left quarter grows
        tensor([[0.0000, 0.5000, 1.0000],
                [1.5000, 2.0000, 2.5000],
                [3.0000, 3.5000, 4.0000]])
    """
    x, data_format = _images("perspective_transform", images, data_format)
    _check_choice("perspective_transform", "interpolation", interpolation, _image.AFFINE_INTERPOLATIONS)
    start = _points("perspective_transform", "start_points", start_points, x.device)
    end = _points("perspective_transform", "end_points", end_points, x.device)
    if start.shape != end.shape:
        raise ValueError(
            f"ops.image.perspective_transform: start_points and end_points must have one shape, "
            f"received shapes {tuple(start.shape)} and {tuple(end.shape)}"
        )
    batch = x.shape[0] if x.dim() == 4 else 1
    if start.dim() == 3 and start.shape[0] not in (1, batch):
        raise ValueError(
            f"ops.image.perspective_transform: expected points for 1 or {batch} images (the batch), "
            f"received points of shape {tuple(start.shape)} for images of shape {tuple(x.shape)}"
        )
    batched = x.unsqueeze(0) if x.dim() == 3 else x
    warped = _image.warp_perspective(
        batched.to(_compute_dtype(x)), _image.homographies(start, end), interpolation, fill_value, data_format
    )
    return _cast_back(warped if x.dim() == 4 else warped.squeeze(0), x.dtype)


def elastic_transform(
    images: TensorLike,
    alpha: float = 20.0,
    sigma: float = 5.0,
    interpolation: str = "bilinear",
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    seed: int | krandom.SeedGenerator | None = None,
    data_format: str | None = None,
) -> torch.Tensor:
    """Distorts images by a random, smooth displacement field (elastic deformation).

    Each image draws two fields of standard normal noise (``dx``, then ``dy``, of shape ``(height, width)``),
    scales them by ``sigma``, smooths them with a normalized Gaussian of standard deviation ``sigma``
    (``int(6 * sigma) | 1`` taps, zero "same" padding) and multiplies them by ``alpha``; the output pixel ``(x, y)``
    reads the input at ``(x + dx, y + dy)``, sampled as :func:`map_coordinates` samples with ``interpolation`` and
    ``fill_mode``. One batched gather for the whole batch; differentiable in the images. Half-precision images are
    computed in float32; integer images in ``floatx``, then rounded and clipped to their dtype.

    Deliberate differences from Keras 3.15's torch backend, which smooths the fields with its faulty
    ``gaussian_blur`` (see :func:`gaussian_blur`), draws the noise from torch's global generator whatever
    ``seed`` says, and fails on images one pixel high or wide: kerastorch smooths with the true Gaussian (so the
    result is Keras's whenever the kernel has one tap, ``sigma < 1/3``, and the noise is the same), honours ``seed``,
    and takes any image size. ``sigma=0`` leaves the images as they are.

    Args:
        images: tensor or array: one image ``(height, width, channels)`` or a batch ``(batch, height, width,
            channels)`` (channels first with ``data_format="channels_first"``).
        alpha: float, default ``20.0``: the strength of the displacements (in pixels, per unit of smoothed noise).
        sigma: float >= 0, default ``5.0``: the standard deviation of the noise and of the smoothing Gaussian.
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        fill_mode: str, default ``"reflect"``: how points outside the input are read: ``"reflect"``
            (``dcba|abcd|dcba``), ``"mirror"`` (``dcb|abcd|cba``), ``"wrap"`` (``abcd|abcd``), ``"nearest"``
            (``aaaa|abcd|dddd``) or ``"constant"`` (``fill_value``).
        fill_value: float, default ``0.0``: the value outside the input with ``fill_mode="constant"``.
        seed: None, int or ``keras.random.SeedGenerator``, default ``None``: the noise's seed; None draws from
            torch's global generator, an int gives the same distortion on every call, a SeedGenerator a new one on
            every call.
        data_format: str or None, default ``None``: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.

    Returns:
        A tensor of the shape and dtype of ``images``: the distorted images.

    Raises:
        ValueError: for images not of rank 3 or 4, a negative ``sigma``, or an unknown ``interpolation``,
            ``fill_mode`` or ``data_format``.

    Example:
        >>> x = torch.rand(2, 16, 16, 3)
        >>> y = elastic_transform(x, alpha=4.0, sigma=2.0, seed=1)
        >>> y.shape, bool(torch.equal(y, elastic_transform(x, alpha=4.0, sigma=2.0, seed=1)))
        (torch.Size([2, 16, 16, 3]), True)
    """
    x, data_format = _images("elastic_transform", images, data_format)
    _check_choice("elastic_transform", "interpolation", interpolation, _image.AFFINE_INTERPOLATIONS)
    _check_choice("elastic_transform", "fill_mode", fill_mode, _image.AFFINE_FILL_MODES)
    sigma = float(sigma)
    if sigma < 0:
        raise ValueError(f"ops.image.elastic_transform: sigma must be >= 0, received sigma={sigma}")
    batched = (x.unsqueeze(0) if x.dim() == 3 else x).to(_compute_dtype(x))
    rows, cols = _image.spatial_dims(4, data_format)
    shape = (batched.shape[0], batched.shape[rows], batched.shape[cols])
    seed = krandom.SeedGenerator(seed) if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) else seed
    dtype = "float64" if batched.dtype == torch.float64 else "float32"
    noise = torch.stack([krandom.normal(shape, dtype=dtype, seed=seed, device=x.device) for _ in "xy"], 1)
    warped = _image.elastic_warp(batched, noise, alpha, sigma, interpolation, fill_mode, fill_value, data_format)
    return _cast_back(warped if x.dim() == 4 else warped.squeeze(0), x.dtype)


def _keys_cubic(t):
    a = t.abs()
    near = (1.5 * a - 2.5) * a * a + 1
    far = ((-0.5 * a + 2.5) * a - 4) * a + 2
    return torch.where(a <= 1, near, torch.where(a < 2, far, 0))


def _lanczos(radius):
    return lambda t: torch.where(t.abs() < radius, torch.sinc(t) * torch.sinc(t / radius), 0)


_RESAMPLING_KERNELS = {
    "linear": lambda t: torch.clamp(1 - t.abs(), min=0),
    "cubic": _keys_cubic,
    "lanczos3": _lanczos(3),
    "lanczos5": _lanczos(5),
}
_RESAMPLING_METHODS = {
    "linear": "linear",
    "bilinear": "linear",
    "trilinear": "linear",
    "triangle": "linear",
    "cubic": "cubic",
    "bicubic": "cubic",
    "tricubic": "cubic",
    "lanczos3": "lanczos3",
    "lanczos5": "lanczos5",
}


def _resampling_weights(size, out_size, scale, translation, kernel, antialias):
    """The ``(size, out_size)`` matrix taking one axis of ``size`` samples to ``out_size``: output sample ``i``
    is centred on input coordinate ``(i + 0.5 - translation) / scale - 0.5``, weighted by ``kernel`` (widened by
    ``1 / scale`` when shrinking with ``antialias``), normalized; samples centred outside the input are 0."""
    centres = (torch.arange(out_size, dtype=scale.dtype, device=scale.device) + 0.5 - translation) / scale - 0.5
    offsets = centres - torch.arange(size, dtype=scale.dtype, device=scale.device)[:, None]
    weights = kernel(offsets / torch.clamp(1 / scale, min=1.0) if antialias else offsets)
    total = weights.sum(0)
    usable = (total.abs() > 1000 * torch.finfo(scale.dtype).eps) & (centres >= -0.5) & (centres <= size - 0.5)
    return torch.where(usable, weights / torch.where(usable, total, 1), 0)


def scale_and_translate(
    images: TensorLike,
    output_shape: Sequence[int],
    scale: TensorLike,
    translation: TensorLike,
    spatial_dims: Sequence[int],
    method: str,
    antialias: bool = True,
) -> torch.Tensor:
    """Resamples ``images`` to ``output_shape`` under a scale and a translation of its ``spatial_dims``.

    Along each spatial axis ``d`` (with ``scale[k]`` and ``translation[k]`` for ``d = spatial_dims[k]``), the input
    coordinate ``u`` goes to the output coordinate ``u * scale[k] + translation[k]``, pixels being half-centred (pixel
    ``i`` covers ``[i, i + 1)`` and is centred on ``i + 0.5``). Each output pixel is the normalized, kernel-weighted
    sum of the input pixels around the point it comes from (the inverse map); an output pixel that comes from
    outside ``[0, size]`` is 0. With ``antialias`` and ``scale < 1`` (shrinking) the kernel is widened by
    ``1 / scale``, which filters out aliasing. This is ``jax.image.scale_and_translate``'s definition, which Keras
    3 follows on every backend; it runs as one matrix product per axis and is differentiable in ``images``,
    ``scale`` and ``translation``. Half-precision images are computed in float32; integer images in ``floatx``,
    then rounded and clipped to their dtype, as Keras does (Keras 3.15's torch backend, though, does not zero the
    pixels of integer images that come from outside the input).

    Args:
        images: tensor or array of any rank.
        output_shape: sequence of ints, one per axis of ``images``: the output shape; it equals ``images.shape`` on
            the axes that are not in ``spatial_dims``.
        scale: tensor, array or sequence of ``len(spatial_dims)`` positive floats: the scale of each spatial axis.
        translation: tensor, array or sequence of ``len(spatial_dims)`` floats: the translation of each spatial
            axis, in output pixels.
        spatial_dims: sequence of ints: the axes that ``scale`` and ``translation`` apply to (negative axes count
            from the end).
        method: str: the interpolation kernel: ``"linear"`` (also ``"bilinear"``, ``"trilinear"``,
            ``"triangle"``), ``"cubic"`` (Keys' cubic with ``a = -0.5``; also ``"bicubic"``, ``"tricubic"``),
            ``"lanczos3"`` or ``"lanczos5"`` (Lanczos kernels of radius 3 and 5).
        antialias: bool, default ``True``: whether to widen the kernel when shrinking; no effect when enlarging.

    Returns:
        A tensor of shape ``output_shape`` and of the dtype of ``images`` (floatx for bool images).

    Raises:
        ValueError: for an unknown ``method``, ``spatial_dims`` that are not distinct axes of ``images``, an
            ``output_shape`` that is not one size per axis or changes an axis outside ``spatial_dims``, or a
            ``scale`` or ``translation`` that is not one number per spatial axis.

    Example:
        >>> images = torch.arange(9.0).reshape(3, 3)
        >>> scale = torch.tensor([2.0, 2.0])
        >>> scale_and_translate(images, (5, 5), scale, -(scale / 2 - 0.5), (0, 1), "linear")
        tensor([[0.0000, 0.5000, 1.0000, 1.5000, 2.0000],
                [1.5000, 2.0000, 2.5000, 3.0000, 3.5000],
                [3.0000, 3.5000, 4.0000, 4.5000, 5.0000],
                [4.5000, 5.0000, 5.5000, 6.0000, 6.5000],
                [6.0000, 6.5000, 7.0000, 7.5000, 8.0000]])
    """
    x = tensor(images)
    _check_choice("scale_and_translate", "method", method, _RESAMPLING_METHODS)
    rank = x.dim()
    dims = [int(d) for d in spatial_dims]
    if any(not -rank <= d < rank for d in dims) or len({d % rank for d in dims}) != len(dims):
        raise ValueError(
            f"ops.image.scale_and_translate: spatial_dims must be distinct axes of the rank-{rank} "
            f"images, received spatial_dims={tuple(spatial_dims)}"
        )
    dims = [d % rank for d in dims]
    output_shape = tuple(int(n) for n in output_shape)
    if len(output_shape) != rank or any(output_shape[d] != x.shape[d] for d in range(rank) if d not in dims):
        raise ValueError(
            f"ops.image.scale_and_translate: output_shape must give one size per axis of the images "
            f"and keep the axes outside spatial_dims={tuple(dims)}, received output_shape={output_shape} "
            f"for images of shape {tuple(x.shape)}"
        )
    y = x.to(_compute_dtype(x))
    factors = []
    for argument, value in (("scale", scale), ("translation", translation)):
        value = floating(value).to(device=y.device, dtype=y.dtype).reshape(-1)
        if value.shape[0] != len(dims):
            raise ValueError(
                f"ops.image.scale_and_translate: {argument} must hold one number per spatial axis "
                f"({len(dims)}), received {argument} of shape {tuple(value.shape)}"
            )
        factors.append(value)
    kernel = _RESAMPLING_KERNELS[_RESAMPLING_METHODS[method]]
    for k, d in enumerate(dims):
        weights = _resampling_weights(x.shape[d], output_shape[d], factors[0][k], factors[1][k], kernel, antialias)
        y = torch.matmul(y.movedim(d, -1), weights).movedim(-1, d)
    return _cast_back(y, x.dtype)


def extract_patches_3d(
    volumes: TensorLike,
    size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    dilation_rate: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Extracts 3D patches from volumes: each patch of ``size`` voxels flattened into the channel axis.

    The patch at output position ``(i, j, k)`` starts at voxel ``(i, j, k) * strides`` (of the input padded for
    ``"same"``, with Keras's padding rules) and takes every ``dilation_rate``-th voxel; its values are laid out
    depth, row, column, then channel (channel fastest), as in Keras. Gathered as strided views of the input and
    copied once (no convolution), in the input's dtype; differentiable.

    Args:
        volumes: tensor or array: one volume ``(depth, height, width, channels)`` or a batch ``(batch, depth,
            height, width, channels)`` (channels first with ``data_format="channels_first"``).
        size: int or tuple of 3 ints: the patch size ``(patch_depth, patch_height, patch_width)``.
        strides: int, tuple of 3 ints or None, default ``None``: the steps between patches along depth, height and
            width; None uses ``size`` (patches side by side).
        dilation_rate: int or tuple of 3 ints, default ``1``: the step between the voxels of one patch.
        padding: str, default ``"valid"``: ``"valid"`` (patches inside the volume only) or ``"same"`` (zero padding so
            that there are ``ceil(size / strides)`` patches along each axis).
        data_format: str or None, default ``None``: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.

    Returns:
        A tensor of the dtype of ``volumes``: ``(batch, out_depth, out_height, out_width, patch_depth * patch_height
        * patch_width * channels)`` with ``"channels_last"``, ``(batch, patch_depth * patch_height * patch_width *
        channels, out_depth, out_height, out_width)`` with ``"channels_first"``, without the batch axis for one
        volume.

    Raises:
        ValueError: for volumes not of rank 4 or 5, ``size``, ``strides`` or ``dilation_rate`` that are not one or
            three positive ints, an unknown ``padding`` or ``data_format``, or patches larger than the volume.

    Example:
        >>> volumes = torch.rand(2, 10, 10, 10, 3)
        >>> extract_patches_3d(volumes, (3, 3, 3)).shape
        torch.Size([2, 3, 3, 3, 81])
        >>> extract_patches_3d(volumes[0], 2, strides=1, padding="same").shape
        torch.Size([10, 10, 10, 24])
    """
    label = "ops.image.extract_patches_3d"
    x = tensor(volumes)
    if x.dim() not in (4, 5):
        raise ValueError(
            f"{label}: expected volumes of rank 4 (depth, height, width, channels) or 5 (batch, depth, "
            f"height, width, channels), received shape {tuple(x.shape)}"
        )
    data_format = cu.normalize_data_format(data_format, label)
    size = cu.normalize_tuple(size, 3, "size", label)
    strides = size if strides is None else cu.normalize_tuple(strides, 3, "strides", label)
    dilations = cu.normalize_tuple(dilation_rate, 3, "dilation_rate", label)
    padding = cu.normalize_padding(padding, ("valid", "same"), label)
    batched = x.unsqueeze(0) if x.dim() == 4 else x
    ncdhw = batched.permute(cu.to_channels_first_perm(3)) if data_format == "channels_last" else batched
    spatial = tuple(ncdhw.shape[2:])
    out = cu.check_output_size(spatial, size, strides, dilations, padding, label)
    pad = cu.explicit_padding(spatial, size, strides, dilations, padding)
    windows = F.pad(ncdhw, pad) if any(pad) else ncdhw
    for axis, k, s, d in zip((2, 3, 4), size, strides, dilations):
        windows = windows.unfold(axis, cu.effective_kernel(k, d), s)
    windows = windows[..., :: dilations[0], :: dilations[1], :: dilations[2]]  # (batch, channels, *out, *size)
    patches = windows.permute(0, 2, 3, 4, 5, 6, 7, 1).reshape(ncdhw.shape[0], *out, -1)
    patches = patches.permute(cu.to_channels_first_perm(3)) if data_format == "channels_first" else patches
    return patches if x.dim() == 5 else patches.squeeze(0)


def ssim(
    image1: TensorLike,
    image2: TensorLike,
    max_val: float = 1.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
    data_format: str | None = None,
) -> torch.Tensor:
    """The structural similarity index (SSIM) of two images, or of each pair of a batch.

    Wang et al. (2004)'s index, as Keras 3 computes it: local means, variances and covariance under a normalized
    ``filter_size`` x ``filter_size`` Gaussian window of standard deviation ``filter_sigma`` (the windows inside the
    image only), combined per pixel as ``((2 mu1 mu2 + c1) (2 cov + c2)) / ((mu1^2 + mu2^2 + c1) (var1 + var2 +
    c2))`` with ``c1 = (k1 max_val)^2`` and ``c2 = (k2 max_val)^2``, then averaged over the positions and the channels.
    1 for identical images, smaller the more they differ (down to -1). Differentiable in both images (usable as a
    loss). Half-precision images are computed in float32; integer images in ``floatx`` (Keras's torch backend
    computes them in their integer dtype, which truncates the result to 0).

    Args:
        image1: tensor or array: one image ``(height, width, channels)`` or a batch ``(batch, height, width,
            channels)`` (channels first with ``data_format="channels_first"``).
        image2: tensor or array of the shape of ``image1``.
        max_val: float, default ``1.0``: the dynamic range of the pixel values (``255.0`` for 8-bit images).
        filter_size: int, default ``11``: the side of the Gaussian window, at most the height and the width.
        filter_sigma: float > 0, default ``1.5``: the standard deviation of the Gaussian window.
        k1: float, default ``0.01``: the luminance stabilization constant.
        k2: float, default ``0.03``: the contrast stabilization constant.
        data_format: str or None, default ``None``: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.

    Returns:
        A tensor of the images' (promoted) float dtype: a scalar for two images, one value per pair ``(batch,)`` for
        batches.

    Raises:
        ValueError: for images not of rank 3 or 4 or of different shapes, a ``filter_size`` that is not a positive
            int no larger than the images, a ``filter_sigma`` that is not positive, or an unknown ``data_format``.

    Example:
        >>> image = torch.rand(32, 32, 3)
        >>> float(ssim(image, image))
        1.0
        >>> ssim(torch.rand(2, 32, 32, 3), torch.rand(2, 32, 32, 3)).shape
        torch.Size([2])
    """
    a, data_format = _images("ssim", image1, data_format)
    b = tensor(image2).to(a.device)
    if a.shape != b.shape:
        raise ValueError(
            f"ops.image.ssim: image1 and image2 must have one shape, received shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}"
        )
    size = cu.normalize_tuple(filter_size, 1, "filter_size", "ops.image.ssim")[0]
    if not filter_sigma > 0:
        raise ValueError(f"ops.image.ssim: filter_sigma must be > 0, received filter_sigma={filter_sigma!r}")
    out_dtype = torch.promote_types(floating(a).dtype, floating(b).dtype)
    dtype = torch.promote_types(_compute_dtype(a), _compute_dtype(b))
    (a, unbatched), (b, _) = (_batched_first(t.to(dtype), data_format) for t in (a, b))
    if size > min(a.shape[-2:]):
        raise ValueError(
            f"ops.image.ssim: filter_size must be at most the image height and width, received "
            f"filter_size={size} for images of size {tuple(a.shape[-2:])}"
        )
    taps = _image.gaussian_kernels(torch.tensor([float(filter_sigma)], dtype=dtype, device=a.device), size)
    stats = torch.cat([a, b, a * a, b * b, a * b], 1)
    for kernel in (taps[:, :, None], taps[:, None, :]):
        stats = _image.filter_images(stats, kernel, "channels_first", "valid")
    mean1, mean2, square1, square2, product = stats.chunk(5, 1)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean_product, mean_squares = mean1 * mean2, mean1 * mean1 + mean2 * mean2
    covariance, variances = product - mean_product, square1 + square2 - mean_squares
    index = (2 * mean_product + c1) * (2 * covariance + c2) / ((mean_squares + c1) * (variances + c2))
    index = index.mean((1, 2, 3)).to(out_dtype)
    return index[0] if unbatched else index


def __dir__():
    return sorted(__all__)
