"""``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose``: :class:`BaseConvTranspose` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", output_padding=None, data_format=None, dilation_rate=1,
activation=None, use_bias=True, kernel_initializer="glorot_uniform",
bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
activity_regularizer=None, kernel_constraint=None, bias_constraint=None``
(Conv3DTranspose takes ``data_format`` before ``output_padding``, as in Keras).
"""
from kerastorch.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution (upsampling a sequence).

    >>> import torch
    >>> Conv1DTranspose(4, 3, strides=2, padding="same")(torch.ones(2, 5, 3)).shape
    torch.Size([2, 10, 4])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution (upsampling an image).

    >>> import torch
    >>> Conv2DTranspose(4, 3, strides=2)(torch.ones(2, 5, 5, 3)).shape
    torch.Size([2, 11, 11, 4])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv3DTranspose(BaseConvTranspose):
    """3-D transposed convolution (upsampling a volume).

    >>> import torch
    >>> Conv3DTranspose(2, 2, strides=2)(torch.ones(1, 2, 3, 4, 3)).shape
    torch.Size([1, 4, 6, 8, 2])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, output_padding=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         output_padding=output_padding, **kwargs)


Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
for _alias, _cls in (("Convolution1DTranspose", Conv1DTranspose), ("Convolution2DTranspose", Conv2DTranspose),
                     ("Convolution3DTranspose", Conv3DTranspose)):
    register_builtin("keras.layers", name=_alias)(_cls)
