"""Private helpers for convolution and pooling layers: argument normalization, Keras padding rules,
data-format permutes.

Padding follows Keras/TF. ``"same"`` gives ``ceil(n / stride)`` outputs and pads
``max((out - 1) * stride + (k - 1) * dilation + 1 - n, 0)`` in total, half on the
top/left and the rest (one more when odd) on the bottom/right. When the two sides
agree the amount goes to torch's symmetric ``padding=`` (no copy); otherwise the
input gets one ``F.pad`` and torch pads nothing. ``"causal"`` (1-D) pads
``(k - 1) * dilation`` on the left. The amounts depend on the input size, so layers
compute them once per spatial shape (:func:`conv_geometry`) and keep them. Pooling
needs no padded copy even then (:func:`pool_geometry`).

Channels-last tensors are handed to torch as ``permute`` views (an NHWC tensor seen
as NCHW is already channels_last-strided, which torch's kernels take without a copy)
and the result is permuted back, again a view.

Example:
    >>> same_padding(5, kernel=2, stride=2, dilation=1)
    (0, 1)
    >>> conv_geometry((5, 6), (3, 3), (1, 1), (1, 1), "same")
    ((1, 1), None)
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable, Sequence, overload

from kerastorch import config

DATA_FORMATS = ("channels_last", "channels_first")


# ---------------------------------------------------------------- arguments
def normalize_tuple(
    value: int | Iterable[int], rank: int, name: str, label: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """``value`` (an int or a sequence of ``rank`` ints) as a tuple of ``rank`` ints.

    >>> normalize_tuple(3, 2, "kernel_size", "Conv2D")
    (3, 3)
    """
    items: tuple[Any, ...] | None
    if isinstance(value, bool):
        items = None
    elif isinstance(value, (int, numbers.Integral)):
        items = (value,) * rank
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = None
    lowest = 0 if allow_zero else 1
    if (
        items is None
        or len(items) != rank
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) >= lowest for v in items)
    ):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{label}: {name} must be an int or a tuple of {rank} {kind} ints, received {name}={value!r}")
    return tuple(int(v) for v in items)


def normalize_padding(value: str, allowed: Sequence[str], label: str) -> str:
    """The lower-cased padding mode, or a ValueError listing the ``allowed`` ones."""
    mode = value.lower() if isinstance(value, str) else value
    if mode not in allowed:
        raise ValueError(f"{label}: padding must be one of {list(allowed)}, received padding={value!r}")
    return mode


def normalize_data_format(value: str | None, label: str) -> str:
    """``value`` lower-cased, or the configured ``image_data_format()`` when None."""
    data_format = config.image_data_format() if value is None else value
    data_format = data_format.lower() if isinstance(data_format, str) else data_format
    if data_format not in DATA_FORMATS:
        raise ValueError(f"{label}: data_format must be one of {list(DATA_FORMATS)}, received data_format={value!r}")
    return data_format


def check_strides_with_dilation(strides: Sequence[int], dilation_rate: Sequence[int], label: str) -> None:
    """Keras forbids ``strides > 1`` together with ``dilation_rate > 1`` (on any axes)."""
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            f"{label}: strides > 1 is not supported together with dilation_rate > 1, "
            f"received strides={strides} and dilation_rate={dilation_rate}"
        )


# -------------------------------------------------------------- data format
def to_channels_first_perm(rank: int) -> tuple[int, ...]:
    """The ``permute`` order taking ``(batch, *spatial, channels)`` to ``(batch, channels, *spatial)``."""
    return (0, rank + 1) + tuple(range(1, rank + 1))


def to_channels_last_perm(rank: int) -> tuple[int, ...]:
    """The ``permute`` order taking ``(batch, channels, *spatial)`` to ``(batch, *spatial, channels)``."""
    return (0,) + tuple(range(2, rank + 2)) + (1,)


def spatial_axes(rank: int, data_format: str) -> tuple[int, ...]:
    """The spatial axes of a rank-``rank`` input in ``data_format``."""
    start = 2 if data_format == "channels_first" else 1
    return tuple(range(start, start + rank))


def channel_axis(data_format: str) -> int:
    return 1 if data_format == "channels_first" else -1


# ------------------------------------------------------------------ padding
def effective_kernel(kernel: int, dilation: int) -> int:
    """The extent of a dilated kernel: ``(kernel - 1) * dilation + 1``."""
    return (kernel - 1) * dilation + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """Keras/TF ``"same"`` padding ``(before, after)`` of one axis; ``after`` takes the odd unit."""
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


def padding_amounts(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """``(before, after)`` padding of one axis for ``padding`` in valid/same/causal."""
    if padding == "same":
        return same_padding(size, kernel, stride, dilation)
    if padding == "causal":
        return effective_kernel(kernel, dilation) - 1, 0
    return 0, 0


@overload
def conv_output_length(size: int, kernel: int, stride: int, dilation: int, padding: str) -> int: ...
@overload
def conv_output_length(size: None, kernel: int, stride: int, dilation: int, padding: str) -> None: ...
@overload
def conv_output_length(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None: ...
def conv_output_length(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    """The output length of one axis of a convolution or pooling (None stays None)."""
    if size is None:
        return None
    before, after = padding_amounts(size, kernel, stride, dilation, padding)
    return (size + before + after - effective_kernel(kernel, dilation)) // stride + 1


def explicit_padding(
    spatial: Sequence[int], kernels: Sequence[int], strides: Sequence[int], dilations: Sequence[int], padding: str
) -> tuple[int, ...]:
    """The ``F.pad`` amounts (last axis first) of Keras padding for inputs of spatial shape ``spatial``."""
    pairs = [padding_amounts(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernels, strides, dilations)]
    return tuple(v for pair in reversed(pairs) for v in pair)


def conv_geometry(
    spatial: Sequence[int], kernels: Sequence[int], strides: Sequence[int], dilations: Sequence[int], padding: str
) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """``(torch_padding, pad)`` for an input of spatial shape ``spatial``.

    ``torch_padding`` is the symmetric padding per axis for torch's ``padding=``;
    ``pad`` is None, or the ``F.pad`` amounts (last axis first) to apply first when
    the padding is asymmetric, in which case ``torch_padding`` is all zeros.
    """
    pad = explicit_padding(spatial, kernels, strides, dilations, padding)
    before, after = pad[-2::-2], pad[::-2]
    if before == after:
        return before, None
    return (0,) * len(before), pad


@overload
def check_output_size(
    spatial: Sequence[int],
    kernels: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
    label: str,
) -> tuple[int, ...]: ...
@overload
def check_output_size(
    spatial: Sequence[int | None],
    kernels: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
    label: str,
) -> tuple[int | None, ...]: ...
def check_output_size(
    spatial: Sequence[int | None],
    kernels: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
    label: str,
) -> tuple[int | None, ...]:
    """A ValueError naming the layer when an output axis would be empty."""
    out = [conv_output_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernels, strides, dilations)]
    if any(o is not None and o < 1 for o in out):
        raise ValueError(
            f"{label}: the output would be empty (spatial shape {tuple(out)}) for inputs of "
            f"spatial shape {tuple(spatial)} with kernel/pool size {tuple(kernels)}, "
            f"strides={tuple(strides)}, dilation_rate={tuple(dilations)} and padding={padding!r}; "
            "use larger inputs, a smaller kernel or padding='same'"
        )
    return tuple(out)


# ---------------------------------------------------------- transposed conv
@overload
def transpose_output_length(
    size: int, kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> int: ...
@overload
def transpose_output_length(
    size: None, kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> None: ...
@overload
def transpose_output_length(
    size: int | None, kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> int | None: ...
def transpose_output_length(
    size: int | None, kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> int | None:
    """The output length of one axis of a Keras transposed convolution (None stays None)."""
    if size is None:
        return None
    extent = effective_kernel(kernel, dilation)
    if output_padding is None:
        return size * stride + (max(extent - stride, 0) if padding == "valid" else 0)
    crop = 2 * (extent // 2) if padding == "same" else 0
    return (size - 1) * stride + extent - crop + output_padding


def transpose_geometry(
    spatial: Sequence[int],
    kernels: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
    output_paddings: Sequence[int | None],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...] | None]:
    """``(torch_padding, torch_output_padding, lengths)`` for a transposed convolution.

    The Keras result is the full transposed convolution (length ``(n - 1) * stride + k``)
    cropped to :func:`transpose_output_length`: ``"same"`` drops the smaller half of the
    surplus at the start and the rest at the end (TF's rule, which Keras 3 follows);
    a shortfall (output_padding) is filled at the end. torch crops ``torch_padding``
    at both ends and extends the end by ``torch_output_padding``; ``lengths`` is None
    when that gives the Keras lengths, else the lengths to cut the result to (when the
    end loses one more than the start).
    """
    torch_padding: list[int] = []
    torch_output_padding: list[int] = []
    lengths: list[int] = []
    cut = False
    for n, k, s, d, op in zip(spatial, kernels, strides, dilations, output_paddings):
        full = (n - 1) * s + effective_kernel(k, d)
        length = transpose_output_length(n, k, s, d, padding, op)
        start = max(full - length, 0) // 2 if padding == "same" else 0
        extra = length - (full - 2 * start)
        torch_padding.append(start)
        torch_output_padding.append(max(extra, 0))
        lengths.append(length)
        cut = cut or extra < 0
    return tuple(torch_padding), tuple(torch_output_padding), tuple(lengths) if cut else None


def pool_geometry(
    spatial: Sequence[int], pool_size: Sequence[int], strides: Sequence[int], padding: str
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], bool, tuple[int, ...] | None]:
    """``(pool_size, strides, torch_padding, ceil_mode, trims)`` giving Keras/TF pooling with torch's ops.

    Symmetric padding goes to torch's ``padding=``. When an axis needs one more unit
    at the end, torch pads the start amount and ``ceil_mode=True`` lets the last window
    run past the end (torch then counts only the real elements, for average pooling
    with ``count_include_pad=False``, and max pooling ignores them), except with stride
    1, where torch pads the end amount on both sides and the first output is dropped
    (``trims``: outputs to drop at the start of each axis, or None), and where a single
    window covers the whole axis, which becomes a window of the axis's size. No copy of
    the input is made.
    """
    sizes: list[int] = []
    steps: list[int] = []
    torch_padding: list[int] = []
    trims: list[int] = []
    ceil_mode = False
    for n, k, s in zip(spatial, pool_size, strides):
        before, after = padding_amounts(n, k, s, 1, padding)
        whole = padding == "same" and n <= min(s, k)  # one window, covering the axis
        asymmetric = before != after and not whole
        trim = int(asymmetric and s == 1)
        ceil_mode = ceil_mode or (asymmetric and s > 1)
        sizes.append(n if whole else k)
        steps.append(n if whole else s)
        torch_padding.append(0 if whole else after if trim else before)
        trims.append(trim)
    return tuple(sizes), tuple(steps), tuple(torch_padding), ceil_mode, tuple(trims) if any(trims) else None
