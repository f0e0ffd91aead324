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

The same sampler serves the projective warps (``homographies`` solves the transform that moves four points onto
four others, ``warp_perspective`` applies it) and the elastic ones (``elastic_warp``: a displacement field of
Gaussian-smoothed noise, ``elastic_fields``); ``gaussian_kernels`` and ``filter_images`` are the normalized
Gaussian taps and the per-image depthwise filter (zero "same" or "valid" padding) that the blurring layers, the
elastic fields and ``keras.ops.image.ssim`` use.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F

from kerastorch.backend.annotations import TensorLike

RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def spatial_dims(ndim: int, data_format: str) -> tuple[int, int]:
    """The (height, width) axes of a rank-3 or rank-4 image tensor in ``data_format``."""
    return (ndim - 2, ndim - 1) if data_format == "channels_first" else (ndim - 3, ndim - 2)


def aspect_crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int, int, int]:
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


def resize(
    images: torch.Tensor,
    size: Sequence[int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
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
        x = x[:, :, top : top + h, left : left + w]
    elif pad_to_aspect_ratio:
        x = _pad_to_aspect(x, size, fill_value)
    mode = RESIZE_MODES[interpolation]
    smooth = mode in ("bilinear", "bicubic")
    x = F.interpolate(
        x, size=tuple(size), mode=mode, align_corners=False if smooth else None, antialias=bool(antialias) and smooth
    )
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


def affine_transform(
    images: torch.Tensor,
    transform: torch.Tensor,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
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


def sample_images(
    images: torch.Tensor,
    src_x: torch.Tensor,
    src_y: torch.Tensor,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
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
    corners: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]
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
        index = (
            index.unsqueeze(1).expand(-1, channels, -1)
            if channels_first
            else index.unsqueeze(2).expand(-1, -1, channels)
        )
        value = torch.gather(flat, gather_dim, index)
        if fill_mode == "constant":
            valid = (
                ((yi >= 0) & (yi < height) & (xi >= 0) & (xi < width)).view(batch, 1, -1)
                if channels_first
                else ((yi >= 0) & (yi < height) & (xi >= 0) & (xi < width)).view(batch, -1, 1)
            )
            value = torch.where(valid, value, torch.as_tensor(fill_value, dtype=value.dtype, device=value.device))
        if weight is not None:
            weight = weight.view(batch, 1, -1) if channels_first else weight.view(batch, -1, 1)
            value = weight.to(value.dtype) * value
        out = value if out is None else out + value
    assert out is not None  # there is at least one corner
    out = out.view(batch, channels, height, width) if channels_first else out.view(batch, height, width, channels)
    return out


def rotation_matrix(angles: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Keras's rotation transforms (``(batch, 8)``) about the image centre for ``angles`` in degrees."""
    theta = angles * (torch.pi / 180.0)
    cos, sin = torch.cos(theta), torch.sin(theta)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    zeros = torch.zeros_like(theta)
    return torch.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, zeros, zeros], 1)


def zoom_matrix(width_zoom: torch.Tensor, height_zoom: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Keras's zoom transforms (``(batch, 8)``) about the image centre for per-image zoom factors."""
    zeros = torch.zeros_like(width_zoom)
    x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
    y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
    return torch.stack([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], 1)


def translation_matrix(dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Keras's translation transforms (``(batch, 8)``): shift the content by ``dx``, ``dy`` pixels."""
    ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
    return torch.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], 1)


def gaussian_kernels(sigmas: torch.Tensor, size: int) -> torch.Tensor:
    """Normalized 1-D Gaussians of ``size`` taps, one per entry of ``sigmas`` (shape ``(n,)``): ``(n, size)``.

    Args:
        sigmas: float tensor of shape ``(n,)``, the standard deviations, in taps.
        size: int, the number of taps of each kernel (centred on its middle).

    Returns:
        Tensor of shape ``(n, size)`` and the dtype of ``sigmas``, each row summing to 1.

    >>> gaussian_kernels(torch.tensor([1.0]), 3)
    tensor([[0.2741, 0.4519, 0.2741]])
    """
    taps = torch.arange(size, dtype=sigmas.dtype, device=sigmas.device) - (size - 1) / 2
    weights = torch.exp(-0.5 * (taps / sigmas[:, None]) ** 2)
    return weights / weights.sum(-1, keepdim=True)


def filter_images(x: torch.Tensor, kernels: torch.Tensor, data_format: str, padding: str = "same") -> torch.Tensor:
    """Each image of the rank-4 batch ``x`` convolved channel by channel with its kernel (a cross-correlation).

    Args:
        x: float tensor, a rank-4 batch of images.
        kernels: tensor of shape ``(batch, kh, kw)``, or ``(1, kh, kw)`` to filter every image alike.
        data_format: str, ``"channels_last"`` or ``"channels_first"``, the layout of ``x``.
        padding: str, default ``"same"``: ``"same"`` pads with zeros to keep the image size (odd ``kh`` and ``kw``),
            ``"valid"`` keeps only the windows inside the image (``height - kh + 1`` by ``width - kw + 1``).

    Returns:
        Tensor of the layout of ``x``, the filtered images.

    >>> filter_images(torch.ones(1, 3, 3, 1), torch.ones(1, 3, 3) / 9, "channels_last")[0, :, :, 0]
    tensor([[0.4444, 0.6667, 0.4444],
            [0.6667, 1.0000, 0.6667],
            [0.4444, 0.6667, 0.4444]])
    >>> filter_images(torch.ones(1, 1, 3, 4), torch.ones(1, 3, 1), "channels_first", "valid").shape
    torch.Size([1, 1, 1, 4])
    """
    nchw = x.permute(0, 3, 1, 2) if data_format == "channels_last" else x
    batch, channels, height, width = nchw.shape
    kh, kw = kernels.shape[-2:]
    weight = kernels.to(nchw.dtype).expand(batch, kh, kw)[:, None].expand(batch, channels, kh, kw)
    out = F.conv2d(
        nchw.reshape(1, batch * channels, height, width),
        weight.reshape(batch * channels, 1, kh, kw),
        padding=(kh // 2, kw // 2) if padding == "same" else 0,
        groups=batch * channels,
    )
    out = out.reshape(batch, channels, *out.shape[-2:])
    return out.permute(0, 2, 3, 1) if data_format == "channels_last" else out


def homographies(start_points: TensorLike, end_points: TensorLike) -> torch.Tensor:
    """The projective transforms that map each of the four ``end_points`` onto its ``start_point``, as Keras's
    8-entry rows ``[a0, a1, a2, b0, b1, b2, c0, c1]``: a point ``(x, y)`` goes to
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``. Solved in float64;
    differentiable in the points.

    Args:
        start_points: float tensor of shape ``(batch, 4, 2)`` (or ``(4, 2)``), ``(x, y)`` points.
        end_points: float tensor of the shape of ``start_points``, the points mapped onto them.

    Returns:
        Tensor of shape ``(batch, 8)`` (float64).

    Raises:
        ValueError: when the points are not ``(batch, 4, 2)`` (or ``(4, 2)``) tensors of one shape.

    >>> start = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]], dtype=torch.float64)
    >>> (homographies(start, start * 2) + 0.0).tolist()   # the end points are twice as far out: halve them
    [[0.5, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]]
    """
    start, end = torch.as_tensor(start_points), torch.as_tensor(end_points)
    if start.shape != end.shape or start.shape[-2:] != (4, 2) or start.dim() not in (2, 3):
        raise ValueError(
            f"homographies: expected start_points and end_points of one shape (batch, 4, 2) or (4, 2), "
            f"received shapes {tuple(start.shape)} and {tuple(end.shape)}"
        )
    start, end = start.to(torch.float64).reshape(-1, 4, 2), end.to(torch.float64).reshape(-1, 4, 2)
    (x, y), (u, v) = start.unbind(-1), end.unbind(-1)
    ones, zeros = torch.ones_like(u), torch.zeros_like(u)
    rows_x = torch.stack([u, v, ones, zeros, zeros, zeros, -x * u, -x * v], -1)  # (batch, 4, 8)
    rows_y = torch.stack([zeros, zeros, zeros, u, v, ones, -y * u, -y * v], -1)
    system = torch.stack([rows_x, rows_y], 2).reshape(-1, 8, 8)
    targets = torch.stack([x, y], 2).reshape(-1, 8, 1)
    return torch.linalg.solve(system, targets).squeeze(-1)


def warp_perspective(
    images: torch.Tensor,
    transforms: torch.Tensor,
    interpolation: str = "bilinear",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
    """A rank-4 float batch seen through one projective transform per image (``(batch, 8)`` rows, as from
    :func:`homographies`, mapping output pixels to input points), as Keras 3's ``perspective_transform`` samples
    them (outside points read ``fill_value``).

    Args:
        images: float tensor, a rank-4 batch of images.
        transforms: tensor of shape ``(batch, 8)`` or ``(1, 8)``, the transforms.
        interpolation: str, default ``"bilinear"``, ``"bilinear"`` or ``"nearest"``.
        fill_value: float, default 0.0, the value of points outside the image.
        data_format: str, default ``"channels_last"``, the layout of ``images``.

    Returns:
        Tensor of the shape, layout and dtype of ``images``.

    >>> x = torch.arange(4.0).reshape(1, 2, 2, 1)
    >>> warp_perspective(x, torch.tensor([[0.5, 0, 0, 0, 0.5, 0, 0, 0]]))[0, :, :, 0]
    tensor([[0.0000, 0.5000],
            [1.0000, 1.5000]])
    """
    height, width = (images.shape[2], images.shape[3]) if data_format == "channels_first" else images.shape[1:3]
    dtype = torch.float64 if images.dtype == torch.float64 else torch.float32
    t = transforms.to(device=images.device, dtype=dtype).reshape(-1, 8, 1, 1)
    rows = torch.arange(height, dtype=dtype, device=images.device).view(1, height, 1)
    cols = torch.arange(width, dtype=dtype, device=images.device).view(1, 1, width)
    denominator = t[:, 6] * cols + t[:, 7] * rows + 1.0
    src_x = (t[:, 0] * cols + t[:, 1] * rows + t[:, 2]) / denominator
    src_y = (t[:, 3] * cols + t[:, 4] * rows + t[:, 5]) / denominator
    return sample_images(images, src_x, src_y, interpolation, "constant", fill_value, data_format)


def elastic_fields(noise: torch.Tensor, alpha: float | torch.Tensor, sigma: float) -> torch.Tensor:
    """Keras's elastic displacements: ``alpha`` times the normal ``noise`` (of unit deviation) scaled by
    ``sigma`` and smoothed by a normalized Gaussian of deviation ``sigma`` (``int(6 * sigma) | 1`` taps, zero
    "same" padding, separable).

    Args:
        noise: float tensor of shape ``(batch, 2, height, width)``, standard normal draws (``dx`` then ``dy``).
        alpha: float (or float tensor), the displacement scale in pixels.
        sigma: float, the noise deviation and the smoothing width, in pixels; 0 gives no displacement.

    Returns:
        Tensor like ``noise``: the displacements ``(dx, dy)`` of each output pixel, in pixels.

    >>> elastic_fields(torch.ones(1, 2, 3, 3), alpha=2.0, sigma=0.1)[0, 0]   # 1 tap: no smoothing
    tensor([[0.2000, 0.2000, 0.2000],
            [0.2000, 0.2000, 0.2000],
            [0.2000, 0.2000, 0.2000]])
    """
    if sigma <= 0:
        return torch.zeros_like(noise)
    size = int(6 * sigma) | 1
    taps = gaussian_kernels(torch.tensor([float(sigma)], dtype=noise.dtype, device=noise.device), size)
    smooth = filter_images(noise * sigma, taps[:, :, None], "channels_first")
    return alpha * filter_images(smooth, taps[:, None, :], "channels_first")


def elastic_warp(
    images: torch.Tensor,
    noise: torch.Tensor,
    alpha: float | torch.Tensor,
    sigma: float,
    interpolation: str = "bilinear",
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
    """A rank-4 float batch distorted as Keras 3's ``elastic_transform`` distorts it: output pixel ``(x, y)``
    reads the input at ``(x + dx, y + dy)``, with the displacements of :func:`elastic_fields`, sampled as
    :func:`sample_images` samples.

    Args:
        images: float tensor, a rank-4 batch of images.
        noise: float tensor of shape ``(batch, 2, height, width)``, standard normal draws (``dx`` then ``dy``).
        alpha: float (or float tensor), the displacement scale in pixels.
        sigma: float, the noise deviation and the smoothing width, in pixels.
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        fill_mode: str, default ``"reflect"``: how points outside the image are read (see :func:`sample_images`).
        fill_value: float, default 0.0: the value outside the image with ``fill_mode="constant"``.
        data_format: str, default ``"channels_last"``: the layout of ``images``.

    Returns:
        Tensor of the shape, layout and dtype of ``images``.

    >>> x = torch.arange(6.0).reshape(1, 2, 3, 1)
    >>> bool(torch.equal(elastic_warp(x, torch.randn(1, 2, 2, 3), alpha=0.0, sigma=1.0), x))
    True
    """
    height, width = noise.shape[-2:]
    dx, dy = elastic_fields(noise, alpha, sigma).unbind(1)
    rows = torch.arange(height, dtype=noise.dtype, device=noise.device).view(1, height, 1)
    cols = torch.arange(width, dtype=noise.dtype, device=noise.device).view(1, 1, width)
    return sample_images(images, cols + dx, rows + dy, interpolation, fill_mode, fill_value, data_format)
