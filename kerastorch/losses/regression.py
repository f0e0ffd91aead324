"""Regression losses: squared, absolute, percentage, logarithmic, Huber, log-cosh and cosine similarity.

Every function converts ``y_true`` to ``y_pred``'s dtype, matches their ranks (a trailing
axis of size 1 is squeezed or added, as in Keras) and reduces over the last axis (the given
``axis`` for cosine similarity). Shapes that do not broadcast raise a ``ValueError`` naming
the loss. ``huber`` refuses a non-positive ``delta`` (Keras 3 accepts it and returns
meaningless values).

Example:
    >>> mean_squared_error(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.5000])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper
from kerastorch.losses.losses_utils import ArgumentFreeLoss, prepare
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")
_LOG_2 = math.log(2.0)


@_builtin
def mean_squared_error(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean((y_true - y_pred) ** 2, axis=-1)``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> mean_squared_error(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor([1.])
    """
    y_true, y_pred = prepare("mean_squared_error", y_true, y_pred)
    return torch.square(y_true - y_pred).mean(-1)


@_builtin
def mean_absolute_error(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean(|y_true - y_pred|, axis=-1)``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> mean_absolute_error(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor([1.])
    """
    y_true, y_pred = prepare("mean_absolute_error", y_true, y_pred)
    return torch.abs(y_true - y_pred).mean(-1)


@_builtin
def mean_absolute_percentage_error(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|, axis=-1)``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> mean_absolute_percentage_error(torch.tensor([[2.0, 4.0]]), torch.tensor([[1.0, 5.0]]))
        tensor([37.5000])
    """
    y_true, y_pred = prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.abs(y_true).clamp_min(config.epsilon()))
    return 100.0 * diff.mean(-1)


@_builtin
def mean_squared_logarithmic_error(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> mean_squared_logarithmic_error(torch.tensor([[0.0]]), torch.tensor([[math.e ** 2 - 1]])).round()
        tensor([4.])
    """
    y_true, y_pred = prepare("mean_squared_logarithmic_error", y_true, y_pred)
    eps = config.epsilon()
    return torch.square(torch.log(y_pred.clamp_min(eps) + 1.0) - torch.log(y_true.clamp_min(eps) + 1.0)).mean(-1)


@_builtin
def huber(y_true: TensorLike, y_pred: TensorLike, delta: float = 1.0) -> torch.Tensor:
    """Mean over the last axis of ``0.5 * e**2`` where ``|e| <= delta``, else ``delta * (|e| - 0.5 * delta)``,
    with ``e = y_pred - y_true``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.
        delta: float, default 1.0: where the loss turns from quadratic to linear (> 0).

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if ``delta`` is not a positive number, or the shapes do not broadcast.

    Example:
        >>> huber(torch.tensor([[0.0, 0.0]]), torch.tensor([[0.5, 3.0]]))
        tensor([1.3125])
    """
    delta = _positive_delta(delta)
    targets, predictions = prepare("huber", y_true, y_pred)
    if targets.shape != predictions.shape:
        targets, predictions = torch.broadcast_tensors(targets, predictions)
    return F.huber_loss(predictions, targets, reduction="none", delta=delta).mean(-1)


def _positive_delta(delta):
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not 0 < delta < math.inf:
        raise ValueError(f"huber: delta must be a positive float, received delta={delta!r}")
    return float(delta)


@_builtin
def log_cosh(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably as ``x + softplus(-2x) - log(2)``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> log_cosh(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
        tensor([0.])
    """
    y_true, y_pred = prepare("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - _LOG_2).mean(-1)


@_builtin
def cosine_similarity(y_true: TensorLike, y_pred: TensorLike, axis: int = -1) -> torch.Tensor:
    """Minus the cosine similarity along ``axis`` (vectors shorter than epsilon are divided by epsilon).

    The result is between -1 (same direction) and 1 (opposite directions), so minimizing it aligns
    ``y_pred`` with ``y_true``.

    Args:
        y_true: tensor or array-like, the targets, of ``y_pred``'s shape or broadcastable to it (a trailing axis
            of size 1 is added or squeezed to match the ranks).
        y_pred: tensor or array-like, the predictions, shape ``(batch_size, d0, .., dN)``.
        axis: int, default -1: the axis along which the vectors lie.

    Returns:
        Tensor of the inputs' shape without ``axis``.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0]]))
        tensor([-1.])
    """
    y_true, y_pred = prepare("cosine_similarity", y_true, y_pred)
    eps = config.epsilon()
    return -(F.normalize(y_true, dim=axis, eps=eps) * F.normalize(y_pred, dim=axis, eps=eps)).sum(axis)


@_builtin
class MeanSquaredError(ArgumentFreeLoss):
    """The mean of squared errors: :func:`mean_squared_error` of each sample, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"mean_squared_error"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> MeanSquaredError()(torch.tensor([[0.0, 2.0], [0.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
        tensor(1.)
        >>> MeanSquaredError(reduction="none")(torch.tensor([[0.0, 2.0], [0.0, 0.0]]), torch.ones(2, 2))
        tensor([1., 1.])
    """

    function = staticmethod(mean_squared_error)


@_builtin
class MeanAbsoluteError(ArgumentFreeLoss):
    """The mean of absolute errors: :func:`mean_absolute_error` of each sample, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"mean_absolute_error"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> MeanAbsoluteError(reduction="sum")(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor(1.)
    """

    function = staticmethod(mean_absolute_error)


@_builtin
class MeanAbsolutePercentageError(ArgumentFreeLoss):
    """The mean absolute percentage error: :func:`mean_absolute_percentage_error` of each sample, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"mean_absolute_percentage_error"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> MeanAbsolutePercentageError()(torch.tensor([[2.0]]), torch.tensor([[1.0]]))
        tensor(50.)
    """

    function = staticmethod(mean_absolute_percentage_error)


@_builtin
class MeanSquaredLogarithmicError(ArgumentFreeLoss):
    """The mean squared error of ``log(1 + x)``: :func:`mean_squared_logarithmic_error` of each sample, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"mean_squared_logarithmic_error"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> MeanSquaredLogarithmicError()(torch.tensor([[0.0]]), torch.tensor([[math.e ** 2 - 1]])).round()
        tensor(4.)
    """

    function = staticmethod(mean_squared_logarithmic_error)


@_builtin
class LogCosh(ArgumentFreeLoss):
    """The mean of ``log(cosh(error))``: :func:`log_cosh` of each sample, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"log_cosh"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> LogCosh()(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
        tensor(0.)
    """

    function = staticmethod(log_cosh)


@_builtin
class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for errors up to ``delta``, linear beyond (:func:`huber`, then reduced).

    Args:
        delta: float, default 1.0: where the loss turns from quadratic to linear (> 0).
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"huber_loss"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: if ``delta`` is not a positive number, or for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> Huber(delta=1.0)(torch.tensor([[0.0, 0.0]]), torch.tensor([[0.5, 3.0]]))
        tensor(1.3125)
    """

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "huber_loss",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=_positive_delta(delta))


@_builtin
class CosineSimilarity(LossFunctionWrapper):
    """Minus the cosine similarity between ``y_true`` and ``y_pred`` along ``axis`` (:func:`cosine_similarity`,
    then reduced).

    Args:
        axis: int, default -1: the axis along which the vectors lie.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"cosine_similarity"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> CosineSimilarity()(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
        tensor(-0.7071)
    """

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "cosine_similarity",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
