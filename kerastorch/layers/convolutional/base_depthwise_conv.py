"""``BaseDepthwiseConv``: the rank-generic depthwise convolution (DepthwiseConv1D/2D).

Each input channel is convolved with its own ``depth_multiplier`` filters. The
kernel is stored in Keras layout ``(*kernel_size, in_channels, depth_multiplier)``;
``call`` hands torch it as ``(in_channels * depth_multiplier, 1, *kernel_size)``
with ``groups=in_channels``, whose output channel ``c * depth_multiplier + m`` is
Keras's. Keras allows strides and dilation above 1 together here.

Example:
    >>> import torch
    >>> from kerastorch.layers import DepthwiseConv2D
    >>> DepthwiseConv2D(3, depth_multiplier=2)(torch.ones(1, 5, 5, 4)).shape
    torch.Size([1, 3, 3, 8])
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.backend.annotations import Identifier
from kerastorch.layers.convolutional.base_conv import CONV_FUNCTIONS, Convolution
from kerastorch.layers.layer_utils import InitializerLike, positive_int


class BaseDepthwiseConv(Convolution):
    """N-D depthwise convolution; DepthwiseConv1D/2D fix ``rank``.

    >>> import torch
    >>> BaseDepthwiseConv(1, kernel_size=3)(torch.ones(2, 8, 4)).shape
    torch.Size([2, 6, 4])
    """

    _depthwise_name = "kernel"  # the weight's name (SeparableConv calls it "depthwise_kernel")

    def __init__(
        self,
        rank: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: Identifier = None,
        use_bias: bool = True,
        depthwise_initializer: InitializerLike = "glorot_uniform",
        bias_initializer: InitializerLike = "zeros",
        depthwise_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        depthwise_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
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

    def _init_depthwise(
        self,
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
    ):
        self._init_convolution(
            rank,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            bias_initializer,
            bias_regularizer,
            bias_constraint,
            strided_dilation=True,
        )
        self.depth_multiplier = positive_int(self, "depth_multiplier", depth_multiplier)
        self._init_weight_args("depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        self._conv = CONV_FUNCTIONS[rank]
        self._depthwise_perm = (rank, rank + 1) + tuple(range(rank))

    def _build_depthwise(self, input_shape):
        """Create the depthwise kernel; return the number of channels it produces."""
        channels = self._input_channels(input_shape)
        # Registered as ``kernel`` (or ``depthwise_kernel``); ``_depthwise_kernel`` is a fast alias.
        self._depthwise_kernel = self._add_weight_for(
            "depthwise", self._depthwise_name, self.kernel_size + (channels, self.depth_multiplier)
        )
        self._in_channels = channels
        self._torch_shape = (channels * self.depth_multiplier, 1) + self.kernel_size
        return channels * self.depth_multiplier

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._build_bias(self._build_depthwise(input_shape))
        self.built = True

    def _depthwise(self, x, bias):
        """The depthwise convolution of channels-first ``x`` (with Keras padding) plus ``bias``."""
        x, padding = self._padded(x)
        # (*k, in, m) -> (in, m, *k) -> (in * m, 1, *k): one copy (reshape's, or contiguous's when m == 1)
        kernel = self._depthwise_kernel.permute(self._depthwise_perm).reshape(self._torch_shape).contiguous()
        return self._conv(x, kernel, bias, self.strides, padding, self.dilation_rate, self._in_channels)

    def _forward(self, x):
        return self._depthwise(x, self.bias)

    def _output_channels(self, in_channels):
        return None if in_channels is None else in_channels * self.depth_multiplier

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["depth_multiplier"] = self.depth_multiplier
        config.update(self._weight_config("depthwise"))
        return config
