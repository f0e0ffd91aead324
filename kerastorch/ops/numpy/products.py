"""Products: matrix and tensor products, einsum, cross and Kronecker products, trace, correlation,
``slogdet``, ``trapezoid`` and ``vectorize``.

Inputs are promoted to Keras's result dtype; as in Keras 3, ``matmul`` and ``einsum`` of int8 inputs give
int32, ``trace`` of booleans and small integers gives int32, and ``correlate``, ``corrcoef``, ``trapezoid``
give floats (float64 stays float64 in kerastorch). Boolean products are logical (or of ands). Beyond Keras's
torch backend: ``vdot`` flattens N-D inputs, ``cross`` takes ``axisa``/``axisb``/``axisc`` and 2-vectors,
``einsum`` promotes mixed dtypes, as NumPy does.

Example:
    >>> matmul(torch.ones(2, 3), torch.ones(3, 4)).shape
    torch.Size([2, 4])
    >>> matmul(torch.ones(2, 2, dtype=torch.int8), torch.ones(2, 2, dtype=torch.int8)).dtype
    torch.int32
    >>> dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    tensor(11.)
    >>> einsum("ij,j->i", torch.ones(2, 3), torch.ones(3))
    tensor([3., 3.])
    >>> cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    >>> trace(torch.eye(3))
    tensor(3.)
    >>> correlate(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 1.0]), mode="full")
    tensor([1., 2., 3., 0.])
    >>> trapezoid(torch.tensor([1.0, 2.0, 3.0]))
    tensor(4.)
    >>> vectorize(lambda a, b: a * b + 1)(torch.tensor([1.0, 2.0]), torch.tensor(3.0))
    tensor([4., 7.])
"""
import re

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import normalize_axis, promote, tensor

__all__ = [
    "corrcoef", "correlate", "cross", "dot", "einsum", "inner", "kron", "matmul", "outer", "slogdet",
    "tensordot", "trace", "trapezoid", "vdot", "vectorize",
]


def _shapes(*xs):
    return " and ".join(str(tuple(x.shape)) for x in xs)


def _product(fn, op, *xs):
    """``op`` on tensors of one dtype; booleans multiply as integers and come back as ``!= 0``."""
    is_bool = xs[0].dtype == torch.bool
    if is_bool:
        xs = [x.to(torch.int32) for x in xs]
    try:
        out = op(*xs)
    except RuntimeError as error:
        raise ValueError(f"{fn}: incompatible shapes {_shapes(*xs)}: {error}") from None
    return out != 0 if is_bool else out


def _int8_to_int32(x1, x2):
    """Keras's rule for matmul and einsum: int8 operands give an int32 result."""
    x1, x2 = promote(x1, x2)
    if x1.dtype == torch.int8:
        x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
    return x1, x2


def matmul(x1, x2):
    """Matrix product with NumPy broadcasting (1-D operands act as vectors)."""
    x1, x2 = _int8_to_int32(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(f"ops.matmul: expected inputs of rank >= 1, received shapes {_shapes(x1, x2)}")
    return _product("ops.matmul", torch.matmul, x1, x2)


def dot(x1, x2):
    """NumPy's dot: products with scalars, inner product of vectors, else sums over the last axis of ``x1``
    and the second-to-last axis of ``x2``."""
    x1, x2 = promote(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2 if x1.dtype != torch.bool else x1 & x2
    axis2 = 0 if x2.ndim == 1 else x2.ndim - 2
    return _product("ops.dot", lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [axis2])), x1, x2)


def vdot(x1, x2):
    """The dot product of the flattened inputs (``x1`` conjugated)."""
    x1, x2 = promote(x1, x2)
    x1, x2 = x1.reshape(-1), x2.reshape(-1)
    if x1.is_complex():
        x1 = x1.conj()
    return _product("ops.vdot", torch.dot, x1, x2)


def inner(x1, x2):
    """Sums of products over the last axes of both inputs (products with scalars)."""
    x1, x2 = promote(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2 if x1.dtype != torch.bool else x1 & x2
    return _product("ops.inner", lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1])), x1, x2)


def outer(x1, x2):
    """The outer product of the flattened inputs."""
    x1, x2 = promote(x1, x2)
    return _product("ops.outer", torch.outer, x1.reshape(-1), x2.reshape(-1))


def tensordot(x1, x2, axes=2):
    """Sums of products over the last ``axes`` axes of ``x1`` and the first of ``x2`` (or the axis lists
    given as a pair)."""
    x1, x2 = promote(x1, x2)
    dims = axes if isinstance(axes, int) else [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return _product("ops.tensordot", lambda a, b: torch.tensordot(a, b, dims=dims), x1, x2)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over ``operands`` (promoted to one dtype; int8 gives int32)."""
    if kwargs:
        raise TypeError(f"ops.einsum: unexpected keyword arguments {sorted(kwargs)}")
    xs = promote(*operands)
    if xs and xs[0].dtype == torch.int8:
        xs = [x.to(torch.int32) for x in xs]
    try:
        return _product("ops.einsum", lambda *ts: torch.einsum(subscripts, *ts), *xs)
    except ValueError as error:
        raise ValueError(f"ops.einsum: {subscripts!r} does not fit operands of shapes {_shapes(*xs)}") \
            from error


def kron(x1, x2):
    """The Kronecker product."""
    return _product("ops.kron", torch.kron, *promote(x1, x2))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of vectors of length 2 or 3 along ``axisa`` of ``x1`` and ``axisb`` of ``x2``,
    placed along ``axisc`` (``axis`` sets all three); two 2-vectors give the scalar z component."""
    x1, x2 = promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = torch.movedim(x1, normalize_axis(axisa, x1.ndim, "ops.cross"), -1)
    b = torch.movedim(x2, normalize_axis(axisb, x2.ndim, "ops.cross"), -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"ops.cross: expected vectors of length 2 or 3, received shapes {_shapes(x1, x2)}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = F.pad(a, (0, 3 - a.shape[-1])), F.pad(b, (0, 3 - b.shape[-1]))
    try:
        a, b = torch.broadcast_tensors(a, b)
    except RuntimeError:
        raise ValueError(f"ops.cross: cannot broadcast shapes {_shapes(x1, x2)}") from None
    out = torch.linalg.cross(a, b, dim=-1)
    return torch.movedim(out, -1, normalize_axis(axisc, out.ndim, "ops.cross"))


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along a diagonal of the ``axis1``, ``axis2`` planes (int32 for booleans and small ints)."""
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"ops.trace: expected an input of rank >= 2, received shape {tuple(x.shape)}")
    dtype = x.dtype
    if not (x.is_floating_point() or x.is_complex()):
        dtype = config.torch_dtype(result_type("int32", "bool" if x.dtype == torch.bool else x.dtype))
    return torch.diagonal(x, offset, axis1, axis2).sum(-1, dtype=dtype)


def _float(x, *others):
    """Tensors promoted together and to a float dtype (floatx for integers)."""
    xs = promote(x, *others)
    dtype = config.torch_dtype(result_type(xs[0].dtype, float))
    return [t.to(dtype) for t in xs]


def correlate(x1, x2, mode="valid"):
    """The cross-correlation of two 1-D arrays (NumPy's ``mode``: valid, same or full); floats."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"ops.correlate: expected mode 'valid', 'same' or 'full', received {mode!r}")
    a, v = _float(x1, x2)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"ops.correlate: expected 1-D inputs, received shapes {_shapes(a, v)}")
    n, m = a.shape[0], v.shape[0]
    if n == 0 or m == 0:
        raise ValueError(f"ops.correlate: expected non-empty inputs, received shapes {_shapes(a, v)}")
    full = F.conv1d(a.reshape(1, 1, n), v.reshape(1, 1, m), padding=m - 1).reshape(-1)
    if mode == "full":
        return full
    if mode == "valid":
        return full[min(n, m) - 1: max(n, m)]
    start = (m - 1) - m // 2 if n >= m else n // 2  # NumPy's centring (it swaps the inputs when m > n)
    return full[start: start + max(n, m)]


def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (variables) over its columns."""
    (x,) = _float(x)
    if x.ndim > 2:
        raise ValueError(f"ops.corrcoef: expected a 1-D or 2-D input, received shape {tuple(x.shape)}")
    return torch.corrcoef(x)


def slogdet(x):
    """``(sign, log|det|)`` of square matrices (the last two axes)."""
    (x,) = _float(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.slogdet: expected square matrices, received shape {tuple(x.shape)}")
    sign, logabsdet = torch.linalg.slogdet(x)
    return sign, logabsdet


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoidal rule, at points ``x`` or spacing ``dx``."""
    if x is None:
        (y,) = _float(y)
        return torch.trapezoid(y, dx=dx, dim=normalize_axis(axis, y.ndim, "ops.trapezoid"))
    y, x = _float(y, x)
    return torch.trapezoid(y, x, dim=normalize_axis(axis, y.ndim, "ops.trapezoid"))


_SIGNATURE = re.compile(r"^\s*((\([\w,\s]*\)\s*,?\s*)+)->\s*((\([\w,\s]*\)\s*,?\s*)+)$")


def _core_dims(part):
    return [tuple(d.strip() for d in group.split(",") if d.strip()) for group in re.findall(r"\(([^)]*)\)", part)]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over the broadcast leading axes of its tensor arguments with ``torch.vmap``;
    ``signature`` (``"(n),(n)->()"``) names the core axes each call sees; ``excluded`` lists the positions
    or names of arguments passed through unchanged."""
    excluded = set(excluded or ())
    if signature is not None:
        match = _SIGNATURE.match(signature)
        if not match:
            raise ValueError(f"ops.vectorize: expected a signature like '(n),(n)->()', received {signature!r}")
        in_core = _core_dims(signature.split("->")[0])
    else:
        in_core = None

    def wrapped(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        cores = in_core or [()] * len(mapped)
        if len(cores) != len(mapped):
            raise ValueError(f"ops.vectorize: the signature {signature!r} names {len(cores)} inputs, received "
                             f"{len(mapped)}")
        tensors = [tensor(args[i]) for i in mapped]
        loops = [t.shape[:t.ndim - len(c)] for t, c in zip(tensors, cores)]
        loop = torch.broadcast_shapes(*loops)
        flat = [t.expand(loop + t.shape[t.ndim - len(c):]).reshape((-1,) + t.shape[t.ndim - len(c):])
                for t, c in zip(tensors, cores)]

        def call(*mapped_args):
            full = list(args)
            for i, value in zip(mapped, mapped_args):
                full[i] = value
            return pyfunc(*full, **kwargs)

        if not flat:
            return call()
        out = torch.vmap(call)(*flat)
        if isinstance(out, tuple):
            return tuple(o.reshape(loop + o.shape[1:]) for o in out)
        return out.reshape(loop + out.shape[1:])

    return wrapped
