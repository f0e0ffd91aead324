"""``RandomShear``: shear each image along x and y by random factors in training.

Each image draws ``sx`` in ``x_factor``'s range and ``sy`` in ``y_factor``'s, and one random sign for both
(as in Keras 3); output pixel ``(x, y)`` shows the input at ``(x + sx * y, sy * x + y)`` (the shear is about
the top-left corner, as in Keras). A factor is a number ``f`` in ``[0, 1]`` (range ``(-f, f)``) or a pair in
``[0, 1]``; the ``(-f, f)`` pair that Keras 3 writes in its configs for a number is also accepted, so those
configs load (Keras 3.15 refuses them itself). See :mod:`.affine_base` for the sampling and fill modes.

Example:
    >>> x = torch.arange(9.0).reshape(1, 3, 3, 1)
    >>> y = RandomShear(y_factor=(1.0, 1.0), fill_mode="constant", interpolation="nearest")(x, training=True)
    >>> y[0, :, :, 0].tolist() in ([[0.0, 4.0, 8.0], [3.0, 7.0, 0.0], [6.0, 0.0, 0.0]],
    ...                            [[0.0, 0.0, 0.0], [3.0, 1.0, 0.0], [6.0, 4.0, 2.0]])
    True
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.affine_base import AffineAugmentation
from kerastorch.layers.preprocessing.base_image_layer import Factor, factor_range, is_number, standard_factor
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomShear(AffineAugmentation):
    """Randomly shears images in training; the identity in inference.

    Each image draws a shear along x and one along y in their factors' ranges, with one random sign for both
    (see the module docstring).

    Args:
        x_factor: float or pair of floats in ``[0, 1]``, default 0.0: the range of the horizontal shear; a
            number ``f`` means ``(-f, f)``; Keras's ``(-f, f)`` config form is accepted.
        y_factor: float or pair of floats in ``[0, 1]``, default 0.0: the range of the vertical shear, as
            ``x_factor``.
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        fill_mode: str, default ``"reflect"``: how points outside the image are filled: ``"reflect"``
            (mirrored about the edge of the last pixel), ``"wrap"`` (from the opposite edge), ``"constant"``
            (``fill_value``) or ``"nearest"`` (the nearest edge pixel).
        fill_value: float, default 0.0: the value of points outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape (integer images come back as float32).

    Raises:
        ValueError: for a factor outside ``[0, 1]`` or not a number or pair, an unknown ``fill_mode``, ``interpolation``
            or ``data_format``, a non-int ``seed``, or inputs that are not of rank 3 or 4.

    Example:

    >>> layer = RandomShear(0.3, (0.1, 0.2))
    >>> layer.x_range, layer.y_range
    ((-0.3, 0.3), (0.1, 0.2))
    """

    def __init__(
        self,
        x_factor: Factor = 0.0,
        y_factor: Factor = 0.0,
        interpolation: str = "bilinear",
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor, self.x_range = self._shear_range("x_factor", x_factor)
        self.y_factor, self.y_range = self._shear_range("y_factor", y_factor)

    def _shear_range(self, name, factor):
        """The factor as configs store it (a number, or a pair in [0, 1]) and its ``(lower, upper)`` range."""
        if (
            isinstance(factor, (tuple, list))
            and len(factor) == 2
            and all(map(is_number, factor))
            and factor[0] == -factor[1]
        ):
            factor = abs(factor[1])  # Keras's own config for the number f
        return standard_factor(factor), factor_range(self, name, factor, (0, 1))

    def _transforms(self, images, height, width):
        batch = images.shape[0]
        draws = self._uniform((3, batch), 0.0, 1.0, images)
        sign = 1.0 - 2.0 * (draws[0] > 0.5).to(draws.dtype)
        shear_x = (self.x_range[0] + (self.x_range[1] - self.x_range[0]) * draws[1]) * sign
        shear_y = (self.y_range[0] + (self.y_range[1] - self.y_range[0]) * draws[2]) * sign
        ones, zeros = torch.ones_like(shear_x), torch.zeros_like(shear_x)
        return torch.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], 1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return config
