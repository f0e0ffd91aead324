"""``RandomTranslation``: shift each image by a random fraction of its size in training.

``height_factor`` / ``width_factor`` are numbers in ``[-1, 1]`` (a shift in ``[-f, f]`` times the side) or
``(lower, upper)`` pairs; positive values shift the content down / right.

Example:
    >>> import torch
    >>> x = torch.arange(4.0).reshape(1, 1, 4, 1)
    >>> RandomTranslation(0, (0.25, 0.25), fill_mode="constant")(x, training=True).flatten().tolist()
    [0.0, 0.0, 1.0, 2.0]
"""

from __future__ import annotations

from typing import Any

from kerastorch.backend import image
from kerastorch.layers.preprocessing.affine_base import AffineAugmentation
from kerastorch.layers.preprocessing.base_image_layer import Factor, factor_range, standard_factor
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomTranslation(AffineAugmentation):
    """Randomly translates images in training; the identity in inference.

    Each image shifts by ``dy * height`` rows and ``dx * width`` columns, ``dy`` and ``dx`` drawn uniformly in
    the factors' ranges (positive: down and right).

    Args:
        height_factor: float or pair of floats in ``[-1, 1]``: the range of the vertical shift as a fraction of
            the height; a number ``f`` means ``(-f, f)``, a pair ``(lower, upper)`` is used as given (sorted).
        width_factor: float or pair of floats in ``[-1, 1]``: the range of the horizontal shift as a fraction
            of the width, as ``height_factor``.
        fill_mode: str, default ``"reflect"``: how points outside the image are filled: ``"reflect"``
            (mirrored about the edge of the last pixel), ``"wrap"`` (from the opposite edge), ``"constant"``
            (``fill_value``) or ``"nearest"`` (the nearest edge pixel).
        interpolation: str, default ``"bilinear"``: ``"bilinear"`` or ``"nearest"``.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        fill_value: float, default 0.0: the value of points outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape (integer images come back as float32).

    Raises:
        ValueError: for a factor outside ``[-1, 1]`` or not a number or pair, an unknown ``fill_mode``,
            ``interpolation`` or ``data_format``, a non-int ``seed``, or inputs that are not of rank 3 or 4.

    Example:

    >>> RandomTranslation(0.1, 0.2).get_config()["width_factor"]
    0.2
    """

    def __init__(
        self,
        height_factor: Factor,
        width_factor: Factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = standard_factor(height_factor)
        self.width_factor = standard_factor(width_factor)
        self.height_lower, self.height_upper = factor_range(self, "height_factor", height_factor, (-1, 1))
        self.width_lower, self.width_upper = factor_range(self, "width_factor", width_factor, (-1, 1))

    def _transforms(self, images, height, width):
        batch = images.shape[0]
        dy = self._uniform((batch,), self.height_lower, self.height_upper, images) * height
        dx = self._uniform((batch,), self.width_lower, self.width_upper, images) * width
        return image.translation_matrix(dx, dy)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
