"""``RMSNormalization``: scale each example by the reciprocal root mean square over ``axis``.

``outputs = x / sqrt(mean(x ** 2, axis) + epsilon) * scale``, with one learned ``scale`` (initialized to ones)
of the shape of the normalized axes. Trailing axes run ``torch.nn.functional.rms_norm`` (one fused kernel);
other axes use the formula. Half inputs are normalized in float32.

Example:
    >>> [round(v, 3) for v in RMSNormalization()(torch.tensor([[3.0, 4.0]]))[0].tolist()]
    [0.849, 1.131]
"""
import numbers

import torch
import torch.nn.functional as F

from kerastorch.layers.base import Layer
from kerastorch.layers.normalization._common import cast_weight, check_axes, label, positive_axes, upcast
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019); one weight, ``scale``."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axes(self, axis)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon < 0:
            raise ValueError(f"{label(self)}: epsilon must be a non-negative number, received epsilon={epsilon!r}")
        self.epsilon = epsilon
        self.supports_masking = True
        self.scale = None

    def build(self, input_shape):
        axes = positive_axes(self, self.axis, input_shape)
        ndim = len(input_shape)
        self.scale = self.add_weight(shape=tuple(input_shape[a] for a in axes), name="scale", initializer="ones",
                                     autocast=False)
        self._axes = axes
        self._trailing = axes == list(range(ndim - len(axes), ndim))
        self._broadcast_shape = [input_shape[a] if a in axes else 1 for a in range(ndim)]
        self.built = True

    def call(self, inputs):
        x = upcast(inputs)
        scale = cast_weight(self.scale, x.dtype)
        if self._trailing:
            outputs = F.rms_norm(x, tuple(scale.shape), scale, self.epsilon)
        else:
            outputs = x * torch.rsqrt(x.square().mean(dim=self._axes, keepdim=True) + self.epsilon)
            outputs = outputs * scale.reshape(self._broadcast_shape)
        return outputs.to(self._compute_torch_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
