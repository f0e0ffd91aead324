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

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Sequence

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import normalize_axis, promote, tensor

__all__ = [
    "corrcoef",
    "correlate",
    "cross",
    "dot",
    "einsum",
    "inner",
    "kron",
    "matmul",
    "outer",
    "slogdet",
    "tensordot",
    "trace",
    "trapezoid",
    "vdot",
    "vectorize",
]


def _shapes(*xs: torch.Tensor) -> str:
    return " and ".join(str(tuple(x.shape)) for x in xs)


def _product(fn: str, op: Callable[..., torch.Tensor], *xs: torch.Tensor) -> torch.Tensor:
    """``op`` on tensors of one dtype; booleans multiply as integers and come back as ``!= 0``."""
    is_bool = xs[0].dtype == torch.bool
    if is_bool:
        xs = tuple(x.to(torch.int32) for x in xs)
    try:
        out = op(*xs)
    except RuntimeError as error:
        raise ValueError(f"{fn}: incompatible shapes {_shapes(*xs)}: {error}") from None
    return out != 0 if is_bool else out


def _int8_to_int32(x1: TensorLike, x2: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
    """Keras's rule for matmul and einsum: int8 operands give an int32 result."""
    x1, x2 = promote(x1, x2)
    if x1.dtype == torch.int8:
        x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
    return x1, x2


def matmul(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The matrix product of ``x1`` and ``x2``, with NumPy's broadcasting of the leading axes.

    The operands are promoted to their common dtype; booleans give the logical product (or of ands). int8 operands give
    int32, as in Keras. A 1-D operand acts as a vector (its axis is removed from the result).

    Args:
        x1: tensor, array or Python value: the first operand. Rank >= 1.
        x2: tensor, array or Python value: the second operand. Rank >= 1.

    Returns:
        A tensor of the promoted dtype.

    Raises:
        ValueError: an operand is 0-dimensional or the shapes are incompatible.
    """
    x1, x2 = _int8_to_int32(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(f"ops.matmul: expected inputs of rank >= 1, received shapes {_shapes(x1, x2)}")
    return _product("ops.matmul", torch.matmul, x1, x2)


def dot(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """NumPy's dot product of ``x1`` and ``x2``.

    With a scalar operand it is the elementwise product; for vectors the inner product; otherwise the sum of products
    over the last axis of ``x1`` and the second-to-last axis of ``x2`` (its only axis when 1-D). The operands are
    promoted to their common dtype; booleans give the logical product (or of ands).

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.

    Returns:
        A tensor of the promoted dtype.

    Raises:
        ValueError: the shapes are incompatible.

    Example:
        >>> dot(torch.ones(2, 3), torch.ones(3)).shape
        torch.Size([2])
    """
    x1, x2 = promote(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2 if x1.dtype != torch.bool else x1 & x2
    axis2 = 0 if x2.ndim == 1 else x2.ndim - 2
    return _product("ops.dot", lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [axis2])), x1, x2)


def vdot(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The dot product of the flattened ``x1`` and ``x2``, with ``x1`` conjugated for complex values.

    The operands are promoted to their common dtype; booleans give the logical product (or of ands). Beyond Keras's
    torch backend, N-D inputs are flattened.

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand. Of ``x1``'s size.

    Returns:
        A 0-dim tensor of the promoted dtype.

    Raises:
        ValueError: the sizes differ.

    Example:
        >>> vdot(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [1, 1]]))
        tensor(10)
    """
    x1, x2 = promote(x1, x2)
    x1, x2 = x1.reshape(-1), x2.reshape(-1)
    if x1.is_complex():
        x1 = x1.conj()
    return _product("ops.vdot", torch.dot, x1, x2)


def inner(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The inner product: sums of products over the last axes of ``x1`` and ``x2``.

    With a scalar operand it is the elementwise product. The operands are promoted to their common dtype; booleans give
    the logical product (or of ands).

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.

    Returns:
        A tensor of shape ``x1.shape[:-1] + x2.shape[:-1]`` and the promoted dtype.

    Raises:
        ValueError: the shapes are incompatible.

    Example:
        >>> inner(torch.tensor([1, 2]), torch.tensor([3, 4]))
        tensor(11)
        >>> inner(torch.ones(2, 3), torch.ones(4, 3)).shape
        torch.Size([2, 4])
    """
    x1, x2 = promote(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2 if x1.dtype != torch.bool else x1 & x2
    return _product("ops.inner", lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1])), x1, x2)


def outer(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The outer product of the flattened ``x1`` and ``x2``: ``out[i, j] = x1[i] * x2[j]``.

    The operands are promoted to their common dtype; booleans give the logical product (or of ands).

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.

    Returns:
        A 2-D tensor of shape ``(x1.size, x2.size)`` and the promoted dtype.

    Example:
        >>> outer(torch.tensor([1, 2]), torch.tensor([1, 2, 3]))
        tensor([[1, 2, 3],
                [2, 4, 6]])
    """
    x1, x2 = promote(x1, x2)
    return _product("ops.outer", torch.outer, x1.reshape(-1), x2.reshape(-1))


def tensordot(x1: TensorLike, x2: TensorLike, axes: int | Sequence[int | Sequence[int]] = 2) -> torch.Tensor:
    """Sums of products of ``x1`` and ``x2`` over the axes ``axes`` names.

    The operands are promoted to their common dtype; booleans give the logical product (or of ands).

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.
        axes: int or pair, default `2`: an int ``n`` contracts the last ``n`` axes of ``x1`` with the first ``n`` of
            ``x2``; a pair ``(axes_1, axes_2)`` (ints or sequences of ints) names the axes of each to contract.

    Returns:
        A tensor of the remaining axes of ``x1`` followed by those of ``x2``, of the promoted dtype.

    Raises:
        ValueError: the shapes are incompatible.

    Example:
        >>> tensordot(torch.ones(2, 3, 4), torch.ones(3, 4, 5)).shape
        torch.Size([2, 5])
        >>> tensordot(torch.ones(2, 3), torch.ones(3, 5), axes=([1], [0])).shape
        torch.Size([2, 5])
    """
    x1, x2 = promote(x1, x2)
    dims = axes if isinstance(axes, int) else [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return _product("ops.tensordot", lambda a, b: torch.tensordot(a, b, dims=dims), x1, x2)


def einsum(subscripts: str, *operands: TensorLike, **kwargs: Any) -> torch.Tensor:
    """Einstein summation: the product of ``operands`` that ``subscripts`` describes.

    The operands are promoted to one dtype (int8 gives int32, as in Keras; Keras's torch backend does not promote mixed
    dtypes); booleans give the logical product.

    Args:
        subscripts: str: the subscripts, e.g. ``"ij,jk->ik"`` (one letter per axis, ``...`` for broadcast axes).
        *operands: tensors or arrays: the operands, one per comma-separated term.
        **kwargs: must be empty: kerastorch takes no options.

    Returns:
        A tensor of the promoted dtype.

    Raises:
        TypeError: a keyword argument is given.
        ValueError: ``subscripts`` does not fit the operands.
    """
    if kwargs:
        raise TypeError(f"ops.einsum: unexpected keyword arguments {sorted(kwargs)}")
    xs = promote(*operands)
    if xs and xs[0].dtype == torch.int8:
        xs = [x.to(torch.int32) for x in xs]
    try:
        return _product("ops.einsum", lambda *ts: torch.einsum(subscripts, *ts), *xs)
    except ValueError as error:
        raise ValueError(f"ops.einsum: {subscripts!r} does not fit operands of shapes {_shapes(*xs)}") from error


def kron(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The Kronecker product: blocks ``x1[i, j] * x2`` laid out in ``x1``'s pattern.

    The operands are promoted to their common dtype; booleans give the logical product (or of ands).

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.

    Returns:
        A tensor of the promoted dtype whose shape is the product of the (right-aligned) shapes.

    Example:
        >>> kron(torch.tensor([[1, 2]]), torch.tensor([[1], [10]]))
        tensor([[ 1,  2],
                [10, 20]])
    """
    return _product("ops.kron", torch.kron, *promote(x1, x2))


def cross(
    x1: TensorLike, x2: TensorLike, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None
) -> torch.Tensor:
    """The cross product of vectors of length 2 or 3 of ``x1`` and ``x2``.

    The vectors lie along ``axisa`` of ``x1`` and ``axisb`` of ``x2``; the other axes broadcast. A 2-vector counts as a
    3-vector with z = 0, and two 2-vectors give only the z component. Beyond Keras's torch backend,
    ``axisa``/``axisb``/``axisc`` and 2-vectors are taken.

    Args:
        x1: tensor, array or Python value: the first operand.
        x2: tensor, array or Python value: the second operand.
        axisa: int, default `-1`: the axis of ``x1`` holding the vectors.
        axisb: int, default `-1`: the axis of ``x2`` holding the vectors.
        axisc: int, default `-1`: the axis of the result holding the product vectors.
        axis: int or None, default `None`: if given, the value of all three axes.

    Returns:
        A tensor of the promoted dtype (the z components only for two 2-vectors).

    Raises:
        ValueError: the vectors are not of length 2 or 3, an axis is out of range, or the other axes do not broadcast.

    Example:
        >>> cross(torch.tensor([1, 0]), torch.tensor([0, 1]))
        tensor(1)
    """
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


def trace(x: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """The sum along a diagonal of the planes spanned by ``axis1`` and ``axis2``.

    Booleans and integers narrower than 32 bits give int32; other dtypes are kept.

    Args:
        x: tensor or array of rank >= 2: the input.
        offset: int, default `0`: the diagonal: 0 the main one, positive above it, negative below.
        axis1: int, default `0`: the first axis of the planes.
        axis2: int, default `1`: the second axis of the planes.

    Returns:
        A tensor of ``x``'s shape without ``axis1`` and ``axis2``.

    Raises:
        ValueError: ``x`` has fewer than two axes.
    """
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"ops.trace: expected an input of rank >= 2, received shape {tuple(x.shape)}")
    dtype = x.dtype
    if not (x.is_floating_point() or x.is_complex()):
        dtype = config.torch_dtype(result_type("int32", "bool" if x.dtype == torch.bool else x.dtype))
    return torch.diagonal(x, offset, axis1, axis2).sum(-1, dtype=dtype)


def _float(x: TensorLike, *others: TensorLike) -> list[torch.Tensor]:
    """Tensors promoted together and to a float dtype (floatx for integers)."""
    xs = promote(x, *others)
    dtype = config.torch_dtype(result_type(xs[0].dtype, float))
    return [t.to(dtype) for t in xs]


def correlate(x1: TensorLike, x2: TensorLike, mode: str = "valid") -> torch.Tensor:
    """The cross-correlation of two 1-D sequences: ``out[k] = sum_n x1[n + k] * x2[n]``.

    Computed in the promoted float dtype (floatx for integers). The ``mode`` sizes follow NumPy.

    Args:
        x1: 1-D tensor or array: the first sequence.
        x2: 1-D tensor or array: the second sequence.
        mode: str, default `"valid"`: the part of the full correlation returned: ``"valid"`` (full overlap, length
            ``max(n, m) - min(n, m) + 1``), ``"same"`` (length ``max(n, m)``, centred) or ``"full"`` (every overlap,
            length ``n + m - 1``).

    Returns:
        A 1-D float tensor.

    Raises:
        ValueError: ``mode`` is unknown, or an input is not 1-D or is empty.
    """
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
        return full[min(n, m) - 1 : max(n, m)]
    start = (m - 1) - m // 2 if n >= m else n // 2  # NumPy's centring (it swaps the inputs when m > n)
    return full[start : start + max(n, m)]


def corrcoef(x: TensorLike) -> torch.Tensor:
    """The Pearson correlation coefficients of the variables in the rows of ``x``.

    Each row is one variable, each column one observation. Computed in ``x``'s float dtype (floatx for integers).

    Args:
        x: 1-D or 2-D tensor or array: the variables (one row each).

    Returns:
        A ``(rows, rows)`` float tensor (a 0-dim tensor for 1-D ``x``).

    Raises:
        ValueError: ``x`` has more than two axes.

    Example:
        >>> corrcoef(torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    (x,) = _float(x)
    if x.ndim > 2:
        raise ValueError(f"ops.corrcoef: expected a 1-D or 2-D input, received shape {tuple(x.shape)}")
    return torch.corrcoef(x)


def slogdet(x: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
    """The sign and the natural log of the absolute value of the determinant of square matrices.

    More accurate than ``log(det(x))`` for large or small determinants. Computed in ``x``'s float dtype (floatx for
    integers).

    Args:
        x: tensor or array of shape ``(..., n, n)``: the matrices.

    Returns:
        A pair ``(sign, logabsdet)`` of tensors of shape ``x.shape[:-2]``; a singular matrix gives sign 0 and -inf.

    Raises:
        ValueError: the last two axes are not a square matrix.

    Example:
        >>> slogdet(torch.tensor([[2.0, 0.0], [0.0, -3.0]]))
        (tensor(-1.), tensor(1.7918))
    """
    (x,) = _float(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.slogdet: expected square matrices, received shape {tuple(x.shape)}")
    sign, logabsdet = torch.linalg.slogdet(x)
    return sign, logabsdet


def trapezoid(y: TensorLike, x: TensorLike | None = None, dx: float = 1.0, axis: int = -1) -> torch.Tensor:
    """The integral of ``y`` along ``axis`` by the trapezoidal rule.

    Computed in the promoted float dtype (floatx for integers).

    Args:
        y: tensor or array: the values of the function.
        x: tensor, array or None, default `None`: the sample points (along ``axis``, or broadcast against ``y``); None
            spaces the points ``dx`` apart.
        dx: float, default `1.0`: the spacing of the points when ``x`` is None.
        axis: int, default `-1`: the axis to integrate along.

    Returns:
        A float tensor of ``y``'s shape without ``axis``.

    Raises:
        ValueError: ``axis`` is out of range.

    Example:
        >>> trapezoid(torch.tensor([1.0, 2.0, 3.0]), x=torch.tensor([0.0, 1.0, 3.0]))
        tensor(6.5000)
    """
    if x is None:
        (y,) = _float(y)
        return torch.trapezoid(y, dx=dx, dim=normalize_axis(axis, y.ndim, "ops.trapezoid"))
    y, x = _float(y, x)
    return torch.trapezoid(y, x, dim=normalize_axis(axis, y.ndim, "ops.trapezoid"))


_SIGNATURE = re.compile(r"^\s*((\([\w,\s]*\)\s*,?\s*)+)->\s*((\([\w,\s]*\)\s*,?\s*)+)$")


def _core_dims(part: str) -> list[tuple[str, ...]]:
    return [tuple(d.strip() for d in group.split(",") if d.strip()) for group in re.findall(r"\(([^)]*)\)", part)]


def vectorize(
    pyfunc: Callable[..., Any], *, excluded: Iterable[int] | None = None, signature: str | None = None
) -> Callable[..., Any]:
    """``pyfunc`` made to map over the leading axes of its tensor arguments (with ``torch.vmap``).

    The positional arguments not in ``excluded`` are converted to tensors and broadcast over their loop axes (all of
    them, or those left of the core axes ``signature`` names); ``pyfunc`` sees one element (or core slice) of each at a
    time. Keyword arguments of the call pass through unchanged. ``pyfunc`` must be traceable by ``torch.vmap`` (torch
    operations, no data-dependent Python control flow).

    Args:
        pyfunc: callable: the function to vectorize.
        excluded: set of ints or None, default `None`: positions of arguments passed through unchanged (not mapped).
        signature: str or None, default `None`: a generalized-ufunc signature such as ``"(n),(n)->()"``: the core axes
            of each mapped input, which ``pyfunc`` receives whole; None maps every axis.

    Returns:
        A function taking ``pyfunc``'s arguments that returns the stacked results (a tuple of them when ``pyfunc``
        returns a tuple), with the broadcast loop axes in front.

    Raises:
        ValueError: ``signature`` is malformed (when it is given); when called, the signature names another number of
            inputs than are mapped.

    Example:
        >>> dot_rows = vectorize(lambda a, b: (a * b).sum(), signature="(n),(n)->()")
        >>> dot_rows(torch.ones(3, 2), torch.tensor([1.0, 2.0]))
        tensor([3., 3., 3.])
    """
    excluded = set(excluded or ())
    if signature is not None:
        match = _SIGNATURE.match(signature)
        if not match:
            raise ValueError(f"ops.vectorize: expected a signature like '(n),(n)->()', received {signature!r}")
        in_core = _core_dims(signature.split("->")[0])
    else:
        in_core = None

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        mapped = [i for i in range(len(args)) if i not in excluded]
        cores = in_core or [()] * len(mapped)
        if len(cores) != len(mapped):
            raise ValueError(
                f"ops.vectorize: the signature {signature!r} names {len(cores)} inputs, received {len(mapped)}"
            )
        tensors = [tensor(args[i]) for i in mapped]
        loops = [t.shape[: t.ndim - len(c)] for t, c in zip(tensors, cores)]
        loop = torch.broadcast_shapes(*loops)
        flat = [
            t.expand(loop + t.shape[t.ndim - len(c) :]).reshape((-1,) + t.shape[t.ndim - len(c) :])
            for t, c in zip(tensors, cores)
        ]

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
