"""``RandomGrayscale``: turn some RGB images to grayscale in training, keeping their channels.

Each image is converted with probability ``factor`` (a number in ``[0, 1]``). The gray value is the luma
``0.2989 R + 0.587 G + 0.114 B`` (Keras 3's ``ops.image.rgb_to_grayscale``), cast back to the input dtype and
written to every channel. Single-channel images are already gray; other channel counts are an error.

Example:
    >>> x = torch.tensor([[[[10.0, 20.0, 30.0]]]])
    >>> RandomGrayscale(1.0)(x, training=True)
    tensor([[[[18.1490, 18.1490, 18.1490]]]])
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import RandomImageLayer, is_number
from kerastorch.serialization.object_registration import register_builtin

LUMA = (0.2989, 0.587, 0.114)


@register_builtin("keras.layers")
class RandomGrayscale(RandomImageLayer):
    """Randomly converts RGB images to grayscale in training; the identity in inference.

    A converted image has its luma in each of its 3 channels (see the module docstring); single-channel
    images pass unchanged.

    Args:
        factor: float in ``[0, 1]``, default 0.5: the probability that an image is converted.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``), with 3 (RGB) or 1 channels.

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]``, a non-int ``seed``, an unknown ``data_format``, inputs
            that are not of rank 3 or 4, or (in training) inputs with another number of channels than 1 or 3.

    Example:

    >>> RandomGrayscale(0.2).get_config()["factor"]
    0.2
    """

    def __init__(
        self, factor: float = 0.5, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not is_number(factor) or not 0 <= factor <= 1:
            raise ValueError(f"{layer_label(self)}: factor must be a number in [0, 1], received factor={factor!r}")
        self.factor = factor

    def _augment(self, images):
        channel_axis = 1 if self.data_format == "channels_first" else 3
        channels = images.shape[channel_axis]
        if channels == 1:
            return images
        if channels != 3:
            raise ValueError(
                f"{layer_label(self)}: expected 3 (RGB) or 1 (grayscale) channels, received inputs of "
                f"shape {tuple(images.shape)}"
            )
        red, green, blue = images.unbind(channel_axis)
        gray = (LUMA[0] * red + LUMA[1] * green + LUMA[2] * blue).to(images.dtype).unsqueeze(channel_axis)
        convert = self._uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, images) < self.factor
        return torch.where(convert, gray, images)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config
