"""``Cropping1D/2D/3D``: entries removed before and after the spatial axes.

``cropping`` is an int, one int per axis, or one ``(before, after)`` pair per axis
(for 1-D: an int or one pair). The result is a slicing view of the input (no copy).
Each axis must keep at least one entry; the check runs once per input shape.

Example:
    >>> import torch
    >>> Cropping1D((1, 2))(torch.arange(5.0).reshape(1, 5, 1)).flatten().tolist()
    [1.0, 2.0]
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.reshaping.base_spatial_reshaping import (
    SpatialReshaping,
    normalize_pairs,
    pairs_config,
)
from kerastorch.serialization.object_registration import register_builtin


class BaseCropping(SpatialReshaping):
    """Cropping of rank ``rank``; the public layers fix the rank.

    >>> import torch
    >>> BaseCropping(2, ((0, 1), (2, 0)))(torch.ones(1, 4, 4, 3)).shape
    torch.Size([1, 3, 2, 3])
    """

    def __init__(
        self,
        rank: int,
        cropping: int | Sequence[int | Sequence[int]],
        data_format: str | None = None,
        has_data_format: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(rank, data_format, has_data_format, **kwargs)
        self._pairs = normalize_pairs(cropping, rank, "cropping", layer_label(self))
        self.cropping = pairs_config(self._pairs)
        everything = slice(None)
        crops = tuple(slice(a, -b if b else None) for a, b in self._pairs)
        self._index = (everything,) * (2 if self._channels_first else 1) + crops
        self._checked_spatial: torch.Size | None = None

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        spatial = inputs.shape[self._spatial_axes[0] : self._spatial_axes[-1] + 1]
        if spatial != self._checked_spatial:
            self._output_spatial(spatial)
            self._checked_spatial = spatial
        return inputs[self._index]

    def _output_spatial(self, spatial):
        out = tuple(None if n is None else n - a - b for n, (a, b) in zip(spatial, self._pairs))
        if any(n is not None and n < 1 for n in out):
            raise ValueError(
                f"{layer_label(self)}: cropping must leave at least one entry on every spatial axis, "
                f"received cropping={self.cropping} for inputs of spatial shape {tuple(spatial)}"
            )
        return out

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


@register_builtin("keras.layers")
class Cropping1D(BaseCropping):
    """Crops the steps of ``(batch, steps, features)``.

    Args:
        cropping: int or pair of ints, default ``(1, 1)``: the steps removed at the start and at the end (an
            int removes that many at both).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        3D tensor ``(batch, steps, features)``.

    Output shape:
        ``(batch, steps - before - after, features)``.

    Raises:
        ValueError: for a malformed ``cropping``, inputs that are not 3D, or a cropping that leaves no step.

    Example:

    >>> import torch
    >>> Cropping1D(1)(torch.ones(2, 5, 3)).shape
    torch.Size([2, 3, 3])
    """

    def __init__(self, cropping: int | Sequence[int] = (1, 1), **kwargs: Any) -> None:
        super().__init__(1, cropping, has_data_format=False, **kwargs)


@register_builtin("keras.layers")
class Cropping2D(BaseCropping):
    """Crops the rows and columns of images.

    Args:
        cropping: int, pair of ints or pair of ``(before, after)`` pairs, default ``((0, 0), (0, 0))``: the rows
            and columns removed: an int removes that many on all four sides, ``(rows, cols)`` that many on both
            sides of each axis, ``((top, bottom), (left, right))`` each side's own amount.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        4D tensor ``(batch, rows, cols, channels)`` (``"channels_last"``) or ``(batch, channels, rows, cols)``
        (``"channels_first"``).

    Output shape:
        4D tensor ``(batch, rows - top - bottom, cols - left - right, channels)`` (``"channels_last"``) or
        ``(batch, channels, rows - top - bottom, cols - left - right)``.

    Raises:
        ValueError: for a malformed ``cropping``, an unknown ``data_format``, inputs that are not 4D, or a
            cropping that leaves no row or no column.

    Example:

    >>> import torch
    >>> Cropping2D(((1, 0), (0, 2)))(torch.arange(12.0).reshape(1, 3, 4, 1))[0, :, :, 0].tolist()
    [[4.0, 5.0], [8.0, 9.0]]
    """

    def __init__(
        self,
        cropping: int | Sequence[int | Sequence[int]] = ((0, 0), (0, 0)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(2, cropping, data_format, **kwargs)


@register_builtin("keras.layers")
class Cropping3D(BaseCropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: int, tuple of 3 ints or tuple of 3 ``(before, after)`` pairs, default
            ``((1, 1), (1, 1), (1, 1))``: the entries removed on each side of each spatial axis (an int: the
            same everywhere; one int per axis: the same on both of its sides).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (``"channels_last"``) or
        ``(batch, channels, dim1, dim2, dim3)`` (``"channels_first"``).

    Output shape:
        5D tensor with each spatial size reduced by its two croppings, the layout of the input.

    Raises:
        ValueError: for a malformed ``cropping``, an unknown ``data_format``, inputs that are not 5D, or a
            cropping that leaves no entry on a spatial axis.

    Example:

    >>> import torch
    >>> Cropping3D((1, 0, 2), data_format="channels_first")(torch.ones(1, 2, 3, 3, 5)).shape
    torch.Size([1, 2, 1, 3, 1])
    """

    def __init__(
        self,
        cropping: int | Sequence[int | Sequence[int]] = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(3, cropping, data_format, **kwargs)
