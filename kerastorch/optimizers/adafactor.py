"""``Adafactor``: adaptive steps with factored second moments (Shazeer & Stern, 2018), Keras 3's formulation.

Example:
    >>> optimizer = Adafactor(learning_rate=1e-2, clip_threshold=1.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Adafactor(Optimizer):
    """Adafactor: an Adam-like step whose second moments of a matrix are kept as row and column means.

    At step ``t``, with ``g2 = g**2 + epsilon_1`` and the decay ``beta_t = 1 - t**beta_2_decay``, a
    variable of rank 2 or more keeps the running means of ``g2`` over its last axis (``r``, the shape
    without the last axis) and over its second-to-last axis (``c``); its second moment estimate is
    ``v = (r / mean(r, -1))[..., None] * c[..., None, :]``. Variables of rank 0 or 1 keep the full
    running mean ``v`` of ``g2``. The step is ``u = g / sqrt(v)``, clipped to RMS ``clip_threshold``:
    ``var -= max(epsilon_2, rms(var)) * min(lr, 1 / sqrt(t)) * u / max(1, rms(u) / clip_threshold)``.
    The factored moments cost memory proportional to rows plus columns, not their product.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. It is capped at
            ``1 / sqrt(t)``. Defaults to ``0.001``.
        beta_2_decay: Float, the exponent of the second moment decay ``1 - t**beta_2_decay``.
            Defaults to ``-0.8``.
        epsilon_1: Float ``>= 0``, added to the squared gradients to keep the denominator away from 0.
            Defaults to ``1e-30``.
        epsilon_2: Float ``>= 0``, the smallest weight RMS the step is scaled by, so that the steps of
            weights near 0 do not vanish. Defaults to ``1e-3``.
        clip_threshold: Float ``> 0``, the largest RMS of the unscaled update ``u`` (Adafactor's own
            clipping, independent of ``clipnorm``, ``clipvalue`` and ``global_clipnorm``).
            Defaults to ``1.0``.
        relative_step: Bool, whether a constant learning rate decays as ``min(lr, 1 / sqrt(t))``. Keras
            3.15 applies that cap in every case, so this flag only travels in the config.
            Defaults to ``True``.
        **kwargs: The :class:`~kerastorch.optimizers.Optimizer` keywords (``weight_decay``,
            ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
            ``ema_overwrite_frequency``, ``loss_scale_factor``, ``gradient_accumulation_steps``,
            ``name``).

    Reference:
        - [Shazeer & Stern, 2018](https://arxiv.org/abs/1804.04235)

    >>> kernel = torch.nn.Parameter(torch.ones(4, 3))
    >>> optimizer = Adafactor(learning_rate=0.1)
    >>> optimizer.apply([torch.ones(4, 3)], [kernel])
    >>> [round(x, 4) for x in kernel[0].tolist()]  # each moved by rms(kernel) * lr * u, with u = 1
    [0.9, 0.9, 0.9]
    >>> {key: tuple(value.shape) for key, value in optimizer.state_dict().items()}
    {'iterations': (), 'learning_rate': (), '0/r': (4,), '0/c': (3,), '0/velocity': (4, 3)}
    """

    _config_keys = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = check_hyperparameter(beta_2_decay, "beta_2_decay", low=-math.inf, optional=False)
        self.epsilon_1 = check_hyperparameter(epsilon_1, "epsilon_1", optional=False)
        self.epsilon_2 = check_hyperparameter(epsilon_2, "epsilon_2", optional=False)
        self.clip_threshold = check_hyperparameter(clip_threshold, "clip_threshold", low_open=True, optional=False)
        self.relative_step = bool(relative_step)

    def _slot_blocks(self):
        return (("r", "c", "velocity"),)

    def _slot_shape(self, name, variable):
        shape = tuple(variable.shape)
        if name == "velocity":
            return shape
        if len(shape) < 2:
            return ()  # a placeholder, as in Keras (its variables line up with Keras's)
        return shape[:-1] if name == "r" else shape[:-2] + shape[-1:]

    def _step_scalars(self, lr):
        step = np.float32(self._host_updates() + 1)
        cap = np.float32(1) / np.sqrt(step)
        rho = float(min(np.float32(lr), cap)) if isinstance(lr, float) else torch.clamp_max(lr, float(cap))
        beta = np.float32(1) - step ** np.float32(self.beta_2_decay)
        return {"rho": rho, "moment_weight": float(np.float32(1) - beta)}

    def _update_moments(self, params, squares, slots, weight):
        """The second moment estimates ``v`` of this step, from the squared gradients ``squares``."""
        velocities = slots["velocity"]
        full = [i for i, p in enumerate(params) if p.dim() < 2]
        if full:
            torch._foreach_lerp_([velocities[i] for i in full], [squares[i] for i in full], weight)
        for i, p in enumerate(params):
            if p.dim() >= 2:
                rows, columns = slots["r"][i], slots["c"][i]
                rows.lerp_(squares[i].mean(-1), weight)
                columns.lerp_(squares[i].mean(-2), weight)
                velocities[i].copy_((rows / rows.mean(-1, keepdim=True)).unsqueeze(-1) * columns.unsqueeze(-2))
        return velocities

    def _update_step(self, params, grads, slots, scalars):
        squares = torch._foreach_mul(grads, grads)
        torch._foreach_add_(squares, self.epsilon_1)
        velocities = self._update_moments(params, squares, slots, scalars["moment_weight"])
        directions = torch._foreach_div(grads, torch._foreach_sqrt(velocities))
        roots = [math.sqrt(max(p.numel(), 1)) for p in params]
        weight_rms = torch._foreach_norm(params)
        direction_rms = torch._foreach_norm(directions)
        torch._foreach_div_(weight_rms, roots)
        torch._foreach_div_(direction_rms, roots)
        clipping = torch.stack(direction_rms).div_(self.clip_threshold).clamp_min_(1.0)
        sizes = torch.stack(weight_rms).clamp_min_(self.epsilon_2).mul_(scalars["rho"]).div_(clipping)
        torch._foreach_mul_(directions, sizes.unbind())
        torch._foreach_sub_(params, directions)
