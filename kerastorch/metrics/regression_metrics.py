"""Regression metrics: running means of the regression losses, RMSE, cosine similarity, R².

Example:
    >>> m = MeanAbsoluteError()
    >>> m(torch.tensor([[0.0, 1.0], [0.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]))
    tensor(0.5000)
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from kerastorch import losses
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.backend.norms import normalize
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.metrics_utils import broadcast_weight, check_broadcastable, squeeze_or_expand_to_same_rank
from kerastorch.metrics.reduction_metrics import MODULE, FunctionMetric, Mean
from kerastorch.serialization.object_registration import register_builtin


@register_builtin(MODULE)
class MeanSquaredError(FunctionMetric):
    """The mean of ``(y_true - y_pred) ** 2``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.mean_squared_error`.

    Args:
        name: str or None, default ``"mean_squared_error"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> MeanSquaredError()(torch.tensor([[0.0, 1.0], [0.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]))
        tensor(0.5000)
    """

    def __init__(self, name: str | None = "mean_squared_error", dtype: DTypeLike = None) -> None:
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


@register_builtin(MODULE)
class MeanAbsoluteError(FunctionMetric):
    """The mean of ``|y_true - y_pred|``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.mean_absolute_error`.

    Args:
        name: str or None, default ``"mean_absolute_error"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> MeanAbsoluteError()(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 3.0]]))
        tensor(1.5000)
    """

    def __init__(self, name: str | None = "mean_absolute_error", dtype: DTypeLike = None) -> None:
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


@register_builtin(MODULE)
class MeanAbsolutePercentageError(FunctionMetric):
    """The mean of ``100 * |y_true - y_pred| / |y_true|`` (the divisor kept above epsilon).

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.mean_absolute_percentage_error`.

    Args:
        name: str or None, default ``"mean_absolute_percentage_error"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> MeanAbsolutePercentageError()(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.5, 2.0]]))
        tensor(25.)
    """

    def __init__(self, name: str | None = "mean_absolute_percentage_error", dtype: DTypeLike = None) -> None:
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


@register_builtin(MODULE)
class MeanSquaredLogarithmicError(FunctionMetric):
    """The mean of ``(log(1 + y_true) - log(1 + y_pred)) ** 2`` (inputs kept above epsilon).

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.mean_squared_logarithmic_error`.

    Args:
        name: str or None, default ``"mean_squared_logarithmic_error"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> MeanSquaredLogarithmicError()(torch.tensor([[0.0]]), torch.tensor([[1.718281828]]))
        tensor(1.0000)
    """

    def __init__(self, name: str | None = "mean_squared_logarithmic_error", dtype: DTypeLike = None) -> None:
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


@register_builtin(MODULE)
class LogCoshError(FunctionMetric):
    """The mean of ``log(cosh(y_pred - y_true))``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.log_cosh`.

    Args:
        name: str or None, default ``"logcosh"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> LogCoshError()(torch.tensor([[0.0, 0.0]]), torch.tensor([[0.0, 0.0]]))
        tensor(0.)
    """

    def __init__(self, name: str | None = "logcosh", dtype: DTypeLike = None) -> None:
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


def cosine_similarity(y_true: TensorLike, y_pred: TensorLike, axis: int = -1) -> torch.Tensor:
    """The cosine of the angle between ``y_true`` and ``y_pred`` along ``axis`` (zero vectors give 0).

    Args:
        y_true: tensor or array-like, the target vectors, of ``y_pred``'s shape or broadcastable to it.
        y_pred: tensor or array-like, the predicted vectors.
        axis: int, default -1: the axis along which the vectors lie.

    Returns:
        Tensor of the broadcast shape without ``axis``, values in ``[-1, 1]``.

    Raises:
        ValueError: if the shapes do not broadcast.

    Example:
        >>> cosine_similarity(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    y_pred = torch.as_tensor(y_pred)
    y_true = torch.as_tensor(y_true).to(y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "cosine_similarity")
    return (normalize(y_true, axis=axis) * normalize(y_pred, axis=axis)).sum(axis)


@register_builtin(MODULE)
class CosineSimilarity(FunctionMetric):
    """The mean cosine similarity between labels and predictions along ``axis``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of the cosine
    similarity of each sample (1 for the same direction, -1 for opposite ones; unlike the
    loss of the same name, not negated).

    Args:
        name: str or None, default ``"cosine_similarity"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        axis: int, default -1: the axis along which the vectors lie.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> CosineSimilarity()(torch.tensor([[0.0, 1.0], [1.0, 1.0]]), torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
        tensor(0.5000)
    """

    def __init__(self, name: str | None = "cosine_similarity", dtype: DTypeLike = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


@register_builtin(MODULE)
class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean of ``(y_true - y_pred) ** 2``.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds the squared errors to a running mean (as
    :class:`Mean`); ``result()`` is its square root.

    Args:
        name: str or None, default ``"root_mean_squared_error"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> RootMeanSquaredError()(torch.tensor([[0.0, 1.0], [0.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]))
        tensor(0.7071)
    """

    def __init__(self, name: str | None = "root_mean_squared_error", dtype: DTypeLike = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(  # type: ignore[override]
        self,
        y_true: TensorLike,
        y_pred: TensorLike,
        sample_weight: TensorLike | None = None,
    ) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        check_broadcastable(y_true, y_pred, self.name)
        self._accumulate(torch.square(y_pred - y_true), sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


@register_builtin(MODULE)
class R2Score(Metric):
    """The coefficient of determination, one score per output column, then aggregated:
    ``class_aggregation`` is ``"uniform_average"`` (default), ``"variance_weighted_average"``
    or None (the per-output scores). ``num_regressors > 0`` gives the adjusted R².
    Inputs are ``(batch, outputs)``.

    Each score is ``1 - sum((y_true - y_pred) ** 2) / sum((y_true - mean(y_true)) ** 2)`` over all the samples
    seen (weighted by ``sample_weight``).

    Args:
        class_aggregation: str or None, default ``"uniform_average"``: how the per-output scores are combined:
            ``"uniform_average"`` (their mean), ``"variance_weighted_average"`` (weighted by each output's
            variance) or None (one score per output).
        num_regressors: int, default 0: the number of independent variables of the model; above 0, the score is
            adjusted for it (with ``num_samples`` counted in entries, as Keras 3 does; with too few samples the
            plain score is returned, with a warning).
        name: str or None, default ``"r2_score"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if ``class_aggregation`` is not one of the values above, ``num_regressors`` is not an
            integer >= 0, or for an unknown ``dtype``; on update, if the inputs are not 2-D of the same shape
            (with as many outputs as before).

    Example:
        >>> R2Score()(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[1.0], [2.0], [4.0]]))
        tensor(0.5000)
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str | None = "r2_score",
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"R2Score: class_aggregation must be one of {_AGGREGATIONS}, received "
                f"class_aggregation={class_aggregation!r}"
            )
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int) or num_regressors < 0:
            raise ValueError(
                f"R2Score: num_regressors must be an integer >= 0, received num_regressors={num_regressors!r}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._samples_seen = 0  # host copy of num_samples (shapes are known on the host)
        self._built = False

    def _build(self, num_outputs):
        self.squared_sum = self.add_variable((num_outputs,), name="squared_sum")
        self.sum = self.add_variable((num_outputs,), name="sum")
        self.total_mse = self.add_variable((num_outputs,), name="residual")
        self.count = self.add_variable((num_outputs,), name="count")
        self._built = True

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_true.dim() != 2 or y_pred.dim() != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), received "
                f"y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}"
            )
        if y_true.shape != y_pred.shape or (self._built and y_true.shape[1] != self.sum.shape[0]):
            expected = f" with {self.sum.shape[0]} outputs, as before" if self._built else ""
            raise ValueError(
                f"R2Score: expected y_true and y_pred of the same shape{expected}, received "
                f"y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}"
            )
        if not self._built:
            self._build(y_true.shape[1])
        if sample_weight is None:
            weight = torch.ones((), dtype=y_true.dtype, device=y_true.device)
        else:
            weight = self._tensor(sample_weight, self.dtype)
            if weight.dim() == 1:
                weight = weight.unsqueeze(1)
        weight = broadcast_weight(weight, y_true.shape)
        weighted_y_true = y_true * weight
        self.sum.add_(weighted_y_true.sum(0))
        self.squared_sum.add_((y_true * weighted_y_true).sum(0))
        self.total_mse.add_((torch.square(y_true - y_pred) * weight).sum(0))
        self.count.add_(weight.sum(0))
        self.num_samples.add_(y_true.numel())
        self._samples_seen += y_true.numel()

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self.num_samples.dtype, device=self._device)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        scores = 1 - self.total_mse / total
        scores = torch.where(torch.isinf(scores), torch.zeros_like(scores), scores)
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (scores * total).sum() / total.sum()  # NaN without label variance, as Keras
        else:
            score = scores
        return self._adjust(score)

    def _adjust(self, score):
        """The adjusted R² for ``num_regressors`` regressors, as Keras 3 computes it."""
        if not self.num_regressors:
            return score
        if self.num_regressors >= self._samples_seen - 1:
            warnings.warn(
                "R2Score: the adjusted R2 score needs more data points than num_regressors + 1; "
                "falling back to the standard R2 score.",
                stacklevel=2,
            )
            return score
        n = self.num_samples
        return 1 - (1 - score) * (n - 1) / (n - self.num_regressors - 1)

    def reset_state(self) -> None:
        super().reset_state()
        self._samples_seen = 0

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
