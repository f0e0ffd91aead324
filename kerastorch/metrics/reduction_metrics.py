"""Running reductions: ``Sum``, ``Mean``, and ``MeanMetricWrapper`` (the mean of a function).

Sample weights follow Keras 3: values are first reduced (sum or mean) over the axes
the weight lacks, multiplied by the broadcast weight, and reduced to one value per
sample; ``Mean`` then divides the weighted total by the total weight (by the number
of samples when there is no weight).

Example:
    >>> m = Mean()
    >>> m.update_state(torch.tensor([1.0, 2.0, 3.0]), sample_weight=torch.tensor([1.0, 0.0, 1.0]))
    >>> m.result()
    tensor(2.)
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import torch

from kerastorch import losses  # noqa: F401 - registers the loss functions that function_table() reads
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.metrics_utils import divide_no_nan, reduce_to_samplewise, squeeze_or_expand_to_same_rank
from kerastorch.serialization.object_registration import builtin_objects, register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

MODULE = "keras.metrics"
# Plain metric functions (``binary_accuracy`` ...) that a MeanMetricWrapper config may name;
# kept apart from MODULE, where the same snake-case names denote the metric classes.
FUNCTIONS_MODULE = "keras.metrics.functions"


def function_table() -> dict[str, Callable[..., Any]]:
    """``{name: function}`` of the metric and loss functions a wrapper config may name."""
    table: dict[str, Callable[..., Any]] = {
        name: obj for name, obj in builtin_objects("keras.losses").items() if inspect.isfunction(obj)
    }
    table.update(builtin_objects(FUNCTIONS_MODULE))
    return table


def _masked_weight(sample_weight, masks):
    """``sample_weight`` times each Keras mask that is not None (ranks matched, then broadcast)."""
    for mask in masks:
        if mask is not None:
            mask, sample_weight = squeeze_or_expand_to_same_rank(mask.to(sample_weight.dtype), sample_weight)
            sample_weight = sample_weight * mask
    return sample_weight


@register_builtin(MODULE)
class Sum(Metric):
    """The running (weighted) sum of the values.

    ``update_state(values, sample_weight=None)`` adds the values, each times its weight (the weight is
    broadcast to the values, which are first summed over the axes the weight lacks).

    Args:
        name: str or None, default ``"sum"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> m = Sum()
        >>> m.update_state(torch.tensor([1.0, 3.0, 5.0]))
        >>> m.result()
        tensor(9.)
        >>> m.update_state(torch.tensor([1.0, 3.0]), sample_weight=torch.tensor([2.0, 0.0]))
        >>> m.result()
        tensor(11.)
    """

    def __init__(self, name: str | None = "sum", dtype: DTypeLike = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values: TensorLike, sample_weight: TensorLike | None = None) -> None:
        values = self._tensor(values)
        weight = None
        if sample_weight is not None:
            weight = _masked_weight(self._tensor(sample_weight), (getattr(values, "_keras_mask", None),))
        values, _ = reduce_to_samplewise(values.to(self.total.dtype), weight, torch.sum)
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.clone()


@register_builtin(MODULE)
class Mean(Metric):
    """The running (weighted) mean of the values.

    ``update_state(values, sample_weight=None)`` adds one batch: the weighted sum of the values to the total
    and the sum of the weights (the number of samples without weights) to the count; ``result()`` is
    ``total / count`` (0 before any data).

    Args:
        name: str or None, default ``"mean"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> m = Mean()
        >>> m.update_state(torch.tensor([1.0, 3.0, 5.0, 7.0]))
        >>> m.result()
        tensor(4.)
    """

    def __init__(self, name: str | None = "mean", dtype: DTypeLike = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values: TensorLike, sample_weight: TensorLike | None = None) -> None:
        self._accumulate(self._tensor(values), sample_weight)

    def _accumulate(self, values, sample_weight, masks=()):
        """Add one batch of per-element ``values`` (any dtype) to the running mean. As in Keras 3,
        a Keras mask on the values (or in ``masks``) zeroes the weight of masked entries when
        there is a ``sample_weight`` (and is ignored without one)."""
        if isinstance(sample_weight, (int, float)) and values.dim() == 0 and not any(m is not None for m in masks):
            # One value standing for a batch (the training loss): the fast path of every step.
            self.total.add_(values.to(self.total.dtype), alpha=sample_weight)
            self.count.add_(sample_weight)
            return
        if sample_weight is not None:
            sample_weight = _masked_weight(self._tensor(sample_weight), (*masks, getattr(values, "_keras_mask", None)))
        values = values.to(self.total.dtype)
        if sample_weight is None:
            if values.dim() > 1:
                values = values.mean(dim=tuple(range(1, values.dim())))
            self.total.add_(values.sum())
            self.count.add_(values.shape[0] if values.dim() else 1)
            return
        values, weight = reduce_to_samplewise(values, sample_weight, torch.mean)
        self.total.add_(values.sum())
        self.count.add_(weight.sum())

    def result(self) -> torch.Tensor:
        return divide_no_nan(self.total, self.count)


@register_builtin(MODULE)
class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function.

    ``update_state(y_true, y_pred, sample_weight=None)`` averages the function's values as :class:`Mean`
    does; a Keras mask on ``y_pred`` zeroes the weight of masked entries when there is a ``sample_weight``.

    Args:
        fn: callable ``fn(y_true, y_pred, **kwargs)`` returning per-sample (or per-entry) values.
        name: str or None, default None: the metric's name (None: the snake-case class name, numbered when
            repeated).
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        **kwargs: keyword arguments passed to ``fn`` on every update (and kept in the config).

    Raises:
        TypeError: if ``fn`` is not callable or ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> def absolute_error(y_true, y_pred):
        ...     return (y_true - y_pred).abs()
        >>> m = MeanMetricWrapper(absolute_error, name="ae")
        >>> m(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0]))
        tensor(1.5000)
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: DTypeLike = None, **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable, received {fn!r}")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(  # type: ignore[override]
        self,
        y_true: TensorLike,
        y_pred: TensorLike,
        sample_weight: TensorLike | None = None,
    ) -> None:
        y_pred = self._tensor(y_pred)
        values = self._fn(self._tensor(y_true), y_pred, **self._fn_kwargs)
        self._accumulate(values, sample_weight, (getattr(y_pred, "_keras_mask", None),))

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        config = dict(config)
        if "fn" in config:
            fn = deserialize_keras_object(
                config.pop("fn"), module_objects=function_table(), printable_module_name="metric function"
            )
            return cls(fn, **config)
        return cls(**config)


class FunctionMetric(MeanMetricWrapper):
    """A MeanMetricWrapper whose function is fixed by the subclass (``MeanSquaredError``,
    ``BinaryAccuracy`` ...): its config lists the constructor arguments (name, dtype and the
    function's keyword arguments), not ``fn``."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **serialize_keras_object(self._fn_kwargs)}
