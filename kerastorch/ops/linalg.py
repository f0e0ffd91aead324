"""``keras.ops.linalg``: linear algebra on (batches of) matrices with ``torch.linalg``'s kernels.

Dtypes: float32/float64 (and complex) inputs keep their dtype. Unlike Keras 3's torch backend, which raises for
them, integer and bool inputs are computed in ``floatx`` and float16/bfloat16 inputs are computed in float32 and
cast back (LAPACK has no half-precision kernels); ``norm`` follows Keras's rule (ints -> floatx).
``eig`` returns complex results; ``lu_factor`` returns 0-based int32 pivots as Keras does; ``matrix_rank``
returns int32. Failures (shape mismatches, singular or non positive-definite matrices) raise ValueError naming
the function. ``cholesky``, ``inv`` and ``solve`` check for singular inputs the way torch does (one host sync).

Example:
    >>> a = torch.tensor([[4.0, 2.0], [2.0, 3.0]])
    >>> cholesky(a)
    tensor([[2.0000, 0.0000],
            [1.0000, 1.4142]])
    >>> det(a)
    tensor(8.)
    >>> solve(a, torch.tensor([2.0, 1.0]))
    tensor([0.5000, 0.0000])
    >>> norm(torch.tensor([3, 4]))
    tensor(5.)
    >>> lu, pivots = lu_factor(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> pivots
    tensor([1, 1], dtype=torch.int32)
    >>> matrix_rank(torch.ones(3, 3))
    tensor(1, dtype=torch.int32)
    >>> jvp(lambda x: x ** 2, (torch.tensor(3.0),), (torch.tensor(1.0),))
    (tensor(9.), tensor(6.))
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence, TypeVar, cast

import torch

from kerastorch.backend.annotations import Axis, TensorLike
from kerastorch.ops import dtypes
from kerastorch.ops.core import convert_to_tensor

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "jvp",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]

_HALF = (torch.float16, torch.bfloat16)
_F = TypeVar("_F", bound=Callable[..., Any])


def _named(op: str) -> Callable[[_F], _F]:
    """Re-raise torch's errors (shapes, singular matrices) as ValueError naming ``ops.linalg.<op>``."""

    def decorate(fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except RuntimeError as error:
                shapes = ", ".join(str(tuple(a.shape)) for a in args if isinstance(a, torch.Tensor))
                raise ValueError(f"ops.linalg.{op}: {error} (received inputs of shapes {shapes})") from None

        return cast(_F, wrapper)

    return decorate


def _floats(*xs: TensorLike) -> tuple[list[torch.Tensor], torch.dtype]:
    """``xs`` as tensors of one compute dtype (float32 for half precision), and the dtype to return."""
    tensors = [convert_to_tensor(x) for x in xs]
    out = getattr(torch, dtypes.result_type(*tensors, float))
    work = torch.float32 if out in _HALF else out
    device = tensors[0].device
    return [t.to(device=device, dtype=work) for t in tensors], out


def _back(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return x if x.dtype == dtype or x.is_complex() else x.to(dtype)


def _square(op, x):
    if x.dim() < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.linalg.{op}: expected (a batch of) square matrices, received shape {tuple(x.shape)}")


@_named("cholesky")
def cholesky(x: TensorLike, upper: bool = False) -> torch.Tensor:
    """The Cholesky factor of a symmetric (Hermitian) positive-definite matrix: ``L`` with ``x = L @ L^H``.

    Args:
        x: tensor or array: a square matrix or a batch of them ``(..., n, n)``; integer inputs are computed in
            ``floatx()``, float16/bfloat16 in float32.
        upper: bool, default ``False``: return the upper factor ``U`` (``x = U^H @ U``) instead.

    Returns:
        A triangular tensor of the shape and (float) dtype of ``x``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices, or that are not positive-definite.
    """
    (x,), out = _floats(x)
    _square("cholesky", x)
    return _back(torch.linalg.cholesky(x, upper=upper), out)


@_named("cholesky_inverse")
def cholesky_inverse(x: TensorLike, upper: bool = False) -> torch.Tensor:
    """The inverse of a positive-definite matrix ``A`` from its Cholesky factor ``x``.

    Args:
        x: tensor or array: the Cholesky factor of ``A``, ``(..., n, n)``; integer inputs are computed in ``floatx()``.
        upper: bool, default ``False``: whether ``x`` is the upper factor (``A = x^H @ x``) rather than the lower one
            (``A = x @ x^H``).

    Returns:
        A tensor of the shape and (float) dtype of ``x``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices.

    Example:
        >>> cholesky_inverse(torch.tensor([[2.0, 0.0], [0.0, 1.0]])).diagonal()
        tensor([0.2500, 1.0000])
    """
    (x,), out = _floats(x)
    _square("cholesky_inverse", x)
    return _back(torch.cholesky_inverse(x, upper=upper), out)


@_named("det")
def det(x: TensorLike) -> torch.Tensor:
    """The determinant of a square matrix or of each matrix of a batch.

    Args:
        x: tensor or array: a square matrix or a batch of them ``(..., n, n)``; integer inputs are computed in
            ``floatx()``, float16/bfloat16 in float32.

    Returns:
        A tensor of shape ``x.shape[:-2]``, of the (float) dtype of ``x``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices.
    """
    (x,), out = _floats(x)
    _square("det", x)
    return _back(torch.linalg.det(x), out)


@_named("eig")
def eig(x: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
    """The eigenvalues and right eigenvectors of a general square matrix (complex, unsorted).

    Args:
        x: tensor or array: a square matrix or a batch of them ``(..., n, n)``; integer inputs are computed in
            ``floatx()``, float16/bfloat16 in float32.

    Returns:
        A tuple ``(eigenvalues, eigenvectors)`` of complex tensors, shapes ``(..., n)`` and ``(..., n, n)`` (the
        eigenvectors are the columns).

    Raises:
        ValueError: for inputs that are not (batches of) square matrices.

    Example:
        >>> w, v = eig(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
        >>> w
        tensor([2.+0.j, 3.+0.j])
    """
    (x,), _ = _floats(x)
    _square("eig", x)
    return torch.linalg.eig(x)


@_named("eigh")
def eigh(x: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
    """The eigenvalues (ascending) and eigenvectors of a symmetric (Hermitian) matrix.

    Only the lower triangle of ``x`` is read.

    Args:
        x: tensor or array: a square matrix or a batch of them ``(..., n, n)``; integer inputs are computed in
            ``floatx()``, float16/bfloat16 in float32.

    Returns:
        A tuple ``(eigenvalues, eigenvectors)``, shapes ``(..., n)`` and ``(..., n, n)`` (the eigenvectors are the
        columns), of the (float) dtype of ``x``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices.

    Example:
        >>> w, v = eigh(torch.tensor([[2.0, 1.0], [1.0, 2.0]]))
        >>> w
        tensor([1., 3.])
    """
    (x,), out = _floats(x)
    _square("eigh", x)
    w, v = torch.linalg.eigh(x)
    return _back(w, out), _back(v, out)


@_named("inv")
def inv(x: TensorLike) -> torch.Tensor:
    """The inverse of a square matrix or of each matrix of a batch.

    Args:
        x: tensor or array: a square matrix or a batch of them ``(..., n, n)``; integer inputs are computed in
            ``floatx()``, float16/bfloat16 in float32.

    Returns:
        A tensor of the shape and (float) dtype of ``x``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices, or that are singular.

    Example:
        >>> inv(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    (x,), out = _floats(x)
    _square("inv", x)
    return _back(torch.linalg.inv(x), out)


def jvp(
    fun: Callable[..., Any], primals: Sequence[torch.Tensor], tangents: Sequence[torch.Tensor], has_aux: bool = False
) -> tuple[Any, ...]:
    """Forward-mode derivative: ``fun(*primals)`` and its Jacobian-vector product with ``tangents``.

    One ``torch.func.jvp`` call: the Jacobian is never formed.

    Args:
        fun: callable: takes one tensor per entry of ``primals`` and returns a tensor or structure of tensors (with
            ``has_aux``, a pair ``(output, aux)``).
        primals: list or tuple of tensors: the point the derivative is taken at.
        tangents: list or tuple of tensors: the direction, one tensor per primal, of the same shapes.
        has_aux: bool, default ``False``: whether ``fun`` returns ``(output, aux)``; ``aux`` is returned without
            differentiation.

    Returns:
        A tuple ``(output, jvp_out)``, or ``(output, jvp_out, aux)`` with ``has_aux``.
    """
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


@_named("lstsq")
def lstsq(a: TensorLike, b: TensorLike, rcond: float | None = None) -> torch.Tensor:
    """The least-squares solution ``x`` of ``a @ x = b`` (minimizing ``||a @ x - b||``).

    On CUDA (and whenever ``rcond`` is set) it goes through the pseudo-inverse, which also handles rank-deficient ``a``.

    Args:
        a: tensor or array: the matrix ``(m, n)``; integer inputs are computed in ``floatx()``.
        b: tensor or array: the right-hand side ``(m,)`` or ``(m, k)``.
        rcond: float or None, default ``None``: singular values of ``a`` below ``rcond`` times the largest are treated
            as zero; None uses torch's default cutoff.

    Returns:
        A tensor ``(n,)`` or ``(n, k)``, of the (float) result dtype of ``a`` and ``b``.

    Raises:
        ValueError: when ``a`` is not 2-D, ``b`` is not 1-D or 2-D, or their first sizes differ.

    Example:
        >>> lstsq(torch.tensor([[1.0], [1.0]]), torch.tensor([1.0, 3.0])).round(decimals=4)
        tensor([2.])
    """
    (a, b), out = _floats(a, b)
    if a.dim() != 2 or b.dim() not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(
            f"ops.linalg.lstsq: expected a of shape (M, N) and b of shape (M,) or (M, K), "
            f"received {tuple(a.shape)} and {tuple(b.shape)}"
        )
    if rcond is not None:
        solution = torch.linalg.pinv(a, rtol=rcond) @ b
    elif a.device.type == "cpu":
        solution = torch.linalg.lstsq(a, b).solution
    else:  # CUDA's only driver needs full rank: go through the pseudo-inverse (SVD)
        solution = torch.linalg.pinv(a) @ b
    return _back(solution, out)


@_named("lu_factor")
def lu_factor(x: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
    """The LU factorization with partial pivoting, packed as torch and SciPy's ``lu_factor`` do.

    ``lu`` holds ``U`` in its upper triangle and the unit-diagonal ``L`` below it; row ``i`` was swapped with row
    ``pivots[i]``.

    Args:
        x: tensor or array: a matrix or a batch of them ``(..., n, n)``; integer inputs are computed in ``floatx()``,
            float16/bfloat16 in float32.

    Returns:
        A tuple ``(lu, pivots)``: ``lu`` of the shape and (float) dtype of ``x``, ``pivots`` 0-based int32 of shape
        ``(..., min(m, n))``.

    Raises:
        ValueError: when torch's factorization fails (e.g. an input of rank < 2).
    """
    (x,), out = _floats(x)
    lu, pivots = torch.linalg.lu_factor(x)
    return _back(lu, out), pivots - 1


@_named("matrix_rank")
def matrix_rank(x: TensorLike, tol: float | None = None) -> torch.Tensor:
    """The rank of a matrix (or of each matrix of a batch): the number of singular values above a tolerance.

    Args:
        x: tensor or array: a matrix or a batch of them ``(..., m, n)``; integer inputs are computed in ``floatx()``,
            float16/bfloat16 in float32.
        tol: float or None, default ``None``: the absolute tolerance; None uses ``max(m, n) * eps`` times the largest
            singular value.

    Returns:
        An int32 tensor of shape ``x.shape[:-2]``.
    """
    (x,), _ = _floats(x)
    return torch.linalg.matrix_rank(x, atol=tol).to(torch.int32)


_MATRIX_ORDS = ("fro", "nuc")


@_named("norm")
def norm(x: TensorLike, ord: float | str | None = None, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """A vector or matrix norm of ``x``, with ``ord`` as in ``numpy.linalg.norm``.

    An int ``axis`` (or None with ``ord=None``, over all entries) gives a vector norm, a pair of axes a matrix norm.
    Integer and bool inputs give ``floatx()`` results.

    Args:
        x: tensor, array or list: the input.
        ord: int, float, str or None, default ``None``: the order; vector norms take numbers (``inf``, ``-inf``, 0, 1,
            2, ...), matrix norms also ``"fro"`` and ``"nuc"``; None is the 2-norm of vectors and the Frobenius norm of
            matrices.
        axis: int, pair of ints or None, default ``None``: the axis (vector norm) or axes (matrix norm); None with an
            ``ord`` uses all axes (which must then be 1 or 2).
        keepdims: bool, default ``False``: keep the reduced axes with size 1.

    Returns:
        A tensor without the reduced axes (kept with ``keepdims``).

    Raises:
        ValueError: for a str ``ord`` with a single axis, or an ``axis`` of more than two axes.

    Example:
        >>> norm(torch.tensor([[3.0, 4.0], [6.0, 8.0]]), axis=1)
        tensor([ 5., 10.])
        >>> norm(torch.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1)
        tensor(6.)
    """
    x = convert_to_tensor(x)
    out = getattr(torch, dtypes.result_type(x, float) if x.dtype != torch.int64 else dtypes.result_type(float))
    x = x.to(torch.float32 if out in _HALF else out)
    if isinstance(axis, int):
        axis = (axis,)
    if axis is None:
        if ord is None:
            return _back(torch.linalg.vector_norm(x, keepdim=keepdims), out)
        axis = tuple(range(x.dim()))
    axis = tuple(axis)
    if len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"ops.linalg.norm: ord={ord!r} is a matrix norm, received a single axis {axis}")
        return _back(torch.linalg.vector_norm(x, 2 if ord is None else ord, axis, keepdims), out)
    if len(axis) == 2:
        return _back(torch.linalg.matrix_norm(x, "fro" if ord is None else ord, axis, keepdims), out)
    raise ValueError(f"ops.linalg.norm: expected axis to be None, an int or a pair of ints, received {axis}")


@_named("pinv")
def pinv(x: TensorLike, rcond: float | None = None) -> torch.Tensor:
    """The Moore-Penrose pseudo-inverse of a matrix (or of each matrix of a batch), through the SVD.

    Args:
        x: tensor or array: a matrix or a batch of them ``(..., m, n)``; integer inputs are computed in ``floatx()``,
            float16/bfloat16 in float32.
        rcond: float or None, default ``None``: singular values below ``rcond`` times the largest are treated as zero;
            None uses torch's default cutoff.

    Returns:
        A tensor ``(..., n, m)`` of the (float) dtype of ``x``.

    Example:
        >>> pinv(torch.tensor([[1.0, 1.0]]))
        tensor([[0.5000],
                [0.5000]])
    """
    (x,), out = _floats(x)
    return _back(torch.linalg.pinv(x, rtol=rcond), out)


@_named("qr")
def qr(x: TensorLike, mode: str = "reduced") -> tuple[torch.Tensor, torch.Tensor]:
    """The QR decomposition ``x = q @ r``, ``q`` with orthonormal columns and ``r`` upper triangular.

    Args:
        x: tensor or array: a matrix or a batch of them ``(..., m, n)``; integer inputs are computed in ``floatx()``,
            float16/bfloat16 in float32.
        mode: str, default ``"reduced"``: ``"reduced"`` gives ``q`` ``(..., m, k)`` and ``r`` ``(..., k, n)`` with ``k =
            min(m, n)``; ``"complete"`` gives ``q`` ``(..., m, m)`` and ``r`` ``(..., m, n)``.

    Returns:
        A tuple ``(q, r)`` of the (float) dtype of ``x``.

    Raises:
        ValueError: for a ``mode`` other than ``"reduced"`` and ``"complete"``.

    Example:
        >>> q, r = qr(torch.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> r.abs().round(decimals=1)
        tensor([[5.0000, 2.2000],
                [0.0000, 0.4000]])
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"ops.linalg.qr: mode must be 'reduced' or 'complete', received {mode!r}")
    (x,), out = _floats(x)
    q, r = torch.linalg.qr(x, mode=mode)
    return _back(q, out), _back(r, out)


@_named("solve")
def solve(a: TensorLike, b: TensorLike) -> torch.Tensor:
    """The solution ``x`` of the linear system ``a @ x = b`` for square, non-singular ``a``.

    Args:
        a: tensor or array: the square matrix (or batch) ``(..., n, n)``; integer inputs are computed in ``floatx()``.
        b: tensor or array: the right-hand side ``(..., n)`` or ``(..., n, k)``.

    Returns:
        A tensor of the shape of ``b``, of the (float) result dtype of ``a`` and ``b``.

    Raises:
        ValueError: when ``a`` is not (a batch of) square matrices, shapes do not match, or ``a`` is singular.
    """
    (a, b), out = _floats(a, b)
    _square("solve", a)
    return _back(torch.linalg.solve(a, b), out)


@_named("solve_triangular")
def solve_triangular(a: TensorLike, b: TensorLike, lower: bool = False) -> torch.Tensor:
    """The solution ``x`` of ``a @ x = b`` for a triangular ``a`` (only its triangle is read).

    Args:
        a: tensor or array: the triangular matrix (or batch) ``(..., n, n)``; integer inputs are computed in
            ``floatx()``.
        b: tensor or array: the right-hand side ``(..., n)`` or ``(..., n, k)``.
        lower: bool, default ``False``: use the lower triangle of ``a``; by default the upper one.

    Returns:
        A tensor of the shape of ``b``, of the (float) result dtype of ``a`` and ``b``.

    Raises:
        ValueError: when ``a`` is not (a batch of) square matrices or shapes do not match.

    Example:
        >>> solve_triangular(torch.tensor([[2.0, 1.0], [0.0, 1.0]]), torch.tensor([3.0, 1.0]))
        tensor([1., 1.])
    """
    (a, b), out = _floats(a, b)
    _square("solve_triangular", a)
    vector = b.dim() == a.dim() - 1
    if vector:
        b = b.unsqueeze(-1)
    x = torch.linalg.solve_triangular(a, b, upper=not lower)
    return _back(x.squeeze(-1) if vector else x, out)


@_named("svd")
def svd(
    x: TensorLike, full_matrices: bool = True, compute_uv: bool = True
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The singular value decomposition ``x = u @ diag(s) @ vh``.

    Args:
        x: tensor or array: a matrix or a batch of them ``(..., m, n)``; integer inputs are computed in ``floatx()``,
            float16/bfloat16 in float32.
        full_matrices: bool, default ``True``: ``u`` ``(..., m, m)`` and ``vh`` ``(..., n, n)``; False gives the reduced
            ``(..., m, k)`` and ``(..., k, n)`` with ``k = min(m, n)``.
        compute_uv: bool, default ``True``: return ``(u, s, vh)``; False returns the singular values alone.

    Returns:
        A tuple ``(u, s, vh)`` (``s`` descending, ``(..., k)``), or ``s`` alone with ``compute_uv=False``; of the
        (float) dtype of ``x``.

    Example:
        >>> svd(torch.tensor([[3.0, 0.0], [0.0, -2.0]]), compute_uv=False)
        tensor([3., 2.])
    """
    (x,), out = _floats(x)
    if not compute_uv:
        return _back(torch.linalg.svdvals(x), out)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return _back(u, out), _back(s, out), _back(vh, out)


def __dir__():
    return sorted(__all__)
