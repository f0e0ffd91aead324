"""``Nadam``: Adam with Nesterov momentum (Dozat's momentum schedule), Keras 3's formulation.

Example:
    >>> optimizer = Nadam(learning_rate=2e-3)
"""

import torch

from kerastorch.optimizers.adam import bias_corrections
from kerastorch.optimizers.adamax import AdaptiveMomentOptimizer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Nadam(AdaptiveMomentOptimizer):
    """Nadam.

    With the momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)`` and its running product
    ``U_t`` (the ``u_product`` state), ``m`` and ``v`` move as in Adam and
    ``var -= lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)`` with
    ``m_hat = u_{t+1} * m / (1 - U_t * u_{t+1}) + (1 - u_t) * g / (1 - U_t)``.
    Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        beta_1: Float in ``[0, 1]``, the exponential decay rate of the 1st moment estimates (and the
            scale of the momentum schedule). Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the exponential decay rate of the 2nd moment estimates.
            Defaults to ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is out of the range given above, or for an invalid base keyword.

    >>> optimizer = Nadam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999)
    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer.apply([torch.tensor([0.5])], [v])
    >>> v.item() < 1.0
    True
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
