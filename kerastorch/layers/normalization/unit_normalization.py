"""``UnitNormalization``: scale each example to unit L2 norm over ``axis`` (one axis or several):
``x / max(||x||, 1e-12)``, as Keras's ``ops.normalize``.

Example:
    >>> UnitNormalization()(torch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from kerastorch.layers.base import Layer
from kerastorch.layers.normalization._common import check_axes, positive_axes, upcast
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class UnitNormalization(Layer):
    """L2-normalizes the inputs over ``axis``; no weights.

    ``outputs = x / max(||x||, 1e-12)``, the norm taken over ``axis`` for each example. Masks pass
    through unchanged.

    Args:
        axis: int or list of ints, default -1: the axis or axes the norm is taken over.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        TypeError: an ``axis`` that is not an int or a list of ints.
        ValueError: an empty ``axis`` list; when building, an axis out of range, repeated or of unknown
            size.

    >>> UnitNormalization(axis=[1, 2])(torch.full((1, 2, 2), 3.0)).tolist()
    [[[0.5, 0.5], [0.5, 0.5]]]
    """

    _preserves_shape = True

    def __init__(self, axis: int | Sequence[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_axes(self, axis)
        self.supports_masking = True

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._axes = positive_axes(self, self.axis, input_shape)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = upcast(inputs)
        norm = torch.linalg.vector_norm(x, ord=2, dim=self._axes, keepdim=True)
        return (x / norm.clamp_min(1e-12)).to(self._compute_torch_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["axis"] = self.axis
        return config
