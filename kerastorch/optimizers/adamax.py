"""``Adamax``: Adam with the infinity norm, Keras 3's formulation.

Example:
    >>> optimizer = Adamax(learning_rate=2e-3)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.optimizers.adam import bias_corrections
from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import register_builtin


class AdaptiveMomentOptimizer(Optimizer):
    """The arguments Adamax and Nadam share (Keras 3 gives both the same ones, defaults included):
    ``beta_1`` and ``beta_2`` in ``[0, 1]`` and ``epsilon >= 0``, plus the :class:`Optimizer` keywords.

    >>> Adamax(beta_2=0.99).get_config()["beta_2"]
    0.99
    """

    _config_keys: tuple[str, ...] = ("beta_1", "beta_2", "epsilon")

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_hyperparameter(beta_1, "beta_1", 0.0, 1.0, optional=False)
        self.beta_2 = check_hyperparameter(beta_2, "beta_2", 0.0, 1.0, optional=False)
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)


@register_builtin("keras.optimizers")
class Adamax(AdaptiveMomentOptimizer):
    """Adamax.

    ``m += (g - m) * (1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
    ``var -= lr * m / ((1 - beta_1**t) * (u + epsilon))``. Takes the :class:`Optimizer` arguments
    as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        beta_1: Float in ``[0, 1]``, the exponential decay rate of the 1st moment estimates.
            Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the exponential decay rate of the exponentially weighted infinity
            norm. Defaults to ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is out of the range given above, or for an invalid base keyword.

    >>> optimizer = Adamax(learning_rate=1e-3, beta_2=0.99)
    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer.apply([torch.tensor([-4.0])], [v])  # the first step moves by about lr
    >>> round(v.item(), 4)
    1.001
    """

    def _slot_blocks(self):
        return (("momentum", "norm"),)

    def _step_scalars(self, lr):
        correction = bias_corrections(self, self.beta_1)[0]
        return {"scale": float(correction / np.float32(lr)) if isinstance(lr, float) else float(correction) / lr}

    def _update_step(self, params, grads, slots, scalars):
        momentums, norms = slots["momentum"], slots["norm"]
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_mul_(norms, self.beta_2)
        torch._foreach_maximum_(norms, torch._foreach_abs(grads))
        denominators = torch._foreach_add(norms, self.epsilon)
        torch._foreach_mul_(denominators, scalars["scale"])  # (1 - beta_1**t) * (u + epsilon) / lr
        torch._foreach_addcdiv_(params, momentums, denominators, value=-1)
