"""``keras.activations``: Keras 3's activation functions on torch tensors.

Each function has Keras 3's definition, argument names and defaults, and runs
the matching ``torch.nn.functional`` kernel where its numerics agree. Inputs
that are not tensors (lists, numbers, NumPy arrays) are converted first.

Decisions: ``sparsemax`` is the exact Euclidean projection onto the simplex
(Keras 3.15's torch backend returns wrong values when several entries are in
the support); ``deserialize`` raises on an unknown name (Keras returns the
string unchanged).

Example:
    >>> get("relu")(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""

from __future__ import annotations

import types
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import Identifier, TensorLike
from kerastorch.serialization.object_registration import (
    builtin_objects,
    get_registered_name,
    get_registered_object,
    register_builtin,
)
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]

_MODULE = "keras.activations"
_builtin = register_builtin(_MODULE)


def _tensor(x: TensorLike) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    t = torch.as_tensor(x)
    if t.is_floating_point() and not isinstance(x, (np.ndarray, np.generic)):
        t = t.to(config.torch_dtype(None))
    return t


@_builtin
def relu(
    x: TensorLike, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> torch.Tensor:
    """Rectified linear unit, with Keras's generalizations: ``max(x, 0)`` by default.

    Entries at or below ``threshold`` become ``negative_slope * (x - threshold)``; the others keep ``x``, capped at
    ``max_value`` when it is set.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        negative_slope: float, default ``0.0``: the slope below ``threshold``.
        max_value: float or None, default ``None``: the largest output value (None: no cap).
        threshold: float, default ``0.0``: inputs at or below it are not passed through.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> relu(torch.tensor([-10.0, 5.0, 10.0]))
        tensor([ 0.,  5., 10.])
        >>> relu(torch.tensor([-10.0, 5.0, 10.0]), negative_slope=0.5, max_value=8.0)
        tensor([-5.,  5.,  8.])
        >>> relu(torch.tensor([1.0, 3.0]), threshold=2.0)
        tensor([0., 3.])
    """
    x = _tensor(x)
    if max_value is None and threshold == 0:
        return torch.relu(x) if negative_slope == 0 else F.leaky_relu(x, negative_slope)
    if (
        threshold == 0 and max_value is not None
    ):  # hardtanh: one fused kernel each way (clamp's backward is several passes on the CPU)
        out = F.hardtanh(x, 0.0, max_value) if max_value > 0 else torch.clamp(x, 0, max_value)
    else:
        out = torch.where(x > threshold, x, 0.0)
        if max_value is not None:
            out = torch.clamp(out, 0, max_value)
    if negative_slope != 0:
        out = out - negative_slope * torch.relu(threshold - x)
    return out


@_builtin
def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> torch.Tensor:
    """Leaky ReLU: ``x`` where ``x >= 0``, else ``negative_slope * x``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        negative_slope: float, default ``0.2``: the slope for negative inputs.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 2.0]))
        tensor([-0.2000,  2.0000])
    """
    return F.leaky_relu(_tensor(x), negative_slope)


@_builtin
def relu6(x: TensorLike) -> torch.Tensor:
    """ReLU capped at 6: ``min(max(x, 0), 6)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> relu6(torch.tensor([-1.0, 3.0, 9.0]))
        tensor([0., 3., 6.])
    """
    return F.relu6(_tensor(x))


@_builtin
def elu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        alpha: float, default ``1.0``: the scale of the negative part (its limit is ``-alpha``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> elu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    return F.elu(_tensor(x), alpha)


@_builtin
def selu(x: TensorLike) -> torch.Tensor:
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with ``alpha = 1.67326...`` and ``scale = 1.05070...``.

    Used with ``lecun_normal`` initialization (and ``AlphaDropout``) it keeps activations self-normalizing.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> selu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 1.0507])
    """
    return F.selu(_tensor(x))


@_builtin
def celu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: ``x`` where ``x >= 0``, else ``alpha * (exp(x / alpha) - 1)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        alpha: float, default ``1.0``: the scale of the negative part.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> celu(torch.tensor([-1.0, 1.0]))
        tensor([-0.6321,  1.0000])
    """
    return F.celu(_tensor(x), alpha)


@_builtin
def gelu(x: TensorLike, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)`` for a standard normal ``X``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        approximate: bool, default ``False``: use the tanh approximation instead of the exact ``erf`` form.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> gelu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8413])
        >>> gelu(torch.tensor([1.0]), approximate=True)
        tensor([0.8412])
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


@_builtin
def sigmoid(x: TensorLike) -> torch.Tensor:
    """Logistic sigmoid: ``1 / (1 + exp(-x))``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(_tensor(x))


@_builtin
def tanh(x: TensorLike) -> torch.Tensor:
    """Hyperbolic tangent: ``(exp(x) - exp(-x)) / (exp(x) + exp(-x))``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> tanh(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """
    return torch.tanh(_tensor(x))


@_builtin
def softplus(x: TensorLike) -> torch.Tensor:
    """Softplus: ``log(exp(x) + 1)``, a smooth ReLU.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return F.softplus(_tensor(x))


@_builtin
def softsign(x: TensorLike) -> torch.Tensor:
    """Softsign: ``x / (|x| + 1)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> softsign(torch.tensor([1.0, -3.0]))
        tensor([ 0.5000, -0.7500])
    """
    return F.softsign(_tensor(x))


@_builtin
def silu(x: TensorLike) -> torch.Tensor:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    ``swish`` is the same function.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> silu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """
    return F.silu(_tensor(x))


@_builtin
def hard_sigmoid(x: TensorLike) -> torch.Tensor:
    """Hard sigmoid: ``relu6(x + 3) / 6``, a piecewise-linear sigmoid.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 4.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return F.hardsigmoid(_tensor(x))


@_builtin
def hard_silu(x: TensorLike) -> torch.Tensor:
    """Hard SiLU (hard swish): ``x * relu6(x + 3) / 6``.

    ``hard_swish`` is the same function.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> hard_silu(torch.tensor([0.0, 1.0, 4.0]))
        tensor([0.0000, 0.6667, 4.0000])
    """
    return F.hardswish(_tensor(x))


@_builtin
def hard_tanh(x: TensorLike) -> torch.Tensor:
    """Hard tanh: ``x`` clipped to ``[-1, 1]``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> hard_tanh(torch.tensor([-3.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """
    return F.hardtanh(_tensor(x))


@_builtin
def hard_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """Hard shrinkage: ``x`` where ``|x| > threshold``, else 0.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        threshold: float, default ``0.5``: entries with ``|x| <= threshold`` become 0.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> hard_shrink(torch.tensor([0.3, 2.0]))
        tensor([0., 2.])
    """
    return F.hardshrink(_tensor(x), threshold)


@_builtin
def soft_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """Soft shrinkage: ``x`` moved ``threshold`` towards 0, and 0 where ``|x| <= threshold``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        threshold: float, default ``0.5``: the shrinkage amount and the width of the zero band.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> soft_shrink(torch.tensor([-2.0, 0.3, 2.0]))
        tensor([-1.5000,  0.0000,  1.5000])
    """
    return F.softshrink(_tensor(x), threshold)


@_builtin
def tanh_shrink(x: TensorLike) -> torch.Tensor:
    """Tanh shrinkage: ``x - tanh(x)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> tanh_shrink(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2384])
    """
    return F.tanhshrink(_tensor(x))


@_builtin
def threshold(x: TensorLike, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        threshold: float: entries greater than it are kept.
        default_value: float: the value of the other entries.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> threshold(torch.tensor([1.0, 3.0]), 2.0, -1.0)
        tensor([-1.,  3.])
    """
    return F.threshold(_tensor(x), threshold, default_value)


@_builtin
def sparse_plus(x: TensorLike) -> torch.Tensor:
    """Sparse plus: 0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1`` and ``x`` for ``x >= 1``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.2500, 2.0000])
    """
    x = _tensor(x)
    middle = torch.square(x + 1) / 4
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, middle))


@_builtin
def sparse_sigmoid(x: TensorLike) -> torch.Tensor:
    """Sparse sigmoid: ``(x + 1) / 2`` clipped to ``[0, 1]``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return torch.clamp((_tensor(x) + 1) * 0.5, 0, 1)


@_builtin
def squareplus(x: TensorLike, b: float = 4) -> torch.Tensor:
    """Squareplus: ``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU without exponentials.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        b: float, default ``4``: the smoothness near 0 (``b = 0`` gives ReLU).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> squareplus(torch.tensor([0.0, 3.0]))
        tensor([1.0000, 3.3028])
    """
    x = _tensor(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2


@_builtin
def log_sigmoid(x: TensorLike) -> torch.Tensor:
    """Log-sigmoid: ``log(sigmoid(x))``, computed stably.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return F.logsigmoid(_tensor(x))


@_builtin
def mish(x: TensorLike) -> torch.Tensor:
    """Mish: ``x * tanh(softplus(x))``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> mish(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8651])
    """
    return F.mish(_tensor(x))


@_builtin
def exponential(x: TensorLike) -> torch.Tensor:
    """Exponential: ``exp(x)``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> exponential(torch.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return torch.exp(_tensor(x))


@_builtin
def linear(x: TensorLike) -> torch.Tensor:
    """The identity: returns ``x`` (converted to a tensor).

    The activation of layers given ``activation=None``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).

    Returns:
        ``x`` as a tensor.

    Example:
        >>> linear(torch.tensor([3.0]))
        tensor([3.])
    """
    return _tensor(x)


@_builtin
def softmax(x: TensorLike, axis: int | Sequence[int] = -1) -> torch.Tensor:
    """Softmax: ``exp(x) / sum(exp(x))`` along ``axis``, so the entries along it sum to 1.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        axis: int or tuple of ints, default ``-1``: the axis (or axes) normalized together.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> softmax(torch.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
        >>> softmax(torch.zeros(2, 2), axis=(0, 1))
        tensor([[0.2500, 0.2500],
                [0.2500, 0.2500]])
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))


@_builtin
def log_softmax(x: TensorLike, axis: int | Sequence[int] = -1) -> torch.Tensor:
    """Log-softmax: ``x - logsumexp(x)`` along ``axis``, computed stably.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        axis: int or tuple of ints, default ``-1``: the axis (or axes) normalized together.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)


@_builtin
def glu(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the first and second halves of ``x`` along ``axis``.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        axis: int, default ``-1``: the axis to split in two halves; its size must be even.

    Returns:
        A tensor of the shape of ``x`` with ``axis`` halved.

    Raises:
        ValueError: when ``axis`` of ``x`` has an odd size.

    Example:
        >>> glu(torch.tensor([[1.0, 2.0, 0.0, 0.0]]))
        tensor([[0.5000, 1.0000]])
    """
    x = _tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size to split in halves, received shape {tuple(x.shape)}")
    return F.glu(x, dim=axis)


@_builtin
def sparsemax(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax the outputs are non-negative and sum to 1 along ``axis``, but many are exactly 0.

    Args:
        x: tensor, array or number: the input (non-tensors are converted; Python floats become ``floatx()``).
        axis: int, default ``-1``: the axis to project along.

    Returns:
        A tensor of the shape and dtype of ``x``.

    Example:
        >>> sparsemax(torch.tensor([1.0, 2.0, 3.0]))
        tensor([0., 0., 1.])
        >>> sparsemax(torch.tensor([1.0, 1.5]))
        tensor([0.2500, 0.7500])
    """
    x = _tensor(x)
    z = x.movedim(axis, -1)
    z_sorted = torch.sort(z, dim=-1, descending=True).values
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cumsum = z_sorted.cumsum(-1)
    support = (1 + k * z_sorted > cumsum).to(z.dtype)  # entries kept by the projection, a prefix
    size = support.sum(-1, keepdim=True)
    tau = (cumsum.gather(-1, size.long() - 1) - 1) / size
    return torch.clamp(z - tau, min=0).movedim(-1, axis)


swish = silu
hard_swish = hard_silu
register_builtin(_MODULE, "swish")(silu)
register_builtin(_MODULE, "hard_swish")(hard_silu)


def _is_builtin(fn):
    return any(fn is obj for obj in builtin_objects(_MODULE).values())


def serialize(activation: Callable[..., Any]) -> str | dict[str, Any]:
    """What an activation saves as in a config: a built-in's name, or a custom function's Keras config.

    Aliases serialize under their function's name: ``serialize(swish)`` -> ``'silu'``. A custom function is saved by its
    registered name (``@keras.saving.register_keras_serializable``); other callables (objects) go through
    ``saving.serialize_keras_object``.

    Args:
        activation: callable: a built-in activation, a named function or a serializable object.

    Returns:
        A str for built-ins, else a config dict.

    Raises:
        ValueError: for a lambda, which cannot be saved by name.

    Example:
        >>> serialize(relu)
        'relu'
        >>> serialize(swish)
        'silu'
    """
    if _is_builtin(activation):
        return activation.__name__
    if isinstance(activation, types.FunctionType):
        if activation.__name__ == "<lambda>":
            raise ValueError(
                "serialize: a lambda activation cannot be serialized; define a named function and "
                "register it with @kerastorch.saving.register_keras_serializable"
            )
        return {
            "module": "builtins",
            "class_name": "function",
            "config": get_registered_name(activation),
            "registered_name": "function",
        }
    return serialize_keras_object(activation)


def deserialize(config: str | dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Callable[..., Any]:
    """The activation that a name or config dict (as :func:`serialize` writes it) stands for.

    Names are looked up in ``custom_objects``, any active ``custom_object_scope``, the registered custom objects, then
    the built-ins.

    Args:
        config: str or dict: an activation name (``"relu"``) or a serialized config.
        custom_objects: dict or None, default ``None``: extra ``{name: function}`` to resolve names with.

    Returns:
        The activation function (or object).

    Raises:
        ValueError: for an unknown name (Keras returns the string unchanged instead).

    Example:
        >>> deserialize("relu") is relu
        True
        >>> deserialize("my_act", custom_objects={"my_act": abs}) is abs
        True
    """
    if isinstance(config, str) and get_registered_object(config, custom_objects, builtin_objects(_MODULE)) is None:
        raise ValueError(
            f"Unknown activation function: {config!r}. Valid built-in activations: "
            f"{sorted(builtin_objects(_MODULE))}; register custom ones with "
            "@kerastorch.saving.register_keras_serializable or pass custom_objects"
        )
    return deserialize_keras_object(
        config,
        module_objects=builtin_objects(_MODULE),
        custom_objects=custom_objects,
        printable_module_name="activation function",
    )


def get(identifier: Identifier) -> Callable[..., Any]:
    """An activation function from an identifier: a name, a config dict or a callable.

    Args:
        identifier: str, dict, callable or None: a name or config (resolved with :func:`deserialize`), a callable
            (returned as it is), or None (gives :func:`linear`: ``get(None).__name__`` -> ``'linear'``).

    Returns:
        A callable.

    Raises:
        ValueError: for an unknown name or an identifier of another type.

    Example:
        >>> get("swish") is silu
        True
        >>> get(None) is linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. Expected a name "
        f"(one of {sorted(builtin_objects(_MODULE))}), a config dict or a callable"
    )


def __dir__():
    return sorted(__all__)
