"""The differentiation functions the gradient checks use, in one place.

They come from :mod:`kerastorch.autodiff`; pointing the checks at other implementations (torch.func, a
future version) is an edit of this file only.
"""

from kerastorch.autodiff import default_step, grad, hessian, hvp, jvp, numerical_gradient, numerical_jacobian, vjp

__all__ = ["default_step", "grad", "hessian", "hvp", "jvp", "numerical_gradient", "numerical_jacobian", "vjp"]
