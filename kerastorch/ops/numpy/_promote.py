"""Private helpers of the elementwise, logic, reduction and quantile ops (engineer 7A's modules): input
conversion with Keras's dtype promotion (cached per dtype combination, so the hot path costs a dict look-up),
and errors that name the op."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.ops import dtypes

_F = TypeVar("_F", bound=Callable[..., Any])

_NAMES = {
    getattr(torch, n): n
    for n in (
        "bool",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "int8",
        "int16",
        "int32",
        "int64",
        "bfloat16",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
    if hasattr(torch, n)
}

FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
COMPLEX = (torch.complex64, torch.complex128)


def name(dtype: torch.dtype) -> str:
    """Keras name of a torch dtype."""
    return _NAMES.get(dtype) or dtypes.standardize_dtype(dtype)


@functools.lru_cache(maxsize=4096)
def _promote(keys, floatx):
    del floatx  # part of the cache key: weak results depend on it
    return getattr(torch, dtypes.result_type(*keys))


def _key(x):
    if isinstance(x, torch.Tensor):
        return name(x.dtype)
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return type(x)
    return dtypes.result_type(x)


def tensor(x: TensorLike) -> torch.Tensor:
    """``x`` as a torch tensor (Keras's dtype for Python values: ints -> int32, floats -> floatx)."""
    if isinstance(x, torch.Tensor):
        return x
    return dtypes.to_tensors(x)[0]


def promote_dtype(*xs: TensorLike, weak: type | None = None) -> torch.dtype:
    """The torch dtype that Keras's promotion gives ``xs`` (plus the weak type ``weak``, e.g. ``float``)."""
    keys = tuple(_key(x) for x in xs)
    if weak is not None:
        keys += (weak,)
    return _promote(keys, config.floatx())


device_of = dtypes.device_of


def cast(x: TensorLike, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Tensor ``x`` (or a Python/NumPy value) as a tensor of ``dtype``; Python scalars become 0-dim CPU tensors,
    which torch's elementwise kernels take next to tensors on any device (no copy to the device)."""
    if isinstance(x, torch.Tensor):
        return x if x.dtype == dtype else x.to(dtype)
    if isinstance(x, np.ndarray):
        return torch.as_tensor(x).to(device=device, dtype=dtype)
    if isinstance(x, (bool, int, float, complex)):
        return torch.tensor(x, dtype=dtype)
    return torch.as_tensor(x, dtype=dtype, device=device)


def pair(
    x1: TensorLike, x2: TensorLike, weak: type | None = None, dtype: torch.dtype | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.dtype]:
    """``x1, x2`` as tensors of their promoted dtype (or ``dtype``); returns ``(a, b, dtype)``."""
    if dtype is None:
        if weak is None and isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor) and x1.dtype == x2.dtype:
            return x1, x2, x1.dtype
        dtype = promote_dtype(x1, x2, weak=weak)
    device = device_of(x1, x2)
    a, b = cast(x1, dtype, device), cast(x2, dtype, device)
    if not isinstance(x1, torch.Tensor) and not isinstance(x2, torch.Tensor):
        a, b = a.to(device), b.to(device)
    return a, b, dtype


def float_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype a float-valued function returns for inputs of ``dtype``: floats and complex keep theirs,
    bool and ints give ``floatx`` (Keras's promotion with a weak float)."""
    if dtype in FLOATS or dtype in COMPLEX:
        return dtype
    return _promote((name(dtype), float), config.floatx())


def to_float(x: TensorLike) -> torch.Tensor:
    """Tensor ``x`` cast to :func:`float_dtype` of its dtype."""
    x = tensor(x)
    dtype = float_dtype(x.dtype)
    return x if x.dtype == dtype else x.to(dtype)


def fail(op: str, error: Exception, *xs: Any) -> Exception:
    """The ValueError / TypeError for a failed torch call in ``ops.<op>``: broadcasting or dtype."""
    shapes = [tuple(x.shape) for x in xs if isinstance(x, torch.Tensor)]
    try:
        torch.broadcast_shapes(*shapes)
    except RuntimeError:
        return ValueError(f"ops.{op}: expected shapes that broadcast together, received {', '.join(map(str, shapes))}")
    kinds = ", ".join(name(x.dtype) for x in xs if isinstance(x, torch.Tensor))
    message = str(error).split("\n")[0]
    if "not implemented for" in message or "not supported" in message or "not allowed" in message:
        return TypeError(f"ops.{op}: unsupported dtype(s) {kinds} ({message})")
    return ValueError(f"ops.{op}: {message} (inputs of dtype {kinds})")


def named(op: str, doc: str, function: _F) -> _F:
    """``function`` named ``op`` (for tracebacks and ``help``) with docstring ``doc``: the ops made by factories."""
    function.__name__ = function.__qualname__ = op
    function.__doc__ = doc
    return function


def check_integer(op: str, dtype: torch.dtype, bool_ok: bool = True) -> None:
    """Raises ``ops.<op>``'s TypeError unless ``dtype`` is an integer dtype (or bool, with ``bool_ok``)."""
    if dtype.is_floating_point or dtype.is_complex or (dtype == torch.bool and not bool_ok):
        raise TypeError(f"ops.{op}: expected integer{' or bool' if bool_ok else ''} tensors, received {name(dtype)}")


def apply(op: str, fn: Callable[..., torch.Tensor], *xs: Any, **kwargs: Any) -> torch.Tensor:
    """``fn(*xs, **kwargs)``, with torch's errors turned into ones that name ``ops.<op>``."""
    try:
        return fn(*xs, **kwargs)
    except RuntimeError as error:
        raise fail(op, error, *xs) from error


_PY_SCALARS = (bool, int, float)


def _scalar_keeps(dtype, kind, weak):
    """Whether a weak Python scalar of ``kind`` leaves a tensor's ``dtype`` unchanged (``weak=float``: and the
    dtype is a float), so that torch's own scalar handling gives Keras's dtype."""
    if weak is float and dtype not in FLOATS:
        return False
    if kind is bool:
        return True
    if kind is int:
        return dtype is not torch.bool
    return dtype in FLOATS


_NATIVE: dict[tuple[torch.dtype, torch.dtype, type | None, str], bool] = {}


def _native(d1, d2, weak):
    """Whether torch's promotion of tensors of ``d1`` and ``d2`` (with dimensions) gives Keras's dtype (cached;
    bool is left out: torch refuses some ops on a bool operand that Keras casts first)."""
    floatx = config.floatx()
    key = (d1, d2, weak, floatx)
    found = _NATIVE.get(key)
    if found is None:
        keys = (name(d1), name(d2)) + (() if weak is None else (weak,))
        found = _NATIVE[key] = torch.bool not in (d1, d2) and torch.promote_types(d1, d2) == _promote(keys, floatx)
    return found


def binary(
    op: str,
    fn: Callable[..., torch.Tensor],
    x1: TensorLike,
    x2: TensorLike,
    weak: type | None = None,
    scalar: bool = True,
) -> torch.Tensor:
    """``fn`` on ``x1, x2`` promoted to their common dtype (``weak=float``: at least a float).

    Fast paths, where torch's own promotion inside ``fn`` gives Keras's dtype without a cast: tensors of one
    dtype; a tensor and a Python scalar that does not change its dtype (``scalar``: ``fn`` takes Python scalars);
    tensors with dimensions whose torch promotion is Keras's (torch's elementwise kernels cast on the fly)."""
    if isinstance(x1, torch.Tensor):
        if isinstance(x2, torch.Tensor):
            if x1.dtype == x2.dtype and (weak is None or x1.dtype in FLOATS):
                return apply(op, fn, x1, x2)
            if x1.ndim and x2.ndim and _native(x1.dtype, x2.dtype, weak):
                return apply(op, fn, x1, x2)
        elif scalar and type(x2) in _PY_SCALARS and _scalar_keeps(x1.dtype, type(x2), weak):
            return apply(op, fn, x1, x2)
    a, b, _ = pair(x1, x2, weak=weak)
    return apply(op, fn, a, b)
