"""``RandomSaturation``: scale each image's saturation by a random factor, in training.

Following Keras 3.15, each image draws ``u`` in ``[factor[0], factor[1])`` (a number ``f`` in ``[-1, 1]`` means
``(-f, f)``) and its HSV saturation ``s`` becomes ``s * u / (1 - u + epsilon)``: ``u = 0.5`` keeps the image,
``u <= 0`` makes it gray, ``u = 1`` saturates it fully. With hue and value unchanged this moves each channel
``x`` of a pixel along the line to the pixel's maximum ``v``: the result is ``v - g * (v - x)``, with ``g`` the
scale clipped to ``[0, v / (v - min)]`` (the saturation stays within ``[0, 1]``), computed in that closed form on
pixels mapped from ``value_range`` to ``[0, 1]`` (no HSV round trip, whose derivative is wrong where channels
tie).

Deliberate differences: Keras converts the raw pixels and clips the scaled saturation to ``value_range``, so
that for ``value_range=(0, 255)`` a saturation above 1 gives negative pixel values; kerastorch clips it to
``[0, 1]``. The two agree when ``value_range=(0, 1)`` or the scaled saturation stays at most 1, in particular
for ``factor=(0.5, 0.5)`` (the identity) and ``(0, 0)`` (grayscale). The output is float.

Example:
    >>> x = torch.tensor([[[[200.0, 100.0, 50.0]]]])
    >>> RandomSaturation((0.0, 0.0))(x, training=True)    # fully desaturated: the value everywhere
    tensor([[[[200., 200., 200.]]]])
    >>> RandomSaturation((1.0, 1.0))(x, training=True)    # fully saturated: the minimum goes to 0
    tensor([[[[200.0000, 66.6667,   0.0000]]]])
"""

import torch

from kerastorch import config
from kerastorch.layers.preprocessing.augmentation_utils import (
    FactorAugmentation,
    from_unit_range,
    per_image,
    to_unit_range,
)
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomSaturation(FactorAugmentation):
    """Randomly changes the saturation of RGB images in training; the identity in inference.

    Args:
        factor: float in ``[-1, 1]`` or pair of floats: the range ``u`` is drawn from, per image; the saturation
            is multiplied by ``u / (1 - u)`` (0.5: unchanged, 0 or less: grayscale, 1: fully saturated). A
            number ``f`` means ``(-f, f)``; ``(0.5, 0.5)`` always keeps the image.
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
        ValueError: for a ``factor`` outside ``[-1, 1]`` or not a number or pair, a ``value_range`` that is not a pair
            of numbers, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4, or inputs
            without 3 channels.

    >>> RandomSaturation(0.2).factor
    (-0.2, 0.2)
    """

    FACTOR_BOUNDS = (-1, 1)
    RGB_ONLY = True

    def _adjust(self, x, strengths):
        scale = per_image(strengths / (1.0 - strengths + config.epsilon()))
        unit = to_unit_range(x, self.value_range)
        axis = self._channel_axis(4)
        value = unit.amax(axis, keepdim=True)
        chroma = value - unit.amin(axis, keepdim=True)
        # HSV has saturation 0 where value <= 0: such pixels become gray (value in every channel)
        limit = torch.where((value > 0) & (chroma > 0), value / torch.where(chroma > 0, chroma, 1.0), 0.0)
        gain = torch.minimum(torch.clamp(scale, min=0.0), limit)
        return from_unit_range(value - gain * (value - unit), self.value_range)
