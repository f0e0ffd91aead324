"""``RandomElasticTransform``: distort some images by a smooth random displacement field, in training.

As in Keras 3.15, each image draws a probability in ``[factor[0], factor[1])`` (a number ``f`` in ``[0, 1]``
means ``(0, f)``) and is distorted when a second uniform draw falls below it. One strength ``s`` per call is
drawn in ``[scale[0], scale[1])`` (a number ``s`` in ``[0, 1]`` means ``(0, s)``); for ``height`` by ``width``
images it gives ``alpha = 0.1 * s * max(height, width)`` and ``sigma = 0.05 * s * min(height, width)``. Each
image draws two fields of normal noise of standard deviation ``sigma``, smooths them with a Gaussian of standard
deviation ``sigma`` (``int(6 * sigma) | 1`` taps, zero padding) and the output pixel ``(x, y)`` reads the input
at ``(x + alpha * dx, y + alpha * dy)``, sampled with ``interpolation`` and ``fill_mode`` (points outside the
image), as Keras's ``elastic_transform``. The output, distorted or not, is clipped to ``value_range`` and is
float; with ``scale`` or ``factor`` at 0 the layer keeps its inputs (as float, not clipped), as Keras does.

Deliberate differences from Keras 3.15: the noise comes from the layer's seed (Keras's torch backend draws it
from torch's global generator, ignoring the seed), and the strength ``s`` is drawn on the CPU so that the
kernel size is known without waiting for the device. Bounding boxes and segmentation masks are not supported
(inputs are images).

Example:
    >>> x = torch.rand(2, 6, 6, 1) * 255
    >>> bool(torch.equal(RandomElasticTransform(scale=0.0)(x, training=True), x))
    True
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.backend.image import AFFINE_FILL_MODES, AFFINE_INTERPOLATIONS, elastic_warp
from kerastorch.layers.preprocessing.augmentation_utils import clip_to_range, per_image, random_gate
from kerastorch.layers.preprocessing.base_image_layer import Factor, ValueRange, check_choice, factor_range
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomElasticTransform(ValueRangeAugmentation):
    """Randomly distorts images by elastic deformations in training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range the distortion probability of an
            image is drawn from (a number ``f`` means ``(0, f)``; 0 never distorts, ``(1, 1)`` always does).
        scale: float or pair of floats in ``[0, 1]``, default 1.0: the range the strength of a call is drawn
            from (a number ``s`` means ``(0, s)``); see the module docstring for how it sets the displacements.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: one of ``"reflect"`` (default, ``dcba|abcd|dcba``), ``"mirror"`` (``dcb|abcd|cba``), ``"wrap"``
            (``abcd|abcd``), ``"nearest"`` (``aaaa|abcd|dddd``) and ``"constant"`` (``fill_value``): how points
            outside the image are read.
        fill_value: float, default 0.0: the value outside the image with ``fill_mode="constant"``.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` or ``scale`` outside ``[0, 1]``, or an unknown ``interpolation`` or
            ``fill_mode``.

    >>> layer = RandomElasticTransform(scale=0.5, fill_mode="nearest", seed=1)
    >>> layer.scale, layer(torch.rand(2, 16, 16, 3) * 255, training=True).shape
    ((0, 0.5), torch.Size([2, 16, 16, 3]))
    """

    def __init__(
        self,
        factor: Factor = 1.0,
        scale: Factor = 1.0,
        interpolation: str = "bilinear",
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        self.scale = factor_range(self, "scale", scale, (0, 1), clip_low=True)
        self.interpolation = check_choice(self, "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self.fill_mode = check_choice(self, "fill_mode", fill_mode, AFFINE_FILL_MODES)
        self.fill_value = fill_value

    def _augment(self, images):
        x = self._float(images)
        if self.scale[1] == 0 or self.factor[1] == 0:
            return x
        height_axis, width_axis = self._hw_axes(4)
        batch, height, width = x.shape[0], x.shape[height_axis], x.shape[width_axis]
        dtype = "float64" if x.dtype == torch.float64 else "float32"
        noise = torch.stack(
            [
                krandom.normal((batch, height, width), dtype=dtype, seed=self.seed_generator, device=x.device)
                for _ in "xy"
            ],
            1,
        )  # dx then dy, as Keras draws them
        distort = random_gate(self, self.factor, batch, x)
        strength = float(krandom.uniform((), self.scale[0], self.scale[1], seed=self.seed_generator, device="cpu"))
        alpha, sigma = 0.1 * strength * max(height, width), 0.05 * strength * min(height, width)
        distorted = elastic_warp(
            x, noise, alpha, sigma, self.interpolation, self.fill_mode, self.fill_value, self.data_format
        )
        return clip_to_range(torch.where(per_image(distort), distorted, x), self.value_range)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "scale": self.scale,
                "interpolation": self.interpolation,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
            }
        )
        return config
