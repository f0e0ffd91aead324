"""``RandomBrightness``: add a random per-image offset in training, clipped to ``value_range``.

``factor`` ``f`` in ``[-1, 1]`` (or a pair) draws ``delta`` in ``[-f, f]`` per image; the image gets
``delta * (value_range[1] - value_range[0])`` added to every pixel and is clipped to ``value_range``, as in
Keras 3.

Example:
    >>> y = RandomBrightness((0.5, 0.5), value_range=(0, 1))(torch.full((2, 2, 2, 1), 0.25), training=True)
    >>> y.unique().tolist()
    [0.75]
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import Factor, RandomImageLayer, ValueRange, factor_range
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomBrightness(RandomImageLayer):
    """Randomly shifts brightness in training; the identity in inference.

    Each image gets ``delta * (value_range[1] - value_range[0])`` added, ``delta`` drawn uniformly in the
    ``factor`` range, and is clipped to ``value_range``. Integer images are cast to the compute dtype.

    Args:
        factor: float or pair of floats in ``[-1, 1]``: the range ``delta`` is drawn from; a number ``f`` means
            ``(-f, f)``, a pair ``(lower, upper)`` is used as given (sorted).
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
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
        ValueError: for a ``factor`` outside ``[-1, 1]`` or not a number or pair, a ``value_range`` that is not
            a pair, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4.

    Example:

    >>> RandomBrightness(0.2).factor
    (-0.2, 0.2)
    """

    def __init__(
        self,
        factor: Factor,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (-1, 1), clip_low=True)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(
                f"{layer_label(self)}: value_range must be a pair (low, high), received value_range={value_range!r}"
            )
        self.value_range = sorted(value_range)

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        low, high = self.value_range
        delta = self._uniform((x.shape[0], 1, 1, 1), self.factor[0], self.factor[1], x) * (high - low)
        return torch.clamp(x + delta.to(x.dtype), low, high)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
