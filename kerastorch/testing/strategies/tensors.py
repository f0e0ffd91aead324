"""Hypothesis strategies for shapes, float tensors and layer inputs.

Example:
    >>> from hypothesis import given
    >>> @given(tensors((2, 3), low=-1, high=1))
    ... def test(x):
    ...     assert x.shape == (2, 3) and x.dtype == torch.float64 and bool((x.abs() <= 1).all())
    >>> test()
"""

from __future__ import annotations

from typing import Any, Iterable, Literal

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

_NP = {torch.float64: np.float64, torch.float32: np.float32, torch.float16: np.float16}


class IntShape(tuple):
    """The shape of an integer input (token ids, class indices) with entries in ``[0, high)``.

    >>> s = IntShape((2, 3), high=5)
    >>> s, s.high
    ((2, 3), 5)
    """

    high: int

    def __new__(cls, shape: Iterable[int], high: int) -> IntShape:
        self = super().__new__(cls, shape)
        self.high = int(high)
        return self

    def __reduce__(self):
        return IntShape, (tuple(self), self.high)


def is_shape(spec: Any) -> bool:
    """Whether ``spec`` is one shape (a tuple of ints, possibly an :class:`IntShape`) rather than a structure."""
    return isinstance(spec, tuple) and all(isinstance(d, int) for d in spec)


def shapes(
    min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 4, batch: int | None = None
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes; with ``batch`` the first axis is fixed to it (and counts towards the dims)."""
    if batch is None:
        return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    rest = hnp.array_shapes(min_dims=max(min_dims - 1, 0), max_dims=max_dims - 1, min_side=min_side, max_side=max_side)
    return rest.map(lambda s: (batch,) + s)


def tensors(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    dtype: torch.dtype = torch.float64,
    low: float = -2.0,
    high: float = 2.0,
    tiny: float | None = 1e-6,
    **shape_kwargs: Any,
) -> st.SearchStrategy[torch.Tensor]:
    """Torch tensors with finite entries in ``[low, high]``.

    Entries smaller than ``tiny`` in magnitude become exact zeros: zeros are where kinks are (ReLU, absolute
    values, norms) and are kept, while an input such as ``1e-165`` or ``1e-9`` only tests whether finite
    differences can resolve a function that varies on that scale (``x / |x|``), which no float64 step can.

    Args:
        shape: a tuple, a strategy of tuples, or None (drawn with :func:`shapes` and ``shape_kwargs``).
        dtype: torch.float64 (default), float32 or float16.
        low, high: floats, the range of the entries (default ``[-2, 2]``).
        tiny: float, default 1e-6: smaller magnitudes become 0 (when 0 is in the range); 0 or None keeps
            every float.
        **shape_kwargs: passed to :func:`shapes` when ``shape`` is None.

    Returns:
        A hypothesis strategy of tensors.
    """
    if shape is None:
        shape = shapes(**shape_kwargs)
    width: Literal[16, 32, 64] = 16 if dtype == torch.float16 else 32 if dtype == torch.float32 else 64
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=width)
    if tiny and low <= 0 <= high:
        elements = elements.map(lambda v: 0.0 if abs(v) < tiny else v)
    return hnp.arrays(_NP[dtype], shape, elements=elements).map(lambda a: torch.from_numpy(np.array(a)))


def int_tensors(shape: tuple[int, ...], high: int) -> st.SearchStrategy[torch.Tensor]:
    """int64 tensors of ``shape`` with entries in ``[0, high)``."""
    return hnp.arrays(np.int64, shape, elements=st.integers(0, high - 1)).map(torch.from_numpy)


def inputs_for(
    spec: Any, *, dtype: torch.dtype = torch.float64, low: float = -2.0, high: float = 2.0
) -> st.SearchStrategy[Any]:
    """Inputs matching an input spec: a shape gives a tensor (an :class:`IntShape` an int64 tensor), a list
    gives a list and a tuple of specs a tuple (spread as positional arguments by ``check_gradients``).

    >>> from hypothesis import given
    >>> @given(inputs_for(((2, 3), [(2, 4), IntShape((2,), high=3)])))
    ... def test(xs):
    ...     x, (h, i) = xs
    ...     assert x.shape == (2, 3) and h.shape == (2, 4) and i.dtype == torch.int64
    >>> test()
    """
    if isinstance(spec, IntShape):
        return int_tensors(tuple(spec), spec.high)
    if is_shape(spec):
        return tensors(spec, dtype=dtype, low=low, high=high)
    parts = [inputs_for(s, dtype=dtype, low=low, high=high) for s in spec]
    if isinstance(spec, list):
        return st.tuples(*parts).map(list)
    return st.tuples(*parts)
