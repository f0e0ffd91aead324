"""``Lamb``: layer-wise adaptive moments for large batches (You et al., 2019), Keras 3's formulation.

Example:
    >>> optimizer = Lamb(learning_rate=1e-3, weight_decay=0.01)
"""

import torch

from kerastorch.optimizers.adam import bias_corrections
from kerastorch.optimizers.adamax import AdaptiveMomentOptimizer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Lamb(AdaptiveMomentOptimizer):
    """Lamb: Adam's bias-corrected step, rescaled per variable by a trust ratio.

    Each variable's Adam direction ``u = m_hat / (sqrt(v_hat) + epsilon)`` (``m`` and ``v`` move as
    in Adam, ``m_hat = m / (1 - beta_1**t)``, ``v_hat = v / (1 - beta_2**t)``) is scaled by the ratio
    of the variable's norm to the direction's norm (1 when either norm is 0):
    ``var -= lr * (||var|| / ||u||) * u``. The per-layer ratio keeps the step size proportional to the
    weights, which stabilises training with very large batches.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        beta_1: Float in ``[0, 1]``, the exponential decay rate of the 1st moment estimates.
            Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the exponential decay rate of the 2nd moment estimates.
            Defaults to ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Reference:
        - [You et al., 2019](https://arxiv.org/abs/1904.00962)

    >>> weights = [torch.nn.Parameter(torch.full((2,), 3.0))]
    >>> optimizer = Lamb(learning_rate=0.1)
    >>> optimizer.apply([torch.tensor([1.0, -1.0])], weights)
    >>> [round(x, 4) for x in weights[0].tolist()]  # u = sign(g), trust ratio ||var|| / ||u|| = 3
    [2.7, 3.3]
    """

    def _slot_blocks(self):
        return (("momentum", "velocity"),)

    def _step_scalars(self, lr):
        correction_1, correction_2 = bias_corrections(self, self.beta_1, self.beta_2)
        return {"lr": lr, "correction_1": float(correction_1), "correction_2": float(correction_2)}

    def _update_step(self, params, grads, slots, scalars):
        momentums, velocities = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        denominators = torch._foreach_div(velocities, scalars["correction_2"])
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        directions = torch._foreach_div(momentums, scalars["correction_1"])
        torch._foreach_div_(directions, denominators)
        weight_norms = torch.stack(torch._foreach_norm(params))
        direction_norms = torch.stack(torch._foreach_norm(directions))
        usable = (weight_norms > 0) & (direction_norms > 0)
        ratios = torch.where(usable, weight_norms / direction_norms, torch.ones_like(weight_norms))
        torch._foreach_mul_(directions, (ratios * scalars["lr"]).unbind())
        torch._foreach_sub_(params, directions)
