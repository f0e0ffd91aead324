"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients, Keras 3's formulation.

Example:
    >>> optimizer = Adagrad(learning_rate=0.01, initial_accumulator_value=0.1)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter, scaled_addcdiv_
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Adagrad(Optimizer):
    """Adagrad.

    ``accumulator += g**2`` (starting from ``initial_accumulator_value``);
    ``var -= lr * g / sqrt(accumulator + epsilon)``. Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        initial_accumulator_value: Float ``>= 0``, the starting value of the per-coordinate sums of
            squared gradients. Defaults to ``0.1``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-7``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If a number is negative, or for an invalid base keyword.

    >>> optimizer = Adagrad(learning_rate=0.1)
    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer.apply([torch.tensor([0.3])], [v])  # accumulator 0.1 + 0.09: 1 - 0.1 * 0.3 / sqrt(0.19)
    >>> round(v.item(), 4)
    0.9312
    """

    _config_keys = ("initial_accumulator_value", "epsilon")

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_hyperparameter(
            initial_accumulator_value, "initial_accumulator_value", optional=False
        )
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)

    def _slot_blocks(self):
        return (("accumulator",),)

    def _slot_initial_value(self, name):
        return self.initial_accumulator_value

    def _update_step(self, params, grads, slots, scalars):
        accumulators = slots["accumulator"]
        torch._foreach_addcmul_(accumulators, grads, grads)
        denominators = torch._foreach_add(accumulators, self.epsilon)
        torch._foreach_sqrt_(denominators)
        scaled_addcdiv_(params, grads, denominators, scalars["lr"])
