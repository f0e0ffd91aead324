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
from kerastorch.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kerastorch.layers.layer_utils import positive_int


class BaseSeparableConv(BaseDepthwiseConv):
    """N-D separable convolution; SeparableConv1D/2D fix ``rank``.

    >>> import torch
    >>> BaseSeparableConv(1, filters=6, kernel_size=3)(torch.ones(2, 8, 4)).shape
    torch.Size([2, 6, 6])
    """

    _depthwise_name = "depthwise_kernel"

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(BaseDepthwiseConv, self).__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_depthwise(rank, kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
                             activation, use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer,
                             bias_regularizer, depthwise_constraint, bias_constraint)
        self.filters = positive_int(self, "filters", filters)
        self._init_weight_args("pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        self._pointwise_perm = (rank + 1, rank) + tuple(range(rank))

    def build(self, input_shape):
        channels = self._build_depthwise(input_shape)
        self._pointwise_kernel = self._add_weight_for("pointwise", "pointwise_kernel",
                                                      (1,) * self.rank + (channels, self.filters))
        self._build_bias(self.filters)
        self.built = True

    def _forward(self, x):
        pointwise = self._pointwise_kernel.permute(self._pointwise_perm).contiguous()
        return self._conv(self._depthwise(x, None), pointwise, self.bias)

    def _output_channels(self, in_channels):
        return self.filters

    def get_config(self):
        config = super().get_config()
        config["filters"] = self.filters
        config.update(self._weight_config("pointwise"))
        return config
