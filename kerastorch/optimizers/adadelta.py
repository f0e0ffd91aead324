"""``Adadelta``: step sizes from running averages of squared gradients and updates, Keras 3's formulation.

Example:
    >>> optimizer = Adadelta(learning_rate=1.0, rho=0.95)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter, scaled_sub_
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Adadelta(Optimizer):
    """Adadelta.

    ``E[g²] = rho * E[g²] + (1 - rho) * g²``; ``delta = sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) * g``;
    ``E[Δ²] = rho * E[Δ²] + (1 - rho) * delta²``; ``var -= lr * delta``. Keras's default
    ``learning_rate`` is 0.001; the original paper's is 1.0. Takes the :class:`Optimizer` arguments
    as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        rho: Float in ``[0, 1]``, the decay rate of the running averages. Defaults to ``0.95``.
        epsilon: Float ``>= 0``, a small constant that keeps the ratio finite (and sets the size of the
            first steps). Defaults to ``1e-7``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is out of the range given above, or for an invalid base keyword.

    >>> optimizer = Adadelta(learning_rate=1.0)
    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer.apply([torch.tensor([1.0])], [v])
    >>> v.item() < 1.0
    True
    """

    _config_keys = ("rho", "epsilon")

    def __init__(
        self, learning_rate: LearningRate = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_hyperparameter(rho, "rho", 0.0, 1.0, optional=False)
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)

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
