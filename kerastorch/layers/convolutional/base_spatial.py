"""``SpatialLayer``: what convolution and pooling layers share.

A rank-``rank`` spatial layer takes ``(batch, *spatial, channels)`` inputs
(``channels_last``) or ``(batch, channels, *spatial)`` (``channels_first``). ``call``
views channels-last inputs as channels-first (a ``permute``, no copy), runs the
subclass's ``_forward`` on them and permutes the result back. Per-input-size
geometry (padding amounts) is computed once per spatial shape and kept, and output
shapes come from formulas (``_output_spatial``), not from running ``call``, so
unknown spatial sizes (``keras.Input((None, None, 3))``) work with any kernel sizes.

Example:
    >>> import kerastorch
    >>> from kerastorch.layers import MaxPooling2D
    >>> MaxPooling2D()(kerastorch.Input((None, None, 3))).shape
    (None, None, None, 3)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from kerastorch.backend import conv_utils
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label


class SpatialLayer(Layer):
    """Base of the convolution and pooling layers (see the module docstring).

    >>> import torch
    >>> class Identity2D(SpatialLayer):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self._init_spatial(2, None)
    ...     def _forward(self, x):
    ...         return x
    >>> Identity2D()(torch.ones(1, 4, 4, 3)).shape
    torch.Size([1, 4, 4, 3])
    """

    _activation: Callable[..., Any] | None = None

    def _init_spatial(self, rank, data_format):
        self.rank = rank
        self.data_format = conv_utils.normalize_data_format(data_format, layer_label(self))
        self._channels_first = self.data_format == "channels_first"
        self._channel_axis = conv_utils.channel_axis(self.data_format)
        self._to_first = conv_utils.to_channels_first_perm(rank)
        self._to_last = conv_utils.to_channels_last_perm(rank)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._geometries = {}

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs if self._channels_first else inputs.permute(self._to_first)
        if not x.is_floating_point():
            x = x.to(self._compute_torch_dtype)
        y = self._forward(x)
        if not self._channels_first:
            y = y.permute(self._to_last)
        return y if self._activation is None else self._activation(y)

    def _forward(self, x):
        """The computation on a channels-first tensor. Subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} must implement _forward() (an abstract hook of the base)")

    def _geometry(self, x):
        """What :meth:`_compute_geometry` gives for ``x``'s spatial shape, computed once per shape."""
        spatial = x.shape[2:]
        geometry = self._geometries.get(spatial)
        if geometry is None:
            geometry = self._geometries[spatial] = self._compute_geometry(tuple(spatial))
        return geometry

    def _compute_geometry(self, spatial):
        raise NotImplementedError(
            f"{type(self).__name__} must implement _compute_geometry() (an abstract hook of the base)"
        )

    def _check_rank(self, shape):
        if len(shape) != self.rank + 2:
            layout = "channels, *spatial" if self._channels_first else "*spatial, channels"
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank {self.rank + 2} (batch, {layout}), "
                f"received input shape {tuple(shape)}"
            )

    def _output_spatial(self, spatial):
        """The output spatial shape (None for unknown sizes). Subclasses override it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement _output_spatial() (an abstract hook of the base)"
        )

    def _output_channels(self, in_channels):
        return in_channels

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        self._check_rank(shape)
        spatial = shape[2:] if self._channels_first else shape[1:-1]
        out = self._output_spatial(spatial)
        channels = self._output_channels(shape[self._channel_axis])
        return (shape[0], channels, *out) if self._channels_first else (shape[0], *out, channels)

    def compute_output_spec(self, inputs: KerasTensor, *args: Any, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
