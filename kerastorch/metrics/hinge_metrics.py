"""Hinge metrics: running means of the hinge losses (labels -1/1, or 0/1 mapped to -1/1).

Example:
    >>> import torch
    >>> m = Hinge()
    >>> m(torch.tensor([[1.0, -1.0]]), torch.tensor([[0.5, -2.0]]))
    tensor(0.2500)
"""

from __future__ import annotations

from kerastorch import losses
from kerastorch.backend.annotations import DTypeLike
from kerastorch.metrics.reduction_metrics import MODULE, FunctionMetric
from kerastorch.serialization.object_registration import register_builtin


@register_builtin(MODULE)
class Hinge(FunctionMetric):
    """The mean of ``max(1 - y_true * y_pred, 0)``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.hinge` (labels -1/1; a batch of 0/1 labels is mapped to -1/1).

    Args:
        name: str or None, default ``"hinge"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> Hinge()(torch.tensor([[1.0]]), torch.tensor([[0.25]]))
        tensor(0.7500)
    """

    def __init__(self, name: str | None = "hinge", dtype: DTypeLike = None) -> None:
        super().__init__(losses.hinge, name=name, dtype=dtype)


@register_builtin(MODULE)
class SquaredHinge(FunctionMetric):
    """The mean of ``max(1 - y_true * y_pred, 0) ** 2``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.squared_hinge` (labels -1/1; a batch of 0/1 labels is mapped to -1/1).

    Args:
        name: str or None, default ``"squared_hinge"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> SquaredHinge()(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor(0.2500)
    """

    def __init__(self, name: str | None = "squared_hinge", dtype: DTypeLike = None) -> None:
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


@register_builtin(MODULE)
class CategoricalHinge(FunctionMetric):
    """The mean of ``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` (one-hot labels).

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.categorical_hinge`.

    Args:
        name: str or None, default ``"categorical_hinge"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.25, 0.75]]))
        tensor(0.5000)
    """

    def __init__(self, name: str | None = "categorical_hinge", dtype: DTypeLike = None) -> None:
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
