"""``RandomRotation``: rotate each image by a random angle about its centre in training.

``factor`` is a fraction of a full turn: a number ``f`` draws angles in ``[-f * 360, f * 360]`` degrees, a
pair ``(lower, upper)`` in ``[lower * 360, upper * 360]`` (both within ``[-1, 1]``). Positive angles rotate
counter-clockwise. The rotation matrices are Keras's; see :mod:`.affine_base` for the sampling.

Example:
    >>> import torch
    >>> x = torch.arange(9.0).reshape(1, 3, 3, 1)
    >>> y = RandomRotation((0.25, 0.25))(x, training=True)   # exactly 90 degrees
    >>> bool(torch.allclose(y[0, ..., 0], torch.rot90(x[0, ..., 0]), atol=1e-5))
    True
"""

from __future__ import annotations

from typing import Any

from kerastorch.backend import image
from kerastorch.layers.preprocessing.affine_base import AffineAugmentation
from kerastorch.layers.preprocessing.base_image_layer import Factor, factor_range
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomRotation(AffineAugmentation):
    """Randomly rotates images in training; the identity in inference.

    Each image turns about its centre by an angle drawn uniformly in the ``factor`` range (in fractions of a
    full turn; positive: counter-clockwise).

    Args:
        factor: float or pair of floats in ``[-1, 1]``: the range of the angle as a fraction of 360 degrees; a
            number ``f`` means ``(-f, f)``, a pair ``(lower, upper)`` is used as given (sorted).
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
        ValueError: for a ``factor`` outside ``[-1, 1]`` or not a number or pair, an unknown ``fill_mode``,
            ``interpolation`` or ``data_format``, a non-int ``seed``, or inputs that are not of rank 3 or 4.

    Example:

    >>> RandomRotation(0.1).get_config()["factor"]
    (-0.1, 0.1)
    """

    def __init__(
        self,
        factor: Factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (-1, 1), clip_low=True)

    def _transforms(self, images, height, width):
        angles = self._uniform((images.shape[0],), self.factor[0] * 360.0, self.factor[1] * 360.0, images)
        return image.rotation_matrix(angles, height, width)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config
