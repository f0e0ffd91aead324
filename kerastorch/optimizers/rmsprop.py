"""``RMSprop``: divide the gradient by a running root mean square, Keras 3's formulation.

Example:
    >>> optimizer = RMSprop(learning_rate=0.001, rho=0.9, momentum=0.9, centered=True)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter, scaled_addcdiv_
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class RMSprop(Optimizer):
    """RMSprop.

    ``velocity = rho * velocity + (1 - rho) * g**2``; the step is
    ``lr * g / sqrt(velocity + epsilon)`` (``centered`` subtracts the square of the running mean
    gradient under the root); with ``momentum`` the steps accumulate as
    ``m = momentum * m + step``. Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        rho: Float in ``[0, 1]``, the discounting factor of the running average of squared gradients.
            Defaults to ``0.9``.
        momentum: Float ``>= 0``; when nonzero, the steps accumulate in a momentum state decayed by this
            factor. Defaults to ``0.0``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        centered: Bool, whether to normalize by the running variance of the gradient (the mean square
            minus the square of the running mean gradient) instead of the mean square; this may help
            training at the cost of some computation and memory. Defaults to ``False``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is out of the range given above, or for an invalid base keyword.

    >>> optimizer = RMSprop(learning_rate=0.01, clipnorm=1.0)
    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer.apply([torch.tensor([2.0])], [v])  # clipped to 1, then 0.01 * 1 / sqrt(0.1 * 1)
    >>> round(v.item(), 4)
    0.9684
    """

    _config_keys = ("rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_hyperparameter(rho, "rho", 0.0, 1.0, optional=False)
        self.momentum = check_hyperparameter(momentum, "momentum", 0.0, optional=False)
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)
        self.centered = bool(centered)

    def _slot_blocks(self):
        return (
            (("velocity",),)
            + ((("momentum",),) if self.momentum else ())
            + ((("average_gradient",),) if self.centered else ())
        )

    def _update_step(self, params, grads, slots, scalars):
        velocities = slots["velocity"]
        torch._foreach_mul_(velocities, self.rho)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - self.rho)
        if self.centered:
            averages = slots["average_gradient"]
            torch._foreach_lerp_(averages, grads, 1 - self.rho)
            denominators = torch._foreach_addcmul(velocities, averages, averages, value=-1)
            torch._foreach_add_(denominators, self.epsilon)
        else:
            denominators = torch._foreach_add(velocities, self.epsilon)
        torch._foreach_sqrt_(denominators)
        if not self.momentum:
            scaled_addcdiv_(params, grads, denominators, scalars["lr"])
            return
        momentums = slots["momentum"]
        torch._foreach_mul_(momentums, self.momentum)
        scaled_addcdiv_(momentums, grads, denominators, -scalars["lr"])  # m = momentum * m + lr * g / rms
        torch._foreach_sub_(params, momentums)
