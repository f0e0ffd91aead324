"""``ActivityRegularization``: the identity, plus an L1/L2 penalty on its output in ``layer.losses``.

The penalty ``(l1 * sum(|y|) + l2 * sum(y**2)) / batch_size`` is added on every call
(training or not, as in Keras 3) by the base Layer's activity-regularizer hook; a
model's training loss includes it.

Example:
    >>> import torch
    >>> layer = ActivityRegularization(l1=0.5)
    >>> _ = layer(torch.ones(2, 3))
    >>> layer.losses
    [tensor(1.5000)]
"""

from __future__ import annotations

from typing import Any

from kerastorch import regularizers
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class ActivityRegularization(Layer):
    """Returns its input unchanged and records ``l1``/``l2`` activity penalties (see the module docstring).

    Args:
        l1: float, default 0.0: the L1 factor, non-negative.
        l2: float, default 0.0: the L2 factor, non-negative.
        **kwargs: base layer arguments (``name``, ``dtype``...); ``activity_regularizer`` is refused.

    Input shape:
        Any shape, with the batch as the first axis (the penalty is divided by its size).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a negative or non-numeric ``l1``/``l2``, or an ``activity_regularizer`` argument.

    Example:

    >>> import torch
    >>> ActivityRegularization(l2=0.1)(torch.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        regularizer = kwargs.pop("activity_regularizer", None)
        super().__init__(**kwargs)
        if regularizer is not None:
            raise ValueError(
                f"{layer_label(self)}: the activity regularizer is set from l1 and l2, received "
                f"activity_regularizer={regularizer!r}"
            )
        try:
            self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)
        except ValueError as error:
            raise ValueError(
                f"{layer_label(self)}: l1 and l2 must be non-negative numbers, received l1={l1!r}, l2={l2!r}"
            ) from error
        self.l1, self.l2 = l1, l2
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
