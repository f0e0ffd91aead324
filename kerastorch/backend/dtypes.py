"""Keras 3's dtype promotion: ``result_type`` (``keras.backend.result_type``, used by every ``keras.ops`` function).

It lives in the backend so that ``kerastorch.backend`` and ``kerastorch.ops`` (which re-exports it from
:mod:`kerastorch.ops.dtypes`) share it without importing upwards.

Promotion follows Keras 3's lattice (the JAX one)::

    bool -> int* -> {uint8, int8};  uint8 -> {int16, uint16};  uint16 -> {int32, uint32};
    uint32 -> {int64, uint64};  int8 -> int16 -> int32 -> int64;  {uint64, int64} -> float*;
    float* -> {bfloat16, float16, complex*};  {bfloat16, float16} -> float32 -> {float64, complex64};
    float64 -> complex128;  complex* -> complex64 -> complex128

The result of several dtypes is their least upper bound. Python scalars (and the types ``int``, ``float``,
``complex``) are *weak* (``int*``, ``float*``, ``complex*``): they never widen a tensor's dtype within its
kind, so ``int8 tensor + 1`` stays int8 and ``float16 tensor * 2.0`` stays float16, while ``int32 tensor + 1.5``
becomes a float. A weak result (only scalars) takes the precision of ``config.floatx()``
(``int32``/``float32`` by default). Python bools are plain ``bool``.

Deviation from Keras 3 (decided for kerastorch, see docs/decisions.md): ``keras.backend.result_type`` on
non-TensorFlow backends maps every 64-bit result to 32 bits (``int64 -> int32``, ``float64 -> float32``),
and Keras's torch ops apply that in some functions (``maximum``, ``floor``, ``arctan2`` ...) but not in
others (``add``, ``sqrt``, ``mod`` ...). kerastorch keeps 64-bit dtypes everywhere: float64 inputs give
float64 results and int64 never silently narrows to int32.

    >>> result_type("int8", "uint8")
    'int16'
    >>> result_type("int32", "float16")
    'float16'
    >>> result_type("bool", 1)
    'int32'
    >>> result_type(torch.ones(2, dtype=torch.int8), 3)
    'int8'
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.config import standardize_dtype

__all__ = ["result_type"]

_EDGES = {
    "bool": ("int*",),
    "int*": ("uint8", "int8"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float*",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float*",),
    "float*": ("bfloat16", "float16", "complex*"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex*": ("complex64",),
    "complex64": ("complex128",),
    "complex128": (),
}
_WEAK = {"int": "int*", "uint": "int*", "float": "float*", "bfloat": "float*", "complex": "complex*"}


def _closure():
    upper = {}

    def visit(node):
        if node not in upper:
            found = {node}
            for parent in _EDGES[node]:
                found |= visit(parent)
            upper[node] = frozenset(found)
        return upper[node]

    for node in _EDGES:
        visit(node)
    return upper


_UPPER = _closure()


def _kind(dtype):
    return dtype.rstrip("0123456789")


@functools.lru_cache(maxsize=4096)
def _lattice(nodes, floatx):
    """Least upper bound of lattice nodes (dtype names or weak nodes), weak results resolved by ``floatx``."""
    common = functools.reduce(frozenset.intersection, (_UPPER[n] for n in nodes))
    best = [n for n in common if common <= _UPPER[n]]
    if not best:  # cannot happen for this lattice (complex128 bounds everything); kept as a guard
        raise TypeError(f"result_type: no common dtype for {sorted(nodes)}")
    out = best[0]
    if out.endswith("*"):
        bits = floatx[-2:]
        out = {
            "int*": f"int{bits}",
            "float*": f"float{bits}",
            "complex*": "complex128" if bits == "64" else "complex64",
        }[out]
    return out


def _dtype_and_weak(value):
    """``(keras dtype name, is_weak)`` of a dtype, a type, a tensor/array or a Python scalar."""
    if isinstance(value, torch.Tensor):
        return standardize_dtype(value.dtype), False
    if isinstance(value, (np.generic, np.ndarray)):
        return standardize_dtype(value.dtype), False
    if isinstance(value, bool) or value is bool:
        return "bool", False
    if isinstance(value, int) or value is int:
        return "int32", True
    if isinstance(value, float) or value is float:
        return config.floatx(), True
    if isinstance(value, complex) or value is complex:
        return "complex64", True
    if isinstance(value, (list, tuple)):
        return _sequence_dtype(value), False
    if hasattr(value, "dtype") and not isinstance(value, type):  # KerasTensor, Variable ...
        return standardize_dtype(value.dtype), False
    return standardize_dtype(value), False


def _sequence_dtype(values):
    """The dtype Keras gives a nested Python list: the promotion of its elements, weak types resolved."""
    flat = []
    stack = [values]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            flat.append(item)
    return result_type(*flat) if flat else config.floatx()


def result_type(*dtypes: DTypeLike | TensorLike) -> str:
    """The dtype Keras's promotion gives for dtypes, tensors, arrays or Python scalars, e.g. ``int8, uint8 -> int16``.

    Args:
        *dtypes: Dtypes (names, torch or NumPy dtypes, Python types), tensors, arrays or nested lists (their dtype
            counts) or Python scalars (weakly typed: they do not widen a tensor's type of the same kind).

    Returns:
        String, the promoted dtype's Keras name; ``config.floatx()`` for no argument.

    Raises:
        ValueError: If a dtype is a float8 type (they do not promote) or names no torch dtype.

    >>> result_type("int32", "float16"), result_type("int8", 3.0)
    ('float16', 'float32')
    >>> result_type("uint8", "int8", 1.0)
    'float32'
    """
    if not dtypes:
        return config.floatx()
    nodes = []
    for value in dtypes:
        dtype, weak = _dtype_and_weak(value)
        if dtype.startswith("float8"):
            raise ValueError(f"result_type: float8 dtypes do not promote, cast explicitly; received {dtypes!r}")
        nodes.append(_WEAK[_kind(dtype)] if weak and dtype != "bool" else dtype)
    if len(nodes) == 1 or len(set(nodes)) == 1:
        node = nodes[0]
        return _lattice((node,), config.floatx()) if node.endswith("*") else node
    return _lattice(frozenset(nodes), config.floatx())
