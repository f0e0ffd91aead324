"""Array helpers from ``keras.utils``: one-hot encoding and normalization.

``normalize`` is :func:`kerastorch.backend.norms.normalize` (metrics use it too), re-exported here.

Example:
    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
"""

from __future__ import annotations

from typing import Any, Sequence, overload

import numpy as np
import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.norms import normalize  # noqa: F401 - keras.utils.normalize


@overload
def to_categorical(x: torch.Tensor, num_classes: int | None = None) -> torch.Tensor: ...


@overload
def to_categorical(x: np.ndarray | np.generic | int | Sequence[Any], num_classes: int | None = None) -> np.ndarray: ...


def to_categorical(x: TensorLike, num_classes: int | None = None) -> torch.Tensor | np.ndarray:
    """One-hot encode integer class labels (numpy in, numpy out; torch in, torch out).

    A trailing axis of size 1 is dropped first (labels of shape ``(n, 1)`` give ``(n, num_classes)``).

    Args:
        x: Array-like or torch tensor of integer class labels in ``[0, num_classes)``.
        num_classes: Int or None, the number of classes. Defaults to None (``max(x) + 1``).

    Returns:
        The one-hot encoding, of shape ``x.shape + (num_classes,)``: a float64 NumPy array for array-like
        input, a float32 tensor for a tensor.

    Raises:
        ValueError: For NumPy input, if a label is negative or not below ``num_classes``. (A tensor's
            out-of-range labels make ``torch.nn.functional.one_hot`` raise ``RuntimeError``.)

    >>> to_categorical(torch.tensor([[1], [0]]), num_classes=2)
    tensor([[0., 1.],
            [1., 0.]])
    """
    if isinstance(x, torch.Tensor):
        labels = x.long()
        if labels.ndim > 1 and labels.shape[-1] == 1:
            labels = labels.squeeze(-1)
        return torch.nn.functional.one_hot(labels, num_classes or int(labels.max()) + 1).to(torch.float32)
    x = np.asarray(x, dtype="int64")
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical: class labels must be >= 0, received minimum {x.min()}")
    num_classes = int(num_classes if num_classes is not None else (x.max() + 1 if x.size else 0))
    if x.size and x.max() >= num_classes:
        raise ValueError(f"to_categorical: label {x.max()} is out of range for num_classes={num_classes}")
    out = np.zeros(x.shape + (num_classes,), dtype="float64")
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out
