"""Reductions over axes: sums, products, extrema, moments, truth tests, arg-extrema, cumulative sums.

``axis`` is None (every axis), an int or a tuple of ints; ``axis=()`` reduces nothing (as in NumPy and
Keras). dtypes follow Keras 3: ``sum``/``prod`` of bool and integers narrower than 32 bits give int32,
``mean``/``var``/``std`` of integers give floatx, ``argmax``/``argmin``/``count_nonzero`` give int32,
``max``/``min``/``ptp`` keep the dtype, ``cumsum``/``cumprod`` keep it (bool gives int32) unless ``dtype``
is given. 64-bit inputs keep 64-bit results (``ops.dtypes``). The ``nan*`` versions ignore NaNs.
Median and quantiles are in ``quantiles.py``.

Examples:
    >>> x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> sum(x, axis=0)
    tensor([5., 7., 9.])
    >>> mean(torch.tensor([1, 2]))
    tensor(1.5000)
    >>> argmax(x, axis=1)
    tensor([2, 2], dtype=torch.int32)
    >>> var(x, axis=1, keepdims=True)
    tensor([[0.6667],
            [0.6667]])
    >>> cumsum(torch.tensor([True, True, False]))
    tensor([1, 2, 2], dtype=torch.int32)
    >>> nanmax(torch.tensor([1.0, float("nan"), 3.0]))
    tensor(3.)
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import Axis, DTypeLike, TensorLike
from kerastorch.ops.numpy import _promote as c

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "average",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "max",
    "mean",
    "min",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "prod",
    "ptp",
    "std",
    "sum",
    "var",
]

_SMALL_INTS = (torch.bool, torch.int8, torch.int16, torch.uint8, getattr(torch, "uint16", torch.uint8))
_INT32 = torch.int32


def _dims(x, axis, op):
    """``axis`` as torch's ``dim`` (None, int or tuple); raises for axes out of range."""
    if axis is None:
        return None
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    for d in dims:
        if not -builtins.max(x.ndim, 1) <= d < builtins.max(x.ndim, 1):
            raise ValueError(
                f"ops.{op}: expected axis in [-{x.ndim}, {x.ndim}), received axis={axis!r} for a "
                f"tensor of shape {tuple(x.shape)}"
            )
    return dims if isinstance(axis, (list, tuple)) else axis


def _reduce(op, fn, x, axis, keepdims, **kwargs):
    """``fn`` over ``axis``; the axes are checked by torch (an out-of-range axis raises ``ops.<op>``'s error)."""
    if axis is None:
        if not keepdims:
            return fn(x, **kwargs)
        dim = tuple(range(x.ndim))
    elif isinstance(axis, int):
        dim = axis
    else:
        dim = tuple(axis)
        if not dim:
            return x
    try:
        if kwargs:
            return fn(x, dim=dim, keepdim=keepdims, **kwargs)
        return fn(x, dim, True) if keepdims else fn(x, dim)  # positional: torch parses them faster
    except IndexError as error:
        _dims(x, axis, op)  # raises the ValueError that names the op
        raise ValueError(f"ops.{op}: invalid axis={axis!r} for a tensor of shape {tuple(x.shape)}") from error


def _no_axes(axis):
    return isinstance(axis, (list, tuple)) and not axis


def _sum_dtype(dtype):
    return _INT32 if dtype in _SMALL_INTS else dtype


def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The sum of the elements of ``x`` over ``axis``.

    bool and integers narrower than 32 bits give int32; other dtypes are kept.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
    """
    x = c.tensor(x)
    dtype = _sum_dtype(x.dtype)
    if _no_axes(axis):
        return x.to(dtype)
    if x.is_floating_point():  # torch keeps float dtypes (and passing dtype= costs a slower dispatch)
        return _reduce("sum", torch.sum, x, axis, keepdims)
    return _reduce("sum", torch.sum, x, axis, keepdims, dtype=dtype)


def prod(x: TensorLike, axis: Axis = None, keepdims: bool = False, dtype: DTypeLike = None) -> torch.Tensor:
    """The product of the elements of ``x`` over ``axis``.

    bool and integers narrower than 32 bits give int32 unless ``dtype`` is given; other dtypes are kept.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.
        dtype: str or None, default `None`: the dtype to compute in and return; None applies the rule above.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> prod(torch.tensor([[1, 2], [3, 4]]), axis=1)
        tensor([ 2, 12])
    """
    x = c.tensor(x)
    target = config.torch_dtype(dtype) if dtype is not None else _sum_dtype(x.dtype)
    dim = _dims(x, axis, "prod")
    if dim == ():
        return x.to(target)
    if dim is None:
        out = torch.prod(x, dtype=target)
        return out.reshape((1,) * x.ndim) if keepdims else out
    if isinstance(dim, tuple):  # torch.prod takes one dim: reduce the axes one at a time
        out = x
        for d in dim:
            out = torch.prod(out, dim=d, keepdim=True, dtype=target)
        return out if keepdims else out.squeeze(tuple(d % x.ndim for d in dim))
    return torch.prod(x, dim=dim, keepdim=keepdims, dtype=target)


def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The arithmetic mean of ``x`` over ``axis``.

    Integer and bool inputs give floatx; float dtypes are kept.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
    """
    x = c.to_float(x)
    return _reduce("mean", torch.mean, x, axis, keepdims)


def var(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The population variance (``ddof=0``) of ``x`` over ``axis``.

    Integer and bool inputs give floatx; float dtypes are kept. ``axis=()`` gives zeros.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
    """
    x = c.to_float(x)
    return _reduce("var", torch.var, x, axis, keepdims, correction=0) if not _no_axes(axis) else (torch.zeros_like(x))


def std(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The population standard deviation (``ddof=0``) of ``x`` over ``axis``.

    Integer and bool inputs give floatx; float dtypes are kept. ``axis=()`` gives zeros.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> std(torch.tensor([1.0, 3.0]))
        tensor(1.)
    """
    x = c.to_float(x)
    return _reduce("std", torch.std, x, axis, keepdims, correction=0) if not _no_axes(axis) else (torch.zeros_like(x))


def _extremum(op, fn, x, axis, keepdims):
    x = c.tensor(x)
    if x.numel() == 0:
        raise ValueError(f"ops.{op}: cannot reduce an empty tensor of shape {tuple(x.shape)} without `initial`")
    return _reduce(op, fn, x, axis, keepdims)


def max(
    x: TensorLike, axis: Axis = None, keepdims: bool = False, initial: float | torch.Tensor | None = None
) -> torch.Tensor:
    """The maximum of ``x`` over ``axis`` (NaN where a NaN is reduced), at least ``initial``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.
        initial: number or None, default `None`: a lower bound of the result; None for none.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty (also when ``initial`` is given).

    Example:
        >>> max(torch.tensor([[1, 5], [7, 2]]), axis=0)
        tensor([7, 5])
        >>> max(torch.tensor([1, 2]), initial=4)
        tensor(4)
    """
    out = _extremum("max", torch.amax, x, axis, keepdims)
    return out if initial is None else torch.clamp(out, min=initial)


def min(
    x: TensorLike, axis: Axis = None, keepdims: bool = False, initial: float | torch.Tensor | None = None
) -> torch.Tensor:
    """The minimum of ``x`` over ``axis`` (NaN where a NaN is reduced), at most ``initial``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.
        initial: number or None, default `None`: an upper bound of the result; None for none.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty (also when ``initial`` is given).

    Example:
        >>> min(torch.tensor([[1, 5], [7, 2]]), axis=1, keepdims=True)
        tensor([[1],
                [2]])
    """
    out = _extremum("min", torch.amin, x, axis, keepdims)
    return out if initial is None else torch.clamp(out, max=initial)


def amax(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The maximum of ``x`` over ``axis`` (NaN where a NaN is reduced).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty.

    Example:
        >>> amax(torch.tensor([[1, 5], [7, 2]]))
        tensor(7)
    """
    return _extremum("amax", torch.amax, x, axis, keepdims)


def amin(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The minimum of ``x`` over ``axis`` (NaN where a NaN is reduced).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty.

    Example:
        >>> amin(torch.tensor([3.0, -1.0]))
        tensor(-1.)
    """
    return _extremum("amin", torch.amin, x, axis, keepdims)


def ptp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The range (peak to peak) ``max - min`` of ``x`` over ``axis``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty.
        TypeError: ``x`` is a bool tensor (torch cannot subtract booleans).

    Example:
        >>> ptp(torch.tensor([[1, 5], [7, 2]]), axis=1)
        tensor([4, 5])
    """
    x = c.tensor(x)
    return c.apply("ptp", torch.sub, amax(x, axis, keepdims), amin(x, axis, keepdims))


def all(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Whether every element of ``x`` over ``axis`` is non-zero (true).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of dtype bool.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> all(torch.tensor([[1, 0], [2, 3]]), axis=1)
        tensor([False,  True])
    """
    x = c.tensor(x)
    if x.dtype == torch.uint8:  # torch returns uint8 for uint8 inputs
        x = x.bool()
    return _reduce("all", torch.all, x, axis, keepdims) if not _no_axes(axis) else x.bool()


def any(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Whether some element of ``x`` over ``axis`` is non-zero (true).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of dtype bool.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> any(torch.tensor([[0, 0], [0, 3]]), axis=1)
        tensor([False,  True])
    """
    x = c.tensor(x)
    if x.dtype == torch.uint8:  # torch returns uint8 for uint8 inputs
        x = x.bool()
    return _reduce("any", torch.any, x, axis, keepdims) if not _no_axes(axis) else x.bool()


def count_nonzero(x: TensorLike, axis: Axis = None) -> torch.Tensor:
    """The number of non-zero elements of ``x`` over ``axis``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.

    Returns:
        An int32 tensor of ``x``'s shape without the reduced axes.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> count_nonzero(torch.tensor([[0, 1], [2, 3]]), axis=0)
        tensor([1, 2], dtype=torch.int32)
    """
    x = c.tensor(x)
    dim = _dims(x, axis, "count_nonzero")
    if dim == ():
        return (x != 0).to(_INT32)
    return torch.count_nonzero(x, dim=dim).to(_INT32)


def _arg(op, fn, x, axis, keepdims):
    x = c.tensor(x)
    if x.numel() == 0:
        raise ValueError(f"ops.{op}: cannot reduce an empty tensor of shape {tuple(x.shape)}")
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        out = fn(x.reshape(-1), dim=0)
        return (out.reshape((1,) * x.ndim) if keepdims else out).to(_INT32)
    if isinstance(axis, (list, tuple)):
        raise ValueError(f"ops.{op}: expected an int or None axis, received axis={axis!r}")
    try:
        return fn(x, axis, keepdims).to(_INT32)
    except IndexError as error:
        _dims(x, axis, op)
        raise ValueError(f"ops.{op}: invalid axis={axis!r} for a tensor of shape {tuple(x.shape)}") from error


def argmax(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """The index of the (first) maximum of ``x`` along ``axis``.

    bool inputs compare as integers.

    Args:
        x: tensor, array or Python number: the input.
        axis: int or None, default `None`: the axis to search along; None searches the flattened input.
        keepdims: bool, default `False`: whether the searched axis stays, with size 1.

    Returns:
        An int32 tensor of ``x``'s shape without ``axis`` (a scalar for ``axis=None``, or all axes kept with size 1
        under ``keepdims``).

    Raises:
        ValueError: ``x`` is empty, ``axis`` is a tuple, or it is out of range.
    """
    return _arg("argmax", torch.argmax, x, axis, keepdims)


def argmin(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """The index of the (first) minimum of ``x`` along ``axis``.

    bool inputs compare as integers.

    Args:
        x: tensor, array or Python number: the input.
        axis: int or None, default `None`: the axis to search along; None searches the flattened input.
        keepdims: bool, default `False`: whether the searched axis stays, with size 1.

    Returns:
        An int32 tensor of ``x``'s shape without ``axis`` (a scalar for ``axis=None``, or all axes kept with size 1
        under ``keepdims``).

    Raises:
        ValueError: ``x`` is empty, ``axis`` is a tuple, or it is out of range.

    Example:
        >>> argmin(torch.tensor([3, 1, 1]))
        tensor(1, dtype=torch.int32)
    """
    return _arg("argmin", torch.argmin, x, axis, keepdims)


def _cumulative(op, fn, x, axis, dtype):
    x = c.tensor(x)
    target = config.torch_dtype(dtype) if dtype is not None else (_INT32 if x.dtype == torch.bool else x.dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(axis, (list, tuple)):
        raise ValueError(f"ops.{op}: expected an int or None axis, received axis={axis!r}")
    _dims(x, axis, op)
    return fn(x, dim=axis, dtype=target)


def cumsum(x: TensorLike, axis: int | None = None, dtype: DTypeLike = None) -> torch.Tensor:
    """The cumulative sum of ``x`` along ``axis``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int or None, default `None`: the axis to accumulate along; None uses the flattened input.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype (bool gives int32).

    Returns:
        A tensor of ``x``'s shape (1-D for ``axis=None``) and the dtype described for ``dtype``.

    Raises:
        ValueError: ``axis`` is a tuple or out of range.
    """
    return _cumulative("cumsum", torch.cumsum, x, axis, dtype)


def cumprod(x: TensorLike, axis: int | None = None, dtype: DTypeLike = None) -> torch.Tensor:
    """The cumulative product of ``x`` along ``axis``.

    Args:
        x: tensor, array or Python number: the input.
        axis: int or None, default `None`: the axis to accumulate along; None uses the flattened input.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype (bool gives int32).

    Returns:
        A tensor of ``x``'s shape (1-D for ``axis=None``) and the dtype described for ``dtype``.

    Raises:
        ValueError: ``axis`` is a tuple or out of range.

    Example:
        >>> cumprod(torch.tensor([1, 2, 3]))
        tensor([1, 2, 6])
    """
    return _cumulative("cumprod", torch.cumprod, x, axis, dtype)


def average(x: TensorLike, axis: Axis = None, weights: TensorLike | None = None) -> torch.Tensor:
    """The weighted mean of ``x`` over ``axis``: ``sum(x * weights) / sum(weights)``.

    Without weights it is :func:`mean`. ``x`` and ``weights`` are promoted together to a float dtype (integers give
    floatx).

    Args:
        x: tensor, array or Python number: the input.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        weights: tensor, array or None, default `None`: the weights, of ``x``'s shape or 1-D along an int ``axis``; None
            weighs all elements equally.

    Returns:
        A tensor of ``x``'s shape without the reduced axes.

    Raises:
        ValueError: ``weights`` has neither ``x``'s shape nor a 1-D shape matching the one int ``axis``, or an axis is
            out of range.

    Example:
        >>> average(torch.tensor([1.0, 2.0, 3.0]), weights=torch.tensor([3.0, 1.0, 0.0]))
        tensor(1.2500)
        >>> average(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1, weights=torch.tensor([1.0, 3.0]))
        tensor([1.7500, 3.7500])
    """
    if weights is None:
        return mean(x, axis=axis)
    x, w, _ = c.pair(x, weights, weak=float)
    if w.shape != x.shape:
        if axis is None or isinstance(axis, Sequence) or w.ndim != 1 or w.shape[0] != x.shape[axis]:
            raise ValueError(
                f"ops.average: expected weights of shape {tuple(x.shape)} or 1-D along axis={axis}, "
                f"received weights of shape {tuple(w.shape)}"
            )
        w = w.reshape([-1 if d == axis % x.ndim else 1 for d in range(x.ndim)])
    dim = _dims(x, axis, "average")
    if dim is None:
        return torch.sum(x * w) / torch.sum(w)
    return torch.sum(x * w, dim=dim) / torch.sum(w.expand_as(x), dim=dim)


# NaN-ignoring versions: NaNs become the identity of the reduction (no effect on integers).


def _masked(x, fill):
    x = c.tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        return x, None
    nan = torch.isnan(x)
    return torch.where(nan, fill, x), nan


def nansum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The sum of ``x`` over ``axis``, NaNs counted as zero.

    dtypes as in :func:`sum`.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> nansum(torch.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    return sum(_masked(x, 0.0)[0], axis, keepdims)


def nanprod(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The product of ``x`` over ``axis``, NaNs counted as one.

    dtypes as in :func:`prod`.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> nanprod(torch.tensor([2.0, float("nan"), 3.0]))
        tensor(6.)
    """
    return prod(_masked(x, 1.0)[0], axis, keepdims)


def nanmean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The mean of the non-NaN elements of ``x`` over ``axis`` (NaN where there are none).

    Integer and bool inputs give floatx.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> nanmean(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(2.)
    """
    x = c.to_float(x)
    if _dims(x, axis, "nanmean") == ():
        return x
    return torch.nanmean(x, dim=_dims(x, axis, "nanmean"), keepdim=keepdims)


def nanvar(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The population variance of the non-NaN elements of ``x`` over ``axis``.

    Integer and bool inputs give floatx.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> nanvar(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    x = c.to_float(x)
    dim = _dims(x, axis, "nanvar")
    if dim == ():
        return torch.where(torch.isnan(x), x, torch.zeros_like(x))
    centred = x - torch.nanmean(x, dim=dim, keepdim=True)
    return torch.nanmean(centred * centred, dim=dim, keepdim=keepdims)


def nanstd(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The population standard deviation of the non-NaN elements of ``x`` over ``axis``.

    Integer and bool inputs give floatx.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s float
        dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> nanstd(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    return torch.sqrt(nanvar(x, axis, keepdims))


def _nan_extremum(op, fn, x, axis, keepdims, fill):
    filled, nan = _masked(x, fill)
    out = _extremum(op, fn, filled, axis, keepdims)
    if nan is None:
        return out
    return torch.where(_reduce(op, torch.all, nan, axis, keepdims), float("nan"), out)


def nanmax(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The maximum of ``x`` over ``axis`` ignoring NaNs (NaN where all reduced elements are NaN).

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty.
    """
    return _nan_extremum("nanmax", torch.amax, x, axis, keepdims, -float("inf"))


def nanmin(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """The minimum of ``x`` over ``axis`` ignoring NaNs (NaN where all reduced elements are NaN).

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int, tuple of ints or None, default `None`: the axes to reduce; None reduces every axis, ``()`` none.
        keepdims: bool, default `False`: whether the reduced axes stay in the result, with size 1.

    Returns:
        A tensor of ``x``'s shape without the reduced axes (kept with size 1 under ``keepdims``), of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.
        ValueError: ``x`` is empty.

    Example:
        >>> nanmin(torch.tensor([[float("nan"), float("nan")], [1.0, float("nan")]]), axis=1)
        tensor([nan, 1.])
    """
    return _nan_extremum("nanmin", torch.amin, x, axis, keepdims, float("inf"))


def _nan_arg(op, fn, x, axis, keepdims, fill):
    filled, nan = _masked(x, fill)
    out = _arg(op, fn, filled, axis, keepdims)
    if nan is None:
        return out
    if axis is None:
        all_nan = nan.all().reshape((1,) * nan.ndim if keepdims else ())
    else:
        all_nan = torch.all(nan, dim=axis, keepdim=keepdims)
    return torch.where(all_nan, -1, out)


def nanargmax(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """The index of the maximum of ``x`` along ``axis`` ignoring NaNs (-1 where all are NaN, as in Keras).

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int or None, default `None`: the axis to search along; None searches the flattened input.
        keepdims: bool, default `False`: whether the searched axis stays, with size 1.

    Returns:
        An int32 tensor of ``x``'s shape without ``axis`` (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: ``x`` is empty, ``axis`` is a tuple, or it is out of range.

    Example:
        >>> nanargmax(torch.tensor([[float("nan"), float("nan")], [1.0, 2.0]]), axis=1)
        tensor([-1,  1], dtype=torch.int32)
    """
    return _nan_arg("nanargmax", torch.argmax, x, axis, keepdims, -float("inf"))


def nanargmin(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """The index of the minimum of ``x`` along ``axis`` ignoring NaNs (-1 where all are NaN, as in Keras).

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int or None, default `None`: the axis to search along; None searches the flattened input.
        keepdims: bool, default `False`: whether the searched axis stays, with size 1.

    Returns:
        An int32 tensor of ``x``'s shape without ``axis`` (kept with size 1 under ``keepdims``).

    Raises:
        ValueError: ``x`` is empty, ``axis`` is a tuple, or it is out of range.

    Example:
        >>> nanargmin(torch.tensor([float("nan"), 2.0, 1.0]))
        tensor(2, dtype=torch.int32)
    """
    return _nan_arg("nanargmin", torch.argmin, x, axis, keepdims, float("inf"))


def nancumsum(x: TensorLike, axis: int | None = None, dtype: DTypeLike = None) -> torch.Tensor:
    """The cumulative sum of ``x`` along ``axis``, NaNs counted as zero.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int or None, default `None`: the axis to accumulate along; None uses the flattened input.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype (bool gives int32).

    Returns:
        A tensor of ``x``'s shape (1-D for ``axis=None``).

    Raises:
        ValueError: ``axis`` is a tuple or out of range.

    Example:
        >>> nancumsum(torch.tensor([1.0, float("nan"), 2.0]))
        tensor([1., 1., 3.])
    """
    return cumsum(_masked(x, 0.0)[0], axis, dtype)


def nancumprod(x: TensorLike, axis: int | None = None, dtype: DTypeLike = None) -> torch.Tensor:
    """The cumulative product of ``x`` along ``axis``, NaNs counted as one.

    Args:
        x: tensor, array or Python number: the input; NaNs are ignored.
        axis: int or None, default `None`: the axis to accumulate along; None uses the flattened input.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype (bool gives int32).

    Returns:
        A tensor of ``x``'s shape (1-D for ``axis=None``).

    Raises:
        ValueError: ``axis`` is a tuple or out of range.

    Example:
        >>> nancumprod(torch.tensor([2.0, float("nan"), 3.0]))
        tensor([2., 2., 6.])
    """
    return cumprod(_masked(x, 1.0)[0], axis, dtype)
