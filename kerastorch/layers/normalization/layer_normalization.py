"""``LayerNormalization``: normalize each example over ``axis`` (one axis or several).

When the normalized axes are the trailing axes of the input, ``torch.nn.functional.layer_norm`` does the
work (one fused kernel); other axes use the direct formula with the mean and biased variance. Half inputs
are normalized in float32, as Keras does. ``rms_scaling=True`` is Keras's deprecated option (kept for
parity): it divides by the square root of the *variance* and scales by ``gamma`` only.

Example:
    >>> LayerNormalization()(torch.randn(2, 5)).shape
    torch.Size([2, 5])
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier
from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import InitializerLike
from kerastorch.layers.normalization._common import (
    add_scale_offset,
    build_normalized_axes,
    cast_weight,
    check_axes,
    check_epsilon,
    init_scale_offset,
    layer_label,
    scale_offset_config,
    upcast,
)
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class LayerNormalization(Layer):
    """Layer normalization; weights ``gamma`` (if ``scale`` or ``rms_scaling``) then ``beta`` (if
    ``center`` and not ``rms_scaling``), each of the shape of the normalized axes.

    Each example is normalized over ``axis`` with its own mean and biased variance:
    ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``. Half-precision inputs are normalized in
    float32. Masks pass through unchanged.

    Args:
        axis: int or list of ints, default -1: the axis or axes to normalize over.
        epsilon: float, default 1e-3: a non-negative number added to the variance.
        center: bool, default True: whether to learn the offset ``beta``.
        scale: bool, default True: whether to learn the scale ``gamma``.
        rms_scaling: bool, default False: Keras's deprecated option (it warns): divide by
            ``sqrt(variance + epsilon)`` without centering and multiply by ``gamma`` only.
        beta_initializer: str or initializer, default ``"zeros"``: the initializer of ``beta``.
        gamma_initializer: str or initializer, default ``"ones"``: the initializer of ``gamma``.
        beta_regularizer: str, regularizer or None, default None: a penalty on ``beta``.
        gamma_regularizer: str, regularizer or None, default None: a penalty on ``gamma``.
        beta_constraint: str, constraint or None, default None: a constraint applied to ``beta`` after each
            optimizer update.
        gamma_constraint: str, constraint or None, default None: a constraint applied to ``gamma`` after
            each optimizer update.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape, with known sizes on ``axis``.

    Output shape:
        The same shape as the inputs.

    Raises:
        TypeError: an ``axis`` that is not an int or a list of ints.
        ValueError: an empty ``axis`` list, a negative ``epsilon``, a non-bool ``center`` or ``scale``;
            when building, an axis out of range, repeated or of unknown size.

    >>> LayerNormalization(epsilon=1e-6)(torch.tensor([[0.0, 2.0]])).round().tolist()
    [[-1.0, 1.0]]
    """

    _preserves_shape = True

    # Created in build (None until then, or when not used):
    gamma: Variable | None
    beta: Variable | None
    # Set in build by build_normalized_axes:
    _axes: list[int]
    _trailing: bool
    _broadcast_shape: list[int]

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer: InitializerLike = "zeros",
        gamma_initializer: InitializerLike = "ones",
        beta_regularizer: Identifier = None,
        gamma_regularizer: Identifier = None,
        beta_constraint: Identifier = None,
        gamma_constraint: Identifier = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = check_axes(self, axis)
        check_epsilon(self, epsilon)
        if rms_scaling:
            warnings.warn(
                f"{layer_label(self)}: rms_scaling=True is deprecated in Keras 3 (it scales by the variance, "
                "not the root mean square)",
                stacklevel=2,
            )
        self.epsilon = epsilon
        self.center = validation.boolean(layer_label(self), "center", center)
        self.scale = validation.boolean(layer_label(self), "scale", scale)
        self.rms_scaling = bool(rms_scaling)
        init_scale_offset(
            self,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape: Sequence[int | None]) -> None:
        shape = build_normalized_axes(self, input_shape)
        add_scale_offset(self, shape, self.scale or self.rms_scaling, self.center and not self.rms_scaling)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = upcast(inputs)
        dtype = x.dtype
        gamma, beta = cast_weight(self.gamma, dtype), cast_weight(self.beta, dtype)
        axes = self._axes
        if self.rms_scaling:
            variance = torch.var(x, dim=axes, keepdim=True, correction=0)
            outputs = x * torch.rsqrt(variance + self.epsilon)
            if gamma is not None:
                outputs = outputs * gamma.reshape(self._broadcast_shape)
        elif self._trailing:
            outputs = F.layer_norm(x, tuple(x.shape[a] for a in axes), gamma, beta, self.epsilon)
        else:
            variance, mean = torch.var_mean(x, dim=axes, keepdim=True, correction=0)
            inv = torch.rsqrt(variance + self.epsilon)
            if gamma is not None:
                inv = inv * gamma.reshape(self._broadcast_shape)
            shift = -mean * inv
            if beta is not None:
                shift = shift + beta.reshape(self._broadcast_shape)
            outputs = x * inv + shift
        return outputs.to(self._compute_torch_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
            }
        )
        config.update(scale_offset_config(self))
        return config
