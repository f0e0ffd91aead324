"""Boxes through image geometry: ``crop``, ``pad``, ``clip_to_image_size`` and ``affine_transform``, as Keras 3's
``keras.utils.bounding_boxes`` computes them for ``xyxy`` boxes.

Keras 3.15 implements these for ``"xyxy"`` only (``clip_to_image_size`` also ``"rel_xyxy"``) and raises
NotImplementedError for the other formats; kerastorch converts any other absolute format to ``xyxy`` and back
(and relative ones where the image size is known: ``clip_to_image_size`` and ``affine_transform``). Keras's
``affine_transform`` needs per-image parameter arrays; here a number applies to every image too.

Example:
    >>> boxes = torch.tensor([[10.0, 20.0, 50.0, 60.0]])
    >>> crop(boxes, top=10, left=20, height=40, width=30).tolist()
    [[0.0, 10.0, 30.0, 40.0]]
    >>> pad(boxes, top=5, left=5).tolist()
    [[15.0, 25.0, 55.0, 65.0]]
"""

from __future__ import annotations

import math
from typing import Any, overload

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.utils.bounding_boxes.formats import convert_boxes, is_relative, standardize_format, to_boxes_tensor

__all__ = ["affine_transform", "clip_to_image_size", "crop", "pad"]


def _absolute_format(function, bounding_box_format):
    bounding_box_format = standardize_format(bounding_box_format, function)
    if is_relative(bounding_box_format):
        raise ValueError(
            f"{function}: relative bounding box formats are not supported (the boxes would need the "
            f"size of the image before and after); convert them to an absolute format first, received "
            f"bounding_box_format={bounding_box_format!r}"
        )
    return bounding_box_format


def _offset(value, like):
    return value if not hasattr(value, "shape") else torch.as_tensor(value, device=like.device)


def crop(
    boxes: TensorLike,
    top: float | torch.Tensor,
    left: float | torch.Tensor,
    height: float | torch.Tensor | None,
    width: float | torch.Tensor | None,
    bounding_box_format: str = "xyxy",
) -> torch.Tensor:
    """Boxes in the frame of the crop window of an image: shifted by ``(-left, -top)`` and clipped to the window.

    Args:
        boxes: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)`` (any shape ``(..., 4)``).
        top: number or tensor (broadcastable to ``boxes.shape[:-1]``, such as ``(batch, 1)`` for one offset per
            image): the row of the window's top edge.
        left: number or tensor, likewise: the column of the window's left edge.
        height: number, tensor or None: the window's height (None: the boxes are not clipped at the bottom).
        width: number, tensor or None: the window's width (None: the boxes are not clipped at the right).
        bounding_box_format: str, default ``"xyxy"``: the boxes' format, an absolute one.

    Returns:
        A tensor of the cropped boxes in ``bounding_box_format`` (the dtype of ``boxes`` for ``xyxy`` and
        integer offsets). Boxes outside the window collapse onto its border.

    Raises:
        ValueError: for a relative or unknown format, or a last axis other than 4.

    >>> crop(torch.tensor([[70, 80, 100, 120]]), top=10, left=20, height=40, width=30).tolist()
    [[30, 40, 30, 40]]
    """
    function = "crop"
    bounding_box_format = _absolute_format(function, bounding_box_format)
    boxes = to_boxes_tensor(boxes, function)
    x1, y1, x2, y2 = convert_boxes(boxes, bounding_box_format, "xyxy").unbind(-1)
    top, left = _offset(top, boxes), _offset(left, boxes)
    height, width = _offset(height, boxes), _offset(width, boxes)
    xs = [torch.clamp(x - left, min=0) for x in (x1, x2)]
    ys = [torch.clamp(y - top, min=0) for y in (y1, y2)]
    if width is not None:
        xs = [torch.minimum(x, torch.as_tensor(width, dtype=x.dtype, device=x.device)) for x in xs]
    if height is not None:
        ys = [torch.minimum(y, torch.as_tensor(height, dtype=y.dtype, device=y.device)) for y in ys]
    cropped = torch.stack([xs[0], ys[0], xs[1], ys[1]], -1)
    return convert_boxes(cropped, "xyxy", bounding_box_format)


def pad(
    boxes: TensorLike,
    top: float | torch.Tensor,
    left: float | torch.Tensor,
    height: float | None = None,
    width: float | None = None,
    bounding_box_format: str = "xyxy",
) -> torch.Tensor:
    """Boxes in the frame of a padded image: shifted by ``(left, top)``, the padding added above and to the left.

    Args:
        boxes: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)`` (any shape ``(..., 4)``).
        top: number or tensor (broadcastable to ``boxes.shape[:-1]``): the rows added above the image.
        left: number or tensor, likewise: the columns added to the left of the image.
        height: number or None, default None: the padded image's height. A shift needs no image size: the
            argument is accepted for compatibility with Keras 3, which does not use it either.
        width: number or None, default None: the padded image's width (likewise unused).
        bounding_box_format: str, default ``"xyxy"``: the boxes' format, an absolute one.

    Returns:
        A tensor of the shifted boxes in ``bounding_box_format``.

    Raises:
        ValueError: for a relative or unknown format, or a last axis other than 4.

    >>> pad(torch.tensor([[10, 20, 50, 60]]), top=10, left=20).tolist()
    [[30, 30, 70, 70]]
    """
    function = "pad"
    bounding_box_format = _absolute_format(function, bounding_box_format)
    boxes = to_boxes_tensor(boxes, function)
    x1, y1, x2, y2 = convert_boxes(boxes, bounding_box_format, "xyxy").unbind(-1)
    top, left = _offset(top, boxes), _offset(left, boxes)
    shifted = torch.stack([x1 + left, y1 + top, x2 + left, y2 + top], -1)
    return convert_boxes(shifted, "xyxy", bounding_box_format)


@overload
def clip_to_image_size(
    bounding_boxes: dict[str, Any],
    height: float | None = ...,
    width: float | None = ...,
    bounding_box_format: str = ...,
) -> dict[str, Any]: ...


@overload
def clip_to_image_size(
    bounding_boxes: TensorLike, height: float | None = ..., width: float | None = ..., bounding_box_format: str = ...
) -> torch.Tensor: ...


def clip_to_image_size(
    bounding_boxes: dict[str, Any] | TensorLike,
    height: float | None = None,
    width: float | None = None,
    bounding_box_format: str = "xyxy",
) -> dict[str, Any] | torch.Tensor:
    """Boxes clipped to the image, with the label ``-1`` for each box left without area.

    Absolute boxes are clipped to ``[0, width] x [0, height]``, relative ones to ``[0, 1]``. A box keeps its
    label when its clipped width times height is positive (an empty or flipped box gets ``-1``).

    Args:
        bounding_boxes: a dict with ``"boxes"`` (shape ``(N, 4)`` or ``(batch, N, 4)``) and optionally
            ``"labels"`` (shape ``(N,)`` or ``(batch, N)``, or with a trailing axis such as one-hot labels);
            other entries pass through. A bare boxes tensor is accepted too.
        height: number or None, default None: the image height, needed for absolute formats.
        width: number or None, default None: the image width, needed for absolute formats.
        bounding_box_format: str, default ``"xyxy"``: the boxes' format.

    Returns:
        A new dict with the clipped ``"boxes"`` (in ``bounding_box_format``) and the updated ``"labels"``, or
        the clipped boxes tensor for a tensor input.

    Raises:
        ValueError: for an absolute format without ``height`` and ``width``, an unknown format, or boxes
            whose last axis is not 4.

    >>> out = clip_to_image_size({"boxes": torch.tensor([[-10, -20, 150, 160], [130, 10, 140, 50]]),
    ...                           "labels": torch.tensor([0, 1])}, height=100, width=120)
    >>> out["boxes"].tolist(), out["labels"].tolist()
    ([[0, 0, 120, 100], [120, 10, 120, 50]], [0, -1])
    """
    function = "clip_to_image_size"
    bounding_box_format = standardize_format(bounding_box_format, function)
    data = bounding_boxes if isinstance(bounding_boxes, dict) else {"boxes": bounding_boxes}
    if "boxes" not in data:
        raise ValueError(f"{function}: bounding_boxes needs a 'boxes' entry, received keys {sorted(data)}")
    relative = is_relative(bounding_box_format)
    if not relative and (height is None or width is None):
        raise ValueError(
            f"{function}: absolute bounding box formats need the image's height and width, received "
            f"bounding_box_format={bounding_box_format!r}, height={height!r}, width={width!r}"
        )
    boxes = to_boxes_tensor(data["boxes"], function)
    corners = "rel_xyxy" if relative else "xyxy"
    x1, y1, x2, y2 = convert_boxes(boxes, bounding_box_format, corners).unbind(-1)
    x_max, y_max = (1, 1) if relative else (width, height)
    x1, x2 = (torch.clamp(x, 0, x_max) for x in (x1, x2))
    y1, y2 = (torch.clamp(y, 0, y_max) for y in (y1, y2))
    clipped = convert_boxes(torch.stack([x1, y1, x2, y2], -1), corners, bounding_box_format)
    if not isinstance(bounding_boxes, dict):
        return clipped
    out = dict(bounding_boxes)
    out["boxes"] = clipped
    if "labels" in data:
        labels = torch.as_tensor(data["labels"], device=boxes.device)
        keep = (x2 - x1) * (y2 - y1) > 0
        keep = keep.reshape(keep.shape + (1,) * (labels.dim() - keep.dim()))
        out["labels"] = torch.where(keep, labels, torch.full_like(labels, -1))
    return out


def _per_image(value: Any, name: str, boxes: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A transformation parameter shaped to broadcast against ``boxes`` without its last axis: one number per
    image of a batch ``(batch, N, 4)``, one number for unbatched boxes."""
    if not isinstance(value, (list, tuple)) and not hasattr(value, "shape"):
        return torch.as_tensor(float(value), dtype=dtype, device=boxes.device)
    value = torch.as_tensor(value, device=boxes.device)
    value = value if value.is_floating_point() else value.to(dtype)
    batch = boxes.shape[0] if boxes.dim() == 3 else 1
    if value.numel() not in (1, batch):
        raise ValueError(
            f"affine_transform: {name} must be a number or hold one value per image ({batch}), "
            f"received {name} of shape {tuple(value.shape)}"
        )
    if value.numel() == 1:
        return value.reshape(())
    return value.reshape(batch, *([1] * (boxes.dim() - 2)))


def affine_transform(
    boxes: TensorLike,
    angle: float | torch.Tensor,
    translate_x: float | torch.Tensor,
    translate_y: float | torch.Tensor,
    scale: float | torch.Tensor,
    shear_x: float | torch.Tensor,
    shear_y: float | torch.Tensor,
    height: float,
    width: float,
    center_x: float | torch.Tensor | None = None,
    center_y: float | torch.Tensor | None = None,
    bounding_box_format: str = "xyxy",
) -> torch.Tensor:
    """Boxes moved by the affine transformation Keras 3's image augmentations apply: the axis-aligned box around
    the transformed corners of each box.

    The transformation, about the center ``(center_x * (width - 1), center_y * (height - 1))``, translates by
    ``(translate_x * (width - 1), translate_y * (height - 1))`` pixels, then rotates by ``angle``, shears and
    scales, composed as Keras 3.15 composes them (a point ``p`` goes to ``center + scale * M @ (p - center + t)``
    with ``M = [[c + a*s - a*b*c, s + a*c + a*b*s], [b*c - s, c + b*s]]``, ``c, s`` the cosine and sine of the
    angle, ``a, b`` the tangents of the shear angles). The boxes are not clipped to the image.

    Args:
        boxes: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)``.
        angle: number or tensor of shape ``(batch,)``: the rotation, in degrees (positive turns the image's x
            axis towards its negative y axis, as in Keras).
        translate_x: number or ``(batch,)`` tensor: the horizontal shift, a fraction of ``width - 1``.
        translate_y: number or ``(batch,)`` tensor: the vertical shift, a fraction of ``height - 1``.
        scale: number or ``(batch,)`` tensor: the zoom factor (2 doubles the boxes' sizes).
        shear_x: number or ``(batch,)`` tensor: the horizontal shear angle, in degrees.
        shear_y: number or ``(batch,)`` tensor: the vertical shear angle, in degrees.
        height: number: the image height.
        width: number: the image width.
        center_x: number, ``(batch,)`` tensor or None, default None: the center's column, a fraction of
            ``width - 1`` (None: 0.5).
        center_y: number, ``(batch,)`` tensor or None, default None: the center's row, a fraction of
            ``height - 1`` (None: 0.5).
        bounding_box_format: str, default ``"xyxy"``: the boxes' format (relative formats use ``height`` and
            ``width``).

    Returns:
        A float tensor of the transformed boxes, of the shape of ``boxes``, in ``bounding_box_format``.

    Raises:
        ValueError: for an unknown format, boxes of rank other than 2 or 3, or a parameter with neither one
            value nor one value per image.

    >>> boxes = torch.tensor([[10.0, 20.0, 50.0, 60.0]])
    >>> affine_transform(boxes, 90, 0, 0, 1, 0, 0, height=200, width=300).round().tolist()   # a quarter turn
    [[70.0, 199.0, 110.0, 239.0]]
    """
    function = "affine_transform"
    bounding_box_format = standardize_format(bounding_box_format, function)
    boxes = to_boxes_tensor(boxes, function)
    if boxes.dim() not in (2, 3):
        raise ValueError(f"{function}: boxes must be (N, 4) or (batch, N, 4), received shape {tuple(boxes.shape)}")
    if not boxes.is_floating_point():
        boxes = boxes.float()
    params = [
        _per_image(v, n, boxes, boxes.dtype)
        for v, n in (
            (angle, "angle"),
            (translate_x, "translate_x"),
            (translate_y, "translate_y"),
            (scale, "scale"),
            (shear_x, "shear_x"),
            (shear_y, "shear_y"),
            (0.5 if center_x is None else center_x, "center_x"),
            (0.5 if center_y is None else center_y, "center_y"),
        )
    ]
    angle, translate_x, translate_y, scale, shear_x, shear_y, center_x, center_y = params
    x1, y1, x2, y2 = convert_boxes(boxes, bounding_box_format, "xyxy", height, width).unbind(-1)
    xs = torch.stack([x1, x2, x1, x2], -1)  # the 4 corners
    ys = torch.stack([y1, y1, y2, y2], -1)
    center_x, center_y = (center_x * (width - 1)).unsqueeze(-1), (center_y * (height - 1)).unsqueeze(-1)
    dx = xs - center_x + (translate_x * (width - 1)).unsqueeze(-1)
    dy = ys - center_y + (translate_y * (height - 1)).unsqueeze(-1)
    theta = angle * (math.pi / 180)
    cos, sin = torch.cos(theta).unsqueeze(-1), torch.sin(theta).unsqueeze(-1)
    a, b = torch.tan(shear_x * (math.pi / 180)).unsqueeze(-1), torch.tan(shear_y * (math.pi / 180)).unsqueeze(-1)
    scale = scale.unsqueeze(-1)
    new_x = center_x + scale * ((cos + a * sin - a * b * cos) * dx + (sin + a * cos + a * b * sin) * dy)
    new_y = center_y + scale * ((b * cos - sin) * dx + (cos + b * sin) * dy)
    moved = torch.stack([new_x.amin(-1), new_y.amin(-1), new_x.amax(-1), new_y.amax(-1)], -1)
    return convert_boxes(moved, "xyxy", bounding_box_format, height, width)
