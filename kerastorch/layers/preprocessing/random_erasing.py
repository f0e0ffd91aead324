"""``RandomErasing``: replace a random box of some images with a constant or with noise, in training.

As in Keras 3.15, each image draws an erasing probability in ``[factor[0], factor[1])`` (a number ``f`` in
``[0, 1]`` means ``(0, f)``) and is erased when a second uniform draw falls below it. The box of an image is
``sqrt(u) * width`` by ``sqrt(v) * height`` pixels, ``u`` and ``v`` drawn in ``[scale[0], scale[1])``, at a uniformly
random position inside the image. It is filled with ``fill_value`` (a number, or one number per channel for
3-channel images) or, with ``fill_value=None``, with normal noise of standard deviation ``value_range[1]``;
the fill is clipped to ``value_range``. The output is float, as in Keras.

Example:
    >>> layer = RandomErasing(factor=(1.0, 1.0), scale=(1.0, 1.0), fill_value=7.0)   # always, the whole image
    >>> layer(torch.zeros(1, 2, 2, 1), training=True).unique().tolist()
    [7.0]
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import clip_to_range, per_image, random_boxes, random_gate
from kerastorch.layers.preprocessing.base_image_layer import (
    Factor,
    ValueRange,
    factor_range,
    is_number,
    standard_factor,
)
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomErasing(ValueRangeAugmentation):
    """Randomly erases a box of each image in training (Random Erasing, Zhong et al. 2017); the identity in
    inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range the erasing probability of an
            image is drawn from (a number ``f`` means ``(0, f)``; ``(1, 1)`` erases every image, 0 none).
        scale: float or pair of floats in ``[0, 1]``, default ``(0.02, 0.33)``: the range of ``u`` and ``v``, the
            squares of the box's width and height as fractions of the image's (a number ``s`` means ``(0, s)``).
        fill_value: None (default), a number, or a list of 3 numbers (one per channel): what the box is
            filled with; None fills it with normal noise of standard deviation ``value_range[1]``. Clipped to
            ``value_range``.
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` or ``scale`` outside ``[0, 1]``, a ``fill_value`` that is neither None, a number
            nor 3 numbers (or 3 numbers for images without 3 channels), a ``value_range`` that is not a pair of numbers,
            a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank 3 or 4.

    >>> layer = RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=1.0, seed=0)
    >>> int(layer(torch.zeros(2, 4, 4, 1), training=True).sum())   # a 2x2 box in each image
    8
    """

    def __init__(
        self,
        factor: Factor = 1.0,
        scale: Factor = (0.02, 0.33),
        fill_value: float | tuple[float, ...] | list[float] | None = None,
        value_range: ValueRange = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        self.scale = factor_range(self, "scale", scale, (0, 1), clip_low=True)
        if not (
            fill_value is None
            or is_number(fill_value)
            or (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3 and all(map(is_number, fill_value)))
        ):
            raise ValueError(
                f"{layer_label(self)}: fill_value must be None, a number or a list of 3 numbers, received "
                f"fill_value={fill_value!r}"
            )
        self.fill_value = standard_factor(fill_value)

    def _fill(self, x):
        if self.fill_value is None:
            fill = krandom.normal(x.shape, dtype=x.dtype, seed=self.seed_generator, device=x.device)
            return clip_to_range(fill * self.value_range[1], self.value_range)
        fill = torch.tensor(self.fill_value, dtype=x.dtype, device=x.device)
        if fill.dim():
            axis = self._channel_axis(4)
            if x.shape[axis] != 3:
                raise ValueError(
                    f"{layer_label(self)}: a fill_value per channel needs 3 channels, received inputs of "
                    f"shape {tuple(x.shape)}"
                )
            fill = fill.reshape([3 if a == axis else 1 for a in range(4)])
        return clip_to_range(fill, self.value_range)

    def _augment(self, images):
        x = self._float(images)
        h_axis, w_axis = self._hw_axes(4)
        ratios = torch.sqrt(self._uniform((2, x.shape[0]), self.scale[0], self.scale[1], x))
        boxes, _ = random_boxes(self, ratios[0], ratios[1], x.shape[h_axis], x.shape[w_axis], x)
        erase = boxes.unsqueeze(self._channel_axis(4)) & per_image(random_gate(self, self.factor, x.shape[0], x))
        return torch.where(erase, self._fill(x), x)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "fill_value": self.fill_value})
        return config
