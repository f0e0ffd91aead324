"""Products: ``matmul`` ...

Example:
    >>> matmul(torch.ones(2, 3), torch.ones(3, 4)).shape
    torch.Size([2, 4])
"""
import torch

from kerastorch.ops.core import convert_to_tensor

__all__ = ["matmul"]


def matmul(x1, x2):
    """Matrix product with NumPy broadcasting."""
    return torch.matmul(convert_to_tensor(x1), convert_to_tensor(x2))
