"""``STFTSpectrogram``: spectrograms of 1-D signals by a strided convolution with (trainable) STFT kernels.

As in Keras 3.15, the layer holds the real and imaginary parts of the windowed DFT as two ``Conv1D``-layout
kernels ``real_kernel`` and ``imag_kernel`` of shape ``(frame_length, 1, fft_length // 2 + 1)`` (made by the
:class:`~kerastorch.initializers.STFT` initializer; ``mode="real"`` has only the first, ``mode="imag"`` only the
second) and convolves every input channel with them, stride ``frame_step``: frame ``i`` is samples
``[i * frame_step, i * frame_step + frame_length)``, zero-padded at its end to ``fft_length`` (``padding="same"``
pads the signal as a Keras ``Conv1D`` does, to ``ceil(length / frame_step)`` frames). Both kernels run as one
``conv1d``. With ``re`` and ``im`` the two parts and ``eps = keras.config.epsilon()`` (read at call time), the
modes are ``"real"``: ``re``; ``"imag"``: ``im``; ``"magnitude"``: ``sqrt(max(re**2 + im**2, eps))``; ``"log"``:
the log of that magnitude; ``"psd"``: ``re**2 + im**2`` with every bin but the first and the last doubled (the
one-sided spectrum, as Keras, whatever the parity of ``fft_length``); ``"angle"``: ``atan2(im, re)``;
``"stft"``: ``re`` and ``im`` side by side on the frequency axis (``2 * bins`` values per channel).

Outputs are in the layer's compute dtype (Keras 3.15 returns float32 even from a float64 layer). The kernels
are trainable unless the layer is made with ``trainable=False``.

Example:
    >>> layer = STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4, window=None, scaling=None)
    >>> signal = torch.cos(torch.arange(32.0) * math.pi / 2)[None, :, None]  # a quarter of the sampling rate
    >>> spectrum = layer(signal)
    >>> tuple(spectrum.shape), spectrum[0, 0].argmax().item(), round(spectrum[0, 0, 2].item(), 4)
    ((1, 7, 5), 2, 4.0)
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.conv_utils import conv_output_length, normalize_data_format, same_padding
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.initializers import STFT
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _int_arg(layer: Layer, name: str, value: Any, lowest: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lowest:
        raise ValueError(f"{layer_label(layer)}: {name} must be an integer >= {lowest}, received {name}={value!r}")
    return int(value)


@register_builtin("keras.layers")
class STFTSpectrogram(Layer):
    """Spectrograms of 1-D signals (one per input channel) by a convolution with STFT kernels.

    The kernels start as the exact windowed DFT (see the module) and, as weights of the layer, can be fine-tuned
    with the rest of a model (make the layer with ``trainable=False`` for fixed preprocessing).

    Args:
        mode: str, default ``"log"``: the output: ``"log"`` (log magnitude), ``"magnitude"``, ``"psd"`` (power
            spectral density), ``"real"``, ``"imag"``, ``"angle"`` (phase) or ``"stft"`` (real and imaginary
            parts side by side).
        frame_length: int, default 256: the samples per frame (the window's length).
        frame_step: int or None, default None: the hop between frames, in ``[1, frame_length]`` (None:
            ``frame_length // 2``).
        fft_length: int or None, default None: the DFT size, at least ``frame_length``; frames are zero-padded
            to it (None: the smallest power of 2 not below ``frame_length``). Gives ``fft_length // 2 + 1``
            frequency bins.
        window: str, array-like or None, default ``"hann"``: a window name (``"hann"``, ``"hamming"`` and the
            others of :class:`~kerastorch.initializers.STFT`), its ``frame_length`` values, or None (none).
        periodic: bool, default False: use the periodic form of a named window.
        scaling: str or None, default ``"density"``: normalize the window by its L2 norm (``"density"``), by
            its sum (``"spectrum"``), or not (None).
        padding: str, default ``"valid"``: ``"valid"`` (frames inside the signal only) or ``"same"`` (pad to
            ``ceil(length / frame_step)`` frames).
        expand_dims: bool, default False: keep the channels on their own axis (an image-like output) instead of
            concatenating their frequency bins.
        data_format: str or None: ``"channels_last"`` (inputs ``(batch, time, channels)``) or
            ``"channels_first"`` (``(batch, channels, time)``); None: ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``...).

    Input shape:
        ``(batch, time, channels)`` (channels last) or ``(batch, channels, time)`` (channels first), float.

    Output shape:
        With ``F = fft_length // 2 + 1`` bins (``2 * F`` for ``mode="stft"``) and ``T`` frames:
        ``(batch, T, channels * F)`` (channels last) or ``(batch, channels * F, T)`` (channels first); with
        ``expand_dims``, ``(batch, T, F, channels)`` or ``(batch, channels, T, F)``.

    Raises:
        ValueError: for an unknown ``mode``, ``scaling``, ``padding``, ``data_format`` or window, sizes out of
            range, a window array without ``frame_length`` values, or an input shorter than ``frame_length``
            with ``padding="valid"``.
        TypeError: for integer inputs (Keras accepts float16, float32 and float64 signals only).

    >>> layer = STFTSpectrogram(frame_length=256, frame_step=128, fft_length=512, padding="same", expand_dims=True,
    ...                         name="stft")
    >>> tuple(layer(torch.rand(3, 16000, 2)).shape), [w.path for w in layer.weights]
    ((3, 125, 257, 2), ['stft/real_kernel', 'stft/imag_kernel'])
    """

    def __init__(
        self,
        mode: str = "log",
        frame_length: int = 256,
        frame_step: int | None = None,
        fft_length: int | None = None,
        window: str | TensorLike | None = "hann",
        periodic: bool = False,
        scaling: str | None = "density",
        padding: str = "valid",
        expand_dims: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"{layer_label(self)}: mode must be one of {list(MODES)}, received mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(
                f"{layer_label(self)}: scaling must be None, 'density' or 'spectrum', received scaling={scaling!r}"
            )
        if padding not in ("valid", "same"):
            raise ValueError(f"{layer_label(self)}: padding must be 'valid' or 'same', received padding={padding!r}")
        self.mode, self.scaling, self.padding = mode, scaling, padding
        self.frame_length = _int_arg(self, "frame_length", frame_length)
        self.frame_step = None if frame_step is None else _int_arg(self, "frame_step", frame_step)
        self.fft_length = None if fft_length is None else _int_arg(self, "fft_length", fft_length)
        self._frame_step = self.frame_length // 2 if self.frame_step is None else self.frame_step
        if not 1 <= self._frame_step <= self.frame_length:
            raise ValueError(
                f"{layer_label(self)}: frame_step must be a positive integer not greater than frame_length; "
                f"received frame_step={frame_step!r} (frame_length={self.frame_length})"
            )
        self._fft_length = 2 ** math.ceil(math.log2(self.frame_length)) if self.fft_length is None else self.fft_length
        if self._fft_length < self.frame_length:
            raise ValueError(
                f"{layer_label(self)}: fft_length must not be less than frame_length; received "
                f"fft_length={fft_length!r}, frame_length={self.frame_length}"
            )
        if self._fft_length & (self._fft_length - 1):
            warnings.warn(
                f"{layer_label(self)}: fft_length is recommended to be a power of two, received "
                f"fft_length={self._fft_length}",
                stacklevel=2,
            )
        self.periodic, self.expand_dims = bool(periodic), bool(expand_dims)
        try:
            self._initializers = {side: STFT(side, window, scaling, periodic) for side in ("real", "imag")}
        except ValueError as error:
            raise ValueError(f"{layer_label(self)}: {error}") from None
        self.window = self._initializers["real"].window
        if isinstance(self.window, list) and len(self.window) != self.frame_length:
            raise ValueError(
                f"{layer_label(self)}: window must have frame_length={self.frame_length} values, received "
                f"{len(self.window)}"
            )
        self.data_format = normalize_data_format(data_format, layer_label(self))
        self.input_spec = InputSpec(ndim=3)

    @property
    def _bins(self):
        return self._fft_length // 2 + 1

    def build(self, input_shape: Shape) -> None:
        shape = (self.frame_length, 1, self._bins)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(shape=shape, initializer=self._initializers["real"], name="real_kernel")
        if self.mode != "real":
            self.imag_kernel = self.add_weight(shape=shape, initializer=self._initializers["imag"], name="imag_kernel")
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if not inputs.is_floating_point():
            raise TypeError(
                f"{layer_label(self)}: expected a float16, float32 or float64 signal, received dtype {inputs.dtype}"
            )
        if self.data_format == "channels_last":
            batch, length, channels = inputs.shape
            signals = inputs.transpose(1, 2)
        else:
            batch, channels, length = inputs.shape
            signals = inputs
        signals = signals.reshape(batch * channels, 1, length)
        if self.padding == "same":
            signals = F.pad(signals, same_padding(length, self.frame_length, self._frame_step, 1))
        elif length < self.frame_length:
            raise ValueError(
                f"{layer_label(self)}: with padding='valid' the signal needs at least frame_length="
                f"{self.frame_length} samples, received {length} (input shape {tuple(inputs.shape)})"
            )
        kernels = [k for k in (getattr(self, "real_kernel", None), getattr(self, "imag_kernel", None)) if k is not None]
        weight = torch.cat(kernels, dim=2).permute(2, 1, 0).to(signals.dtype)  # (parts * bins, 1, frame_length)
        parts = F.conv1d(signals, weight, stride=self._frame_step)  # (batch * channels, parts * bins, frames)
        bins = self._bins
        outputs = self._apply_mode(parts[:, :bins], parts[:, bins:])
        outputs = outputs.reshape(batch, channels, outputs.shape[1], outputs.shape[2])
        return self._arrange(outputs)

    def _apply_mode(self, first, second):
        """The ``mode``'s output of the convolution's parts (``first`` is ``re``, or ``im`` for mode "imag")."""
        if self.mode in ("real", "imag"):
            return first
        if self.mode == "stft":
            return torch.cat([first, second], dim=1)
        if self.mode == "angle":
            return torch.atan2(second, first)
        power = first.square() + second.square()
        if self.mode == "psd":
            scale = torch.full((power.shape[1], 1), 2.0, dtype=power.dtype, device=power.device)
            scale[0], scale[-1] = 1.0, 1.0
            return power * scale
        power = power.clamp_min(kconfig.epsilon())
        return power.sqrt() if self.mode == "magnitude" else 0.5 * power.log()

    def _arrange(self, outputs):
        """``(batch, channels, bins, frames)`` in the output layout of ``data_format`` and ``expand_dims``."""
        batch, channels, bins, frames = outputs.shape
        if self.expand_dims:
            return outputs.permute(0, 3, 2, 1) if self.data_format == "channels_last" else outputs.transpose(2, 3)
        if self.data_format == "channels_last":
            return outputs.permute(0, 3, 1, 2).reshape(batch, frames, channels * bins)
        return outputs.reshape(batch, channels * bins, frames)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise ValueError(f"{layer_label(self)}: expected an input shape of rank 3, received {tuple(input_shape)}")
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        frames = conv_output_length(length, self.frame_length, self._frame_step, 1, self.padding)
        bins = self._bins * (2 if self.mode == "stft" else 1)
        if self.expand_dims:
            return (
                (batch, frames, bins, channels)
                if self.data_format == "channels_last"
                else (batch, channels, frames, bins)
            )
        flat = None if channels is None else channels * bins
        return (batch, frames, flat) if self.data_format == "channels_last" else (batch, flat, frames)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "mode": self.mode,
                "frame_length": self.frame_length,
                "frame_step": self.frame_step,
                "fft_length": self.fft_length,
                "window": self.window,
                "periodic": self.periodic,
                "scaling": self.scaling,
                "padding": self.padding,
                "data_format": self.data_format,
                "expand_dims": self.expand_dims,
            }
        )
        return config
