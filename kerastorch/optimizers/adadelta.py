"""``Adadelta``: step sizes from running averages of squared gradients and updates, Keras 3's formulation.

Example:
    >>> optimizer = Adadelta(learning_rate=1.0, rho=0.95)
"""
import torch

from kerastorch.optimizers.base import Optimizer, _check, scaled_sub_
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Adadelta(Optimizer):
    """Adadelta.

    ``E[g²] = rho * E[g²] + (1 - rho) * g²``; ``delta = sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) * g``;
    ``E[Δ²] = rho * E[Δ²] + (1 - rho) * delta²``; ``var -= lr * delta``. Keras's default
    ``learning_rate`` is 0.001; the original paper's is 1.0. Takes the :class:`Optimizer` arguments
    as keywords.

    >>> optimizer = Adadelta(learning_rate=1.0)
    """

    _config_keys = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check(rho, "rho", 0.0, 1.0, optional=False)
        self.epsilon = _check(epsilon, "epsilon", optional=False)

    def _slot_blocks(self):
        return (("accumulated_grad", "accumulated_delta_var"),)

    def _update_step(self, params, grads, slots, scalars):
        squared_grads, squared_deltas = slots["accumulated_grad"], slots["accumulated_delta_var"]
        torch._foreach_mul_(squared_grads, self.rho)
        torch._foreach_addcmul_(squared_grads, grads, grads, value=1 - self.rho)
        deltas = torch._foreach_add(squared_deltas, self.epsilon)
        torch._foreach_sqrt_(deltas)
        grad_rms = torch._foreach_add(squared_grads, self.epsilon)
        torch._foreach_sqrt_(grad_rms)
        torch._foreach_mul_(deltas, grads)
        torch._foreach_div_(deltas, grad_rms)
        torch._foreach_mul_(squared_deltas, self.rho)
        torch._foreach_addcmul_(squared_deltas, deltas, deltas, value=1 - self.rho)
        scaled_sub_(params, deltas, scalars["lr"])
