"""Whether forward-mode differentiation is running (private helper for layers).

Layers whose fused kernels have no forward-mode derivative in torch (``torch._VF.lstm`` through
oneDNN / cuDNN, ``F.scaled_dot_product_attention``'s fused kernels) ask :func:`forward_mode_active` and
take their step-by-step / explicit path instead, so every built-in layer runs under
``kerastorch.autodiff.jvp`` (dual numbers) and ``torch.func.jvp``. The check reads two globals (about
0.1 microseconds), no tensor data.
"""

from __future__ import annotations

from kerastorch.backend.torch_internals import forward_ad_level, functorch_level


def forward_mode_active() -> bool:
    """True inside ``torch.autograd.forward_ad.dual_level()`` or a ``torch.func`` transform.

    Example:
        >>> import torch
        >>> import torch.autograd.forward_ad as fwad
        >>> forward_mode_active()
        False
        >>> with fwad.dual_level():
        ...     forward_mode_active()
        True

        A layer's ``call`` sees it while ``kerastorch.autodiff.jvp`` or ``torch.func.jvp`` runs it:

        >>> from kerastorch.autodiff import jvp
        >>> def double(x):
        ...     print("forward mode:", forward_mode_active())
        ...     return 2 * x
        >>> jvp(double, (torch.tensor(1.0),), (torch.tensor(1.0),))
        forward mode: True
        (tensor(2.), tensor(2.))
        >>> torch.func.jvp(double, (torch.tensor(1.0),), (torch.tensor(1.0),))
        forward mode: True
        (tensor(2.), tensor(2.))
        >>> double(torch.tensor(1.0))
        forward mode: False
        tensor(2.)
    """
    return forward_ad_level() >= 0 or functorch_level() is not None
