"""The ``Loss`` base class, ``LossFunctionWrapper`` and the one reduction / sample-weight path.

``Loss.__call__(y_true, y_pred, sample_weight=None)`` casts ``y_pred`` (and float ``y_true``)
to the loss's dtype, runs ``call`` for per-sample values, then weights and reduces them as
Keras 3 does:

- ``sample_weight`` is squeezed or expanded by one trailing axis of size 1 to the rank of the
  per-sample values, then broadcast against them (a shape that does not broadcast raises a
  ``ValueError`` naming the loss).
- A Keras mask (the ``_keras_mask`` attribute that Keras's torch backend sets on tensors) on
  ``y_pred`` or on the per-sample values acts as a 0/1 weight; under ``"sum_over_batch_size"``
  and ``"mean"`` it is rescaled by ``count / valid`` so that the mean is over the unmasked
  entries (``SparseCategoricalCrossentropy(ignore_class=...)`` relies on this).
- ``"sum_over_batch_size"`` / ``"mean"``: sum of the weighted values / their number of entries;
  ``"sum"``: the sum; ``"mean_with_sample_weight"``: sum / sum of the weights as given (the
  number of entries without weights); ``"none"`` / ``None``: the weighted values. A zero
  divisor gives 0 (and a zero gradient, where Keras's ``divide_no_nan`` gives NaN).
- Weighted values that are a scalar (a single sample: ``(1,)`` values squeeze against a scalar
  weight) are returned as they are, whatever the reduction, as in Keras. An empty batch gives 0
  (Keras returns the empty tensor).

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> loss = keras.losses.MeanSquaredError()
    >>> loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor(0.5000)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from kerastorch import config, dtype_policies
from kerastorch.backend.annotations import DeviceLike, TensorLike
from kerastorch.backend.naming import to_snake_case
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import (
    deserialize_from_module,
    serialize_function_name,
    serialize_keras_object,
)

_MODULE = "keras.losses"
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
_MEAN_REDUCTIONS = ("sum_over_batch_size", "mean")


def standardize_reduction(reduction: str | None) -> str | None:
    """Check a reduction name: ``standardize_reduction("sum")`` -> ``'sum'``; unknown names raise ``ValueError``."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument reduction: expected one of {REDUCTIONS}, received reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(
    x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """Make two tensors whose ranks differ by one trailing axis of size 1 the same rank, as Keras does.

    The size-1 axis is squeezed, except that a rank-1 partner is expanded instead (with
    ``expand_rank_1``). Other rank differences are left to broadcasting.

    >>> [tuple(t.shape) for t in squeeze_or_expand_to_same_rank(torch.zeros(4), torch.zeros(4, 1))]
    [(4, 1), (4, 1)]
    """
    rank1, rank2 = x1.dim(), x2.dim()
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        return (x1, x2.unsqueeze(-1)) if rank2 == 1 and expand_rank_1 else (x1.squeeze(-1), x2)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        return (x1.unsqueeze(-1), x2) if rank1 == 1 and expand_rank_1 else (x1, x2.squeeze(-1))
    return x1, x2


def get_mask(x: Any) -> torch.Tensor | None:
    """The Keras mask attached to a tensor, or None: ``get_mask(torch.ones(2))`` -> ``None``."""
    return getattr(x, "_keras_mask", None)


def set_mask(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Attach a Keras mask to a tensor (as Keras's torch backend does) and return the tensor.

    >>> get_mask(set_mask(torch.ones(2), torch.tensor([True, False])))
    tensor([ True, False])
    """
    setattr(x, "_keras_mask", mask)  # an attribute torch's stubs do not declare
    return x


def to_tensor(x: TensorLike, dtype: torch.dtype | None = None, device: DeviceLike = None) -> torch.Tensor:
    """``x`` as a tensor (a no-op for a tensor of that dtype and device); non-tensors follow Keras's rules:
    Python floats become ``floatx``, NumPy arrays keep their dtype.

    >>> to_tensor([1.0, 2.0]).dtype
    torch.float32
    """
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=dtype)
    tensor = torch.as_tensor(np.asarray(x), device=device)
    if dtype is None and tensor.is_floating_point() and not isinstance(x, (np.ndarray, np.generic)):
        dtype = config.torch_dtype(None)
    return tensor if dtype is None else tensor.to(dtype)


def _weight_and_mask(
    sample_weight: torch.Tensor | None, mask: torch.Tensor | None, values: torch.Tensor, reduction: str | None
) -> torch.Tensor | None:
    """The effective weights: ``sample_weight`` times the (rescaled) mask."""
    if mask is None:
        return sample_weight
    if reduction in _MEAN_REDUCTIONS:
        mask = mask.to(values.dtype) * _divide_no_nan(mask.numel(), mask.sum(dtype=values.dtype))
    else:
        mask = mask.to(values.dtype)
    if sample_weight is None:
        return mask
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return mask * sample_weight


def _divide_no_nan(total, divisor):
    """``total / divisor``, 0 where the divisor is 0 (with a zero gradient, not NaN)."""
    if not isinstance(divisor, torch.Tensor):
        return total / divisor if divisor else total * 0
    is_zero = divisor == 0
    return torch.where(is_zero, 0.0, total / torch.where(is_zero, 1.0, divisor))


def reduce_weighted_values(
    values: torch.Tensor,
    sample_weight: TensorLike | None = None,
    mask: torch.Tensor | None = None,
    reduction: str | None = "sum_over_batch_size",
    owner: str = "loss",
) -> torch.Tensor:
    """Weight per-sample loss values and reduce them (the module docstring has the rules).

    Args:
        values: tensor, the per-sample (or per-entry) loss values.
        sample_weight: tensor, array, number or None, default None: weights broadcast against ``values``
            (after a trailing axis of size 1 is squeezed or added to match ranks).
        mask: bool tensor or None, default None: a Keras mask; False entries get weight 0 and, under the
            mean reductions, the mean is over the True entries.
        reduction: str or None, default ``"sum_over_batch_size"``: ``"sum_over_batch_size"`` / ``"mean"``
            (the weighted sum over the number of entries), ``"sum"``, ``"mean_with_sample_weight"`` (the
            weighted sum over the sum of the weights), ``"none"`` or None (the weighted values).
        owner: str, default ``"loss"``: the loss named in error messages.

    Returns:
        A scalar tensor, or the weighted values for ``"none"`` / None (and for scalar values).

    Raises:
        ValueError: if ``sample_weight`` does not broadcast to the values' shape.

    Example:
        >>> reduce_weighted_values(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 0.0]))
        tensor(0.5000)
        >>> reduce_weighted_values(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 0.0]),
        ...                        reduction="mean_with_sample_weight")
        tensor(1.)
    """
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype, values.device)
    sample_weight = _weight_and_mask(sample_weight, mask, values, reduction)
    if sample_weight is not None:
        values_shape = tuple(values.shape)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        if values.shape != sample_weight.shape:
            try:
                torch.broadcast_shapes(values.shape, sample_weight.shape)
            except RuntimeError:
                raise ValueError(
                    f"{owner}: sample_weight must broadcast to the per-sample losses of shape {values_shape} "
                    f"(for example shape {values_shape[:1]}), received sample_weight.shape="
                    f"{tuple(sample_weight.shape)}"
                ) from None
        values = values * sample_weight
    if reduction is None or reduction == "none" or values.dim() == 0:
        return values
    if sample_weight is None and reduction != "sum":
        return values.mean() if values.numel() else values.sum()  # one kernel: the sum over the count
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, sample_weight.sum())
    return _divide_no_nan(total, values.numel())


@register_builtin(_MODULE)
class Loss:
    """Base class of losses: subclasses implement ``call(y_true, y_pred)`` returning per-sample values.

    Calling the loss, ``loss(y_true, y_pred, sample_weight=None)``, casts the inputs to its dtype, runs
    ``call`` and weights and reduces the values (see the module docstring).

    Args:
        name: str or None, default None: the loss's name (None: the snake-case class name).
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of entries), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or
            None (no reduction).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> class Absolute(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return torch.abs(y_true - y_pred).mean(-1)
        >>> Absolute(reduction="sum")(torch.zeros(2, 2), torch.ones(2, 2))
        tensor(2.)
        >>> Absolute().name
        'absolute'
    """

    #: whether ``__call__`` casts ``y_true`` to the loss's dtype (sparse integer labels are kept as they are)
    _cast_y_true = True

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: dtype_policies.PolicyLike = None,
    ) -> None:
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype_argument = dtype
        self._dtype_policy = dtype_policies.get(dtype or config.floatx())
        self._torch_dtype = config.torch_dtype(self._dtype_policy.compute_dtype)

    @property
    def dtype(self) -> str:
        """The name of the dtype the loss computes in: ``Loss().dtype`` -> ``'float32'``."""
        return self._dtype_policy.compute_dtype

    def __call__(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> torch.Tensor:
        """The reduced loss (per-sample values with ``reduction="none"``).

        >>> import torch
        >>> import kerastorch as keras
        >>> keras.losses.MeanAbsoluteError(reduction="none")(torch.zeros(2, 2), torch.ones(2, 2))
        tensor([1., 1.])
        """
        in_mask = get_mask(y_pred)
        y_pred = to_tensor(y_pred, self._torch_dtype)
        y_true = to_tensor(y_true, self._torch_dtype if self._cast_y_true else None, y_pred.device)
        losses = self.call(y_true, y_pred)
        out_mask = get_mask(losses)
        losses = to_tensor(losses, self._torch_dtype)
        if in_mask is None or out_mask is None:
            mask = out_mask if in_mask is None else in_mask
        else:
            mask = in_mask & out_mask
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction, self.name)

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        """Per-sample loss values; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict[str, Any]:
        """``name``, ``reduction`` (and ``dtype`` when one was given).

        >>> Loss(reduction="sum").get_config()
        {'name': 'loss', 'reduction': 'sum'}
        """
        config = {"name": self.name, "reduction": self.reduction}
        if self._dtype_argument is not None:
            config["dtype"] = self._dtype_policy.name
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Rebuild from :meth:`get_config` output: ``MeanSquaredError.from_config({"reduction": "sum"})``."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


@register_builtin(_MODULE)
class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample values.

    The keyword arguments are kept in the config and are readable as attributes. Before ``fn`` runs,
    a trailing axis of size 1 is squeezed or added so that ``y_true`` and ``y_pred`` have the same rank.

    Args:
        fn: callable ``fn(y_true, y_pred, **kwargs)`` returning per-sample loss values.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced (see
            :class:`Loss`).
        name: str or None, default None: the loss's name (None: ``"loss_function_wrapper"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).
        **kwargs: keyword arguments passed to ``fn`` on every call.

    Raises:
        TypeError: if ``fn`` is not callable.
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> import torch
        >>> from kerastorch.losses import huber
        >>> loss = LossFunctionWrapper(huber, delta=2.0)
        >>> loss.delta, loss(torch.zeros(1, 1), torch.full((1, 1), 3.0))
        (2.0, tensor(4.))
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: dtype_policies.PolicyLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: fn must be callable, received {fn!r}")
        self.fn = fn
        self._fn_kwargs = kwargs

    def __getattr__(self, item: str) -> Any:
        if item != "_fn_kwargs" and item in self.__dict__.get("_fn_kwargs", {}):
            return self._fn_kwargs[item]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {item!r}")

    def call(self, y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
        """``fn(y_true, y_pred, **kwargs)`` after matching the ranks of ``y_true`` and ``y_pred``."""
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """The base config plus the function's keyword arguments (and ``"fn"`` for a plain wrapper)."""
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize_function_name(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LossFunctionWrapper:
        """Rebuild from :meth:`get_config`; ``"fn"`` is looked up among the registered losses."""
        if "fn" in config:
            config = dict(config, fn=deserialize_from_module(config["fn"], "keras.losses", "loss"))
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} fn={getattr(self.fn, '__name__', self.fn)} kwargs={self._fn_kwargs}>"
