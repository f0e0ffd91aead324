"""F-scores: ``FBetaScore`` and ``F1Score``, per class or averaged, as in Keras 3.

Inputs are ``(batch, classes)``. With ``threshold=None`` the top-scoring class of each
sample is the positive prediction (ties all count; an all-zero row predicts nothing);
otherwise a score above ``threshold`` is positive.

Example:
    >>> m = F1Score(average="macro", threshold=0.5)
    >>> m(torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.9, 0.2], [0.6, 0.7]]))
    tensor(0.8333)
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.reduction_metrics import MODULE
from kerastorch.serialization.object_registration import register_builtin

_AVERAGES = (None, "micro", "macro", "weighted")


@register_builtin(MODULE)
class FBetaScore(Metric):
    """The F-beta score ``(1 + beta²) * precision * recall / (beta² * precision + recall)``.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds per-class true positive, false positive and
    false negative counts (weighted); ``result()`` computes the scores from them.

    Args:
        average: str or None, default None: None (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (the mean of the class scores) or ``"weighted"`` (the mean weighted by each
            class's label count).
        beta: float, default 1.0: the weight of recall relative to precision (> 0).
        threshold: float in ``(0, 1]`` or None, default None: a score above it is a positive prediction; None
            makes the top-scoring class of each sample the positive prediction (ties all count).
        name: str or None, default ``"fbeta_score"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if ``average`` is not one of the values above, ``beta`` is not a number > 0, ``threshold``
            is not None or a float in ``(0, 1]``, or for an unknown ``dtype``; on update, if the inputs are not
            2-D of the same shape.

    Example:
        >>> FBetaScore(beta=2.0, threshold=0.5)(torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.9, 0.2], [0.6, 0.7]]))
        tensor([0.8333, 1.0000])
    """

    # the state tensors, made by _build on the first update
    true_positives: torch.Tensor
    false_positives: torch.Tensor
    false_negatives: torch.Tensor
    intermediate_weights: torch.Tensor

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str | None = "fbeta_score",
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                f"Invalid `average` argument value. Expected one of: {_AVERAGES}. Received: average={average!r}"
            )
        if isinstance(beta, bool) or not isinstance(beta, (float, int, numbers.Real)) or not beta > 0:
            raise ValueError(f"`beta` should be a float greater than 0. Received: beta={beta!r}")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, (float, int, numbers.Real))
            or not 0 < threshold <= 1
        ):
            raise ValueError(f"`threshold` should be a float in the interval (0, 1]. Received: threshold={threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = threshold
        self._built = False

    def _build(self, num_classes):
        shape = () if self.average == "micro" else (num_classes,)
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable(shape, name=name))
        self._num_classes = num_classes
        self._built = True

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        if y_true.dim() != 2 or y_pred.dim() != 2 or y_true.shape != y_pred.shape:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs of the same shape (batch_size, output_dim), "
                f"received y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}"
            )
        if not self._built:
            self._build(y_pred.shape[-1])
        elif y_pred.shape[-1] != self._num_classes:
            raise ValueError(
                f"{self.name}: expected {self._num_classes} classes as before, received "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        if self.threshold is None:
            top = y_pred.amax(-1, keepdim=True)
            predicted = (y_pred >= top) & (y_pred.abs() > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.to(y_true.dtype)
        weight = None if sample_weight is None else self._tensor(sample_weight, self.dtype).reshape(-1, 1)
        dims = None if self.average == "micro" else 0

        def weighted_sum(values):
            values = values if weight is None else values * weight
            return values.sum() if dims is None else values.sum(dims)

        self.true_positives.add_(weighted_sum(predicted * y_true))
        self.false_positives.add_(weighted_sum(predicted * (1 - y_true)))
        self.false_negatives.add_(weighted_sum((1 - predicted) * y_true))
        self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=config.torch_dtype(self.dtype), device=self._device)
        eps = config.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta2 = self.beta**2
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights / (self.intermediate_weights.sum() + eps)
            return (score * weights).sum()
        if self.average is not None:
            return score.mean()
        return score

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


@register_builtin(MODULE)
class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (:class:`FBetaScore` with beta 1).

    Args:
        average: str or None, default None: None (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (the mean of the class scores) or ``"weighted"`` (the mean weighted by each
            class's label count).
        threshold: float in ``(0, 1]`` or None, default None: a score above it is a positive prediction; None
            makes the top-scoring class of each sample the positive prediction (ties all count).
        name: str or None, default ``"f1_score"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if ``average`` is not one of the values above, ``threshold`` is not None or a float in
            ``(0, 1]``, or for an unknown ``dtype``; on update, if the inputs are not 2-D of the same shape.

    Example:
        >>> F1Score(threshold=0.5)(torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.9, 0.2], [0.6, 0.7]]))
        tensor([0.6667, 1.0000])
        >>> m = F1Score(average="micro", threshold=0.5)
        >>> m(torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.9, 0.2], [0.6, 0.7]]))
        tensor(0.8000)
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str | None = "f1_score",
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
