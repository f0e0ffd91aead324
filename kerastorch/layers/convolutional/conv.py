"""``Conv1D``, ``Conv2D``, ``Conv3D``: :class:`BaseConv` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", data_format=None, dilation_rate=1, groups=1, activation=None,
use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
kernel_constraint=None, bias_constraint=None``.
"""
from kerastorch.layers.convolutional.base_conv import BaseConv
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class Conv1D(BaseConv):
    """1-D convolution over ``(batch, steps, channels)``; ``padding="causal"`` pads only the past.

    >>> import torch
    >>> Conv1D(4, 3, padding="causal")(torch.ones(2, 10, 3)).shape
    torch.Size([2, 10, 4])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv2D(BaseConv):
    """2-D convolution over ``(batch, height, width, channels)`` images.

    >>> import torch
    >>> Conv2D(8, 3, strides=2, padding="same")(torch.ones(2, 9, 9, 3)).shape
    torch.Size([2, 5, 5, 8])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv3D(BaseConv):
    """3-D convolution over ``(batch, depth, height, width, channels)`` volumes.

    >>> import torch
    >>> Conv3D(2, 3)(torch.ones(1, 4, 5, 6, 3)).shape
    torch.Size([1, 2, 3, 4, 2])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(3, filters, kernel_size, *args, **kwargs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
for _alias, _cls in (("Convolution1D", Conv1D), ("Convolution2D", Conv2D), ("Convolution3D", Conv3D)):
    register_builtin("keras.layers", name=_alias)(_cls)
