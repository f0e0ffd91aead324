"""``Adam`` and ``AdamW``: adaptive moment estimation, Keras 3's formulation.

Example:
    >>> optimizer = Adam(learning_rate=1e-3, amsgrad=True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import register_builtin


def bias_corrections(optimizer: Optimizer, *betas: float) -> list[np.float32]:
    """``1 - beta ** (iterations + 1)`` for each beta, as float32 numpy scalars (Keras computes them in
    float32) from the optimizer's host-side step count: no kernels, no host sync."""
    step = np.float32(optimizer._host_updates() + 1)
    return [np.float32(1) - np.float32(beta) ** step for beta in betas]


def times_learning_rate(lr: float | torch.Tensor, factor: float) -> float | torch.Tensor:
    """``lr * factor`` in float32: a Python float for a constant rate (the same number before and after a
    state reload, which stores the rate in float32), a tensor for a scheduled one."""
    if isinstance(lr, float):
        return float(np.float32(lr) * np.float32(factor))
    return lr * float(factor)


@register_builtin("keras.optimizers")
class Adam(Optimizer):
    """Adam.

    ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)`` (``amsgrad`` uses the
    running maximum of ``v``); ``var -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)``.
    Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        beta_1: Float in ``[0, 1]``, the exponential decay rate of the 1st moment estimates.
            Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the exponential decay rate of the 2nd moment estimates.
            Defaults to ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability (added to ``sqrt(v)``, the
            "epsilon hat" of the paper). Defaults to ``1e-7``.
        amsgrad: Bool, whether to apply the AMSGrad variant (normalize by the running maximum of the 2nd
            moment estimates). Defaults to ``False``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is out of the range given above, or for an invalid base keyword.

    >>> model_weights = [torch.nn.Parameter(torch.zeros(3))]
    >>> optimizer = Adam(learning_rate=0.01, global_clipnorm=1.0)
    >>> optimizer.apply([torch.ones(3)], model_weights)
    >>> [round(x, 4) for x in model_weights[0].tolist()]
    [-0.01, -0.01, -0.01]
    """

    _config_keys = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_hyperparameter(beta_1, "beta_1", 0.0, 1.0, optional=False)
        self.beta_2 = check_hyperparameter(beta_2, "beta_2", 0.0, 1.0, optional=False)
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)
        self.amsgrad = bool(amsgrad)

    def _slot_blocks(self):
        return (("momentum", "velocity"),) + ((("velocity_hat",),) if self.amsgrad else ())

    def _step_scalars(self, lr):
        corrections = bias_corrections(self, self.beta_1, self.beta_2)
        return {"alpha": times_learning_rate(lr, np.sqrt(corrections[1]) / corrections[0])}

    def _update_step(self, params, grads, slots, scalars):
        momentums, velocities = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_mul_(velocities, self.beta_2)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - self.beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(slots["velocity_hat"], velocities)
            velocities = slots["velocity_hat"]
        denominators = torch._foreach_sqrt(velocities)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_div_(denominators, scalars["alpha"])
        torch._foreach_addcdiv_(params, momentums, denominators, value=-1)


@register_builtin("keras.optimizers")
class AdamW(Adam):
    """Adam with decoupled weight decay (``var -= var * weight_decay * lr`` before each update).

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        weight_decay: Float ``>= 0``, the decoupled weight decay rate; exempt variables (biases, norms)
            with :meth:`~kerastorch.optimizers.Optimizer.exclude_from_weight_decay`. Defaults to ``0.004``.
        beta_1: Float in ``[0, 1]``, the exponential decay rate of the 1st moment estimates.
            Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the exponential decay rate of the 2nd moment estimates.
            Defaults to ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        amsgrad: Bool, whether to apply the AMSGrad variant. Defaults to ``False``.
        **kwargs: The other :class:`~kerastorch.optimizers.Optimizer` keywords: clipping (``clipnorm``,
            ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``, ``ema_momentum``,
            ``ema_overwrite_frequency``), ``loss_scale_factor``, ``gradient_accumulation_steps`` and
            ``name``.

    Raises:
        ValueError: If ``weight_decay`` is None, a number is out of range, or for an invalid base keyword.

    >>> optimizer = AdamW(learning_rate=1e-3, weight_decay=0.004)
    >>> optimizer.exclude_from_weight_decay(var_names=["bias"])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(
            learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
