"""Convolution and pooling functions of ``keras.ops.nn`` (re-exported by :mod:`kerastorch.ops.nn`).

Kernels are in Keras layout (``conv``: ``(*kernel_size, in_channels / groups, filters)``, ``depthwise_conv``:
``(*kernel_size, in_channels, multiplier)``, ``conv_transpose``: ``(*kernel_size, filters, in_channels)``) and are
permuted to torch's layout for one ``F.conv*`` call; channels-last inputs are seen as channels-first through a
``permute`` view. Padding follows Keras/TF (``kerastorch/backend/conv_utils.py``). Average pooling with
``"same"`` padding divides by the number of real (unpadded) elements, as TensorFlow and JAX do.

    >>> conv(torch.ones(1, 4, 4, 2), torch.ones(3, 3, 2, 5)).shape
    torch.Size([1, 2, 2, 5])
    >>> max_pool(torch.arange(8.0).reshape(1, 8, 1), 2)[0, :, 0]
    tensor([1., 3., 5., 7.])
"""

from __future__ import annotations

import functools
from typing import Sequence

import torch
import torch.nn.functional as F

from kerastorch.backend import conv_utils as cu
from kerastorch.backend.annotations import TensorLike
from kerastorch.ops._nn_activations import floating
from kerastorch.ops._nn_activations import tensor as tensor_like

__all__ = [
    "conv",
    "depthwise_conv",
    "separable_conv",
    "conv_transpose",
    "max_pool",
    "average_pool",
    "adaptive_max_pool",
    "adaptive_average_pool",
    "depth_to_space",
    "space_to_depth",
    "fold",
    "unfold",
]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_POOL = {
    ("max", 1): F.max_pool1d,
    ("max", 2): F.max_pool2d,
    ("max", 3): F.max_pool3d,
    ("average", 1): functools.partial(F.avg_pool1d, count_include_pad=False),
    ("average", 2): functools.partial(F.avg_pool2d, count_include_pad=False),
    ("average", 3): functools.partial(F.avg_pool3d, count_include_pad=False),
}
_ADAPTIVE = {
    ("max", 1): F.adaptive_max_pool1d,
    ("max", 2): F.adaptive_max_pool2d,
    ("max", 3): F.adaptive_max_pool3d,
    ("average", 1): F.adaptive_avg_pool1d,
    ("average", 2): F.adaptive_avg_pool2d,
    ("average", 3): F.adaptive_avg_pool3d,
}


def _channels_first(name, inputs, data_format, ranks=(1, 2, 3)):
    """``(x, rank, data_format)`` with ``x`` a channels-first view of ``inputs``."""
    x = floating(inputs)
    data_format = cu.normalize_data_format(data_format, f"ops.{name}")
    rank = x.dim() - 2
    if rank not in ranks:
        raise ValueError(
            f"ops.{name}: expected inputs of rank {', '.join(str(r + 2) for r in ranks)} "
            f"(batch, spatial..., channels), received shape {tuple(x.shape)}"
        )
    if data_format == "channels_last":
        x = x.permute(cu.to_channels_first_perm(rank))
    return x, rank, data_format


def _restore(y, rank, data_format):
    return y.permute(cu.to_channels_last_perm(rank)) if data_format == "channels_last" else y


def _pad_input(name, x, kernels, strides, dilations, padding):
    """``(x, torch_padding)``: ``x`` padded for Keras's rules when torch's symmetric padding cannot do it."""
    padding = cu.normalize_padding(
        padding, ("valid", "same", "causal") if x.dim() == 3 else ("valid", "same"), f"ops.{name}"
    )
    spatial = tuple(x.shape[2:])
    cu.check_output_size(spatial, kernels, strides, dilations, padding, f"ops.{name}")
    torch_padding, pad = cu.conv_geometry(spatial, kernels, strides, dilations, padding)
    return (x if pad is None else F.pad(x, pad)), torch_padding


def _kernel(name: str, kernel: TensorLike, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    kernel = floating(kernel)
    if kernel.dtype != x.dtype or kernel.device != x.device:
        kernel = kernel.to(device=x.device, dtype=torch.promote_types(kernel.dtype, x.dtype))
        x = x.to(kernel.dtype)
    if kernel.dim() != x.dim():
        raise ValueError(
            f"ops.{name}: expected a kernel of rank {x.dim()} for inputs of rank {x.dim()}, "
            f"received kernel shape {tuple(kernel.shape)}"
        )
    return kernel, x


def _conv(name, x, weight, strides, padding, dilation_rate, groups, rank):
    strides = cu.normalize_tuple(strides, rank, "strides", f"ops.{name}")
    dilations = cu.normalize_tuple(dilation_rate, rank, "dilation_rate", f"ops.{name}")
    x, torch_padding = _pad_input(name, x, tuple(weight.shape[2:]), strides, dilations, padding)
    return _CONV[rank](x, weight, None, strides, torch_padding, dilations, groups)


def conv(
    inputs: TensorLike,
    kernel: TensorLike,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """N-D convolution (1-D to 3-D) of ``inputs`` with a Keras-layout kernel, without bias.

    The kernel has shape ``(*kernel_size, in_channels / groups, filters)``; when its input-channel size is a divisor of
    the input's channels, the convolution is grouped with ``groups = in_channels / kernel.shape[-2]``. Rank-3 inputs
    also take ``padding="causal"`` (left padding only).

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        kernel: tensor or array: the kernel ``(*kernel_size, in_channels / groups, filters)``, of the inputs' rank.
        strides: int or tuple of ints, default ``1``: the step of the window along each spatial axis.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (pad so that the output size is
            ``ceil(input / strides)``, extra padding at the end, as Keras and TensorFlow do); rank-3 inputs also take
            ``"causal"``.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.
        dilation_rate: int or tuple of ints, default ``1``: the spacing between kernel taps along each spatial axis.

    Returns:
        A tensor ``(batch, *output_spatial, filters)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, an unknown ``data_format`` or ``padding``, a kernel of
            another rank, input channels that are not a multiple of ``kernel.shape[-2]``, or a window larger than the
            (padded) input.

    Example:
        >>> conv(torch.ones(1, 5, 1), torch.ones(3, 1, 1))[0, :, 0]
        tensor([3., 3., 3.])
        >>> conv(torch.ones(1, 4, 4, 2), torch.ones(3, 3, 2, 5), padding="same").shape
        torch.Size([1, 4, 4, 5])
    """
    x, rank, data_format = _channels_first("conv", inputs, data_format)
    kernel, x = _kernel("conv", kernel, x)
    in_channels, group_channels = x.shape[1], kernel.shape[-2]
    if group_channels == 0 or in_channels % group_channels:
        raise ValueError(
            f"ops.conv: the input channels ({in_channels}) must be a multiple of the kernel's "
            f"input channels (kernel.shape[-2]={group_channels}), received kernel shape "
            f"{tuple(kernel.shape)} for inputs of shape {tuple(_restore(x, rank, data_format).shape)}"
        )
    weight = kernel.permute((rank + 1, rank) + tuple(range(rank))).contiguous()
    y = _conv("conv", x, weight, strides, padding, dilation_rate, in_channels // group_channels, rank)
    return _restore(y, rank, data_format)


def depthwise_conv(
    inputs: TensorLike,
    kernel: TensorLike,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """Depthwise N-D convolution: each input channel is convolved with its own ``multiplier`` filters.

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        kernel: tensor or array: the kernel ``(*kernel_size, in_channels, multiplier)``, of the inputs' rank.
        strides: int or tuple of ints, default ``1``: the step of the window along each spatial axis.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (pad so that the output size is
            ``ceil(input / strides)``, extra padding at the end, as Keras and TensorFlow do); rank-3 inputs also take
            ``"causal"``.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.
        dilation_rate: int or tuple of ints, default ``1``: the spacing between kernel taps along each spatial axis.

    Returns:
        A tensor ``(batch, *output_spatial, in_channels * multiplier)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, an unknown ``data_format`` or ``padding``, a kernel of
            another rank or whose ``kernel.shape[-2]`` is not the input's channels.

    Example:
        >>> depthwise_conv(torch.ones(1, 4, 2), torch.ones(2, 2, 3)).shape
        torch.Size([1, 3, 6])
    """
    x, rank, data_format = _channels_first("depthwise_conv", inputs, data_format)
    kernel, x = _kernel("depthwise_conv", kernel, x)
    if kernel.shape[-2] != x.shape[1]:
        raise ValueError(
            f"ops.depthwise_conv: expected a kernel with {x.shape[1]} input channels "
            f"(kernel.shape[-2]), received kernel shape {tuple(kernel.shape)}"
        )
    weight = (
        kernel.reshape(tuple(kernel.shape[:rank]) + (1, -1)).permute((rank + 1, rank) + tuple(range(rank))).contiguous()
    )
    y = _conv("depthwise_conv", x, weight, strides, padding, dilation_rate, x.shape[1], rank)
    return _restore(y, rank, data_format)


def separable_conv(
    inputs: TensorLike,
    depthwise_kernel: TensorLike,
    pointwise_kernel: TensorLike,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """Separable N-D convolution: a depthwise convolution followed by a pointwise (1x1) convolution.

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        depthwise_kernel: tensor or array: the depthwise kernel ``(*kernel_size, in_channels, multiplier)``.
        pointwise_kernel: tensor or array: the pointwise kernel ``(*(1,) * rank, in_channels * multiplier, filters)``.
        strides: int or tuple of ints, default ``1``: the step of the window along each spatial axis. Applies to the
            depthwise step.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (pad so that the output size is
            ``ceil(input / strides)``, extra padding at the end, as Keras and TensorFlow do); applies to the depthwise
            step.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.
        dilation_rate: int or tuple of ints, default ``1``: the spacing between kernel taps along each spatial axis.
            Applies to the depthwise step.

    Returns:
        A tensor ``(batch, *output_spatial, filters)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: as :func:`depthwise_conv` and :func:`conv` do for their kernels.

    Example:
        >>> separable_conv(torch.ones(1, 4, 2), torch.ones(2, 2, 1), torch.ones(1, 2, 5)).shape
        torch.Size([1, 3, 5])
    """
    data_format = cu.normalize_data_format(data_format, "ops.separable_conv")
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1)


def conv_transpose(
    inputs: TensorLike,
    kernel: TensorLike,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    output_padding: int | Sequence[int] | None = None,
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """N-D transposed convolution (the gradient of :func:`conv` with respect to its input), without bias.

    Output sizes follow Keras: without ``output_padding``, an axis of size ``n`` becomes ``n * strides + max(kernel -
    strides, 0)`` with ``"valid"`` and ``n * strides`` with ``"same"`` (``kernel`` the dilated kernel size).

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        kernel: tensor or array: the kernel ``(*kernel_size, filters, in_channels)``, of the inputs' rank.
        strides: int or tuple of ints, default ``1``: the step of the window along each spatial axis.
        padding: str, default ``"valid"``: ``"valid"`` or ``"same"``.
        output_padding: int, tuple of ints or None, default ``None``: when given, each output size is ``(n - 1) *
            strides + kernel - 2 * pad + output_padding``, ``pad`` being 0 for ``"valid"`` and ``kernel // 2`` for
            ``"same"``; None gives the sizes above.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.
        dilation_rate: int or tuple of ints, default ``1``: the spacing between kernel taps along each spatial axis.

    Returns:
        A tensor ``(batch, *output_spatial, filters)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, an unknown ``data_format`` or ``padding``, or a kernel of
            another rank or whose ``kernel.shape[-1]`` is not the input's channels.

    Example:
        >>> conv_transpose(torch.ones(1, 3, 1), torch.ones(2, 4, 1), strides=2).shape
        torch.Size([1, 6, 4])
    """
    name = "conv_transpose"
    x, rank, data_format = _channels_first(name, inputs, data_format)
    kernel, x = _kernel(name, kernel, x)
    if kernel.shape[-1] != x.shape[1]:
        raise ValueError(
            f"ops.conv_transpose: expected a kernel with {x.shape[1]} input channels "
            f"(kernel.shape[-1]), received kernel shape {tuple(kernel.shape)}"
        )
    label = f"ops.{name}"
    padding = cu.normalize_padding(padding, ("valid", "same"), label)
    strides = cu.normalize_tuple(strides, rank, "strides", label)
    dilations = cu.normalize_tuple(dilation_rate, rank, "dilation_rate", label)
    output_paddings = (
        (None,) * rank
        if output_padding is None
        else cu.normalize_tuple(output_padding, rank, "output_padding", label, allow_zero=True)
    )
    kernels = tuple(kernel.shape[:rank])
    torch_padding, torch_output_padding, lengths = cu.transpose_geometry(
        tuple(x.shape[2:]), kernels, strides, dilations, padding, output_paddings
    )
    weight = kernel.permute((rank + 1, rank) + tuple(range(rank))).contiguous()
    if any(op >= max(s, d) for op, s, d in zip(torch_output_padding, strides, dilations)):
        y = _CONV_T[rank](x, weight, None, strides, torch_padding, 0, 1, dilations)  # torch limits output_padding
        y = F.pad(y, tuple(v for op in reversed(torch_output_padding) for v in (0, op)))
    else:
        y = _CONV_T[rank](x, weight, None, strides, torch_padding, torch_output_padding, 1, dilations)
    if lengths is not None:
        y = y[(slice(None), slice(None)) + tuple(slice(0, n) for n in lengths)]
    return _restore(y, rank, data_format)


def _pool(mode, inputs, pool_size, strides, padding, data_format):
    name = f"{mode}_pool"
    label = f"ops.{name}"
    x, rank, data_format = _channels_first(name, inputs, data_format)
    pool_size = cu.normalize_tuple(pool_size, rank, "pool_size", label)
    strides = pool_size if strides is None else cu.normalize_tuple(strides, rank, "strides", label)
    padding = cu.normalize_padding(padding, ("valid", "same"), label)
    spatial = tuple(x.shape[2:])
    cu.check_output_size(spatial, pool_size, strides, (1,) * rank, padding, label)
    if mode == "average" and rank == 3 and any(n < k for n, k in zip(spatial, pool_size)):
        pad = cu.explicit_padding(spatial, pool_size, strides, (1, 1, 1), padding)
        sums = F.avg_pool3d(F.pad(x, pad), pool_size, strides, divisor_override=1)
        counts = F.avg_pool3d(F.pad(x.new_ones((1, 1) + spatial), pad), pool_size, strides, divisor_override=1)
        return _restore(sums / counts, rank, data_format)
    sizes, steps, torch_padding, ceil_mode, trims = cu.pool_geometry(spatial, pool_size, strides, padding)
    y = _POOL[mode, rank](x, sizes, steps, torch_padding, ceil_mode=ceil_mode)
    if trims is not None:
        for axis, trim in enumerate(trims, start=2):
            if trim:
                y = y.narrow(axis, trim, y.shape[axis] - trim)
    return _restore(y, rank, data_format)


def max_pool(
    inputs: TensorLike,
    pool_size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Max pooling over windows of ``pool_size`` along the spatial axes of a rank 3 to 5 batch.

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        pool_size: int or tuple of ints: the window size along each spatial axis.
        strides: int, tuple of ints or None, default ``None``: the window step; None uses ``pool_size``.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (pad so that the output size is
            ``ceil(input / strides)``, extra padding at the end, as Keras and TensorFlow do).
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.

    Returns:
        The pooled tensor, laid out as ``inputs``.

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, an unknown ``data_format`` or ``padding``, or a window
            larger than the (padded) input.

    Example:
        >>> max_pool(torch.tensor([[[1.0], [3.0], [2.0], [0.0]]]), 2)[0, :, 0]
        tensor([3., 2.])
    """
    return _pool("max", inputs, pool_size, strides, padding, data_format)


def average_pool(
    inputs: TensorLike,
    pool_size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Average pooling over windows of ``pool_size`` along the spatial axes of a rank 3 to 5 batch.

    With ``"same"`` padding each window is divided by its number of real (unpadded) entries, as TensorFlow and JAX do.

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        pool_size: int or tuple of ints: the window size along each spatial axis.
        strides: int, tuple of ints or None, default ``None``: the window step; None uses ``pool_size``.
        padding: str, default ``"valid"``: ``"valid"`` (no padding) or ``"same"`` (pad so that the output size is
            ``ceil(input / strides)``, extra padding at the end, as Keras and TensorFlow do).
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.

    Returns:
        The pooled tensor, laid out as ``inputs``.

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, an unknown ``data_format`` or ``padding``, or a window
            larger than the (padded) input.

    Example:
        >>> average_pool(torch.tensor([[[1.0], [3.0], [2.0], [0.0]]]), 2)[0, :, 0]
        tensor([2., 1.])
        >>> average_pool(torch.tensor([[[1.0], [3.0], [2.0]]]), 2, padding="same")[0, :, 0]
        tensor([2., 2.])
    """
    return _pool("average", inputs, pool_size, strides, padding, data_format)


def _adaptive(mode, inputs, output_size, data_format):
    name = f"adaptive_{mode}_pool"
    x, rank, data_format = _channels_first(name, inputs, data_format)
    output_size = cu.normalize_tuple(output_size, rank, "output_size", f"ops.{name}")
    return _restore(_ADAPTIVE[mode, rank](x, output_size), rank, data_format)


def adaptive_max_pool(
    inputs: TensorLike, output_size: int | Sequence[int], data_format: str | None = None
) -> torch.Tensor:
    """Max pooling to a fixed spatial ``output_size``, whatever the input size (torch's adaptive windows).

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        output_size: int or tuple of ints: the spatial size of the output.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.

    Returns:
        A tensor ``(batch, *output_size, channels)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, or an unknown ``data_format``.

    Example:
        >>> adaptive_max_pool(torch.tensor([[[1.0], [5.0], [2.0], [0.0]]]), 2)[0, :, 0]
        tensor([5., 2.])
    """
    return _adaptive("max", inputs, output_size, data_format)


def adaptive_average_pool(
    inputs: TensorLike, output_size: int | Sequence[int], data_format: str | None = None
) -> torch.Tensor:
    """Average pooling to a fixed spatial ``output_size``, whatever the input size (torch's adaptive windows).

    Args:
        inputs: tensor or array: a batch of rank 3, 4 or 5 (1 to 3 spatial axes) laid out as ``data_format`` says;
            integer inputs are computed in ``floatx()``.
        output_size: int or tuple of ints: the spatial size of the output.
        data_format: str or None, default ``None``: ``"channels_last"`` (``(batch, *spatial, channels)``) or
            ``"channels_first"`` (``(batch, channels, *spatial)``); None uses ``config.image_data_format()``.

    Returns:
        A tensor ``(batch, *output_size, channels)`` (channels first with ``"channels_first"``).

    Raises:
        ValueError: for inputs that are not of rank 3 to 5, or an unknown ``data_format``.

    Example:
        >>> adaptive_average_pool(torch.tensor([[[1.0], [5.0], [2.0], [0.0]]]), 2)[0, :, 0]
        tensor([3., 1.])
    """
    return _adaptive("average", inputs, output_size, data_format)


def _block_input(name: str, x: TensorLike, block_size: int, data_format: str | None) -> tuple[torch.Tensor, str]:
    """``x`` as a tensor and the normalized ``data_format`` of ``depth_to_space`` / ``space_to_depth``."""
    x = tensor_like(x)
    if x.dim() != 4:
        raise ValueError(
            f"ops.{name}: expected a rank-4 input (batch, height, width, channels), received shape {tuple(x.shape)}"
        )
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"ops.{name}: block_size must be an int >= 2, received block_size={block_size!r}")
    return x, cu.normalize_data_format(data_format, f"ops.{name}")


def depth_to_space(x: TensorLike, block_size: int, data_format: str | None = "channels_last") -> torch.Tensor:
    """Rearranges channel blocks into ``block_size x block_size`` spatial tiles (a pixel shuffle).

    Args:
        x: tensor or array: a rank-4 batch of images.
        block_size: int: the tile size, at least 2; the channels must be divisible by ``block_size**2``.
        data_format: str, default ``"channels_last"``: ``"channels_last"`` ``(batch, height, width, channels)`` or
            ``"channels_first"`` ``(batch, channels, height, width)``.

    Returns:
        A tensor ``(batch, height * block_size, width * block_size, channels / block_size**2)`` (channels first with
        ``"channels_first"``), of the dtype of ``x``.

    Raises:
        ValueError: for an input that is not of rank 4, a ``block_size`` that is not an int >= 2, or channels not
            divisible by ``block_size**2``.

    Example:
        >>> depth_to_space(torch.arange(4.0).reshape(1, 1, 1, 4), 2)[0, :, :, 0]
        tensor([[0., 1.],
                [2., 3.]])
    """
    x, data_format = _block_input("depth_to_space", x, block_size, data_format)
    if data_format == "channels_first":
        return F.pixel_shuffle(x, block_size)
    n, h, w, c = x.shape
    if c % (block_size * block_size):
        raise ValueError(
            f"ops.depth_to_space: channels ({c}) must be divisible by block_size**2 ({block_size * block_size})"
        )
    b = block_size
    y = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h * b, w * b, c // (b * b))


def space_to_depth(x: TensorLike, block_size: int, data_format: str | None = "channels_last") -> torch.Tensor:
    """Rearranges ``block_size x block_size`` spatial tiles into channels, the inverse of :func:`depth_to_space`.

    Args:
        x: tensor or array: a rank-4 batch of images.
        block_size: int: the tile size, at least 2; height and width must be divisible by it.
        data_format: str, default ``"channels_last"``: ``"channels_last"`` ``(batch, height, width, channels)`` or
            ``"channels_first"`` ``(batch, channels, height, width)``.

    Returns:
        A tensor ``(batch, height / block_size, width / block_size, channels * block_size**2)`` (channels first with
        ``"channels_first"``), of the dtype of ``x``.

    Raises:
        ValueError: for an input that is not of rank 4, a ``block_size`` that is not an int >= 2, or a height or width
            not divisible by ``block_size``.

    Example:
        >>> space_to_depth(torch.arange(4.0).reshape(1, 2, 2, 1), 2)
        tensor([[[[0., 1., 2., 3.]]]])
    """
    x, data_format = _block_input("space_to_depth", x, block_size, data_format)
    if data_format == "channels_first":
        return F.pixel_unshuffle(x, block_size)
    n, h, w, c = x.shape
    b = block_size
    if h % b or w % b:
        raise ValueError(
            f"ops.space_to_depth: height and width must be divisible by block_size={b}, received shape {tuple(x.shape)}"
        )
    y = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h // b, w // b, b * b * c)


def unfold(
    x: TensorLike,
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> torch.Tensor:
    """Extracts sliding local blocks of a channels-first batch ``(N, C, H, W)`` into columns (``F.unfold``, im2col).

    Args:
        x: tensor or array: a batch ``(N, C, H, W)``; integer inputs are computed in ``floatx()``.
        kernel_size: int or pair of ints: the block size.
        dilation: int or pair of ints, default ``1``: the spacing between block entries.
        padding: int or pair of ints, default ``0``: zero padding added on both sides of each spatial axis.
        stride: int or pair of ints, default ``1``: the step between blocks.

    Returns:
        A tensor ``(N, C * kh * kw, L)``, ``L`` the number of blocks.

    Example:
        >>> unfold(torch.ones(1, 2, 3, 3), 2).shape
        torch.Size([1, 8, 4])
    """
    return F.unfold(floating(x), kernel_size, dilation, padding, stride)


def fold(
    x: TensorLike,
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> torch.Tensor:
    """Sums columns of sliding local blocks ``(N, C * kh * kw, L)`` back into a batch ``(N, C, *output_size)``
    (``F.fold``, the adjoint of :func:`unfold`).

    Overlapping entries are summed.

    Args:
        x: tensor or array: the columns ``(N, C * kh * kw, L)``; integer inputs are computed in ``floatx()``.
        output_size: int or pair of ints: the spatial size ``(H, W)`` of the output.
        kernel_size: int or pair of ints: the block size.
        dilation: int or pair of ints, default ``1``: the spacing between block entries.
        padding: int or pair of ints, default ``0``: the padding that :func:`unfold` added.
        stride: int or pair of ints, default ``1``: the step between blocks.

    Returns:
        A tensor ``(N, C, *output_size)``.

    Example:
        >>> fold(torch.ones(1, 4, 4), (3, 3), 2)[0, 0]
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    return F.fold(floating(x), output_size, kernel_size, dilation, padding, stride)
