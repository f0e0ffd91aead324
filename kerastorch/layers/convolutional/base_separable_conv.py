"""``BaseSeparableConv``: the rank-generic depthwise-separable convolution (SeparableConv1D/2D).

A depthwise convolution (``depthwise_kernel``, ``(*kernel_size, in_channels,
depth_multiplier)``, with the layer's strides, padding and dilation) followed by a
pointwise one (``pointwise_kernel``, ``(1, ..., 1, in_channels * depth_multiplier,
filters)``) and the bias. Both kernels stay in Keras layout; ``call`` permutes them to torch's.

Example:
    >>> import torch
    >>> from kerastorch.layers import SeparableConv2D
    >>> SeparableConv2D(8, 3, padding="same")(torch.ones(1, 6, 6, 4)).shape
    torch.Size([1, 6, 6, 8])
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.backend.annotations import Identifier
from kerastorch.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kerastorch.layers.layer_utils import InitializerLike, positive_int


class BaseSeparableConv(BaseDepthwiseConv):
    """N-D separable convolution; SeparableConv1D/2D fix ``rank``.

    >>> import torch
    >>> BaseSeparableConv(1, filters=6, kernel_size=3)(torch.ones(2, 8, 4)).shape
    torch.Size([2, 6, 6])
    """

    _depthwise_name = "depthwise_kernel"

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        depth_multiplier: int = 1,
        activation: Identifier = None,
        use_bias: bool = True,
        depthwise_initializer: InitializerLike = "glorot_uniform",
        pointwise_initializer: InitializerLike = "glorot_uniform",
        bias_initializer: InitializerLike = "zeros",
        depthwise_regularizer: Identifier = None,
        pointwise_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        depthwise_constraint: Identifier = None,
        pointwise_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        **kwargs: Any,
    ) -> None:
        super(BaseDepthwiseConv, self).__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_depthwise(
            rank,
            kernel_size,
            strides,
            padding,
            depth_multiplier,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            depthwise_constraint,
            bias_constraint,
        )
        self.filters = positive_int(self, "filters", filters)
        self._init_weight_args("pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        self._pointwise_perm = (rank + 1, rank) + tuple(range(rank))

    def build(self, input_shape: Sequence[int | None]) -> None:
        channels = self._build_depthwise(input_shape)
        self._pointwise_kernel = self._add_weight_for(
            "pointwise", "pointwise_kernel", (1,) * self.rank + (channels, self.filters)
        )
        self._build_bias(self.filters)
        self.built = True

    def _forward(self, x):
        pointwise = self._pointwise_kernel.permute(self._pointwise_perm).contiguous()
        return self._conv(self._depthwise(x, None), pointwise, self.bias)

    def _output_channels(self, in_channels):
        return self.filters

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["filters"] = self.filters
        config.update(self._weight_config("pointwise"))
        return config
