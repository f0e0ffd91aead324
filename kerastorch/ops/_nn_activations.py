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

from __future__ import annotations

import torch

from kerastorch import activations as _act
from kerastorch.backend.annotations import Axis, TensorLike
from kerastorch.ops.dtypes import standardize_dtype, to_tensors, weak_dtype

__all__ = [
    "relu",
    "relu6",
    "sigmoid",
    "sparse_sigmoid",
    "softplus",
    "softsign",
    "soft_shrink",
    "sparse_plus",
    "silu",
    "swish",
    "log_sigmoid",
    "leaky_relu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "hard_shrink",
    "elu",
    "selu",
    "gelu",
    "celu",
    "glu",
    "softmax",
    "log_softmax",
    "sparsemax",
    "squareplus",
    "tanh_shrink",
    "threshold",
]


def tensor(x: TensorLike) -> torch.Tensor:
    """``x`` as a torch tensor (Keras's dtype for Python values), tensors unchanged."""
    return x if isinstance(x, torch.Tensor) else to_tensors(x)[0]


def floating(x: TensorLike) -> torch.Tensor:
    """``x`` as a floating tensor: integer and bool inputs become ``floatx`` (Keras's promotion with a float)."""
    x = tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(getattr(torch, weak_dtype(standardize_dtype(x.dtype), float)))


def _numeric(x: TensorLike) -> torch.Tensor:
    """Integer tensors kept, bool ones made ``floatx``."""
    x = tensor(x)
    return floating(x) if x.dtype == torch.bool else x


def relu(x: TensorLike) -> torch.Tensor:
    """Rectified linear unit: ``max(x, 0)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer dtypes are kept, bool inputs become ``floatx()``.

    Returns:
        A tensor of the shape and dtype of ``x`` (bool inputs give ``floatx()``).

    Example:
        >>> relu(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
        >>> relu(torch.tensor([-3, 4]))
        tensor([0, 4])
    """
    return torch.relu(_numeric(x))


def relu6(x: TensorLike) -> torch.Tensor:
    """ReLU capped at 6: ``min(max(x, 0), 6)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer dtypes are kept, bool inputs become ``floatx()``.

    Returns:
        A tensor of the shape and dtype of ``x`` (bool inputs give ``floatx()``).

    Example:
        >>> relu6(torch.tensor([-1.0, 3.0, 9.0]))
        tensor([0., 3., 6.])
    """
    return _act.relu6(_numeric(x))


def hard_tanh(x: TensorLike) -> torch.Tensor:
    """Hard tanh: ``x`` clipped to ``[-1, 1]`` elementwise.

    Args:
        x: tensor, array or number: the input; integer dtypes are kept, bool inputs become ``floatx()``.

    Returns:
        A tensor of the shape and dtype of ``x`` (bool inputs give ``floatx()``).

    Example:
        >>> hard_tanh(torch.tensor([-3.0, 0.5, 2.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    return _act.hard_tanh(_numeric(x))


def sigmoid(x: TensorLike) -> torch.Tensor:
    """Logistic sigmoid: ``1 / (1 + exp(-x))`` elementwise.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(floating(x))


def sparse_sigmoid(x: TensorLike) -> torch.Tensor:
    """Sparse sigmoid: ``(x + 1) / 2`` clipped to ``[0, 1]`` (0 for ``x <= -1``, 1 for ``x >= 1``).

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return _act.sparse_sigmoid(floating(x))


def softplus(x: TensorLike) -> torch.Tensor:
    """Softplus: ``log(1 + exp(x))`` elementwise, a smooth ReLU.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return _act.softplus(floating(x))


def softsign(x: TensorLike) -> torch.Tensor:
    """Softsign: ``x / (1 + |x|)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> softsign(torch.tensor([1.0, -3.0]))
        tensor([ 0.5000, -0.7500])
    """
    return _act.softsign(floating(x))


def soft_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """Soft shrinkage: ``x`` moved ``threshold`` towards 0, and 0 where ``|x| <= threshold``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        threshold: float, default ``0.5``: the shrinkage amount and the width of the zero band.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> soft_shrink(torch.tensor([-2.0, 0.3, 2.0]))
        tensor([-1.5000,  0.0000,  1.5000])
    """
    return _act.soft_shrink(floating(x), threshold)


def hard_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """Hard shrinkage: ``x`` where ``|x| > threshold``, else 0.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        threshold: float, default ``0.5``: entries with ``|x| <= threshold`` become 0.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> hard_shrink(torch.tensor([0.2, -1.0]))
        tensor([ 0., -1.])
    """
    return _act.hard_shrink(floating(x), threshold)


def sparse_plus(x: TensorLike) -> torch.Tensor:
    """Sparse plus: 0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1`` and ``x`` for ``x >= 1``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.2500, 2.0000])
    """
    return _act.sparse_plus(floating(x))


def silu(x: TensorLike) -> torch.Tensor:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)`` elementwise.

    ``swish`` is the same function.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> silu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """
    return _act.silu(floating(x))


def log_sigmoid(x: TensorLike) -> torch.Tensor:
    """Log-sigmoid: ``log(sigmoid(x)) = -softplus(-x)`` elementwise, computed stably.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return _act.log_sigmoid(floating(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> torch.Tensor:
    """Leaky ReLU: ``x`` where ``x >= 0``, else ``negative_slope * x``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        negative_slope: float, default ``0.2``: the slope for negative inputs.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 2.0]))
        tensor([-0.2000,  2.0000])
    """
    return _act.leaky_relu(floating(x), negative_slope)


def hard_sigmoid(x: TensorLike) -> torch.Tensor:
    """Hard sigmoid: ``relu6(x + 3) / 6``, a piecewise-linear sigmoid.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 4.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return _act.hard_sigmoid(floating(x))


def hard_silu(x: TensorLike) -> torch.Tensor:
    """Hard SiLU (hard swish): ``x * relu6(x + 3) / 6`` elementwise.

    ``hard_swish`` is the same function.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> hard_silu(torch.tensor([0.0, 1.0, 4.0]))
        tensor([0.0000, 0.6667, 4.0000])
    """
    return _act.hard_silu(floating(x))


def elu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        alpha: float, default ``1.0``: the scale of the negative part (its limit is ``-alpha``).

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> elu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    return _act.elu(floating(x), alpha)


def selu(x: TensorLike) -> torch.Tensor:
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with ``alpha = 1.67326...`` and ``scale = 1.05070...``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> selu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 1.0507])
    """
    return _act.selu(floating(x))


def gelu(x: TensorLike, approximate: bool = True) -> torch.Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)`` for a standard normal ``X``.

    Like Keras's ``ops.gelu`` (and unlike ``activations.gelu``) the tanh approximation is the default.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        approximate: bool, default ``True``: use the tanh approximation; False computes it with ``erf``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> gelu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8412])
        >>> gelu(torch.tensor([1.0]), approximate=False)
        tensor([0.8413])
    """
    return _act.gelu(floating(x), approximate)


def celu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: ``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        alpha: float, default ``1.0``: the scale of the negative part.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> celu(torch.tensor([-1.0, 1.0]))
        tensor([-0.6321,  1.0000])
    """
    return _act.celu(floating(x), alpha)


def glu(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: ``a * sigmoid(b)``, with ``a`` and ``b`` the first and second halves of ``x`` along ``axis``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, default ``-1``: the axis to split in two halves; its size must be even.

    Returns:
        A tensor of the shape of ``x`` with ``axis`` halved, float.

    Raises:
        ValueError: when ``axis`` of ``x`` has an odd size.

    Example:
        >>> glu(torch.tensor([[1.0, 2.0, 0.0, 0.0]]))
        tensor([[0.5000, 1.0000]])
    """
    x = floating(x)
    if x.shape[axis] % 2:
        raise ValueError(f"ops.glu: axis {axis} must have an even size, received shape {tuple(x.shape)}")
    return torch.nn.functional.glu(x, dim=axis)


def softmax(x: TensorLike, axis: Axis = -1) -> torch.Tensor:
    """Softmax: ``exp(x) / sum(exp(x))`` along ``axis``, so the entries along it sum to 1.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, tuple of ints or None, default ``-1``: the axis (or axes) normalized together; None normalizes over
            all entries.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> softmax(torch.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
        >>> softmax(torch.zeros(2, 2), axis=None)
        tensor([[0.2500, 0.2500],
                [0.2500, 0.2500]])
    """
    x = floating(x)
    if axis is None:
        return torch.softmax(x.reshape(-1), 0).reshape(x.shape)
    return _act.softmax(x, axis)


def log_softmax(x: TensorLike, axis: Axis = -1) -> torch.Tensor:
    """Log-softmax: ``x - logsumexp(x)`` along ``axis``, computed stably.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, tuple of ints or None, default ``-1``: the axis (or axes) normalized together; None normalizes over
            all entries.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    x = floating(x)
    if axis is None:
        return torch.log_softmax(x.reshape(-1), 0).reshape(x.shape)
    return _act.log_softmax(x, axis)


def sparsemax(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax the outputs are non-negative and sum to 1 along ``axis``, but many are exactly 0.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, default ``-1``: the axis to project along.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> sparsemax(torch.tensor([1.0, 2.0, 3.0]))
        tensor([0., 0., 1.])
        >>> sparsemax(torch.tensor([1.0, 1.5]))
        tensor([0.2500, 0.7500])
    """
    return _act.sparsemax(floating(x), axis)


def squareplus(x: TensorLike, b: float = 4) -> torch.Tensor:
    """Squareplus: ``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU without exponentials.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        b: float, default ``4``: the smoothness near 0 (``b = 0`` gives ReLU).

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> squareplus(torch.tensor([0.0, 3.0]))
        tensor([1.0000, 3.3028])
    """
    return _act.squareplus(floating(x), b)


def tanh_shrink(x: TensorLike) -> torch.Tensor:
    """Tanh shrinkage: ``x - tanh(x)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A tensor of the shape of ``x``, float (the input's float dtype, else ``floatx()``).

    Example:
        >>> tanh_shrink(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2384])
    """
    return _act.tanh_shrink(floating(x))


def threshold(x: TensorLike, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``.

    Args:
        x: tensor, array or number: the input; integer dtypes are kept, bool inputs become ``floatx()``.
        threshold: number: entries greater than it are kept.
        default_value: number: the value of the other entries.

    Returns:
        A tensor of the shape and dtype of ``x`` (bool inputs give ``floatx()``).

    Example:
        >>> threshold(torch.tensor([1.0, 3.0]), 2.0, -1.0)
        tensor([-1.,  3.])
        >>> threshold(torch.tensor([1, 3]), 2, 0)
        tensor([0, 3])
    """
    x = _numeric(x)
    if x.is_floating_point():
        return torch.nn.functional.threshold(x, threshold, default_value)
    return x.masked_fill(x <= threshold, default_value)


swish = silu
hard_swish = hard_silu
