"""``RandomGaussianBlur``: blur some images with a Gaussian of random width, in training.

As in Keras 3.15, each image draws a blurring probability in ``[factor[0], factor[1])`` (a number ``f`` in
``[0, 1]`` means ``(0, f)``) and is blurred when a second uniform draw falls below it; the blur is a
``kernel_size`` Gaussian (zero "same" padding, separable, normalized) with standard deviations
``(sigma_x, sigma_y)`` drawn in ``[sigma[0], sigma[1])``, plus ``1e-6``. The output, blurred or not, is clipped to
``value_range`` and is float. Keras 3.15 draws one ``(sigma_x, sigma_y)`` per batch although it documents one
per image; kerastorch draws them per image, as documented. With ``sigma=(s, s)`` the blur is deterministic
and equals Keras's.

Example:
    >>> x = torch.zeros(1, 3, 3, 1)
    >>> x[0, 1, 1, 0] = 1.0
    >>> y = RandomGaussianBlur(factor=(1.0, 1.0), sigma=(1.0, 1.0), value_range=(0, 1))(x, training=True)
    >>> y[0, :, :, 0]
    tensor([[0.0751, 0.1238, 0.0751],
            [0.1238, 0.2042, 0.1238],
            [0.0751, 0.1238, 0.0751]])
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.backend.image import filter_images, gaussian_kernels
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import clip_to_range, per_image, random_gate
from kerastorch.layers.preprocessing.base_image_layer import Factor, ValueRange, factor_range, is_number
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation
from kerastorch.serialization.object_registration import register_builtin


def _odd_sizes(layer, kernel_size):
    sizes = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    if len(sizes) != 2 or not all(
        isinstance(k, numbers.Integral) and not isinstance(k, bool) and k > 0 and k % 2 == 1 for k in sizes
    ):
        raise ValueError(
            f"{layer_label(layer)}: kernel_size must be a positive odd int or a pair of them, received "
            f"kernel_size={kernel_size!r}"
        )
    return tuple(int(k) for k in sizes)


def _sigma_range(layer, sigma):
    """Keras's bounds: a number in ``[0, 1]`` (meaning ``(0, sigma)``), or a pair with its lower end at most 1."""
    if isinstance(sigma, (tuple, list)) and len(sigma) == 2 and all(map(is_number, sigma)):
        lower, upper = sorted(sigma)
        if 0 <= lower <= 1:
            return lower, upper
    elif is_number(sigma) and 0 <= sigma <= 1:
        return 0, sigma
    raise ValueError(
        f"{layer_label(layer)}: sigma must be a number in [0, 1] or a pair (lower, upper) of non-negative "
        f"numbers with lower <= 1, received sigma={sigma!r}"
    )


@register_builtin("keras.layers")
class RandomGaussianBlur(ValueRangeAugmentation):
    """Randomly blurs images with a Gaussian kernel in training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range the blurring probability of an
            image is drawn from (a number ``f`` means ``(0, f)``; 0 never blurs, ``(1, 1)`` always does).
        kernel_size: odd int or pair of odd ints ``(height, width)``, default 3: the size of the kernel.
        sigma: float in ``[0, 1]`` or pair of floats, default 1.0: the range the kernel's standard deviations
            (one along each axis, per image) are drawn from (a number ``s`` means ``(0, s)``).
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]``, a ``kernel_size`` that is not a positive odd int or pair of
            them, a ``sigma`` out of bounds, a ``value_range`` that is not a pair of numbers, a non-int ``seed``, an
            unknown ``data_format``, or inputs that are not of rank 3 or 4.

    >>> RandomGaussianBlur(0.5, kernel_size=5, sigma=(0.5, 2.0)).get_config()["kernel_size"]
    (5, 5)
    """

    def __init__(
        self,
        factor: Factor = 1.0,
        kernel_size: int | tuple[int, int] | list[int] = 3,
        sigma: Factor = 1.0,
        value_range: ValueRange = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        self.kernel_size = _odd_sizes(self, kernel_size)
        self.sigma = _sigma_range(self, sigma)

    def _augment(self, images):
        x = self._float(images)
        batch = x.shape[0]
        sigmas = self._uniform((2, batch), self.sigma[0], self.sigma[1], x).to(x.dtype) + 1e-6
        rows = gaussian_kernels(sigmas[1], self.kernel_size[0])
        cols = gaussian_kernels(sigmas[0], self.kernel_size[1])
        blurred = filter_images(x, rows[:, :, None] * cols[:, None, :], self.data_format)
        blur = per_image(random_gate(self, self.factor, batch, x))
        return clip_to_range(torch.where(blur, blurred, x), self.value_range)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma})
        return config
