"""``keras.utils.bounding_boxes``: converting boxes between formats, moving them with image crops, pads, clips and
affine transformations, their overlaps (IoU, CIoU) and their encoding as offsets from anchors.

Boxes are tensors (or arrays) whose last axis holds 4 numbers in one of the formats ``"xyxy"``, ``"yxyx"``,
``"xywh"``, ``"center_xywh"``, ``"center_yxhw"``, ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"`` and
``"rel_center_xywh"`` (see ``convert_format``); the functions return torch tensors.

Example:
    >>> import torch
    >>> boxes = torch.tensor([[10.0, 20.0, 30.0, 60.0]])
    >>> convert_format(boxes, source="xyxy", target="xywh").tolist()
    [[10.0, 20.0, 20.0, 40.0]]
    >>> compute_iou(boxes, boxes, "xyxy").tolist()
    [[1.0]]
"""

from kerastorch.utils.bounding_boxes.deltas import decode_deltas_to_boxes, encode_box_to_deltas
from kerastorch.utils.bounding_boxes.formats import convert_format
from kerastorch.utils.bounding_boxes.geometry import affine_transform, clip_to_image_size, crop, pad
from kerastorch.utils.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = [
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]


def __dir__():
    return sorted(__all__)
