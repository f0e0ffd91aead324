"""``check_hessian``: second derivatives of a scalar function, checked three ways.

The Hessian from :func:`kerastorch.autodiff.hessian` (forward-over-reverse) must be symmetric, agree with
``hvp`` along random vectors, and with central differences of the reverse-mode gradient.

Example:
    >>> import torch
    >>> check_hessian(lambda x: torch.logsumexp(x, 0), torch.randn(4)).ok
    True
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kerastorch.testing import _ad
from kerastorch.testing.report import GradientReport, compare


def check_hessian(
    f: Callable[..., Any],
    x: torch.Tensor,
    *,
    dtype: torch.dtype = torch.float64,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    eps: float | None = None,
    seed: int = 0,
    n_vectors: int = 2,
    assert_ok: bool = True,
) -> GradientReport:
    """Check the Hessian of the scalar function ``f`` at the tensor ``x``; returns a ``GradientReport``.

    Comparisons: ``hessian symmetry`` (``H`` against ``H^T``), ``hvp vs hessian`` (``hvp(f, x, v)``
    against ``H v`` for ``n_vectors`` random ``v``) and ``hessian vs numerical`` (``H`` against central
    differences of ``grad(f)``).

    Args:
        f: A scalar function of one tensor.
        x: A floating-point tensor, the point.
        dtype: The floating dtype the check runs in. Defaults to ``torch.float64``.
        rtol: Float, the relative tolerance of every comparison. Defaults to ``1e-5``.
        atol: Float, the absolute tolerance of every comparison. Defaults to ``1e-7``.
        eps: Float or None, the finite-difference base step. Defaults to None (from ``dtype``).
        seed: Int, the seed of the random vectors. Defaults to ``0``.
        n_vectors: Int, how many random vectors the ``hvp`` comparison uses. Defaults to ``2``.
        assert_ok: Bool, whether to raise an AssertionError listing every comparison when one disagrees.
            Defaults to ``True``.

    Returns:
        A :class:`~kerastorch.testing.GradientReport`.

    Raises:
        TypeError: If ``x`` is not a floating-point tensor.
        AssertionError: With ``assert_ok``, when a comparison disagrees.

    >>> report = check_hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), n_vectors=1)
    >>> [c.check for c in report.comparisons]
    ['hessian symmetry', 'hvp vs hessian', 'hessian vs numerical']
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(
            f"check_hessian: expected a floating-point tensor x, received {getattr(x, 'dtype', type(x).__name__)}"
        )
    x = x.detach().to(dtype)
    n = x.numel()
    h = _ad.hessian(f, x).reshape(n, n)
    comparisons = [compare("hessian symmetry", "input", h, h.T, atol + rtol * h.abs())]
    gen = torch.Generator().manual_seed(seed)
    for i in range(n_vectors):
        v = torch.randn(x.shape, generator=gen, dtype=dtype).to(x.device)
        hv = _ad.hvp(f, x, v).reshape(-1)
        expected = h @ v.reshape(-1)
        tol = atol + rtol * (h.abs() @ v.reshape(-1).abs())
        comparisons.append(compare("hvp vs hessian", f"vector {i}", hv, expected, tol))
    numeric = _ad.numerical_jacobian(_ad.grad(f), x, eps=eps).reshape(n, n)
    comparisons.append(
        compare(
            "hessian vs numerical",
            "input",
            h,
            numeric,
            atol + rtol * torch.maximum(h.abs(), numeric.abs()) + 1e-9 * h.abs().max(),
        )
    )
    report = GradientReport(getattr(f, "__name__", "function"), comparisons)
    return report.assert_ok() if assert_ok else report
