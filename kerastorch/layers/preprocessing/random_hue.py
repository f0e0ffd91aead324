"""``RandomHue``: turn each image's hue by a random amount, in training.

As in Keras 3.15, each image draws ``f`` in ``[factor[0], factor[1])`` (a number in ``[0, 1]`` means ``(0, f)``)
and a random sign, and its hue turns by ``sign * f / 2`` of a full turn (``factor=1`` reaches the opposite
colour). Pixels are mapped from ``value_range`` to ``[0, 1]``, converted to HSV and back, clipped to ``[0, 1]``
and mapped back. ``factor=0`` keeps the image (up to the rounding of the HSV round trip). The output is float.

Example:
    >>> x = torch.tensor([[[[255.0, 0.0, 0.0]]]])   # red: a half turn gives cyan
    >>> RandomHue((1.0, 1.0))(x, training=True)
    tensor([[[[  0., 255., 255.]]]])
"""

import torch

from kerastorch.layers.preprocessing.augmentation_utils import (
    FactorAugmentation,
    from_unit_range,
    to_unit_range,
    turn_hue,
)
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomHue(FactorAugmentation):
    """Randomly shifts the hue of RGB images in training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``: the range the strength ``f`` of an image is drawn from
            (a number ``f`` means ``(0, f)``); the hue turns by ``f / 2`` of a full turn, either way. 0 keeps the
            images.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, 3)`` or one image ``(height, width, 3)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]`` or not a number or pair, a ``value_range`` that is not a pair of
            numbers, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4, or inputs
            without 3 channels.

    >>> RandomHue(0.3).factor
    (0, 0.3)
    """

    SORT_RANGE = False
    RGB_ONLY = True

    def _strengths(self, x):
        signs = torch.where(self._uniform((x.shape[0],), 0.0, 1.0, x) > 0.5, -1.0, 1.0).to(x.dtype)
        return signs * super()._strengths(x) * 0.5

    def _adjust(self, x, strengths):
        turned = turn_hue(to_unit_range(x, self.value_range), self.data_format, strengths)
        return from_unit_range(torch.clamp(turned, 0.0, 1.0), self.value_range)
