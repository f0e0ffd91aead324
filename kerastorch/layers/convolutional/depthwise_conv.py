"""``DepthwiseConv1D``, ``DepthwiseConv2D``: :class:`BaseDepthwiseConv` with the rank fixed.

Arguments (Keras names and defaults): ``kernel_size, strides=1, padding="valid",
depth_multiplier=1, data_format=None, dilation_rate=1, activation=None,
use_bias=True, depthwise_initializer="glorot_uniform", bias_initializer="zeros",
depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
depthwise_constraint=None, bias_constraint=None``.
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution: each channel of ``(batch, steps, channels)`` gets its own filters.

    Input channel ``c`` is convolved with ``depth_multiplier`` filters of its own, giving output
    channels ``c * depth_multiplier + m``; the kernel has shape
    ``(*kernel_size, in_channels, depth_multiplier)``. Unlike ``Conv``, strides and dilation
    above 1 may be combined.

    Args:
        kernel_size: int or tuple of 1 int: the size of the convolution window.
        strides: int or tuple of 1 int, default 1: the step of the window.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        depth_multiplier: int, default 1: the number of output channels per input channel.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 1 int, default 1: the spacing of the kernel's taps.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        depthwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            depthwise kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        depthwise_regularizer: str, regularizer or None, default None: a penalty on the depthwise kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        depthwise_constraint: str, constraint or None, default None: a constraint applied to the depthwise
            kernel after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to the bias after each
            optimizer update.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_steps, channels * depth_multiplier)`` (channels last) or
        ``(batch_size, channels * depth_multiplier, new_steps)`` (channels first), where each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` padding and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``kernel_size``, ``strides``, ``dilation_rate`` or ``depth_multiplier`` that is not
            positive, an unknown ``padding`` or ``data_format``; when building, inputs of another rank,
            an unknown channel axis, or an empty output.

    >>> import torch
    >>> DepthwiseConv1D(3, depth_multiplier=2)(torch.ones(2, 10, 4)).shape
    torch.Size([2, 8, 8])
    """

    def __init__(self, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(1, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution: each channel of an image gets its own filters.

    Input channel ``c`` is convolved with ``depth_multiplier`` filters of its own, giving output
    channels ``c * depth_multiplier + m``; the kernel has shape
    ``(*kernel_size, in_channels, depth_multiplier)``. Unlike ``Conv``, strides and dilation
    above 1 may be combined.

    Args:
        kernel_size: int or tuple of 2 ints: the size of the convolution window.
        strides: int or tuple of 2 ints, default 1: the step of the window.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        depth_multiplier: int, default 1: the number of output channels per input channel.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 2 ints, default 1: the spacing of the kernel's taps.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        depthwise_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            depthwise kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        depthwise_regularizer: str, regularizer or None, default None: a penalty on the depthwise kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        depthwise_constraint: str, constraint or None, default None: a constraint applied to the depthwise
            kernel after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to the bias after each
            optimizer update.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_height, new_width, channels * depth_multiplier)`` (channels last) or
        ``(batch_size, channels * depth_multiplier, new_height, new_width)`` (channels first), where each
        new size is ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"``
        padding and ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``kernel_size``, ``strides``, ``dilation_rate`` or ``depth_multiplier`` that is not
            positive, an unknown ``padding`` or ``data_format``; when building, inputs of another rank,
            an unknown channel axis, or an empty output.

    >>> import torch
    >>> DepthwiseConv2D(3, padding="same")(torch.ones(2, 8, 8, 4)).shape
    torch.Size([2, 8, 8, 4])
    """

    def __init__(self, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(2, kernel_size, *args, **kwargs)
