"""``RandomSharpness``: blend each image with a smoothed copy by a random amount, in training.

As in Keras 3.15, each image draws ``f`` in ``[factor[0], factor[1])`` (a number in ``[0, 1]`` means ``(0, f)``),
and becomes ``x + (1 - 2 f) * (smooth(x) - x)`` clipped to ``value_range``, where ``smooth`` is the 3x3 filter
``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13`` per channel with zero padding: ``f = 0`` gives the smoothed image,
``f = 0.5`` the image itself and ``f = 1`` sharpens it (``2 x - smooth(x)``). The output is float.

Example:
    >>> x = torch.full((1, 3, 3, 1), 13.0)
    >>> RandomSharpness((0.0, 0.0))(x, training=True)[0, :, :, 0]   # fully smoothed (zero padding at the edges)
    tensor([[ 8., 10.,  8.],
            [10., 13., 10.],
            [ 8., 10.,  8.]])
"""

import torch

from kerastorch.backend.image import filter_images
from kerastorch.layers.preprocessing.augmentation_utils import FactorAugmentation, clip_to_range, per_image
from kerastorch.serialization.object_registration import register_builtin

_SMOOTH = ((1.0, 1.0, 1.0), (1.0, 5.0, 1.0), (1.0, 1.0, 1.0))


@register_builtin("keras.layers")
class RandomSharpness(FactorAugmentation):
    """Randomly sharpens or blurs images in training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``: the range the strength ``f`` of an image is drawn from
            (a number ``f`` means ``(0, f)``): 0 blurs, 0.5 keeps the image, 1 sharpens; ``(0.5, 0.5)`` is the
            identity.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]`` or not a number or pair, a ``value_range`` that is not a pair of
            numbers, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4.

    >>> RandomSharpness(0.7).factor
    (0, 0.7)
    """

    def _adjust(self, x, strengths):
        kernel = torch.tensor(_SMOOTH, dtype=x.dtype, device=x.device)[None] / 13.0
        smoothed = filter_images(x, kernel, self.data_format)
        return clip_to_range(x + per_image(1.0 - 2.0 * strengths) * (smoothed - x), self.value_range)
