"""``keras.regularizers``: weight penalties added to the training loss.

A regularizer is a callable ``reg(weight) -> scalar tensor``. Factors are kept
as Python floats (Keras 3 rounds them to float32 in ``get_config``; the penalty
is the same in float32). ``get("l1_l2")`` works here (Keras 3.15 rejects it).

Example:
    >>> L2(0.5)(torch.tensor([1.0, 2.0]))
    tensor(2.5000)
    >>> get("l1").l1
    0.01
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Union

import torch
import torch.nn.functional as F

from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import ConfigMixin, namespace_functions

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]

_MODULE = "keras.regularizers"
_Factor = Union[float, torch.Tensor, None]  # a number, a one-element tensor, or None for the default


def _factor(value, name, default=None):
    """A non-negative finite float (None gives ``default``), else a ValueError naming the argument."""
    if value is None and default is not None:
        return default
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < math.inf:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float, received {name}={value!r}")
    return float(value)


def _l1_penalty(x, factor):
    return factor * torch.sum(torch.abs(x))


def _l2_penalty(x, factor):
    return factor * torch.sum(torch.square(x))


class Regularizer(ConfigMixin):
    """Base class: subclasses implement ``__call__(x)`` (a scalar penalty) and ``get_config``.

    >>> class Sum(Regularizer):
    ...     def __call__(self, x):
    ...         return x.sum()
    ...     def get_config(self):
    ...         return {}
    >>> Sum()(torch.ones(3))
    tensor(3.)
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros((), dtype=x.dtype, device=x.device)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")


@register_builtin(_MODULE)
class L1(Regularizer):
    """The L1 penalty ``l1 * sum(|x|)``; also available as ``l1``.

    Args:
        l1: float, default 0.01: the factor, a finite number >= 0 (None means 0.01).

    Raises:
        ValueError: if ``l1`` is negative, infinite or not a number.

    Example:
        >>> L1(0.1)(torch.tensor([1.0, -2.0]))
        tensor(0.3000)
    """

    def __init__(self, l1: _Factor = 0.01) -> None:
        self.l1 = _factor(l1, "l1", default=0.01)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return _l1_penalty(x, self.l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


@register_builtin(_MODULE)
class L2(Regularizer):
    """The L2 penalty ``l2 * sum(x**2)``; also available as ``l2``.

    Args:
        l2: float, default 0.01: the factor, a finite number >= 0 (None means 0.01).

    Raises:
        ValueError: if ``l2`` is negative, infinite or not a number.

    Example:
        >>> L2(0.1)(torch.tensor([1.0, -2.0]))
        tensor(0.5000)
    """

    def __init__(self, l2: _Factor = 0.01) -> None:
        self.l2 = _factor(l2, "l2", default=0.01)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return _l2_penalty(x, self.l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


@register_builtin(_MODULE)
class L1L2(Regularizer):
    """The sum of the L1 and L2 penalties ``l1 * sum(|x|) + l2 * sum(x**2)``; also available as ``l1_l2``.

    Args:
        l1: float, default 0.0: the L1 factor, a finite number >= 0 (None means 0).
        l2: float, default 0.0: the L2 factor, a finite number >= 0 (None means 0).

    Raises:
        ValueError: if a factor is negative, infinite or not a number.

    Example:
        >>> L1L2(l1=0.1, l2=0.1)(torch.tensor([-2.0]))
        tensor(0.6000)
    """

    def __init__(self, l1: _Factor = 0.0, l2: _Factor = 0.0) -> None:
        self.l1 = _factor(l1, "l1", default=0.0)
        self.l2 = _factor(l2, "l2", default=0.0)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        penalty = super().__call__(x)
        if self.l1:
            penalty = penalty + _l1_penalty(x, self.l1)
        if self.l2:
            penalty = penalty + _l2_penalty(x, self.l2)
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@register_builtin(_MODULE)
class OrthogonalRegularizer(Regularizer):
    """``factor`` times the mean ``|cosine|`` between distinct rows (or columns) of a 2-D weight.

    It pushes the rows (columns) towards being orthogonal to each other. A single row (column) has
    no pairs and gives 0 (Keras 3 returns NaN). Also available as ``orthogonal_regularizer``.

    Args:
        factor: float, default 0.01: the factor, a finite number >= 0 (None means 0.01).
        mode: str, default ``"rows"``: ``"rows"`` compares the rows of the weight, ``"columns"`` its
            columns (the weights into each unit of a ``(in, out)`` Dense kernel).

    Raises:
        ValueError: if ``factor`` is negative, infinite or not a number, or ``mode`` is neither
            ``"rows"`` nor ``"columns"``; when called, if the weight is not of rank 2.

    Example:
        >>> OrthogonalRegularizer(1.0)(torch.eye(3))
        tensor(0.)
        >>> OrthogonalRegularizer(1.0)(torch.tensor([[1.0, 0.0], [1.0, 1.0]]))  # |cos 45 degrees|
        tensor(0.7071)
    """

    def __init__(self, factor: _Factor = 0.01, mode: str = "rows") -> None:
        self.factor = _factor(factor, "factor", default=0.01)
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument mode: expected 'rows' or 'columns', received mode={mode!r}")
        self.mode = mode

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2:
            raise ValueError(
                f"Inputs to OrthogonalRegularizer must have rank 2, received inputs.shape={tuple(x.shape)}"
            )
        vectors = F.normalize(x if self.mode == "rows" else x.T, dim=1)
        n = vectors.shape[0]
        if n < 2:
            return torch.zeros((), dtype=x.dtype, device=x.device)
        products = torch.abs(vectors @ vectors.T)
        off_diagonal = products.sum() - torch.diagonal(products).sum()
        return self.factor * off_diagonal / (n * (n - 1))

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
for _name, _cls in {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}.items():
    register_builtin(_MODULE, _name)(_cls)


serialize, deserialize, get = namespace_functions(_MODULE, "regularizer", Regularizer, __name__)


def __dir__():
    return sorted(__all__)
