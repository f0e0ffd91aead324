"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients, Keras 3's formulation.

Example:
    >>> optimizer = Adagrad(learning_rate=0.01, initial_accumulator_value=0.1)
"""
import torch

from kerastorch.optimizers.base import Optimizer, _check, scaled_addcdiv_
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.optimizers")
class Adagrad(Optimizer):
    """Adagrad.

    ``accumulator += g**2`` (starting from ``initial_accumulator_value``);
    ``var -= lr * g / sqrt(accumulator + epsilon)``. Takes the :class:`Optimizer` arguments as keywords.

    >>> optimizer = Adagrad(learning_rate=0.1)
    """

    _config_keys = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _check(initial_accumulator_value, "initial_accumulator_value",
                                                optional=False)
        self.epsilon = _check(epsilon, "epsilon", optional=False)

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
