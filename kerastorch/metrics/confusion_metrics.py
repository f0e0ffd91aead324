"""Metrics from confusion counts at thresholds: ``TruePositives``, ``FalsePositives``, ``TrueNegatives``,
``FalseNegatives``, ``Precision``, ``Recall``, ``AUC``, and the best value of one rate where another reaches
a target: ``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``.

A prediction is positive at threshold ``t`` when ``y_pred > t``; a label is positive
when it is non-zero. Counts are weighted sums kept per threshold (and per label for
``AUC(multi_label=True)``). With evenly spaced thresholds (AUC's and the ``...At...``
metrics' defaults) each prediction is counted by bucketing it once (a scatter-add and a
cumulative sum) instead of comparing it with every threshold, as Keras 3 does.

Example:
    >>> m = Precision()
    >>> m(torch.tensor([0.0, 1.0, 1.0, 1.0]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
    tensor(0.6667)
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar, Sequence, Union

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend import validation
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.metrics_utils import broadcast_weight, divide_no_nan, squeeze_or_expand_to_same_rank
from kerastorch.metrics.reduction_metrics import MODULE
from kerastorch.serialization.object_registration import register_builtin

NEG_INF = -1e10  # the score given to predictions outside the top k, and the threshold used with top_k
_Thresholds = Union[float, Sequence[float], None]  # one threshold, a list of them, or None for the default
_COUNT_NAMES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}


def _threshold_list(thresholds, default, owner):
    """``thresholds`` as a list of floats in [0, 1] (``default`` when None); ``owner`` names the
    metric in the error."""
    if thresholds is None:
        return [default]
    values = [thresholds] if isinstance(thresholds, numbers.Real) else list(thresholds)
    if not values or not all(isinstance(t, numbers.Real) and 0 <= t <= 1 for t in values):
        raise ValueError(
            f"{owner}: Threshold values must be in [0, 1] (argument `thresholds`: a float or a "
            f"non-empty list of floats). Received: thresholds={thresholds!r}"
        )
    return [float(t) for t in values]


def _init_thresholds(metric, thresholds, default):
    """Set ``metric.thresholds`` (a list), ``metric.init_thresholds`` (the argument as given, for the
    config: None, one number or a list) and the thresholds tensor the updates compare with."""
    metric.thresholds = _threshold_list(thresholds, default, type(metric).__name__)
    metric.init_thresholds = (
        None
        if thresholds is None
        else (metric.thresholds[0] if isinstance(thresholds, numbers.Real) else list(metric.thresholds))
    )
    metric._single = len(metric.thresholds) == 1
    metric._threshold_tensor = metric._add_constant(metric.thresholds)


def _filter_top_k(y_pred: torch.Tensor, k: int) -> torch.Tensor:
    """``y_pred`` with every score outside the ``k`` largest of its last axis set to NEG_INF."""
    indices = torch.topk(y_pred, min(k, y_pred.shape[-1]), dim=-1).indices
    keep = torch.zeros_like(y_pred, dtype=torch.bool).scatter_(-1, indices, True)
    return torch.where(keep, y_pred, torch.full_like(y_pred, NEG_INF))


def _confusion_inputs(
    metric: Metric,
    y_true: TensorLike,
    y_pred: TensorLike,
    sample_weight: TensorLike | None,
    top_k: int | None = None,
    class_id: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Labels, predictions and the sample weight broadcast to the predictions, as float tensors."""
    y_true = metric._tensor(y_true, metric.dtype)
    y_pred = metric._tensor(y_pred, metric.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{metric.name}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}"
        )
    weight = None
    if sample_weight is not None:
        # a per-sample weight gets a trailing axis, so (batch,) weights (batch, classes) predictions
        weight = metric._tensor(sample_weight, metric.dtype).unsqueeze(-1)
        _, weight = squeeze_or_expand_to_same_rank(y_true, weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() < 2:
            raise ValueError(
                f"{metric.name}: with class_id, y_pred must have shape (num_samples, num_classes), "
                f"received y_pred.shape={tuple(y_pred.shape)}"
            )
        if not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(
                f"{metric.name}: class_id={class_id} is out of range for y_pred with "
                f"{y_pred.shape[-1]} classes (y_pred.shape={tuple(y_pred.shape)})"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if weight is not None:
        weight = broadcast_weight(weight, y_pred.shape)
    return y_true, y_pred, weight


def _combined_weight(weight, label_weights, shape):
    if label_weights is None:
        return weight
    try:
        label_weights = label_weights.broadcast_to(shape)
    except RuntimeError:
        raise ValueError(
            f"AUC: {label_weights.shape[0]} label_weights do not fit predictions of shape {tuple(shape)}"
        ) from None
    return label_weights if weight is None else weight * label_weights


def confusion_counts(
    y_true: torch.Tensor,
    y_pred: torch.Tensor,
    thresholds: torch.Tensor,
    weight: torch.Tensor | None = None,
    multi_label: bool = False,
    kinds: Sequence[str] = ("tp", "fp", "tn", "fn"),
) -> dict[str, torch.Tensor]:
    """``{kind: counts}`` for kinds among tp/fp/tn/fn: weighted counts per threshold, shape
    ``(T,)``, or ``(T, labels)`` with ``multi_label`` (inputs ``(batch, labels)``)."""
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        weight = None if weight is None else weight.reshape(-1)
    positive = y_pred.unsqueeze(0) > thresholds.view((-1,) + (1,) * y_pred.dim())
    label = (y_true != 0).unsqueeze(0)
    cases = {
        "tp": lambda: label & positive,
        "fp": lambda: ~label & positive,
        "tn": lambda: ~label & ~positive,
        "fn": lambda: label & ~positive,
    }
    counts: dict[str, torch.Tensor] = {}
    for kind in kinds:
        hits = cases[kind]()
        counts[kind] = hits.sum(1) if weight is None else (hits * weight).sum(1)
    return counts


def bucketed_confusion_counts(
    y_true: torch.Tensor,
    y_pred: torch.Tensor,
    num_thresholds: int,
    weight: torch.Tensor | None = None,
    multi_label: bool = False,
    with_epsilon: bool = True,
) -> dict[str, torch.Tensor]:
    """Confusion counts for the thresholds ``[-eps, 1/(T-1), ..., (T-2)/(T-1), 1 + eps]`` (``with_epsilon``,
    AUC's), or ``[0, 1/(T-1), ..., 1]`` (where a prediction of 0 is below the first threshold): predictions
    are clipped to [0, 1], each lands in one bucket, and counts at a threshold are suffix sums of the buckets."""
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        weight = None if weight is None else weight.reshape(-1)
    label = (y_true != 0).to(y_pred.dtype)
    weight = torch.ones_like(y_pred) if weight is None else weight
    true_weight, false_weight = label * weight, (1 - label) * weight
    # y_pred > t_i  <=>  ceil(y_pred * (T - 1)) - 1 >= i, for t_i = i / (T - 1); -1 (a prediction of 0) is
    # above no threshold, but above -eps. Bucket 0 of T + 1 collects what is above no threshold.
    bucket = torch.ceil(y_pred.clamp(0.0, 1.0) * (num_thresholds - 1))
    bucket = (bucket.clamp_min(1) if with_epsilon else bucket).long()
    counts: dict[str, torch.Tensor] = {}
    for kind, values in (("tp", true_weight), ("fp", false_weight)):
        per_bucket = values.new_zeros((num_thresholds + 1,) + tuple(values.shape[1:])).scatter_add_(0, bucket, values)
        counts[kind] = per_bucket[1:].flip(0).cumsum(0).flip(0)
    counts["fn"] = true_weight.sum(0) - counts["tp"]
    counts["tn"] = false_weight.sum(0) - counts["fp"]
    return counts


def _add_count_variables(metric, shape):
    """The four count tensors ``metric.true_positives`` ... (Keras's names and order), of ``shape``."""
    for name in _COUNT_NAMES.values():
        setattr(metric, name, metric.add_variable(shape, name=name))


def _add_counts(metric, counts):
    """Add ``{kind: counts}`` (all four kinds) to the count tensors of ``metric``."""
    for kind, name in _COUNT_NAMES.items():
        getattr(metric, name).add_(counts[kind])


class _ConfusionCount(Metric):
    """Shared by the four count metrics: one weighted count of kind ``_kind`` (tp/fp/tn/fn) per threshold."""

    _kind: ClassVar[str]  # set by each count metric
    # set by _init_thresholds
    thresholds: list[float]
    init_thresholds: float | list[float] | None
    _single: bool
    _threshold_tensor: torch.Tensor

    def __init__(self, thresholds: _Thresholds = None, name: str | None = None, dtype: DTypeLike = None) -> None:
        super().__init__(name=name, dtype=dtype)
        _init_thresholds(self, thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true, y_pred, weight = _confusion_inputs(self, y_true, y_pred, sample_weight)
        counts = confusion_counts(y_true, y_pred, self._threshold_tensor, weight, kinds=(self._kind,))
        self.accumulator.add_(counts[self._kind])

    def result(self) -> torch.Tensor:
        return (self.accumulator[0] if self._single else self.accumulator).clone()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


_COUNT_DOC = """The (weighted) number of {what}.

    Each ``update_state(y_true, y_pred, sample_weight=None)`` adds, per threshold, the summed
    sample weights (1 per entry without them) of the entries counted; ``reset_state`` starts over.

    Args:
        thresholds: float or list of floats in [0, 1], default None (0.5). An entry is predicted
            positive at threshold ``t`` when ``y_pred > t``; a label is positive when non-zero.
            One threshold gives a scalar result, a list one count per threshold.
        name: str, default None (the snake-case class name). The metric's name.
        dtype: str or torch dtype, default None (the default float type). The counts' dtype.

    Example:
        >>> m = {cls}(thresholds=[0.3, 0.6])
        >>> m(torch.tensor([0, 1, 1, 0]), torch.tensor([0.4, 0.7, 0.5, 0.2]), sample_weight=torch.tensor([1, 2, 3, 4]))
        {result}
    """


def _count_metric(name, kind, what, result):
    """One of the four count metrics: a ``_ConfusionCount`` of ``kind`` with its docstring."""
    cls = type(
        name,
        (_ConfusionCount,),
        {"_kind": kind, "__module__": __name__, "__doc__": _COUNT_DOC.format(what=what, cls=name, result=result)},
    )
    return register_builtin(MODULE)(cls)


TruePositives = _count_metric(
    "TruePositives", "tp", "true positives: positive labels predicted positive", "tensor([5., 2.])"
)
FalsePositives = _count_metric(
    "FalsePositives", "fp", "false positives: negative labels predicted positive", "tensor([1., 0.])"
)
TrueNegatives = _count_metric(
    "TrueNegatives", "tn", "true negatives: negative labels predicted negative", "tensor([4., 5.])"
)
FalseNegatives = _count_metric(
    "FalseNegatives", "fn", "false negatives: positive labels predicted negative", "tensor([0., 3.])"
)


class _PrecisionOrRecall(Metric):
    """Shared by Precision and Recall: true positives plus one other count per threshold."""

    _other: ClassVar[str]  # "fp" for precision, "fn" for recall
    # set by _init_thresholds
    thresholds: list[float]
    init_thresholds: float | list[float] | None
    _single: bool
    _threshold_tensor: torch.Tensor

    def __init__(
        self,
        thresholds: _Thresholds = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        top_k = validation.positive_int(type(self).__name__, "top_k", top_k, allow_none=True)
        _init_thresholds(self, thresholds, 0.5 if top_k is None else NEG_INF)
        self.top_k = top_k
        self.class_id = class_id
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        other = self.add_variable((len(self.thresholds),), name=_COUNT_NAMES[self._other])
        setattr(self, _COUNT_NAMES[self._other], other)
        self._other_count = other

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true, y_pred, weight = _confusion_inputs(self, y_true, y_pred, sample_weight, self.top_k, self.class_id)
        counts = confusion_counts(y_true, y_pred, self._threshold_tensor, weight, kinds=("tp", self._other))
        self.true_positives.add_(counts["tp"])
        self._other_count.add_(counts[self._other])

    def result(self) -> torch.Tensor:
        values = divide_no_nan(self.true_positives, self.true_positives + self._other_count)
        return values[0] if self._single else values

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


@register_builtin(MODULE)
class Precision(_PrecisionOrRecall):
    """``tp / (tp + fp)``: the weighted fraction of positive predictions whose label is positive.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds the weighted true and false positive counts at
    each threshold (a label is positive when non-zero); ``result()`` divides them (0 where nothing was
    predicted positive).

    Args:
        thresholds: float, list of floats in ``[0, 1]`` or None, default None: an entry is predicted positive
            when ``y_pred > t``; a list gives one value per threshold. None means 0.5, or with ``top_k`` every
            score within the top k.
        top_k: int or None, default None: only the ``k`` largest scores of each sample (a positive int) can
            count as positive.
        class_id: int or None, default None: score only this class (an index on the last axis of
            ``(num_samples, num_classes)`` inputs).
        name: str or None, default None: the metric's name (None: ``"precision"``, numbered when repeated).
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if a threshold is outside ``[0, 1]`` (or ``thresholds`` is an empty list), ``top_k`` is not a
            positive int or None, or for an unknown ``dtype``; on update, if ``y_true`` and ``y_pred`` do not have the same shape or ``class_id`` is out
            of range.

    Example:
        >>> Precision()(torch.tensor([0.0, 1.0, 1.0, 1.0]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
        tensor(0.6667)
        >>> Precision(top_k=1)(torch.tensor([[0.0, 1.0, 1.0]]), torch.tensor([[0.2, 0.9, 0.5]]))
        tensor(1.)
    """

    _other = "fp"


@register_builtin(MODULE)
class Recall(_PrecisionOrRecall):
    """``tp / (tp + fn)``: the weighted fraction of positive labels predicted positive.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds the weighted true positive and false negative
    counts at each threshold (a label is positive when non-zero); ``result()`` divides them (0 where there
    was no positive label).

    Args:
        thresholds: float, list of floats in ``[0, 1]`` or None, default None: an entry is predicted positive
            when ``y_pred > t``; a list gives one value per threshold. None means 0.5, or with ``top_k`` every
            score within the top k.
        top_k: int or None, default None: only the ``k`` largest scores of each sample (a positive int) can
            count as positive.
        class_id: int or None, default None: score only this class (an index on the last axis of
            ``(num_samples, num_classes)`` inputs).
        name: str or None, default None: the metric's name (None: ``"recall"``, numbered when repeated).
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if a threshold is outside ``[0, 1]`` (or ``thresholds`` is an empty list), ``top_k`` is not a
            positive int or None, or for an unknown ``dtype``; on update, if ``y_true`` and ``y_pred`` do not have the same shape or ``class_id`` is out
            of range.

    Example:
        >>> Recall()(torch.tensor([0.0, 1.0, 1.0, 1.0]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
        tensor(0.6667)
        >>> Recall(thresholds=[0.3, 0.6])(torch.tensor([0.0, 1.0, 1.0, 1.0]), torch.tensor([0.5, 0.4, 0.7, 0.2]))
        tensor([0.6667, 0.3333])
    """

    _other = "fn"


def _evenly_spaced(points):
    """Whether ``points`` (including 0 and 1) are evenly spaced, so that bucketing applies."""
    if len(points) < 3:
        return False
    even = np.arange(len(points), dtype=np.float32) / (len(points) - 1)
    return bool(np.allclose(points, even, atol=config.epsilon()))


_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


@register_builtin(MODULE)
class AUC(Metric):
    """The area under the ROC curve (default), the precision-recall curve (``curve="PR"``) or
    the precision-recall-gain curve (``curve="PRGAIN"``), from confusion counts at
    ``num_thresholds`` thresholds (or the given ``thresholds``).

    ``update_state(y_true, y_pred, sample_weight=None)`` adds the weighted confusion counts at each threshold
    (a label is positive when non-zero); ``result()`` sums the area from them.

    Args:
        num_thresholds: int, default 200: the number of evenly spaced thresholds (> 1), including ``-epsilon``
            and ``1 + epsilon``; ignored when ``thresholds`` is given.
        curve: str, default ``"ROC"``: ``"ROC"``, ``"PR"`` or ``"PRGAIN"`` (case-insensitive).
        summation_method: str, default ``"interpolation"``: ``"interpolation"`` (trapezoids; for PR, Davis &
            Goadrich's interpolation), ``"minoring"`` (each interval at the lower of its two heights, a lower
            bound) or ``"majoring"`` (at the higher, an upper bound); case-insensitive.
        name: str or None, default None: the metric's name (None: ``"auc"``, numbered when repeated).
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        thresholds: list of floats in ``[0, 1]`` or None, default None: the thresholds to use instead of evenly
            spaced ones (``-epsilon`` and ``1 + epsilon`` are added; ``num_thresholds`` becomes their count).
        multi_label: bool, default False: keep counts per label (inputs ``(batch, labels)``) and average the
            per-label AUCs (weighted by ``label_weights`` when given); False pools all labels.
        num_labels: int or None, default None: with ``multi_label``, the number of labels (None: taken from the
            first batch).
        label_weights: list of non-negative floats or None, default None: per-label weights: of the per-label
            AUCs in the average with ``multi_label``, else of the pooled entries of each label.
        from_logits: bool, default False: apply a sigmoid to ``y_pred`` first.

    Raises:
        ValueError: if ``curve`` or ``summation_method`` is not one of the values above, ``num_thresholds`` is
            not an integer > 1, a threshold is outside ``[0, 1]``, ``label_weights`` is not a list of
            non-negative values, or for an unknown ``dtype``.

    Example:
        >>> AUC(num_thresholds=3)(torch.tensor([0.0, 0.0, 1.0, 1.0]), torch.tensor([0.0, 0.5, 0.3, 0.9]))
        tensor(0.7500)
        >>> AUC(from_logits=True, num_thresholds=3)(torch.tensor([0.0, 1.0]), torch.tensor([-2.0, 2.0]))
        tensor(1.)
    """

    # the count tensors, set by _add_count_variables (in _build)
    true_positives: torch.Tensor
    false_positives: torch.Tensor
    true_negatives: torch.Tensor
    false_negatives: torch.Tensor

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: DTypeLike = None,
        thresholds: _Thresholds = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: TensorLike | None = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.curve = _choice(curve, _CURVES, "curve", str.upper)
        self.summation_method = _choice(summation_method, _SUMMATIONS, "summation_method", str.lower)
        if thresholds is not None:
            inner = sorted(_threshold_list(thresholds, None, "AUC"))
            num_thresholds = len(inner) + 2
            self._thresholds_distributed_evenly = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds!r}"
                )
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._init_thresholds = thresholds is not None
        self.num_thresholds = num_thresholds
        self.thresholds = [0.0 - config.epsilon()] + inner + [1.0 + config.epsilon()]
        self._threshold_tensor = self._add_constant(self.thresholds)
        self.multi_label = bool(multi_label)
        self.from_logits = bool(from_logits)
        self.label_weights = None
        if label_weights is not None:
            self.label_weights = self._add_constant(label_weights)
            if self.label_weights.dim() != 1 or bool((self.label_weights < 0).any()):
                raise ValueError(
                    f"AUC: label_weights must be a list of non-negative values, received {label_weights!r}"
                )
        self.num_labels = num_labels
        self._built = False
        if not self.multi_label:
            self._build(None)
        elif num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels):
        _add_count_variables(self, (self.num_thresholds,) if num_labels is None else (self.num_thresholds, num_labels))
        self.num_labels = num_labels
        self._built = True

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        if self.multi_label:
            shape = tuple(torch.as_tensor(y_pred).shape) if not isinstance(y_pred, torch.Tensor) else y_pred.shape
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {tuple(shape)}"
                )
            if not self._built:
                self._build(shape[1])
            elif shape[1] != self.num_labels:
                raise ValueError(
                    f"{self.name}: expected y_pred with {self.num_labels} labels, received y_pred.shape={tuple(shape)}"
                )
        y_true, y_pred, weight = _confusion_inputs(self, y_true, y_pred, sample_weight)
        if self.from_logits:
            y_pred = torch.sigmoid(y_pred)
        if not self.multi_label:
            weight = _combined_weight(weight, self.label_weights, y_pred.shape)
        if self._thresholds_distributed_evenly:
            counts = bucketed_confusion_counts(y_true, y_pred, self.num_thresholds, weight, self.multi_label)
        else:
            counts = confusion_counts(y_true, y_pred, self._threshold_tensor, weight, self.multi_label)
        _add_counts(self, counts)

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=config.torch_dtype(self.dtype), device=self._device)
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average_labels(_interpolated_pr_auc_terms(tp, fp, fn))
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            x, y = _precision_recall_gains(tp, fp, tn, fn)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def _average_labels(self, terms):
        """The sum of the Riemann ``terms``; with ``multi_label``, per label, then averaged."""
        if not self.multi_label:
            return terms.sum()
        by_label = terms.sum(0)
        if self.label_weights is None:
            return by_label.mean()
        return divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum())

    def get_config(self) -> dict[str, Any]:
        label_weights = None if self.label_weights is None else self.label_weights.tolist()
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": label_weights,
            "from_logits": self.from_logits,
        }
        if self._init_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _choice(value, choices, what, canonical):
    if isinstance(value, str) and canonical(value) in choices:
        return canonical(value)
    raise ValueError(f"AUC: invalid {what} {value!r}; expected one of {list(choices)}")


def _interpolated_pr_auc_terms(tp, fp, fn):
    """Davis & Goadrich's PR-AUC pieces: between thresholds, precision follows the line through
    the interpolated true and false positive counts."""
    dtp = tp[:-1] - tp[1:]
    predicted = tp + fp
    dp = predicted[:-1] - predicted[1:]
    slope = divide_no_nan(dtp, dp.clamp_min(0))
    intercept = tp[1:] - slope * predicted[1:]
    both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
    ratio = torch.where(
        both_positive, divide_no_nan(predicted[:-1], predicted[1:].clamp_min(0)), torch.ones_like(predicted[1:])
    )
    return divide_no_nan(slope * (dtp + intercept * torch.log(ratio)), (tp[1:] + fn[1:]).clamp_min(0))


def _precision_recall_gains(tp, fp, tn, fn):
    """(recall gain, precision gain) after Flach & Kull: ``1 - (P/N) * fn/tp`` and
    ``1 - (P/N) * fp/tp``; without true positives the gains are 0 and 1, and a negative recall
    gain counts as 0."""
    scale = divide_no_nan(tp + fn, fp + tn)
    no_tp = tp == 0
    recall_gain = torch.where(no_tp, torch.zeros_like(tp), 1 - scale * divide_no_nan(fn, tp))
    precision_gain = torch.where(no_tp, torch.ones_like(tp), 1 - scale * divide_no_nan(fp, tp))
    return recall_gain.clamp_min(0), precision_gain


_RATES = {  # each rate of the ...At... metrics from the four count tensors
    "recall": lambda m: divide_no_nan(m.true_positives, m.true_positives + m.false_negatives),
    "precision": lambda m: divide_no_nan(m.true_positives, m.true_positives + m.false_positives),
    "specificity": lambda m: divide_no_nan(m.true_negatives, m.true_negatives + m.false_positives),
}
_RATES["sensitivity"] = _RATES["recall"]


class _RateAtRate(Metric):
    """Shared by the ``...At...`` metrics: the four counts at ``num_thresholds`` evenly spaced thresholds
    ``[0, 1/(T-1), ..., 1]`` (just 0.5 when T is 1); the result is the largest ``_found`` rate among the
    thresholds where the ``_given`` rate reaches ``value`` (0 where none does)."""

    _given: ClassVar[str]  # rate names, keys of _RATES (set by _rate_at_rate)
    _found: ClassVar[str]
    # the count tensors, set by _add_count_variables
    true_positives: torch.Tensor
    false_positives: torch.Tensor
    true_negatives: torch.Tensor
    false_negatives: torch.Tensor

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        owner = type(self).__name__
        if isinstance(value, bool) or not isinstance(value, (float, int, numbers.Real)) or not 0 <= value <= 1:
            raise ValueError(
                f"{owner}: Argument `{self._given}` must be a number in the range [0, 1]. "
                f"Received: {self._given}={value!r}"
            )
        if (
            isinstance(num_thresholds, bool)
            or not isinstance(num_thresholds, (int, numbers.Integral))
            or num_thresholds < 1
        ):
            raise ValueError(
                f"{owner}: Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds!r}"
            )
        if class_id is not None and (
            isinstance(class_id, bool) or not isinstance(class_id, (int, numbers.Integral)) or class_id < 0
        ):
            raise ValueError(
                f"{owner}: Argument `class_id` must be None or an integer >= 0 (a class of y_pred's "
                f"last axis). Received: class_id={class_id!r}"
            )
        super().__init__(name=name, dtype=dtype)
        self.value = float(value)
        setattr(self, self._given, self.value)
        self.num_thresholds = int(num_thresholds)
        self.class_id = None if class_id is None else int(class_id)
        self._evenly = self.num_thresholds > 1
        self.thresholds = [i / (self.num_thresholds - 1) for i in range(self.num_thresholds)] if self._evenly else [0.5]
        self._threshold_tensor = self._add_constant(self.thresholds)
        _add_count_variables(self, (len(self.thresholds),))

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true, y_pred, weight = _confusion_inputs(self, y_true, y_pred, sample_weight, class_id=self.class_id)
        if self._evenly:
            counts = bucketed_confusion_counts(y_true, y_pred, self.num_thresholds, weight, with_epsilon=False)
        else:
            counts = confusion_counts(y_true, y_pred, self._threshold_tensor, weight)
        _add_counts(self, counts)

    def result(self) -> torch.Tensor:
        feasible = _RATES[self._given](self) >= self.value
        found = _RATES[self._found](self)
        return torch.where(feasible, found, torch.zeros_like(found)).amax()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._given: self.value,
        }


_AT_DOC = """The best {found} over the thresholds where the {given} is at least ``{given}``.

    {definition}

    At each of ``num_thresholds`` evenly spaced thresholds in [0, 1] (an entry is predicted positive
    when ``y_pred > t``; a label is positive when non-zero) the metric keeps the (weighted) true/false
    positive/negative counts, summed over batches; ``result()`` is the largest {found} among the
    thresholds whose {given} is at least ``{given}``, and 0 when there is none. Predictions are clipped
    to [0, 1]. Multi-dimensional inputs are flattened (all entries pooled), unless ``class_id`` picks one class.

    Args:
        {given}: float in [0, 1], required. The {given} the threshold must reach.
        num_thresholds: int > 0, default 200. How many thresholds to try: ``i / (num_thresholds - 1)``
            for ``i`` in ``0 .. num_thresholds - 1``; with 1, the single threshold 0.5.
        class_id: int or None, default None. With an int, only that class (index on the last axis of
            ``y_pred`` and ``y_true``) is scored; None scores all entries.
        name: str, default None (the snake-case class name). The metric's name.
        dtype: str or torch dtype, default None (the default float type). The dtype of the counts and result.

    Example:
        >>> m = {cls}({given}={value}, num_thresholds=5)
        >>> m.update_state(torch.tensor([0, 0, 0, 1, 1]), torch.tensor([0.0, 0.3, 0.8, 0.3, 0.8]))
        >>> m.result()
        {result}
        >>> m.update_state(torch.tensor([1, 0]), torch.tensor([0.9, 0.6]), sample_weight=torch.tensor([2.0, 1.0]))
        >>> m.result()
        {weighted}
    """

_DEFINITIONS = {
    "recall": "Recall is ``tp / (tp + fn)``: the fraction of positive labels predicted positive.",
    "sensitivity": "Sensitivity (recall) is ``tp / (tp + fn)``: the fraction of positive labels predicted positive.",
    "precision": "Precision is ``tp / (tp + fp)``: the fraction of positive predictions whose label is positive.",
    "specificity": "Specificity is ``tn / (tn + fp)``: the fraction of negative labels predicted negative.",
}


def _rate_at_rate(found, given, value, result, weighted):
    """Class decorator of the ``...At...`` metrics: the rates it finds and is given, its docstring (whose
    example runs with ``given=value`` and shows ``result``, then ``weighted``), its registration."""

    def decorate(cls):
        cls._found, cls._given = found, given
        cls.__doc__ = _AT_DOC.format(
            found=found,
            given=given,
            cls=cls.__name__,
            value=value,
            result=result,
            weighted=weighted,
            definition=f"{_DEFINITIONS[found]}\n    {_DEFINITIONS[given]}",
        )
        return register_builtin(MODULE)(cls)

    return decorate


@_rate_at_rate("precision", "recall", 0.5, "tensor(0.5000)", "tensor(0.7500)")
class PrecisionAtRecall(_RateAtRate):
    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)


@_rate_at_rate("recall", "precision", 0.6, "tensor(0.)", "tensor(0.7500)")
class RecallAtPrecision(_RateAtRate):
    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)


@_rate_at_rate("sensitivity", "specificity", 0.6, "tensor(0.5000)", "tensor(0.7500)")
class SensitivityAtSpecificity(_RateAtRate):
    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


@_rate_at_rate("specificity", "sensitivity", 0.5, "tensor(0.6667)", "tensor(0.7500)")
class SpecificityAtSensitivity(_RateAtRate):
    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
