"""``RandomContrast``: scale each image's deviation from its per-channel mean by a random factor in training.

``output = clip((x - mean) * c + mean, *value_range)`` with ``mean`` over height and width per image and
channel and ``c`` drawn per image in ``[1 - lower, 1 + upper]``. ``factor`` follows Keras 3.15: a number ``f``
in ``[0, 1]`` gives ``(lower, upper) = (0, f)`` (so contrast is never reduced), a pair is used as given (both
in ``[0, 1]``). Inputs are expected in ``value_range`` (default ``(0, 255)``).

Example:
    >>> x = torch.tensor([[[[4.0], [6.0]]]])   # mean 5
    >>> y = RandomContrast((0.5, 0.5), seed=1)(x, training=True).flatten()   # c in [0.5, 1.5]
    >>> bool(3.5 <= y[0] <= 4.5 and y.sum() == 10)
    True
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import Factor, RandomImageLayer, ValueRange, factor_range
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomContrast(RandomImageLayer):
    """Randomly adjusts contrast in training; the identity in inference.

    Each image's deviation from its per-channel mean is scaled by ``c`` drawn uniformly in
    ``[1 - lower, 1 + upper]``, and the result clipped to ``value_range``. Integer images are cast to the
    compute dtype.

    Args:
        factor: float or pair of floats in ``[0, 1]``: ``(lower, upper)``; a number ``f`` means ``(0, f)`` (as
            in Keras 3.15: contrast is then never reduced), a pair is used as given (sorted).
        value_range: pair of numbers ``(low, high)``, default ``(0, 255)``: the range of the pixel values;
            outputs are clipped to it.
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
        ValueError: for a ``factor`` outside ``[0, 1]`` or not a number or pair, a ``value_range`` that is not
            a pair with ``low <= high``, a non-int ``seed``, an unknown ``data_format``, or inputs that are not
            of rank 3 or 4.

    Example:

    >>> RandomContrast(0.3).factor
    (0, 0.3)
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
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or value_range[0] > value_range[1]:
            raise ValueError(
                f"{layer_label(self)}: value_range must be a pair (low, high) with low <= high, received "
                f"value_range={value_range!r}"
            )
        self.value_range = tuple(value_range)

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        h_axis, w_axis = self._hw_axes(4)
        factors = self._uniform((x.shape[0], 1, 1, 1), 1.0 - self.factor[0], 1.0 + self.factor[1], x).to(x.dtype)
        mean = x.mean(dim=(h_axis, w_axis), keepdim=True)
        return torch.clamp(torch.addcmul(mean, x - mean, factors), self.value_range[0], self.value_range[1])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
