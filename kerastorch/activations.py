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
import types

import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.saving.object_registration import builtin_objects, get_registered_name
from kerastorch.saving.object_registration import get_registered_object, register_builtin
from kerastorch.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

_MODULE = "keras.activations"
_builtin = register_builtin(_MODULE)


def _tensor(x):
    if isinstance(x, torch.Tensor):
        return x
    t = torch.as_tensor(x)
    if t.is_floating_point() and not isinstance(x, (np.ndarray, np.generic)):
        t = t.to(config.torch_dtype(None))
    return t


@_builtin
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's generalized ReLU: ``x`` above ``threshold`` (else 0), clipped to
    ``[0, max_value]`` when ``max_value`` is set, minus ``negative_slope * relu(threshold - x)``.

    >>> relu(torch.tensor([-10.0, 5.0, 10.0]), negative_slope=0.5, max_value=8.0)
    tensor([-5.,  5.,  8.])
    """
    x = _tensor(x)
    if max_value is None and threshold == 0:
        return torch.relu(x) if negative_slope == 0 else F.leaky_relu(x, negative_slope)
    if threshold == 0:  # hardtanh: one fused kernel each way (clamp's backward is several passes on the CPU)
        out = F.hardtanh(x, 0.0, max_value) if max_value > 0 else torch.clamp(x, 0, max_value)
    else:
        out = torch.where(x > threshold, x, 0.0)
        if max_value is not None:
            out = torch.clamp(out, 0, max_value)
    if negative_slope != 0:
        out = out - negative_slope * torch.relu(threshold - x)
    return out


@_builtin
def leaky_relu(x, negative_slope=0.2):
    """``x`` if positive, else ``negative_slope * x``: ``leaky_relu(torch.tensor([-1.0]))`` -> ``tensor([-0.2000])``."""
    return F.leaky_relu(_tensor(x), negative_slope)


@_builtin
def relu6(x):
    """``min(max(x, 0), 6)``: ``relu6(torch.tensor([-1.0, 9.0]))`` -> ``tensor([0., 6.])``."""
    return F.relu6(_tensor(x))


@_builtin
def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``: ``elu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return F.elu(_tensor(x), alpha)


@_builtin
def selu(x):
    """``1.0507 * elu(x, alpha=1.6733)``: ``selu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return F.selu(_tensor(x))


@_builtin
def celu(x, alpha=1.0):
    """``x`` if ``x >= 0`` else ``alpha * (exp(x / alpha) - 1)``: ``celu(torch.tensor([1.0]))`` -> ``tensor([1.])``."""
    return F.celu(_tensor(x), alpha)


@_builtin
def gelu(x, approximate=False):
    """``x * P(N(0, 1) <= x)`` (tanh approximation if ``approximate``).

    ``gelu(torch.tensor([0.0]))`` -> ``tensor([0.])``
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


@_builtin
def sigmoid(x):
    """``1 / (1 + exp(-x))``: ``sigmoid(torch.tensor([0.0]))`` -> ``tensor([0.5000])``."""
    return torch.sigmoid(_tensor(x))


@_builtin
def tanh(x):
    """Hyperbolic tangent: ``tanh(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return torch.tanh(_tensor(x))


@_builtin
def softplus(x):
    """``log(exp(x) + 1)``: ``softplus(torch.tensor([0.0]))`` -> ``tensor([0.6931])``."""
    return F.softplus(_tensor(x))


@_builtin
def softsign(x):
    """``x / (|x| + 1)``: ``softsign(torch.tensor([1.0]))`` -> ``tensor([0.5000])``."""
    return F.softsign(_tensor(x))


@_builtin
def silu(x):
    """``x * sigmoid(x)`` (also called swish): ``silu(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return F.silu(_tensor(x))


@_builtin
def hard_sigmoid(x):
    """``relu6(x + 3) / 6``: ``hard_sigmoid(torch.tensor([0.0, 4.0]))`` -> ``tensor([0.5000, 1.0000])``."""
    return F.hardsigmoid(_tensor(x))


@_builtin
def hard_silu(x):
    """``x * relu6(x + 3) / 6`` (also called hard_swish): ``hard_silu(torch.tensor([4.0]))`` -> ``tensor([4.])``."""
    return F.hardswish(_tensor(x))


@_builtin
def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``: ``hard_tanh(torch.tensor([-3.0, 0.5]))`` -> ``tensor([-1.0000,  0.5000])``."""
    return F.hardtanh(_tensor(x))


@_builtin
def hard_shrink(x, threshold=0.5):
    """``x`` if ``|x| > threshold`` else 0: ``hard_shrink(torch.tensor([0.3, 2.0]))`` -> ``tensor([0., 2.])``."""
    return F.hardshrink(_tensor(x), threshold)


@_builtin
def soft_shrink(x, threshold=0.5):
    """``x`` moved ``threshold`` towards 0 (0 inside ``±threshold``).

    ``soft_shrink(torch.tensor([2.0]))`` -> ``tensor([1.5000])``
    """
    return F.softshrink(_tensor(x), threshold)


@_builtin
def tanh_shrink(x):
    """``x - tanh(x)``: ``tanh_shrink(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return F.tanhshrink(_tensor(x))


@_builtin
def threshold(x, threshold, default_value):
    """``x`` if ``x > threshold`` else ``default_value``.

    ``threshold(torch.tensor([1.0, 3.0]), 2.0, -1.0)`` -> ``tensor([-1.,  3.])``
    """
    return F.threshold(_tensor(x), threshold, default_value)


@_builtin
def sparse_plus(x):
    """0 below -1, ``(x + 1)**2 / 4`` in between, ``x`` above 1.

    ``sparse_plus(torch.tensor([0.0]))`` -> ``tensor([0.2500])``
    """
    x = _tensor(x)
    middle = torch.square(x + 1) / 4
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, middle))


@_builtin
def sparse_sigmoid(x):
    """``(x + 1) / 2`` clipped to ``[0, 1]``.

    ``sparse_sigmoid(torch.tensor([0.0, 3.0]))`` -> ``tensor([0.5000, 1.0000])``
    """
    return torch.clamp((_tensor(x) + 1) * 0.5, 0, 1)


@_builtin
def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``: ``squareplus(torch.tensor([0.0]))`` -> ``tensor([1.])``."""
    x = _tensor(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2


@_builtin
def log_sigmoid(x):
    """``log(sigmoid(x))``, stable: ``log_sigmoid(torch.tensor([0.0]))`` -> ``tensor([-0.6931])``."""
    return F.logsigmoid(_tensor(x))


@_builtin
def mish(x):
    """``x * tanh(softplus(x))``: ``mish(torch.tensor([0.0]))`` -> ``tensor([0.])``."""
    return F.mish(_tensor(x))


@_builtin
def exponential(x):
    """``exp(x)``: ``exponential(torch.tensor([0.0]))`` -> ``tensor([1.])``."""
    return torch.exp(_tensor(x))


@_builtin
def linear(x):
    """The identity: ``linear(torch.tensor([3.0]))`` -> ``tensor([3.])``."""
    return _tensor(x)


@_builtin
def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple).

    ``softmax(torch.tensor([0.0, 0.0]))`` -> ``tensor([0.5000, 0.5000])``
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))


@_builtin
def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``.

    ``log_softmax(torch.tensor([0.0, 0.0]))`` -> ``tensor([-0.6931, -0.6931])``
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)


@_builtin
def glu(x, axis=-1):
    """``a * sigmoid(b)`` with ``a, b`` the two halves of ``x`` along ``axis``.

    ``glu(torch.tensor([1.0, 0.0]))`` -> ``tensor([0.5000])``
    """
    x = _tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size to split in halves, received shape {tuple(x.shape)}")
    return F.glu(x, dim=axis)


@_builtin
def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``; many outputs are exactly 0.

    >>> sparsemax(torch.tensor([1.0, 2.0, 3.0]))
    tensor([0., 0., 1.])
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


def serialize(activation):
    """A built-in's name (``serialize(relu)`` -> ``'relu'``); a custom function's Keras config dict.

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
        return {"module": "builtins", "class_name": "function",
                "config": get_registered_name(activation), "registered_name": "function"}
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """The activation a name or config names: ``deserialize("relu") is relu`` -> ``True``."""
    if isinstance(config, str) and get_registered_object(config, custom_objects, builtin_objects(_MODULE)) is None:
        raise ValueError(
            f"Unknown activation function: {config!r}. Valid built-in activations: "
            f"{sorted(builtin_objects(_MODULE))}; register custom ones with "
            "@kerastorch.saving.register_keras_serializable or pass custom_objects"
        )
    return deserialize_keras_object(
        config, module_objects=builtin_objects(_MODULE), custom_objects=custom_objects,
        printable_module_name="activation function",
    )


def get(identifier):
    """An activation from a name, config dict or callable; None gives :func:`linear`.

    >>> get("swish") is silu
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
