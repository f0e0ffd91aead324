"""``LossScaleOptimizer``: dynamic loss scaling around another optimizer, for float16 training.

The loss is multiplied by a scale before the gradients are computed (:meth:`LossScaleOptimizer.scale_loss`,
which ``fit`` calls), so small float16 gradients do not underflow; :meth:`~LossScaleOptimizer.apply` divides
the gradients by the scale and hands them to the inner optimizer when they are all finite. A step with an
infinite or NaN gradient is skipped and the scale halved; after ``dynamic_growth_steps`` finite steps in a row
the scale doubles. Keras 3's arguments and config.

Example:
    >>> import torch
    >>> from kerastorch.optimizers import SGD
    >>> optimizer = LossScaleOptimizer(SGD(learning_rate=0.5), initial_scale=8.0)
    >>> weight = torch.nn.Parameter(torch.ones(2))
    >>> (optimizer.scale_loss(weight.sum())).backward()  # gradients of 8 * sum(weight)
    >>> optimizer.apply([weight.grad], [weight])
    >>> weight.detach(), float(optimizer.dynamic_scale)
    (tensor([0.5000, 0.5000]), 8.0)
    >>> optimizer.apply([torch.tensor([float("inf"), 1.0])], [weight])  # skipped, the scale halves
    >>> weight.detach(), float(optimizer.dynamic_scale)
    (tensor([0.5000, 0.5000]), 4.0)
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.optimizers.base import LearningRate, Optimizer
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["LossScaleOptimizer"]


@register_builtin("keras.optimizers")
class LossScaleOptimizer(Optimizer):
    """An optimizer that scales the loss dynamically and updates with ``inner_optimizer``.

    Args:
        inner_optimizer: a kerastorch :class:`~kerastorch.optimizers.Optimizer`, the one that updates.
        initial_scale: float, default ``2 ** 15``: the first loss scale.
        dynamic_growth_steps: int, default 2000: finite steps in a row after which the scale doubles.
        name: str or None: the optimizer's name.
        **kwargs: the base optimizer arguments Keras accepts here (they must keep their defaults: clipping and
            the rest belong to the inner optimizer).

    Raises:
        TypeError: when ``inner_optimizer`` is not a kerastorch optimizer.
        ValueError: for a non-positive ``initial_scale`` or ``dynamic_growth_steps``.
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer: inner_optimizer must be a kerastorch optimizer, received "
                f"{type(inner_optimizer).__name__}"
            )
        if not float(initial_scale) > 0:
            raise ValueError(f"LossScaleOptimizer: initial_scale must be positive, received {initial_scale!r}")
        if (
            isinstance(dynamic_growth_steps, bool)
            or not isinstance(dynamic_growth_steps, int)
            or dynamic_growth_steps < 1
        ):
            raise ValueError(
                f"LossScaleOptimizer: dynamic_growth_steps must be a positive int, received {dynamic_growth_steps!r}"
            )
        kwargs.pop("learning_rate", None)  # the inner optimizer's
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = dynamic_growth_steps
        self._dynamic_scale = torch.tensor(self.initial_scale)
        self._step_counter = torch.zeros((), dtype=torch.int64)

    # ------------------------------------------------------------------ the inner optimizer's
    @property
    def learning_rate(self) -> float | torch.Tensor:
        """The inner optimizer's learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if "inner_optimizer" in self.__dict__:  # the base constructor sets a placeholder first
            self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        """The inner optimizer's update count (skipped steps are not counted)."""
        return self.inner_optimizer.iterations

    @property
    def dynamic_scale(self) -> torch.Tensor:
        """The current loss scale (a 0-d float32 tensor)."""
        return self._dynamic_scale

    def build(self, variables: Iterable[torch.Tensor]) -> None:
        """Build the inner optimizer for ``variables``."""
        self.inner_optimizer.build(variables)
        self.built = True

    # ----------------------------------------------------------------------------- stepping
    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """``loss * dynamic_scale``: the loss to differentiate."""
        return loss * self._dynamic_scale.to(loss.device)

    def apply(
        self, grads: Iterable[torch.Tensor | None], trainable_variables: Iterable[torch.Tensor] | None = None
    ) -> None:
        """Unscale ``grads`` and apply them with the inner optimizer when all are finite; otherwise skip the
        step and halve the scale (one host read per step)."""
        grads = list(grads)
        if not self.built and trainable_variables is not None:
            self.build(list(trainable_variables))
        present = [g for g in grads if g is not None]
        with torch.no_grad():
            finite = bool(torch.stack([torch.isfinite(g).all() for g in present]).all()) if present else True
            if not finite:
                self._dynamic_scale /= 2
                self._step_counter.zero_()
                return
            inverse = 1.0 / self._dynamic_scale
            unscaled = [None if g is None else g * inverse.to(g.device, g.dtype) for g in grads]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        with torch.no_grad():
            self._step_counter += 1
            if int(self._step_counter) >= self.dynamic_growth_steps:
                self._dynamic_scale *= 2
                self._step_counter.zero_()

    def finalize_variable_values(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """The inner optimizer's (moving averages)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    # -------------------------------------------------------------------------------- state
    def _state_items(self):
        yield "step_counter", self._step_counter
        yield "dynamic_scale", self._dynamic_scale
        for key, tensor in self.inner_optimizer._state_items():
            yield f"inner_optimizer/{key}", tensor

    def load_state_dict(self, state: Mapping[str, TensorLike]) -> None:
        """Restore :meth:`state_dict` output: the scale, its counter and the inner optimizer's state."""
        state = dict(state)
        with torch.no_grad():
            for key, tensor in (("step_counter", self._step_counter), ("dynamic_scale", self._dynamic_scale)):
                if key not in state:
                    raise ValueError(f"Optimizer '{self.name}'.load_state_dict: missing key {key!r}")
                tensor.copy_(torch.as_tensor(state.pop(key)))
        prefix = "inner_optimizer/"
        self.inner_optimizer.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: the inner optimizer serialized, the scale arguments."""
        return {
            "name": self.name,
            "inner_optimizer": serialize_keras_object(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    def __repr__(self) -> str:
        return f"<LossScaleOptimizer name={self.name}, inner_optimizer={self.inner_optimizer!r}>"

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LossScaleOptimizer:
        """Rebuild from :meth:`get_config` output (Keras 3's too)."""
        config = dict(config)
        inner = deserialize_keras_object(
            config.pop("inner_optimizer"), custom_objects=custom_objects, printable_module_name="optimizer"
        )
        return cls(inner, **config)
