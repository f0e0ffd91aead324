"""``Resizing``: resize images to a fixed ``(height, width)``, optionally cropping or padding to its aspect ratio.

Numerics are those of Keras 3's torch backend (``F.interpolate``, ``align_corners=False``; nearest is torch's
``"nearest-exact"``), see :mod:`kerastorch.backend.image`. Integer images are resized in float32 and rounded
back to their dtype with saturation, as Keras does.

Example:
    >>> Resizing(2, 3)(torch.ones(1, 4, 4, 3)).shape
    torch.Size([1, 2, 3, 3])
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend import image
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.layers.preprocessing.base_image_layer import ImageLayer, check_choice
from kerastorch.serialization.object_registration import register_builtin


class SizedImageLayer(ImageLayer):
    """An image layer whose outputs have a fixed ``(height, width)``."""

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = positive_int(self, "height", height)
        self.width = positive_int(self, "width", width)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = list(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{layer_label(self)}: expected images of rank 3 or 4, received shape {tuple(input_shape)}"
            )
        h, w = self._hw_axes(len(shape))
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def compute_output_spec(self, inputs: KerasTensor, *args: Any, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def _resize(self, inputs, interpolation="bilinear", antialias=False, crop=False, pad=False, fill_value=0.0):
        self._check_rank(inputs)
        x = inputs if inputs.is_floating_point() else inputs.to(torch.float32)
        out = image.resize(
            x, (self.height, self.width), interpolation, antialias, crop, pad, fill_value, self.data_format
        )
        if inputs.is_floating_point():
            return out
        info = torch.iinfo(inputs.dtype)
        return out.round().clamp(info.min, info.max).to(inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


@register_builtin("keras.layers")
class Resizing(SizedImageLayer):
    """Resizes images (rank 3 or 4) to ``(height, width)`` with ``interpolation`` bilinear, nearest or bicubic.

    ``crop_to_aspect_ratio`` first takes the largest centred crop with the target aspect ratio;
    ``pad_to_aspect_ratio`` pads evenly with ``fill_value`` instead.

    Args:
        height: int, positive: the output's height.
        width: int, positive: the output's width.
        interpolation: str, default ``"bilinear"``: ``"bilinear"``, ``"nearest"`` or ``"bicubic"``.
        crop_to_aspect_ratio: bool, default False: crop (centred) to the target aspect ratio before resizing,
            so the image is not distorted.
        pad_to_aspect_ratio: bool, default False: pad (evenly on both sides) to the target aspect ratio before
            resizing, so the image is not distorted.
        fill_mode: str, default ``"constant"``: how padding is filled; only ``"constant"`` is accepted.
        fill_value: float, default 0.0: the value of the padding of ``pad_to_aspect_ratio``.
        antialias: bool, default False: an antialiasing filter when down-sampling (bilinear and bicubic only).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape with ``height`` and ``width`` replaced by the targets.

    Raises:
        ValueError: for a ``height``/``width`` that is not a positive int, an unknown ``interpolation``,
            ``fill_mode`` or ``data_format``, both ``crop_to_aspect_ratio`` and ``pad_to_aspect_ratio``, or
            inputs that are not of rank 3 or 4.

    Example:

    >>> Resizing(2, 2, interpolation="nearest")(torch.arange(16.0).reshape(4, 4, 1))[..., 0]
    tensor([[ 5.,  7.],
            [13., 15.]])
    """

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(height, width, data_format=data_format, **kwargs)
        self.interpolation = check_choice(self, "interpolation", interpolation, tuple(image.RESIZE_MODES))
        self.fill_mode = check_choice(self, "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"{layer_label(self)}: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True"
            )
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._resize(
            inputs,
            self.interpolation,
            self.antialias,
            self.crop_to_aspect_ratio,
            self.pad_to_aspect_ratio,
            self.fill_value,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "antialias": self.antialias,
            }
        )
        return config
