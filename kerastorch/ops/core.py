"""Core ``keras.ops``: tensor conversion, casting and shapes.

Example:
    >>> x = convert_to_tensor([[1, 2], [3, 4]], dtype="float32")
    >>> shape(x)
    (2, 2)
"""
import numpy as np
import torch

from kerastorch import config


def convert_to_tensor(x, dtype=None, sparse=None):
    """A torch tensor on the default device (python floats become floatx)."""
    torch_dtype = None if dtype is None else config.torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        return x if torch_dtype is None or x.dtype == torch_dtype else x.to(torch_dtype)
    array = np.asarray(x)
    tensor = torch.as_tensor(array)
    if torch_dtype is None and tensor.is_floating_point() and not isinstance(x, np.ndarray):
        torch_dtype = config.torch_dtype(None)
    if torch_dtype is not None:
        tensor = tensor.to(torch_dtype)
    return tensor.to(config.default_device())


def convert_to_numpy(x):
    """A numpy array copy of ``x``."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def cast(x, dtype):
    """``x`` converted to ``dtype``."""
    return convert_to_tensor(x).to(config.torch_dtype(dtype))


def shape(x):
    """The shape as a tuple of ints."""
    return tuple(x.shape)


def stop_gradient(x):
    """``x`` without gradient flow."""
    return x.detach()
