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
import builtins

import torch

from kerastorch import config
from kerastorch.ops.numpy import _promote as c

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "average", "count_nonzero", "cumprod", "cumsum", "max",
    "mean", "min", "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmin",
    "nanprod", "nanstd", "nansum", "nanvar", "prod", "ptp", "std", "sum", "var",
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
            raise ValueError(f"ops.{op}: expected axis in [-{x.ndim}, {x.ndim}), received axis={axis!r} for a "
                             f"tensor of shape {tuple(x.shape)}")
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


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Sum over ``axis`` (bool and small integers give int32)."""
    x = c.tensor(x)
    dtype = _sum_dtype(x.dtype)
    if _no_axes(axis):
        return x.to(dtype)
    if x.is_floating_point():  # torch keeps float dtypes (and passing dtype= costs a slower dispatch)
        return _reduce("sum", torch.sum, x, axis, keepdims)
    return _reduce("sum", torch.sum, x, axis, keepdims, dtype=dtype)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (bool and small integers give int32; ``dtype`` overrides)."""
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


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (integers give floatx)."""
    x = c.to_float(x)
    return _reduce("mean", torch.mean, x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance (``ddof=0``) over ``axis``."""
    x = c.to_float(x)
    return _reduce("var", torch.var, x, axis, keepdims, correction=0) if not _no_axes(axis) else (
        torch.zeros_like(x))


def std(x, axis=None, keepdims=False):
    """Population standard deviation (``ddof=0``) over ``axis``."""
    x = c.to_float(x)
    return _reduce("std", torch.std, x, axis, keepdims, correction=0) if not _no_axes(axis) else (
        torch.zeros_like(x))


def _extremum(op, fn, x, axis, keepdims):
    x = c.tensor(x)
    if x.numel() == 0:
        raise ValueError(f"ops.{op}: cannot reduce an empty tensor of shape {tuple(x.shape)} without `initial`")
    return _reduce(op, fn, x, axis, keepdims)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras's name
    """Maximum over ``axis`` (at least ``initial`` when given)."""
    out = _extremum("max", torch.amax, x, axis, keepdims)
    return out if initial is None else torch.clamp(out, min=initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras's name
    """Minimum over ``axis`` (at most ``initial`` when given)."""
    out = _extremum("min", torch.amin, x, axis, keepdims)
    return out if initial is None else torch.clamp(out, max=initial)


def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis``."""
    return _extremum("amax", torch.amax, x, axis, keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return _extremum("amin", torch.amin, x, axis, keepdims)


def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``."""
    x = c.tensor(x)
    return c.apply("ptp", torch.sub, amax(x, axis, keepdims), amin(x, axis, keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Whether every element over ``axis`` is non-zero."""
    x = c.tensor(x)
    if x.dtype == torch.uint8:  # torch returns uint8 for uint8 inputs
        x = x.bool()
    return _reduce("all", torch.all, x, axis, keepdims) if not _no_axes(axis) else x.bool()


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Whether some element over ``axis`` is non-zero."""
    x = c.tensor(x)
    if x.dtype == torch.uint8:  # torch returns uint8 for uint8 inputs
        x = x.bool()
    return _reduce("any", torch.any, x, axis, keepdims) if not _no_axes(axis) else x.bool()


def count_nonzero(x, axis=None):
    """Number of non-zero elements over ``axis`` (int32)."""
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


def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum along ``axis`` (flattened when None), int32."""
    return _arg("argmax", torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum along ``axis`` (flattened when None), int32."""
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


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened tensor when None)."""
    return _cumulative("cumsum", torch.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (of the flattened tensor when None)."""
    return _cumulative("cumprod", torch.cumprod, x, axis, dtype)


def average(x, axis=None, weights=None):
    """Weighted mean over ``axis``; ``weights`` has ``x``'s shape or is 1-D along ``axis``."""
    if weights is None:
        return mean(x, axis=axis)
    x, w, _ = c.pair(x, weights, weak=float)
    if w.shape != x.shape:
        if axis is None or isinstance(axis, (list, tuple)) or w.ndim != 1 or w.shape[0] != x.shape[axis]:
            raise ValueError(f"ops.average: expected weights of shape {tuple(x.shape)} or 1-D along axis={axis}, "
                             f"received weights of shape {tuple(w.shape)}")
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


def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis``, NaNs counted as zero."""
    return sum(_masked(x, 0.0)[0], axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis``, NaNs counted as one."""
    return prod(_masked(x, 1.0)[0], axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` of the non-NaN values (NaN where there are none)."""
    x = c.to_float(x)
    if _dims(x, axis, "nanmean") == ():
        return x
    return torch.nanmean(x, dim=_dims(x, axis, "nanmean"), keepdim=keepdims)


def nanvar(x, axis=None, keepdims=False):
    """Population variance over ``axis`` of the non-NaN values."""
    x = c.to_float(x)
    dim = _dims(x, axis, "nanvar")
    if dim == ():
        return torch.where(torch.isnan(x), x, torch.zeros_like(x))
    centred = x - torch.nanmean(x, dim=dim, keepdim=True)
    return torch.nanmean(centred * centred, dim=dim, keepdim=keepdims)


def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis`` of the non-NaN values."""
    return torch.sqrt(nanvar(x, axis, keepdims))


def _nan_extremum(op, fn, x, axis, keepdims, fill):
    filled, nan = _masked(x, fill)
    out = _extremum(op, fn, filled, axis, keepdims)
    if nan is None:
        return out
    return torch.where(_reduce(op, torch.all, nan, axis, keepdims), float("nan"), out)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaNs (NaN where all are NaN)."""
    return _nan_extremum("nanmax", torch.amax, x, axis, keepdims, -float("inf"))


def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaNs (NaN where all are NaN)."""
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


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum along ``axis`` ignoring NaNs, int32 (-1 where all are NaN, as in Keras)."""
    return _nan_arg("nanargmax", torch.argmax, x, axis, keepdims, -float("inf"))


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum along ``axis`` ignoring NaNs, int32 (-1 where all are NaN, as in Keras)."""
    return _nan_arg("nanargmin", torch.argmin, x, axis, keepdims, float("inf"))


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis``, NaNs counted as zero."""
    return cumsum(_masked(x, 0.0)[0], axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis``, NaNs counted as one."""
    return cumprod(_masked(x, 1.0)[0], axis, dtype)
