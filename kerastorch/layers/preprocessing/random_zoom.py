"""``RandomZoom``: zoom each image in or out about its centre by a random factor in training.

``height_factor`` (and ``width_factor``, which defaults to zooming both sides alike) are numbers in
``(-1, 1]`` or ``(lower, upper)`` pairs: each image samples a zoom ``z`` in ``[1 + lower, 1 + upper]``, and
the output pixel ``p`` shows the input at ``centre + z * (p - centre)``, so a positive factor zooms *out*
(as in Keras 3) and a negative one zooms in.

Example:
    >>> import torch
    >>> RandomZoom((-0.5, -0.5), seed=0)(torch.ones(2, 4, 4, 1), training=True).shape
    torch.Size([2, 4, 4, 1])
"""

from __future__ import annotations

from typing import Any

from kerastorch.backend import image
from kerastorch.layers.preprocessing.affine_base import AffineAugmentation
from kerastorch.layers.preprocessing.base_image_layer import Factor, factor_range, standard_factor
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomZoom(AffineAugmentation):
    """Randomly zooms images in training; the identity in inference.

    Each image draws a zoom ``z`` in ``[1 + lower, 1 + upper]`` per axis; positive factors zoom out, negative
    ones zoom in (see the module docstring).

    Args:
        height_factor: float or pair of floats in ``(-1, 1]``: the range of the vertical zoom; a number ``f``
            means ``(-f, f)``, a pair ``(lower, upper)`` is used as given (sorted).
        width_factor: float, pair of floats in ``(-1, 1]`` or None, default None: the range of the horizontal
            zoom, as ``height_factor``; None uses the vertical zoom drawn for the image (the aspect ratio is
            kept).
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
        ValueError: for a factor outside ``(-1, 1]`` or not a number or pair, an unknown ``fill_mode``,
            ``interpolation`` or ``data_format``, a non-int ``seed``, or inputs that are not of rank 3 or 4.

    Example:

    >>> layer = RandomZoom(0.2, width_factor=(-0.1, 0.3))
    >>> (layer.height_lower, layer.height_upper, layer.width_lower, layer.width_upper)
    (-0.2, 0.2, -0.1, 0.3)
    """

    def __init__(
        self,
        height_factor: Factor,
        width_factor: Factor | None = None,
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
        self.height_lower, self.height_upper = factor_range(
            self, "height_factor", height_factor, (-1, 1), open_low=True
        )
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_range(
                self, "width_factor", width_factor, (-1, 1), open_low=True
            )

    def _transforms(self, images, height, width):
        batch = images.shape[0]
        height_zoom = self._uniform((batch,), 1.0 + self.height_lower, 1.0 + self.height_upper, images)
        width_zoom = (
            height_zoom
            if self.width_factor is None
            else self._uniform((batch,), 1.0 + self.width_lower, 1.0 + self.width_upper, images)
        )
        return image.zoom_matrix(width_zoom, height_zoom, height, width)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
