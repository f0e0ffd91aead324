"""``BatchNormalization``: normalize with batch statistics in training, moving statistics in inference.

Keras semantics: in training mode (``training=True`` and ``layer.trainable``) the output uses the batch
mean and the *biased* batch variance, and the moving statistics are updated in place (without gradient)
as ``moving = moving * momentum + batch * (1 - momentum)``. Otherwise (``training`` False/None, or a frozen
layer, even with ``training=True``) the moving statistics are used.

The normalization itself is ``torch.nn.functional.batch_norm`` on a channels-first view of the inputs:
``(N, C, ...)`` directly for ``axis=1``, a ``(-1, C)`` view for the last axis, ``movedim`` otherwise. The
moving-statistics update is done here rather than by ``F.batch_norm`` because torch updates its running
variance with the *unbiased* batch variance while Keras uses the biased one. Masked inputs, and batches
with a single value per channel (which torch refuses in training mode), use the direct formula.

Example:
    >>> layer = BatchNormalization()
    >>> layer(torch.randn(8, 3), training=True).shape
    torch.Size([8, 3])
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch import initializers
from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier
from kerastorch.backend.symbolic_scope import in_symbolic_scope
from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import InitializerLike
from kerastorch.layers.normalization._common import (
    add_scale_offset,
    cast_weight,
    check_int_axis,
    init_scale_offset,
    layer_label,
    positive_axes,
    scale_offset_config,
    upcast,
)
from kerastorch.serialization.object_registration import register_builtin

_CUDNN = torch.backends.cudnn


@register_builtin("keras.layers")
class BatchNormalization(Layer):
    """Batch normalization over every axis but ``axis`` (the features axis).

    Weights, in Keras order: ``gamma`` (if ``scale``), ``beta`` (if ``center``), then the non-trainable
    ``moving_mean`` and ``moving_variance``.

    In training (``training=True`` and a trainable layer) the output is
    ``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` with the batch mean and biased variance,
    and the moving statistics become ``moving * momentum + batch * (1 - momentum)``. Otherwise (also
    for a frozen layer called with ``training=True``) the moving statistics are used. A ``mask``
    ``(batch_size, ...)`` of one axis less than the inputs leaves the masked entries out of the batch
    statistics.

    Args:
        axis: int, default -1: the features axis, which keeps its own statistics and weights; every
            other axis is reduced.
        momentum: float, default 0.99: the momentum of the moving statistics, in ``[0, 1]``.
        epsilon: float, default 1e-3: a positive number added to the variance.
        center: bool, default True: whether to learn the offset ``beta``.
        scale: bool, default True: whether to learn the scale ``gamma``.
        beta_initializer: str or initializer, default ``"zeros"``: the initializer of ``beta``.
        gamma_initializer: str or initializer, default ``"ones"``: the initializer of ``gamma``.
        moving_mean_initializer: str or initializer, default ``"zeros"``: the initializer of ``moving_mean``.
        moving_variance_initializer: str or initializer, default ``"ones"``: the initializer of
            ``moving_variance``.
        beta_regularizer: str, regularizer or None, default None: a penalty on ``beta``.
        gamma_regularizer: str, regularizer or None, default None: a penalty on ``gamma``.
        beta_constraint: str, constraint or None, default None: a constraint applied to ``beta`` after each
            optimizer update.
        gamma_constraint: str, constraint or None, default None: a constraint applied to ``gamma`` after
            each optimizer update.
        renorm: bool, default False: batch renormalization; not supported, True is refused.
        renorm_clipping: dict or None, default None: Keras's renormalization clipping; stored in the config
            only (it has no effect without ``renorm``).
        renorm_momentum: float, default 0.99: Keras's renormalization momentum; stored in the config only.
        synchronized: bool, default False: whether to synchronize the statistics across devices; accepted
            and stored, with no effect (one process has one set of batch statistics).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        TypeError: a non-int ``axis`` or a non-number ``epsilon``.
        ValueError: a ``momentum`` outside ``[0, 1]``, an ``epsilon`` that is not positive, a non-bool
            ``center``, ``scale`` or ``synchronized``; when building, an ``axis`` out of range or of
            unknown size; when called, a mask whose rank is not one less than the inputs'.
        NotImplementedError: ``renorm=True``.

    >>> layer = BatchNormalization(epsilon=1e-6)
    >>> layer(torch.tensor([[0.0], [2.0]]), training=True).round().tolist()
    [[-1.0], [1.0]]
    >>> [round(v, 4) for v in layer.moving_mean.tolist()]
    [0.01]
    """

    # Created in build (None until then, or when not used):
    gamma: Variable | None
    beta: Variable | None
    moving_mean: Variable | None
    moving_variance: Variable | None

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: InitializerLike = "zeros",
        gamma_initializer: InitializerLike = "ones",
        moving_mean_initializer: InitializerLike = "zeros",
        moving_variance_initializer: InitializerLike = "ones",
        beta_regularizer: Identifier = None,
        gamma_regularizer: Identifier = None,
        beta_constraint: Identifier = None,
        gamma_constraint: Identifier = None,
        renorm: bool = False,
        renorm_clipping: dict[str, float] | None = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = check_int_axis(self, axis)
        momentum = validation.number(layer_label(self), "momentum", momentum, low=0, high=1)
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, numbers.Real)):
            raise TypeError(f"{layer_label(self)}: epsilon must be a number, received epsilon={epsilon!r}")
        if epsilon <= 0:
            raise ValueError(f"{layer_label(self)}: epsilon must be positive, received epsilon={epsilon!r}")
        if renorm:
            raise NotImplementedError(
                f"{layer_label(self)}: batch renormalization (renorm=True) is not supported by kerastorch"
            )
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = validation.boolean(layer_label(self), "center", center)
        self.scale = validation.boolean(layer_label(self), "scale", scale)
        self.synchronized = validation.boolean(
            layer_label(self), "synchronized", synchronized
        )  # accepted; one process has one set of batch statistics
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        init_scale_offset(
            self,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape: Sequence[int | None]) -> None:
        (axis,) = positive_axes(self, self.axis, input_shape)
        ndim = len(input_shape)
        dim = input_shape[axis]
        shape = (dim,)
        add_scale_offset(self, shape, self.scale, self.center)
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer, trainable=False, autocast=False
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            name="moving_variance",
            initializer=self.moving_variance_initializer,
            trainable=False,
            autocast=False,
        )
        self._axis = axis
        self._reduction_axes = [a for a in range(ndim) if a != axis]
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self.built = True

    _preserves_shape = True

    def call(
        self, inputs: torch.Tensor, training: bool | None = None, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        if mask is not None and mask.dim() != inputs.dim() - 1:
            raise ValueError(
                f"{layer_label(self)}: the mask must have one axis less than the inputs, received mask "
                f"shape {tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}"
            )
        x = upcast(inputs)
        dtype = x.dtype
        gamma, beta = cast_weight(self.gamma, dtype), cast_weight(self.beta, dtype)
        training = bool(training) and self.trainable
        axis = self._axis
        if not training:
            mean = cast_weight(self.moving_mean, dtype)
            variance = cast_weight(self.moving_variance, dtype)
            outputs = self._channels_first(
                x, lambda cf: F.batch_norm(cf, mean, variance, gamma, beta, False, 0.0, self.epsilon)
            )
        elif mask is not None or x.numel() // max(x.shape[axis], 1) <= 1:
            mean, variance = self._moments(x, mask)
            self._update_moving(mean, variance)
            outputs = self._direct(x, mean, variance, gamma, beta)
        elif in_symbolic_scope():  # fake tensors (a symbolic call, also of an enclosing model): no update
            outputs = self._channels_first(
                x, lambda cf: F.batch_norm(cf, None, None, gamma, beta, True, 0.0, self.epsilon)
            )
        else:
            outputs = self._fused_training(x, gamma, beta)
        if outputs.dtype == inputs.dtype or not outputs.is_floating_point():  # (the common case: no dtype lookup)
            return outputs
        return outputs.to(self._compute_torch_dtype)

    # ----------------------------------------------------------- helpers
    def _channels_first(self, x, fn):
        """Run ``fn`` on a channels-first view of ``x`` and return the result in ``x``'s layout."""
        axis, ndim = self._axis, x.dim()
        if ndim == 1:
            return fn(x.unsqueeze(0))[0]
        if axis == 1:
            return fn(x)
        if axis == ndim - 1:
            return fn(x.reshape(-1, x.shape[-1])).reshape(x.shape)
        return fn(x.movedim(axis, 1)).movedim(1, axis)

    def _fused_training(self, x, gamma, beta):
        """Training-mode output and moving-statistics update in one ``F.batch_norm`` pass.

        torch updates its running variance with the unbiased batch variance ``u = b * n / (n - 1)``; Keras uses
        the biased one ``b``. With torch's momentum ``1 - m`` the update gives ``m * v + (1 - m) * u``, and
        ``(n - 1) / n`` of that plus ``m / n`` of the old ``v`` is Keras's ``m * v + (1 - m) * b``.
        """
        moving_mean, moving_variance = self.moving_mean, self.moving_variance
        if moving_mean.dtype != x.dtype:  # float64 inputs on float32 statistics: update them by the formula
            with torch.no_grad():
                variance, mean = torch.var_mean(x.detach(), dim=self._reduction_axes, correction=0)
            self._update_moving(mean, variance)
            return self._channels_first(
                x, lambda cf: F.batch_norm(cf, None, None, gamma, beta, True, 0.0, self.epsilon)
            )
        m = self.momentum
        n = x.numel() // x.shape[self._axis]
        # torch updates the buffers it is given in place and keeps them for the backward pass: the variance
        # goes to a scratch copy, so that correcting it afterwards touches no tensor the graph saved.
        scratch = moving_variance.detach().clone()
        outputs = self._channels_first(
            x,
            lambda cf: torch.batch_norm(
                cf, gamma, beta, moving_mean, scratch, True, 1.0 - m, self.epsilon, _CUDNN.enabled
            ),
        )
        with torch.no_grad():
            moving_variance.mul_(m / n).add_(scratch, alpha=(n - 1) / n)
        return outputs

    def _moments(self, x, mask):
        """Batch mean and biased variance over the reduction axes (weighted by ``mask`` when given)."""
        if mask is None:
            variance, mean = torch.var_mean(x, dim=self._reduction_axes, correction=0)
            return mean, variance
        weights = mask.to(x.dtype).unsqueeze(-1).expand_as(x)
        total = weights.sum(dim=self._reduction_axes)
        mean = (x * weights).sum(dim=self._reduction_axes) / total
        centred = x - self._broadcast(mean, x.dim())
        variance = (centred.square() * weights).sum(dim=self._reduction_axes) / total
        return mean, variance

    def _update_moving(self, mean, variance):
        if in_symbolic_scope():
            return
        m = self.momentum
        with torch.no_grad():
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
                moving.copy_(moving * m + batch.detach().to(moving.dtype) * (1.0 - m))

    def _broadcast(self, v, ndim):
        shape = [1] * ndim
        shape[self._axis] = -1
        return v.reshape(shape)

    def _direct(self, x, mean, variance, gamma, beta):
        ndim = x.dim()
        inv = torch.rsqrt(variance + self.epsilon)
        if gamma is not None:
            inv = inv * gamma
        shift = -mean * inv
        if beta is not None:
            shift = shift + beta
        return x * self._broadcast(inv, ndim) + self._broadcast(shift, ndim)

    def extra_repr(self) -> str:
        return self._describe(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        config.update(scale_offset_config(self))
        return config
