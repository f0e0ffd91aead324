"""Boxes as offsets from anchors: ``encode_box_to_deltas`` and its inverse ``decode_deltas_to_boxes``, the
regression targets of anchor-based detectors (Faster R-CNN, RetinaNet), as Keras 3 defines them.

In the center format ``center_yxhw`` (or ``center_xywh``), a box ``(y, x, h, w)`` relative to an anchor
``(ya, xa, ha, wa)`` is ``((y - ya) / ha, (x - xa) / wa, log(h / ha), log(w / wa))``, divided by ``variance``
when one is given; encoding keeps the sizes at least ``keras.config.epsilon()``, as Keras does.

Example:
    >>> anchors = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    >>> boxes = torch.tensor([[1.0, 2.0, 12.0, 9.0]])
    >>> deltas = encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy")
    >>> [round(v, 4) for v in deltas[0].tolist()]
    [0.05, 0.15, -0.3567, 0.0953]
    >>> [round(v, 4) for v in decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy")[0].tolist()]
    [1.0, 2.0, 12.0, 9.0]
"""

from __future__ import annotations

from typing import Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.utils.bounding_boxes.formats import convert_boxes, is_relative, standardize_format, to_boxes_tensor

__all__ = ["decode_deltas_to_boxes", "encode_box_to_deltas"]

_CENTER_FORMATS = ("center_xywh", "center_yxhw")


def _check_center_format(function, name, value):
    if value not in _CENTER_FORMATS:
        raise ValueError(f"{function}: {name} must be 'center_xywh' or 'center_yxhw', received {name}={value!r}")
    return value


def _variance(function, variance, like):
    if variance is None:
        return None
    variance = torch.as_tensor(variance, dtype=like.dtype, device=like.device)
    if variance.shape != (4,):
        raise ValueError(
            f"{function}: variance must hold 4 numbers (one per box coordinate), received variance={variance.tolist()}"
        )
    return variance


def _image_size(function, formats, image_shape):
    if image_shape is not None:
        if len(image_shape) < 2:
            raise ValueError(
                f"{function}: image_shape must start with (height, width), received image_shape={image_shape!r}"
            )
        return image_shape[0], image_shape[1]
    relative = [f for f in formats if is_relative(f)]
    if relative:
        raise ValueError(
            f"{function}: relative bounding box formats need image_shape, the image's (height, "
            f"width, channels); received the format {relative[0]!r} and image_shape=None"
        )
    return None, None


def encode_box_to_deltas(
    anchors: TensorLike,
    boxes: TensorLike,
    anchor_format: str,
    box_format: str,
    encoding_format: str = "center_yxhw",
    variance: Sequence[float] | None = None,
    image_shape: Sequence[int | None] | None = None,
) -> torch.Tensor:
    """Encodes boxes as offsets (deltas) from their anchors.

    Both are converted to ``encoding_format``; with ``(c0, c1, s0, s1)`` a box's center and sizes in that
    format and ``(a0, a1, t0, t1)`` its anchor's, the deltas are ``((c0 - a0) / t0, (c1 - a1) / t1,
    log(s0 / t0), log(s1 / t1))`` (sizes at least ``keras.config.epsilon()``), divided by ``variance``.

    Args:
        anchors: tensor or array of shape ``(N, 4)``: the anchor boxes.
        boxes: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)``: the boxes to encode, one per anchor.
        anchor_format: str: the format of ``anchors`` (see ``convert_format``).
        box_format: str: the format of ``boxes``.
        encoding_format: str, default ``"center_yxhw"``: ``"center_yxhw"`` or ``"center_xywh"``, the order of
            the deltas.
        variance: sequence of 4 numbers or None, default None: divisors of the deltas (such as
            ``[0.1, 0.1, 0.2, 0.2]``).
        image_shape: tuple or None, default None: ``(height, width, channels)`` of the image, needed for
            relative formats.

    Returns:
        A float32 tensor of deltas, of the broadcast shape of ``anchors`` and ``boxes``.

    Raises:
        ValueError: for an ``encoding_format`` other than the two center formats, a ``variance`` without 4
            numbers, an unknown format, or a relative format without ``image_shape``.

    >>> encode_box_to_deltas(torch.tensor([[0.0, 0.0, 4.0, 4.0]]), torch.tensor([[2.0, 0.0, 6.0, 4.0]]),
    ...                      "xyxy", "xyxy", encoding_format="center_xywh").tolist()
    [[0.5, 0.0, 0.0, 0.0]]
    """
    function = "encode_box_to_deltas"
    anchor_format = standardize_format(anchor_format, function, "anchor_format")
    box_format = standardize_format(box_format, function, "box_format")
    encoding_format = _check_center_format(function, "encoding_format", encoding_format)
    height, width = _image_size(function, (anchor_format, box_format), image_shape)
    anchors = to_boxes_tensor(anchors, function, "anchors", dtype="float32")
    boxes = to_boxes_tensor(boxes, function, "boxes", dtype="float32")
    divisors = _variance(function, variance, anchors)
    a0, a1, t0, t1 = convert_boxes(anchors, anchor_format, encoding_format, height, width).unbind(-1)
    c0, c1, s0, s1 = convert_boxes(boxes, box_format, encoding_format, height, width).unbind(-1)
    eps = config.epsilon()
    t0, t1, s0, s1 = (torch.clamp(v, min=eps) for v in (t0, t1, s0, s1))
    deltas = torch.stack([(c0 - a0) / t0, (c1 - a1) / t1, torch.log(s0 / t0), torch.log(s1 / t1)], -1)
    return deltas if divisors is None else deltas / divisors


def _decode(anchors, deltas, anchor_format, box_format, encoded_format, variance, height, width, function):
    anchors = to_boxes_tensor(anchors, function, "anchors", dtype="float32")
    deltas = to_boxes_tensor(deltas, function, "boxes_delta", dtype="float32")
    variance = _variance(function, variance, deltas)
    if variance is not None:
        deltas = deltas * variance
    a0, a1, t0, t1 = convert_boxes(anchors, anchor_format, encoded_format, height, width).unbind(-1)
    d0, d1, d2, d3 = deltas.unbind(-1)
    boxes = torch.stack([d0 * t0 + a0, d1 * t1 + a1, torch.exp(d2) * t0, torch.exp(d3) * t1], -1)
    return convert_boxes(boxes, encoded_format, box_format, height, width)


def decode_deltas_to_boxes(
    anchors: TensorLike | dict[str, TensorLike],
    boxes_delta: TensorLike | dict[str, TensorLike],
    anchor_format: str,
    box_format: str,
    encoded_format: str = "center_yxhw",
    variance: Sequence[float] | None = None,
    image_shape: Sequence[int | None] | None = None,
) -> torch.Tensor | dict[str, torch.Tensor]:
    """Decodes offsets (deltas) from anchors back into boxes, the inverse of ``encode_box_to_deltas``.

    Args:
        anchors: tensor or array of shape ``(N, 4)``, or a dict of them (one per feature level).
        boxes_delta: tensor or array of shape ``(N, 4)`` or ``(batch, N, 4)``, or a dict with the keys of
            ``anchors``: the deltas, in ``encoded_format`` order.
        anchor_format: str: the format of ``anchors`` (see ``convert_format``).
        box_format: str: the format of the boxes returned.
        encoded_format: str, default ``"center_yxhw"``: ``"center_yxhw"`` or ``"center_xywh"``, the order of
            the deltas.
        variance: sequence of 4 numbers or None, default None: factors the deltas are multiplied by first.
        image_shape: tuple or None, default None: ``(height, width, channels)`` of the image, needed for
            relative formats.

    Returns:
        A float32 tensor of boxes in ``box_format`` (the broadcast shape of ``anchors`` and ``boxes_delta``),
        or a dict of them for dict inputs.

    Raises:
        ValueError: for an ``encoded_format`` other than the two center formats, a ``variance`` without 4
            numbers, an unknown format, a relative format without ``image_shape``, or dicts with different
            keys.

    >>> decode_deltas_to_boxes(torch.tensor([[0.0, 0.0, 4.0, 4.0]]), torch.tensor([[0.5, 0.0, 0.0, 0.0]]),
    ...                        "xyxy", "xyxy", encoded_format="center_xywh").tolist()
    [[2.0, 0.0, 6.0, 4.0]]
    """
    function = "decode_deltas_to_boxes"
    anchor_format = standardize_format(anchor_format, function, "anchor_format")
    box_format = standardize_format(box_format, function, "box_format")
    encoded_format = _check_center_format(function, "encoded_format", encoded_format)
    height, width = _image_size(function, (anchor_format, box_format), image_shape)
    args = (anchor_format, box_format, encoded_format, variance, height, width, function)
    if isinstance(anchors, dict) or isinstance(boxes_delta, dict):
        if not (isinstance(anchors, dict) and isinstance(boxes_delta, dict)) or set(anchors) != set(boxes_delta):
            received = sorted(boxes_delta) if isinstance(boxes_delta, dict) else type(boxes_delta).__name__
            raise ValueError(
                f"{function}: anchors and boxes_delta must both be dicts with the same keys (one entry "
                f"per level) or both tensors; received anchors keys "
                f"{sorted(anchors) if isinstance(anchors, dict) else type(anchors).__name__} and "
                f"boxes_delta {received}"
            )
        return {key: _decode(anchors[key], boxes_delta[key], *args) for key in anchors}
    return _decode(anchors, boxes_delta, *args)
