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
import functools

import torch

from kerastorch.ops import dtypes
from kerastorch.ops.core import convert_to_tensor

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
           "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd"]

_HALF = (torch.float16, torch.bfloat16)


def _named(op):
    """Re-raise torch's errors (shapes, singular matrices) as ValueError naming ``ops.linalg.<op>``."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except RuntimeError as error:
                shapes = ", ".join(str(tuple(a.shape)) for a in args if isinstance(a, torch.Tensor))
                raise ValueError(f"ops.linalg.{op}: {error} (received inputs of shapes {shapes})") from None
        return wrapper
    return decorate


def _floats(*xs):
    """``xs`` as tensors of one compute dtype (float32 for half precision), and the dtype to return."""
    tensors = [convert_to_tensor(x) for x in xs]
    out = getattr(torch, dtypes.result_type(*tensors, float))
    work = torch.float32 if out in _HALF else out
    device = tensors[0].device
    return [t.to(device=device, dtype=work) for t in tensors], out


def _back(x, dtype):
    return x if x.dtype == dtype or x.is_complex() else x.to(dtype)


def _square(op, x):
    if x.dim() < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.linalg.{op}: expected (a batch of) square matrices, received shape {tuple(x.shape)}")


@_named("cholesky")
def cholesky(x, upper=False):
    """The Cholesky factor of a positive-definite matrix (lower, or upper with ``upper=True``)."""
    (x,), out = _floats(x)
    _square("cholesky", x)
    return _back(torch.linalg.cholesky(x, upper=upper), out)


@_named("cholesky_inverse")
def cholesky_inverse(x, upper=False):
    """The inverse of ``A`` from its Cholesky factor ``x``."""
    (x,), out = _floats(x)
    _square("cholesky_inverse", x)
    return _back(torch.cholesky_inverse(x, upper=upper), out)


@_named("det")
def det(x):
    """The determinant of (a batch of) square matrices."""
    (x,), out = _floats(x)
    _square("det", x)
    return _back(torch.linalg.det(x), out)


@_named("eig")
def eig(x):
    """Eigenvalues and eigenvectors of a general square matrix (complex)."""
    (x,), _ = _floats(x)
    _square("eig", x)
    return torch.linalg.eig(x)


@_named("eigh")
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of a symmetric / Hermitian matrix."""
    (x,), out = _floats(x)
    _square("eigh", x)
    w, v = torch.linalg.eigh(x)
    return _back(w, out), _back(v, out)


@_named("inv")
def inv(x):
    """The inverse of (a batch of) square matrices."""
    (x,), out = _floats(x)
    _square("inv", x)
    return _back(torch.linalg.inv(x), out)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: ``(fun(*primals), J @ tangents)`` (plus the aux output with ``has_aux``)."""
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


@_named("lstsq")
def lstsq(a, b, rcond=None):
    """The least-squares solution ``x`` of ``a @ x = b`` (``rcond``: relative cutoff of small singular values)."""
    (a, b), out = _floats(a, b)
    if a.dim() != 2 or b.dim() not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"ops.linalg.lstsq: expected a of shape (M, N) and b of shape (M,) or (M, K), "
                         f"received {tuple(a.shape)} and {tuple(b.shape)}")
    if rcond is not None:
        solution = torch.linalg.pinv(a, rtol=rcond) @ b
    elif a.device.type == "cpu":
        solution = torch.linalg.lstsq(a, b).solution
    else:  # CUDA's only driver needs full rank: go through the pseudo-inverse (SVD)
        solution = torch.linalg.pinv(a) @ b
    return _back(solution, out)


@_named("lu_factor")
def lu_factor(x):
    """The packed LU factorization ``(lu, pivots)``, pivots 0-based (int32)."""
    (x,), out = _floats(x)
    lu, pivots = torch.linalg.lu_factor(x)
    return _back(lu, out), pivots - 1


@_named("matrix_rank")
def matrix_rank(x, tol=None):
    """The rank (int32): singular values above ``tol`` (an absolute tolerance; default relative to the
    largest)."""
    (x,), _ = _floats(x)
    return torch.linalg.matrix_rank(x, atol=tol).to(torch.int32)


_MATRIX_ORDS = ("fro", "nuc")


@_named("norm")
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's name
    """The vector norm (``axis`` an int) or matrix norm (``axis`` a pair); ``ord`` as in ``numpy.linalg.norm``."""
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
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse (``rcond``: relative cutoff of small singular values)."""
    (x,), out = _floats(x)
    return _back(torch.linalg.pinv(x, rtol=rcond), out)


@_named("qr")
def qr(x, mode="reduced"):
    """The QR decomposition ``(q, r)``; ``mode`` is ``"reduced"`` or ``"complete"``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"ops.linalg.qr: mode must be 'reduced' or 'complete', received {mode!r}")
    (x,), out = _floats(x)
    q, r = torch.linalg.qr(x, mode=mode)
    return _back(q, out), _back(r, out)


@_named("solve")
def solve(a, b):
    """The solution ``x`` of ``a @ x = b`` for square ``a``."""
    (a, b), out = _floats(a, b)
    _square("solve", a)
    return _back(torch.linalg.solve(a, b), out)


@_named("solve_triangular")
def solve_triangular(a, b, lower=False):
    """The solution of ``a @ x = b`` for triangular ``a`` (upper unless ``lower``)."""
    (a, b), out = _floats(a, b)
    _square("solve_triangular", a)
    vector = b.dim() == a.dim() - 1
    if vector:
        b = b.unsqueeze(-1)
    x = torch.linalg.solve_triangular(a, b, upper=not lower)
    return _back(x.squeeze(-1) if vector else x, out)


@_named("svd")
def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition ``(u, s, vh)``, or the singular values when ``compute_uv=False``."""
    (x,), out = _floats(x)
    if not compute_uv:
        return _back(torch.linalg.svdvals(x), out)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return _back(u, out), _back(s, out), _back(vh, out)
