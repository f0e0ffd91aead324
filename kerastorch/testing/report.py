"""The result of a gradient check: one :class:`Comparison` per (check, input), gathered in a
:class:`GradientReport` that names the worst mismatch and raises a readable AssertionError.

Example:
    >>> report = GradientReport("f", [Comparison("reverse vs numerical", "input 0", 0.0, 1e-7)])
    >>> report.ok
    True
    >>> print(report)
    check_gradients(f): all 1 comparisons agree
      ok    reverse vs numerical  input 0: |diff| 0 <= tol 1e-07
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

import torch


@dataclasses.dataclass
class Comparison:
    """One comparison of two ways to get the same derivatives.

    ``check`` says which (``"reverse vs numerical"``, ``"forward vs reverse"``, ``"forward linearity"`` ...),
    ``wrt`` with respect to what (``"input 0"``, ``"weight 'dense/kernel'"``, ``"all inputs"``); ``error`` is
    the worst absolute disagreement, ``tolerance`` what was allowed there, ``index`` the entry (of the input
    or output) where it was, ``values`` the two numbers compared there. ``kinks`` counts entries where the function
    has a kink or jump at or near the point (ReLU at 0): accepted when a one-sided difference agrees, or
    skipped when the function is not differentiable at the point itself. ``detail`` holds an error message
    when a mode failed to run.

    Args:
        check: String, the two ways compared.
        wrt: String, what the derivatives are taken with respect to.
        error: Float, the worst absolute disagreement.
        tolerance: Float, the tolerance at that entry.
        index: Tuple or None, the entry of the worst disagreement. Defaults to None.
        values: Pair of floats or None, the two numbers compared at ``index``. Defaults to None.
        kinks: Int, the number of entries at kinks (counted, not compared). Defaults to ``0``.
        detail: String, the error message of a mode that failed to run ("" when both ran).
            Defaults to ``""``.

    Example:
        >>> c = Comparison("forward vs reverse", "input 0", 2e-7, 1e-7, values=(1.0, 1.0000002))
        >>> c.ok, round(c.ratio, 1)
        (False, 2.0)
        >>> print(c)
          FAIL  forward vs reverse  input 0: |diff| 2e-07 > tol 1e-07 (1 vs 1.0000002)
    """

    check: str
    wrt: str
    error: float
    tolerance: float
    index: tuple[int, ...] | None = None
    values: tuple[float, float] | None = None
    kinks: int = 0
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the two agree within the tolerance (and both ran)."""
        return not self.detail and self.error <= self.tolerance

    @property
    def ratio(self) -> float:
        """``error / tolerance``: above 1 is a failure; infinite when a mode failed to run."""
        if self.detail:
            return float("inf")
        return self.error / self.tolerance if self.tolerance > 0 else (0.0 if self.error == 0 else float("inf"))

    def __str__(self):
        status = "ok  " if self.ok else "FAIL"
        head = f"  {status}  {self.check}  {self.wrt}"
        if self.detail:
            return f"{head}: {self.detail}"
        where = "" if self.index is None else f" at {self.index}"
        values = "" if self.values is None else f" ({self.values[0]:.10g} vs {self.values[1]:.10g})"
        kinks = f", {self.kinks} entries at kinks" if self.kinks else ""
        relation = "<=" if self.ok else ">"
        return f"{head}: |diff| {self.error:.3g} {relation} tol {self.tolerance:.3g}{where}{values}{kinks}"


class GradientReport:
    """All comparisons made by :func:`~kerastorch.testing.check_gradients` on one function or layer.

    ``ok`` is True when every comparison agrees; ``failures`` lists those that do not; ``worst`` is the
    comparison with the largest ``error / tolerance``; ``assert_ok()`` raises an AssertionError whose
    message lists every comparison; ``str(report)`` is that same table.

    Args:
        name: String, the checked function's or layer's name, shown in the report's first line.
        comparisons: Iterable of :class:`Comparison`.

    Example:
        >>> report = GradientReport("g", [Comparison("reverse vs numerical", "input 0", 1.0, 1e-7)])
        >>> report.ok, report.worst.wrt, report
        (False, 'input 0', <GradientReport g: 1 comparisons, 1 failures>)
        >>> report.assert_ok()
        Traceback (most recent call last):
        ...
        AssertionError: check_gradients(g): 1 of 1 comparisons disagree; worst: reverse vs numerical, input 0
          FAIL  reverse vs numerical  input 0: |diff| 1 > tol 1e-07
    """

    def __init__(self, name: str, comparisons: Iterable[Comparison]) -> None:
        self.name = name
        self.comparisons = list(comparisons)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.comparisons)

    @property
    def failures(self) -> list[Comparison]:
        return [c for c in self.comparisons if not c.ok]

    @property
    def worst(self) -> Comparison | None:
        return max(self.comparisons, key=lambda c: c.ratio, default=None)

    def find(self, check: str, wrt: str | None = None) -> list[Comparison]:
        """The comparisons whose ``check`` (and ``wrt``, when given) match."""
        return [c for c in self.comparisons if c.check == check and (wrt is None or c.wrt == wrt)]

    def assert_ok(self) -> GradientReport:
        """Raise an AssertionError listing every comparison when any disagrees; return the report otherwise."""
        if not self.ok:
            raise AssertionError(str(self))
        return self

    def __str__(self):
        n, bad = len(self.comparisons), len(self.failures)
        head = (
            f"check_gradients({self.name}): all {n} comparisons agree"
            if not bad
            else f"check_gradients({self.name}): {bad} of {n} comparisons disagree; worst: "
            f"{self.worst.check}, {self.worst.wrt}"
        )
        return "\n".join([head] + [str(c) for c in self.comparisons])

    def __repr__(self):
        return f"<GradientReport {self.name}: {len(self.comparisons)} comparisons, {len(self.failures)} failures>"


def _unravel(i, shape):
    index = []
    for size in reversed(tuple(shape)):
        index.append(i % size if size else 0)
        i //= size if size else 1
    return tuple(reversed(index))


def compare(
    check: str,
    wrt: str,
    a: torch.Tensor,
    b: torch.Tensor,
    tolerance: torch.Tensor | float,
    kinks: torch.Tensor | None = None,
) -> Comparison:
    """Compare tensors ``a`` (exact) and ``b`` (reference) entrywise against a tolerance tensor.

    ``kinks`` (a boolean tensor) marks entries at a kink (see ``gradient_check._settle``): they are counted,
    not compared.
    """
    shape = a.shape
    tolerance = torch.as_tensor(tolerance, dtype=a.dtype, device=a.device).expand(shape).reshape(-1)
    a, b = a.detach().reshape(-1), b.detach().reshape(-1)
    if a.numel() == 0:
        return Comparison(check, wrt, 0.0, 0.0)
    diff = (a - b).abs()
    diff = torch.where(torch.isnan(a) | torch.isnan(b), torch.full_like(diff, float("inf")), diff)
    n_kinks = 0
    if kinks is not None:
        kinks = kinks.reshape(-1) & (diff > tolerance)
        n_kinks = int(kinks.sum())
        diff = torch.where(kinks, torch.zeros_like(diff), diff)
    ratio = diff / tolerance.clamp(min=torch.finfo(a.dtype).tiny)
    i = int(torch.argmax(torch.nan_to_num(ratio, nan=float("inf"))))
    return Comparison(
        check,
        wrt,
        float(diff[i]),
        float(tolerance[i]),
        index=_unravel(i, shape),
        values=(float(a[i]), float(b[i])),
        kinks=n_kinks,
    )


def compare_scalars(
    check: str,
    wrt: str,
    a: float | torch.Tensor,
    b: float | torch.Tensor,
    scale: float | torch.Tensor,
    rtol: float,
    atol: float,
) -> Comparison:
    """Compare two inner products whose terms have total magnitude ``scale``."""
    a, b = float(a), float(b)
    error = abs(a - b) if a == a and b == b else float("inf")
    return Comparison(check, wrt, error, atol + rtol * float(scale), values=(a, b))
