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
import torch

from kerastorch.ops._nn_activations import floating, tensor
from kerastorch.ops.dtypes import to_tensors

__all__ = ["segment_sum", "segment_max", "segment_min", "segment_prod", "top_k", "in_top_k", "logsumexp",
           "extract_sequences", "fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft", "rsqrt", "erf", "erfc",
           "erfinv", "logdet", "cdist", "view_as_complex", "view_as_real"]


def _segment(name, reduce, data, segment_ids, num_segments):
    data = tensor(data)
    ids = tensor(segment_ids).to(device=data.device, dtype=torch.int64)
    if ids.dim() != 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(f"ops.{name}: expected 1-D segment_ids with one id per row of data ({data.shape[0]}), "
                         f"received segment_ids of shape {tuple(ids.shape)}")
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


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of the rows of ``data`` with the same segment id: ``segment_sum(x, ids)[i] = sum(x[ids == i])``."""
    return _segment("segment_sum", "sum", data, segment_ids, num_segments)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima of the rows of ``data`` with the same segment id."""
    return _segment("segment_max", "amax", data, segment_ids, num_segments)


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minima of the rows of ``data`` with the same segment id."""
    return _segment("segment_min", "amin", data, segment_ids, num_segments)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Products of the rows of ``data`` with the same segment id."""
    return _segment("segment_prod", "prod", data, segment_ids, num_segments)


def top_k(x, k, sorted=True):
    """``(values, indices)`` of the ``k`` largest entries along the last axis."""
    x = tensor(x)
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"ops.top_k: k must be in [0, {x.shape[-1]}] for inputs of shape {tuple(x.shape)}, "
                         f"received k={k}")
    return torch.topk(x, k, dim=-1, largest=True, sorted=sorted)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` largest ``predictions`` of its row (ties count as in)."""
    predictions = tensor(predictions)
    targets = tensor(targets).to(device=predictions.device, dtype=torch.int64)
    picked = predictions.gather(-1, targets.unsqueeze(-1))
    rank = (predictions > picked).sum(-1)
    return rank < k


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis`` (all axes when None), computed stably."""
    x = floating(x)
    dims = tuple(range(x.dim())) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of length ``sequence_length`` every ``sequence_stride`` along the last axis (a view)."""
    x = tensor(x)
    return x.unfold(-1, sequence_length, sequence_stride)


def _complex(name, x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"ops.{name}: expected a tuple (real, imag) of two tensors, received {type(x).__name__}")
    real, imag = to_tensors(floating(x[0]), floating(x[1]))
    if real.shape != imag.shape:
        raise ValueError(f"ops.{name}: real and imag must have the same shape, received {tuple(real.shape)} and "
                         f"{tuple(imag.shape)}")
    if real.dtype in (torch.float16, torch.bfloat16):
        real, imag = real.float(), imag.float()
    return torch.complex(real, imag)


def _pair(z):
    return z.real.contiguous(), z.imag.contiguous()


def fft(x):
    """The FFT along the last axis of ``x = (real, imag)``, as ``(real, imag)``."""
    return _pair(torch.fft.fft(_complex("fft", x)))


def fft2(x):
    """The 2-D FFT over the last two axes of ``x = (real, imag)``."""
    return _pair(torch.fft.fft2(_complex("fft2", x)))


def ifft2(x):
    """The inverse 2-D FFT over the last two axes of ``x = (real, imag)``."""
    return _pair(torch.fft.ifft2(_complex("ifft2", x)))


def rfft(x, fft_length=None):
    """The FFT of a real signal along its last axis (``fft_length // 2 + 1`` bins), as ``(real, imag)``."""
    x = floating(x)
    return _pair(torch.fft.rfft(x.float() if x.dtype in (torch.float16, torch.bfloat16) else x, n=fft_length))


def irfft(x, fft_length=None):
    """The inverse of ``rfft``: a real signal from ``x = (real, imag)``."""
    return torch.fft.irfft(_complex("irfft", x), n=fft_length)


def _window(name, window, sequence_length, x):
    if window is None:
        return None
    if isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(f"ops.{name}: window must be 'hann', 'hamming', a tensor or None, "
                             f"received window={window!r}")
        return makers[window](sequence_length, periodic=True, dtype=x.dtype, device=x.device)
    window = tensor(window).to(device=x.device, dtype=x.dtype)
    if window.shape != (sequence_length,):
        raise ValueError(f"ops.{name}: expected a window of shape ({sequence_length},), received "
                         f"{tuple(window.shape)}")
    return window


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis: ``(real, imag)`` of shape
    ``(..., frames, fft_length // 2 + 1)``."""
    x = floating(x)
    if fft_length < sequence_length:
        raise ValueError(f"ops.stft: fft_length must be >= sequence_length, received fft_length={fft_length} and "
                         f"sequence_length={sequence_length}")
    win = _window("stft", window, sequence_length, x)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    flat = x.reshape(-1, x.shape[-1])
    z = torch.stft(flat, fft_length, sequence_stride, sequence_length, win, center=center, pad_mode="reflect",
                   return_complex=True)
    z = z.transpose(-1, -2).reshape(tuple(x.shape[:-1]) + (z.shape[-1], z.shape[-2]))
    return _pair(z)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The inverse of ``stft``: a real signal from ``x = (real, imag)`` of shape ``(..., frames, bins)``."""
    z = _complex("istft", x)
    real_dtype = z.real.dtype
    win = _window("istft", window, sequence_length, z.real)
    if win is None:
        win = torch.ones(sequence_length, dtype=real_dtype, device=z.device)
    flat = z.reshape((-1,) + tuple(z.shape[-2:])).transpose(-1, -2)
    out = torch.istft(flat, fft_length, sequence_stride, sequence_length, win, center=center, length=length)
    return out.reshape(tuple(z.shape[:-2]) + (out.shape[-1],))


def rsqrt(x):
    """``1 / sqrt(x)``."""
    return torch.rsqrt(floating(x))


def erf(x):
    """The error function."""
    return torch.erf(floating(x))


def erfc(x):
    """The complementary error function ``1 - erf(x)``."""
    return torch.erfc(floating(x))


def erfinv(x):
    """The inverse error function."""
    return torch.erfinv(floating(x))


def logdet(x):
    """``log(det(x))`` of (batches of) square matrices."""
    x = floating(x)
    if x.dim() < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"ops.logdet: expected square matrices (..., n, n), received shape {tuple(x.shape)}")
    return torch.logdet(x)


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` ``(..., m, d)`` and ``y`` ``(..., n, d)``."""
    x, y = to_tensors(floating(x), floating(y))
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"ops.cdist: x and y must have the same last dimension, received shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}")
    return torch.cdist(x, y)


def view_as_complex(x):
    """A complex tensor from a real one whose last axis (size 2) holds the real and imaginary parts."""
    x = floating(x)
    if x.shape[-1:] != (2,):
        raise ValueError(f"ops.view_as_complex: expected a last axis of size 2, received shape {tuple(x.shape)}")
    return torch.view_as_complex(x.contiguous())


def view_as_real(x):
    """A real tensor with a last axis of size 2 (real, imaginary parts) from a complex one."""
    return torch.view_as_real(tensor(x))
