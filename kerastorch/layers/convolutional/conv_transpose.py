"""``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose``: :class:`BaseConvTranspose` with the rank fixed.

Arguments (Keras names and defaults): ``filters, kernel_size, strides=1,
padding="valid", output_padding=None, data_format=None, dilation_rate=1,
activation=None, use_bias=True, kernel_initializer="glorot_uniform",
bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
activity_regularizer=None, kernel_constraint=None, bias_constraint=None``
(Conv3DTranspose takes ``data_format`` before ``output_padding``, as in Keras).
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution (upsampling a sequence).

    The gradient of a convolution with respect to its input; the kernel has shape
    ``(*kernel_size, filters, in_channels)``.

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 1 int: the size of the convolution window.
        strides: int or tuple of 1 int, default 1: the upsampling step; strides above 1
            cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` or ``"same"`` (the output is ``n * strides``
            long).
        output_padding: int or tuple of 1 int or None, default None: extra size added to one side of each
            output axis (smaller than ``strides``); None infers the output size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 1 int, default 1: the spacing of the kernel's taps.
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
        ``(batch_size, filters, new_steps)`` (channels first), where, with ``k`` the dilated
        kernel extent ``dilation_rate * (kernel_size - 1) + 1``, each new size is
        ``n * strides + max(k - strides, 0)`` for ``"valid"`` and ``n * strides`` for ``"same"`` without
        ``output_padding``, and ``(n - 1) * strides + k - 2 * p + output_padding`` with it (``p`` is
        ``k // 2`` for ``"same"``, 0 for ``"valid"``).

    Raises:
        TypeError: a ``groups`` argument (transposed convolutions take none).
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            an ``output_padding`` not smaller than ``strides``, an unknown ``padding`` or
            ``data_format``, strides and dilation both above 1; when building, inputs of another rank
            or an unknown channel axis.

    >>> import torch
    >>> Conv1DTranspose(4, 3, strides=2, padding="same")(torch.ones(2, 5, 3)).shape
    torch.Size([2, 10, 4])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution (upsampling an image).

    The gradient of a convolution with respect to its input; the kernel has shape
    ``(*kernel_size, filters, in_channels)``.

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 2 ints: the size of the convolution window.
        strides: int or tuple of 2 ints, default 1: the upsampling step; strides above 1
            cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` or ``"same"`` (the output is ``n * strides``
            long).
        output_padding: int or tuple of 2 ints or None, default None: extra size added to one side of each
            output axis (smaller than ``strides``); None infers the output size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 2 ints, default 1: the spacing of the kernel's taps.
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
        ``(batch_size, filters, new_height, new_width)`` (channels first), where, with ``k`` the dilated
        kernel extent ``dilation_rate * (kernel_size - 1) + 1``, each new size is
        ``n * strides + max(k - strides, 0)`` for ``"valid"`` and ``n * strides`` for ``"same"`` without
        ``output_padding``, and ``(n - 1) * strides + k - 2 * p + output_padding`` with it (``p`` is
        ``k // 2`` for ``"same"``, 0 for ``"valid"``).

    Raises:
        TypeError: a ``groups`` argument (transposed convolutions take none).
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            an ``output_padding`` not smaller than ``strides``, an unknown ``padding`` or
            ``data_format``, strides and dilation both above 1; when building, inputs of another rank
            or an unknown channel axis.

    >>> import torch
    >>> Conv2DTranspose(4, 3, strides=2)(torch.ones(2, 5, 5, 3)).shape
    torch.Size([2, 11, 11, 4])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class Conv3DTranspose(BaseConvTranspose):
    """3-D transposed convolution (upsampling a volume).

    The gradient of a convolution with respect to its input; the kernel has shape
    ``(*kernel_size, filters, in_channels)``.

    Only ``filters``, ``kernel_size``, ``strides``, ``padding``, ``data_format`` and
    ``output_padding`` may be given by position (Keras's order for this layer).

    Args:
        filters: int: the number of output channels.
        kernel_size: int or tuple of 3 ints: the size of the convolution window.
        strides: int or tuple of 3 ints, default 1: the upsampling step; strides above 1
            cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: ``"valid"`` or ``"same"`` (the output is ``n * strides``
            long).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        output_padding: int or tuple of 3 ints or None, default None: extra size added to one side of each
            output axis (smaller than ``strides``); None infers the output size.
        dilation_rate: int or tuple of 3 ints, default 1: the spacing of the kernel's taps.
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
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_depth, new_height, new_width, filters)`` (channels last) or
        ``(batch_size, filters, new_depth, new_height, new_width)`` (channels first), where, with ``k``
        the dilated kernel extent ``dilation_rate * (kernel_size - 1) + 1``, each new size is
        ``n * strides + max(k - strides, 0)`` for ``"valid"`` and ``n * strides`` for ``"same"`` without
        ``output_padding``, and ``(n - 1) * strides + k - 2 * p + output_padding`` with it (``p`` is
        ``k // 2`` for ``"same"``, 0 for ``"valid"``).

    Raises:
        TypeError: a ``groups`` argument (transposed convolutions take none).
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            an ``output_padding`` not smaller than ``strides``, an unknown ``padding`` or
            ``data_format``, strides and dilation both above 1; when building, inputs of another rank
            or an unknown channel axis.

    >>> import torch
    >>> Conv3DTranspose(2, 2, strides=2)(torch.ones(1, 2, 3, 4, 3)).shape
    torch.Size([1, 4, 6, 8, 2])
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        output_padding: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            3,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            output_padding=output_padding,
            **kwargs,
        )


Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
)
for _alias, _cls in (
    ("Convolution1DTranspose", Conv1DTranspose),
    ("Convolution2DTranspose", Conv2DTranspose),
    ("Convolution3DTranspose", Conv3DTranspose),
):
    register_builtin("keras.layers", name=_alias)(_cls)
