"""Keras 3's dtype promotion for ``keras.ops``: ``result_type``, ``standardize_dtype`` and ``to_tensors``.

Promotion is :func:`kerastorch.backend.dtypes.result_type` (Keras 3's lattice, Python scalars weak; see that
module), re-exported here for the ops.

    >>> result_type("int8", "uint8")
    'int16'
    >>> result_type(torch.ones(2, dtype=torch.int8), 3)
    'int8'
    >>> a, b = to_tensors(torch.ones(2, dtype=torch.int32), 0.5)
    >>> a.dtype, b.dtype
    (torch.float32, torch.float32)
"""

from __future__ import annotations

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.backend.dtypes import result_type
from kerastorch.config import standardize_dtype

__all__ = ["result_type", "standardize_dtype", "to_tensors", "weak_dtype", "is_float", "is_int"]


def weak_dtype(dtype: DTypeLike | TensorLike, weak: type) -> str:
    """``result_type(dtype, weak)``: promotes ``dtype`` with a weak Python type (``int``, ``float``);
    e.g. the float dtype of a function that returns floats (``weak_dtype("int8", float) == "float32"``)."""
    return result_type(dtype, weak)


def is_float(dtype: str) -> bool:
    """Whether a Keras dtype name is a floating dtype (bfloat16, float16/32/64)."""
    return "float" in dtype


def is_int(dtype: str) -> bool:
    """Whether a Keras dtype name is an integer dtype (signed or unsigned)."""
    return "int" in dtype


def device_of(*xs: TensorLike) -> torch.device:
    """The device of the first tensor with dimensions among ``xs`` (else of any tensor, else the default device)."""
    for x in xs:
        if isinstance(x, torch.Tensor) and x.ndim > 0:
            return x.device
    for x in xs:
        if isinstance(x, torch.Tensor):
            return x.device
    return config.default_device()


def to_tensors(*xs: TensorLike, dtype: DTypeLike = None) -> list[torch.Tensor]:
    """``xs`` as torch tensors of one dtype (``dtype``, or the Keras result dtype of the inputs) on one device
    (that of the first tensor input, else the default device). Tensors already right are returned as is.

    >>> [t.dtype for t in to_tensors(np.ones(2, np.int8), torch.ones(2, dtype=torch.uint8))]
    [torch.int16, torch.int16]
    """
    target = getattr(torch, standardize_dtype(dtype) if dtype is not None else result_type(*xs))
    device = device_of(*xs)
    out = []
    for x in xs:
        if isinstance(x, torch.Tensor):
            if x.dtype != target:
                x = x.to(target)
            if x.device != device:
                x = x.to(device)
        elif isinstance(x, np.ndarray):
            x = torch.as_tensor(x).to(device=device, dtype=target)
        else:
            x = torch.as_tensor(x, dtype=target, device=device)
        out.append(x)
    return out
