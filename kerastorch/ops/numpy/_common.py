"""Helpers shared by the NumPy-style ops of this package: input conversion, axis and shape arguments.

Example:
    >>> tensor([1, 2]).dtype, tensor([1.0, 2]).dtype, tensor(np.ones(2)).dtype
    (torch.int32, torch.float32, torch.float64)
    >>> normalize_axes((-1, 0), 3, "ops.example")
    (2, 0)
"""

from __future__ import annotations

import operator
from typing import Any, Sequence, SupportsIndex

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.ops.dtypes import result_type, to_tensors

__all__: list[str] = []


def tensor(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """``x`` as a torch tensor: tensors stay as they are (cast to ``dtype`` if given), NumPy arrays keep their
    dtype, Python scalars and lists get Keras's dtype (ints int32, floats floatx); on the default device."""
    if isinstance(x, torch.Tensor):
        return x if dtype is None else x.to(config.torch_dtype(dtype))
    if isinstance(x, (np.ndarray, np.generic)):
        out = torch.as_tensor(x).to(config.default_device())
        return out if dtype is None else out.to(config.torch_dtype(dtype))
    return to_tensors(x, dtype=dtype)[0]


def promote(*xs: TensorLike) -> list[torch.Tensor]:
    """``xs`` as tensors of their common Keras result dtype on one device."""
    return to_tensors(*xs)


def torch_dtype_of(*xs: TensorLike, dtype: DTypeLike = None) -> torch.dtype:
    """The torch dtype ``dtype`` names, else the Keras result type of ``xs``."""
    return config.torch_dtype(dtype if dtype is not None else result_type(*xs))


def device_of(*xs: Any) -> torch.device:
    """The device of the first tensor among ``xs``, else the default device."""
    for x in xs:
        if isinstance(x, torch.Tensor):
            return x.device
    return config.default_device()


def shape_tuple(shape: Any, fn: str) -> tuple[int, ...]:
    """A shape argument (an int, a sequence of ints, a torch.Size) as a tuple of ints."""
    try:
        if isinstance(shape, (list, tuple, torch.Size)):
            return tuple(operator.index(s) for s in shape)
        if isinstance(shape, (torch.Tensor, np.ndarray)) and shape.ndim == 1:
            return tuple(int(s) for s in shape.tolist())
        return (operator.index(shape),)
    except TypeError:
        raise TypeError(f"{fn}: expected a shape (an int or a sequence of ints), received {shape!r}") from None


def normalize_axis(axis: SupportsIndex, ndim: int, fn: str) -> int:
    """An axis in ``[-ndim, ndim)`` as a non-negative int."""
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{fn}: expected an int axis, received {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{fn}: expected an axis in [{-ndim}, {ndim}) for an input of rank {ndim}, received axis={axis}"
        )
    return axis % ndim if ndim else 0


def normalize_axes(axes: SupportsIndex | Sequence[SupportsIndex], ndim: int, fn: str) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple of distinct non-negative axes."""
    given = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    out = tuple(normalize_axis(a, ndim, fn) for a in given)
    if len(set(out)) != len(out):
        raise ValueError(f"{fn}: expected distinct axes, received {given!r}")
    return out


def int_arg(value: Any, name: str, fn: str) -> int:
    """A Python int from an int-like argument (Python/NumPy int or a 0-d integer tensor)."""
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0:
        value = value.item()  # a size argument: the value is needed on the host
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{fn}: expected an int {name}, received {value!r}") from None
