"""``Lion``: sign of an interpolated momentum (Chen et al., 2023), Keras 3's formulation.

Example:
    >>> optimizer = Lion(learning_rate=1e-4, weight_decay=0.01)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter, scaled_sub_
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Lion(Optimizer):
    """Lion (EvoLved Sign Momentum).

    ``var -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then ``m = beta_2 * m + (1 - beta_2) * g``.
    Use a learning rate 3-10x smaller than Adam's. Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        beta_1: Float in ``(0, 1]``, the interpolation factor between the momentum and the gradient
            that gives the update's sign. Defaults to ``0.9``.
        beta_2: Float in ``[0, 1]``, the decay rate of the momentum. Defaults to ``0.99``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If ``beta_1`` is not in ``(0, 1]``, ``beta_2`` not in ``[0, 1]``, or for an invalid
            base keyword.

    >>> optimizer = Lion(learning_rate=1e-4, beta_1=0.9, beta_2=0.99)
    >>> v = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
    >>> optimizer.apply([torch.tensor([3.0, -0.5])], [v])  # each coordinate moves by lr
    >>> [round(x, 4) for x in v.tolist()]
    [0.9999, 1.0001]
    """

    _config_keys = ("beta_1", "beta_2")

    def __init__(
        self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_hyperparameter(beta_1, "beta_1", 0.0, 1.0, low_open=True, optional=False)
        self.beta_2 = check_hyperparameter(beta_2, "beta_2", 0.0, 1.0, optional=False)

    def _slot_blocks(self):
        return (("momentum",),)

    def _update_step(self, params, grads, slots, scalars):
        momentums = slots["momentum"]
        directions = torch._foreach_lerp(momentums, grads, 1 - self.beta_1)
        torch._foreach_sign_(directions)
        scaled_sub_(params, directions, scalars["lr"])
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_2)
