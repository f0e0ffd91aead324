"""Array creation: filled arrays, ranges, grids, triangles and diagonals, window functions.

Dtypes follow Keras 3: ``ones``/``zeros``/``full``/``eye``/``tri``/windows give floatx unless ``dtype`` is
given, ``*_like`` functions keep the input's dtype, ``arange`` promotes its arguments (Python ints give
int32), ``linspace``/``logspace``/``geomspace`` give floats (an integer ``dtype`` truncates, as Keras's
torch backend does). Unlike Keras's torch backend, ``linspace``/``logspace``/``geomspace`` accept array
endpoints with any ``axis``, and float64 inputs give float64 results (kerastorch keeps 64-bit dtypes).

Example:
    >>> ones((2, 3)).shape
    torch.Size([2, 3])
    >>> arange(1, 7, 2)
    tensor([1, 3, 5], dtype=torch.int32)
    >>> linspace(0.0, 1.0, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    >>> eye(2, 3, k=1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
    >>> tri(3, dtype="int32")
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    >>> triu(torch.ones(2, 2))
    tensor([[1., 1.],
            [0., 1.]])
    >>> diag(torch.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> vander(torch.tensor([1, 2, 3]), 2)
    tensor([[1, 1],
            [2, 1],
            [3, 1]])
    >>> [t.shape for t in meshgrid(torch.arange(2), torch.arange(3))]
    [torch.Size([3, 2]), torch.Size([3, 2])]
    >>> hamming(3)
    tensor([0.0800, 1.0000, 0.0800])
"""

from __future__ import annotations

import math
from typing import Any, Callable, SupportsFloat, SupportsIndex

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, ShapeLike, TensorLike
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import device_of, int_arg, shape_tuple, tensor

__all__ = [
    "arange",
    "array",
    "bartlett",
    "blackman",
    "copy",
    "diag",
    "diagflat",
    "diagonal",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "geomspace",
    "hamming",
    "hanning",
    "identity",
    "kaiser",
    "linspace",
    "logspace",
    "meshgrid",
    "ones",
    "ones_like",
    "tri",
    "tril",
    "triu",
    "vander",
    "zeros",
    "zeros_like",
]


def _dtype(dtype: DTypeLike) -> torch.dtype:
    return config.torch_dtype(dtype)


def ones(shape: ShapeLike | torch.Tensor | np.ndarray, dtype: DTypeLike = None) -> torch.Tensor:
    """A tensor of ones on the default device.

    Args:
        shape: int or sequence of ints: the shape of the result.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints.
    """
    return torch.ones(shape_tuple(shape, "ops.ones"), dtype=_dtype(dtype), device=config.default_device())


def zeros(shape: ShapeLike | torch.Tensor | np.ndarray, dtype: DTypeLike = None) -> torch.Tensor:
    """A tensor of zeros on the default device.

    Args:
        shape: int or sequence of ints: the shape of the result.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints.

    Example:
        >>> zeros(3, dtype="int32")
        tensor([0, 0, 0], dtype=torch.int32)
    """
    return torch.zeros(shape_tuple(shape, "ops.zeros"), dtype=_dtype(dtype), device=config.default_device())


def empty(shape: ShapeLike | torch.Tensor | np.ndarray, dtype: DTypeLike = None) -> torch.Tensor:
    """An uninitialized tensor on the default device (its values are whatever the memory held).

    Args:
        shape: int or sequence of ints: the shape of the result.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints.

    Example:
        >>> empty((2, 0)).shape
        torch.Size([2, 0])
    """
    return torch.empty(shape_tuple(shape, "ops.empty"), dtype=_dtype(dtype), device=config.default_device())


def full(shape: ShapeLike | torch.Tensor | np.ndarray, fill_value: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """A tensor of ``shape`` filled with ``fill_value``.

    Args:
        shape: int or sequence of ints: the shape of the result.
        fill_value: number, tensor or array: the value; an array is broadcast to ``shape``.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        A tensor of ``shape`` and ``dtype`` (floatx by default, also for an integer ``fill_value``).

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints.
        RuntimeError: an array ``fill_value`` does not broadcast to ``shape`` (torch's error).

    Example:
        >>> full((2, 2), 7)
        tensor([[7., 7.],
                [7., 7.]])
    """
    shape = shape_tuple(shape, "ops.full")
    if isinstance(fill_value, (int, float, bool)):
        return torch.full(shape, fill_value, dtype=_dtype(dtype), device=config.default_device())
    return torch.broadcast_to(tensor(fill_value, dtype=dtype or config.floatx()), shape).clone()


def _like(x: TensorLike, dtype: DTypeLike) -> tuple[torch.Tensor, torch.dtype]:
    x = tensor(x)
    return x, (x.dtype if dtype is None else _dtype(dtype))


def ones_like(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """Ones of the shape (and, unless ``dtype`` is given, the dtype) of ``x``.

    Args:
        x: tensor, array or Python value: the tensor whose shape (and dtype) the result takes.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype.

    Returns:
        A tensor of ``x``'s shape, on ``x``'s device.

    Example:
        >>> ones_like(torch.tensor([1, 2]))
        tensor([1, 1])
    """
    x, dtype = _like(x, dtype)
    return torch.ones_like(x, dtype=dtype)


def zeros_like(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """Zeros of the shape (and, unless ``dtype`` is given, the dtype) of ``x``.

    Args:
        x: tensor, array or Python value: the tensor whose shape (and dtype) the result takes.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype.

    Returns:
        A tensor of ``x``'s shape, on ``x``'s device.

    Example:
        >>> zeros_like(torch.tensor([1.5]), dtype="int32")
        tensor([0], dtype=torch.int32)
    """
    x, dtype = _like(x, dtype)
    return torch.zeros_like(x, dtype=dtype)


def empty_like(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """An uninitialized tensor of the shape (and, unless ``dtype`` is given, the dtype) of ``x``.

    Args:
        x: tensor, array or Python value: the tensor whose shape (and dtype) the result takes.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype.

    Returns:
        A tensor of ``x``'s shape, on ``x``'s device.

    Example:
        >>> empty_like(torch.tensor([[1, 2]])).shape
        torch.Size([1, 2])
    """
    x, dtype = _like(x, dtype)
    return torch.empty_like(x, dtype=dtype)


def full_like(x: TensorLike, fill_value: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """``fill_value`` in the shape (and, unless ``dtype`` is given, the dtype) of ``x``.

    A float ``fill_value`` for an integer dtype is truncated, as a cast does.

    Args:
        x: tensor, array or Python value: the tensor whose shape (and dtype) the result takes.
        fill_value: number, tensor or array: the value; an array is broadcast to ``x``'s shape.
        dtype: str or None, default `None`: the result's dtype; None keeps ``x``'s dtype.

    Returns:
        A tensor of ``x``'s shape, on ``x``'s device.

    Example:
        >>> full_like(torch.tensor([1, 2]), 2.7)
        tensor([2, 2])
    """
    x, dtype = _like(x, dtype)
    if isinstance(fill_value, (int, float, bool)):
        if not dtype.is_floating_point and isinstance(fill_value, float) and dtype != torch.bool:
            fill_value = int(fill_value)  # truncation, as a cast does
        return torch.full_like(x, fill_value, dtype=dtype)
    fill = tensor(fill_value).to(device=x.device, dtype=dtype)
    return torch.broadcast_to(fill, x.shape).clone()


def array(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """``x`` as a tensor.

    Tensors are returned as they are (cast to ``dtype`` if given); NumPy arrays keep their dtype; Python ints give
    int32, floats floatx.

    Args:
        x: tensor, array, Python number or nested list: the values.
        dtype: str or None, default `None`: the result's dtype; None infers it as described.

    Returns:
        A tensor on the default device (or ``x``'s, for a tensor).

    Example:
        >>> array([1, 2])
        tensor([1, 2], dtype=torch.int32)
    """
    return tensor(x, dtype=dtype)


def copy(x: TensorLike) -> torch.Tensor:
    """A copy of ``x`` (new memory, same dtype and device).

    Args:
        x: tensor, array or Python value: the values to copy.

    Returns:
        A tensor equal to ``x``.

    Example:
        >>> copy(torch.tensor([1, 2]))
        tensor([1, 2])
    """
    x = tensor(x)
    return x.clone()


def arange(
    start: float | np.generic | torch.Tensor | np.ndarray,
    stop: float | np.generic | torch.Tensor | np.ndarray | None = None,
    step: float | np.generic | torch.Tensor | np.ndarray | None = None,
    dtype: DTypeLike = None,
) -> torch.Tensor:
    """Evenly spaced values in ``[start, stop)``, ``step`` apart.

    With one argument it is ``stop`` and the values start at 0. The dtype promotes the arguments (Python ints give
    int32, floats floatx).

    Args:
        start: number or 0-dim tensor: the first value, or ``stop`` when ``stop`` is None.
        stop: number, 0-dim tensor or None, default `None`: the end of the interval (left out).
        step: number, 0-dim tensor or None, default `None`: the spacing; None means 1.
        dtype: str or None, default `None`: the result's dtype; None promotes the given arguments.

    Returns:
        A 1-D tensor of ``ceil((stop - start) / step)`` values (empty when that is not positive).

    Raises:
        ValueError: ``step`` is 0.

    Example:
        >>> arange(3)
        tensor([0, 1, 2], dtype=torch.int32)
        >>> arange(0.0, 1.0, 0.25)
        tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    args = [v for v in (start, stop, step) if v is not None]
    dtype = _dtype(dtype if dtype is not None else result_type(*args))
    if stop is None:
        start, stop = 0, start
    values = [
        v.item() if isinstance(v, (torch.Tensor, np.ndarray, np.generic)) else v
        for v in (start, stop, 1 if step is None else step)
    ]
    if values[2] == 0:
        raise ValueError(f"ops.arange: expected a non-zero step, received step={step!r}")
    count = max(math.ceil((values[1] - values[0]) / values[2]), 0)
    if count == 0:
        return torch.empty(0, dtype=dtype, device=device_of(start, stop, step))
    return torch.arange(*values, dtype=dtype, device=device_of(start, stop, step))


def _scalar(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _spaced(start, stop, num, endpoint, axis, float_dtype, fn):
    """``num`` evenly spaced values from ``start`` to ``stop`` (scalars or arrays) in ``float_dtype``,
    stacked along ``axis``; returns them with the step."""
    num = int_arg(num, "num", fn)
    if num < 0:
        raise ValueError(f"{fn}: expected num >= 0, received num={num}")
    div = (num - 1) if endpoint else num
    if _scalar(start) and _scalar(stop):
        device = config.default_device()
        if endpoint:
            out = torch.linspace(start, stop, num, dtype=float_dtype, device=device)
        else:
            out = torch.linspace(start, stop, num + 1, dtype=float_dtype, device=device)[:num]
        return out, ((stop - start) / div if div > 0 else float("nan"))
    start, stop = tensor(start, float_dtype), tensor(stop, float_dtype)
    start, stop = torch.broadcast_tensors(start.to(device_of(start, stop)), stop.to(device_of(start, stop)))
    delta = stop - start
    steps = torch.arange(num, dtype=float_dtype, device=start.device).reshape((num,) + (1,) * start.ndim)
    step = delta / div if div > 0 else torch.full_like(delta, float("nan"))
    out = start + steps * step if div > 0 else start + steps * delta
    if endpoint and num > 1:
        out[-1] = stop
    if axis != 0:
        out = torch.movedim(out, 0, axis)
    return out, step


def _float_dtype(start: TensorLike, stop: TensorLike, dtype: DTypeLike) -> torch.dtype:
    """The dtype the values are computed in: the float result type of the endpoints (float64 for a
    float64 target)."""
    computed = result_type(start, stop, float)
    if dtype is not None and config.standardize_dtype(dtype) == "float64":
        computed = "float64"
    return _dtype(computed)


def linspace(
    start: TensorLike,
    stop: TensorLike,
    num: SupportsIndex = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: DTypeLike = None,
    axis: int = 0,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor | float]:
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Scalar endpoints give a 1-D result; array endpoints (broadcast together) give one more axis, of ``num`` entries, at
    ``axis``. Values are computed in the float result type of the endpoints (float64 for a float64 ``dtype``), then cast
    to ``dtype``: an integer ``dtype`` truncates.

    Args:
        start: number, tensor or array: the first value (or values).
        stop: number, tensor or array: the last value (or the end, when ``endpoint`` is False).
        num: int, default `50`: the number of values.
        endpoint: bool, default `True`: whether ``stop`` is the last value (else it is left out).
        retstep: bool, default `False`: whether to return the spacing too.
        dtype: str or None, default `None`: the result's dtype; None keeps the computed float dtype.
        axis: int, default `0`: where the new axis of values goes when the endpoints are arrays.

    Returns:
        The values; with ``retstep``, a pair ``(values, step)`` (``step`` a float for scalar endpoints, else a tensor).

    Raises:
        ValueError: ``num`` is negative.
        TypeError: ``num`` is not an int.

    Example:
        >>> linspace(0.0, 1.0, 4, endpoint=False, retstep=True)
        (tensor([0.0000, 0.2500, 0.5000, 0.7500]), 0.25)
        >>> linspace(torch.tensor([0.0, 10.0]), torch.tensor([1.0, 20.0]), 3, axis=1)
        tensor([[ 0.0000,  0.5000,  1.0000],
                [10.0000, 15.0000, 20.0000]])
    """
    out, step = _spaced(start, stop, num, endpoint, axis, _float_dtype(start, stop, dtype), "ops.linspace")
    if dtype is not None:
        out = out.to(_dtype(dtype))
    return (out, step) if retstep else out


def logspace(
    start: TensorLike,
    stop: TensorLike,
    num: SupportsIndex = 50,
    endpoint: bool = True,
    base: TensorLike = 10,
    dtype: DTypeLike = None,
    axis: int = 0,
) -> torch.Tensor:
    """``num`` values spaced evenly on a log scale: ``base ** linspace(start, stop, num)``.

    Scalar endpoints give a 1-D result; array endpoints (broadcast together) give one more axis, of ``num`` entries, at
    ``axis``. Values are computed in the float result type of the endpoints (float64 for a float64 ``dtype``), then cast
    to ``dtype``: an integer ``dtype`` truncates.

    Args:
        start: number, tensor or array: the first exponent (or exponents).
        stop: number, tensor or array: the last exponent (or the end, when ``endpoint`` is False).
        num: int, default `50`: the number of values.
        endpoint: bool, default `True`: whether ``stop`` is the last value (else it is left out).
        base: number, default `10`: the base of the powers.
        dtype: str or None, default `None`: the result's dtype; None keeps the computed float dtype.
        axis: int, default `0`: where the new axis of values goes when the endpoints are arrays.

    Returns:
        A tensor of the values.

    Raises:
        ValueError: ``num`` is negative.
        TypeError: ``num`` is not an int.

    Example:
        >>> logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
        >>> logspace(0, 3, 4, base=2)
        tensor([1., 2., 4., 8.])
    """
    float_dtype = _float_dtype(start, stop, dtype)
    exponent, _ = _spaced(start, stop, num, endpoint, axis, float_dtype, "ops.logspace")
    out = torch.pow(tensor(base, float_dtype).to(exponent.device), exponent)
    return out if dtype is None else out.to(_dtype(dtype))


def geomspace(
    start: TensorLike,
    stop: TensorLike,
    num: SupportsIndex = 50,
    endpoint: bool = True,
    dtype: DTypeLike = None,
    axis: int = 0,
) -> torch.Tensor:
    """``num`` values from ``start`` to ``stop`` in a geometric progression (evenly spaced on a log scale).

    Scalar endpoints give a 1-D result; array endpoints (broadcast together) give one more axis, of ``num`` entries, at
    ``axis``. Values are computed in the float result type of the endpoints (float64 for a float64 ``dtype``), then cast
    to ``dtype``: an integer ``dtype`` truncates. ``start`` and ``stop`` must be non-zero and of one sign (else the
    values are NaN); the endpoints are exact.

    Args:
        start: number, tensor or array: the first value (or values).
        stop: number, tensor or array: the last value (or the end, when ``endpoint`` is False).
        num: int, default `50`: the number of values.
        endpoint: bool, default `True`: whether ``stop`` is the last value (else it is left out).
        dtype: str or None, default `None`: the result's dtype; None keeps the computed float dtype.
        axis: int, default `0`: where the new axis of values goes when the endpoints are arrays.

    Returns:
        A tensor of the values.

    Raises:
        ValueError: ``num`` is negative.
        TypeError: ``num`` is not an int.

    Example:
        >>> geomspace(1, 1000, 4)
        tensor([   1.,   10.,  100., 1000.])
    """
    float_dtype = _float_dtype(start, stop, dtype)
    start_t, stop_t = tensor(start, float_dtype), tensor(stop, float_dtype)
    sign = torch.sign(start_t)
    exponent, _ = _spaced(
        torch.log10(start_t.abs()), torch.log10(stop_t.abs()), num, endpoint, 0, float_dtype, "ops.geomspace"
    )
    out = sign * torch.pow(10.0, exponent)
    if out.shape[0] > 0:
        out[0] = start_t
        if endpoint and out.shape[0] > 1:
            out[-1] = stop_t
    if axis != 0:
        out = torch.movedim(out, 0, axis)
    return out if dtype is None else out.to(_dtype(dtype))


def meshgrid(*x: TensorLike, indexing: str = "xy") -> list[torch.Tensor]:
    """Coordinate grids from 1-D coordinate vectors.

    For inputs of lengths ``n1, n2, ...``, every grid has shape ``(n2, n1, ...)`` with ``indexing="xy"`` and ``(n1, n2,
    ...)`` with ``"ij"``. The inputs are promoted to one dtype.

    Args:
        *x: tensors, arrays or lists: the coordinate vectors (flattened).
        indexing: str, default `"xy"`: ``"xy"`` (Cartesian: the first two axes swapped) or ``"ij"`` (matrix).

    Returns:
        A list with one grid tensor per input.

    Raises:
        ValueError: ``indexing`` is neither "xy" nor "ij".

    Example:
        >>> meshgrid(torch.tensor([1, 2]), torch.tensor([3, 4, 5]), indexing="ij")[0]
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: expected indexing 'xy' or 'ij', received {indexing!r}")
    tensors = [tensor(v) for v in x]
    dtype = _dtype(result_type(*tensors)) if tensors else None
    return list(torch.meshgrid(*[t.to(dtype).reshape(-1) for t in tensors], indexing=indexing))


def _tri_mask(n, m, k, device):
    rows = torch.arange(n, device=device).unsqueeze(-1)
    return torch.arange(m, device=device) - rows <= k


def eye(
    N: SupportsIndex, M: SupportsIndex | None = None, k: SupportsIndex = 0, dtype: DTypeLike = None
) -> torch.Tensor:
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Args:
        N: int: the number of rows.
        M: int or None, default `None`: the number of columns; None means ``N``.
        k: int, default `0`: the diagonal: 0 the main one, positive above it, negative below.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        An ``(N, M)`` tensor of ``dtype`` on the default device.

    Raises:
        TypeError: ``N``, ``M`` or ``k`` is not an int.
    """
    n = int_arg(N, "N", "ops.eye")
    m = n if M is None else int_arg(M, "M", "ops.eye")
    k = int_arg(k, "k", "ops.eye")
    device = config.default_device()
    if k == 0:
        return torch.eye(n, m, dtype=_dtype(dtype), device=device)
    rows = torch.arange(n, device=device).unsqueeze(-1)
    return (torch.arange(m, device=device) - rows == k).to(_dtype(dtype))


def identity(n: SupportsIndex, dtype: DTypeLike = None) -> torch.Tensor:
    """The ``n`` x ``n`` identity matrix.

    Args:
        n: int: the number of rows and columns.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        An ``(n, n)`` tensor of ``dtype`` on the default device.

    Raises:
        TypeError: ``n`` is not an int.

    Example:
        >>> identity(2, dtype="int32")
        tensor([[1, 0],
                [0, 1]], dtype=torch.int32)
    """
    return eye(n, dtype=dtype)


def tri(
    N: SupportsIndex, M: SupportsIndex | None = None, k: SupportsIndex = 0, dtype: DTypeLike = None
) -> torch.Tensor:
    """A matrix with ones at and below the ``k``-th diagonal and zeros above.

    Args:
        N: int: the number of rows.
        M: int or None, default `None`: the number of columns; None means ``N``.
        k: int, default `0`: the diagonal at and below which the ones are: 0 the main one, positive above it, negative
            below.
        dtype: str or None, default `None`: the result's dtype; None gives floatx.

    Returns:
        An ``(N, M)`` tensor of ``dtype`` on the default device.

    Raises:
        TypeError: ``N``, ``M`` or ``k`` is not an int.
    """
    n = int_arg(N, "N", "ops.tri")
    m = n if M is None else int_arg(M, "M", "ops.tri")
    return _tri_mask(n, m, int_arg(k, "k", "ops.tri"), config.default_device()).to(_dtype(dtype))


def _matrices(x: TensorLike, fn: str) -> torch.Tensor:
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{fn}: expected an input of rank >= 2, received shape {tuple(x.shape)}")
    return x


def tril(x: TensorLike, k: SupportsIndex = 0) -> torch.Tensor:
    """The lower triangle of the matrices in the last two axes of ``x``: entries above the ``k``-th diagonal are zeroed.

    Args:
        x: tensor or array of rank >= 2: the matrices.
        k: int, default `0`: the diagonal above which entries are zeroed: 0 the main one, positive above it, negative
            below.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: ``x`` has fewer than two axes.
        TypeError: ``k`` is not an int.

    Example:
        >>> tril(torch.tensor([[1, 2, 3], [4, 5, 6]]), k=1)
        tensor([[1, 2, 0],
                [4, 5, 6]])
    """
    return torch.tril(_matrices(x, "ops.tril"), int_arg(k, "k", "ops.tril"))


def triu(x: TensorLike, k: SupportsIndex = 0) -> torch.Tensor:
    """The upper triangle of the matrices in the last two axes of ``x``: entries below the ``k``-th diagonal are zeroed.

    Args:
        x: tensor or array of rank >= 2: the matrices.
        k: int, default `0`: the diagonal below which entries are zeroed: 0 the main one, positive above it, negative
            below.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: ``x`` has fewer than two axes.
        TypeError: ``k`` is not an int.
    """
    return torch.triu(_matrices(x, "ops.triu"), int_arg(k, "k", "ops.triu"))


def diag(x: TensorLike, k: SupportsIndex = 0) -> torch.Tensor:
    """The ``k``-th diagonal of a matrix, or a square matrix with a vector on its ``k``-th diagonal.

    Args:
        x: 1-D or 2-D tensor or array: a vector to place, or a matrix to read.
        k: int, default `0`: the diagonal: 0 the main one, positive above it, negative below.

    Returns:
        For a 2-D ``x``, a 1-D tensor; for a 1-D ``x`` of length n, an ``(n + |k|, n + |k|)`` tensor; ``x``'s dtype.

    Raises:
        ValueError: ``x`` is neither 1-D nor 2-D.
        TypeError: ``k`` is not an int.

    Example:
        >>> diag(torch.tensor([[1, 2], [3, 4]]), k=1)
        tensor([2])
    """
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"ops.diag: expected a 1-D or 2-D input, received shape {tuple(x.shape)}")
    return torch.diag(x, int_arg(k, "k", "ops.diag"))


def diagflat(x: TensorLike, k: SupportsIndex = 0) -> torch.Tensor:
    """A square matrix with the flattened ``x`` on its ``k``-th diagonal.

    Args:
        x: tensor or array: the values, flattened.
        k: int, default `0`: the diagonal: 0 the main one, positive above it, negative below.

    Returns:
        An ``(n + |k|, n + |k|)`` tensor of ``x``'s dtype, ``n`` the size of ``x``.

    Raises:
        TypeError: ``k`` is not an int.

    Example:
        >>> diagflat(torch.tensor([[1, 2]]))
        tensor([[1, 0],
                [0, 2]])
    """
    return torch.diagflat(tensor(x), int_arg(k, "k", "ops.diagflat"))


def diagonal(x: TensorLike, offset: SupportsIndex = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """The diagonals of the planes spanned by ``axis1`` and ``axis2``, as a new last axis (a view).

    Args:
        x: tensor or array of rank >= 2: the input.
        offset: int, default `0`: the diagonal: 0 the main one, positive above it, negative below.
        axis1: int, default `0`: the first axis of the planes (the rows).
        axis2: int, default `1`: the second axis of the planes (the columns).

    Returns:
        A tensor of ``x``'s dtype: ``x``'s shape without ``axis1`` and ``axis2``, plus the diagonals' length.

    Raises:
        ValueError: ``x`` has fewer than two axes.
        TypeError: ``offset`` is not an int.

    Example:
        >>> diagonal(torch.arange(8).reshape(2, 2, 2), axis1=1, axis2=2)
        tensor([[0, 3],
                [4, 7]])
    """
    x = _matrices(x, "ops.diagonal")
    return torch.diagonal(x, int_arg(offset, "offset", "ops.diagonal"), axis1, axis2)


def vander(x: TensorLike, N: SupportsIndex | None = None, increasing: bool = False) -> torch.Tensor:
    """The Vandermonde matrix of a vector: its columns are powers of ``x``.

    Args:
        x: 1-D tensor or array: the vector.
        N: int or None, default `None`: the number of columns; None means ``len(x)``.
        increasing: bool, default `False`: whether the powers increase from the left (``x ** 0`` first) rather than
            decrease.

    Returns:
        A ``(len(x), N)`` tensor of ``x``'s dtype.

    Raises:
        ValueError: ``x`` is not 1-D.
        TypeError: ``N`` is not an int.

    Example:
        >>> vander(torch.tensor([1, 2, 3]), increasing=True)
        tensor([[1, 1, 1],
                [1, 2, 4],
                [1, 3, 9]])
    """
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"ops.vander: expected a 1-D input, received shape {tuple(x.shape)}")
    n = None if N is None else int_arg(N, "N", "ops.vander")
    if x.dtype == torch.bool:
        return torch.vander(x.to(torch.uint8), n, increasing).to(torch.bool)
    return torch.vander(x, n, increasing).to(x.dtype)


def _window(x: SupportsIndex, fn: str, make: Callable[..., torch.Tensor], **kwargs: Any) -> torch.Tensor:
    m = int_arg(x, "window length", fn)
    return make(m, periodic=False, dtype=_dtype(None), device=device_of(x), **kwargs)


def bartlett(x: SupportsIndex) -> torch.Tensor:
    """The Bartlett (triangular) window.

    Args:
        x: int: the window's length (``M`` in NumPy); 1 gives ``[1.]``.

    Returns:
        A 1-D floatx tensor of ``x`` values (symmetric, for filter design).

    Raises:
        TypeError: ``x`` is not an int.

    Example:
        >>> bartlett(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return _window(x, "ops.bartlett", torch.bartlett_window)


def blackman(x: SupportsIndex) -> torch.Tensor:
    """The Blackman window (a taper of three cosine terms).

    Args:
        x: int: the window's length (``M`` in NumPy); 1 gives ``[1.]``.

    Returns:
        A 1-D floatx tensor of ``x`` values (symmetric, for filter design).

    Raises:
        TypeError: ``x`` is not an int.

    Example:
        >>> blackman(5)[1:4]
        tensor([0.3400, 1.0000, 0.3400])
    """
    return _window(x, "ops.blackman", torch.blackman_window)


def hamming(x: SupportsIndex) -> torch.Tensor:
    """The Hamming window (a raised cosine that does not reach zero).

    Args:
        x: int: the window's length (``M`` in NumPy); 1 gives ``[1.]``.

    Returns:
        A 1-D floatx tensor of ``x`` values (symmetric, for filter design).

    Raises:
        TypeError: ``x`` is not an int.
    """
    return _window(x, "ops.hamming", torch.hamming_window)


def hanning(x: SupportsIndex) -> torch.Tensor:
    """The Hann window (a raised cosine that reaches zero at both ends).

    Args:
        x: int: the window's length (``M`` in NumPy); 1 gives ``[1.]``.

    Returns:
        A 1-D floatx tensor of ``x`` values (symmetric, for filter design).

    Raises:
        TypeError: ``x`` is not an int.

    Example:
        >>> hanning(4)
        tensor([0.0000, 0.7500, 0.7500, 0.0000])
    """
    return _window(x, "ops.hanning", torch.hann_window)


def kaiser(x: SupportsIndex, beta: SupportsFloat) -> torch.Tensor:
    """The Kaiser window, a taper whose shape ``beta`` sets.

    Args:
        x: int: the window's length (``M`` in NumPy); 1 gives ``[1.]``.
        beta: float: the shape parameter; 0 gives a rectangular window, larger values a narrower one.

    Returns:
        A 1-D floatx tensor of ``x`` values (symmetric, for filter design).

    Raises:
        TypeError: ``x`` is not an int.

    Example:
        >>> kaiser(4, 5.0)
        tensor([0.0367, 0.7753, 0.7753, 0.0367])
    """
    return _window(x, "ops.kaiser", torch.kaiser_window, beta=float(beta))
