"""``ZeroPadding1D/2D/3D``: zeros added before and after the spatial axes.

``padding`` is an int, one int per axis, or one ``(before, after)`` pair per axis
(for 1-D: an int or one pair). The layer is one ``F.pad`` call on the input as laid
out (no ``permute``); the amounts are fixed at construction.

Example:
    >>> import torch
    >>> ZeroPadding1D((1, 2))(torch.ones(1, 2, 1)).flatten().tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.reshaping.base_spatial_reshaping import (
    SpatialReshaping,
    normalize_pairs,
    pairs_config,
)
from kerastorch.serialization.object_registration import register_builtin


class BaseZeroPadding(SpatialReshaping):
    """Zero padding of rank ``rank``; the public layers fix the rank.

    >>> import torch
    >>> BaseZeroPadding(2, ((0, 1), (2, 0)))(torch.ones(1, 2, 2, 3)).shape
    torch.Size([1, 3, 4, 3])
    """

    def __init__(
        self, rank: int, padding: int | Sequence[int | Sequence[int]], data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(rank, data_format, **kwargs)
        self._pairs = normalize_pairs(padding, rank, "padding", layer_label(self))
        self.padding = pairs_config(self._pairs)
        pad = tuple(v for pair in reversed(self._pairs) for v in pair)  # F.pad lists the last axis first
        self._pad = pad if self._channels_first else (0, 0) + pad

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.pad(inputs, self._pad)

    def _output_spatial(self, spatial):
        return tuple(None if n is None else n + a + b for n, (a, b) in zip(spatial, self._pairs))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["padding"] = self.padding
        return config


@register_builtin("keras.layers")
class ZeroPadding1D(BaseZeroPadding):
    """Pads the steps of ``(batch, steps, features)`` (or ``(batch, features, steps)``) with zeros.

    Args:
        padding: int or pair of ints, default 1: the zeros added at the start and at the end of the steps (an
            int adds that many at both).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the features axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        3D tensor ``(batch, steps, features)`` (``"channels_last"``) or ``(batch, features, steps)``
        (``"channels_first"``).

    Output shape:
        3D tensor with ``steps + before + after`` steps, the layout of the input.

    Raises:
        ValueError: for a malformed ``padding``, an unknown ``data_format``, or inputs that are not 3D.

    Example:

    >>> import torch
    >>> ZeroPadding1D(2)(torch.ones(3, 4, 5)).shape
    torch.Size([3, 8, 5])
    """

    def __init__(self, padding: int | Sequence[int] = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(1, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class ZeroPadding2D(BaseZeroPadding):
    """Pads the rows and columns of images with zeros.

    Args:
        padding: int, pair of ints or pair of ``(before, after)`` pairs, default ``(1, 1)``: the zero rows and
            columns added: an int adds that many on all four sides, ``(rows, cols)`` that many on both sides of
            each axis, ``((top, bottom), (left, right))`` each side's own amount.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        4D tensor ``(batch, rows, cols, channels)`` (``"channels_last"``) or ``(batch, channels, rows, cols)``
        (``"channels_first"``).

    Output shape:
        4D tensor ``(batch, rows + top + bottom, cols + left + right, channels)`` (``"channels_last"``) or
        ``(batch, channels, rows + top + bottom, cols + left + right)``.

    Raises:
        ValueError: for a malformed ``padding``, an unknown ``data_format``, or inputs that are not 4D.

    Example:

    >>> import torch
    >>> ZeroPadding2D(((1, 0), (0, 2)))(torch.ones(1, 1, 1, 1))[0, :, :, 0].tolist()
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """

    def __init__(
        self, padding: int | Sequence[int | Sequence[int]] = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(2, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class ZeroPadding3D(BaseZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    Args:
        padding: int, tuple of 3 ints or tuple of 3 ``(before, after)`` pairs, default
            ``((1, 1), (1, 1), (1, 1))``: the zeros added on each side of each spatial axis (an int: the same
            everywhere; one int per axis: the same on both of its sides).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (``"channels_last"``) or
        ``(batch, channels, dim1, dim2, dim3)`` (``"channels_first"``).

    Output shape:
        5D tensor with each spatial size grown by its two paddings, the layout of the input.

    Raises:
        ValueError: for a malformed ``padding``, an unknown ``data_format``, or inputs that are not 5D.

    Example:

    >>> import torch
    >>> ZeroPadding3D((1, 0, 2), data_format="channels_first")(torch.ones(1, 2, 3, 3, 3)).shape
    torch.Size([1, 2, 5, 3, 7])
    """

    def __init__(
        self,
        padding: int | Sequence[int | Sequence[int]] = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(3, padding, data_format, **kwargs)
