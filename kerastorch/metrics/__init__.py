"""``keras.metrics``: Keras 3's metrics, with state that stays on the data's device.

A metric accumulates over batches (``update_state``), reports a tensor (``result``, on
the state's device: nothing is read back to the host until the caller asks), and
starts over (``reset_state``). See :mod:`kerastorch.metrics.metric` for the base class.

``get`` takes the names Keras 3 accepts (class names, their snake-case forms, and
``"mse"``/``"mae"``/``"mape"``/``"msle"``/``"bce"`` in either case) plus ``"acc"``;
a plain function ``fn(y_true, y_pred)`` becomes a :class:`MeanMetricWrapper` named
after it (Keras 3's ``get`` returns the function and leaves the wrapping to
``compile``). In ``compile``, ``"accuracy"`` stands for the binary, categorical or
sparse categorical accuracy that fits the data: :func:`resolve_accuracy`.

Decisions (where Keras 3 leaves room or where we differ):

- State is plain torch tensors (``metric.variables``), created on the CPU and moved, once,
  to the inputs' device by the first ``update_state`` (an accelerator wins over CPU labels);
  updates are in-place, under ``torch.no_grad()``, and never read a value on the host.
  Custom metrics update their state with torch in-place ops (``self.total.add_(x)``).
- ``Metric(dtype=None, name=None)`` keeps Keras 3's argument order; ``name=None`` gives the
  snake-case class name, numbered when repeated (``auc``, ``auc_1``), as Keras 3 does.
- Values follow Keras 3, including its rough edges: a Keras mask on ``y_pred`` or on the
  per-sample values only counts when there is a ``sample_weight``; ``R2Score`` adjusts with
  ``num_samples`` counted in entries, not rows. Where Keras 3 crashes we answer: ``result()``
  before any data is 0; top-k accuracies accept ``k`` above the class count (all in);
  shapes that do not fit raise a ValueError that names the metric and both shapes.
- Configs are Keras 3's, plus ``CosineSimilarity``'s ``axis`` (dropped by Keras 3) and with
  ``AUC``'s ``label_weights`` as a list (Keras 3 writes a tensor); Keras 3 reads them.

Example:
    >>> import torch
    >>> m = get("mae")
    >>> m.update_state(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    >>> m.result()
    tensor(0.5000)
"""

from __future__ import annotations

import inspect
from typing import Any

from kerastorch.backend.annotations import Identifier
from kerastorch.backend.naming import to_snake_case
from kerastorch.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from kerastorch.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    resolve_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kerastorch.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from kerastorch.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from kerastorch.metrics.f_score_metrics import F1Score, FBetaScore
from kerastorch.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from kerastorch.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from kerastorch.metrics.reduction_metrics import MODULE, Mean, MeanMetricWrapper, Sum
from kerastorch.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from kerastorch.serialization.object_registration import builtin_objects, register_builtin
from kerastorch.serialization.serialization_lib import (
    deserialize_from_module,
    get_from_identifier,
    serialize_keras_object,
)

_ALIASES = {
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
    "acc": Accuracy,
}
for _cls in [obj for obj in builtin_objects(MODULE).values() if inspect.isclass(obj)]:
    register_builtin(MODULE, to_snake_case(_cls.__name__))(_cls)
for _name, _cls in _ALIASES.items():
    register_builtin(MODULE, _name)(_cls)


def serialize(metric: Metric) -> dict[str, Any]:
    """The Keras config dict of a metric.

    Args:
        metric: a ``Metric`` instance.

    Returns:
        dict: ``{"module", "class_name", "config", "registered_name"}`` in Keras 3's format.

    Raises:
        TypeError: for an object that is neither a function nor has ``get_config``.

    Example:
        >>> serialize(BinaryAccuracy(threshold=0.7))["config"]["threshold"]
        0.7
    """
    return serialize_keras_object(metric)


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Metric:
    """A metric from a config dict or a name (a class name gives an instance with defaults).

    Args:
        config: dict or str: a config from :func:`serialize` (or Keras 3), or a metric name (``"AUC"``,
            ``"auc"``, ``"mse"`` ...).
        custom_objects: dict or None, default None: ``{name: class or function}`` searched before the built-in
            metrics.

    Returns:
        The metric.

    Raises:
        ValueError: for an unknown name or class.
        TypeError: for a config that is neither a name nor a dict with ``"class_name"``.

    Example:
        >>> deserialize(serialize(AUC(num_thresholds=50))).num_thresholds
        50
    """
    return deserialize_from_module(config, MODULE, "metric", custom_objects)


def get(identifier: Identifier) -> Metric | None:
    """A metric from a name, a config dict, a ``Metric`` instance or class, or a function
    ``fn(y_true, y_pred)`` (wrapped in a :class:`MeanMetricWrapper` named after it); None
    stays None. Unknown names raise a ValueError listing the valid ones.

    Args:
        identifier: None, str (a class name, its snake-case form, ``"mse"``, ``"acc"`` ...), dict (a config),
            a ``Metric`` instance (returned as it is) or subclass (instantiated with its defaults), or a
            function ``fn(y_true, y_pred)``.

    Returns:
        A ``Metric`` instance, or None.

    Raises:
        ValueError: for an unknown name or an identifier of another kind.

    Example:
        >>> type(get("auc")).__name__, get("mse").name
        ('AUC', 'mean_squared_error')
    """
    metric = get_from_identifier(identifier, MODULE, Metric, "metric", deserialize)
    if metric is None or isinstance(metric, Metric):
        return metric
    return MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))


__all__ = [
    "Metric",
    "Mean",
    "Sum",
    "MeanMetricWrapper",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "MeanSquaredError",
    "RootMeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "CosineSimilarity",
    "LogCoshError",
    "R2Score",
    "AUC",
    "Precision",
    "Recall",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "F1Score",
    "FBetaScore",
    "IoU",
    "MeanIoU",
    "BinaryIoU",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "ConcordanceCorrelation",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "poisson",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "huber",
    "log_cosh",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "pearson_correlation",
    "concordance_correlation",
    "get",
    "serialize",
    "deserialize",
    "resolve_accuracy",
]


def __dir__():
    return sorted(__all__)
