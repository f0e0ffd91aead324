"""``MaxNumBoundingBoxes``: give every image the same number of bounding boxes, by padding or truncating.

Detection batches need boxes of one shape: the layer keeps the first ``max_number`` boxes of each image and
pads the rest with ``fill_value`` (boxes and labels alike), in training and inference. Its input is a dict such
as ``{"images": ..., "bounding_boxes": {"boxes": ..., "labels": ...}}``; only ``"bounding_boxes"`` changes,
the boxes as float (the layer's compute dtype), the labels in their own dtype, and other entries (of the dict
and of ``"bounding_boxes"``, such as ``"confidences"``) pass through, as does a non-dict input.

Deliberate differences from Keras 3.15: ``fill_value`` is part of the config (Keras leaves it out, so a
reloaded Keras layer pads with -1 whatever it was built with), and inputs with bounding boxes need no
``bounding_box_format`` (Keras refuses them without one although padding does not depend on the format).

Example:
    >>> layer = MaxNumBoundingBoxes(max_number=3)
    >>> out = layer({"images": torch.zeros(1, 8, 8, 3),
    ...              "bounding_boxes": {"boxes": torch.tensor([[[0, 0, 4, 4]]]), "labels": torch.tensor([[7]])}})
    >>> out["bounding_boxes"]["boxes"].tolist(), out["bounding_boxes"]["labels"].tolist()
    ([[[0.0, 0.0, 4.0, 4.0], [-1.0, -1.0, -1.0, -1.0], [-1.0, -1.0, -1.0, -1.0]]], [[7, -1, -1]])
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.serialization.object_registration import register_builtin


def _fit(values, max_number, fill_value, axis):
    """``values`` truncated or padded with ``fill_value`` to ``max_number`` entries along ``axis``."""
    count = values.shape[axis]
    if count >= max_number:
        return values.narrow(axis, 0, max_number)
    shape = list(values.shape)
    shape[axis] = max_number - count
    return torch.cat([values, torch.full(shape, fill_value, dtype=values.dtype, device=values.device)], axis)


@register_builtin("keras.layers")
class MaxNumBoundingBoxes(Layer):
    """Pads or truncates the bounding boxes of each image to ``max_number``.

    Args:
        max_number: positive int: the number of boxes per image in the output.
        fill_value: number, default -1: the value of the padding boxes' coordinates and labels.
        **kwargs: base layer arguments (``name``, ``dtype``...), ``bounding_box_format`` (kept in the config;
            padding does not depend on it) and ``data_format`` (kept in the config; the images pass through).

    Input shape:
        A dict with ``"bounding_boxes"``, a dict of ``"boxes"`` ``(batch, num_boxes, 4)`` and ``"labels"``
        ``(batch, num_boxes)`` (or unbatched ``(num_boxes, 4)`` and ``(num_boxes,)``), and any other entries
        (``"images"``, ``"labels"``, ``"segmentation_masks"``...). A non-dict input passes through.

    Output shape:
        The same dict with ``"boxes"`` ``(batch, max_number, 4)`` and ``"labels"`` ``(batch, max_number)``
        (unbatched: ``(max_number, 4)`` and ``(max_number,)``).

    Raises:
        ValueError: for a ``max_number`` that is not a positive int, a ``fill_value`` that is not a number, a
            ``bounding_box_format`` that is not a str, an unknown ``data_format``, or ``"bounding_boxes"`` that are not
            a dict of ``"boxes"`` ``(..., num_boxes, 4)`` and ``"labels"`` with one entry per box.

    >>> boxes = {"boxes": torch.rand(2, 5, 4), "labels": torch.arange(10).reshape(2, 5)}
    >>> MaxNumBoundingBoxes(2)({"bounding_boxes": boxes})["bounding_boxes"]["labels"].tolist()
    [[0, 1], [5, 6]]
    """

    def __init__(self, max_number: int, fill_value: float = -1, **kwargs: Any) -> None:
        bounding_box_format = kwargs.pop("bounding_box_format", None)
        data_format = kwargs.pop("data_format", None)
        super().__init__(**kwargs)
        self.max_number = positive_int(self, "max_number", max_number)
        # (float listed for mypy, which does not see float as a numbers.Real)
        if isinstance(fill_value, bool) or not isinstance(fill_value, (float, numbers.Real)):
            raise ValueError(f"{layer_label(self)}: fill_value must be a number, received fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.data_format = normalize_data_format(data_format, layer_label(self))
        if bounding_box_format is not None and not isinstance(bounding_box_format, str):
            raise ValueError(
                f"{layer_label(self)}: bounding_box_format must be a format name such as 'xyxy' or None, "
                f"received bounding_box_format={bounding_box_format!r}"
            )
        self.bounding_box_format = bounding_box_format

    def call(self, inputs: torch.Tensor | dict[str, Any]) -> torch.Tensor | dict[str, Any]:
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        bounding_boxes = inputs["bounding_boxes"]
        if not isinstance(bounding_boxes, dict) or not {"boxes", "labels"} <= set(bounding_boxes):
            received = sorted(bounding_boxes) if isinstance(bounding_boxes, dict) else type(bounding_boxes).__name__
            raise ValueError(
                f"{layer_label(self)}: 'bounding_boxes' must be a dict with 'boxes' and 'labels', received {received}"
            )
        boxes = torch.as_tensor(bounding_boxes["boxes"])
        labels = torch.as_tensor(bounding_boxes["labels"], device=boxes.device)
        if boxes.dim() not in (2, 3) or boxes.shape[-1] != 4:
            raise ValueError(
                f"{layer_label(self)}: 'boxes' must be (batch, num_boxes, 4) or (num_boxes, 4), received "
                f"shape {tuple(boxes.shape)}"
            )
        axis = boxes.dim() - 2
        if labels.dim() <= axis or labels.shape[: axis + 1] != boxes.shape[: axis + 1]:
            raise ValueError(
                f"{layer_label(self)}: 'labels' must have one entry per box, shape {tuple(boxes.shape[:-1])}"
                f", received shape {tuple(labels.shape)}"
            )
        boxes = boxes.to(self._compute_torch_dtype)
        outputs = dict(inputs)
        outputs["bounding_boxes"] = dict(
            bounding_boxes,
            boxes=_fit(boxes, self.max_number, self.fill_value, axis),
            labels=_fit(labels, self.max_number, self.fill_value, axis),
        )
        return outputs

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update(max_number=self.max_number, fill_value=self.fill_value)
        return config
