"""``UpSampling1D/2D/3D``: each spatial axis repeated (or interpolated) ``size`` times.

The input is viewed channels-first (a ``permute``, no copy) and resized by one
``F.interpolate`` call; the result is permuted back. ``"nearest"`` repeats each
entry (torch's ``"nearest-exact"`` mode, which for whole-number factors picks
source ``i // size`` without float round-off). ``UpSampling2D`` also takes
``interpolation="bilinear"`` and ``"bicubic"``: half-pixel centres
(``align_corners=False``) with edge clamping, as Keras 3's torch backend resizes;
Keras's lanczos modes have no torch kernel and are refused.

Example:
    >>> import torch
    >>> UpSampling1D(2)(torch.tensor([[[1.0], [2.0]]])).flatten().tolist()
    [1.0, 1.0, 2.0, 2.0]
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch.backend import conv_utils
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.layers.reshaping.base_spatial_reshaping import SpatialReshaping
from kerastorch.serialization.object_registration import register_builtin

INTERPOLATIONS = {"nearest": "nearest-exact", "bilinear": "bilinear", "bicubic": "bicubic"}
"""Keras's interpolation names and torch's modes for them."""


class BaseUpSampling(SpatialReshaping):
    """Up-sampling of rank ``rank``; the public layers fix the rank.

    >>> import torch
    >>> BaseUpSampling(2, (1, 3))(torch.ones(1, 2, 2, 3)).shape
    torch.Size([1, 2, 6, 3])
    """

    def __init__(
        self,
        rank: int,
        size: int | Sequence[int],
        data_format: str | None = None,
        interpolation: str = "nearest",
        has_data_format: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(rank, data_format, has_data_format, **kwargs)
        label = layer_label(self)
        if rank == 1:
            self.size: int | tuple[int, ...] = positive_int(self, "size", size)
            self._factors: tuple[int, ...] = (self.size,)
        else:
            self.size = self._factors = conv_utils.normalize_tuple(size, rank, "size", label)
        mode = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if mode not in INTERPOLATIONS:
            raise ValueError(
                f"{label}: interpolation must be one of {list(INTERPOLATIONS)} (Keras's lanczos modes "
                f"have no torch kernel), received interpolation={interpolation!r}"
            )
        self.interpolation = mode
        self._mode = INTERPOLATIONS[mode]
        self._align = None if mode == "nearest" else False

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs if self._channels_first else inputs.permute(self._to_first)
        out = tuple(n * s for n, s in zip(x.shape[2:], self._factors))
        y = F.interpolate(x, size=out, mode=self._mode, align_corners=self._align)
        return y if self._channels_first else y.permute(self._to_last)

    def _output_spatial(self, spatial):
        return tuple(None if n is None else n * s for n, s in zip(spatial, self._factors))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["size"] = self.size
        return config


@register_builtin("keras.layers")
class UpSampling1D(BaseUpSampling):
    """Repeats each step of ``(batch, steps, features)`` ``size`` times.

    Args:
        size: int, positive, default 2: how many times each step is repeated.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        3D tensor ``(batch, steps, features)``.

    Output shape:
        3D tensor ``(batch, steps * size, features)``.

    Raises:
        ValueError: for a ``size`` that is not a positive int, or inputs that are not 3D.

    Example:

    >>> import torch
    >>> UpSampling1D(3)(torch.ones(2, 4, 5)).shape
    torch.Size([2, 12, 5])
    """

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(1, size, has_data_format=False, **kwargs)


@register_builtin("keras.layers")
class UpSampling2D(BaseUpSampling):
    """Repeats (``"nearest"``) or interpolates (``"bilinear"``, ``"bicubic"``) rows and columns of images.

    Args:
        size: int or pair of ints, positive, default ``(2, 2)``: the factors of the rows and the columns (an
            int: both).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        interpolation: str, default ``"nearest"``: ``"nearest"`` (repeats each pixel), ``"bilinear"`` or
            ``"bicubic"`` (half-pixel centres, edges clamped); case-insensitive. Keras's ``"lanczos3"`` and
            ``"lanczos5"`` are refused.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        4D tensor ``(batch, rows, cols, channels)`` (``"channels_last"``) or ``(batch, channels, rows, cols)``
        (``"channels_first"``).

    Output shape:
        4D tensor ``(batch, rows * size[0], cols * size[1], channels)`` (``"channels_last"``) or
        ``(batch, channels, rows * size[0], cols * size[1])``.

    Raises:
        ValueError: for a malformed ``size``, an unknown ``data_format`` or ``interpolation``, or inputs that
            are not 4D.

    Example:

    >>> import torch
    >>> UpSampling2D((1, 2))(torch.tensor([[[[1.0], [2.0]]]]))[0, :, :, 0].tolist()
    [[1.0, 1.0, 2.0, 2.0]]
    >>> UpSampling2D((1, 2), interpolation="bilinear")(torch.tensor([[[[1.0], [2.0]]]]))[0, :, :, 0].tolist()
    [[1.0, 1.25, 1.75, 2.0]]
    """

    def __init__(
        self,
        size: int | Sequence[int] = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(2, size, data_format, interpolation, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["interpolation"] = self.interpolation
        return config


@register_builtin("keras.layers")
class UpSampling3D(BaseUpSampling):
    """Repeats each entry of the three spatial axes of volumes.

    Args:
        size: int or tuple of 3 ints, positive, default ``(2, 2, 2)``: the factor of each spatial axis (an
            int: all three).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (``"channels_last"``) or
        ``(batch, channels, dim1, dim2, dim3)`` (``"channels_first"``).

    Output shape:
        5D tensor with each spatial size multiplied by its factor, the layout of the input.

    Raises:
        ValueError: for a malformed ``size``, an unknown ``data_format``, or inputs that are not 5D.

    Example:

    >>> import torch
    >>> UpSampling3D((2, 1, 3), data_format="channels_first")(torch.ones(1, 2, 3, 3, 3)).shape
    torch.Size([1, 2, 6, 3, 9])
    """

    def __init__(self, size: int | Sequence[int] = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, size, data_format, **kwargs)
