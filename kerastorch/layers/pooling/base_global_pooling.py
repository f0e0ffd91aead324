"""``BaseGlobalPooling``: the rank-generic global max / average pooling.

Reduces every spatial axis (``keepdims=True`` keeps them with size 1). The
1-D average pooling takes a ``mask`` of shape ``(batch, steps)`` as Keras does: the
mean is then over the unmasked steps only.

Example:
    >>> import torch
    >>> from kerastorch.layers import GlobalAveragePooling2D
    >>> GlobalAveragePooling2D(keepdims=True)(torch.ones(2, 4, 4, 3)).shape
    torch.Size([2, 1, 1, 3])
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend import conv_utils, validation
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label


class BaseGlobalPooling(Layer):
    """Global pooling over the ``rank`` spatial axes with ``pool_mode`` ``"max"`` or ``"average"``.

    >>> import torch
    >>> BaseGlobalPooling(1, "max")(torch.arange(6.0).reshape(1, 3, 2)).tolist()
    [[4.0, 5.0]]
    """

    def __init__(
        self, rank: int, pool_mode: str, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if pool_mode not in ("max", "average"):
            raise ValueError(
                f"{layer_label(self)}: pool_mode must be 'max' or 'average', received pool_mode={pool_mode!r}"
            )
        self.rank = rank
        self.pool_mode = pool_mode
        self.data_format = conv_utils.normalize_data_format(data_format, layer_label(self))
        self.keepdims = validation.boolean(layer_label(self), "keepdims", keepdims)
        self._axes = conv_utils.spatial_axes(rank, self.data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.supports_masking = rank == 1 and pool_mode == "average"

    def call(self, inputs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if not inputs.is_floating_point():
            inputs = inputs.to(self._compute_torch_dtype)
        if self.pool_mode == "max":
            return inputs.amax(dim=self._axes, keepdim=self.keepdims)
        if mask is None or not self.supports_masking:
            return inputs.mean(dim=self._axes, keepdim=self.keepdims)
        weights = mask.to(inputs.dtype).unsqueeze(conv_utils.channel_axis(self.data_format))
        total = (inputs * weights).sum(dim=self._axes, keepdim=self.keepdims)
        return total / weights.sum(dim=self._axes, keepdim=self.keepdims)

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> None:
        """Pooling consumes the mask."""
        return None

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
