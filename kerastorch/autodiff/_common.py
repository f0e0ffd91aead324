"""Shared argument checks and error translation for ``kerastorch.autodiff``."""

from __future__ import annotations

import contextlib
import re
from typing import Any, Iterable, Iterator, Sequence

import torch

from kerastorch.backend.torch_internals import forward_ad_level

_NO_FORWARD_RULE = re.compile(
    r"forward AD with (\S+) that does not support it|"
    r"(\S+): jvp is not implemented|"
    r"jvp(?: function)? is not implemented for (\S+)|"
    r"jvp function for (custom autograd\.Function)|"
    r"(\S+) does not (?:have|support) (?:a )?forward",
    re.IGNORECASE,
)


def as_tuple(x: Any) -> tuple[tuple[Any, ...], bool]:
    """``x`` as a tuple, and whether it was one already (a list counts as a sequence)."""
    if isinstance(x, (tuple, list)):
        return tuple(x), True
    return (x,), False


def varargs(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The tensors of a ``*args`` argument, which may also come as one tuple or list of them (the convention
    of ``jvp``'s ``primals``): ``vjp(f, x, y)`` and ``vjp(f, (x, y))`` mean the same."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def check_differentiable(where: str, tensors: Iterable[Any], what: str = "input") -> None:
    """Refuse non-tensors and integer / boolean tensors: they have no derivative."""
    for i, x in enumerate(tensors):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{where}: {what} {i} must be a torch.Tensor, received {type(x).__name__}")
        if not (x.is_floating_point() or x.is_complex()):
            raise TypeError(
                f"{where}: {what} {i} has dtype {x.dtype}, which is not differentiable; "
                f"expected a floating-point (or complex) tensor (convert it with .double() or .float())"
            )


def check_tangents(where: str, primals: Sequence[torch.Tensor], tangents: Sequence[Any], what: str = "tangent") -> None:
    """Each tangent must have its primal's shape and dtype."""
    if len(tangents) != len(primals):
        raise ValueError(f"{where}: expected one {what} per primal ({len(primals)}), received {len(tangents)}")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{where}: {what} {i} must be a torch.Tensor, received {type(t).__name__}")
        if t.shape != p.shape:
            raise ValueError(
                f"{where}: {what} {i} has shape {tuple(t.shape)}, but its primal has shape "
                f"{tuple(p.shape)}; they must match"
            )
        if t.dtype != p.dtype:
            raise TypeError(
                f"{where}: {what} {i} has dtype {t.dtype}, but its primal has dtype {p.dtype}; they must match"
            )


def fresh_inputs(tensors: Iterable[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """Inputs to differentiate with respect to: a new graph node per tensor, so that only the uses
    inside the function count (not a closure's), and gradients flow on into an outer differentiation."""
    import torch.autograd.forward_ad as fwad

    def fresh(x):
        if forward_ad_level() >= 0:
            primal, tangent = fwad.unpack_dual(x)
            if tangent is not None:  # keep the tangent: forward-over-reverse (hvp)
                return fwad.make_dual(fresh(primal), tangent)
        return x.view_as(x) if x.requires_grad else x.detach().requires_grad_()

    return tuple(fresh(x) for x in tensors)


def needs_graph(tensors: Iterable[torch.Tensor]) -> bool:
    """Whether an outer differentiation (reverse or forward) sees these inputs: keep the backward graph."""
    return any(x.requires_grad for x in tensors) or (forward_ad_level() >= 0 and torch.is_grad_enabled())


def no_forward_rule_op(error: BaseException) -> str | None:
    """The op named in torch's 'no forward-mode derivative' error, or None for other errors."""
    match = _NO_FORWARD_RULE.search(str(error))
    if match is None:
        return None
    return next(g for g in match.groups() if g)


@contextlib.contextmanager
def forward_rule_errors(where: str) -> Iterator[None]:
    """Re-raise torch's missing-forward-derivative errors as one NotImplementedError naming the op."""
    try:
        yield
    except (NotImplementedError, RuntimeError) as error:
        op = no_forward_rule_op(error)
        if op is None:
            raise
        raise NotImplementedError(
            f"{where}: the op {op!r} has no forward-mode (JVP) derivative rule in torch, so it cannot run "
            f"under forward mode; use reverse mode (grad / vjp / jacobian(mode='reverse')) or give the "
            f"computation a rule with kerastorch.autodiff.custom_jvp"
        ) from error


_NO_DOUBLE_BACKWARD = re.compile(r"derivative for (\S+) is not implemented")


@contextlib.contextmanager
def backward_rule_errors(where: str) -> Iterator[None]:
    """Re-raise torch's missing-derivative errors (typically a fused kernel's backward that cannot be
    differentiated again) as one NotImplementedError naming the op and the way around it."""
    try:
        yield
    except (NotImplementedError, RuntimeError) as error:
        match = _NO_DOUBLE_BACKWARD.search(str(error))
        if match is None:
            raise
        raise NotImplementedError(
            f"{where}: the op {match.group(1)!r} has no reverse-mode derivative in torch (often the backward of a "
            f"fused kernel, reached when differentiating a gradient again); compute second derivatives with "
            f"kerastorch.autodiff.hessian / hvp (forward-over-reverse), under which kerastorch layers avoid "
            f"fused kernels"
        ) from error
