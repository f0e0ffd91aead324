"""Bounding box formats and ``convert_format``, Keras 3's ``keras.utils.bounding_boxes.convert_format``.

A box is 4 numbers on the last axis of a tensor (one box ``(4,)``, a list ``(N, 4)``, a batch ``(batch, N, 4)``
...). The formats (case-insensitive):

- ``"xyxy"``: ``[left, top, right, bottom]``; ``"yxyx"``: ``[top, left, bottom, right]``;
- ``"xywh"``: ``[left, top, width, height]``;
- ``"center_xywh"``: ``[center_x, center_y, width, height]``; ``"center_yxhw"``: ``[center_y, center_x, height,
  width]``;
- ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"``, ``"rel_center_xywh"``: the same with x values divided by the
  image width and y values by its height (so ``[0, 1]`` spans the image).

Conversions go through ``xyxy`` (between two relative formats, through ``xyxy`` in image fractions) in the order
of Keras 3's operations, so results agree with Keras's bit for bit. As in Keras, the boxes are first cast to
``dtype`` (an integer dtype truncates, and formats that halve or divide come out as float32), and a conversion
from or to a relative format needs ``height`` and ``width`` (even between two relative formats).

Example:
    >>> boxes = torch.tensor([[10.0, 20.0, 30.0, 60.0]])
    >>> convert_format(boxes, "xyxy", "center_xywh").tolist()
    [[20.0, 40.0, 20.0, 40.0]]
    >>> convert_format(boxes, "xyxy", "rel_xyxy", height=100, width=100).tolist()
    [[0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.6000000238418579]]
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike

__all__ = ["FORMATS", "convert_boxes", "convert_format", "is_relative", "standardize_format", "to_boxes_tensor"]

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")
"""The box formats Keras 3 knows, in its order."""


def standardize_format(
    bounding_box_format: str, function: str = "convert_format", argument: str = "bounding_box_format"
) -> str:
    """The lower-case name of a box format, checked against :data:`FORMATS`.

    Args:
        bounding_box_format: str, a format name in any case, such as ``"XYWH"``.
        function: str, default ``"convert_format"``, the function named in the error message.
        argument: str, default ``"bounding_box_format"``, the argument named in the error message.

    Returns:
        The format name in lower case.

    Raises:
        ValueError: for a name that is not a known format (or not a string).

    >>> standardize_format("Center_XYWH")
    'center_xywh'
    """
    name = bounding_box_format.lower() if isinstance(bounding_box_format, str) else bounding_box_format
    if name not in FORMATS:
        raise ValueError(
            f"{function}: {argument} must be one of {list(FORMATS)}, received {argument}={bounding_box_format!r}"
        )
    return name


def is_relative(bounding_box_format: str) -> bool:
    """Whether a (standardized) format is relative to the image size (``"rel_..."``).

    Args:
        bounding_box_format: str, a lower-case format name.

    Returns:
        bool.

    >>> is_relative("rel_xywh"), is_relative("xywh")
    (True, False)
    """
    return bounding_box_format.startswith("rel_")


def to_boxes_tensor(
    boxes: TensorLike, function: str = "convert_format", name: str = "boxes", dtype: DTypeLike = None
) -> torch.Tensor:
    """``boxes`` (a tensor, NumPy array or nested list) as a torch tensor whose last axis has 4 entries.

    Args:
        boxes: array-like of shape ``(..., 4)``.
        function: str, default ``"convert_format"``, the function named in the error message.
        name: str, default ``"boxes"``, the argument named in the error message.
        dtype: dtype or None, default None: cast to it (None keeps the dtype; NumPy float64 stays float64).

    Returns:
        A torch tensor (NumPy arrays and lists go to ``keras.config``'s default device).

    Raises:
        ValueError: when the last axis does not have 4 entries.

    >>> to_boxes_tensor([[1, 2, 3, 4]]).shape
    torch.Size([1, 4])
    """
    if not isinstance(boxes, torch.Tensor):
        boxes = torch.as_tensor(np.asarray(boxes), device=config.default_device())
    if boxes.dim() == 0 or boxes.shape[-1] != 4:
        raise ValueError(
            f"{function}: {name} must have a last axis of 4 entries (one box), received "
            f"{name} of shape {tuple(boxes.shape)}"
        )
    if dtype is not None:
        target = config.torch_dtype(dtype)
        if boxes.dtype != target:
            boxes = boxes.to(target)
    return boxes


def _check_size(function, source, target, height, width):
    if (is_relative(source) or is_relative(target)) and (height is None or width is None):
        raise ValueError(
            f"{function}: converting from or to a relative format needs the image's height and "
            f"width; received source={source!r}, target={target!r}, height={height!r}, "
            f"width={width!r}"
        )


def _to_xyxy(boxes, source, height, width):
    """Absolute formats to ``xyxy``; relative ones to ``xyxy`` in image fractions, then scaled."""
    if is_relative(source):
        x1, y1, x2, y2 = _to_xyxy(boxes, source[len("rel_") :], None, None).unbind(-1)
        return torch.stack([x1 * width, y1 * height, x2 * width, y2 * height], -1)
    a, b, c, d = boxes.unbind(-1)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return torch.stack([b, a, d, c], -1)
    if source == "xywh":
        return torch.stack([a, b, a + c, b + d], -1)
    if source == "center_xywh":
        return torch.stack([a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0], -1)
    return torch.stack([b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0], -1)  # center_yxhw


def _from_xyxy(boxes, target, height, width):
    """``xyxy`` to absolute formats; to relative ones through the absolute format, then divided."""
    if is_relative(target):
        base = target[len("rel_") :]
        a, b, c, d = _from_xyxy(boxes, base, None, None).unbind(-1)
        if base == "yxyx":
            return torch.stack([a / height, b / width, c / height, d / width], -1)
        return torch.stack([a / width, b / height, c / width, d / height], -1)
    x1, y1, x2, y2 = boxes.unbind(-1)
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return torch.stack([y1, x1, y2, x2], -1)
    w, h = x2 - x1, y2 - y1
    if target == "xywh":
        return torch.stack([x1, y1, w, h], -1)
    if target == "center_xywh":
        return torch.stack([x1 + w / 2.0, y1 + h / 2.0, w, h], -1)
    return torch.stack([y1 + h / 2.0, x1 + w / 2.0, h, w], -1)  # center_yxhw


def convert_boxes(
    boxes: torch.Tensor, source: str, target: str, height: float | None = None, width: float | None = None
) -> torch.Tensor:
    """``convert_format`` without the checks and the cast: ``boxes`` is a tensor, the formats standardized.

    Between two relative formats the fractions are converted directly, as in Keras 3.

    Args:
        boxes: tensor of shape ``(..., 4)``.
        source: str, the standardized format of ``boxes``.
        target: str, the standardized format to convert to.
        height: number or None, default None: the image height (used by relative formats).
        width: number or None, default None: the image width (used by relative formats).

    Returns:
        The converted tensor (``boxes`` itself when the formats are equal).

    >>> convert_boxes(torch.tensor([[0.0, 0.0, 2.0, 4.0]]), "xyxy", "center_yxhw").tolist()
    [[2.0, 1.0, 4.0, 2.0]]
    """
    if source == target:
        return boxes
    if is_relative(source) and is_relative(target):
        source, target = source[len("rel_") :], target[len("rel_") :]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


@overload
def convert_format(
    boxes: dict[str, Any],
    source: str,
    target: str,
    height: float | None = ...,
    width: float | None = ...,
    dtype: DTypeLike = ...,
) -> dict[str, Any]: ...


@overload
def convert_format(
    boxes: TensorLike,
    source: str,
    target: str,
    height: float | None = ...,
    width: float | None = ...,
    dtype: DTypeLike = ...,
) -> torch.Tensor: ...


def convert_format(
    boxes: TensorLike | dict[str, Any],
    source: str,
    target: str,
    height: float | None = None,
    width: float | None = None,
    dtype: DTypeLike = "float32",
) -> torch.Tensor | dict[str, Any]:
    """Converts bounding boxes from the format ``source`` to the format ``target``.

    Args:
        boxes: tensor, NumPy array or nested list of shape ``(..., 4)`` (such as ``(N, 4)`` or ``(batch, N, 4)``),
            or a dict with a ``"boxes"`` entry (and others, such as ``"labels"``, which are passed through).
        source: str, the format of ``boxes``: ``"xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``,
            ``"center_yxhw"``, ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"`` or ``"rel_center_xywh"``
            (case-insensitive).
        target: str, the format to convert to (the same choices).
        height: number or None, default None: the image height, needed when either format is relative.
        width: number or None, default None: the image width, needed when either format is relative.
        dtype: str or dtype, default ``"float32"``: the dtype the boxes are cast to before the conversion
            (None: ``keras.config.floatx()``). Conversions that halve or divide give float results.

    Returns:
        A torch tensor of the boxes in ``target`` format, or for a dict input a new dict with the converted
        ``"boxes"``.

    Raises:
        ValueError: for an unknown format, a last axis other than 4, or a relative format without ``height``
            and ``width``.

    >>> convert_format(torch.tensor([[10, 20, 30, 60]]), "xyxy", "xywh").tolist()
    [[10.0, 20.0, 20.0, 40.0]]
    >>> out = convert_format({"boxes": [[0.5, 0.5, 1.0, 1.0]], "labels": [3]}, "rel_xyxy", "xyxy", 10, 20)
    >>> out["boxes"].tolist(), out["labels"]
    ([[10.0, 5.0, 20.0, 10.0]], [3])
    """
    if isinstance(boxes, dict):
        if "boxes" not in boxes:
            raise ValueError(f"convert_format: a dict of boxes needs a 'boxes' entry, received keys {sorted(boxes)}")
        out = dict(boxes)
        out["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return out
    source = standardize_format(source, argument="source")
    target = standardize_format(target, argument="target")
    _check_size("convert_format", source, target, height, width)
    boxes = to_boxes_tensor(boxes, dtype=config.floatx() if dtype is None else dtype)
    return convert_boxes(boxes, source, target, height, width)
