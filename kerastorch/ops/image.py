"""``keras.ops.image``: Keras 3's image functions on torch tensors (rank-3 images or rank-4 batches,
``channels_last`` unless ``data_format`` / ``image_data_format()`` says otherwise).

``resize`` and ``affine_transform`` are ``kerastorch/backend/image.py``'s (Keras's numerics, one batched
gather instead of Keras's loop per image); ``map_coordinates`` samples N-D inputs the same way (corner indices
folded by ``fill_mode``). Colour conversions follow TensorFlow's formulas, as Keras does (Keras also zeroes hue
and saturation of colours darker than its epsilon; kerastorch does not). ``extract_patches`` is one ``F.conv2d``
with an identity kernel. ``gaussian_blur`` is one depthwise ``F.conv2d`` with the normalized separable Gaussian and
zero "same" padding; Keras 3.15's torch backend computes a wrong kernel (its impulse response is a single,
unnormalized row), so kerastorch deliberately differs there. Not implemented yet: ``sobel_edges``,
``perspective_transform``, ``elastic_transform``, ``scale_and_translate``, ``extract_patches_3d``, ``ssim``
(they raise NotImplementedError).

    >>> rgb_to_grayscale(torch.ones(2, 2, 3)).shape
    torch.Size([2, 2, 1])
    >>> pad_images(torch.ones(1, 2, 2, 1), 1, 1, 1, 1).shape
    torch.Size([1, 4, 4, 1])
"""
import itertools

import torch
import torch.nn.functional as F

from kerastorch.backend import conv_utils as cu
from kerastorch.backend import image as _image
from kerastorch.ops._nn_activations import floating, tensor

__all__ = ["resize", "affine_transform", "map_coordinates", "pad_images", "crop_images", "rgb_to_grayscale",
           "rgb_to_hsv", "hsv_to_rgb", "extract_patches", "gaussian_blur", "sobel_edges", "perspective_transform",
           "elastic_transform", "scale_and_translate", "extract_patches_3d", "ssim"]


def _images(name, images, data_format):
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError(f"ops.image.{name}: expected images of rank 3 (height, width, channels) or 4 "
                         f"(batch, height, width, channels), received shape {tuple(x.shape)}")
    return x, cu.normalize_data_format(data_format, f"ops.image.{name}")


def _batched_first(x, data_format):
    """``(nchw, unbatched)``: a channels-first batch view of ``x``."""
    unbatched = x.dim() == 3
    x = x.unsqueeze(0) if unbatched else x
    return (x.permute(0, 3, 1, 2) if data_format == "channels_last" else x), unbatched


def _restore(y, data_format, unbatched):
    y = y.permute(0, 2, 3, 1) if data_format == "channels_last" else y
    return y.squeeze(0) if unbatched else y


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to ``size = (height, width)``: ``resize(torch.ones(4, 4, 3), (2, 2)).shape`` -> ``(2, 2, 3)``."""
    x, data_format = _images("resize", images, data_format)
    if interpolation not in _image.RESIZE_MODES:
        raise ValueError(f"ops.image.resize: interpolation must be one of {list(_image.RESIZE_MODES)}, "
                         f"received interpolation={interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("ops.image.resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    size = tuple(size)
    if len(size) != 2:
        raise ValueError(f"ops.image.resize: size must be (height, width), received size={size!r}")
    return _image.resize(floating(x), size, interpolation, antialias, crop_to_aspect_ratio, pad_to_aspect_ratio,
                         fill_value, data_format)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Samples images at the points ``transform`` (``(8,)`` or ``(batch, 8)``) maps each output pixel to."""
    x, data_format = _images("affine_transform", images, data_format)
    if interpolation not in _image.AFFINE_INTERPOLATIONS:
        raise ValueError(f"ops.image.affine_transform: interpolation must be one of "
                         f"{list(_image.AFFINE_INTERPOLATIONS)}, received interpolation={interpolation!r}")
    if fill_mode not in _image.AFFINE_FILL_MODES:
        raise ValueError(f"ops.image.affine_transform: fill_mode must be one of {list(_image.AFFINE_FILL_MODES)}, "
                         f"received fill_mode={fill_mode!r}")
    transform = floating(transform)
    if transform.shape[-1:] != (8,) or transform.dim() > 2:
        raise ValueError(f"ops.image.affine_transform: expected transform of shape (8,) or (batch, 8), "
                         f"received shape {tuple(transform.shape)}")
    return _image.affine_transform(floating(x), transform, interpolation, fill_mode, fill_value, data_format)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Samples ``inputs`` at ``coordinates`` (one coordinate array per input axis) with nearest (order 0) or
    linear (order 1) interpolation: ``map_coordinates(torch.tensor([1.0, 3.0]), [torch.tensor([0.5])], 1)``
    -> ``tensor([2.])``."""
    x = tensor(inputs)
    if order not in (0, 1):
        raise ValueError(f"ops.image.map_coordinates: order must be 0 or 1, received order={order!r}")
    if fill_mode not in _image.AFFINE_FILL_MODES:
        raise ValueError(f"ops.image.map_coordinates: fill_mode must be one of {list(_image.AFFINE_FILL_MODES)}, "
                         f"received fill_mode={fill_mode!r}")
    coordinates = [floating(c).to(x.device) for c in coordinates]
    if len(coordinates) != x.dim():
        raise ValueError(f"ops.image.map_coordinates: expected {x.dim()} coordinate arrays (one per input axis), "
                         f"received {len(coordinates)}")
    coordinates = torch.broadcast_tensors(*coordinates)
    compute = x if x.is_floating_point() else x.to(coordinates[0].dtype)
    flat = compute.reshape(-1)
    strides = [int(s) for s in torch.tensor(x.shape).flip(0).cumprod(0).flip(0)[1:].tolist()] + [1]
    if order == 0:
        per_axis = [[(torch.round(c).long(), None)] for c in coordinates]
    else:
        per_axis = []
        for c in coordinates:
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
    return out.to(x.dtype) if not x.is_floating_point() else out


def _box(name, size, before, after, target, what):
    """``(before, after)`` amounts of one axis from two of ``before``, ``after`` and ``target``."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(f"ops.image.{name}: exactly two of the {what[0]}, {what[1]} and {what[2]} arguments must "
                         f"be set, received {what[0]}={before}, {what[1]}={after}, {what[2]}={target}")
    return before, after, target


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Zero-pads images to ``target_height x target_width`` or by the given amounts."""
    x, data_format = _images("pad_images", images, data_format)
    nchw, unbatched = _batched_first(x, data_format)
    height, width = nchw.shape[-2:]
    amounts = []
    for size, before, after, target, what in (
            (height, top_padding, bottom_padding, target_height, ("top_padding", "bottom_padding", "target_height")),
            (width, left_padding, right_padding, target_width, ("left_padding", "right_padding", "target_width"))):
        before, after, target = _box("pad_images", size, before, after, target, what)
        if before is None:
            before = target - size - after
        elif after is None:
            after = target - size - before
        if before < 0 or after < 0:
            raise ValueError(f"ops.image.pad_images: the padding must be non-negative, received {what[0]}={before} "
                             f"and {what[1]}={after} for an axis of size {size}")
        amounts.append((before, after))
    (top, bottom), (left, right) = amounts
    return _restore(F.pad(nchw, (left, right, top, bottom)), data_format, unbatched)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crops images to ``target_height x target_width`` or by the given amounts (a view)."""
    x, data_format = _images("crop_images", images, data_format)
    nchw, unbatched = _batched_first(x, data_format)
    height, width = nchw.shape[-2:]
    boxes = []
    for size, before, after, target, what in (
            (height, top_cropping, bottom_cropping, target_height,
             ("top_cropping", "bottom_cropping", "target_height")),
            (width, left_cropping, right_cropping, target_width, ("left_cropping", "right_cropping", "target_width"))):
        before, after, target = _box("crop_images", size, before, after, target, what)
        if target is None:
            target = size - before - after
        elif before is None:
            before = size - target - after
        if before < 0 or target <= 0 or before + target > size:
            raise ValueError(f"ops.image.crop_images: the crop must lie inside the image, received "
                             f"{what[0]}={before} and a target size of {target} for an axis of size {size}")
        boxes.append(slice(before, before + target))
    return _restore(nchw[:, :, boxes[0], boxes[1]], data_format, unbatched)


_GRAY = (0.2989, 0.5870, 0.1140)


def rgb_to_grayscale(images, data_format=None):
    """The luma ``0.2989 R + 0.5870 G + 0.1140 B`` as one channel."""
    x, data_format = _images("rgb_to_grayscale", images, data_format)
    axis = -1 if data_format == "channels_last" else -3
    if x.shape[axis] != 3:
        raise ValueError(f"ops.image.rgb_to_grayscale: expected 3 channels, received shape {tuple(x.shape)}")
    compute = floating(x)
    weights = torch.tensor(_GRAY, dtype=compute.dtype, device=x.device)
    gray = torch.tensordot(compute.movedim(axis, -1), weights, dims=1).unsqueeze(axis)
    return gray.to(x.dtype)


def rgb_to_hsv(images, data_format=None):
    """RGB in ``[0, 1]`` to HSV (hue in ``[0, 1)``), TensorFlow's formulas."""
    x, data_format = _images("rgb_to_hsv", images, data_format)
    x = floating(x)
    axis = -1 if data_format == "channels_last" else -3
    r, g, b = x.unbind(axis)
    value = torch.maximum(torch.maximum(r, g), b)
    delta = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, delta / torch.where(value > 0, value, 1), 0)
    safe = torch.where(delta > 0, delta, 1)
    hue = torch.where(value == r, (g - b) / safe,
                      torch.where(value == g, 2 + (b - r) / safe, 4 + (r - g) / safe))
    hue = torch.where(delta > 0, torch.remainder(hue / 6, 1.0), 0)
    return torch.stack([hue, saturation, value], axis)


def hsv_to_rgb(images, data_format=None):
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


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
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


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs images with a Gaussian kernel of ``kernel_size`` and ``sigma`` (per axis)."""
    x, data_format = _images("gaussian_blur", images, data_format)
    nchw, unbatched = _batched_first(floating(x), data_format)
    kernel_size = cu.normalize_tuple(kernel_size, 2, "kernel_size", "ops.image.gaussian_blur")
    sigma = tuple(sigma) if isinstance(sigma, (tuple, list)) else (sigma, sigma)
    kernels = []
    for k, s in zip(kernel_size, sigma):
        t = torch.arange(k, dtype=nchw.dtype, device=nchw.device) - (k - 1) / 2
        g = torch.exp(-t * t / (2.0 * float(s) ** 2))
        kernels.append(g / g.sum())
    kernel = kernels[0][:, None] * kernels[1][None, :]
    padding = (kernel_size[1] // 2, (kernel_size[1] - 1) // 2, kernel_size[0] // 2, (kernel_size[0] - 1) // 2)
    channels = nchw.shape[1]
    weight = kernel.expand(channels, 1, *kernel.shape).contiguous()
    y = F.conv2d(F.pad(nchw, padding), weight, groups=channels)
    return _restore(y, data_format, unbatched)


def _missing(name):
    def function(*args, **kwargs):
        raise NotImplementedError(f"ops.image.{name} is not implemented in kerastorch yet")

    function.__name__ = name
    function.__doc__ = f"Not implemented yet: raises NotImplementedError (Keras 3's ``{name}``)."
    return function


perspective_transform = _missing("perspective_transform")
elastic_transform = _missing("elastic_transform")
scale_and_translate = _missing("scale_and_translate")
extract_patches_3d = _missing("extract_patches_3d")
ssim = _missing("ssim")
sobel_edges = _missing("sobel_edges")
