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
import math

import numpy as np
import torch

from kerastorch import config
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import device_of, int_arg, shape_tuple, tensor

__all__ = [
    "arange", "array", "bartlett", "blackman", "copy", "diag", "diagflat", "diagonal", "empty", "empty_like",
    "eye", "full", "full_like", "geomspace", "hamming", "hanning", "identity", "kaiser", "linspace", "logspace",
    "meshgrid", "ones", "ones_like", "tri", "tril", "triu", "vander", "zeros", "zeros_like",
]


def _dtype(dtype):
    return config.torch_dtype(dtype)


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default) on the default device."""
    return torch.ones(shape_tuple(shape, "ops.ones"), dtype=_dtype(dtype), device=config.default_device())


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default) on the default device."""
    return torch.zeros(shape_tuple(shape, "ops.zeros"), dtype=_dtype(dtype), device=config.default_device())


def empty(shape, dtype=None):
    """An uninitialized tensor (floatx by default) on the default device."""
    return torch.empty(shape_tuple(shape, "ops.empty"), dtype=_dtype(dtype), device=config.default_device())


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (a scalar or an array broadcast to ``shape``);
    floatx unless ``dtype`` is given."""
    shape = shape_tuple(shape, "ops.full")
    if isinstance(fill_value, (int, float, bool)):
        return torch.full(shape, fill_value, dtype=_dtype(dtype), device=config.default_device())
    return torch.broadcast_to(tensor(fill_value, dtype=dtype or config.floatx()), shape).clone()


def _like(x, dtype):
    x = tensor(x)
    return x, (x.dtype if dtype is None else _dtype(dtype))


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype, unless ``dtype`` is given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.ones_like(x, dtype=dtype)


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype, unless ``dtype`` is given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.zeros_like(x, dtype=dtype)


def empty_like(x, dtype=None):
    """An uninitialized tensor with the shape (and dtype, unless ``dtype`` is given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.empty_like(x, dtype=dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` (a scalar or an array broadcast to ``x.shape``) with the shape and dtype of ``x``."""
    x, dtype = _like(x, dtype)
    if isinstance(fill_value, (int, float, bool)):
        if not dtype.is_floating_point and isinstance(fill_value, float) and dtype != torch.bool:
            fill_value = int(fill_value)  # truncation, as a cast does
        return torch.full_like(x, fill_value, dtype=dtype)
    fill = tensor(fill_value).to(device=x.device, dtype=dtype)
    return torch.broadcast_to(fill, x.shape).clone()


def array(x, dtype=None):
    """``x`` as a tensor (Python ints give int32, floats floatx; arrays keep their dtype)."""
    return tensor(x, dtype=dtype)


def copy(x):
    """A copy of ``x``."""
    x = tensor(x)
    return x.clone()


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``; the dtype promotes the arguments (ints give int32)."""
    args = [v for v in (start, stop, step) if v is not None]
    dtype = _dtype(dtype if dtype is not None else result_type(*args))
    if stop is None:
        start, stop = 0, start
    values = [v.item() if isinstance(v, (torch.Tensor, np.ndarray, np.generic)) else v
              for v in (start, stop, 1 if step is None else step)]
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


def _float_dtype(start, stop, dtype):
    """The dtype the values are computed in: the float result type of the endpoints (float64 for a
    float64 target)."""
    computed = result_type(start, stop, float)
    if dtype is not None and config.standardize_dtype(dtype) == "float64":
        computed = "float64"
    return _dtype(computed)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``; with ``retstep``, also the step."""
    out, step = _spaced(start, stop, num, endpoint, axis, _float_dtype(start, stop, dtype), "ops.linspace")
    if dtype is not None:
        out = out.to(_dtype(dtype))
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``."""
    float_dtype = _float_dtype(start, stop, dtype)
    exponent, _ = _spaced(start, stop, num, endpoint, axis, float_dtype, "ops.logspace")
    out = torch.pow(tensor(base, float_dtype).to(exponent.device), exponent)
    return out if dtype is None else out.to(_dtype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop`` (same sign, non-zero)."""
    float_dtype = _float_dtype(start, stop, dtype)
    start_t, stop_t = tensor(start, float_dtype), tensor(stop, float_dtype)
    sign = torch.sign(start_t)
    exponent, _ = _spaced(torch.log10(start_t.abs()), torch.log10(stop_t.abs()), num, endpoint, 0, float_dtype,
                          "ops.geomspace")
    out = sign * torch.pow(10.0, exponent)
    if out.shape[0] > 0:
        out[0] = start_t
        if endpoint and out.shape[0] > 1:
            out[-1] = stop_t
    if axis != 0:
        out = torch.movedim(out, 0, axis)
    return out if dtype is None else out.to(_dtype(dtype))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D arrays (``indexing="xy"``: Cartesian, ``"ij"``: matrix)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: expected indexing 'xy' or 'ij', received {indexing!r}")
    tensors = [tensor(v) for v in x]
    dtype = _dtype(result_type(*tensors)) if tensors else None
    return list(torch.meshgrid(*[t.to(dtype).reshape(-1) for t in tensors], indexing=indexing))


def _tri_mask(n, m, k, device):
    rows = torch.arange(n, device=device).unsqueeze(-1)
    return torch.arange(m, device=device) - rows <= k


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the ``k``-th diagonal (floatx by default)."""
    n = int_arg(N, "N", "ops.eye")
    m = n if M is None else int_arg(M, "M", "ops.eye")
    k = int_arg(k, "k", "ops.eye")
    device = config.default_device()
    if k == 0:
        return torch.eye(n, m, dtype=_dtype(dtype), device=device)
    rows = torch.arange(n, device=device).unsqueeze(-1)
    return (torch.arange(m, device=device) - rows == k).to(_dtype(dtype))


def identity(n, dtype=None):
    """The ``n`` x ``n`` identity matrix (floatx by default)."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal of an ``N`` x ``M`` matrix (floatx by default)."""
    n = int_arg(N, "N", "ops.tri")
    m = n if M is None else int_arg(M, "M", "ops.tri")
    return _tri_mask(n, m, int_arg(k, "k", "ops.tri"), config.default_device()).to(_dtype(dtype))


def _matrices(x, fn):
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{fn}: expected an input of rank >= 2, received shape {tuple(x.shape)}")
    return x


def tril(x, k=0):
    """The lower triangle of the last two axes of ``x`` (entries above the ``k``-th diagonal zeroed)."""
    return torch.tril(_matrices(x, "ops.tril"), int_arg(k, "k", "ops.tril"))


def triu(x, k=0):
    """The upper triangle of the last two axes of ``x`` (entries below the ``k``-th diagonal zeroed)."""
    return torch.triu(_matrices(x, "ops.triu"), int_arg(k, "k", "ops.triu"))


def diag(x, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with a vector on its ``k``-th diagonal."""
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"ops.diag: expected a 1-D or 2-D input, received shape {tuple(x.shape)}")
    return torch.diag(x, int_arg(k, "k", "ops.diag"))


def diagflat(x, k=0):
    """A matrix with the flattened ``x`` on its ``k``-th diagonal."""
    return torch.diagflat(tensor(x), int_arg(k, "k", "ops.diagflat"))


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the ``axis1``, ``axis2`` planes, appended as the last axis (a view)."""
    x = _matrices(x, "ops.diagonal")
    return torch.diagonal(x, int_arg(offset, "offset", "ops.diagonal"), axis1, axis2)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a vector: columns are powers of ``x`` (decreasing unless ``increasing``)."""
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"ops.vander: expected a 1-D input, received shape {tuple(x.shape)}")
    n = None if N is None else int_arg(N, "N", "ops.vander")
    if x.dtype == torch.bool:
        return torch.vander(x.to(torch.uint8), n, increasing).to(torch.bool)
    return torch.vander(x, n, increasing).to(x.dtype)


def _window(x, fn, make, **kwargs):
    m = int_arg(x, "window length", fn)
    return make(m, periodic=False, dtype=_dtype(None), device=device_of(x), **kwargs)


def bartlett(x):
    """The Bartlett (triangular) window of length ``x``."""
    return _window(x, "ops.bartlett", torch.bartlett_window)


def blackman(x):
    """The Blackman window of length ``x``."""
    return _window(x, "ops.blackman", torch.blackman_window)


def hamming(x):
    """The Hamming window of length ``x``."""
    return _window(x, "ops.hamming", torch.hamming_window)


def hanning(x):
    """The Hann window of length ``x``."""
    return _window(x, "ops.hanning", torch.hann_window)


def kaiser(x, beta):
    """The Kaiser window of length ``x`` with shape parameter ``beta``."""
    return _window(x, "ops.kaiser", torch.kaiser_window, beta=float(beta))
