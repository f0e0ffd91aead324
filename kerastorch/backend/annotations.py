"""The type aliases kerastorch's public signatures use.

Keras functions take "tensor-like" values (torch tensors, NumPy arrays, Python numbers and nested lists of them),
dtypes by name or object, and shapes with unknown (None) dimensions; these aliases name those sets once, so a
signature reads ``def add(x1: TensorLike, x2: TensorLike) -> torch.Tensor``. They are plain ``typing`` aliases:
type checkers (mypy, pyright) and editors read them, nothing checks them when the code runs.

Example:
    >>> import torch
    >>> def double(x: TensorLike) -> torch.Tensor:
    ...     return torch.as_tensor(x) * 2
    >>> double([1.0, 2.0])
    tensor([2., 4.])
"""

from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch

__all__ = ["Axis", "DTypeLike", "DeviceLike", "Identifier", "Shape", "ShapeLike", "TensorLike"]

TensorLike = Union[torch.Tensor, np.ndarray, np.generic, float, int, bool, complex, Sequence[Any]]
"""A torch tensor, or what converts to one: a NumPy array or scalar, a Python number, a (nested) list or tuple of
them. Symbolic inputs (``keras.Input``'s KerasTensors) are accepted wherever an op takes a tensor."""

DTypeLike = Union[str, torch.dtype, np.dtype, type, None]
"""A dtype: its name (``"float32"``, ``"int64"``, ``"bfloat16"``), a torch or NumPy dtype, a Python type
(``float``, ``int``, ``bool``), or None for the default (``keras.config.floatx()`` for floats)."""

DeviceLike = Union[str, torch.device, None]
"""A device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"gpu"``, a ``torch.device``, or None for the default."""

Shape = Tuple[Optional[int], ...]
"""A shape as Keras gives it: a tuple of ints, None for a dimension not known before the data (the batch)."""

ShapeLike = Union[int, Sequence[Optional[int]]]
"""A shape argument: a tuple or list of ints (None for unknown dimensions), or one int for a 1-D shape."""

Axis = Union[int, Sequence[int], None]
"""An axis argument: one axis, several, or None for all of them."""

Identifier = Union[str, Dict[str, Any], Callable[..., Any], None]
"""What ``get()`` of a namespace (activations, initializers, losses ...) accepts: a name, a config dict from
``serialize``, an instance or callable, or None."""
