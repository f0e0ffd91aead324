"""Elementwise math, comparisons and logic.

Example:
    >>> square(torch.tensor([2.0]))
    tensor([4.])
"""
import torch

from kerastorch.ops.core import convert_to_tensor

__all__ = ["square"]


def square(x):
    """Elementwise square."""
    return torch.square(convert_to_tensor(x))
