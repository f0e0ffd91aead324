"""``keras.ops`` math functions (Keras 3's ``keras.src.ops.math``): segment reductions, top-k, FFTs and STFTs,
special functions. Each is one torch call or a few.

Decisions: the FFT functions take and return ``(real, imag)`` pairs as Keras does; ``segment_*`` find
``num_segments`` from the data when it is None (one host sync, as in Keras), empty segments hold the reduction's
identity (``-inf``/``inf`` or the integer extremes for max/min, 0 for sum, 1 for prod).

    >>> segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
    tensor([3., 3.])
    >>> top_k(torch.tensor([1.0, 3.0, 2.0]), 2).values
    tensor([3., 2.])
    >>> logsumexp(torch.tensor([0.0, 0.0]))
    tensor(0.6931)
"""

from __future__ import annotations

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.ops._nn_activations import floating, tensor
from kerastorch.ops.dtypes import to_tensors

__all__ = [
    "segment_sum",
    "segment_max",
    "segment_min",
    "segment_prod",
    "top_k",
    "in_top_k",
    "logsumexp",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "rfft",
    "irfft",
    "stft",
    "istft",
    "rsqrt",
    "erf",
    "erfc",
    "erfinv",
    "logdet",
    "cdist",
    "view_as_complex",
    "view_as_real",
]


def _segment(name, reduce, data, segment_ids, num_segments):
    data = tensor(data)
    ids = tensor(segment_ids).to(device=data.device, dtype=torch.int64)
    if ids.dim() != 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(
            f"ops.{name}: expected 1-D segment_ids with one id per row of data ({data.shape[0]}), "
            f"received segment_ids of shape {tuple(ids.shape)}"
        )
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    shape = (int(num_segments),) + tuple(data.shape[1:])
    if reduce == "sum":
        init = 0
    elif reduce == "prod":
        init = 1
    else:
        info = torch.finfo(data.dtype) if data.is_floating_point() else torch.iinfo(data.dtype)
        big = float("inf") if data.is_floating_point() else info.max
        init = -big if reduce == "amax" and data.is_floating_point() else info.min if reduce == "amax" else big
    out = torch.full(shape, init, dtype=data.dtype, device=data.device)
    index = ids.reshape((-1,) + (1,) * (data.dim() - 1)).expand(data.shape)
    valid = (ids >= 0) & (ids < shape[0])  # out-of-range ids are dropped, as in Keras
    index = torch.where(valid.reshape(index.shape[:1] + (1,) * (data.dim() - 1)), index, shape[0])
    out = torch.cat([out, out.new_full((1,) + shape[1:], init)])  # a bin for dropped rows
    return out.scatter_reduce(0, index, data, reduce, include_self=True)[:-1]


def segment_sum(
    data: TensorLike, segment_ids: TensorLike, num_segments: int | None = None, sorted: bool = False
) -> torch.Tensor:
    """Sums of the rows of ``data`` that share a segment id: ``out[i] = sum(data[segment_ids == i])``.

    Ids outside ``[0, num_segments)`` are dropped; an empty segment holds 0.

    Args:
        data: tensor or array: the values; its first axis runs over the ids.
        segment_ids: tensor or array of ints: 1-D, one segment id per row of ``data``.
        num_segments: int or None, default ``None``: the number of segments; None uses ``max(segment_ids) + 1`` (read on
            the host).
        sorted: bool, default ``False``: a performance hint that ``segment_ids`` is sorted (TensorFlow then uses its
            sorted-segment kernel). It never changes the result: sorted or not, the ids are reduced the same way, as on
            Keras's torch backend.

    Returns:
        A tensor ``(num_segments, *data.shape[1:])`` of the dtype of ``data``.

    Raises:
        ValueError: when ``segment_ids`` is not 1-D with one id per row of ``data``.
    """
    return _segment("segment_sum", "sum", data, segment_ids, num_segments)


def segment_max(
    data: TensorLike, segment_ids: TensorLike, num_segments: int | None = None, sorted: bool = False
) -> torch.Tensor:
    """Maxima of the rows of ``data`` that share a segment id: ``out[i] = max(data[segment_ids == i])``.

    Ids outside ``[0, num_segments)`` are dropped; an empty segment holds ``-inf`` (the dtype's minimum for integers).

    Args:
        data: tensor or array: the values; its first axis runs over the ids.
        segment_ids: tensor or array of ints: 1-D, one segment id per row of ``data``.
        num_segments: int or None, default ``None``: the number of segments; None uses ``max(segment_ids) + 1`` (read on
            the host).
        sorted: bool, default ``False``: a performance hint that ``segment_ids`` is sorted (TensorFlow then uses its
            sorted-segment kernel). It never changes the result: sorted or not, the ids are reduced the same way, as on
            Keras's torch backend.

    Returns:
        A tensor ``(num_segments, *data.shape[1:])`` of the dtype of ``data``.

    Raises:
        ValueError: when ``segment_ids`` is not 1-D with one id per row of ``data``.

    Example:
        >>> segment_max(torch.tensor([1.0, 5.0, 3.0]), torch.tensor([0, 0, 2]))
        tensor([5., -inf, 3.])
    """
    return _segment("segment_max", "amax", data, segment_ids, num_segments)


def segment_min(
    data: TensorLike, segment_ids: TensorLike, num_segments: int | None = None, sorted: bool = False
) -> torch.Tensor:
    """Minima of the rows of ``data`` that share a segment id: ``out[i] = min(data[segment_ids == i])``.

    Ids outside ``[0, num_segments)`` are dropped; an empty segment holds ``inf`` (the dtype's maximum for integers).

    Args:
        data: tensor or array: the values; its first axis runs over the ids.
        segment_ids: tensor or array of ints: 1-D, one segment id per row of ``data``.
        num_segments: int or None, default ``None``: the number of segments; None uses ``max(segment_ids) + 1`` (read on
            the host).
        sorted: bool, default ``False``: a performance hint that ``segment_ids`` is sorted (TensorFlow then uses its
            sorted-segment kernel). It never changes the result: sorted or not, the ids are reduced the same way, as on
            Keras's torch backend.

    Returns:
        A tensor ``(num_segments, *data.shape[1:])`` of the dtype of ``data``.

    Raises:
        ValueError: when ``segment_ids`` is not 1-D with one id per row of ``data``.

    Example:
        >>> segment_min(torch.tensor([1, 5, 3]), torch.tensor([0, 0, 1]))
        tensor([1, 3])
    """
    return _segment("segment_min", "amin", data, segment_ids, num_segments)


def segment_prod(
    data: TensorLike, segment_ids: TensorLike, num_segments: int | None = None, sorted: bool = False
) -> torch.Tensor:
    """Products of the rows of ``data`` that share a segment id: ``out[i] = prod(data[segment_ids == i])``.

    Ids outside ``[0, num_segments)`` are dropped; an empty segment holds 1.

    Args:
        data: tensor or array: the values; its first axis runs over the ids.
        segment_ids: tensor or array of ints: 1-D, one segment id per row of ``data``.
        num_segments: int or None, default ``None``: the number of segments; None uses ``max(segment_ids) + 1`` (read on
            the host).
        sorted: bool, default ``False``: a performance hint that ``segment_ids`` is sorted (TensorFlow then uses its
            sorted-segment kernel). It never changes the result: sorted or not, the ids are reduced the same way, as on
            Keras's torch backend.

    Returns:
        A tensor ``(num_segments, *data.shape[1:])`` of the dtype of ``data``.

    Raises:
        ValueError: when ``segment_ids`` is not 1-D with one id per row of ``data``.

    Example:
        >>> segment_prod(torch.tensor([2.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))
        tensor([10.,  3.])
    """
    return _segment("segment_prod", "prod", data, segment_ids, num_segments)


def top_k(x: TensorLike, k: int, sorted: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` largest entries along the last axis of ``x`` and their indices.

    Args:
        x: tensor or array: the input.
        k: int: how many entries to keep, in ``[0, x.shape[-1]]``.
        sorted: bool, default ``True``: return them in descending order; False leaves the order unspecified.

    Returns:
        A named tuple ``(values, indices)``, both ``x.shape[:-1] + (k,)``; ``indices`` are int64.

    Raises:
        ValueError: when ``k`` is outside ``[0, x.shape[-1]]``.

    Example:
        >>> values, indices = top_k(torch.tensor([1.0, 3.0, 2.0]), 2)
        >>> indices
        tensor([1, 2])
    """
    x = tensor(x)
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(
            f"ops.top_k: k must be in [0, {x.shape[-1]}] for inputs of shape {tuple(x.shape)}, received k={k}"
        )
    return torch.topk(x, k, dim=-1, largest=True, sorted=sorted)


def in_top_k(targets: TensorLike, predictions: TensorLike, k: int) -> torch.Tensor:
    """Whether each target class is among the ``k`` largest predictions of its row.

    Ties count in the target's favour: a target is in when fewer than ``k`` predictions are strictly larger.

    Args:
        targets: tensor or array of ints: the class ids ``(batch,)``.
        predictions: tensor or array: the scores ``(batch, num_classes)``.
        k: int: the number of top entries to look at.

    Returns:
        A bool tensor ``(batch,)``.

    Example:
        >>> in_top_k(torch.tensor([2, 0]), torch.tensor([[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]), 2)
        tensor([ True, False])
    """
    predictions = tensor(predictions)
    targets = tensor(targets).to(device=predictions.device, dtype=torch.int64)
    picked = predictions.gather(-1, targets.unsqueeze(-1))
    rank = (predictions > picked).sum(-1)
    return rank < k


def logsumexp(
    x: TensorLike, axis: int | tuple[int, ...] | list[int] | None = None, keepdims: bool = False
) -> torch.Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed stably (the maximum is subtracted first).

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, tuple of ints or None, default ``None``: the axes to reduce; None reduces over all.
        keepdims: bool, default ``False``: keep the reduced axes with size 1.

    Returns:
        A float tensor without the reduced axes (kept with ``keepdims``).
    """
    x = floating(x)
    dims = tuple(range(x.dim())) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def extract_sequences(x: TensorLike, sequence_length: int, sequence_stride: int) -> torch.Tensor:
    """Frames of ``sequence_length`` entries taken every ``sequence_stride`` along the last axis (a view).

    Args:
        x: tensor or array: the signal ``(..., n)``.
        sequence_length: int: the frame length.
        sequence_stride: int: the step between frame starts.

    Returns:
        A tensor ``(..., 1 + (n - sequence_length) // sequence_stride, sequence_length)`` of the dtype of ``x``.

    Example:
        >>> extract_sequences(torch.arange(5), 3, 2)
        tensor([[0, 1, 2],
                [2, 3, 4]])
    """
    x = tensor(x)
    return x.unfold(-1, sequence_length, sequence_stride)


def _complex(name, x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"ops.{name}: expected a tuple (real, imag) of two tensors, received {type(x).__name__}")
    real, imag = to_tensors(floating(x[0]), floating(x[1]))
    if real.shape != imag.shape:
        raise ValueError(
            f"ops.{name}: real and imag must have the same shape, received {tuple(real.shape)} and {tuple(imag.shape)}"
        )
    if real.dtype in (torch.float16, torch.bfloat16):
        real, imag = real.float(), imag.float()
    return torch.complex(real, imag)


def _pair(z):
    return z.real.contiguous(), z.imag.contiguous()


def fft(x: tuple[TensorLike, TensorLike] | list[TensorLike]) -> tuple[torch.Tensor, torch.Tensor]:
    """The discrete Fourier transform along the last axis of a complex signal given as ``(real, imag)``.

    Args:
        x: tuple ``(real, imag)``: two float tensors of one shape, the real and imaginary parts (float16/bfloat16
            computed in float32).

    Returns:
        A tuple ``(real, imag)`` of the transform, of the shape of ``x``'s parts.

    Raises:
        ValueError: when ``x`` is not a pair of tensors of one shape.

    Example:
        >>> real, imag = fft((torch.tensor([1.0, 0.0, 0.0, 0.0]), torch.zeros(4)))
        >>> real
        tensor([1., 1., 1., 1.])
    """
    return _pair(torch.fft.fft(_complex("fft", x)))


def fft2(x: tuple[TensorLike, TensorLike] | list[TensorLike]) -> tuple[torch.Tensor, torch.Tensor]:
    """The 2-D discrete Fourier transform over the last two axes of a complex signal given as ``(real, imag)``.

    Args:
        x: tuple ``(real, imag)``: two float tensors of one shape, the real and imaginary parts (float16/bfloat16
            computed in float32).

    Returns:
        A tuple ``(real, imag)`` of the transform, of the shape of ``x``'s parts.

    Raises:
        ValueError: when ``x`` is not a pair of tensors of one shape.

    Example:
        >>> real, imag = fft2((torch.ones(2, 2), torch.zeros(2, 2)))
        >>> real
        tensor([[4., 0.],
                [0., 0.]])
    """
    return _pair(torch.fft.fft2(_complex("fft2", x)))


def ifft2(x: tuple[TensorLike, TensorLike] | list[TensorLike]) -> tuple[torch.Tensor, torch.Tensor]:
    """The inverse 2-D discrete Fourier transform over the last two axes of ``(real, imag)``.

    Args:
        x: tuple ``(real, imag)``: two float tensors of one shape, the real and imaginary parts (float16/bfloat16
            computed in float32).

    Returns:
        A tuple ``(real, imag)`` of the inverse transform, of the shape of ``x``'s parts.

    Raises:
        ValueError: when ``x`` is not a pair of tensors of one shape.

    Example:
        >>> real, imag = ifft2((torch.tensor([[4.0, 0.0], [0.0, 0.0]]), torch.zeros(2, 2)))
        >>> real
        tensor([[1., 1.],
                [1., 1.]])
    """
    return _pair(torch.fft.ifft2(_complex("ifft2", x)))


def rfft(x: TensorLike, fft_length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The discrete Fourier transform of a real signal along its last axis (the non-negative frequencies).

    Args:
        x: tensor or array: the real signal ``(..., n)``; integer inputs are computed in ``floatx()``, float16/bfloat16
            in float32.
        fft_length: int or None, default ``None``: the transform length; the signal is cropped or zero-padded to it.
            None uses ``n``.

    Returns:
        A tuple ``(real, imag)``, each ``(..., fft_length // 2 + 1)``.

    Example:
        >>> real, imag = rfft(torch.tensor([1.0, 1.0, 1.0, 1.0]))
        >>> real
        tensor([4., 0., 0.])
    """
    x = floating(x)
    return _pair(torch.fft.rfft(x.float() if x.dtype in (torch.float16, torch.bfloat16) else x, n=fft_length))


def irfft(x: tuple[TensorLike, TensorLike] | list[TensorLike], fft_length: int | None = None) -> torch.Tensor:
    """The inverse of :func:`rfft`: a real signal from its non-negative frequencies ``(real, imag)``.

    Args:
        x: tuple ``(real, imag)``: two float tensors of one shape, the ``bins`` frequencies along the last axis
            (float16/bfloat16 computed in float32).
        fft_length: int or None, default ``None``: the length of the output signal; None uses ``2 * (bins - 1)``.

    Returns:
        A real tensor ``(..., fft_length)``.

    Raises:
        ValueError: when ``x`` is not a pair of tensors of one shape.

    Example:
        >>> irfft((torch.tensor([4.0, 0.0, 0.0]), torch.zeros(3)))
        tensor([1., 1., 1., 1.])
    """
    return torch.fft.irfft(_complex("irfft", x), n=fft_length)


def _window(name, window, sequence_length, x):
    if window is None:
        return None
    if isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(
                f"ops.{name}: window must be 'hann', 'hamming', a tensor or None, received window={window!r}"
            )
        return makers[window](sequence_length, periodic=True, dtype=x.dtype, device=x.device)
    window = tensor(window).to(device=x.device, dtype=x.dtype)
    if window.shape != (sequence_length,):
        raise ValueError(f"ops.{name}: expected a window of shape ({sequence_length},), received {tuple(window.shape)}")
    return window


def stft(
    x: TensorLike,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    window: str | TensorLike | None = "hann",
    center: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The short-time Fourier transform along the last axis of a real signal.

    Frames of ``sequence_length`` samples every ``sequence_stride`` are windowed, zero-padded to ``fft_length`` and
    transformed (``torch.stft``).

    Args:
        x: tensor or array: the real signal ``(..., n)``; integer inputs are computed in ``floatx()``.
        sequence_length: int: the frame (window) length.
        sequence_stride: int: the step between frames.
        fft_length: int: the transform length, at least ``sequence_length``.
        window: str, tensor or None, default ``"hann"``: ``"hann"``, ``"hamming"`` (periodic windows), a tensor
            ``(sequence_length,)``, or None for no window.
        center: bool, default ``True``: reflect-pad the signal by ``fft_length // 2`` on both sides so frames are
            centred on their time step.

    Returns:
        A tuple ``(real, imag)``, each ``(..., frames, fft_length // 2 + 1)``.

    Raises:
        ValueError: when ``fft_length < sequence_length``, or for an unknown window name or a window of the wrong shape.

    Example:
        >>> real, imag = stft(torch.ones(16), 8, 4, 8)
        >>> real.shape
        torch.Size([5, 5])
    """
    x = floating(x)
    if fft_length < sequence_length:
        raise ValueError(
            f"ops.stft: fft_length must be >= sequence_length, received fft_length={fft_length} and "
            f"sequence_length={sequence_length}"
        )
    win = _window("stft", window, sequence_length, x)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    flat = x.reshape(-1, x.shape[-1])
    z = torch.stft(
        flat, fft_length, sequence_stride, sequence_length, win, center=center, pad_mode="reflect", return_complex=True
    )
    z = z.transpose(-1, -2).reshape(tuple(x.shape[:-1]) + (z.shape[-1], z.shape[-2]))
    return _pair(z)


def istft(
    x: tuple[TensorLike, TensorLike] | list[TensorLike],
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    length: int | None = None,
    window: str | TensorLike | None = "hann",
    center: bool = True,
) -> torch.Tensor:
    """The inverse of :func:`stft`: a real signal from its frames ``(real, imag)`` (overlap-add).

    Args:
        x: tuple ``(real, imag)``: two float tensors of one shape, ``(..., frames, fft_length // 2 + 1)``
            (float16/bfloat16 computed in float32).
        sequence_length: int: the frame (window) length used by :func:`stft`.
        sequence_stride: int: the step between frames.
        fft_length: int: the transform length used by :func:`stft`.
        length: int or None, default ``None``: crop or zero-pad the output to this many samples; None keeps the length
            the frames give.
        window: str, tensor or None, default ``"hann"``: the window :func:`stft` used (``"hann"``, ``"hamming"``, a
            tensor ``(sequence_length,)`` or None).
        center: bool, default ``True``: whether :func:`stft` centred the frames (their padding is removed).

    Returns:
        A real tensor ``(..., samples)``.

    Raises:
        ValueError: when ``x`` is not a pair of tensors of one shape, or for an unknown window name or a window of the
            wrong shape.

    Example:
        >>> signal = torch.arange(16.0)
        >>> restored = istft(stft(signal, 8, 4, 8), 8, 4, 8, length=16)
        >>> bool(torch.allclose(restored, signal, atol=1e-4))
        True
    """
    z = _complex("istft", x)
    real_dtype = z.real.dtype
    win = _window("istft", window, sequence_length, z.real)
    if win is None:
        win = torch.ones(sequence_length, dtype=real_dtype, device=z.device)
    flat = z.reshape((-1,) + tuple(z.shape[-2:])).transpose(-1, -2)
    out = torch.istft(flat, fft_length, sequence_stride, sequence_length, win, center=center, length=length)
    return out.reshape(tuple(z.shape[:-2]) + (out.shape[-1],))


def rsqrt(x: TensorLike) -> torch.Tensor:
    """The reciprocal square root ``1 / sqrt(x)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A float tensor of the shape of ``x``.

    Example:
        >>> rsqrt(torch.tensor([4.0, 0.25]))
        tensor([0.5000, 2.0000])
    """
    return torch.rsqrt(floating(x))


def erf(x: TensorLike) -> torch.Tensor:
    """The Gauss error function ``erf(x) = 2 / sqrt(pi) * integral(exp(-t**2), 0, x)`` elementwise.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A float tensor of the shape of ``x``.

    Example:
        >>> erf(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8427])
    """
    return torch.erf(floating(x))


def erfc(x: TensorLike) -> torch.Tensor:
    """The complementary error function ``1 - erf(x)`` elementwise (accurate for large ``x``).

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A float tensor of the shape of ``x``.

    Example:
        >>> erfc(torch.tensor([0.0, 1.0]))
        tensor([1.0000, 0.1573])
    """
    return torch.erfc(floating(x))


def erfinv(x: TensorLike) -> torch.Tensor:
    """The inverse error function elementwise: ``erf(erfinv(x)) = x`` for ``x`` in ``(-1, 1)``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.

    Returns:
        A float tensor of the shape of ``x`` (``nan`` outside ``[-1, 1]``, infinite at -1 and 1).

    Example:
        >>> erfinv(torch.tensor([0.0, 0.8427]))
        tensor([0.0000, 1.0000])
    """
    return torch.erfinv(floating(x))


def logdet(x: TensorLike) -> torch.Tensor:
    """``log(det(x))`` of a square matrix or of each matrix of a batch.

    A negative determinant gives ``nan`` and a zero one ``-inf``.

    Args:
        x: tensor or array: ``(..., n, n)``; integer inputs are computed in ``floatx()``.

    Returns:
        A float tensor of shape ``x.shape[:-2]``.

    Raises:
        ValueError: for inputs that are not (batches of) square matrices.

    Example:
        >>> logdet(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(1.7918)
    """
    x = floating(x)
    if x.dim() < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.logdet: expected square matrices (..., n, n), received shape {tuple(x.shape)}")
    return torch.logdet(x)


def cdist(x: TensorLike, y: TensorLike) -> torch.Tensor:
    """The Euclidean distances between the rows of ``x`` and the rows of ``y``.

    Args:
        x: tensor or array: ``(..., m, d)``; integer inputs are computed in ``floatx()``.
        y: tensor or array: ``(..., n, d)``, batch axes broadcastable with ``x``'s.

    Returns:
        A float tensor ``(..., m, n)``.

    Raises:
        ValueError: when ``x`` and ``y`` differ in their last size.

    Example:
        >>> cdist(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [0.0, 1.0]]))
        tensor([[5., 1.]])
    """
    x, y = to_tensors(floating(x), floating(y))
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"ops.cdist: x and y must have the same last dimension, received shapes "
            f"{tuple(x.shape)} and {tuple(y.shape)}"
        )
    return torch.cdist(x, y)


def view_as_complex(x: TensorLike) -> torch.Tensor:
    """A complex tensor from a real one whose last axis (of size 2) holds the real and imaginary parts.

    Args:
        x: tensor or array: ``(..., 2)``; integer inputs are computed in ``floatx()``.

    Returns:
        A complex tensor ``x.shape[:-1]`` (complex64 for float32), sharing memory with a contiguous ``x``.

    Raises:
        ValueError: when the last axis of ``x`` is not of size 2.

    Example:
        >>> view_as_complex(torch.tensor([[1.0, 2.0]]))
        tensor([1.+2.j])
    """
    x = floating(x)
    if x.shape[-1:] != (2,):
        raise ValueError(f"ops.view_as_complex: expected a last axis of size 2, received shape {tuple(x.shape)}")
    return torch.view_as_complex(x.contiguous())


def view_as_real(x: TensorLike) -> torch.Tensor:
    """A real view of a complex tensor with a new last axis of size 2 (real, imaginary parts).

    Args:
        x: complex tensor or array: the input.

    Returns:
        A real tensor ``x.shape + (2,)`` sharing memory with ``x`` (float32 for complex64).

    Example:
        >>> view_as_real(torch.tensor([1.0 + 2.0j]))
        tensor([[1., 2.]])
    """
    return torch.view_as_real(tensor(x))
