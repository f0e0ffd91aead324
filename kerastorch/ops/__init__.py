"""``keras.ops``: Keras 3's functions on torch tensors (core and NumPy-style).

    >>> from kerastorch import ops
    >>> ops.sum(ops.ones((2, 3)), axis=0)
    tensor([2., 2., 2.])
"""
from kerastorch.ops.core import cast, convert_to_numpy, convert_to_tensor, shape, stop_gradient
from kerastorch.ops.numpy import matmul, mean, ones, reshape, square, sum, zeros  # noqa: A004
