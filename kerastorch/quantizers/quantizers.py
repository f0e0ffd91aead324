"""Quantizer functions and classes of ``keras.quantizers``, on torch tensors.

Every function follows Keras 3.15's arithmetic, operation by operation, so that the same float weights give
the same quantized values and scales (bit for bit on CPU):

- :func:`abs_max_quantize`: symmetric quantization, ``scale = value_range[1] / (max|x| + epsilon)`` along
  ``axis`` (kept), ``q = clip(round(x * scale))``, rounding half to even; ``x ~ q / scale``.
- :func:`abs_max_quantize_grouped_with_zero_point`: asymmetric quantization of a 2-D kernel in groups of
  ``block_size`` rows, one scale and zero point per group and column, ``x ~ (q - zero) * scale``; both of
  Keras's algorithms (``to_numpy`` picks one, as in Keras). As in Keras, the zero point is clipped to the
  quantized range, so a group whose values all lie far from zero saturates.
- :func:`pack_int4` / :func:`unpack_int4`: two int4 values per byte along an axis (low nibble first).
- :func:`quantize_and_dequantize`, :func:`compute_float8_scale`, :func:`compute_float8_amax_history`: the
  float8 building blocks of delayed scaling (the scale is a divisor: ``x ~ q * scale``).
- :func:`fake_quant_with_min_max_vars`: TensorFlow's fake quantization with nudged ranges and its gradients.

Functions accept tensors, NumPy arrays, lists and numbers, and return torch tensors.

Example:
    >>> q, scale = abs_max_quantize(torch.tensor([[1.0, -2.0, 0.5]]), axis=-1)
    >>> q, scale
    (tensor([[  64, -127,   32]], dtype=torch.int8), tensor([[63.5000]]))
    >>> AbsMaxQuantizer(axis=-1).get_config()["axis"]
    (-1,)
"""

from __future__ import annotations

import math
import numbers
import re
from typing import TYPE_CHECKING, Any, Sequence, overload

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.serialization import object_registration as registry
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

if TYPE_CHECKING:
    from kerastorch.quantizers.quantization_config import QuantizationConfig

_MODULE = "keras.quantizers"
_FLOAT8_MAX = {"float8_e4m3fn": 448.0, "float8_e5m2": 57344.0}


# ------------------------------------------------------------------ helpers
def _tensor(x: TensorLike, dtype: torch.dtype | None = None, device: torch.device | None = None) -> torch.Tensor:
    """``x`` as a tensor (NumPy float64 becomes floatx, as Keras converts it)."""
    if isinstance(x, torch.Tensor):
        tensor = x
    else:
        array = np.asarray(x)
        if array.dtype == object:
            tensor = torch.as_tensor(x)
        else:
            tensor = torch.from_numpy(array if array.flags.c_contiguous else np.ascontiguousarray(array))
        if tensor.dtype == torch.float64 and dtype is None:
            tensor = tensor.to(config.torch_dtype(None))
    if dtype is not None and tensor.dtype != dtype:
        tensor = tensor.to(dtype)
    if device is not None and tensor.device != device:
        tensor = tensor.to(device)
    return tensor


def _float_tensor(x: TensorLike, what: str) -> torch.Tensor:
    tensor = _tensor(x)
    if not tensor.is_floating_point():
        tensor = tensor.to(config.torch_dtype(None))
    return tensor


def _axes(axis, ndim, what):
    """``axis`` (an int or a sequence of ints) as a tuple of non-negative axes of an ``ndim``-D tensor."""
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, numbers.Integral) or not -ndim <= a < ndim:
            raise ValueError(
                f"{what}: axis must be an int or a tuple of ints in [-{ndim}, {ndim}) for inputs of "
                f"rank {ndim}, received axis={axis!r}"
            )
        out.append(int(a) % ndim)
    return tuple(out)


def _value_range(value_range, what):
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value_range)
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(
            f"{what}: value_range must be a pair (min, max) of numbers with min < max, "
            f"received value_range={value_range!r}"
        )
    return tuple(value_range)


def _integer_dtype(dtype, what, allowed=None):
    name = config.standardize_dtype(dtype)
    if not name.startswith(("int", "uint")) or (allowed and name not in allowed):
        expected = " or ".join(repr(a) for a in allowed) if allowed else "an integer dtype"
        raise ValueError(f"{what}: dtype must be {expected}, received dtype={dtype!r}")
    return name


# --------------------------------------------------------- abs-max quantize
@register_builtin("keras.quantizers")
def abs_max_quantize(
    inputs: TensorLike,
    axis: int | Sequence[int],
    value_range: Sequence[float] = (-127, 127),
    dtype: DTypeLike = "int8",
    epsilon: float = 1e-7,
    to_numpy: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantize ``inputs`` symmetrically with the absolute maximum along ``axis``.

    ``scale = value_range[1] / (max(|inputs|, axis, keepdims) + epsilon)`` and
    ``quantized = clip(round(inputs * scale), *value_range)`` (round half to even); ``quantized / scale``
    recovers the inputs up to rounding.

    Args:
        inputs: Tensor, array or nested list of floats (integers are converted to ``floatx()``).
        axis: Int or tuple of ints, the axes reduced for one scale (kept with size 1 in ``scale``).
        value_range: Pair of numbers ``(min, max)``, the range of quantized values. Defaults to
            ``(-127, 127)``.
        dtype: String or dtype, an integer dtype for the quantized values. Defaults to ``"int8"``.
        epsilon: Float, added to the maximum so that a zero slice does not divide by zero. Defaults to 1e-7.
        to_numpy: Bool, whether to compute on the host CPU (saving accelerator memory for a large weight);
            the results are moved back to the inputs' device. Defaults to False.

    Returns:
        A tuple ``(quantized, scale)`` of tensors: ``quantized`` of ``dtype`` and the inputs' shape,
        ``scale`` in the inputs' float dtype with the reduced axes of size 1.

    Raises:
        ValueError: If ``axis``, ``value_range`` or ``dtype`` is invalid.

    Example:
        >>> q, scale = abs_max_quantize(torch.tensor([[0.5, -1.0], [2.0, 1.0]]), axis=0)
        >>> q
        tensor([[  32, -127],
                [ 127,  127]], dtype=torch.int8)
        >>> (q / scale).round(decimals=2)
        tensor([[ 0.5000, -1.0000],
                [ 2.0000,  1.0000]])
    """
    what = "abs_max_quantize"
    x = _float_tensor(inputs, what)
    low, high = _value_range(value_range, what)
    target = config.torch_dtype(_integer_dtype(dtype, what))
    axes = _axes(axis, x.dim(), what)
    device = x.device
    if to_numpy and device.type != "cpu":
        x = x.cpu()
    amax = torch.amax(torch.abs(x), dim=axes, keepdim=True)
    scale = torch.div(torch.tensor(high, dtype=x.dtype, device=x.device), amax + epsilon)
    quantized = torch.clamp(torch.round(x * scale), low, high).to(target)
    return quantized.to(device), scale.to(device)


@register_builtin("keras.quantizers")
def abs_max_quantize_grouped_with_zero_point(
    inputs: TensorLike,
    block_size: int,
    value_range: Sequence[float] = (-8, 7),
    dtype: DTypeLike = "int8",
    epsilon: float = 1e-7,
    to_numpy: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize a 2-D kernel asymmetrically, one scale and zero point per group of ``block_size`` rows and
    per column.

    Rows (the input, contracting axis) are split into ``ceil(rows / block_size)`` groups. Keras 3.15 has two
    algorithms, chosen by ``to_numpy``, and this function follows each (the quantized layers use the host one):

    - ``to_numpy=False``: with several groups the last one is padded with zeros, which count in its range;
      with ``bits = floor(log2(qmax - qmin + 1))``, a constant group is widened to ``[v - 1, v + 1]``,
      ``scale = (max - min + epsilon) / (2**bits - 1)`` and ``zero = round(-min / scale) - 2**(bits-1)``
      clipped to the signed ``bits``-bit range;
    - ``to_numpy=True``: the last group is always padded with zeros, no widening,
      ``scale = (max - min + epsilon) / (qmax - qmin)`` and ``zero = clip(round(-min / scale) + qmin, qmin,
      qmax)``.

    Then ``quantized = clip(round(x / scale) + zero, qmin, qmax)`` (round half to even). Dequantize with
    ``(quantized - zero) * scale``.

    Args:
        inputs: 2-D tensor or array of floats, ``(input_dim, output_dim)``.
        block_size: Positive int, the rows per group.
        value_range: Pair ``(qmin, qmax)``, the quantized range. Defaults to ``(-8, 7)`` (int4).
        dtype: String or dtype, ``"int8"`` or ``"uint8"``, the dtype of ``quantized``. Defaults to ``"int8"``.
        epsilon: Float, added to each range so that it is never zero. Defaults to 1e-7.
        to_numpy: Bool, whether to compute on the host CPU with Keras's host algorithm (above); results
            return to the inputs' device. Defaults to False.

    Returns:
        A tuple ``(quantized, scale, zero_point)``: ``quantized`` of ``dtype`` and the inputs' shape,
        ``scale`` (floats) and ``zero_point`` (int8), both ``(n_groups, output_dim)``.

    Raises:
        ValueError: If ``inputs`` is not 2-D or an argument is invalid.

    Example:
        >>> kernel = torch.tensor([[-1.0, 14.0], [14.0, -1.0]])
        >>> q, scale, zero = abs_max_quantize_grouped_with_zero_point(kernel, block_size=2)
        >>> q, scale, zero
        (tensor([[-8,  7],
                [ 7, -8]], dtype=torch.int8), tensor([[1., 1.]]), tensor([[-7, -7]], dtype=torch.int8))
        >>> (q.float() - zero) * scale
        tensor([[-1., 14.],
                [14., -1.]])
    """
    what = "abs_max_quantize_grouped_with_zero_point"
    x = _float_tensor(inputs, what)
    if x.dim() != 2:
        raise ValueError(
            f"{what}: inputs must be a 2-D kernel (input_dim, output_dim), received shape {tuple(x.shape)}"
        )
    if isinstance(block_size, bool) or not isinstance(block_size, (int, numbers.Integral)) or block_size < 1:
        raise ValueError(f"{what}: block_size must be a positive int, received block_size={block_size!r}")
    low, high = _value_range(value_range, what)
    target = config.torch_dtype(_integer_dtype(dtype, what, ("int8", "uint8")))
    device = x.device
    if to_numpy and device.type != "cpu":
        x = x.cpu()
    rows, cols = x.shape
    groups = -(-rows // block_size)
    if groups > 1 or to_numpy:
        padded = x if groups * block_size == rows else torch.cat([x, x.new_zeros(groups * block_size - rows, cols)])
        blocks = padded.reshape(groups, block_size, cols)
    else:  # one group: no padding
        blocks = x.reshape(1, rows, cols)
    lowest, highest = torch.amin(blocks, dim=1), torch.amax(blocks, dim=1)
    if to_numpy:  # Keras's host algorithm
        scale = (highest - lowest + epsilon) / (high - low)
        zero = torch.clamp(torch.round(-lowest / scale) + low, low, high)
    else:
        flat = lowest == highest
        lowest = torch.where(flat, lowest - 1, lowest)
        highest = torch.where(flat, highest + 1, highest)
        bits = int(math.log2(high - low + 1))  # the zero point lives in the signed range of this many bits
        spread = highest - lowest
        if epsilon > 0:
            spread = spread + epsilon
        scale = spread / (2.0**bits - 1)
        scale = torch.where(scale <= 0, torch.full_like(scale, 1e-8), scale)
        zero_low, zero_high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        zero = torch.clamp(torch.round(-lowest / scale) + zero_low, zero_low, zero_high)
    index = torch.arange(rows, device=x.device) // block_size
    quantized = torch.clamp(torch.round(x / scale[index]) + zero[index], low, high).to(target)
    return quantized.to(device), scale.to(device), zero.to(torch.int8).to(device)


# ----------------------------------------------------------------- int4 packing
def _move_last(x, axis):
    return x.movedim(axis, -1) if axis != x.dim() - 1 else x


@register_builtin("keras.quantizers")
def pack_int4(arr: TensorLike, axis: int = 0, dtype: str = "int8") -> tuple[torch.Tensor, tuple[int, ...], int]:
    """Pack int4 values two per byte along ``axis``: the low nibble holds the first of each pair, the high
    nibble the second; an odd length is padded with one zero.

    Args:
        arr: Tensor or array of dtype ``dtype`` holding int4 values (``[-8, 7]`` for ``"int8"``,
            ``[0, 15]`` for ``"uint8"``).
        axis: Int, the axis to pack. Defaults to 0.
        dtype: String, ``"int8"`` or ``"uint8"``, the dtype of the input and of the packed tensor.
            Defaults to ``"int8"``.

    Returns:
        A tuple ``(packed, packed_shape, orig_len)``: the packed tensor, its shape (a tuple) and the
        original length of ``axis`` (for :func:`unpack_int4`).

    Raises:
        ValueError: If ``dtype`` is neither ``"int8"`` nor ``"uint8"``.
        TypeError: If ``arr`` does not have dtype ``dtype``.

    Example:
        >>> packed, shape, length = pack_int4(torch.tensor([[-3, 7], [2, -8], [1, 0]], dtype=torch.int8))
        >>> packed, shape, length
        (tensor([[  45, -121],
                [   1,    0]], dtype=torch.int8), (2, 2), 3)
    """
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"pack_int4: dtype must be 'int8' or 'uint8', received dtype={dtype!r}")
    x = _tensor(arr)
    if x.dtype != config.torch_dtype(dtype):
        raise TypeError(
            f"pack_int4: expected a tensor of dtype {dtype} holding int4 values, received dtype "
            f"{config.standardize_dtype(x.dtype)}"
        )
    axis = _axes(axis, x.dim(), "pack_int4")[0]
    moved = _move_last(x, axis)
    length = moved.shape[-1]
    if length % 2:
        moved = torch.cat([moved, moved.new_zeros(*moved.shape[:-1], 1)], dim=-1)
    pairs = moved.reshape(*moved.shape[:-1], -1, 2).to(torch.int16)
    packed = (pairs[..., 0] & 0x0F) | ((pairs[..., 1] & 0x0F) << 4)
    if dtype == "int8":
        packed = torch.where(packed > 127, packed - 256, packed)
    packed = packed.to(x.dtype)
    if axis != x.dim() - 1:
        packed = packed.movedim(-1, axis).contiguous()
    return packed, tuple(packed.shape), int(length)


@register_builtin("keras.quantizers")
def unpack_int4(packed: TensorLike, orig_len: int, axis: int = 0, dtype: str = "int8") -> torch.Tensor:
    """Undo :func:`pack_int4`: two int4 values from each byte along ``axis``, trimmed to ``orig_len``.

    Args:
        packed: Tensor or array of dtype ``dtype``, as :func:`pack_int4` returns it.
        orig_len: Int, the length of ``axis`` before packing.
        axis: Int, the packed axis. Defaults to 0.
        dtype: String, ``"int8"`` (values in ``[-8, 7]``) or ``"uint8"`` (values in ``[0, 15]``).
            Defaults to ``"int8"``.

    Returns:
        The unpacked tensor, of dtype ``dtype``.

    Raises:
        ValueError: If ``dtype`` is neither ``"int8"`` nor ``"uint8"``, or ``orig_len`` does not fit.

    Example:
        >>> packed, _, length = pack_int4(torch.tensor([[-3, 7, 2], [-8, 1, 0]], dtype=torch.int8), axis=1)
        >>> unpack_int4(packed, length, axis=1)
        tensor([[-3,  7,  2],
                [-8,  1,  0]], dtype=torch.int8)
    """
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"unpack_int4: dtype must be 'int8' or 'uint8', received dtype={dtype!r}")
    x = _tensor(packed)
    axis = _axes(axis, x.dim(), "unpack_int4")[0]
    moved = _move_last(x, axis).to(torch.int16) & 0xFF
    if not 0 <= orig_len <= 2 * moved.shape[-1]:
        raise ValueError(f"unpack_int4: orig_len={orig_len} does not fit a packed axis of length {moved.shape[-1]}")
    nibbles = torch.stack([moved & 0x0F, (moved >> 4) & 0x0F], dim=-1).reshape(*moved.shape[:-1], -1)
    nibbles = nibbles[..., :orig_len]
    if dtype == "int8":
        nibbles = torch.where(nibbles > 7, nibbles - 16, nibbles)
    out = nibbles.to(config.torch_dtype(dtype))
    if axis != x.dim() - 1:
        out = out.movedim(-1, axis).contiguous()
    return out


# -------------------------------------------------------------------- float8
@register_builtin("keras.quantizers")
def compute_float8_scale(amax: TensorLike, scale: TensorLike, dtype_max: float, margin: float = 0) -> torch.Tensor:
    """The next float8 scale of delayed scaling: ``amax * 2**margin / dtype_max``, or the current ``scale``
    where ``amax`` is zero or not finite.

    Args:
        amax: Scalar tensor or number, the largest absolute value seen (the maximum of the amax history).
        scale: Scalar tensor or number, the current scale.
        dtype_max: Float, the largest value of the float8 dtype (448 for e4m3fn, 57344 for e5m2).
        margin: Int, a safety margin in powers of two. Defaults to 0.

    Returns:
        A scalar tensor, the new scale (the divisor applied before the float8 cast).

    Example:
        >>> compute_float8_scale(torch.tensor(3.0), torch.tensor(1.0), 448.0)
        tensor(0.0067)
        >>> compute_float8_scale(torch.tensor(0.0), torch.tensor(2.0), 448.0)
        tensor(2.)
    """
    amax = _float_tensor(amax, "compute_float8_scale")
    scale = _tensor(scale, amax.dtype, amax.device)
    factor = torch.div(torch.tensor(dtype_max, dtype=amax.dtype, device=amax.device), amax)
    factor = torch.div(factor, torch.tensor(2.0**margin, dtype=amax.dtype, device=amax.device))
    one = torch.ones((), dtype=amax.dtype, device=amax.device)
    previous = torch.div(one, scale)
    factor = torch.where(amax > 0.0, factor, previous)
    factor = torch.where(torch.isfinite(amax), factor, previous)
    return torch.div(one, factor)


@register_builtin("keras.quantizers")
def compute_float8_amax_history(x: TensorLike, amax_history: TensorLike) -> torch.Tensor:
    """The amax history after seeing ``x``: shifted by one (the oldest entry dropped) with ``max(|x|)``
    first.

    Args:
        x: Tensor or array, the values just seen.
        amax_history: 1-D tensor or array, the history (most recent first).

    Returns:
        A tensor with the history's shape and dtype.

    Example:
        >>> compute_float8_amax_history(torch.tensor([-5.0, 2.0]), torch.tensor([0.0, 1.0, 2.0, 3.0]))
        tensor([5., 2., 3., 0.])
    """
    history = _float_tensor(amax_history, "compute_float8_amax_history")
    amax = torch.amax(torch.abs(_tensor(x, device=history.device))).to(history.dtype)
    return torch.cat([amax.reshape(1), torch.roll(history, -1)[1:]])


@register_builtin("keras.quantizers")
def quantize_and_dequantize(
    inputs: TensorLike, scale: TensorLike, quantized_dtype: DTypeLike, compute_dtype: DTypeLike
) -> torch.Tensor:
    """Round ``inputs`` through a float8 dtype: ``cast(clip(inputs / scale), quantized_dtype) * scale``.

    Args:
        inputs: Tensor or array of floats.
        scale: Scalar tensor or number, the divisor applied before the cast.
        quantized_dtype: String or dtype, ``"float8_e4m3fn"`` or ``"float8_e5m2"``; values beyond its
            largest finite value are clipped to it.
        compute_dtype: String or dtype, the float dtype of the result.

    Returns:
        A tensor of ``compute_dtype``, the inputs rounded to the float8 grid scaled by ``scale``.

    Raises:
        ValueError: If ``quantized_dtype`` is not a float8 dtype.

    Example:
        >>> quantize_and_dequantize(torch.tensor([1.0, -500.0, 3.3]), 2.0, "float8_e4m3fn", "float32")
        tensor([   1.0000, -512.0000,    3.2500])
    """
    name = config.standardize_dtype(quantized_dtype)
    if name not in _FLOAT8_MAX:
        raise ValueError(
            f"quantize_and_dequantize: quantized_dtype must be one of {sorted(_FLOAT8_MAX)}, "
            f"received quantized_dtype={quantized_dtype!r}"
        )
    x = _float_tensor(inputs, "quantize_and_dequantize")
    target = config.torch_dtype(compute_dtype)
    scale = _tensor(scale, x.dtype, x.device)
    limit = _FLOAT8_MAX[name]
    quantized = torch.clamp(torch.div(x, scale), -limit, limit).to(getattr(torch, name))
    return torch.mul(quantized.to(target), scale.to(target))


# -------------------------------------------------------------- fake quant
class _FakeQuant(torch.autograd.Function):
    """TensorFlow's fake quantization: forward on the nudged grid; the gradient passes inside the nudged
    range, and the parts outside go to ``min`` (below) and ``max`` (above)."""

    @staticmethod
    def forward(ctx, x, low, high, quant_min, quant_max, axis):
        scale = (high - low) / (quant_max - quant_min)
        zero_from_min = quant_min - low / scale
        nudged_zero = torch.clamp(torch.round(zero_from_min), quant_min, quant_max)
        nudged_min = (quant_min - nudged_zero) * scale
        nudged_max = (quant_max - nudged_zero) * scale
        clamped = torch.minimum(torch.maximum(x, nudged_min), nudged_max)
        out = torch.floor((clamped - nudged_min) / scale + 0.5) * scale + nudged_min
        ctx.save_for_backward(x, nudged_min, nudged_max)
        ctx.shapes = (low.shape, high.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, nudged_min, nudged_max = ctx.saved_tensors
        below, above = x < nudged_min, x > nudged_max
        zero = torch.zeros((), dtype=grad.dtype, device=grad.device)
        grad_x = torch.where(below | above, zero, grad)

        def reduce(mask, shape):
            part = torch.where(mask, grad, zero)
            return part.sum_to_size(shape) if shape else part.sum()

        return grad_x, reduce(below, ctx.shapes[0]), reduce(above, ctx.shapes[1]), None, None, None


@register_builtin("keras.quantizers")
def fake_quant_with_min_max_vars(
    inputs: TensorLike,
    min_vals: TensorLike,
    max_vals: TensorLike,
    num_bits: int = 8,
    narrow_range: bool = False,
    axis: int | None = None,
) -> torch.Tensor:
    """Fake-quantize ``inputs`` on the ``num_bits`` grid spanning ``[min_vals, max_vals]`` (TensorFlow's
    ``fake_quant_with_min_max_vars``), per tensor or per channel.

    The range is nudged so that zero is exactly representable; values are clamped to the nudged range and
    rounded to the grid (half up), then returned as floats. Gradients pass through inside the range; the
    gradient of the values clamped below goes to ``min_vals``, above to ``max_vals``, so both can be trained.

    Args:
        inputs: Float tensor or array.
        min_vals: Number, or a 1-D tensor/array with one minimum per channel of ``axis``.
        max_vals: Number, or a 1-D tensor/array with one maximum per channel of ``axis``.
        num_bits: Int in [2, 16], the bit width. Defaults to 8.
        narrow_range: Bool, whether the grid is ``[1, 2**num_bits - 1]`` instead of
            ``[0, 2**num_bits - 1]``. Defaults to False.
        axis: Int or None, the channel axis of per-channel ``min_vals``/``max_vals``; None for one range.
            Defaults to None.

    Returns:
        A tensor with the inputs' shape and float dtype.

    Raises:
        ValueError: If ``num_bits`` or ``axis`` is invalid, or per-channel ranges do not fit the inputs.

    Example:
        >>> fake_quant_with_min_max_vars(torch.tensor([0.1, 0.5, 2.0]), 0.0, 1.0, num_bits=2)
        tensor([0.0000, 0.6667, 1.0000])
    """
    what = "fake_quant_with_min_max_vars"
    if isinstance(num_bits, bool) or not isinstance(num_bits, (int, numbers.Integral)) or not 2 <= num_bits <= 16:
        raise ValueError(f"{what}: num_bits must be an int in [2, 16], received num_bits={num_bits!r}")
    x = _float_tensor(inputs, what)
    low = _tensor(min_vals, x.dtype, x.device)
    high = _tensor(max_vals, x.dtype, x.device)
    if axis is not None:
        channel = _axes(axis, x.dim(), what)[0]
        for name, value in (("min_vals", low), ("max_vals", high)):
            if value.dim() > 1 or (value.dim() == 1 and value.shape[0] not in (1, x.shape[channel])):
                raise ValueError(
                    f"{what}: per-channel {name} must hold one value per channel of axis {axis} "
                    f"({x.shape[channel]}), received shape {tuple(value.shape)}"
                )
        view = [1] * x.dim()
        view[channel] = -1
        low, high = low.reshape(view), high.reshape(view)
    elif low.dim() or high.dim():
        if low.numel() != 1 or high.numel() != 1:
            raise ValueError(
                f"{what}: per-tensor quantization (axis=None) takes scalar min_vals and max_vals, "
                f"received shapes {tuple(low.shape)} and {tuple(high.shape)}; pass axis for "
                "per-channel ranges"
            )
        low, high = low.reshape(()), high.reshape(())
    quant_min = 1 if narrow_range else 0
    return _FakeQuant.apply(x, low, high, quant_min, 2**num_bits - 1, axis)


# --------------------------------------------------------------- classes
@register_builtin("keras.quantizers")
@register_builtin("keras")
class Quantizer:
    """Base class of quantizers: ``quantizer(x)`` returns ``(quantized, scale)``.

    Subclasses implement ``__call__`` and ``get_config``; ``from_config`` passes the config to the
    constructor.

    Args:
        output_dtype: String, the dtype of the quantized values. Defaults to ``"int8"``.

    Example:
        >>> class Halves(Quantizer):
        ...     def __call__(self, x):
        ...         return torch.round(x * 2).to(torch.int8), torch.tensor(2.0)
        ...     def get_config(self):
        ...         return {"output_dtype": self.output_dtype}
        >>> Halves()(torch.tensor([0.75]))[0]
        tensor([2], dtype=torch.int8)
    """

    def __init__(self, output_dtype: str = "int8") -> None:
        self.output_dtype = output_dtype

    def __call__(self, x: TensorLike) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__()")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Quantizer:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)


@register_builtin("keras.quantizers")
class AbsMaxQuantizer(Quantizer):
    """Symmetric abs-max quantization (:func:`abs_max_quantize`) with fixed settings.

    Args:
        axis: Int, tuple of ints or None, the reduced axes; None leaves them to the call (the last axis
            when the call gives none either). Defaults to None.
        value_range: Pair ``(min, max)``, the quantized range. Defaults to ``(-127, 127)``.
        epsilon: Float, added to the maximum. Defaults to 1e-7.
        output_dtype: String, the integer dtype of the quantized values. Defaults to ``"int8"``.

    Example:
        >>> q, scale = AbsMaxQuantizer(axis=-1)(torch.tensor([[1.0, -4.0]]))
        >>> q, scale
        (tensor([[  32, -127]], dtype=torch.int8), tensor([[31.7500]]))
    """

    def __init__(
        self,
        axis: int | Sequence[int] | None = None,
        value_range: Sequence[float] = (-127, 127),
        epsilon: float = 1e-7,
        output_dtype: str = "int8",
    ) -> None:
        super().__init__(output_dtype=output_dtype)
        what = "AbsMaxQuantizer"
        if axis is not None:
            axes = (axis,) if isinstance(axis, numbers.Integral) else axis
            if (
                not isinstance(axes, (list, tuple))
                or not axes
                or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes)
            ):
                raise ValueError(f"{what}: axis must be None, an int or a tuple of ints, received axis={axis!r}")
            axis = tuple(int(a) for a in axes)
        self.axis = axis
        self.value_range = _value_range(value_range, what)
        if not isinstance(epsilon, (float, int, numbers.Real)) or isinstance(epsilon, bool) or not epsilon >= 0:
            raise ValueError(f"{what}: epsilon must be a non-negative float, received epsilon={epsilon!r}")
        self.epsilon = epsilon
        _integer_dtype(output_dtype, what)

    def __call__(
        self, x: TensorLike, axis: int | Sequence[int] | None = None, to_numpy: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(quantized, scale)`` of ``x`` (:func:`abs_max_quantize`); ``axis`` overrides the quantizer's."""
        axis = axis if axis is not None else (self.axis if self.axis is not None else -1)
        return abs_max_quantize(
            x, axis, value_range=self.value_range, dtype=self.output_dtype, epsilon=self.epsilon, to_numpy=to_numpy
        )

    def get_config(self) -> dict[str, Any]:
        """``value_range``, ``epsilon``, ``output_dtype`` (and ``axis`` when set), as Keras writes them."""
        config = {"value_range": self.value_range, "epsilon": self.epsilon, "output_dtype": self.output_dtype}
        if self.axis is not None:
            config["axis"] = self.axis
        return config

    def __repr__(self) -> str:
        return f"AbsMaxQuantizer(axis={self.axis!r}, value_range={self.value_range!r}, epsilon={self.epsilon!r})"


# -------------------------------------------------------- get / serialize
def _by_name(name):
    table = registry.builtin_objects(_MODULE)
    found = registry.get_registered_object(name, None, table)
    if found is None and re.fullmatch(r"[a-z0-9_]+", name):
        found = table.get("".join(part.capitalize() for part in name.split("_")))
        if found is None:  # "abs_max_quantizer" -> "AbsMaxQuantizer"
            found = {k.lower(): v for k, v in table.items()}.get(name.replace("_", ""))
    return found if isinstance(found, type) else None


@overload
def serialize(initializer: None) -> None: ...


@overload
def serialize(initializer: Quantizer | QuantizationConfig) -> dict[str, Any]: ...


@register_builtin("keras.quantizers")
def serialize(initializer: Quantizer | QuantizationConfig | None) -> dict[str, Any] | None:
    """The Keras config dict of a quantizer or a quantization config.

    Args:
        initializer: A :class:`Quantizer` (or a ``QuantizationConfig``) to serialize (Keras names this
            argument ``initializer``).

    Returns:
        Dict ``{"module", "class_name", "config", "registered_name"}``, as Keras 3 writes it.

    Example:
        >>> serialize(AbsMaxQuantizer(axis=0))["config"]["axis"]
        [0]
    """
    return serialize_keras_object(initializer)


@register_builtin("keras.quantizers")
def deserialize(config: dict[str, Any] | None, custom_objects: dict[str, Any] | None = None) -> Any:
    """A quantizer (or quantization config) from :func:`serialize` output, Keras 3's included.

    Args:
        config: Dict, a serialized quantizer or quantization config.
        custom_objects: Dict or None, custom classes the config may name. Defaults to None.

    Returns:
        The rebuilt object.

    Raises:
        ValueError: If the config names an unknown class.

    Example:
        >>> deserialize(serialize(AbsMaxQuantizer(axis=0))).axis
        (0,)
    """
    return deserialize_keras_object(
        config,
        module_objects=registry.builtin_objects(_MODULE),
        custom_objects=custom_objects,
        printable_module_name="quantizer",
    )


@register_builtin("keras.quantizers")
def get(identifier: Quantizer | dict[str, Any] | str | None, **kwargs: Any) -> Quantizer | QuantizationConfig | None:
    """A quantizer from an identifier: an instance (returned as is), a config dict, or a class name
    (``"AbsMaxQuantizer"`` or ``"abs_max_quantizer"``) instantiated with ``kwargs``; None gives None.

    Args:
        identifier: Quantizer, dict, string or None.
        **kwargs: Constructor arguments when ``identifier`` is a name.

    Returns:
        A :class:`Quantizer` (or a quantization config for a config dict naming one), or None.

    Raises:
        ValueError: If ``identifier`` cannot be interpreted.

    Example:
        >>> get("abs_max_quantizer", axis=-1).axis
        (-1,)
    """
    if identifier is None or isinstance(identifier, Quantizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _by_name(identifier)
        if cls is not None:
            return cls(**kwargs)
    names = sorted(
        k for k, v in registry.builtin_objects(_MODULE).items() if isinstance(v, type) and issubclass(v, Quantizer)
    )
    raise ValueError(
        f"Could not interpret quantizer identifier: {identifier!r}. Expected a Quantizer, a config "
        f"dict, None or the name of one of {names}"
    )


def float8_max(dtype: str) -> float:
    """The largest finite value of a float8 dtype name (``"float8_e4m3fn"`` 448, ``"float8_e5m2"`` 57344).

    Args:
        dtype: str: a float8 dtype name (``"float8_e4m3fn"`` or ``"float8_e5m2"``).

    Returns:
        float: its largest finite value.

    >>> float8_max("float8_e5m2")
    57344.0
    """
    return _FLOAT8_MAX[dtype]
