"""``SeparableConv1D``, ``SeparableConv2D``: :class:`BaseSeparableConv` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", data_format=None, dilation_rate=1, depth_multiplier=1,
activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
pointwise_initializer="glorot_uniform", bias_initializer="zeros",
depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
bias_constraint=None``.
"""
from kerastorch.layers.convolutional.base_separable_conv import BaseSeparableConv
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class SeparableConv1D(BaseSeparableConv):
    """Depthwise then pointwise 1-D convolution.

    >>> import torch
    >>> SeparableConv1D(6, 3, depth_multiplier=2)(torch.ones(2, 10, 4)).shape
    torch.Size([2, 8, 6])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class SeparableConv2D(BaseSeparableConv):
    """Depthwise then pointwise 2-D convolution.

    >>> import torch
    >>> SeparableConv2D(8, 3, strides=2, padding="same")(torch.ones(2, 9, 9, 4)).shape
    torch.Size([2, 5, 5, 8])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(2, filters, kernel_size, *args, **kwargs)


SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
register_builtin("keras.layers", name="SeparableConvolution1D")(SeparableConv1D)
register_builtin("keras.layers", name="SeparableConvolution2D")(SeparableConv2D)
