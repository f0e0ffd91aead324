"""Automatic and numerical differentiation: three ways to differentiate, each checking the others.

- numerical (:mod:`kerastorch.autodiff.numerical`): finite differences, no autodiff at all;
- reverse mode (:mod:`~kerastorch.autodiff.reverse`, :class:`GradientTape`): torch.autograd, one
  backward pass per output;
- forward mode (:mod:`~kerastorch.autodiff.forward`): dual numbers, one pass per input direction;
- custom rules (:mod:`~kerastorch.autodiff.custom`): ``custom_jvp``, ``custom_vjp``, ``custom_gradient``.

Example:
    >>> import torch
    >>> from kerastorch import autodiff
    >>> x = torch.tensor([0.3, -1.2], dtype=torch.float64)
    >>> f = lambda x: torch.tanh(x).sum()
    >>> exact = autodiff.grad(f)(x)
    >>> torch.allclose(exact, autodiff.numerical_gradient(f, x), atol=1e-9)
    True
    >>> torch.allclose(autodiff.jvp(f, (x,), (torch.ones_like(x),))[1], exact.sum())
    True
"""

from kerastorch.autodiff.custom import custom_gradient, custom_jvp, custom_vjp
from kerastorch.autodiff.forward import hessian, hvp, jacobian, jvp, linearize, model_jvp
from kerastorch.autodiff.numerical import (
    FiniteDifferenceErrors,
    default_step,
    finite_difference_errors,
    numerical_gradient,
    numerical_jacobian,
)
from kerastorch.autodiff.reverse import grad, model_vjp, value_and_grad, vjp
from kerastorch.autodiff.tape import GradientTape

__all__ = [
    "FiniteDifferenceErrors",
    "GradientTape",
    "custom_gradient",
    "custom_jvp",
    "custom_vjp",
    "default_step",
    "finite_difference_errors",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "linearize",
    "model_jvp",
    "model_vjp",
    "numerical_gradient",
    "numerical_jacobian",
    "value_and_grad",
    "vjp",
]


def __dir__():
    return sorted(__all__)
