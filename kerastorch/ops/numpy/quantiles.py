"""Order statistics: ``median``, ``quantile``, ``percentile`` and their NaN-ignoring versions.

Computed with ``torch.quantile`` / ``torch.nanquantile`` (one sort) over the reduced axes moved to the end and
flattened. Integers give floatx, float dtypes are kept. A 1-D ``q`` adds a leading axis of ``len(q)`` entries,
as in NumPy. ``method`` is one of ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"``, ``"nearest"``.
The plain versions give NaN for slices with a NaN, the ``nan*`` versions ignore NaNs.

Examples:
    >>> median(torch.tensor([1.0, 4.0, 2.0, 3.0]))
    tensor(2.5000)
    >>> quantile(torch.tensor([[0.0, 10.0], [20.0, 30.0]]), 0.25, axis=1)
    tensor([ 2.5000, 22.5000])
    >>> percentile(torch.tensor([1, 2, 3, 4, 5]), [50, 100])
    tensor([3., 5.])
"""

from __future__ import annotations

import numpy as np
import torch

from kerastorch.backend.annotations import Axis, TensorLike
from kerastorch.ops.numpy import _promote as c

__all__ = ["median", "nanmedian", "nanpercentile", "nanquantile", "percentile", "quantile"]

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op, fn, x, q, axis, method, keepdims):
    if method not in _METHODS:
        raise ValueError(f"ops.{op}: expected method in {_METHODS}, received method={method!r}")
    x = c.to_float(x)
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16):  # torch.quantile takes float32/float64 only
        x = x.float()
    if isinstance(q, (int, float)):
        q_shape = ()
    else:
        q = c.cast(q, x.dtype, x.device).to(device=x.device, dtype=x.dtype)
        if q.ndim > 1:
            raise ValueError(f"ops.{op}: expected a scalar or 1-D q, received shape {tuple(q.shape)}")
        q_shape = tuple(q.shape)
    ndim = x.ndim
    if axis is None:
        dims = tuple(range(ndim))
    else:
        dims = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
        if not all(-ndim <= d < ndim for d in dims):
            raise ValueError(
                f"ops.{op}: expected axis in [-{ndim}, {ndim}), received axis={axis!r} for a tensor "
                f"of shape {tuple(x.shape)}"
            )
        dims = tuple(sorted({d % ndim for d in dims}))
    if not dims:
        return x.expand(q_shape + x.shape).to(dtype)
    kept = [d for d in range(ndim) if d not in dims]
    flat = x.permute(kept + list(dims)).reshape([x.shape[d] for d in kept] + [-1])
    out = fn(flat, q, dim=-1, interpolation=method)
    if keepdims:
        shape = [1 if d in dims else x.shape[d] for d in range(ndim)]
        out = out.reshape(q_shape + tuple(shape))
    return out.to(dtype)


def quantile(
    x: TensorLike, q: TensorLike, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th quantiles of ``x`` over ``axis``.

    A slice with a NaN gives NaN (see the ``nan*`` version to ignore them).

    Args:
        x: tensor, array or Python number: the input.
        q: float or 1-D tensor/array/list of floats: the quantiles to compute, in ``[0, 1]``.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        method: str, default `"linear"`: how to pick a value between two data points: "linear" (interpolate), "lower",
            "higher", "midpoint" or "nearest".
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), with a leading axis of
        ``len(q)`` for a 1-D ``q``; ``x``'s float dtype (floatx for integers).

    Raises:
        ValueError: an axis is out of range, ``method`` is unknown or ``q`` has more than one axis.
        RuntimeError: a value of ``q`` is out of range (torch's error).

    Example:
        >>> quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5, method="lower")
        tensor(2.)
    """
    return _quantile("quantile", torch.quantile, x, q, axis, method, keepdims)


def nanquantile(
    x: TensorLike, q: TensorLike, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th quantiles of the non-NaN elements of ``x`` over ``axis``.

    A slice of NaNs only gives NaN.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        q: float or 1-D tensor/array/list of floats: the quantiles to compute, in ``[0, 1]``.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        method: str, default `"linear"`: how to pick a value between two data points: "linear" (interpolate), "lower",
            "higher", "midpoint" or "nearest".
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), with a leading axis of
        ``len(q)`` for a 1-D ``q``; ``x``'s float dtype (floatx for integers).

    Raises:
        ValueError: an axis is out of range, ``method`` is unknown or ``q`` has more than one axis.
        RuntimeError: a value of ``q`` is out of range (torch's error).

    Example:
        >>> nanquantile(torch.tensor([1.0, float("nan"), 3.0]), 0.5)
        tensor(2.)
    """
    return _quantile("nanquantile", torch.nanquantile, x, q, axis, method, keepdims)


def _scaled(q):
    if isinstance(q, torch.Tensor):
        return q / 100
    if isinstance(q, (int, float)):
        return q / 100
    return np.asarray(q, dtype=np.float64) / 100


def percentile(
    x: TensorLike, q: TensorLike, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th percentiles of ``x`` over ``axis`` (:func:`quantile` of ``q / 100``).

    A slice with a NaN gives NaN (see the ``nan*`` version to ignore them).

    Args:
        x: tensor, array or Python number: the input.
        q: float or 1-D tensor/array/list of floats: the percentiles to compute, in ``[0, 100]``.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        method: str, default `"linear"`: how to pick a value between two data points: "linear" (interpolate), "lower",
            "higher", "midpoint" or "nearest".
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), with a leading axis of
        ``len(q)`` for a 1-D ``q``; ``x``'s float dtype (floatx for integers).

    Raises:
        ValueError: an axis is out of range, ``method`` is unknown or ``q`` has more than one axis.
        RuntimeError: a value of ``q`` is out of range (torch's error).
    """
    return _quantile("percentile", torch.quantile, x, _scaled(q), axis, method, keepdims)


def nanpercentile(
    x: TensorLike, q: TensorLike, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th percentiles of the non-NaN elements of ``x`` over ``axis``.

    A slice of NaNs only gives NaN.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        q: float or 1-D tensor/array/list of floats: the percentiles to compute, in ``[0, 100]``.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        method: str, default `"linear"`: how to pick a value between two data points: "linear" (interpolate), "lower",
            "higher", "midpoint" or "nearest".
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), with a leading axis of
        ``len(q)`` for a 1-D ``q``; ``x``'s float dtype (floatx for integers).

    Raises:
        ValueError: an axis is out of range, ``method`` is unknown or ``q`` has more than one axis.
        RuntimeError: a value of ``q`` is out of range (torch's error).

    Example:
        >>> nanpercentile(torch.tensor([[1.0, float("nan")], [2.0, 4.0]]), 50, axis=1)
        tensor([1., 3.])
    """
    return _quantile("nanpercentile", torch.nanquantile, x, _scaled(q), axis, method, keepdims)


def median(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The median of ``x`` over ``axis`` (the mean of the two middle values for an even count).

    A slice with a NaN gives NaN (see the ``nan*`` version to ignore them).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``); ``x``'s float dtype
        (floatx for integers).

    Raises:
        ValueError: an axis is out of range.

    Example:
        >>> median(torch.tensor([[1, 3], [2, 4]]), axis=0, keepdims=True)
        tensor([[1.5000, 3.5000]])
    """
    return _quantile("median", torch.quantile, x, 0.5, axis, "linear", keepdims)


def nanmedian(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The median of the non-NaN elements of ``x`` over ``axis``.

    A slice of NaNs only gives NaN.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``); ``x``'s float dtype
        (floatx for integers).

    Raises:
        ValueError: an axis is out of range.

    Example:
        >>> nanmedian(torch.tensor([1.0, float("nan"), 2.0, 3.0]))
        tensor(2.)
    """
    return _quantile("nanmedian", torch.nanquantile, x, 0.5, axis, "linear", keepdims)
