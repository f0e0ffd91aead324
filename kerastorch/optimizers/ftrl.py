"""``Ftrl``: Follow The Regularized Leader (McMahan et al., 2013), Keras 3's formulation.

Example:
    >>> optimizer = Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Ftrl(Optimizer):
    """FTRL-Proximal, with L1, L2 and L2-shrinkage regularization.

    With ``p = -learning_rate_power``: ``g' = g + 2 * l2_shrinkage * var``;
    ``n' = n + g²``; ``linear += g' - (n'**p - n**p) / lr * var``;
    ``var = (clip(linear, -l1, l1) - linear) / (n'**p / lr + 2 * l2 + beta / lr)``; ``n = n'``.
    Takes the :class:`Optimizer` arguments as keywords.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        learning_rate_power: Float ``<= 0``, how the per-coordinate learning rate falls as the
            accumulated squared gradients grow; 0 keeps it fixed. Defaults to ``-0.5``.
        initial_accumulator_value: Float ``>= 0``, the starting value of the accumulators.
            Defaults to ``0.1``.
        l1_regularization_strength: Float ``>= 0``, the L1 regularization strength (it drives small
            weights to exactly 0). Defaults to ``0.0``.
        l2_regularization_strength: Float ``>= 0``, the L2 regularization strength (stabilization
            penalty). Defaults to ``0.0``.
        l2_shrinkage_regularization_strength: Float ``>= 0``, an L2 penalty added to the gradient
            (magnitude penalty), unlike ``l2_regularization_strength``. Defaults to ``0.0``.
        beta: Float ``>= 0``, the ``beta`` of the FTRL-Proximal paper (added as ``beta / lr`` to the
            quadratic term). Defaults to ``0.0``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If ``learning_rate_power`` is positive, another number is negative, or for an invalid
            base keyword.

    >>> optimizer = Ftrl(learning_rate=0.1, l1_regularization_strength=0.5)
    >>> v = torch.nn.Parameter(torch.tensor([0.0, 0.0]))
    >>> optimizer.apply([torch.tensor([0.2, 2.0])], [v])
    >>> [round(x, 4) for x in v.tolist()]  # the small gradient's weight stays at exactly 0
    [0.0, -0.0741]
    """

    _config_keys = (
        "learning_rate_power",
        "initial_accumulator_value",
        "l1_regularization_strength",
        "l2_regularization_strength",
        "l2_shrinkage_regularization_strength",
        "beta",
    )

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not learning_rate_power <= 0:
            raise ValueError(
                f"Argument `learning_rate_power` must be <= 0. Received: learning_rate_power={learning_rate_power}"
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = check_hyperparameter(
            initial_accumulator_value, "initial_accumulator_value", optional=False
        )
        self.l1_regularization_strength = check_hyperparameter(
            l1_regularization_strength, "l1_regularization_strength", optional=False
        )
        self.l2_regularization_strength = check_hyperparameter(
            l2_regularization_strength, "l2_regularization_strength", optional=False
        )
        self.l2_shrinkage_regularization_strength = check_hyperparameter(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", optional=False
        )
        self.beta = check_hyperparameter(beta, "beta", optional=False)

    def _slot_blocks(self):
        return (("accumulator", "linear"),)

    def _slot_initial_value(self, name):
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def _step_scalars(self, lr):
        beta_term = self.beta / lr if self.beta else 0.0
        return {"lr": lr, "l2_term": 2 * self.l2_regularization_strength + beta_term}

    def _update_step(self, params, grads, slots, scalars):
        accumulators, linears = slots["accumulator"], slots["linear"]
        power, lr, l1 = -self.learning_rate_power, scalars["lr"], self.l1_regularization_strength
        shrinkage = self.l2_shrinkage_regularization_strength
        old_powers = torch._foreach_pow(accumulators, power)
        torch._foreach_addcmul_(accumulators, grads, grads)
        new_powers = torch._foreach_pow(accumulators, power)
        sigmas = torch._foreach_sub(new_powers, old_powers)
        torch._foreach_div_(sigmas, lr)
        torch._foreach_add_(linears, grads)
        if shrinkage:
            torch._foreach_add_(linears, params, alpha=2 * shrinkage)
        torch._foreach_addcmul_(linears, sigmas, params, value=-1)
        torch._foreach_div_(new_powers, lr)
        torch._foreach_add_(new_powers, scalars["l2_term"])  # the quadratic term
        numerators = torch._foreach_clamp_min(linears, -l1)
        torch._foreach_clamp_max_(numerators, l1)
        torch._foreach_sub_(numerators, linears)
        torch._foreach_div_(numerators, new_powers)
        torch._foreach_copy_(params, numerators)
