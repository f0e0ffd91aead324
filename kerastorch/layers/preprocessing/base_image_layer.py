"""Shared bases of the image preprocessing layers: data format, input rank, seeds and factor ranges.

``ImageLayer`` checks that inputs are one image (rank 3) or a batch (rank 4) in ``data_format``;
``RandomImageLayer`` adds Keras's augmentation contract: the layer is the identity unless the call runs in
training mode (``training=True``, an enclosing ``fit`` or ``module.train()``), and its random parameters
(one draw per image) come from :mod:`kerastorch.random` on the input's device, from the layer's own
``SeedGenerator`` when ``seed`` is an int (so two layers with one seed make the same draws) and from
torch's global generator otherwise. Unlike Keras 3, whose augmentation layers default to ``training=True``
when called directly, ``layer(x)`` outside ``fit`` is inference here, as for every kerastorch layer.

Example:
    >>> factor_range(RandomImageLayer(), "factor", 0.2, (-1, 1))
    (-0.2, 0.2)
"""

from __future__ import annotations

import numbers
from typing import Any, List, Sequence, Tuple, TypeVar, Union

import torch

from kerastorch import random as krandom
from kerastorch.backend.annotations import Shape
from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import check_seed, layer_label

Factor = Union[float, Tuple[float, float], List[float]]
"""A factor argument: a number ``f`` (the range ``(-f, f)``, or ``(0, f)``) or a pair ``(lower, upper)``."""

ValueRange = Union[Tuple[float, float], List[float]]
"""A ``value_range`` argument: the pair ``(low, high)`` of the pixel values' range."""

_T = TypeVar("_T")


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (an int, float or NumPy number), a bool excepted.

    Args:
        value: anything.

    Returns:
        bool.

    >>> is_number(0.5), is_number(True)
    (True, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def factor_range(
    layer: Layer, name: str, factor: Factor, bounds: tuple[float, float], open_low: bool = False, clip_low: bool = False
) -> tuple[float, float]:
    """``(lower, upper)`` for a factor given as a number ``f`` (``(-f, f)``) or a pair, each value within
    ``bounds`` (``open_low``: the lower bound itself excluded). ``clip_low`` raises ``-f`` to the lower bound,
    as Keras does for factors whose range starts at 0 (RandomContrast)."""
    low, high = bounds
    interval = f"{'(' if open_low else '['}{low}, {high}]"

    def check(value):
        if not is_number(value) or value > high or value < low or (open_low and value == low):
            raise ValueError(
                f"{layer_label(layer)}: {name} must be a number or a pair of numbers in {interval}, "
                f"received {name}={factor!r}"
            )

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(
                f"{layer_label(layer)}: {name} must be a number or a pair (lower, upper), received {name}={factor!r}"
            )
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    check(factor)
    factor = abs(factor)
    return (max(-factor, low) if clip_low else -factor), factor


def standard_factor(factor: float | tuple[float, ...] | list[float] | None) -> float | tuple[float, ...] | None:
    """A factor as stored in configs: a number, or a tuple (JSON lists come back as tuples)."""
    return tuple(factor) if isinstance(factor, list) else factor


def check_choice(layer: Layer, name: str, value: _T, choices: Sequence[Any]) -> _T:
    if value not in choices:
        raise ValueError(f"{layer_label(layer)}: {name} must be one of {list(choices)}, received {name}={value!r}")
    return value


class ImageLayer(Layer):
    """A layer on rank-3 (one image) or rank-4 (a batch) inputs in ``data_format``."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, layer_label(self))
        self.supports_masking = False

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) not in (3, 4):
            raise ValueError(
                f"{layer_label(self)}: expected images of rank 3 (one image) or 4 (a batch), received "
                f"inputs of shape {tuple(input_shape)}"
            )
        self.built = True

    def _hw_axes(self, ndim):
        return (ndim - 2, ndim - 1) if self.data_format == "channels_first" else (ndim - 3, ndim - 2)

    def _channel_axis(self, ndim):
        return ndim - 3 if self.data_format == "channels_first" else ndim - 1

    def _check_channels(self, input_shape, expected=3, what="RGB"):
        """A ValueError unless the channel axis of ``input_shape`` (when known) has ``expected`` entries."""
        if len(input_shape) in (3, 4):
            channels = input_shape[self._channel_axis(len(input_shape))]
            if channels is not None and channels != expected:
                raise ValueError(
                    f"{layer_label(self)}: expected {expected} ({what}) channels, received inputs of shape "
                    f"{tuple(input_shape)}"
                )

    def _per_batch(self, inputs, transform):
        """``transform`` (of a rank-4 batch) applied to ``inputs``, a batch or one image."""
        self._check_rank(inputs)
        unbatched = inputs.dim() == 3
        out = transform(inputs.unsqueeze(0) if unbatched else inputs)
        return out.squeeze(0) if unbatched else out

    def _check_rank(self, inputs):
        if inputs.dim() not in (3, 4):
            raise ValueError(
                f"{layer_label(self)}: expected images of rank 3 (one image) or 4 (a batch), received "
                f"inputs of shape {tuple(inputs.shape)}"
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class RandomImageLayer(ImageLayer):
    """An augmentation layer: identity in inference, per-image random draws in training."""

    def __init__(self, seed: int | None = None, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        check_seed(self, seed)
        self.seed = seed
        self.seed_generator = None if seed is None else krandom.SeedGenerator(seed)

    def _uniform(self, shape, low, high, like):
        """Uniform draws in ``[low, high)`` on ``like``'s device, in float32 (float64 for float64 inputs)."""
        dtype = "float64" if like.dtype.is_floating_point and like.itemsize == 8 else "float32"
        return krandom.uniform(shape, low, high, dtype=dtype, seed=self.seed_generator, device=like.device)

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training:
            return inputs
        return self._per_batch(inputs, self._augment)

    def _augment(self, images):
        """The training-mode transform of a rank-4 batch."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["seed"] = self.seed
        return config
