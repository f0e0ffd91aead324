"""Array creation: ``ones``, ``zeros`` ...

Example:
    >>> ones((2, 3)).shape
    torch.Size([2, 3])
"""
import torch

from kerastorch import config

__all__ = ["ones", "zeros"]


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default) on the default device."""
    return torch.ones(tuple(shape) if not isinstance(shape, int) else (shape,),
                      dtype=config.torch_dtype(dtype), device=config.default_device())


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default) on the default device."""
    return torch.zeros(tuple(shape) if not isinstance(shape, int) else (shape,),
                       dtype=config.torch_dtype(dtype), device=config.default_device())
