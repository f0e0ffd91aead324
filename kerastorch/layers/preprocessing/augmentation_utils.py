"""Pixel operations shared by the colour, filter and mixing augmentation layers.

Value ranges (``transform_range`` maps one linearly onto another, in the order of operations of Keras 3's
``_transform_value_range``; ``to_unit_range`` / ``from_unit_range`` map ``value_range`` onto ``[0, 1]`` and back),
hue turns in HSV (``turn_hue``), and the random draws two or more layers make alike: whether
each image is augmented (``random_gate``) and axis-aligned boxes of random position and size
(``random_boxes``); and the bases ``FactorAugmentation``
(layers that draw one strength per image from a ``factor`` range), ``ValueRangeLayer`` (the deterministic
AutoContrast and Equalization) and ``MixingAugmentation`` (MixUp and CutMix, which mix images and their labels
across the batch).

Example:
    >>> x = torch.tensor([[[[0.0], [127.5], [255.0]]]])
    >>> to_unit_range(x, (0, 255)).flatten().tolist()
    [0.0, 0.5, 1.0]
    >>> from_unit_range(to_unit_range(x, (0, 255)), (0, 255)).flatten().tolist()
    [0.0, 127.5, 255.0]
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from kerastorch import random as krandom
from kerastorch.backend.annotations import Shape
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import (
    Factor,
    ImageLayer,
    RandomImageLayer,
    ValueRange,
    factor_range,
)
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation, value_range_pair
from kerastorch.ops import image as image_ops


def transform_range(x: torch.Tensor, source: Sequence[float], target: Sequence[float]) -> torch.Tensor:
    """``x`` mapped linearly from the range ``source`` to ``target`` (unchanged when they are equal).

    Args:
        x: tensor, the values to map.
        source: pair of numbers ``(low, high)``, the range ``x`` is in.
        target: pair of numbers ``(low, high)``, the range to map onto.

    Returns:
        Tensor like ``x``, with ``source[0]`` mapped to ``target[0]`` and ``source[1]`` to ``target[1]``
        (``x`` itself when the ranges are equal).
    """
    (s_low, s_high), (t_low, t_high) = source, target
    if (s_low, s_high) == (t_low, t_high):
        return x
    return (x - s_low) / (s_high - s_low) * (t_high - t_low) + t_low


def to_unit_range(x: torch.Tensor, value_range: Sequence[float]) -> torch.Tensor:
    """``x`` mapped linearly from ``value_range`` to ``[0, 1]``.

    Args:
        x: tensor, the values to map.
        value_range: pair of numbers ``(low, high)``, the range ``x`` is in.

    Returns:
        Tensor like ``x``, in ``[0, 1]`` where ``x`` is in ``value_range``.
    """
    return transform_range(x, value_range, (0, 1))


def from_unit_range(x: torch.Tensor, value_range: Sequence[float]) -> torch.Tensor:
    """``x`` mapped linearly from ``[0, 1]`` to ``value_range``.

    Args:
        x: tensor, the values to map, in ``[0, 1]``.
        value_range: pair of numbers ``(low, high)``, the range to map onto.

    Returns:
        Tensor like ``x``, in ``value_range`` where ``x`` is in ``[0, 1]``.
    """
    return transform_range(x, (0, 1), value_range)


def clip_to_range(x: torch.Tensor, value_range: Sequence[float]) -> torch.Tensor:
    """``x`` clipped to ``value_range`` (its bounds in either order).

    Args:
        x: tensor, the values to clip.
        value_range: pair of numbers, the bounds, in either order.

    Returns:
        Tensor like ``x``, with values in ``[min(value_range), max(value_range)]``.

    >>> clip_to_range(torch.tensor([-1.0, 0.5, 2.0]), (0, 1)).tolist()
    [0.0, 0.5, 1.0]
    """
    return torch.clamp(x, min(value_range), max(value_range))


def per_image(values: torch.Tensor, ndim: int = 4) -> torch.Tensor:
    """Per-image values of shape ``(batch,)`` shaped to broadcast against a rank-``ndim`` batch.

    Args:
        values: tensor of shape ``(batch,)``, one value per image.
        ndim: int, default ``4``, the rank of the batch to broadcast against.

    Returns:
        ``values`` reshaped to ``(batch, 1, ..., 1)``, of rank ``ndim``.
    """
    return values.reshape((-1,) + (1,) * (ndim - 1))


def turn_hue(x: torch.Tensor, data_format: str, turns: torch.Tensor) -> torch.Tensor:
    """RGB images ``x`` in ``[0, 1]`` (a rank-4 batch) with each image's HSV hue turned by ``turns`` (a
    ``(batch,)`` tensor, in full turns).

    Args:
        x: float tensor of shape ``(batch, height, width, 3)`` or ``(batch, 3, height, width)``, RGB images
            with values in ``[0, 1]``.
        data_format: str, ``"channels_last"`` or ``"channels_first"``, the layout of ``x``.
        turns: tensor of shape ``(batch,)``, each image's hue shift in full turns (``1`` is a whole turn).

    Returns:
        Tensor like ``x``, the images with their hues turned.

    >>> turn_hue(torch.tensor([[[[1.0, 0.0, 0.0]]]]), "channels_last", torch.tensor([1 / 3])).flatten().tolist()
    [0.0, 1.0, 0.0]
    """
    axis = 1 if data_format == "channels_first" else 3
    hue, saturation, value = image_ops.rgb_to_hsv(x, data_format=data_format).unbind(axis)
    hue = hue + per_image(turns, 3).to(hue.dtype)
    return image_ops.hsv_to_rgb(torch.stack([hue, saturation, value], axis), data_format=data_format)


def random_gate(layer: RandomImageLayer, factor: Sequence[float], batch: int, like: torch.Tensor) -> torch.Tensor:
    """Whether each of ``batch`` images is augmented (a bool ``(batch,)`` tensor): as in Keras 3, an image
    draws a probability in ``[factor[0], factor[1])`` and is augmented when a second draw falls below it.

    Args:
        layer: the random layer whose ``_uniform`` (and seed generator) makes the draws.
        factor: pair of numbers ``(low, high)``, the range of the probability of augmenting an image.
        batch: int, the number of images.
        like: tensor whose device the draws take.

    Returns:
        Bool tensor of shape ``(batch,)``, True for the images to augment.
    """
    draws = layer._uniform((2, batch), 0.0, 1.0, like)
    return draws[1] < factor[0] + (factor[1] - factor[0]) * draws[0]


def random_boxes(
    layer: RandomImageLayer, ratios_x: torch.Tensor, ratios_y: torch.Tensor, height: int, width: int, like: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Axis-aligned boxes, one per image, ``ratios_x * width`` by ``ratios_y * height`` pixels (``(batch,)``
    tensors of fractions), at uniformly random positions within the image, as Keras 3 places them (box edges
    are real numbers; a pixel is in the box when its integer coordinates are).

    Args:
        layer: the random layer whose ``_uniform`` (and seed generator) draws the positions.
        ratios_x: float tensor of shape ``(batch,)``, each box's width as a fraction of ``width``.
        ratios_y: float tensor of shape ``(batch,)``, each box's height as a fraction of ``height``.
        height: int, the image height in pixels.
        width: int, the image width in pixels.
        like: tensor whose device the draws take.

    Returns:
        ``(mask, area)``: a bool ``(batch, height, width)`` tensor, True inside the box, and the box's area
        as a fraction of the image's (``(batch,)``).
    """
    starts = layer._uniform((2, ratios_x.shape[0]), 0.0, 1.0, like)
    lengths = torch.stack([ratios_x * width, ratios_y * height]).to(starts.dtype)
    low = starts * (torch.tensor([[width], [height]], dtype=starts.dtype, device=starts.device) - lengths)
    high = low + lengths
    cols = torch.arange(width, dtype=starts.dtype, device=starts.device)
    rows = torch.arange(height, dtype=starts.dtype, device=starts.device)
    inside_x = (cols >= low[0][:, None]) & (cols < high[0][:, None])
    inside_y = (rows >= low[1][:, None]) & (rows < high[1][:, None])
    return inside_y[:, :, None] & inside_x[:, None, :], lengths[0] * lengths[1] / (width * height)


class FactorAugmentation(ValueRangeAugmentation):
    """A random pixel-value augmentation with one strength per image, drawn uniformly in ``factor``: a number
    ``f`` in ``FACTOR_BOUNDS`` means ``(max(-f, lower bound), f)``, a pair is a range, as Keras 3 reads them.
    ``SORT_RANGE``: ``value_range`` is stored sorted, as a list; ``RGB_ONLY``: inputs need 3 channels. A subclass
    implements ``_adjust(x, strengths)`` on a float rank-4 batch and its ``(batch,)`` strengths.

    Args:
        factor: float or pair of floats, the range each image's strength is drawn from: a number ``f`` means
            ``(max(-f, lower bound), f)`` with the lower bound of ``FACTOR_BOUNDS``, a pair ``(low, high)`` is
            the range itself.
        value_range: pair of numbers, default ``(0, 255)``, the range of the input pixel values.
        data_format: str or None, default None, ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        seed: int or None, default None, the seed of the random draws.
        **kwargs: base layer keyword arguments, such as ``name`` and ``dtype``.
    """

    FACTOR_BOUNDS = (0, 1)
    SORT_RANGE = True
    RGB_ONLY = False

    def __init__(
        self,
        factor: Factor,
        value_range: ValueRange = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, sort_range=self.SORT_RANGE, **kwargs)
        self.factor = factor_range(self, "factor", factor, self.FACTOR_BOUNDS, clip_low=True)

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        if self.RGB_ONLY:
            self._check_channels(input_shape)

    def _strengths(self, x):
        return self._uniform((x.shape[0],), self.factor[0], self.factor[1], x).to(x.dtype)

    def _augment(self, images):
        x = self._float(images)
        if self.RGB_ONLY:
            self._check_channels(x.shape)
        return self._adjust(x, self._strengths(x))

    def _adjust(self, x, strengths):
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config


class ValueRangeLayer(ImageLayer):
    """A deterministic transform of images with pixel values in ``value_range`` (stored sorted, as a list),
    applied in training and in inference alike; a subclass implements ``_transform`` of a rank-4 batch.

    Args:
        value_range: pair of numbers, default ``(0, 255)``, the range of the input pixel values (in either
            order).
        data_format: str or None, default None, ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        **kwargs: base layer keyword arguments, such as ``name`` and ``dtype``.
    """

    def __init__(self, value_range: ValueRange = (0, 255), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range: list[float] | tuple[float, float] = sorted(
            value_range_pair(self, value_range, either_order=True)
        )

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._per_batch(inputs, self._transform)

    def _float(self, images):
        return images if images.is_floating_point() else images.to(self._compute_torch_dtype)

    def _transform(self, images):
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


class MixingAugmentation(RandomImageLayer):
    """An augmentation that mixes each image of a batch with another one of the same batch (MixUp, CutMix).

    Inputs are images, or a dict with ``"images"`` and optionally ``"labels"`` (mixed like the images, in the
    proportions of the pixels), ``"segmentation_masks"`` and ``"bounding_boxes"`` (a dict of ``"boxes"`` and
    ``"labels"``, which needs ``bounding_box_format``); other entries pass through. A subclass draws one
    transformation per call with ``_draw(images)`` (a dict with ``"permutation"``, the partner of each image)
    and applies it with ``_mix_images``, ``_mix_labels`` and ``_mix_masks``. Unbatched inputs have no partner
    and pass through (images as float), as in Keras 3.

    Args:
        seed: int or None, default None, the seed of the random draws.
        data_format: str or None, default None, ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        bounding_box_format: str or None, default None, the format of ``"bounding_boxes"`` inputs (such as
            ``"xyxy"``); needed only when inputs have bounding boxes.
        **kwargs: base layer keyword arguments, such as ``name`` and ``dtype``.
    """

    # the transformation of one call (see the class docstring), defined by the subclasses
    _draw: Callable[[torch.Tensor], dict[str, torch.Tensor]]
    _mix_images: Callable[[torch.Tensor, dict[str, torch.Tensor]], torch.Tensor]
    _mix_masks: Callable[[torch.Tensor, dict[str, torch.Tensor]], torch.Tensor]

    def __init__(
        self,
        seed: int | None = None,
        data_format: str | None = None,
        bounding_box_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.bounding_box_format = bounding_box_format

    def _images_of(self, data):
        if not isinstance(data, dict):
            return data
        if "images" not in data:
            raise ValueError(f"{layer_label(self)}: a dict input needs an 'images' entry, received keys {sorted(data)}")
        return data["images"]

    def build(self, input_shape: Shape | dict[str, Any]) -> None:
        super().build(self._images_of(input_shape))

    def call(  # type: ignore[override]  # (a dict of images and labels, or images)
        self, inputs: torch.Tensor | dict[str, Any], training: bool | None = False
    ) -> torch.Tensor | dict[str, Any]:
        data: dict[str, Any] = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        self._images_of(data)
        if "bounding_boxes" in data and not self.bounding_box_format:
            raise ValueError(
                f"{layer_label(self)}: inputs with 'bounding_boxes' need a bounding_box_format, such as "
                f"bounding_box_format='xyxy'"
            )
        if not training:
            return inputs
        images = data["images"]
        self._check_rank(images)
        images = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        if images.dim() == 4:
            mixing = self._draw(images)
            data["images"] = self._mix_images(images, mixing)
            if "labels" in data:
                labels = data["labels"]
                data["labels"] = self._mix_labels(labels if labels.is_floating_point() else labels.float(), mixing)
            if "segmentation_masks" in data:
                data["segmentation_masks"] = self._mix_masks(data["segmentation_masks"], mixing)
            if "bounding_boxes" in data:
                data["bounding_boxes"] = self._mix_boxes(data["bounding_boxes"], mixing)
        else:
            data["images"] = images
        return data if isinstance(inputs, dict) else data["images"]

    def _permutation(self, images):
        return krandom.shuffle(torch.arange(images.shape[0], device=images.device), seed=self.seed_generator)

    def _mix_labels(self, labels, mixing):
        """``w * labels + (1 - w) * labels[partner]`` with the image's share ``w`` of its own pixels."""
        weight = mixing["weight"].to(labels.dtype).reshape((-1,) + (1,) * (labels.dim() - 1))
        return weight * labels + (1.0 - weight) * labels[mixing["permutation"]]

    def _mix_boxes(self, boxes, mixing):
        raise NotImplementedError(f"{layer_label(self)}: bounding boxes are not supported")

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
