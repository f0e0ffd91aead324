"""NumPy-style ``keras.ops`` on torch tensors (the part the core layers need).

Example:
    >>> matmul(ones((2, 3)), ones((3, 4))).shape
    torch.Size([2, 4])
"""
import torch

from kerastorch import config
from kerastorch.ops.core import convert_to_tensor


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default) on the default device."""
    return torch.ones(tuple(shape) if not isinstance(shape, int) else (shape,),
                      dtype=config.torch_dtype(dtype), device=config.default_device())


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default) on the default device."""
    return torch.zeros(tuple(shape) if not isinstance(shape, int) else (shape,),
                       dtype=config.torch_dtype(dtype), device=config.default_device())


def matmul(x1, x2):
    """Matrix product with NumPy broadcasting."""
    return torch.matmul(convert_to_tensor(x1), convert_to_tensor(x2))


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Sum over ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    return torch.sum(x) if axis is None and not keepdims else torch.sum(x, dim=_axis(axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    return torch.mean(x) if axis is None and not keepdims else torch.mean(x, dim=_axis(axis), keepdim=keepdims)


def square(x):
    """Elementwise square."""
    return torch.square(convert_to_tensor(x))


def reshape(x, newshape):
    """``x`` with a new shape (one -1 allowed)."""
    return torch.reshape(convert_to_tensor(x), tuple(newshape))
