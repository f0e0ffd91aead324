"""``Rescaling``: ``inputs * scale + offset``, with scalar or per-channel ``scale``/``offset``.

Per-channel values broadcast over the channels axis: the last axis, or (when ``keras.config``'s
``image_data_format()`` is ``channels_first``, as in Keras) the axis third from the end. Keras 3 reshapes only
``scale`` for channels-first; kerastorch reshapes ``offset`` the same way. The constants are made once per
device and dtype, not per call. Integer inputs are cast to the layer's float compute dtype.

Example:
    >>> Rescaling(1 / 255)(torch.full((1, 2), 255.0))
    tensor([[1., 1.]])
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np
import torch

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin


def _standard(layer, name, value):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        values = value.tolist() if hasattr(value, "tolist") else list(value)
        if values and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            return [float(v) for v in values]
    raise ValueError(
        f"{layer_label(layer)}: {name} must be a number or a list of numbers (one per channel), "
        f"received {name}={value!r}"
    )


@register_builtin("keras.layers")
class Rescaling(Layer):
    """Multiplies the inputs by ``scale`` and adds ``offset``.

    Integer inputs are cast to the layer's compute dtype (float32 by default) first.

    Args:
        scale: float or list of floats: the factor, or one factor per channel (broadcast over the last axis;
            over axis -3 when ``image_data_format()`` is ``"channels_first"``).
        offset: float or list of floats, default 0.0: the value added after scaling, one number or one per
            channel (broadcast like ``scale``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any shape (with as many channels as a per-channel ``scale``/``offset`` has entries).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``scale`` or ``offset`` that is neither a number nor a non-empty list of numbers.

    Example:

    >>> Rescaling(scale=[1.0, 2.0], offset=-1.0)(torch.ones(2, 2))
    tensor([[0., 1.],
            [0., 1.]])
    """

    _preserves_shape = True

    def __init__(
        self,
        scale: float | Sequence[float] | np.ndarray | torch.Tensor,
        offset: float | Sequence[float] | np.ndarray | torch.Tensor = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scale = _standard(self, "scale", scale)
        self.offset = _standard(self, "offset", offset)
        self.supports_masking = True
        self._constants: dict[Any, torch.Tensor] = {}

    def _constant(self, value, dtype, device):
        if isinstance(value, float):
            return value
        key = (id(value), dtype, device)
        tensor = self._constants.get(key)
        if tensor is None:
            tensor = torch.tensor(value, dtype=dtype, device=device)
            if kconfig.image_data_format() == "channels_first":
                tensor = tensor.view(-1, 1, 1)
            self._constants[key] = tensor
        return tensor

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if not inputs.is_floating_point():
            inputs = inputs.to(self._compute_torch_dtype)
        scale = self._constant(self.scale, inputs.dtype, inputs.device)
        offset = self._constant(self.offset, inputs.dtype, inputs.device)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
