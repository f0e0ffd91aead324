"""Numerical differentiation: finite differences, and how their error depends on the step.

``numerical_gradient`` / ``numerical_jacobian`` perturb one input entry at a time (one or two
evaluations per entry), with no autodiff at all, so they check the other two modes independently.

The default step is chosen from the dtype's machine epsilon ``u`` and scaled by the entry's size:
``h = u**(1/2) * max(1, |x_i|)`` for forward differences (truncation error O(h), rounding error
O(u / h)) and ``h = u**(1/3) * max(1, |x_i|)`` for central differences (truncation O(h**2)). In float64
that gives errors around 1e-8 and 1e-11 relative; in float32 around 3e-4 and 1e-5, which is why
gradient checks run in float64. :func:`finite_difference_errors` measures the trade-off over a range
of steps.

Example:
    >>> import torch
    >>> x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    >>> g = numerical_gradient(lambda x: (x ** 3).sum(), x)
    >>> torch.allclose(g, 3 * x ** 2, rtol=1e-8)
    True
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Sequence, overload

import torch

from kerastorch.autodiff._common import as_tuple, check_differentiable
from kerastorch.autodiff.forward import jvp

_METHODS = ("central", "forward")


def default_step(dtype: torch.dtype, method: str = "central") -> float:
    """The base step ``u**(1/2)`` (forward) or ``u**(1/3)`` (central) for a dtype with machine epsilon ``u``.

    Args:
        dtype: A floating-point ``torch.dtype``.
        method: ``"central"`` or ``"forward"``, the finite-difference formula the step is for.
            Defaults to ``"central"``.

    Returns:
        Float, the base step (scaled by ``max(1, |x_i|)`` for each entry when it is used).

    Raises:
        ValueError: If ``method`` is not ``"central"`` or ``"forward"``.
        TypeError: If ``dtype`` is not a floating-point dtype.

    >>> f"{default_step(torch.float64, 'forward'):.1e}", f"{default_step(torch.float32):.1e}"
    ('1.5e-08', '4.9e-03')
    """
    _check_method("default_step", method)
    u = torch.finfo(dtype).eps
    return u**0.5 if method == "forward" else u ** (1.0 / 3.0)


# -> Any: a tensor, a tuple or a tuple of tuples of them, nested as f's outputs and x are
def numerical_jacobian(
    f: Callable[..., Any], x: torch.Tensor | Sequence[torch.Tensor], method: str = "central", eps: float | None = None
) -> Any:
    """Jacobian of ``f`` at ``x`` by finite differences, shape ``f(x).shape + x.shape``.

    ``x`` may be a tuple of tensors (``f(*x)`` is evaluated, one Jacobian per input comes back);
    ``f`` may return a tuple of tensors (one Jacobian per output; with tuple inputs too, a tuple of
    tuples indexed ``[output][input]``). ``eps`` is the base step (scaled by ``max(1, |x_i|)``);
    by default it comes from the dtype (see the module docstring).

    Args:
        f: A function of tensors returning a tensor or a tuple of tensors; it is evaluated without
            gradient tracking, once plus one (forward) or two (central) times per input entry.
        x: A floating-point tensor, or a tuple or list of them (the arguments of ``f``).
        method: ``"central"`` (error O(h**2), two evaluations per entry) or ``"forward"`` (error O(h),
            one evaluation per entry). Defaults to ``"central"``.
        eps: Float or None, the base step. Defaults to None (:func:`default_step` of ``x``'s dtype).

    Returns:
        A tensor of shape ``f(x).shape + x.shape``, or tuples of them as described above.

    Raises:
        ValueError: If ``method`` is unknown.
        TypeError: If an input is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> J = numerical_jacobian(lambda x: x * x, torch.tensor([1.0, 3.0], dtype=torch.float64))
        >>> torch.allclose(J, torch.diag(torch.tensor([2.0, 6.0], dtype=torch.float64)))
        True
    """
    _check_method("numerical_jacobian", method)
    xs, multiple_in = as_tuple(x)
    check_differentiable("numerical_jacobian", xs)
    with torch.no_grad():
        xs = tuple(t.detach() for t in xs)
        base = f(*xs)
        outs, multiple_out = as_tuple(base)
        jacobians = [
            [_jacobian_block(f, xs, k, outs, j, method, eps) for k in range(len(xs))] for j in range(len(outs))
        ]
    per_output = [tuple(row) if multiple_in else row[0] for row in jacobians]
    return tuple(per_output) if multiple_out else per_output[0]


@overload
def numerical_gradient(
    f: Callable[..., Any], x: torch.Tensor, method: str = ..., eps: float | None = ...
) -> torch.Tensor: ...


@overload
def numerical_gradient(
    f: Callable[..., Any], x: Sequence[torch.Tensor], method: str = ..., eps: float | None = ...
) -> tuple[torch.Tensor, ...]: ...


def numerical_gradient(
    f: Callable[..., Any], x: torch.Tensor | Sequence[torch.Tensor], method: str = "central", eps: float | None = None
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Gradient of a scalar function ``f`` at ``x`` by finite differences (same shape as ``x``).

    ``x`` may be a tuple of tensors (``f(*x)``; a tuple of gradients comes back).

    Args:
        f: A function of tensors returning a tensor with one element.
        x: A floating-point tensor, or a tuple or list of them (the arguments of ``f``).
        method: ``"central"`` or ``"forward"`` differences (see :func:`numerical_jacobian`).
            Defaults to ``"central"``.
        eps: Float or None, the base step. Defaults to None (:func:`default_step` of ``x``'s dtype).

    Returns:
        A tensor of ``x``'s shape, or a tuple of them for tuple inputs.

    Raises:
        ValueError: If ``f`` does not return a one-element tensor, or ``method`` is unknown.
        TypeError: If an input is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> x = torch.tensor([0.5], dtype=torch.float64)
        >>> round(float(numerical_gradient(lambda x: torch.sin(x).sum(), x, method="forward")), 6)
        0.877583
    """

    def scalar(*args):
        y = f(*args)
        if not isinstance(y, torch.Tensor) or y.numel() != 1:
            shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
            raise ValueError(
                f"numerical_gradient: f must return a scalar tensor, received {shape}; "
                f"use numerical_jacobian for vector outputs"
            )
        return y.reshape(())

    return numerical_jacobian(scalar, x, method=method, eps=eps)


def _jacobian_block(f, xs, k, base_outs, j, method, eps):
    x = xs[k]
    out = base_outs[j]
    n = x.numel()
    block = torch.empty(
        (out.numel(), n), dtype=torch.result_type(out, x) if out.is_floating_point() else x.dtype, device=out.device
    )
    h_base = default_step(x.dtype, method) if eps is None else float(eps)
    steps = h_base * x.detach().abs().clamp(min=1.0).reshape(-1)
    flat = x.reshape(-1)
    for i in range(n):  # one (forward) or two (central) evaluations per input entry, by definition
        h = steps[i]
        if method == "forward":
            plus = _shifted(f, xs, k, flat, i, h)
            block[:, i] = ((plus[j] - out) / h).reshape(-1)
        else:
            plus = _shifted(f, xs, k, flat, i, h)
            minus = _shifted(f, xs, k, flat, i, -h)
            block[:, i] = ((plus[j] - minus[j]) / (2 * h)).reshape(-1)
    return block.reshape(tuple(out.shape) + tuple(x.shape))


def _shifted(f, xs, k, flat, i, h):
    moved = flat.clone()
    moved[i] += h
    args = list(xs)
    args[k] = moved.reshape(xs[k].shape)
    return as_tuple(f(*args))[0]


@dataclasses.dataclass
class FiniteDifferenceErrors:
    """Errors of forward and central differences along one direction, one entry per step ``h``.

    ``steps``, ``forward`` and ``central`` are lists of floats (max absolute error of the directional
    derivative estimate against ``exact``); ``exact`` is the reference directional derivative.
    :func:`finite_difference_errors` makes it.

    Args:
        steps: List of floats, the steps ``h`` tried.
        forward: List of floats, the forward-difference error for each step.
        central: List of floats, the central-difference error for each step.
        exact: Tensor, the reference directional derivative.

    Example:
        >>> errors = FiniteDifferenceErrors([0.1, 0.01], [1e-2, 1e-3], [1e-4, 1e-6], torch.tensor(1.0))
        >>> errors.best_step(), errors.best_step("forward")
        (0.01, 0.01)
        >>> print(errors.table())
                 h     forward     central
           1.0e-01    1.00e-02    1.00e-04
           1.0e-02    1.00e-03    1.00e-06
    """

    steps: list[float]
    forward: list[float]
    central: list[float]
    exact: torch.Tensor

    def best_step(self, method: str = "central") -> float:
        """The step with the smallest error for ``method``."""
        _check_method("FiniteDifferenceErrors.best_step", method)
        errors = self.central if method == "central" else self.forward
        return self.steps[min(range(len(errors)), key=errors.__getitem__)]

    def table(self) -> str:
        """The errors as printable rows ``h  forward  central``."""
        rows = [f"{'h':>10}  {'forward':>10}  {'central':>10}"]
        rows += [f"{h:10.1e}  {a:10.2e}  {b:10.2e}" for h, a, b in zip(self.steps, self.forward, self.central)]
        return "\n".join(rows)


def finite_difference_errors(
    f: Callable[..., Any],
    x: torch.Tensor | Sequence[torch.Tensor],
    direction: torch.Tensor | Sequence[torch.Tensor] | None = None,
    steps: Iterable[float] | None = None,
    exact: torch.Tensor | None = None,
) -> FiniteDifferenceErrors:
    """Error of forward and central differences of ``f`` at ``x`` along ``direction``, for each step.

    ``direction`` defaults to a fixed random unit vector; ``steps`` to ``10**-k`` for ``k = 1..15``;
    ``exact`` (the directional derivative ``J v``) to forward-mode autodiff's value. Returns a
    :class:`FiniteDifferenceErrors`. Forward differences are best near ``h ~ u**(1/2)``, central ones
    near ``h ~ u**(1/3)``: below that, rounding error ``~ u / h`` grows. ``x`` and ``direction`` may be
    tuples of tensors, as :func:`~kerastorch.autodiff.jvp` takes its primals and tangents (``f(*x)``).

    Args:
        f: A function of one tensor (or of the tensors of a tuple ``x``) returning a tensor.
        x: A floating-point tensor, or a tuple or list of them: the point.
        direction: Tensor of ``x``'s shape (a tuple of them for a tuple ``x``) or None, the direction
            ``v``. Defaults to None (a fixed random unit vector, the same on every call).
        steps: Iterable of floats or None, the steps ``h`` to try. Defaults to None (``1e-1`` ...
            ``1e-15``).
        exact: Tensor or None, the reference ``J v``. Defaults to None (computed with :func:`jvp`).

    Returns:
        A :class:`FiniteDifferenceErrors`.

    Raises:
        ValueError: If ``direction`` does not have ``x``'s shape (or number of tensors).
        TypeError: If an input is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> errs = finite_difference_errors(torch.exp, torch.tensor([1.0], dtype=torch.float64))
        >>> errs.best_step("forward") < errs.best_step("central")
        True
        >>> min(errs.central) < 1e-9 and min(errs.forward) < 1e-6
        True
    """
    xs, multiple = as_tuple(x)
    check_differentiable("finite_difference_errors", xs)
    xs = tuple(t.detach() for t in xs)
    if direction is None:
        gen = torch.Generator().manual_seed(0)
        vs: Sequence[torch.Tensor] = [torch.randn(t.shape, generator=gen, dtype=t.dtype).to(t.device) for t in xs]
        norm = vs[0].norm() if len(vs) == 1 else torch.stack([v.norm().double().cpu() for v in vs]).norm()
        vs = tuple(v / norm.to(v.device, v.real.dtype).clamp(min=torch.finfo(v.dtype).tiny) for v in vs)
    else:
        vs = as_tuple(direction)[0]
        if len(vs) != len(xs):
            raise ValueError(
                f"finite_difference_errors: expected one direction per input ({len(xs)}), received {len(vs)}"
            )
        for i, (v, t) in enumerate(zip(vs, xs)):
            if v.shape != t.shape:
                which = f" {i}" if multiple else ""
                raise ValueError(
                    f"finite_difference_errors: direction{which} has shape {tuple(v.shape)}, "
                    f"but x{which} has shape {tuple(t.shape)}; they must match"
                )
        vs = tuple(v.to(t.dtype) for v, t in zip(vs, xs))
    steps = [10.0**-k for k in range(1, 16)] if steps is None else [float(h) for h in steps]
    if exact is None:
        exact = jvp(f, xs, vs)[1].detach()
    with torch.no_grad():
        base = f(*xs)
        forward, central = [], []
        for h in steps:
            plus = f(*(t + h * v for t, v in zip(xs, vs)))
            minus = f(*(t - h * v for t, v in zip(xs, vs)))
            forward.append(float(((plus - base) / h - exact).abs().max()))
            central.append(float(((plus - minus) / (2 * h) - exact).abs().max()))
    return FiniteDifferenceErrors(steps, forward, central, exact)


def _check_method(where, method):
    if method not in _METHODS:
        raise ValueError(f"{where}: method must be one of {_METHODS}, received {method!r}")
