"""Array helpers from ``keras.utils``: one-hot encoding and normalization.

Example:
    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
"""
import numpy as np
import torch


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels (numpy in, numpy out; torch in, torch out)."""
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


def normalize(x, axis=-1, order=2):
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors stay zero)."""
    if isinstance(x, torch.Tensor):
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
