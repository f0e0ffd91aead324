"""Shape manipulation: ``reshape`` ...

Example:
    >>> reshape(torch.ones(6), (2, 3)).shape
    torch.Size([2, 3])
"""
import torch

from kerastorch.ops.core import convert_to_tensor

__all__ = ["reshape"]


def reshape(x, newshape):
    """``x`` with a new shape (one -1 allowed)."""
    return torch.reshape(convert_to_tensor(x), tuple(newshape))
