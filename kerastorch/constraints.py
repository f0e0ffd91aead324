"""``keras.constraints``: projections applied to a weight after each optimizer step.

A constraint is a callable ``c(w) -> w'`` of the same shape. The norm
constraints rescale ``w`` by ``desired / (epsilon + norm)`` with
``config.epsilon()`` read at call time, as Keras does. Arguments are checked
(Keras 3 accepts e.g. a negative ``max_value``).

Example:
    >>> MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    >>> type(get("max_norm")).__name__
    'MaxNorm'
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import torch

from kerastorch import config
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import ConfigMixin, namespace_functions

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

_MODULE = "keras.constraints"


def _number(value, name, low=0.0, high=None):
    """A real number in ``[low, high]``, else a ValueError naming the argument."""
    in_range = isinstance(value, numbers.Real) and low <= value and (high is None or value <= high)
    if isinstance(value, bool) or not in_range:
        expected = f"a number >= {low}" if high is None else f"a number in [{low}, {high}]"
        raise ValueError(f"Invalid value for argument {name}: expected {expected}, received {name}={value!r}")
    return value


def _dims(axis):
    return (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)


def _norms(w, axis):
    return torch.sqrt(torch.sum(torch.square(w), dim=_dims(axis), keepdim=True))


def _rescale(w, norms, desired):
    return w * (desired / (config.epsilon() + norms))


class Constraint(ConfigMixin):
    """Base class: subclasses implement ``__call__(w)``; the base leaves ``w`` unchanged.

    >>> class Clip(Constraint):
    ...     def __call__(self, w):
    ...         return w.clamp(-1, 1)
    >>> Clip()(torch.tensor([3.0])).tolist()
    [1.0]
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        return {}


@register_builtin(_MODULE)
class MaxNorm(Constraint):
    """Rescale slices along ``axis`` whose L2 norm exceeds ``max_value``: ``MaxNorm(2.0, axis=0)(w)``.

    Each slice ``w`` (the entries that share every index outside ``axis``) becomes
    ``w * clip(norm, 0, max_value) / (epsilon + norm)``; slices already within the bound are left
    (up to epsilon) as they are. Also available as ``max_norm``.

    Args:
        max_value: float, default 2: the largest L2 norm a slice may keep (a number >= 0).
        axis: int or list of ints, default 0: the axes the norm is computed over. ``0`` constrains
            each column (the weights into one unit) of a ``(in, out)`` Dense kernel; ``[0, 1, 2]``
            each filter of a ``(kh, kw, in, out)`` Conv2D kernel.

    Raises:
        ValueError: if ``max_value`` is not a number >= 0.

    Example:
        >>> MaxNorm(2.0, axis=0)(torch.tensor([[3.0, 0.5], [4.0, 0.0]]))
        tensor([[1.2000, 0.5000],
                [1.6000, 0.0000]])
    """

    def __init__(self, max_value: float = 2, axis: int | Sequence[int] = 0) -> None:
        self.max_value = _number(max_value, "max_value")
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        return _rescale(w, norms, torch.clamp(norms, 0, self.max_value))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@register_builtin(_MODULE)
class MinMaxNorm(Constraint):
    """Move slice norms into ``[min_value, max_value]`` at ``rate`` (1.0 projects fully).

    The new norm of each slice along ``axis`` is ``rate * clip(norm, min_value, max_value) +
    (1 - rate) * norm`` (the slice is rescaled by it over ``epsilon + norm``). Also available as
    ``min_max_norm``.

    Args:
        min_value: float, default 0.0: the smallest norm a slice is moved to (a number >= 0).
        max_value: float, default 1.0: the largest norm a slice is moved to (a number >= ``min_value``).
        rate: float, default 1.0: how far each step moves a norm towards the interval, in ``[0, 1]``:
            1.0 enforces the bounds at once, a smaller rate approaches them over several steps.
        axis: int or list of ints, default 0: the axes the norm is computed over (see :class:`MaxNorm`).

    Raises:
        ValueError: if ``min_value`` is negative, ``max_value`` is below ``min_value`` or ``rate`` is
            outside ``[0, 1]`` (or any of them is not a number).

    Example:
        >>> MinMaxNorm(1.0, 2.0)(torch.tensor([[0.3], [0.4]]))
        tensor([[0.6000],
                [0.8000]])
        >>> MinMaxNorm(1.0, 2.0, rate=0.5)(torch.tensor([[0.3], [0.4]]))
        tensor([[0.4500],
                [0.6000]])
    """

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int | Sequence[int] = 0
    ) -> None:
        self.min_value = _number(min_value, "min_value")
        self.max_value = _number(max_value, "max_value", low=min_value)
        self.rate = _number(rate, "rate", high=1.0)
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return _rescale(w, norms, desired)

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


@register_builtin(_MODULE)
class UnitNorm(Constraint):
    """Scale slices along ``axis`` to unit L2 norm: ``w / (epsilon + norm)``.

    Also available as ``unit_norm``.

    Args:
        axis: int or list of ints, default 0: the axes the norm is computed over (see :class:`MaxNorm`).

    Example:
        >>> UnitNorm()(torch.tensor([[3.0], [4.0]]))
        tensor([[0.6000],
                [0.8000]])
        >>> UnitNorm(axis=1)(torch.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """

    def __init__(self, axis: int | Sequence[int] = 0) -> None:
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@register_builtin(_MODULE)
class NonNeg(Constraint):
    """Zero the negative entries (``non_neg`` is the same class); it takes no arguments.

    Example:
        >>> NonNeg()(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return torch.clamp(w, min=0)


max_norm, min_max_norm, unit_norm, non_neg = MaxNorm, MinMaxNorm, UnitNorm, NonNeg
for _name, _cls in {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "unit_norm": UnitNorm, "non_neg": NonNeg}.items():
    register_builtin(_MODULE, _name)(_cls)


serialize, deserialize, get = namespace_functions(_MODULE, "constraint", Constraint, __name__)


def __dir__():
    return sorted(__all__)
