"""``Masking``: marks the timesteps whose features all equal ``mask_value`` as padding.

For inputs ``(batch, time, ...features)`` the mask is ``any(inputs != mask_value, axis=-1)``
(True = keep). The output is the input with the masked timesteps zeroed, and carries the
mask (``_keras_mask``, set by :class:`~kerastorch.layers.Layer`'s ``__call__`` from
:meth:`Masking.compute_mask`), so the layers downstream that take a mask (RNNs, pooling,
attention) skip those steps. A mask given to the layer is ignored: the mask is recomputed
from the values, as in Keras.

Example:
    >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> y = Masking()(x)
    >>> y._keras_mask
    tensor([[ True, False,  True]])
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import torch

from kerastorch.backend.annotations import Shape
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Masking(Layer):
    """Masks every timestep whose features all equal ``mask_value`` (default 0.0).

    The output is the input with those timesteps zeroed; it carries the mask
    ``any(inputs != mask_value, axis=-1)`` (True = keep) for the layers downstream. A mask passed in
    is ignored: the mask is always recomputed from the values.

    Args:
        mask_value: int or float, default 0.0: the value that marks padding; a timestep is masked when
            every one of its features equals it.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, timesteps, ..., features)``, rank 2 or more.

    Output shape:
        The same shape as the inputs; the mask has the input shape without its last axis.

    Raises:
        TypeError: ``mask_value`` is not a number.
        ValueError: inputs of rank below 2 (when building).

    >>> Masking(mask_value=-1.0)(torch.tensor([[[-1.0], [2.0]]])).tolist()
    [[[-0.0], [2.0]]]
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float, numbers.Real)):
            raise TypeError(f"{layer_label(self)}: mask_value must be a number, received mask_value={mask_value!r}")
        self.mask_value = mask_value
        self.supports_masking = True

    def build(self, input_shape: Sequence[int | None]) -> None:
        if len(input_shape) < 2:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank >= 2 (batch, ..., features), "
                f"received input shape {tuple(input_shape)}"
            )
        self.built = True

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> torch.Tensor:
        """``any(inputs != mask_value, axis=-1)``; the incoming mask is ignored."""
        return torch.ne(inputs, self.mask_value).any(dim=-1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        keep = torch.ne(inputs, self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
