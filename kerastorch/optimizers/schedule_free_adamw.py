"""``ScheduleFreeAdamW``: Schedule-Free AdamW (Defazio et al., 2024), Keras 3's arguments and state.

Schedule-Free learning replaces the learning rate schedule by interpolation and averaging of three sequences:
``z`` (the ``momentum`` slot) takes Adam-normalised gradient steps, ``x`` is the running uniform average of
the ``z`` iterates, and the model's variable holds ``y = (1 - beta_1) * z + beta_1 * x``, the point where the
gradients are computed. Keras stores ``y`` and ``z`` only (``x`` follows from them), and so does this class.

Decisions recorded here:

- The update is the one Keras 3 writes in ``update_step`` (and runs on its JAX and TensorFlow backends), with
  ``x`` recovered from the ``y`` and ``z`` *before* the step. Keras 3.15's torch backend reads its ``z`` after
  the in-place update instead, which makes ``beta_1`` cancel out (the variable then holds the plain average
  ``x``); kerastorch does not copy that: ``beta_1`` matters here. With ``beta_1=1`` the two coincide exactly,
  which the parity tests use.
- Train and evaluation weights: Keras evaluates and saves the ``y`` weights (no ``finalize_variable_values``
  of its own, no callback), and so does ``fit`` here; with ``use_ema`` the moving average replaces them at
  the end of ``fit`` as for every optimizer.

Example:
    >>> optimizer = ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.optimizers.adam import bias_corrections, times_learning_rate
from kerastorch.optimizers.adamax import AdaptiveMomentOptimizer
from kerastorch.optimizers.base import LearningRate
from kerastorch.serialization.object_registration import register_builtin

__all__ = ["ScheduleFreeAdamW"]


@register_builtin("keras.optimizers")
class ScheduleFreeAdamW(AdaptiveMomentOptimizer):
    """Schedule-Free AdamW: no learning rate schedule, an averaged iterate instead.

    At step ``t`` (1-based) with learning rate ``lr_t = lr * min(t / warmup_steps, 1)`` (``lr`` without
    warmup when ``warmup_steps=0``), the variable ``y`` and its ``momentum`` slot ``z`` move as::

        v = beta_2 * v + (1 - beta_2) * g**2
        x = (y - (1 - beta_1) * z) / beta_1                    # the average, before the step
        z = z - lr_t * g / (sqrt(v / (1 - beta_2**t)) + epsilon)
        x = (1 - 1/t) * x + (1/t) * z
        y = (1 - beta_1) * z + beta_1 * x

    ``z`` starts as a copy of the variable. Decoupled weight decay (``weight_decay``) shrinks ``y`` by
    ``lr * weight_decay`` before each step, as in every Keras optimizer.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.0025``.
        beta_1: Float in ``[0, 1]``: the interpolation weight of the average ``x`` in ``y``. Defaults to
            ``0.9``.
        beta_2: Float in ``[0, 1]``: the exponential decay rate of the 2nd moment estimates. Defaults to
            ``0.999``.
        epsilon: Float ``>= 0``, a small constant for numerical stability. Defaults to ``1e-8``.
        warmup_steps: Int ``>= 0``: the learning rate rises linearly from ``lr / warmup_steps`` to ``lr``
            over the first ``warmup_steps`` steps; ``0`` for no warmup. Defaults to ``0``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: for a beta outside ``[0, 1]``, a negative ``epsilon`` or a ``warmup_steps`` that is not
            an int ``>= 0``.

    References:
        - [Defazio et al., 2024](https://arxiv.org/abs/2405.15682)

    >>> weights = [torch.nn.Parameter(torch.zeros(2))]
    >>> optimizer = ScheduleFreeAdamW(learning_rate=0.1, beta_1=0.5)
    >>> for _ in range(2):
    ...     optimizer.apply([torch.tensor([1.0, -1.0])], weights)
    >>> weights[0].detach()  # z = -0.2 * sign(g), x = -0.15 * sign(g), y = (z + x) / 2
    tensor([-0.1750,  0.1750])
    """

    _config_keys = ("beta_1", "beta_2", "epsilon", "warmup_steps")

    def __init__(
        self,
        learning_rate: LearningRate = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **kwargs)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, (int, np.integer)) or warmup_steps < 0:
            raise ValueError(
                f"Argument `warmup_steps` must be an integer >= 0. Received: warmup_steps={warmup_steps!r}"
            )
        self.warmup_steps = int(warmup_steps)

    def _slot_blocks(self):
        return (("momentum", "velocity"),)

    def _new_slot(self, name, variable):
        if name == "momentum":  # z starts at the variable
            return variable.detach().clone(memory_format=torch.preserve_format)
        return super()._new_slot(name, variable)

    def _step_scalars(self, lr):
        step = np.float32(self._host_updates() + 1)
        if self.warmup_steps:
            lr = times_learning_rate(lr, min(step / np.float32(self.warmup_steps), np.float32(1)))
        weight = np.float32(1) / step
        return {
            "lr": lr,
            "correction_2": float(bias_corrections(self, self.beta_2)[0]),
            "average_weight": float(weight),
            "y_step": float((np.float32(1) - np.float32(self.beta_1)) * (np.float32(1) - weight)),
        }

    def _update_step(self, params, grads, slots, scalars):
        momentums, velocities = slots["momentum"], slots["velocity"]
        # 1 - beta_2 in float32, as Keras computes it (the bias correction's rounding then cancels at step 1)
        torch._foreach_lerp_(
            velocities, torch._foreach_mul(grads, grads), float(np.float32(1) - np.float32(self.beta_2))
        )
        denominators = torch._foreach_div(velocities, scalars["correction_2"])
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        steps = torch._foreach_mul(grads, scalars["lr"])
        torch._foreach_div_(steps, denominators)  # lr * g / denominator
        torch._foreach_sub_(momentums, steps)
        # y = (1 - beta_1) z + beta_1 x with x = lerp(x_old, z, w), x_old = (y - (1 - beta_1) z_old) / beta_1
        # and z_old = z + step: y = lerp(y, z, w) - (1 - beta_1)(1 - w) step (no division by beta_1)
        torch._foreach_lerp_(params, momentums, scalars["average_weight"])
        torch._foreach_add_(params, steps, alpha=-scalars["y_step"])
