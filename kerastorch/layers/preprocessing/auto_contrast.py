"""``AutoContrast``: stretch each channel of each image to the full ``value_range``, in training and inference.

As in Keras 3.15: pixels are mapped from ``value_range`` to ``[0, 255]``, each channel of each image is
stretched linearly so that its minimum becomes 0 and its maximum 255, clipped to ``[0, 255]`` and mapped back.
A constant channel (and one containing NaN) is left as it is. The output is float. Keras 3.15 takes the
minimum and maximum over axes 1 and 2 whatever the data format, so that channels-first batches are stretched
per column instead of per channel; kerastorch uses the spatial axes of ``data_format``.

Example:
    >>> x = torch.tensor([[[[50.0], [100.0]], [[150.0], [100.0]]]])
    >>> AutoContrast()(x)[0, :, :, 0]
    tensor([[  0.0000, 127.5000],
            [255.0000, 127.5000]])
"""

import torch

from kerastorch.layers.preprocessing.augmentation_utils import ValueRangeLayer, transform_range
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class AutoContrast(ValueRangeLayer):
    """Stretches the pixel values of each channel of each image across ``value_range``; applied in training
    and in inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values, and of the output.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``value_range`` that is not a pair of numbers, an unknown ``data_format``, or inputs that are
            not of rank 3 or 4.

    >>> AutoContrast(value_range=(0, 1))(torch.tensor([[[0.2], [0.6]]])).flatten().tolist()
    [0.0, 1.0]
    """

    def _transform(self, images):
        x = self._float(images)
        y = transform_range(x, self.value_range, (0, 255))
        spatial = self._hw_axes(4)
        low, high = y.amin(dim=spatial, keepdim=True), y.amax(dim=spatial, keepdim=True)
        stretch = high > low
        scale = 255.0 / torch.where(stretch, high - low, 1.0)
        stretched = transform_range(torch.clamp(y * scale + -low * scale, 0.0, 255.0), (0, 255), self.value_range)
        return torch.where(stretch, stretched, x)
