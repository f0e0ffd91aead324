"""``RandomFlip``: flip each image horizontally and/or vertically with probability 1/2 in training.

As in Keras 3, one draw per image decides: in ``"horizontal_and_vertical"`` mode a drawn image is flipped
along both axes (a 180-degree rotation), otherwise it is left unchanged. The flip is one ``torch.flip`` of the
batch and one ``torch.where`` with the per-image draws.

Example:
    >>> x = torch.arange(4.0).reshape(1, 1, 4, 1)
    >>> y = RandomFlip("horizontal", seed=3)(x, training=True)
    >>> y.flatten().tolist() in ([0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0])
    True
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.base_image_layer import RandomImageLayer, check_choice
from kerastorch.serialization.object_registration import register_builtin

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@register_builtin("keras.layers")
class RandomFlip(RandomImageLayer):
    """Randomly flips images in training; the identity in inference.

    Each image is flipped with probability 1/2 (one draw per image, also in the combined mode).

    Args:
        mode: str, default ``"horizontal_and_vertical"``: ``"horizontal"`` (left-right), ``"vertical"``
            (up-down) or ``"horizontal_and_vertical"`` (both at once).
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
        ValueError: for an unknown ``mode`` or ``data_format``, a non-int ``seed``, or inputs that are not of
            rank 3 or 4.

    Example:

    >>> RandomFlip()(torch.ones(2, 3, 3, 1)).shape
    torch.Size([2, 3, 3, 1])
    """

    def __init__(
        self,
        mode: str = "horizontal_and_vertical",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = check_choice(self, "mode", mode, MODES)

    def _augment(self, images):
        h_axis, w_axis = self._hw_axes(4)
        dims = {"horizontal": (w_axis,), "vertical": (h_axis,), "horizontal_and_vertical": (h_axis, w_axis)}
        flips = self._uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, images) <= 0.5
        return torch.where(flips, torch.flip(images, dims[self.mode]), images)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["mode"] = self.mode
        return config
