"""``SeparableConv1D``, ``SeparableConv2D``: :class:`BaseSeparableConv` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", data_format=None, dilation_rate=1, depth_multiplier=1,
activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
pointwise_initializer="glorot_uniform", bias_initializer="zeros",
depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
bias_constraint=None``.
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.layers.convolutional.base_separable_conv import BaseSeparableConv
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class SeparableConv1D(BaseSeparableConv):
    """Depthwise then pointwise 1-D convolution.

    A depthwise convolution (``depthwise_kernel``, ``(*kernel_size, in_channels, depth_multiplier)``)
    followed by a 1x1 convolution mixing the channels (``pointwise_kernel``,
    ``(1, ..., 1, in_channels * depth_multiplier, filters)``), then the bias and the activation.

    Args:
        filters: int: the number of output channels (of the pointwise convolution).
        kernel_size: int or tuple of 1 int: the size of the depthwise convolution window.
        strides: int or tuple of 1 int, default 1: the step of the depthwise window.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 1 int, default 1: the spacing of the depthwise kernel's taps.
        depth_multiplier: int, default 1: the number of depthwise output channels per input channel.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        depthwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            depthwise kernel.
        pointwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            pointwise kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        depthwise_regularizer: str, regularizer or None, default None: a penalty on the depthwise kernel.
        pointwise_regularizer: str, regularizer or None, default None: a penalty on the pointwise kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        depthwise_constraint: str, constraint or None, default None: a constraint applied to the depthwise
            kernel after each optimizer update.
        pointwise_constraint: str, constraint or None, default None: a constraint applied to the pointwise
            kernel after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to the bias after each
            optimizer update.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_steps, filters)`` (channels last) or
        ``(batch_size, filters, new_steps)`` (channels first), where each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` padding and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides``, ``dilation_rate`` or ``depth_multiplier``
            that is not positive, an unknown ``padding`` or ``data_format``; when building, inputs of
            another rank, an unknown channel axis, or an empty output.

    >>> import torch
    >>> SeparableConv1D(6, 3, depth_multiplier=2)(torch.ones(2, 10, 4)).shape
    torch.Size([2, 8, 6])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class SeparableConv2D(BaseSeparableConv):
    """Depthwise then pointwise 2-D convolution.

    A depthwise convolution (``depthwise_kernel``, ``(*kernel_size, in_channels, depth_multiplier)``)
    followed by a 1x1 convolution mixing the channels (``pointwise_kernel``,
    ``(1, ..., 1, in_channels * depth_multiplier, filters)``), then the bias and the activation.

    Args:
        filters: int: the number of output channels (of the pointwise convolution).
        kernel_size: int or tuple of 2 ints: the size of the depthwise convolution window.
        strides: int or tuple of 2 ints, default 1: the step of the depthwise window.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 2 ints, default 1: the spacing of the depthwise kernel's taps.
        depth_multiplier: int, default 1: the number of depthwise output channels per input channel.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        depthwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            depthwise kernel.
        pointwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            pointwise kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        depthwise_regularizer: str, regularizer or None, default None: a penalty on the depthwise kernel.
        pointwise_regularizer: str, regularizer or None, default None: a penalty on the pointwise kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        depthwise_constraint: str, constraint or None, default None: a constraint applied to the depthwise
            kernel after each optimizer update.
        pointwise_constraint: str, constraint or None, default None: a constraint applied to the pointwise
            kernel after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to the bias after each
            optimizer update.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_height, new_width, filters)`` (channels last) or
        ``(batch_size, filters, new_height, new_width)`` (channels first), where each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` padding and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides``, ``dilation_rate`` or ``depth_multiplier``
            that is not positive, an unknown ``padding`` or ``data_format``; when building, inputs of
            another rank, an unknown channel axis, or an empty output.

    >>> import torch
    >>> SeparableConv2D(8, 3, strides=2, padding="same")(torch.ones(2, 9, 9, 4)).shape
    torch.Size([2, 5, 5, 8])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, *args, **kwargs)


SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
register_builtin("keras.layers", name="SeparableConvolution1D")(SeparableConv1D)
register_builtin("keras.layers", name="SeparableConvolution2D")(SeparableConv2D)
