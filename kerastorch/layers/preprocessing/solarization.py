"""``Solarization``: invert the pixels above a random threshold, after adding a random offset, in training.

Per image, in the ``[0, 255]`` scale that ``value_range`` is mapped to: ``y = clip(x + addition, 0, 255)``, then
``y`` where ``y < threshold`` and ``255 - y`` elsewhere, mapped back to ``value_range``. ``addition`` and
``threshold`` are drawn in ``[lower * 255, upper * 255)`` of ``addition_factor`` / ``threshold_factor`` (a
number ``f`` in ``[0, 1]`` means ``(0, f)``). With the defaults (both 0) every pixel is inverted. Keras 3.15
draws from ``[lower, upper * 255)`` (it forgets to scale the lower end); the two agree when ``lower = 0``.
The output is float, as in Keras.

Example:
    >>> layer = Solarization(threshold_factor=(0.5, 0.5), value_range=(0, 1))
    >>> layer(torch.tensor([[[[0.25], [0.75]]]]), training=True).flatten().tolist()
    [0.25, 0.25]
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.base_image_layer import Factor, ValueRange, factor_range
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Solarization(ValueRangeAugmentation):
    """Randomly solarizes images in training; the identity in inference.

    Each image gets a random ``addition`` and has its pixels at or above a random ``threshold`` inverted (in
    the ``[0, 255]`` scale ``value_range`` maps to; see the module docstring); outputs are float.

    Args:
        addition_factor: float or pair of floats in ``[0, 1]``, default 0.0: the range of the offset added
            before thresholding, as a fraction of 255; a number ``f`` means ``(0, f)``.
        threshold_factor: float or pair of floats in ``[0, 1]``, default 0.0: the range of the threshold, as a
            fraction of 255; a number ``f`` means ``(0, f)``. With both factors 0 every pixel is inverted.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values, two different
            bounds in either order (stored sorted, as Keras does).
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...) and ``data_format`` (default
            ``image_data_format()``).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a factor outside ``[0, 1]`` or not a number or pair, a ``value_range`` that is not a pair
            of different numbers, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4.

    Example:

    >>> Solarization(0.2, (0.1, 0.6)).get_config()["threshold_factor"]
    (0.1, 0.6)
    """

    def __init__(
        self,
        addition_factor: Factor = 0.0,
        threshold_factor: Factor = 0.0,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, sort_range=True, **kwargs)
        self.addition_factor = factor_range(self, "addition_factor", addition_factor, (0, 1), clip_low=True)
        self.threshold_factor = factor_range(self, "threshold_factor", threshold_factor, (0, 1), clip_low=True)

    def _augment(self, images):
        x = self._float(images)
        draws = self._uniform((2, x.shape[0], 1, 1, 1), 0.0, 1.0, x).to(x.dtype)
        (a_low, a_high), (t_low, t_high) = self.addition_factor, self.threshold_factor
        additions = (a_low + (a_high - a_low) * draws[0]) * 255.0
        thresholds = (t_low + (t_high - t_low) * draws[1]) * 255.0
        y = torch.clamp(self._to_255(x) + additions, 0.0, 255.0)
        return self._from_255(torch.where(y < thresholds, y, 255.0 - y))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"addition_factor": self.addition_factor, "threshold_factor": self.threshold_factor})
        return config
