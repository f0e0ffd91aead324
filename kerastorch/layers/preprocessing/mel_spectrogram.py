"""``MelSpectrogram``: Mel spectrograms (in decibels by default) of audio signals.

Keras 3.15's computation, on torch: the short-time Fourier transform of the last axis (``torch.stft``, frames
centred on multiples of ``sequence_stride``, the signal reflected by ``fft_length // 2`` samples at both ends;
a ``sequence_length`` window, periodic for ``"hann"`` and ``"hamming"``, zero-padded on both sides to
``fft_length``); its magnitude to the power ``mag_exp``; the product with TensorFlow's Mel filter bank
(``linear_to_mel_weight_matrix``: ``num_mel_bins`` triangles evenly spaced on the HTK Mel scale
``1127 * ln(1 + f / 700)`` between ``min_freq`` and ``max_freq``, the DC bin left out); and with ``power_to_db``,
``10 * log10(max(S, min_power)) - 10 * log10(max(ref_power, min_power))``, floored at ``top_db`` decibels below
the largest value of the whole batch (as Keras does; ``top_db=None`` keeps every value, where Keras fails).

The filter bank and the window are made once per device and dtype. The layer has no weights; integer signals
are cast to the float compute dtype (float16 ones are transformed in float32, as torch's FFT needs on CPU).

Example:
    >>> tone = torch.sin(2 * math.pi * 1000 * torch.arange(8000) / 8000)  # 1 kHz at 8 kHz
    >>> mel = MelSpectrogram(fft_length=256, sequence_stride=128, sampling_rate=8000, num_mel_bins=32)(tone)
    >>> tuple(mel.shape), mel[:, 30].argmax().item(), round(mel.max().item(), 1)  # band 14 is centred near 1 kHz
    ((32, 63), 14, 37.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.serialization.object_registration import register_builtin


def _hz_to_mel(frequency):
    return 1127.0 * np.log1p(np.asarray(frequency, dtype="float64") / 700.0)


def mel_weight_matrix(
    num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float, min_freq: float, max_freq: float
) -> np.ndarray:
    """TensorFlow's ``linear_to_mel_weight_matrix``: a float64 array ``(num_spectrogram_bins, num_mel_bins)``
    whose column ``m`` is the triangle of Mel band ``m`` over the bins of a one-sided spectrum of
    ``sampling_rate`` (bin 0, the DC, has no weight).

    Args:
        num_mel_bins: int, the number of Mel bands.
        num_spectrogram_bins: int, the spectrum's bins (``fft_length // 2 + 1``).
        sampling_rate: number, the signal's sampling rate in Hz.
        min_freq: float, the lower edge of the lowest band in Hz.
        max_freq: float, the upper edge of the highest band in Hz.

    Returns:
        A NumPy float64 array.

    >>> weights = mel_weight_matrix(4, 9, 8000, 0.0, 4000.0)
    >>> weights.shape, weights[0].tolist(), round(float(weights[:, 1].max()), 4)
    ((9, 4), [0.0, 0.0, 0.0, 0.0], 0.6702)
    """
    frequencies = np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _hz_to_mel(frequencies)[:, None]
    edges = np.linspace(_hz_to_mel(min_freq), _hz_to_mel(max_freq), num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, num_mel_bins)), weights], axis=0)


def _number(layer, name, value, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (positive and not value > 0):
        kind = "a positive number" if positive else "a number"
        raise ValueError(f"{layer_label(layer)}: {name} must be {kind}, received {name}={value!r}")
    return value


@register_builtin("keras.layers")
class MelSpectrogram(Layer):
    """Converts audio signals to Mel spectrograms (power in decibels by default).

    Args:
        fft_length: int, default 2048: the FFT size (``fft_length // 2 + 1`` frequency bins).
        sequence_stride: int, default 512: the samples between successive frames.
        sequence_length: int or None, default None: the window's length, at most ``fft_length`` (None:
            ``fft_length``).
        window: str, array-like or None, default ``"hann"``: ``"hann"`` or ``"hamming"`` (periodic), the
            window's ``sequence_length`` values, or None (no window).
        sampling_rate: int, default 16000: the signal's sampling rate in Hz.
        num_mel_bins: int, default 128: the number of Mel bands.
        min_freq: float, default 20.0: the lower edge of the lowest band in Hz.
        max_freq: float or None, default None: the upper edge of the highest band in Hz (None:
            ``sampling_rate // 2``).
        power_to_db: bool, default True: convert the result to decibels.
        top_db: float or None, default 80.0: with ``power_to_db``, floor the decibels at the batch's largest
            value minus ``top_db`` (None: no floor).
        mag_exp: float, default 2.0: the exponent of the magnitude (1: magnitude, 2: power).
        min_power: float, default 1e-10: the smallest power (and reference power) taken into decibels.
        ref_power: float, default 1.0: the power of 0 dB.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(samples,)`` or ``(batch, samples)`` (any leading axes: ``(..., samples)``), with more than
        ``fft_length // 2`` samples.

    Output shape:
        ``(..., num_mel_bins, frames)`` with ``frames = 1 + samples // sequence_stride``.

    Raises:
        ValueError: for sizes or frequencies out of range, an unknown window, a window array without
            ``sequence_length`` values, or a signal of ``fft_length // 2`` samples or fewer.

    >>> layer = MelSpectrogram(num_mel_bins=80, sampling_rate=8000, sequence_stride=128, fft_length=2048)
    >>> tuple(layer(torch.rand(2, 16000)).shape)
    (2, 80, 126)
    >>> layer.get_config()["max_freq"], layer.get_config()["sequence_length"]
    (4000, 2048)
    """

    def __init__(
        self,
        fft_length: int = 2048,
        sequence_stride: int = 512,
        sequence_length: int | None = None,
        window: str | TensorLike | None = "hann",
        sampling_rate: float = 16000,
        num_mel_bins: int = 128,
        min_freq: float = 20.0,
        max_freq: float | None = None,
        power_to_db: bool = True,
        top_db: float | None = 80.0,
        mag_exp: float = 2.0,
        min_power: float = 1e-10,
        ref_power: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fft_length = positive_int(self, "fft_length", fft_length)
        self.sequence_stride = positive_int(self, "sequence_stride", sequence_stride)
        self.sequence_length = (
            self.fft_length if sequence_length is None else positive_int(self, "sequence_length", sequence_length)
        )
        if self.sequence_length > self.fft_length:
            raise ValueError(
                f"{layer_label(self)}: fft_length must be greater than or equal to sequence_length, "
                f"received sequence_length={sequence_length}, fft_length={fft_length}"
            )
        self.window = self._check_window(window)
        self.sampling_rate = _number(self, "sampling_rate", sampling_rate, positive=True)
        self.num_mel_bins = positive_int(self, "num_mel_bins", num_mel_bins)
        self.min_freq = _number(self, "min_freq", min_freq)
        self.max_freq = sampling_rate // 2 if max_freq is None else _number(self, "max_freq", max_freq)
        if not 0 <= self.min_freq < self.max_freq:
            raise ValueError(
                f"{layer_label(self)}: expected 0 <= min_freq < max_freq, received min_freq={min_freq!r}, "
                f"max_freq={self.max_freq!r}"
            )
        self.power_to_db = bool(power_to_db)
        self.top_db = None if top_db is None else _number(self, "top_db", top_db)
        if self.top_db is not None and self.top_db < 0:
            raise ValueError(f"{layer_label(self)}: top_db must be non-negative or None, received top_db={top_db!r}")
        self.mag_exp = _number(self, "mag_exp", mag_exp)
        self.min_power = _number(self, "min_power", min_power, positive=True)
        self.ref_power = _number(self, "ref_power", ref_power)
        self._constants: dict[Any, tuple[torch.Tensor, torch.Tensor]] = {}

    def _check_window(self, window):
        if window is None or (isinstance(window, str) and window in ("hann", "hamming")):
            return window
        if isinstance(window, str):
            raise ValueError(
                f"{layer_label(self)}: a window name must be 'hann' or 'hamming', received window={window!r}"
            )
        if isinstance(window, torch.Tensor):
            window = window.detach().cpu().numpy()
        try:
            values = np.asarray(window, dtype="float64")
        except (TypeError, ValueError):
            values = None
        if values is None or values.shape != (self.sequence_length,):
            raise ValueError(
                f"{layer_label(self)}: window must be 'hann', 'hamming', None or an array of "
                f"sequence_length={self.sequence_length} values, received window={window!r}"
            )
        return values.tolist()

    def _window_and_filters(self, dtype, device):
        """The window (or None) and the Mel filter bank transposed, ``(num_mel_bins, bins)``, made once."""
        key = (dtype, device)
        if key not in self._constants:
            n = self.sequence_length
            if self.window is None:
                window = torch.ones(n, dtype=dtype, device=device)
            elif isinstance(self.window, list):
                window = torch.tensor(self.window, dtype=dtype, device=device)
            else:
                make = torch.hann_window if self.window == "hann" else torch.hamming_window
                window = make(n, periodic=True, dtype=torch.float64).to(device=device, dtype=dtype)
            filters = mel_weight_matrix(
                self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate, self.min_freq, self.max_freq
            )
            self._constants[key] = (window, torch.tensor(filters.T, dtype=dtype, device=device))
        return self._constants[key]

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        compute_dtype = self._compute_torch_dtype
        signals = inputs if inputs.dtype == compute_dtype else inputs.to(compute_dtype)
        if signals.dtype in (torch.float16, torch.bfloat16):
            signals = signals.float()
        if signals.ndim == 0 or signals.shape[-1] <= self.fft_length // 2:
            raise ValueError(
                f"{layer_label(self)}: expected signals (..., samples) of more than fft_length // 2 = "
                f"{self.fft_length // 2} samples (the frames are centred, the signal reflected at "
                f"both ends), received shape {tuple(inputs.shape)}"
            )
        window, filters = self._window_and_filters(signals.dtype, signals.device)
        flat = signals.reshape(-1, signals.shape[-1])
        spectrum = torch.stft(
            flat,
            self.fft_length,
            self.sequence_stride,
            self.sequence_length,
            window,
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )  # (n, bins, frames)
        power = spectrum.real.square() + spectrum.imag.square()
        magnitude = power if self.mag_exp == 2 else power.pow(self.mag_exp / 2)
        mel = torch.matmul(filters, magnitude)
        if self.power_to_db:
            mel = self._decibels(mel)
        mel = mel.reshape(tuple(signals.shape[:-1]) + tuple(mel.shape[-2:]))
        return mel.to(compute_dtype)

    def _decibels(self, power):
        reference = 10.0 * math.log10(max(self.ref_power, self.min_power))
        db = 10.0 * torch.log10(power.clamp_min(self.min_power)) - reference
        if self.top_db is not None:
            db = torch.maximum(db, db.max() - self.top_db)
        return db

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        input_shape = tuple(input_shape)
        if not input_shape:
            raise ValueError(f"{layer_label(self)}: expected signals of shape (..., samples), received shape ()")
        samples = input_shape[-1]
        frames = None if samples is None else 1 + samples // self.sequence_stride
        return input_shape[:-1] + (self.num_mel_bins, frames)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length,
                "window": self.window,
                "sampling_rate": self.sampling_rate,
                "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq,
                "max_freq": self.max_freq,
                "power_to_db": self.power_to_db,
                "top_db": self.top_db,
                "mag_exp": self.mag_exp,
                "min_power": self.min_power,
                "ref_power": self.ref_power,
            }
        )
        return config
