"""Box overlaps: ``compute_iou`` (the pairwise intersection over union table) and ``compute_ciou`` (the Complete
IoU of Zheng et al. 2020, element by element), as Keras 3's ``keras.utils.bounding_boxes`` computes them.

Both convert the boxes to float32 ``xyxy`` first (relative formats with ``image_shape``) and keep Keras's
``keras.config.epsilon()`` terms: the IoU divides by ``union + epsilon``; the CIoU adds ``epsilon`` to the box
heights, the union (twice), the squared diagonal of the enclosing box and the aspect-ratio weight's denominator.
Boxes whose corners are all negative are padding; ``use_masking`` sets their IoUs to ``mask_val``.

Example:
    >>> a = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    >>> b = torch.tensor([[0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 15.0, 10.0]])
    >>> compute_iou(a, b, "xyxy").tolist()
    [[1.0, 0.3333333432674408]]
"""

from __future__ import annotations

import math
from typing import Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.utils.bounding_boxes.formats import convert_boxes, is_relative, standardize_format, to_boxes_tensor

__all__ = ["compute_ciou", "compute_iou"]


def _image_size(function, bounding_box_format, image_shape):
    if not is_relative(bounding_box_format):
        return None, None
    if image_shape is None:
        raise ValueError(
            f"{function}: relative bounding box formats (such as 'rel_yxyx') need image_shape, the "
            f"image's (height, width, channels); received bounding_box_format="
            f"{bounding_box_format!r}, image_shape=None"
        )
    if len(image_shape) < 2:
        raise ValueError(
            f"{function}: image_shape must start with (height, width), received image_shape={image_shape!r}"
        )
    return image_shape[0], image_shape[1]


def _xyxy(
    function: str, name: str, boxes: TensorLike, bounding_box_format: str, height: float | None, width: float | None
) -> torch.Tensor:
    boxes = to_boxes_tensor(boxes, function, name, dtype="float32")
    return convert_boxes(boxes, bounding_box_format, "xyxy", height, width)


def compute_iou(
    boxes1: TensorLike,
    boxes2: TensorLike,
    bounding_box_format: str,
    use_masking: bool = False,
    mask_val: float = -1,
    image_shape: Sequence[int | None] | None = None,
) -> torch.Tensor:
    """The intersection over union of every box of ``boxes1`` with every box of ``boxes2``.

    The table is indexed ``[i, j]`` for unbatched boxes and ``[batch, i, j]`` when either is batched:
    ``(M, 4)`` and ``(N, 4)`` give ``(M, N)``; ``(batch, M, 4)`` with ``(N, 4)`` or ``(batch, N, 4)``, or
    ``(M, 4)`` with ``(batch, N, 4)``, give ``(batch, M, N)``. The IoU is ``intersection / (union + epsilon)``
    with ``keras.config.epsilon()``.

    Args:
        boxes1: tensor or array of shape ``(M, 4)`` or ``(batch, M, 4)``.
        boxes2: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)``.
        bounding_box_format: str, the format of both sets of boxes (see ``convert_format``), case-insensitive.
        use_masking: bool, default False: give ``mask_val`` to every pair with a padding box (one whose 4
            ``xyxy`` coordinates are all negative).
        mask_val: number, default -1: the value of masked pairs.
        image_shape: tuple or None, default None: ``(height, width, channels)`` of the image, needed for
            relative formats.

    Returns:
        A float32 tensor of shape ``(M, N)`` or ``(batch, M, N)``.

    Raises:
        ValueError: for boxes of rank other than 2 or 3, a last axis other than 4, an unknown format, or a
            relative format without ``image_shape``.

    >>> boxes = torch.tensor([[0.0, 0.0, 2.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])
    >>> compute_iou(boxes, boxes[:1], "xyxy", use_masking=True).tolist()
    [[1.0], [-1.0]]
    """
    function = "compute_iou"
    bounding_box_format = standardize_format(bounding_box_format, function)
    height, width = _image_size(function, bounding_box_format, image_shape)
    boxes1 = _xyxy(function, "boxes1", boxes1, bounding_box_format, height, width)
    boxes2 = _xyxy(function, "boxes2", boxes2, bounding_box_format, height, width)
    if boxes1.dim() not in (2, 3) or boxes2.dim() not in (2, 3):
        raise ValueError(
            f"{function}: boxes1 and boxes2 must be (N, 4) or (batch, N, 4), received shapes "
            f"{tuple(boxes1.shape)} and {tuple(boxes2.shape)}"
        )
    if boxes1.dim() == 3 and boxes2.dim() == 3 and boxes1.shape[0] != boxes2.shape[0]:
        raise ValueError(
            f"{function}: batched boxes1 and boxes2 must have the same batch size, received shapes "
            f"{tuple(boxes1.shape)} and {tuple(boxes2.shape)}"
        )
    a = boxes1.unsqueeze(-2)  # (..., M, 1, 4)
    b = boxes2.unsqueeze(-3)  # (..., 1, N, 4)
    inter_w = torch.clamp(torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0]), min=0)
    inter_h = torch.clamp(torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1]), min=0)
    intersection = inter_h * inter_w
    area1 = (a[..., 3] - a[..., 1]) * (a[..., 2] - a[..., 0])
    area2 = (b[..., 3] - b[..., 1]) * (b[..., 2] - b[..., 0])
    union = area1 + area2 - intersection
    iou = intersection / (union + config.epsilon())
    if use_masking:
        padding1 = (boxes1 < 0).all(-1).unsqueeze(-1)
        padding2 = (boxes2 < 0).all(-1).unsqueeze(-2)
        iou = torch.where(padding1 | padding2, torch.as_tensor(mask_val, dtype=iou.dtype, device=iou.device), iou)
    return iou


def compute_ciou(
    boxes1: TensorLike, boxes2: TensorLike, bounding_box_format: str, image_shape: Sequence[int | None] | None = None
) -> torch.Tensor:
    """The Complete IoU of ``boxes1`` and ``boxes2``, box by box (the shapes broadcast).

    CIoU (Zheng et al., "Distance-IoU Loss", 2020) is the IoU minus the squared distance of the box centers over
    the squared diagonal of the smallest box enclosing both, minus an aspect-ratio term ``alpha * v`` with
    ``v = 4 / pi**2 * (atan(w2 / h2) - atan(w1 / h1))**2`` and ``alpha = v / (v - iou + 1 + epsilon)``. It is 1
    for equal boxes and tends to -1 for far apart ones; ``1 - ciou`` is the CIoU loss.

    Args:
        boxes1: tensor or array of shape ``(..., 4)``.
        boxes2: tensor or array of shape ``(..., 4)``, broadcastable against ``boxes1``.
        bounding_box_format: str, the format of both sets of boxes (see ``convert_format``), case-insensitive.
        image_shape: tuple or None, default None: ``(height, width, channels)`` of the image, needed for
            relative formats (Keras 3.15 refuses relative formats here whatever ``image_shape``; kerastorch
            converts them with it).

    Returns:
        A float32 tensor of the broadcast shape of the boxes without the last axis.

    Raises:
        ValueError: for a last axis other than 4, an unknown format, or a relative format without
            ``image_shape``.

    >>> box = torch.tensor([0.0, 0.0, 2.0, 2.0])
    >>> round(float(compute_ciou(box, box, "xyxy")), 4), round(float(compute_ciou(box, box + 4, "xyxy")), 4)
    (1.0, -0.4444)
    """
    function = "compute_ciou"
    bounding_box_format = standardize_format(bounding_box_format, function)
    height, width = _image_size(function, bounding_box_format, image_shape)
    eps = config.epsilon()
    x1a, y1a, x2a, y2a = _xyxy(function, "boxes1", boxes1, bounding_box_format, height, width).unbind(-1)
    x1b, y1b, x2b, y2b = _xyxy(function, "boxes2", boxes2, bounding_box_format, height, width).unbind(-1)
    width_a, height_a = x2a - x1a, y2a - y1a + eps
    width_b, height_b = x2b - x1b, y2b - y1b + eps
    inter_w = torch.clamp(torch.minimum(x2a, x2b) - torch.maximum(x1a, x1b), min=0)
    inter_h = torch.clamp(torch.minimum(y2a, y2b) - torch.maximum(y1a, y1b), min=0)
    intersection = inter_w * inter_h
    union = width_a * height_a + width_b * height_b - intersection + eps
    iou = intersection / (union + eps)
    enclosing_w = torch.maximum(x2a, x2b) - torch.minimum(x1a, x1b)
    enclosing_h = torch.maximum(y2a, y2b) - torch.minimum(y1a, y1b)
    diagonal = enclosing_w**2 + enclosing_h**2 + eps
    center_distance = ((x1b + x2b) / 2 - (x1a + x2a) / 2) ** 2 + ((y1b + y2b) / 2 - (y1a + y2a) / 2) ** 2
    v = (4 / math.pi**2) * (torch.atan(width_b / height_b) - torch.atan(width_a / height_a)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (center_distance / diagonal + v * alpha)
