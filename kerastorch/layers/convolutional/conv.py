"""``Conv1D``, ``Conv2D``, ``Conv3D``: :class:`BaseConv` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", data_format=None, dilation_rate=1, groups=1, activation=None,
use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
kernel_constraint=None, bias_constraint=None``.
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.layers.convolutional.base_conv import BaseConv
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Conv1D(BaseConv):
    """1-D convolution over ``(batch, steps, channels)``; ``padding="causal"`` pads only the past.

    ``activation(conv(inputs, kernel) + bias)``; the kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``.

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 1 int: the size of the convolution window.
        strides: int or tuple of 1 int, default 1: the step of the window; strides above 1 cannot be
            combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` (no padding), ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``) or ``"causal"`` (pads the start only, so output step
            ``t`` sees input steps ``<= t``).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 1 int, default 1: the spacing of the kernel's taps (dilated
            convolution).
        groups: int, default 1: the number of channel groups convolved separately; the input channels
            and ``filters`` must both be divisible by it.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            convolution kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        kernel_regularizer: str, regularizer or None, default None: a penalty on the kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to the kernel after
            each optimizer update.
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
        ``ceil(n / strides)`` for ``"same"`` and ``"causal"``.

    Raises:
        ValueError: a ``filters``, ``groups``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not
            positive, an unknown ``padding`` or ``data_format``, strides and dilation both above 1,
            ``filters`` not divisible by ``groups``; when building, inputs of another rank, an unknown
            channel axis, channels not divisible by ``groups``, or an empty output.

    >>> import torch
    >>> Conv1D(4, 3, padding="causal")(torch.ones(2, 10, 3)).shape
    torch.Size([2, 10, 4])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv2D(BaseConv):
    """2-D convolution over ``(batch, height, width, channels)`` images.

    ``activation(conv(inputs, kernel) + bias)``; the kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``.

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 2 ints: the size of the convolution window.
        strides: int or tuple of 2 ints, default 1: the step of the window; strides above 1 cannot be
            combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 2 ints, default 1: the spacing of the kernel's taps (dilated
            convolution).
        groups: int, default 1: the number of channel groups convolved separately; the input channels
            and ``filters`` must both be divisible by it.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            convolution kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        kernel_regularizer: str, regularizer or None, default None: a penalty on the kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to the kernel after
            each optimizer update.
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
        ValueError: a ``filters``, ``groups``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not
            positive, an unknown ``padding`` or ``data_format``, strides and dilation both above 1,
            ``filters`` not divisible by ``groups``; when building, inputs of another rank, an unknown
            channel axis, channels not divisible by ``groups``, or an empty output.

    >>> import torch
    >>> Conv2D(8, 3, strides=2, padding="same")(torch.ones(2, 9, 9, 3)).shape
    torch.Size([2, 5, 5, 8])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv3D(BaseConv):
    """3-D convolution over ``(batch, depth, height, width, channels)`` volumes.

    ``activation(conv(inputs, kernel) + bias)``; the kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``.

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 3 ints: the size of the convolution window.
        strides: int or tuple of 3 ints, default 1: the step of the window; strides above 1 cannot be
            combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (zero-pads evenly so the
            output size is ``ceil(n / strides)``).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 3 ints, default 1: the spacing of the kernel's taps (dilated
            convolution).
        groups: int, default 1: the number of channel groups convolved separately; the input channels
            and ``filters`` must both be divisible by it.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            convolution kernel.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the bias vector.
        kernel_regularizer: str, regularizer or None, default None: a penalty on the kernel.
        bias_regularizer: str, regularizer or None, default None: a penalty on the bias.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to the kernel after
            each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to the bias after each
            optimizer update.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_depth, new_height, new_width, filters)`` (channels last) or
        ``(batch_size, filters, new_depth, new_height, new_width)`` (channels first), where each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` padding and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``groups``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not
            positive, an unknown ``padding`` or ``data_format``, strides and dilation both above 1,
            ``filters`` not divisible by ``groups``; when building, inputs of another rank, an unknown
            channel axis, channels not divisible by ``groups``, or an empty output.

    >>> import torch
    >>> Conv3D(2, 3)(torch.ones(1, 4, 5, 6, 3)).shape
    torch.Size([1, 2, 3, 4, 2])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, *args, **kwargs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
for _alias, _cls in (("Convolution1D", Conv1D), ("Convolution2D", Conv2D), ("Convolution3D", Conv3D)):
    register_builtin("keras.layers", name=_alias)(_cls)
