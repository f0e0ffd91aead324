"""The backward pass and weight update of one training step.

``make_optimizer_step(model)`` fixes, for one ``fit``, the list of trainable
parameters and returns ``step(loss)``: clear gradients, backpropagate, and hand the
gradients to the compiled optimizer in one multi-tensor update. A
``torch.optim.Optimizer`` given to ``compile`` runs its own ``step()``. Under the
``mixed_float16`` policy the loss is scaled dynamically (see :class:`LossScale`).

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    >>> step = make_optimizer_step(model)
    >>> loss = model(torch.ones(1, 2)).sum()  # its gradient is 1 for each kernel entry
    >>> step(loss)
    >>> model.layers[0].kernel.numpy(), int(model.optimizer.iterations)
    (array([[0.9],
           [0.9]], dtype=float32), 1)
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Callable, Sequence

import torch

from kerastorch import dtype_policies
from kerastorch.backend.torch_internals import unscale_and_check_finite
from kerastorch.distribution.training import agree_on_overflow

if TYPE_CHECKING:
    from kerastorch.models.model import Model


class LossScale:
    """Dynamic loss scaling for float16: multiply the loss before backward, unscale the
    gradients, skip the step and halve the scale on overflow, double it after
    ``growth_interval`` clean steps (Keras's LossScaleOptimizer defaults)."""

    def __init__(self, initial_scale: float = 2.0**15, growth_interval: int = 2000) -> None:
        self.scale = torch.tensor(float(initial_scale))
        self.growth_interval = growth_interval
        self.clean_steps = 0

    def backward(self, loss: torch.Tensor) -> None:
        (loss * self.scale.to(loss.device)).backward()

    def unscale(self, grads: Sequence[torch.Tensor | None]) -> bool:
        """Unscale ``grads`` in place; True when they are all finite (one host sync)."""
        device_grads = [g for g in grads if g is not None]
        if not device_grads:
            return True
        found_inf = torch.zeros((), device=device_grads[0].device)
        inverse = (1.0 / self.scale).to(device_grads[0].device)
        unscale_and_check_finite(device_grads, found_inf, inverse)
        agree_on_overflow(found_inf)  # data-parallel training: every process skips the same steps
        finite = not bool(found_inf)
        if finite:
            self.clean_steps += 1
            if self.clean_steps >= self.growth_interval:
                self.scale *= 2
                self.clean_steps = 0
        else:
            self.scale /= 2
            self.clean_steps = 0
        return finite


def make_optimizer_step(model: Model) -> Callable[[torch.Tensor], None]:
    """``step(loss)`` for ``model``'s compiled optimizer and current trainable weights."""
    optimizer = model.optimizer
    if isinstance(optimizer, torch.optim.Optimizer):

        def torch_step(loss):
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

        return torch_step

    params = model.trainable_weights
    if not params:  # Keras trains on: the losses are still computed and logged, nothing is updated
        warnings.warn(
            f'Model "{model.name}" does not have any trainable weights (every layer is frozen, or '
            "the model has no weights): fit computes the loss but changes nothing.",
            stacklevel=3,
        )
        return lambda loss: None
    scaler = (
        LossScale()
        if dtype_policies.global_policy().name == "mixed_float16" and not hasattr(optimizer, "dynamic_scale")
        else None
    )  # a LossScaleOptimizer scales the loss itself

    def step(loss):
        for p in params:
            p.grad = None
        if scaler is None:
            optimizer.scale_loss(loss).backward()  # loss_scale_factor, LossScaleOptimizer; apply() unscales
            optimizer.apply([p.grad for p in params], params)
            return
        scaler.backward(loss)
        grads = [p.grad for p in params]
        if scaler.unscale(grads):
            optimizer.apply(grads, params)

    return step
