"""``AffineAugmentation``: the base of RandomRotation, RandomZoom and RandomTranslation.

A subclass draws one ``(batch, 8)`` Keras transform matrix per call (``_transforms``); the base applies it
with one batched :func:`kerastorch.backend.image.affine_transform` (fill modes reflect/wrap/constant/nearest,
interpolation bilinear/nearest), so the output equals Keras's ``ops.image.affine_transform`` for the same
matrices. Gradients flow to the images.

Example:
    >>> import torch
    >>> from kerastorch.layers.preprocessing import RandomRotation
    >>> RandomRotation(0.1, seed=0)(torch.ones(2, 4, 4, 1), training=True).shape
    torch.Size([2, 4, 4, 1])
"""

from __future__ import annotations

from typing import Any

from kerastorch.backend import image
from kerastorch.layers.preprocessing.base_image_layer import RandomImageLayer, check_choice

FILL_MODES = ("reflect", "wrap", "constant", "nearest")


class AffineAugmentation(RandomImageLayer):
    """Random per-image affine transforms with Keras's fill modes and interpolations."""

    def __init__(
        self,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.fill_mode = check_choice(self, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice(self, "interpolation", interpolation, image.AFFINE_INTERPOLATIONS)
        self.fill_value = fill_value

    def _augment(self, images):
        height_axis, width_axis = self._hw_axes(4)
        height, width = images.shape[height_axis], images.shape[width_axis]
        transforms = self._transforms(images, height, width)
        x = images if images.is_floating_point() else images.float()
        return image.affine_transform(
            x, transforms, self.interpolation, self.fill_mode, self.fill_value, self.data_format
        )

    def _transforms(self, images, height, width):
        """``(batch, 8)`` transform matrices for this call."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value, "interpolation": self.interpolation})
        return config
