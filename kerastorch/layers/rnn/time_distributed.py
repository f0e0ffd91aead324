"""``Wrapper`` (a layer around one inner layer) and ``TimeDistributed``.

``TimeDistributed(layer)`` applies ``layer`` to every time slice of a
``(batch, time, ...)`` input. Keras 3 loops over the timesteps; here time is folded
into the batch axis instead: one call of the inner layer on ``(batch * time, ...)``
(a view for contiguous inputs), reshaped back to ``(batch, time, ...)``. The results
are the same for any layer that treats batch entries independently (Dense, Conv,
pooling, nested models; BatchNormalization in training mode would see all slices at
once, as it does in Keras 2).

Masks: an input mask of shape ``(batch, time, ...)`` is folded the same way and given
to an inner layer whose ``call`` takes ``mask``; the output carries the input mask
unchanged, as in Keras 3 (a mask the inner layer would compute itself, such as
``Embedding(mask_zero=True)``'s, is not propagated; Keras 3 drops it too).

The weights are the inner layer's (same names, order and shapes as in Keras), and the
config holds the serialized inner layer under ``"layer"``.

Example:
    >>> import torch
    >>> from kerastorch.layers import Dense
    >>> TimeDistributed(Dense(4))(torch.ones(2, 5, 3)).shape
    torch.Size([2, 5, 4])
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch import tree
from kerastorch.backend.annotations import Shape
from kerastorch.layers.base import CallSignature, Layer
from kerastorch.layers.layer_utils import build_sublayer, layer_label
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import builtin_objects, register_builtin


def layer_from_config(
    config: dict[str, Any] | str | None, custom_objects: dict[str, Any] | None = None
) -> Layer | None:
    """A layer (or None) from its serialized form, resolved among the built-in layers and custom objects.

    Args:
        config: dict (a serialized layer), str (a layer name) or None.
        custom_objects: dict or None, default None: classes a config may name beyond the built-in layers.

    Returns:
        The layer, or None for None.
    """
    return serialization_lib.deserialize_keras_object(
        config,
        module_objects=builtin_objects("keras.layers"),
        custom_objects=custom_objects,
        printable_module_name="layer",
    )


@register_builtin("keras.layers")
class Wrapper(Layer):
    """Base of the layers that wrap another layer (``self.layer``); its weights are the inner layer's.

    A plain ``Wrapper`` calls the inner layer; subclasses change how. The config holds the serialized
    inner layer under ``"layer"``.

    Args:
        layer: Layer: the layer to wrap.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        What the inner layer accepts.

    Output shape:
        What the inner layer returns.

    Raises:
        ValueError: ``layer`` is not a kerastorch Layer.

    >>> from kerastorch.layers import Dense
    >>> Wrapper(Dense(2)).get_config()["layer"]["class_name"]
    'Dense'
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{layer_label(self)}: expected a kerastorch Layer instance to wrap, "
                f"received {layer!r} of type {type(layer).__name__}"
            )
        self.layer = layer

    def _build_sublayer(self, layer, input_shape):
        """Build ``layer`` for ``input_shape`` (unless built) on this layer's device; its weight paths get
        Keras's nesting (``time_distributed/dense/kernel``)."""
        build_sublayer(self, layer, input_shape)

    def build(self, input_shape: Shape | None = None) -> None:
        if input_shape is not None:
            self._build_sublayer(self.layer, input_shape)
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return self.layer(inputs, *args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["layer"] = serialization_lib.serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        config = dict(config)
        config["layer"] = layer_from_config(config["layer"], custom_objects)
        return super().from_config(config)


@register_builtin("keras.layers")
class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time slice ``inputs[:, t]`` of a ``(batch, time, ...)`` input.

    The time axis is folded into the batch axis, so the inner layer runs once on
    ``(batch * time, ...)``; its weights are shared by every time step. An input mask
    ``(batch, time, ...)`` is folded the same way for an inner layer whose ``call`` takes ``mask``, and
    the output carries the input mask.

    Args:
        layer: Layer: the layer to apply to each time slice.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: tensor ``(batch_size, timesteps, ...)``.
        training: bool or None: passed on to the inner layer when given.
        mask: boolean tensor ``(batch_size, timesteps, ...)`` or None: passed on (folded) to an inner layer
            that takes a mask.

    Input shape:
        ``(batch_size, timesteps, ...)``, rank 3 or more, where ``(batch_size, ...)`` is what ``layer``
        accepts.

    Output shape:
        ``(batch_size, timesteps, ...)``, where ``(batch_size, ...)`` is the inner layer's output shape.

    Raises:
        ValueError: ``layer`` is not a kerastorch Layer; inputs of rank below 3, or a mask that does not
            start with the inputs' ``(batch, time)`` axes.

    >>> import torch
    >>> from kerastorch.layers import Conv2D
    >>> TimeDistributed(Conv2D(4, 3))(torch.ones(2, 5, 8, 8, 3)).shape
    torch.Size([2, 5, 6, 6, 4])
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self._inner_takes_mask = CallSignature(layer.call).has_mask

    def _check_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank >= 3 (batch, time, ...), "
                f"received input shape {tuple(input_shape)}"
            )

    def build(self, input_shape: Shape) -> None:  # type: ignore[override]  # (needs the shape; Wrapper's may be None)
        self._check_shape(input_shape)
        self._build_sublayer(self.layer, (input_shape[0],) + tuple(input_shape[2:]))
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Any:
        self._check_shape(input_shape)
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return tree.map_shape_structure(lambda s: (input_shape[0], input_shape[1]) + tuple(s[1:]), inner)

    def call(self, inputs: torch.Tensor, training: bool | None = None, mask: torch.Tensor | None = None) -> Any:
        batch, time = inputs.shape[0], inputs.shape[1]
        folded = inputs.reshape((batch * time,) + tuple(inputs.shape[2:]))
        kwargs: dict[str, Any] = {} if training is None else {"training": training}
        if mask is not None and self._inner_takes_mask:
            if tuple(mask.shape[:2]) != (batch, time):
                raise ValueError(
                    f"{layer_label(self)}: the mask must start with the (batch, time) axes of the inputs "
                    f"{(batch, time)}, received a mask of shape {tuple(mask.shape)}"
                )
            kwargs["mask"] = mask.reshape((batch * time,) + tuple(mask.shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return tree.map_structure(lambda y: y.reshape((batch, time) + tuple(y.shape[1:])), outputs)
