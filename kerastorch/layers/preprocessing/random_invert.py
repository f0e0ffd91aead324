"""``RandomInvert``: invert the colours of some images in training; and ``ValueRangeAugmentation``, the base of
the augmentations that read pixel values in a ``value_range`` (RandomInvert, Solarization, RandomPosterization).

Each image draws an inversion probability ``p`` in ``[factor[0], factor[1])`` and is inverted when a second
uniform draw falls below ``p``, as in Keras 3 (both draws for the whole batch come from one call). A number
``f`` in ``[0, 1]`` gives ``factor = (0, f)``, so the default ``factor=1.0`` inverts an image with probability 1/2. An inverted pixel is ``low + high - x`` for
``value_range = (low, high)``: Keras 3.15 computes ``high - x``, the same for the usual ``low = 0``, but out of
range for other ranges. The output is float, as in Keras.

Example:
    >>> RandomInvert((1.0, 1.0))(torch.tensor([[[[0.0], [55.0]]]]), training=True).flatten().tolist()
    [255.0, 200.0]
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import (
    Factor,
    RandomImageLayer,
    ValueRange,
    factor_range,
    is_number,
)
from kerastorch.serialization.object_registration import register_builtin


def value_range_pair(layer: Layer, value_range: ValueRange, either_order: bool = False) -> tuple[float, float]:
    """``value_range`` checked to be a pair of numbers ``(low, high)`` with ``low < high``, as a tuple; with
    ``either_order`` (layers that store the range sorted, as Keras's do) ``(high, low)`` is accepted too, but never
    two equal bounds (an empty range the layers would divide by)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(map(is_number, value_range)):
        raise ValueError(
            f"{layer_label(layer)}: value_range must be a pair of numbers (low, high), received "
            f"value_range={value_range!r}"
        )
    low, high = value_range
    if not low < high and not (either_order and high < low):
        raise ValueError(
            f"{layer_label(layer)}: value_range must be a pair of numbers (low, high) with low < high, "
            f"received value_range={value_range!r}"
        )
    return low, high


class ValueRangeAugmentation(RandomImageLayer):
    """An augmentation of pixel values that lie in ``value_range``; ``sort_range`` stores the range sorted, as a
    list (the config format of Keras's Solarization and RandomPosterization)."""

    def __init__(
        self,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        sort_range: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        value_range = value_range_pair(self, value_range, either_order=sort_range)
        self.value_range = sorted(value_range) if sort_range else value_range

    def _float(self, images):
        return images if images.is_floating_point() else images.to(self._compute_torch_dtype)

    def _to_255(self, x):
        """Pixel values mapped linearly from ``value_range`` to ``[0, 255]`` (Keras's order of operations)."""
        low, high = self.value_range
        return x if (low, high) == (0, 255) else (x - low) / (high - low) * 255.0

    def _from_255(self, x):
        low, high = self.value_range
        return x if (low, high) == (0, 255) else x / 255.0 * (high - low) + low

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


@register_builtin("keras.layers")
class RandomInvert(ValueRangeAugmentation):
    """Randomly inverts images in training; the identity in inference.

    An inverted pixel is ``low + high - x`` for ``value_range = (low, high)``; outputs are float (see the
    module docstring for the draws).

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range each image's inversion probability
            is drawn from; a number ``f`` means ``(0, f)``, so the default inverts half of the images on average.
        value_range: pair of numbers ``(low, high)`` with ``low < high``, default ``(0, 255)``: the range of the
            pixel values.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]`` or not a number or pair, a ``value_range`` that is not a
            pair of numbers ``(low, high)`` with ``low < high``, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or
            4.

    Example:

    >>> RandomInvert(0.3).factor
    (0, 0.3)
    """

    def __init__(
        self,
        factor: Factor = 1.0,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)

    def _augment(self, images):
        x = self._float(images)
        draws = self._uniform((2, x.shape[0], 1, 1, 1), 0.0, 1.0, x)
        probability = self.factor[0] + (self.factor[1] - self.factor[0]) * draws[0]
        invert = draws[1] < probability
        return torch.where(invert, (self.value_range[0] + self.value_range[1]) - x, x)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config
