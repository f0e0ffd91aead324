"""``DepthwiseConv1D``, ``DepthwiseConv2D``: :class:`BaseDepthwiseConv` with the rank fixed.

Arguments (Keras names and defaults): ``kernel_size, strides=1, padding="valid",
depth_multiplier=1, data_format=None, dilation_rate=1, activation=None,
use_bias=True, depthwise_initializer="glorot_uniform", bias_initializer="zeros",
depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
depthwise_constraint=None, bias_constraint=None``.
"""
from kerastorch.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution: each channel of ``(batch, steps, channels)`` gets its own filters.

    >>> import torch
    >>> DepthwiseConv1D(3, depth_multiplier=2)(torch.ones(2, 10, 4)).shape
    torch.Size([2, 8, 8])
    """

    def __init__(self, kernel_size, *args, **kwargs):
        super().__init__(1, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution: each channel of an image gets its own filters.

    >>> import torch
    >>> DepthwiseConv2D(3, padding="same")(torch.ones(2, 8, 8, 4)).shape
    torch.Size([2, 8, 8, 4])
    """

    def __init__(self, kernel_size, *args, **kwargs):
        super().__init__(2, kernel_size, *args, **kwargs)
