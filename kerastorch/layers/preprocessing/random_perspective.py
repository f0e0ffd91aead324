"""``RandomPerspective``: warp some images by a random perspective (a homography), in training.

As in Keras 3.15, each image draws a probability in ``[factor[0], factor[1])`` (a number ``f`` in ``[0, 1]``
means ``(0, f)``) and is warped when a second uniform draw falls below it. A warped image of ``height`` by
``width`` pixels moves its corners ``p`` (``(0, 0)``, ``(width - 1, 0)``, ``(0, height - 1)`` and
``(width - 1, height - 1)``, as ``(x, y)``) to ``p * (1 + d)``, each coordinate with its own ``d`` drawn in
``[-scale / 2, scale / 2)``; the output is the input seen through the homography that maps the moved corners
back onto the original ones (so the top-left corner, at the origin, never moves, as in Keras). Points outside
the image read ``fill_value``; ``interpolation`` is ``"bilinear"`` or ``"nearest"``. ``scale=0`` (or ``factor=0``)
keeps the images, and so do images one pixel high or wide (whose corners coincide). The output is float. The homographies are solved in float64 (Keras: the compute dtype).
Bounding boxes and segmentation masks are not supported (inputs are images).

Example:
    >>> x = torch.arange(12.0).reshape(1, 3, 4, 1)
    >>> bool(torch.equal(RandomPerspective(scale=0.0)(x, training=True), x))
    True
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.backend.annotations import DeviceLike
from kerastorch.backend.image import AFFINE_INTERPOLATIONS, homographies, warp_perspective
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import per_image, random_gate
from kerastorch.layers.preprocessing.base_image_layer import Factor, RandomImageLayer, check_choice, factor_range
from kerastorch.serialization.object_registration import register_builtin


def corner_points(
    batch: int, height: int, width: int, dtype: torch.dtype = torch.float32, device: DeviceLike = None
) -> torch.Tensor:
    """The corners of ``height`` by ``width`` images as ``(x, y)`` points, in Keras's order (top-left,
    top-right, bottom-left, bottom-right), for a batch.

    Args:
        batch: int, the number of images.
        height: int, the image height in pixels.
        width: int, the image width in pixels.
        dtype: torch dtype, default float32, the dtype of the points.
        device: torch device or None, default None (the CPU), where the points are made.

    Returns:
        Tensor of shape ``(batch, 4, 2)``.

    >>> corner_points(1, 3, 5).tolist()
    [[[0.0, 0.0], [4.0, 0.0], [0.0, 2.0], [4.0, 2.0]]]
    """
    corners = torch.tensor(
        [[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]], dtype=dtype, device=device
    )
    return corners.expand(batch, 4, 2)


@register_builtin("keras.layers")
class RandomPerspective(RandomImageLayer):
    """Randomly warps the perspective of images (moving their corners) in training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range the warping probability of an
            image is drawn from (a number ``f`` means ``(0, f)``; 0 never warps, ``(1, 1)`` always does).
        scale: float in ``[0, 1]``, default 1.0: how far the corners move: each corner coordinate ``c`` becomes
            ``c * (1 + d)`` with ``d`` drawn in ``[-scale / 2, scale / 2)``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_value: float, default 0.0: the value of the output pixels that fall outside the input.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` or ``scale`` outside ``[0, 1]``, or an unknown ``interpolation``.

    >>> layer = RandomPerspective(factor=0.5, scale=0.2, seed=3)
    >>> layer.factor, layer(torch.rand(2, 8, 8, 3), training=True).shape
    ((0, 0.5), torch.Size([2, 8, 8, 3]))
    """

    def __init__(
        self,
        factor: Factor = 1.0,
        scale: float = 1.0,
        interpolation: str = "bilinear",
        fill_value: float = 0.0,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        # (float listed for mypy, which does not see float as a numbers.Real)
        if isinstance(scale, bool) or not isinstance(scale, (float, numbers.Real)) or not 0 <= scale <= 1:
            raise ValueError(f"{layer_label(self)}: scale must be a number in [0, 1], received scale={scale!r}")
        self.scale = scale
        self.interpolation = check_choice(self, "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self.fill_value = fill_value

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        height_axis, width_axis = self._hw_axes(4)
        batch, height, width = x.shape[0], x.shape[height_axis], x.shape[width_axis]
        if height < 2 or width < 2:  # the corners coincide: no perspective to change
            return x
        warp = random_gate(self, self.factor, batch, x)
        shifts = self._uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale, x)
        start = corner_points(batch, height, width, shifts.dtype, x.device)
        transforms = homographies(start, start + start * shifts)
        warped = warp_perspective(x, transforms, self.interpolation, self.fill_value, self.data_format)
        return torch.where(per_image(warp), warped, x)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "scale": self.scale,
                "interpolation": self.interpolation,
                "fill_value": self.fill_value,
            }
        )
        return config
