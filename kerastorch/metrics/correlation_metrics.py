"""Correlation metrics: ``PearsonCorrelation`` and ``ConcordanceCorrelation``, the running (weighted) means of
the per-sample coefficients :func:`pearson_correlation` and :func:`concordance_correlation`, as in Keras 3.

Each coefficient is computed along ``axis`` (default -1: one value per sample, over its last axis), with
population (biased) variances. As in Keras 3, Pearson's coefficient of a constant vector is NaN (0 / 0),
and the concordance coefficient adds ``epsilon`` to its denominator.

Example:
    >>> import torch
    >>> m = PearsonCorrelation()
    >>> m(torch.tensor([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]]), torch.tensor([[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]]))
    tensor(0.9967)
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, ClassVar, Sequence, TypeVar

import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.losses.losses_utils import prepare
from kerastorch.metrics.reduction_metrics import FUNCTIONS_MODULE, MODULE, FunctionMetric
from kerastorch.serialization.object_registration import register_builtin

_F = TypeVar("_F", bound=Callable[..., Any])
_M = TypeVar("_M", bound="type[_CorrelationMetric]")


def _check_axis(owner, axis):
    """``axis`` as an int or a tuple of ints (a list from a JSON config becomes a tuple), else a ValueError
    naming ``owner``."""
    values = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not values or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in values):
        raise ValueError(
            f"{owner}: Argument `axis` must be an int or a non-empty tuple of ints. Received: axis={axis!r}"
        )
    return tuple(int(a) for a in values) if isinstance(axis, (list, tuple)) else int(axis)


def _centered(owner, y_true, y_pred, axis):
    """``y_true`` and ``y_pred`` (a float tensor, ``y_true`` cast to it, ranks matched), their means along
    ``axis`` (kept) and the deviations from those means."""
    axis = _check_axis(owner, axis)
    y_true, y_pred = prepare(owner, y_true, y_pred)
    rank = max(y_true.dim(), y_pred.dim())
    for a in axis if isinstance(axis, tuple) else (axis,):
        if not -rank <= a < rank:
            raise ValueError(
                f"{owner}: Argument `axis` must name axes of inputs of rank {rank}. Received: axis={axis!r}"
            )
    true_mean, pred_mean = y_true.mean(axis, keepdim=True), y_pred.mean(axis, keepdim=True)
    return axis, true_mean, pred_mean, y_true - true_mean, y_pred - pred_mean


_FUNCTION_DOC = """{title} between ``y_true`` and ``y_pred`` along ``axis``.

    {formula}

    Args:
        y_true: tensor or array-like. The targets; cast to ``y_pred``'s float dtype.
        y_pred: tensor or array-like. The predictions, of a shape that broadcasts with ``y_true``'s.
        axis: int or tuple of ints, default -1. The axis (axes) along which to compute; they are reduced.

    Returns:
        A tensor of the inputs' shape without ``axis``: one coefficient per sample by default.

    Example:
        >>> {function}([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])
        {result}
    """

_METRIC_DOC = """The (weighted) mean of {title} between labels and predictions.

    Each batch adds one coefficient per sample (:func:`{function}` along ``axis``), weighted by
    ``sample_weight`` when given; ``result()`` is their running mean.
    {meaning}

    Args:
        name: str, default ``"{function}"``. The metric's name.
        dtype: str or torch dtype, default None (the default float type). The dtype of the state and result.
        axis: int or tuple of ints, default -1. The axis (axes) along which each coefficient is computed.

    Example:
        >>> import torch
        >>> m = {cls}()
        >>> m.update_state(torch.tensor([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]]),
        ...                torch.tensor([[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]]), sample_weight=torch.tensor([1.0, 3.0]))
        >>> m.result()
        {weighted}
    """


_TITLES: dict[str, str] = {}  # function name: what it computes (for the docstrings)


def _coefficient(title: str, formula: str, result: str) -> Callable[[_F], _F]:
    """Decorator of the two functions: their docstring (``title``, ``formula``: what they compute; ``result``:
    what the example shows) and their registration."""

    def decorate(function: _F) -> _F:
        _TITLES[function.__name__] = title
        function.__doc__ = _FUNCTION_DOC.format(title=title, formula=formula, function=function.__name__, result=result)
        return register_builtin(FUNCTIONS_MODULE)(function)

    return decorate


@_coefficient(
    "Pearson's correlation coefficient",
    """The mean of the product of the standardized inputs,
    ``mean(((y_true - mean(y_true)) / std(y_true)) * ((y_pred - mean(y_pred)) / std(y_pred)))``, the means
    and (population) standard deviations taken along ``axis``. It ranges from -1 (perfectly anti-correlated)
    to 1 (perfectly correlated); a constant vector gives NaN (0 / 0), as in Keras 3.""",
    "tensor([1.0000, 0.9934])",
)
def pearson_correlation(y_true: TensorLike, y_pred: TensorLike, axis: int | Sequence[int] = -1) -> torch.Tensor:
    axis, _, _, true_dev, pred_dev = _centered("pearson_correlation", y_true, y_pred, axis)
    true_std = true_dev.std(axis, correction=0, keepdim=True)
    pred_std = pred_dev.std(axis, correction=0, keepdim=True)
    return ((true_dev / true_std) * (pred_dev / pred_std)).mean(axis)


@_coefficient(
    "Lin's concordance correlation coefficient",
    """Twice the covariance over the sum of the
    variances and the squared difference of the means (plus ``epsilon``),
    ``2 * cov(y_true, y_pred) / (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred)) ** 2 + epsilon)``,
    the (population) moments taken along ``axis``. It measures agreement with the line ``y_pred == y_true``:
    1 for perfect agreement, lower as predictions drift from the targets in correlation, scale or offset.""",
    "tensor([0.9756, 0.9877])",
)
def concordance_correlation(y_true: TensorLike, y_pred: TensorLike, axis: int | Sequence[int] = -1) -> torch.Tensor:
    axis, true_mean, pred_mean, true_dev, pred_dev = _centered("concordance_correlation", y_true, y_pred, axis)
    denominator = (
        true_dev.square().mean(axis, keepdim=True)
        + pred_dev.square().mean(axis, keepdim=True)
        + (true_mean - pred_mean).square()
        + config.epsilon()
    )
    return (2 * true_dev * pred_dev / denominator).mean(axis)


class _CorrelationMetric(FunctionMetric):
    """Shared by the two metrics: the running mean of ``_function`` along ``axis``."""

    _function: ClassVar[Callable[..., torch.Tensor]]  # set by _mean_of

    def __init__(self, name: str | None, dtype: DTypeLike, axis: int | Sequence[int]) -> None:
        axis = _check_axis(type(self).__name__, axis)
        super().__init__(type(self)._function, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


def _mean_of(function: Callable[..., torch.Tensor], meaning: str, weighted: str) -> Callable[[_M], _M]:
    """Decorator of the two metrics: the function they average, their docstring (``meaning``: how to read the
    result; ``weighted``: what the example shows) and their registration."""

    def decorate(cls: _M) -> _M:
        cls._function = staticmethod(function)
        cls.__doc__ = _METRIC_DOC.format(
            title=_TITLES[function.__name__],
            function=function.__name__,
            meaning=meaning,
            cls=cls.__name__,
            weighted=weighted,
        )
        return register_builtin(MODULE)(cls)

    return decorate


@_mean_of(
    pearson_correlation,
    "1 means a perfect positive linear relation, 0 none, -1 a perfect negative one.",
    "tensor(0.9950)",
)
class PearsonCorrelation(_CorrelationMetric):
    def __init__(
        self, name: str | None = "pearson_correlation", dtype: DTypeLike = None, axis: int | Sequence[int] = -1
    ) -> None:
        super().__init__(name, dtype, axis)


@_mean_of(concordance_correlation, "1 means perfect agreement of predictions and labels.", "tensor(0.9846)")
class ConcordanceCorrelation(_CorrelationMetric):
    def __init__(
        self, name: str | None = "concordance_correlation", dtype: DTypeLike = None, axis: int | Sequence[int] = -1
    ) -> None:
        super().__init__(name, dtype, axis)
