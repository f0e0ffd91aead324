"""``SpatialReshaping``: the rank-generic base of ZeroPadding, Cropping and UpSampling (1-D, 2-D, 3-D).

It is a :class:`~kerastorch.layers.convolutional.base_spatial.SpatialLayer` (data
format, input rank, output shapes from formulas, so unknown sizes stay None) whose
``call`` works on the input as it is laid out: padding and cropping need no
``permute``. The 1-D layers without a ``data_format`` argument in Keras 3
(``Cropping1D``, ``UpSampling1D``) take ``(batch, steps, features)`` and leave it out
of their configs.

:func:`normalize_pairs` reads Keras's padding / cropping arguments: an int (the
same on both sides of every axis), one int per axis (both sides), or one
``(before, after)`` pair per axis; for 1-D, an int or one pair.

Example:
    >>> normalize_pairs(1, 2, "padding", "ZeroPadding2D")
    ((1, 1), (1, 1))
    >>> normalize_pairs((1, (2, 3)), 2, "padding", "ZeroPadding2D")
    ((1, 1), (2, 3))
    >>> normalize_pairs((2, 3), 1, "cropping", "Cropping1D")
    ((2, 3),)
"""

from __future__ import annotations

import numbers
from typing import Any, cast

from kerastorch.layers.convolutional.base_spatial import SpatialLayer


def _non_negative_int(v):
    return isinstance(v, (int, numbers.Integral)) and not isinstance(v, bool) and v >= 0


def _pair(v):
    """``v`` as a ``(before, after)`` pair of non-negative ints, or None."""
    if _non_negative_int(v):
        return int(v), int(v)
    try:
        items = tuple(v)
    except TypeError:
        return None
    return (int(items[0]), int(items[1])) if len(items) == 2 and all(map(_non_negative_int, items)) else None


def normalize_pairs(value: Any, rank: int, name: str, label: str) -> tuple[tuple[int, int], ...]:
    """``rank`` pairs ``(before, after)`` of non-negative ints from a Keras padding/cropping argument."""
    pairs: tuple[tuple[int, int] | None, ...]
    if rank == 1:
        pairs = (_pair(value),)
    elif _non_negative_int(value):
        pairs = ((int(value), int(value)),) * rank
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = ()
        pairs = tuple(_pair(v) for v in items) if len(items) == rank else (None,)
    if None in pairs:
        expected = (
            "an int or a pair (before, after) of non-negative ints"
            if rank == 1
            else f"an int, a tuple of {rank} ints or a tuple of {rank} pairs (before, after) of non-negative ints"
        )
        raise ValueError(f"{label}: {name} must be {expected}, received {name}={value!r}")
    return cast("tuple[tuple[int, int], ...]", pairs)  # no None left


def pairs_config(pairs: tuple[tuple[int, int], ...]) -> tuple[int, int] | tuple[tuple[int, int], ...]:
    """How Keras 3 configs store the pairs: one flat pair for 1-D, a tuple of pairs otherwise."""
    return pairs[0] if len(pairs) == 1 else pairs


class SpatialReshaping(SpatialLayer):
    """Base of the spatial reshaping layers (see the module docstring); subclasses define ``call`` and
    ``_output_spatial``.

    >>> import kerastorch
    >>> class Same2D(SpatialReshaping):
    ...     def __init__(self):
    ...         super().__init__(2, None)
    ...     def call(self, inputs):
    ...         return inputs
    ...     def _output_spatial(self, spatial):
    ...         return tuple(spatial)
    >>> Same2D()(kerastorch.Input((None, 4, 3))).shape
    (None, None, 4, 3)
    """

    def __init__(self, rank: int, data_format: str | None, has_data_format: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_spatial(rank, data_format if has_data_format else "channels_last")
        self._has_data_format = has_data_format
        self._spatial_axes = tuple(range(2, rank + 2)) if self._channels_first else tuple(range(1, rank + 1))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if not self._has_data_format:
            del config["data_format"]
        return config
