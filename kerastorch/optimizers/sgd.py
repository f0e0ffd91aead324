"""``SGD``: gradient descent, optionally with (Nesterov) momentum, Keras 3's formulation.

Example:
    >>> optimizer = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter, scaled_sub_
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.optimizers")
class SGD(Optimizer):
    """Stochastic gradient descent.

    Takes the :class:`Optimizer` arguments (``weight_decay``, ``clipnorm`` ...) as keywords.
    Without momentum ``v -= lr * g``. With momentum ``m = momentum * m - lr * g``, then
    ``v += m`` (or ``v += momentum * m - lr * g`` when ``nesterov``).

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.01``.
        momentum: Float in ``[0, 1]``, the momentum that accelerates descent along consistent gradient
            directions and dampens oscillations; 0 is plain gradient descent (no momentum state).
            Defaults to ``0.0``.
        nesterov: Bool, whether to apply Nesterov momentum. Defaults to ``False``.
        **kwargs: Keywords of the :class:`~kerastorch.optimizers.Optimizer` base: ``weight_decay``,
            clipping (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), the moving average (``use_ema``,
            ``ema_momentum``, ``ema_overwrite_frequency``), ``loss_scale_factor``,
            ``gradient_accumulation_steps`` and ``name``.

    Raises:
        ValueError: If ``momentum`` is not in ``[0, 1]``, or for an invalid base keyword.

    >>> v = torch.nn.Parameter(torch.tensor([1.0]))
    >>> SGD(learning_rate=0.1).apply([torch.tensor([2.0])], [v])
    >>> v.tolist()
    [0.800000011920929]
    """

    _config_keys = ("momentum", "nesterov")

    def __init__(
        self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_hyperparameter(momentum, "momentum", 0.0, 1.0, optional=False)
        self.nesterov = bool(nesterov)

    def _slot_blocks(self):
        return (("momentum",),) if self.momentum else ()

    def _update_step(self, params, grads, slots, scalars):
        lr = scalars["lr"]
        if not self.momentum:
            scaled_sub_(params, grads, lr)
            return
        momentums = slots["momentum"]
        torch._foreach_mul_(momentums, self.momentum)
        scaled_sub_(momentums, grads, lr)  # m = momentum * m - lr * g
        if self.nesterov:
            torch._foreach_add_(params, momentums, alpha=self.momentum)
            scaled_sub_(params, grads, lr)
        else:
            torch._foreach_add_(params, momentums)
