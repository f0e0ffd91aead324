"""``Nadam``: Adam with Nesterov momentum (Dozat's momentum schedule), Keras 3's formulation.

Example:
    >>> optimizer = Nadam(learning_rate=2e-3)
"""
import torch

from kerastorch.optimizers.adam import bias_corrections
from kerastorch.optimizers.adamax import AdaptiveMomentOptimizer
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Nadam(AdaptiveMomentOptimizer):
    """Nadam.

    With the momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)`` and its running product
    ``U_t`` (the ``u_product`` state), ``m`` and ``v`` move as in Adam and
    ``var -= lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)`` with
    ``m_hat = u_{t+1} * m / (1 - U_t * u_{t+1}) + (1 - u_t) * g / (1 - U_t)``.
    Takes the :class:`Optimizer` arguments as keywords.

    >>> optimizer = Nadam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999)
    """

    def _slot_blocks(self):
        return (("momentum", "velocity"),)

    def _scalar_slots(self):
        return {"u_product": 1.0}

    def _step_scalars(self, lr):
        step = self._local_step()
        u_t = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step))
        u_next = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step + 1))
        u_product = self._scalars["u_product"]
        u_product.mul_(u_t)
        u_product_next = u_product * u_next
        return {
            "momentum_coef": lr * u_next / (1 - u_product_next),
            "gradient_coef": lr * (1 - u_t) / (1 - u_product),
            "correction_2": float(bias_corrections(self, self.beta_2)[0]),
        }

    def _update_step(self, params, grads, slots, scalars):
        momentums, velocities = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_mul_(velocities, self.beta_2)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - self.beta_2)
        steps = torch._foreach_mul(momentums, scalars["momentum_coef"])
        torch._foreach_add_(steps, torch._foreach_mul(grads, scalars["gradient_coef"]))
        denominators = torch._foreach_div(velocities, scalars["correction_2"])
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_addcdiv_(params, steps, denominators, value=-1)
