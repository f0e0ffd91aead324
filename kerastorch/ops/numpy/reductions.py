"""Reductions over axes: ``sum``, ``mean`` ...

Example:
    >>> sum(torch.ones(2, 3), axis=0)
    tensor([2., 2., 2.])
"""
import torch

from kerastorch.ops.core import convert_to_tensor

__all__ = ["mean", "sum"]


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Sum over ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    return torch.sum(x) if axis is None and not keepdims else torch.sum(x, dim=_axis(axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    return torch.mean(x) if axis is None and not keepdims else torch.mean(x, dim=_axis(axis), keepdim=keepdims)


