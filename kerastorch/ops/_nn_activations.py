"""Activation functions of ``keras.ops.nn`` (re-exported by :mod:`kerastorch.ops.nn`).

Each wraps the ``kerastorch.activations`` function (a fused ``torch.nn.functional`` kernel) with Keras 3's
``ops`` defaults (``gelu`` is approximate by default here) and Keras's dtypes: float inputs keep their dtype;
``relu``, ``relu6`` and ``hard_tanh`` keep integer dtypes too; other integer or bool inputs are computed in
``floatx`` (Keras's torch backend raises for several of them, kerastorch promotes them instead).

    >>> relu(torch.tensor([-1, 2]))
    tensor([0, 2])
    >>> sigmoid(torch.tensor([0]))
    tensor([0.5000])
"""
import torch

from kerastorch import activations as _act
from kerastorch.ops.dtypes import standardize_dtype, to_tensors, weak_dtype

__all__ = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign", "soft_shrink", "sparse_plus",
           "silu", "swish", "log_sigmoid", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
           "hard_shrink", "elu", "selu", "gelu", "celu", "glu", "softmax", "log_softmax", "sparsemax",
           "squareplus", "tanh_shrink", "threshold"]


def tensor(x):
    """``x`` as a torch tensor (Keras's dtype for Python values), tensors unchanged."""
    return x if isinstance(x, torch.Tensor) else to_tensors(x)[0]


def floating(x):
    """``x`` as a floating tensor: integer and bool inputs become ``floatx`` (Keras's promotion with a float)."""
    x = tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(getattr(torch, weak_dtype(standardize_dtype(x.dtype), float)))


def _numeric(x):
    """Integer tensors kept, bool ones made ``floatx``."""
    x = tensor(x)
    return floating(x) if x.dtype == torch.bool else x


def relu(x):
    """``max(x, 0)``: ``relu(torch.tensor([-1.0, 2.0]))`` -> ``tensor([0., 2.])``."""
    return torch.relu(_numeric(x))


def relu6(x):
    """``min(max(x, 0), 6)``: ``relu6(torch.tensor([-1.0, 9.0]))`` -> ``tensor([0., 6.])``."""
    return _act.relu6(_numeric(x))


def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``: ``hard_tanh(torch.tensor([-3.0]))`` -> ``tensor([-1.])``."""
    return _act.hard_tanh(_numeric(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``: ``sigmoid(torch.tensor([0.0]))`` -> ``tensor([0.5000])``."""
    return torch.sigmoid(floating(x))


def sparse_sigmoid(x):
    """``(x + 1) / 2`` clipped to ``[0, 1]``: ``sparse_sigmoid(torch.tensor([0.0]))`` -> ``tensor([0.5000])``."""
    return _act.sparse_sigmoid(floating(x))


def softplus(x):
    """``log(1 + exp(x))``: ``softplus(torch.tensor([0.0]))`` -> ``tensor([0.6931])``."""
    return _act.softplus(floating(x))


def softsign(x):
    """``x / (1 + |x|)``: ``softsign(torch.tensor([1.0]))`` -> ``tensor([0.5000])``."""
    return _act.softsign(floating(x))


def soft_shrink(x, threshold=0.5):
    """``x`` moved ``threshold`` towards 0: ``soft_shrink(torch.tensor([2.0]))`` -> ``tensor([1.5000])``."""
    return _act.soft_shrink(floating(x), threshold)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0: ``hard_shrink(torch.tensor([0.2]))`` -> ``tensor([0.])``."""
    return _act.hard_shrink(floating(x), threshold)


def sparse_plus(x):
    """0 below -1, ``(x + 1)**2 / 4`` up to 1, then ``x``: ``sparse_plus(torch.tensor([0.0]))`` -> ``tensor([0.2500])``."""
    return _act.sparse_plus(floating(x))


def silu(x):
    """``x * sigmoid(x)``: ``silu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return _act.silu(floating(x))


def log_sigmoid(x):
    """``log(sigmoid(x))``: ``log_sigmoid(torch.tensor([0.0]))`` -> ``tensor([-0.6931])``."""
    return _act.log_sigmoid(floating(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` if positive else ``negative_slope * x``: ``leaky_relu(torch.tensor([-1.0]))`` -> ``tensor([-0.2000])``."""
    return _act.leaky_relu(floating(x), negative_slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``: ``hard_sigmoid(torch.tensor([0.0]))`` -> ``tensor([0.5000])``."""
    return _act.hard_sigmoid(floating(x))


def hard_silu(x):
    """``x * relu6(x + 3) / 6``: ``hard_silu(torch.tensor([4.0]))`` -> ``tensor([4.])``."""
    return _act.hard_silu(floating(x))


def elu(x, alpha=1.0):
    """``x`` if positive else ``alpha * (exp(x) - 1)``: ``elu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return _act.elu(floating(x), alpha)


def selu(x):
    """Scaled ELU: ``selu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return _act.selu(floating(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation by default): ``gelu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return _act.gelu(floating(x), approximate)


def celu(x, alpha=1.0):
    """``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``: ``celu(torch.tensor([1.0]))`` -> ``tensor([1.])``."""
    return _act.celu(floating(x), alpha)


def glu(x, axis=-1):
    """``a * sigmoid(b)`` of the halves of ``x`` along ``axis``: ``glu(torch.tensor([1.0, 0.0]))`` -> ``tensor([0.5000])``."""
    x = floating(x)
    if x.shape[axis] % 2:
        raise ValueError(f"ops.glu: axis {axis} must have an even size, received shape {tuple(x.shape)}")
    return torch.nn.functional.glu(x, dim=axis)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple; None: all axes).

    ``softmax(torch.tensor([0.0, 0.0]))`` -> ``tensor([0.5000, 0.5000])``
    """
    x = floating(x)
    if axis is None:
        return torch.softmax(x.reshape(-1), 0).reshape(x.shape)
    return _act.softmax(x, axis)


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``: ``log_softmax(torch.tensor([0.0, 0.0]))`` -> ``tensor([-0.6931, -0.6931])``."""
    x = floating(x)
    if axis is None:
        return torch.log_softmax(x.reshape(-1), 0).reshape(x.shape)
    return _act.log_softmax(x, axis)


def sparsemax(x, axis=-1):
    """Projection of ``x`` onto the probability simplex along ``axis``.

    ``sparsemax(torch.tensor([1.0, 2.0, 3.0]))`` -> ``tensor([0., 0., 1.])``
    """
    return _act.sparsemax(floating(x), axis)


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``: ``squareplus(torch.tensor([0.0]))`` -> ``tensor([1.])``."""
    return _act.squareplus(floating(x), b)


def tanh_shrink(x):
    """``x - tanh(x)``: ``tanh_shrink(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return _act.tanh_shrink(floating(x))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    ``threshold(torch.tensor([1.0, 3.0]), 2.0, -1.0)`` -> ``tensor([-1.,  3.])``
    """
    x = _numeric(x)
    if x.is_floating_point():
        return torch.nn.functional.threshold(x, threshold, default_value)
    return x.masked_fill(x <= threshold, default_value)


swish = silu
hard_swish = hard_silu
