"""Vector norms shared by metrics and ``keras.utils`` (private helpers): :func:`normalize`.

``normalize`` divides by the plain ``order``-norm and leaves zero vectors at zero (a zero norm is read as 1);
``keras.ops.normalize`` instead divides by ``max(norm, epsilon)``, so the two differ only for norms below
``epsilon``. ``keras.utils.normalize`` and the cosine-similarity metrics use this one; it lives in the backend so
that metrics need not import ``kerastorch.utils``, which sits above them.

Example:
    >>> normalize(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
"""

from __future__ import annotations

from typing import Any, Sequence, overload

import numpy as np
import torch

from kerastorch.backend.annotations import TensorLike

__all__ = ["normalize"]


@overload
def normalize(x: torch.Tensor, axis: int = ..., order: float = ...) -> torch.Tensor: ...
@overload
def normalize(
    x: np.ndarray | np.generic | complex | Sequence[Any], axis: int = ..., order: float = ...
) -> np.ndarray: ...
def normalize(x: TensorLike, axis: int = -1, order: float = 2) -> torch.Tensor | np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors stay zero).

    Args:
        x: Array-like or torch tensor.
        axis: Int, the axis along which the norm is taken. Defaults to ``-1``.
        order: Number, the order of the norm (2 for Euclidean, 1 for the sum of absolute values).
            Defaults to ``2``.

    Returns:
        ``x`` divided by its norm along ``axis``: a NumPy array for array-like input, a tensor for a
        tensor.

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]])
    >>> normalize(torch.tensor([1.0, 3.0]), order=1)
    tensor([0.2500, 0.7500])
    """
    if isinstance(x, torch.Tensor):
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
