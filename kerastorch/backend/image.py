"""Private image helpers shared by the preprocessing layers: Keras-style resizing and affine transforms.

``resize`` follows ``keras.ops.image.resize`` on Keras 3's torch backend: ``F.interpolate`` with
``align_corners=False`` for bilinear/bicubic and torch's ``"nearest-exact"`` mode for nearest (half-pixel
centres, as TensorFlow and JAX), after an optional centred crop or constant pad to the target aspect ratio.

``affine_transform`` follows ``keras.ops.image.affine_transform``: ``transform`` rows
``[a0, a1, a2, b0, b1, b2, c0, c1]`` map an output pixel ``(x, y)`` to the input point
``(a0*x + a1*y + a2, b0*x + b1*y + b2)`` (the projective terms ``c0, c1`` must be 0, as in every layer that
uses it). Sampling is Keras's ``map_coordinates``: the corner *indices* of the bilinear (or the rounded
nearest) sample are folded into the image by ``fill_mode`` ("reflect" ``dcba|abcd|dcba``, "mirror"
``dcb|abcd|cba``, "wrap" ``abcd|abcd``, "nearest" ``aaaa|abcd|dddd``) or, for "constant", replaced by
``fill_value`` one corner at a time. It runs as one batched gather over all images (no loop per image);
``F.grid_sample`` is not used because it has no "wrap"/"mirror" modes and folds the coordinate rather than
the corner indices, which rounds ties differently in nearest mode.

Example:
    >>> x = torch.arange(4.0).reshape(1, 2, 2, 1)
    >>> shift = torch.tensor([1.0, 0, 1, 0, 1, 0, 0, 0])  # sample one pixel to the right
    >>> affine_transform(x, shift, fill_mode="constant")[0, :, :, 0]
    tensor([[1., 0.],
            [3., 0.]])
"""
import torch
import torch.nn.functional as F

RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def spatial_dims(ndim, data_format):
    """The (height, width) axes of a rank-3 or rank-4 image tensor in ``data_format``."""
    return (ndim - 2, ndim - 1) if data_format == "channels_first" else (ndim - 3, ndim - 2)


def aspect_crop_box(height, width, target_height, target_width):
    """``(top, left, crop_height, crop_width)``: the largest centred box with the target's aspect ratio."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int((height - crop_height) / 2), int((width - crop_width) / 2), crop_height, crop_width


def _pad_to_aspect(images, size, fill_value):
    """Pad a channels-first batch evenly (``fill_value``) on both sides to the target aspect ratio."""
    height, width = images.shape[-2:]
    pad_height = max(height, int(float(width * size[0]) / size[1]))
    pad_width = max(width, int(float(height * size[1]) / size[0]))
    top, left = int((pad_height - height) / 2), int((pad_width - width) / 2)
    if top > 0 or left > 0:
        images = F.pad(images, (left, left, top, top), value=float(fill_value))
    return images


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_value=0.0, data_format="channels_last"):
    """Resize a rank-3 or rank-4 float image tensor to ``size = (height, width)`` (Keras semantics).

    >>> resize(torch.ones(2, 4, 4, 3), (2, 6)).shape
    torch.Size([2, 2, 6, 3])
    """
    unbatched = images.dim() == 3
    x = images.unsqueeze(0) if unbatched else images
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
    if crop_to_aspect_ratio:
        top, left, h, w = aspect_crop_box(x.shape[-2], x.shape[-1], *size)
        x = x[:, :, top:top + h, left:left + w]
    elif pad_to_aspect_ratio:
        x = _pad_to_aspect(x, size, fill_value)
    mode = RESIZE_MODES[interpolation]
    smooth = mode in ("bilinear", "bicubic")
    x = F.interpolate(x, size=tuple(size), mode=mode, align_corners=False if smooth else None,
                      antialias=bool(antialias) and smooth)
    if data_format == "channels_last":
        x = x.permute(0, 2, 3, 1)
    return x.squeeze(0) if unbatched else x


def _fold(index, size, fill_mode):
    """Keras's out-of-range index rules (``index`` an integer tensor, ``size`` an int)."""
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "reflect":
        folded = torch.remainder(index, 2 * size)
        return torch.where(folded < size, folded, 2 * size - 1 - folded)
    if fill_mode == "mirror":
        if size == 1:
            return torch.zeros_like(index)
        folded = torch.remainder(index, 2 * size - 2)
        return torch.where(folded < size, folded, 2 * size - 2 - folded)
    return index.clamp(0, size - 1)  # "nearest", and "constant" (whose invalid corners are masked)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                     data_format="channels_last"):
    """Sample ``images`` (rank 3 or 4) at the points that ``transform`` (``(8,)`` or ``(batch, 8)``) maps
    each output pixel to. See the module docstring for the conventions.

    >>> affine_transform(torch.ones(3, 5, 5, 2), torch.eye(3).flatten()[:8]).shape
    torch.Size([3, 5, 5, 2])
    """
    unbatched = images.dim() == 3
    x = images.unsqueeze(0) if unbatched else images
    transform = transform.to(device=x.device, dtype=torch.float64 if x.dtype == torch.float64 else torch.float32)
    if transform.dim() == 1:
        transform = transform.unsqueeze(0)
    channels_first = data_format == "channels_first"
    height, width = (x.shape[2], x.shape[3]) if channels_first else (x.shape[1], x.shape[2])
    ys = torch.arange(height, dtype=transform.dtype, device=x.device).view(1, height, 1)
    xs = torch.arange(width, dtype=transform.dtype, device=x.device).view(1, 1, width)
    t = transform.view(-1, 8, 1, 1)
    src_x = ys * t[:, 1] + xs * t[:, 0] + t[:, 2]  # (batch, height, width)
    src_y = ys * t[:, 4] + xs * t[:, 3] + t[:, 5]
    out = sample_images(x, src_x, src_y, interpolation, fill_mode, fill_value, data_format)
    return out.squeeze(0) if unbatched else out


def sample_images(images, src_x, src_y, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                  data_format="channels_last"):
    """Each image of the rank-4 batch ``images`` resampled at per-pixel input points, as Keras 3's
    ``map_coordinates`` samples: output pixel ``(i, j)`` of image ``b`` takes the value at column
    ``src_x[b, i, j]``, row ``src_y[b, i, j]`` (bilinear over the four neighbours, or the rounded point); corner
    indices outside the image are folded by ``fill_mode`` or, for ``"constant"``, read ``fill_value``. One
    batched gather per corner; gradients flow to the images and to the points.

    Args:
        images: float tensor, a rank-4 batch of images.
        src_x: float tensor of shape ``(batch, height, width)`` (or broadcastable to it): the input column of
            each output pixel.
        src_y: float tensor like ``src_x``: the input row of each output pixel.
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        fill_mode: str, default ``"constant"``: ``"constant"``, ``"nearest"``, ``"wrap"``, ``"mirror"`` or
            ``"reflect"``: how points outside the image are read.
        fill_value: float, default 0.0: the value outside the image with ``fill_mode="constant"``.
        data_format: str, default ``"channels_last"``: the layout of ``images``.

    Returns:
        Tensor of the shape, layout and dtype of ``images``: the resampled images.

    >>> x = torch.arange(4.0).reshape(1, 1, 4, 1)
    >>> rows, cols = torch.zeros(1, 1, 4), torch.tensor([[[0.5, 1.0, 3.0, 4.0]]])
    >>> sample_images(x, cols, rows)[0, 0, :, 0].tolist()
    [0.5, 1.0, 3.0, 0.0]
    """
    channels_first = data_format == "channels_first"
    batch = images.shape[0]
    x = images
    height, width = (x.shape[2], x.shape[3]) if channels_first else (x.shape[1], x.shape[2])
    src_x, src_y = src_x.expand(batch, height, width), src_y.expand(batch, height, width)
    if interpolation == "nearest":
        corners = [(torch.round(src_y).long(), torch.round(src_x).long(), None)]
    else:
        y0, x0 = torch.floor(src_y), torch.floor(src_x)
        wy1, wx1 = src_y - y0, src_x - x0
        wy0, wx0 = 1 - wy1, 1 - wx1
        y0, x0 = y0.long(), x0.long()
        y1, x1 = y0 + 1, x0 + 1
        corners = [(y0, x0, wy0 * wx0), (y0, x1, wy0 * wx1), (y1, x0, wy1 * wx0), (y1, x1, wy1 * wx1)]
    channels = x.shape[1] if channels_first else x.shape[3]
    flat = x.reshape(batch, channels, height * width) if channels_first else x.reshape(batch, height * width, channels)
    gather_dim = 2 if channels_first else 1
    out = None
    for yi, xi, weight in corners:
        index = (_fold(yi, height, fill_mode) * width + _fold(xi, width, fill_mode)).view(batch, -1)
        index = index.unsqueeze(1).expand(-1, channels, -1) if channels_first else \
            index.unsqueeze(2).expand(-1, -1, channels)
        value = torch.gather(flat, gather_dim, index)
        if fill_mode == "constant":
            valid = ((yi >= 0) & (yi < height) & (xi >= 0) & (xi < width)).view(batch, 1, -1) if channels_first \
                else ((yi >= 0) & (yi < height) & (xi >= 0) & (xi < width)).view(batch, -1, 1)
            value = torch.where(valid, value, torch.as_tensor(fill_value, dtype=value.dtype, device=value.device))
        if weight is not None:
            weight = weight.view(batch, 1, -1) if channels_first else weight.view(batch, -1, 1)
            value = weight.to(value.dtype) * value
        out = value if out is None else out + value
    out = out.view(batch, channels, height, width) if channels_first else out.view(batch, height, width, channels)
    return out


def rotation_matrix(angles, height, width):
    """Keras's rotation transforms (``(batch, 8)``) about the image centre for ``angles`` in degrees."""
    theta = angles * (torch.pi / 180.0)
    cos, sin = torch.cos(theta), torch.sin(theta)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    zeros = torch.zeros_like(theta)
    return torch.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, zeros, zeros], 1)


def zoom_matrix(width_zoom, height_zoom, height, width):
    """Keras's zoom transforms (``(batch, 8)``) about the image centre for per-image zoom factors."""
    zeros = torch.zeros_like(width_zoom)
    x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
    y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
    return torch.stack([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], 1)


def translation_matrix(dx, dy):
    """Keras's translation transforms (``(batch, 8)``): shift the content by ``dx``, ``dy`` pixels."""
    ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
    return torch.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], 1)
