"""Activation layers: ``Activation`` and Keras's ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``.

Each applies the matching :mod:`kerastorch.activations` function with Keras 3's
definition. ``PReLU`` computes ``relu(x) - alpha * relu(-x)`` as Keras does, so
its gradient at exactly ``x == 0`` matches Keras too. ``Softmax`` takes a
boolean ``mask`` broadcastable to the inputs (right-aligned, numpy rules):
masked entries get a large negative logit and a zero output, and a row with
every entry masked gives all zeros.

Example:
    >>> ReLU(max_value=6.0)(torch.tensor([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F

from kerastorch import activations
from kerastorch.backend.annotations import Identifier, TensorLike
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import InitializerLike, layer_label, set_weight_options, weight_options_config
from kerastorch.serialization.object_registration import register_builtin


def _non_negative(layer, arg, value, allow_none=False):
    """``value`` as a float, or a ValueError naming the layer and the argument."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, numbers.Real)) or value < 0:
        raise ValueError(
            f"{layer_label(layer)}: {arg} must be a non-negative number"
            f"{' or None' if allow_none else ''}, received {arg}={value!r}"
        )
    return float(value)


class _Elementwise(Layer):
    """An activation layer: shape-preserving, masks pass through."""

    _preserves_shape = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True


@register_builtin("keras.layers")
class Activation(_Elementwise):
    """Applies an activation function given by name or as a callable.

    Args:
        activation: str or callable: the activation, a name from :mod:`kerastorch.activations`
            (``"relu"``, ``"sigmoid"``, ...), a config dict, or any function of a tensor.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: an unknown activation name or an identifier that is neither a name, a config nor
            a callable.

    >>> Activation("sigmoid")(torch.zeros(2)).tolist()
    [0.5, 0.5]
    """

    def __init__(self, activation: Identifier, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


@register_builtin("keras.layers")
class ReLU(_Elementwise):
    """Rectified linear unit: ``x`` above ``threshold``, ``negative_slope * (x - threshold)`` below.

    The output is also capped at ``max_value`` when one is given. With the defaults it is ``max(x, 0)``.

    Args:
        max_value: float or None, default None: the largest output (no cap when None).
        negative_slope: float, default 0.0: the slope below ``threshold``.
        threshold: float, default 0.0: the value below which the output is ``negative_slope`` times the
            distance to it.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: ``max_value``, ``negative_slope`` or ``threshold`` is not a non-negative number.

    >>> ReLU(negative_slope=0.5)(torch.tensor([-2.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    def __init__(
        self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.max_value = _non_negative(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative(self, "negative_slope", negative_slope)
        self.threshold = _non_negative(self, "threshold", threshold)
        self._plain = self.max_value is None and self.negative_slope == 0 and self.threshold == 0

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self._plain:
            return torch.relu(inputs)
        return activations.relu(
            inputs, negative_slope=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold})
        return config


@register_builtin("keras.layers")
class LeakyReLU(_Elementwise):
    """Leaky rectified linear unit: ``x`` if positive, else ``negative_slope * x``.

    Args:
        negative_slope: float, default 0.3: the slope of the negative part (Keras's default; Keras 2's
            ``alpha`` keyword is accepted for it).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: ``negative_slope`` is not a non-negative number.

    >>> LeakyReLU(negative_slope=0.5)(torch.tensor([-1.0, 1.0])).tolist()
    [-0.5, 1.0]
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # Keras 2 name of the argument
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(self, "negative_slope", negative_slope)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


@register_builtin("keras.layers")
class ELU(_Elementwise):
    """Exponential linear unit: ``x`` if positive, else ``alpha * (exp(x) - 1)``.

    Args:
        alpha: float, default 1.0: the scale of the negative part (its limit for large negative inputs
            is ``-alpha``).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: ``alpha`` is not a number.

    >>> ELU()(torch.tensor([0.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, numbers.Real)):
            raise ValueError(f"{layer_label(self)}: alpha must be a number, received alpha={alpha!r}")
        self.alpha = float(alpha)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


@register_builtin("keras.layers")
class PReLU(_Elementwise):
    """Leaky ReLU with a learned slope ``alpha`` per input entry (shared along ``shared_axes``).

    ``shared_axes`` counts the batch axis as 0: for images ``(batch, h, w, c)``,
    ``shared_axes=[1, 2]`` learns one slope per channel.

    Args:
        alpha_initializer: str or initializer, default ``"zeros"``: the initializer of ``alpha`` (zeros
            start as a plain ReLU).
        alpha_regularizer: str, regularizer or None, default None: a penalty on ``alpha``.
        alpha_constraint: str, constraint or None, default None: a constraint applied to ``alpha`` after
            each optimizer update.
        shared_axes: int, list of ints or None, default None: the axes (1 or more) along which ``alpha``
            is shared; None learns one slope per input entry.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: a shared axis below 1; when building, inputs of rank < 2, a shared axis beyond the
            input rank, or an unknown size on an axis that is not shared.

    >>> PReLU(alpha_initializer="ones")(torch.tensor([[-2.0, 3.0]])).tolist()
    [[-2.0, 3.0]]
    """

    # Set by set_weight_options in __init__:
    alpha_initializer: Callable[..., Any] | None
    alpha_regularizer: Callable[..., Any] | None
    alpha_constraint: Callable[..., Any] | None

    def __init__(
        self,
        alpha_initializer: InitializerLike = "zeros",
        alpha_regularizer: Identifier = None,
        alpha_constraint: Identifier = None,
        shared_axes: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        set_weight_options(
            self,
            alpha_initializer=alpha_initializer,
            alpha_regularizer=alpha_regularizer,
            alpha_constraint=alpha_constraint,
        )
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = [shared_axes] if isinstance(shared_axes, (int, numbers.Integral)) else list(shared_axes)
            if not all(isinstance(a, (int, numbers.Integral)) and not isinstance(a, bool) and a >= 1 for a in axes):
                raise ValueError(
                    f"{layer_label(self)}: shared_axes must be axes >= 1 (axis 0 is the batch), "
                    f"received shared_axes={shared_axes!r}"
                )
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape: Sequence[int | None]) -> None:
        rank = len(input_shape)
        shared = set(self.shared_axes or ())
        if rank < 2 or max(shared, default=0) >= rank:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank >= 2 with every shared axis in "
                f"[1, {max(rank - 1, 1)}], received input shape {tuple(input_shape)} and "
                f"shared_axes={self.shared_axes}"
            )
        param_shape = [1 if axis in shared else input_shape[axis] for axis in range(1, rank)]
        if None in param_shape:
            raise ValueError(
                f"{layer_label(self)}: every axis that is not shared must be known to create alpha, "
                f"received input shape {tuple(input_shape)} and shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            name="alpha",
            shape=param_shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a] for a in range(1, rank) if a not in shared})
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return torch.relu(inputs) - self.alpha * torch.relu(-inputs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                **weight_options_config(self, "alpha"),
                "shared_axes": self.shared_axes,
            }
        )
        return config


def _large_negative(dtype):
    """The logit given to masked entries: -1e9, or the float16 floor for half types."""
    return -3e4 if dtype in (torch.float16, torch.bfloat16) else -1e9


@register_builtin("keras.layers")
class Softmax(_Elementwise):
    """Softmax along ``axis`` (an int or a tuple of ints), with an optional boolean ``mask``.

    Called as ``layer(inputs, mask=None)``. Masked entries (``mask`` False) get a zero output; the
    mask broadcasts to the inputs with numpy rules, and a row with every entry masked gives zeros.

    Args:
        axis: int or tuple of ints, default -1: the axis or axes the softmax normalizes over.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    Raises:
        ValueError: ``axis`` is not an int or a non-empty tuple of ints; when called, a ``mask`` that
            does not broadcast to the inputs.

    >>> Softmax()(torch.zeros(1, 2), mask=torch.tensor([[True, False]])).tolist()
    [[1.0, 0.0]]
    """

    def __init__(self, axis: int | Sequence[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        axes = (axis,) if isinstance(axis, (int, numbers.Integral)) else tuple(axis)
        if not axes or not all(isinstance(a, (int, numbers.Integral)) and not isinstance(a, bool) for a in axes):
            raise ValueError(
                f"{layer_label(self)}: axis must be an int or a non-empty tuple of ints, received axis={axis!r}"
            )
        self.axis = int(axis) if isinstance(axis, (int, numbers.Integral)) else [int(a) for a in axes]
        self._dims = axes[0] if len(axes) == 1 else tuple(int(a) for a in axes)

    def call(self, inputs: torch.Tensor, mask: TensorLike | None = None) -> torch.Tensor:
        if mask is None:
            return activations.softmax(inputs, axis=self._dims)
        mask = torch.as_tensor(mask, device=inputs.device).bool()
        try:
            logits = inputs.masked_fill(~mask, _large_negative(inputs.dtype))
        except RuntimeError:
            raise ValueError(
                f"{layer_label(self)}: the mask must broadcast to the inputs (numpy rules), received "
                f"inputs of shape {tuple(inputs.shape)} and a mask of shape {tuple(mask.shape)}"
            ) from None
        return activations.softmax(logits, axis=self._dims) * mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["axis"] = self.axis
        return config
