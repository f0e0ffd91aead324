"""``RandomColorDegeneration``: blend each image towards its grayscale version by a random amount, in training.

As in Keras 3.15, each image draws ``f`` in ``[factor[0], factor[1])`` (a number in ``[-1, 1]`` means ``(-f, f)``)
and becomes ``x + f * (gray(x) - x)`` clipped to ``value_range``, ``gray`` the luma ``0.2989 R + 0.587 G +
0.114 B`` (Keras 3's ``ops.image.rgb_to_grayscale``): 0 keeps the image, 1 makes it gray, negative values
exaggerate its colours. The output is float.

Example:
    >>> import torch
    >>> x = torch.tensor([[[[10.0, 20.0, 30.0]]]])
    >>> RandomColorDegeneration((1.0, 1.0))(x, training=True)
    tensor([[[[18.1490, 18.1490, 18.1490]]]])
"""

from kerastorch.layers.preprocessing.augmentation_utils import FactorAugmentation, clip_to_range, per_image
from kerastorch.ops import image as image_ops
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomColorDegeneration(FactorAugmentation):
    """Randomly desaturates (or over-saturates) RGB images towards their luma in training; the identity in
    inference.

    Args:
        factor: float in ``[-1, 1]`` or pair of floats: the range the blend ``f`` of an image is drawn from (a
            number ``f`` means ``(-f, f)``): 0 keeps the image, 1 gives its grayscale version, negative values
            push colours away from gray.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
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

    >>> RandomColorDegeneration(0.4).factor
    (-0.4, 0.4)
    """

    FACTOR_BOUNDS = (-1, 1)
    RGB_ONLY = True

    def _adjust(self, x, strengths):
        gray = image_ops.rgb_to_grayscale(x, data_format=self.data_format)
        return clip_to_range(x + per_image(strengths) * (gray - x), self.value_range)
