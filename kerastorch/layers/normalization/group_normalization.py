"""``GroupNormalization``: split the channels of ``axis`` into ``groups`` and normalize each group of
each example (over its channels and every other non-batch axis) with its mean and biased variance.

``groups=-1`` gives one group per channel (instance normalization), as in Keras. The channel axis must
have a known size divisible by ``groups``.

Example:
    >>> GroupNormalization(groups=2)(torch.randn(2, 5, 4)).shape
    torch.Size([2, 5, 4])
"""

from __future__ import annotations

from typing import Any, Sequence, cast

import torch

from kerastorch.backend.annotations import Identifier
from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import InitializerLike
from kerastorch.layers.normalization._common import (
    add_scale_offset,
    cast_weight,
    check_epsilon,
    check_int_axis,
    init_scale_offset,
    layer_label,
    positive_axes,
    scale_offset_config,
    upcast,
)
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class GroupNormalization(Layer):
    """Group normalization; weights ``gamma`` (if ``scale``) then ``beta`` (if ``center``), one per channel.

    The channels of ``axis`` are split into ``groups`` consecutive groups; each group of each example is
    normalized with its mean and biased variance over its channels and every other non-batch axis, then
    scaled by ``gamma`` and shifted by ``beta`` per channel. Masks pass through unchanged.

    Args:
        groups: int, default 32: the number of groups; it must divide the number of channels. -1 gives one
            group per channel (instance normalization).
        axis: int, default -1: the channel axis (not the batch axis).
        epsilon: float, default 1e-3: a non-negative number added to the variance.
        center: bool, default True: whether to learn the offset ``beta``.
        scale: bool, default True: whether to learn the scale ``gamma``.
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
        Any shape, with a known size on ``axis``.

    Output shape:
        The same shape as the inputs.

    Raises:
        TypeError: a non-int ``axis``.
        ValueError: a ``groups`` that is neither positive nor -1, a negative ``epsilon``; when building, an
            ``axis`` out of range, of unknown size or the batch axis, or a channel count that ``groups``
            exceeds or does not divide.

    >>> layer = GroupNormalization(groups=2, epsilon=1e-6)
    >>> layer(torch.tensor([[0.0, 2.0, 5.0, 7.0]])).round().tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """

    _preserves_shape = True

    # Created in build (None until then, or when not used):
    gamma: Variable | None
    beta: Variable | None

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: InitializerLike = "zeros",
        gamma_initializer: InitializerLike = "ones",
        beta_regularizer: Identifier = None,
        gamma_regularizer: Identifier = None,
        beta_constraint: Identifier = None,
        gamma_constraint: Identifier = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                f"{layer_label(self)}: groups must be a positive integer (or -1 for instance "
                f"normalization), received groups={groups!r}"
            )
        self.groups = groups
        self.axis = check_int_axis(self, axis)
        self.epsilon = check_epsilon(self, epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
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
        (axis,) = positive_axes(self, self.axis, input_shape)
        if axis == 0:
            raise ValueError(f"{layer_label(self)}: axis must not be the batch axis, received axis={self.axis}")
        dim = cast(int, input_shape[axis])  # known: positive_axes checks it
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"{layer_label(self)}: the number of groups ({self.groups}) cannot exceed the number of "
                f"channels ({dim}) on axis {self.axis}"
            )
        if dim % self.groups:
            raise ValueError(
                f"{layer_label(self)}: the number of groups ({self.groups}) must divide the number of "
                f"channels ({dim}) on axis {self.axis}"
            )
        ndim = len(input_shape)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        add_scale_offset(self, (dim,), self.scale, self.center)
        self._axis = axis
        # In the grouped view (axis split into groups, channels-per-group) everything but the batch and
        # group axes is reduced.
        self._reduce = [a for a in range(1, ndim + 1) if a != axis]
        self._weight_shape = [1] * (ndim + 1)
        self._weight_shape[axis] = self.groups
        self._weight_shape[axis + 1] = dim // self.groups
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = upcast(inputs)
        dtype = x.dtype
        axis, groups = self._axis, self.groups
        shape = x.shape
        grouped = x.reshape(*shape[:axis], groups, shape[axis] // groups, *shape[axis + 1 :])
        variance, mean = torch.var_mean(grouped, dim=self._reduce, keepdim=True, correction=0)
        inv = torch.rsqrt(variance + self.epsilon)
        gamma, beta = cast_weight(self.gamma, dtype), cast_weight(self.beta, dtype)
        if gamma is not None:
            inv = inv * gamma.reshape(self._weight_shape)
        shift = -mean * inv
        if beta is not None:
            shift = shift + beta.reshape(self._weight_shape)
        outputs = (grouped * inv + shift).reshape(shape)
        return outputs.to(self._compute_torch_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
            }
        )
        config.update(scale_offset_config(self))
        return config
