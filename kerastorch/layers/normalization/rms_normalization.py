"""``RMSNormalization``: scale each example by the reciprocal root mean square over ``axis``.

``outputs = x / sqrt(mean(x ** 2, axis) + epsilon) * scale``, with one learned ``scale`` (initialized to ones)
of the shape of the normalized axes. Trailing axes run ``torch.nn.functional.rms_norm`` (one fused kernel);
other axes use the formula. Half inputs are normalized in float32.

Example:
    >>> [round(v, 3) for v in RMSNormalization()(torch.tensor([[3.0, 4.0]]))[0].tolist()]
    [0.849, 1.131]
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.normalization._common import (
    build_normalized_axes,
    cast_weight,
    check_axes,
    check_epsilon,
    upcast,
)
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019); one weight, ``scale``.

    ``outputs = x / sqrt(mean(x ** 2, axis) + epsilon) * scale``, with ``scale`` (initialized to ones) of
    the shape of the normalized axes. Masks pass through unchanged.

    Args:
        axis: int or list of ints, default -1: the axis or axes to normalize over.
        epsilon: float, default 1e-6: a non-negative number added to the mean square.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape, with known sizes on ``axis``.

    Output shape:
        The same shape as the inputs.

    Raises:
        TypeError: an ``axis`` that is not an int or a list of ints.
        ValueError: an empty ``axis`` list or a negative ``epsilon``; when building, an axis out of range,
            repeated or of unknown size.

    >>> RMSNormalization()(torch.ones(2, 3)).shape
    torch.Size([2, 3])
    """

    _preserves_shape = True
    # Set in build by build_normalized_axes:
    _axes: list[int]
    _trailing: bool
    _broadcast_shape: list[int]

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_axes(self, axis)
        self.epsilon = check_epsilon(self, epsilon)
        self.supports_masking = True
        self.scale: Variable | None = None

    def build(self, input_shape: Sequence[int | None]) -> None:
        shape = build_normalized_axes(self, input_shape)
        self.scale = self.add_weight(shape=shape, name="scale", initializer="ones", autocast=False)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = upcast(inputs)
        scale = cast_weight(self.scale, x.dtype)
        if self._trailing:
            outputs = F.rms_norm(x, tuple(scale.shape), scale, self.epsilon)
        else:
            outputs = x * torch.rsqrt(x.square().mean(dim=self._axes, keepdim=True) + self.epsilon)
            outputs = outputs * scale.reshape(self._broadcast_shape)
        return outputs.to(self._compute_torch_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
