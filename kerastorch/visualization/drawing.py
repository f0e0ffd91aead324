"""Annotating image batches, as Keras 3's ``keras.visualization`` does: ``draw_bounding_boxes`` (box outlines
and class labels) and ``draw_segmentation_masks`` (class colors over the pixels), drawn with NumPy (no OpenCV).

Both take a batch of images (tensor or array, ``data_format`` layout) and return a new uint8 NumPy array in the
same layout, the images clipped to ``[0, 255]`` and truncated to integers first, as Keras does.

Box outlines are ``line_thickness`` pixels wide, centred on the box's integer edges (an even width puts the extra
pixel outside), with square corners; labels use the 5 x 7 bitmap font of :mod:`kerastorch.visualization.font`
(``font_scale`` 1 draws 21 pixel high letters, like OpenCV's Hershey font at scale 1). Keras 3 draws both with
OpenCV, whose thick lines have rounded corners and whose text is anti-aliased, so the pixels differ where
``line_thickness`` is above 1 or labels are drawn; one pixel outlines are the same.

The default class colors are Keras's: class ``i`` is ``(i, 127 * i, 31 * i) mod 255``, so class 0 is black.

Example:
    >>> images = np.zeros((1, 6, 6, 3), dtype="uint8")
    >>> boxes = {"boxes": np.array([[[1, 1, 4, 4]]]), "labels": np.array([[0]])}
    >>> out = draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0), line_thickness=1)
    >>> (out[0, :, :, 0] > 0).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 0],
           [0, 1, 0, 0, 1, 0],
           [0, 1, 0, 0, 1, 0],
           [0, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0]])
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch

from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.utils.bounding_boxes.formats import convert_format
from kerastorch.visualization.font import GLYPH_HEIGHT, draw_text

__all__ = ["default_colors", "draw_bounding_boxes", "draw_segmentation_masks", "images_to_numpy"]


def _to_numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    return np.asarray(x)


def images_to_numpy(
    images: np.ndarray | torch.Tensor, data_format: str | None = None, function: str = "draw_bounding_boxes"
) -> np.ndarray:
    """A batch of images as a channels-last NumPy array.

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (channels last) or ``(batch,
            channels, height, width)`` (channels first).
        data_format: str or None, default None: the layout of ``images`` (None: ``keras.config.image_data_format()``).
        function: str, default ``"draw_bounding_boxes"``: the function named in the error message.

    Returns:
        A NumPy array of shape ``(batch, height, width, channels)``, of the images' dtype.

    Raises:
        ValueError: for images that are not a rank-4 batch.

    >>> images_to_numpy(torch.zeros(2, 3, 4, 5), "channels_first").shape
    (2, 4, 5, 3)
    """
    data_format = normalize_data_format(data_format, function)
    images = _to_numpy(images)
    if images.ndim != 4:
        raise ValueError(
            f"{function}: images must be a batch of rank 4, (batch, height, width, channels) or (batch, "
            f"channels, height, width), received shape {images.shape}"
        )
    return np.moveaxis(images, 1, -1) if data_format == "channels_first" else images


def _to_uint8(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return images.copy()
    return np.clip(images, 0, 255).astype(np.uint8)


def _restore_layout(images, data_format):
    return np.ascontiguousarray(np.moveaxis(images, -1, 1)) if data_format == "channels_first" else images


def default_colors(num_classes: int) -> np.ndarray:
    """Keras's default class colors: class ``i`` gets ``(i, 127 * i, 31 * i) mod 255``.

    Args:
        num_classes: int, the number of classes.

    Returns:
        A uint8 NumPy array of shape ``(num_classes, 3)``.

    >>> default_colors(3).tolist()
    [[0, 0, 0], [1, 127, 31], [2, 254, 62]]
    """
    return (np.arange(num_classes)[:, None] * np.array([1, 127, 31]) % 255).astype(np.uint8)


def _ink(color, channels, function, name="color"):
    color = np.asarray(color, dtype=np.float64).reshape(-1)
    if channels == 1:
        return color[:1]
    if color.size != channels:
        raise ValueError(
            f"{function}: {name} must hold one value per image channel ({channels}), received {name}={color.tolist()}"
        )
    return color


def _fill(image, top, bottom, left, right, ink):
    """Paint rows ``top..bottom`` and columns ``left..right`` (inclusive, cut to the image)."""
    top, left = max(top, 0), max(left, 0)
    bottom, right = min(bottom, image.shape[0] - 1), min(right, image.shape[1] - 1)
    if top <= bottom and left <= right:
        image[top : bottom + 1, left : right + 1] = ink


def _rectangle(image, x1, y1, x2, y2, ink, thickness):
    low, high = -(thickness // 2), (thickness - 1) // 2
    x1, x2 = sorted((x1, x2))
    y1, y2 = sorted((y1, y2))
    for y in (y1, y2):
        _fill(image, y + low, y + high, x1 + low, x2 + high, ink)
    for x in (x1, x2):
        _fill(image, y1 + low, y2 + high, x + low, x + high, ink)


def _check_box_dict(function, bounding_boxes):
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            f"{function}: bounding_boxes must be a dict with 'boxes' and 'labels' (and optionally "
            f"'confidences'), received {type(bounding_boxes).__name__}"
        )
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(
            f"{function}: bounding_boxes must have 'boxes' and 'labels' entries, received keys {sorted(bounding_boxes)}"
        )


def _positive_int(function, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{function}: {name} must be a positive integer, received {name}={value!r}")
    return int(value)


def draw_bounding_boxes(
    images: np.ndarray | torch.Tensor,
    bounding_boxes: Mapping[str, Any],
    bounding_box_format: str,
    class_mapping: Mapping[int, str] | None = None,
    color: Sequence[int] = (128, 128, 128),
    line_thickness: int = 2,
    text_thickness: int = 1,
    font_scale: float = 1.0,
    data_format: str | None = None,
) -> np.ndarray:
    """Draws bounding boxes (and their class names) on a batch of images.

    Boxes whose label is -1 (padding) are skipped. With ``class_mapping``, each box whose label it maps gets its
    class name written above it (inside it when there is no room above), followed by ``" | 0.95"`` when
    ``bounding_boxes`` has confidences.

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (or channels first, see
            ``data_format``), values in ``[0, 255]``.
        bounding_boxes: dict with ``"boxes"`` of shape ``(batch, num_boxes, 4)``, ``"labels"`` of shape
            ``(batch, num_boxes)`` and optionally ``"confidences"`` of shape ``(batch, num_boxes)``.
        bounding_box_format: str, the boxes' format (see ``keras.utils.bounding_boxes.convert_format``;
            relative formats use the images' size).
        class_mapping: dict or None, default None: class id to class name; None draws no names.
        color: sequence of 3 ints, default ``(128, 128, 128)``: the RGB color of the boxes and names (its first
            value for single-channel images).
        line_thickness: positive int, default 2: the width of the box outlines, in pixels.
        text_thickness: positive int, default 1: the stroke width of the names.
        font_scale: positive float, default 1.0: the size of the names (1 is 21 pixels high).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"`` (None:
            ``keras.config.image_data_format()``).

    Returns:
        A uint8 NumPy array of the annotated images, of the shape of ``images``.

    Raises:
        ValueError: for images that are not a rank-4 batch, ``bounding_boxes`` without ``"boxes"`` and
            ``"labels"``, boxes not of shape ``(batch, num_boxes, 4)``, labels or confidences without one value
            per box, a ``color`` without one value per channel, or a bad thickness or ``font_scale``.
        TypeError: when ``bounding_boxes`` is not a dict.

    >>> images = np.zeros((1, 30, 40, 3), dtype="uint8")
    >>> boxes = {"boxes": np.array([[[5, 12, 35, 28]]]), "labels": np.array([[1]])}
    >>> out = draw_bounding_boxes(images, boxes, "xyxy", class_mapping={1: "cat"}, font_scale=0.3)
    >>> out.shape, bool(out[0, :11].any())   # the name above the box
    ((1, 30, 40, 3), True)
    """
    function = "draw_bounding_boxes"
    data_format = normalize_data_format(data_format, function)
    images = _to_uint8(images_to_numpy(images, data_format, function))
    _check_box_dict(function, bounding_boxes)
    line_thickness = _positive_int(function, "line_thickness", line_thickness)
    text_thickness = _positive_int(function, "text_thickness", text_thickness)
    if isinstance(font_scale, bool) or not isinstance(font_scale, (int, float)) or not font_scale > 0:
        raise ValueError(f"{function}: font_scale must be a positive number, received font_scale={font_scale!r}")
    batch, height, width, channels = images.shape
    boxes = convert_format(bounding_boxes["boxes"], bounding_box_format, "xyxy", height=height, width=width)
    if boxes.dim() != 3 or boxes.shape[0] != batch:
        raise ValueError(
            f"{function}: boxes must be (batch, num_boxes, 4) with the images' batch size {batch}, "
            f"received shape {tuple(boxes.shape)}"
        )
    boxes = _to_numpy(boxes).astype(np.int64)  # truncated, as OpenCV takes them
    labels, confidences = _to_numpy(bounding_boxes["labels"]), bounding_boxes.get("confidences")
    confidences = None if confidences is None else _to_numpy(confidences)
    for name, values in (("labels", labels), ("confidences", confidences)):
        if values is not None and values.size != boxes.shape[0] * boxes.shape[1]:
            raise ValueError(
                f"{function}: {name} must hold one value per box, shape {boxes.shape[:2]}, received "
                f"shape {values.shape}"
            )
    labels = labels.reshape(boxes.shape[:2]).astype(np.int64)
    confidences = None if confidences is None else confidences.reshape(boxes.shape[:2])
    ink = _ink(color, channels, function)
    scale = max(1, round(3 * font_scale))
    for i in range(batch):
        image = images[i]
        for j in range(boxes.shape[1]):
            label = int(labels[i, j])
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in boxes[i, j])
            _rectangle(image, x1, y1, x2, y2, ink, line_thickness)
            if class_mapping is None or label not in class_mapping:
                continue
            text = str(class_mapping[label])
            if confidences is not None:
                text += f" | {float(confidences[i, j]):.2f}"
            text_height = GLYPH_HEIGHT * scale + text_thickness - 1
            gap = line_thickness // 2 + 2
            top = min(y1, y2) - gap - text_height
            if top < 0:
                top = min(y1, y2) + gap + (line_thickness - 1) // 2
            draw_text(image, text, min(x1, x2), top, ink, scale, text_thickness)
    return _restore_layout(images, data_format)


def draw_segmentation_masks(
    images: np.ndarray | torch.Tensor,
    segmentation_masks: np.ndarray | torch.Tensor,
    num_classes: int | None = None,
    color_mapping: Mapping[int, Sequence[int]] | None = None,
    alpha: float = 0.8,
    blend: bool = True,
    ignore_index: int = -1,
    data_format: str | None = None,
) -> np.ndarray:
    """Colors the pixels of a batch of images by their segmentation class.

    A pixel of class ``c`` (``0 <= c < num_classes``, ``c != ignore_index``) takes the color of ``c``: blended,
    ``alpha * color + (1 - alpha) * pixel`` (truncated to uint8, as Keras does), or replacing the pixel when
    ``blend`` is False. Other pixels keep the image's values. Class 0 is drawn too (black by default) unless
    ``ignore_index`` is 0.

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (or channels first, see
            ``data_format``) with 3 channels (RGB) or 1 (shown in gray, the output has 3).
        segmentation_masks: integer tensor or array of shape ``(batch, height, width)``, or with a channel axis
            of 1 in ``data_format``'s place.
        num_classes: int or None, default None: the number of classes (None: the largest class in the masks
            plus one; Keras 3.15 takes the largest class itself and then fails).
        color_mapping: dict or None, default None: class id to RGB color; classes it leaves out take the
            default colors.
        alpha: float in ``[0, 1]``, default 0.8: the opacity of the class colors when blending.
        blend: bool, default True: blend the colors with the images (False paints them over).
        ignore_index: int, default -1: a class left undrawn.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"`` (None:
            ``keras.config.image_data_format()``).

    Returns:
        A uint8 NumPy array of the images with the masks drawn, with 3 channels, in the layout of ``images``
        (Keras 3.15 returns channels-last arrays whatever ``data_format``, and a float tensor when ``blend`` is
        False).

    Raises:
        ValueError: for images that are not a rank-4 batch of 1 or 3 channels, masks that do not match the
            images, a class at least ``num_classes``, or ``alpha`` outside ``[0, 1]``.
        TypeError: for masks that are not integers.

    >>> images = np.full((1, 1, 3, 3), 100, dtype="uint8")
    >>> masks = np.array([[[0, 1, -1]]])
    >>> draw_segmentation_masks(images, masks, num_classes=2, alpha=0.5)[0, 0].tolist()
    [[50, 50, 50], [50, 113, 65], [100, 100, 100]]
    """
    function = "draw_segmentation_masks"
    data_format = normalize_data_format(data_format, function)
    images = images_to_numpy(images, data_format, function)
    masks = _to_numpy(segmentation_masks)
    if not np.issubdtype(masks.dtype, np.integer):
        raise TypeError(f"{function}: segmentation_masks must have an integer dtype, received {masks.dtype}")
    if masks.ndim == 4:
        masks = masks[:, 0] if data_format == "channels_first" else masks[..., 0]
    if masks.shape != images.shape[:3]:
        raise ValueError(
            f"{function}: segmentation_masks must be (batch, height, width) (or with a channel axis of 1)"
            f" matching the images' {images.shape[:3]}, received shape {_to_numpy(segmentation_masks).shape}"
        )
    if images.shape[-1] not in (1, 3):
        raise ValueError(f"{function}: images must have 3 channels (RGB) or 1, received shape {images.shape}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"{function}: alpha must be a number in [0, 1], received alpha={alpha!r}")
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    largest = int(masks.max()) if masks.size else -1
    num_classes = largest + 1 if num_classes is None else _positive_int(function, "num_classes", num_classes)
    if largest >= num_classes:
        raise ValueError(f"{function}: segmentation_masks has class {largest}, not below num_classes={num_classes}")
    colors = default_colors(max(num_classes, 0)).astype(np.float64)
    for key, value in (color_mapping or {}).items():
        if 0 <= int(key) < num_classes:
            colors[int(key)] = _ink(value, 3, function, f"color_mapping[{key!r}]")
    drawn = (masks >= 0) & (masks != ignore_index)
    painted = colors[np.where(drawn, masks, 0)]
    if blend:
        mixed = (alpha * painted + (1 - alpha) * images.astype(np.float64)).astype(np.float32)
        painted = np.clip(mixed, 0, 255).astype(np.uint8)
    out = _to_uint8(images)
    out[drawn] = painted[drawn]
    return _restore_layout(out, data_format)
