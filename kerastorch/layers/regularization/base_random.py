"""``BaseRandomLayer``: what Dropout and the noise layers share (argument checks, seeds, noise shapes).

A layer built with ``seed=None`` draws from torch's global generator of the input's
device (``torch.manual_seed`` reproduces it); an int ``seed`` drives the layer's own
:class:`~kerastorch.random.SeedGenerator`, so two layers built with the same seed
draw the same noise, and successive calls of one layer differ.

Example:
    >>> layer = BaseRandomLayer(seed=3)
    >>> layer._check_rate(0.5)
    0.5
    >>> layer.seed_generator.seed
    3
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

from kerastorch import random as krandom
from kerastorch.backend import validation
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import check_seed, layer_label


class BaseRandomLayer(Layer):
    """A layer with an optional int ``seed`` (see the module docstring); it passes masks through."""

    _preserves_shape = True

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_seed(self, seed)
        self.seed = seed
        self.seed_generator = None if seed is None else krandom.SeedGenerator(seed)
        self.supports_masking = True

    def _check_rate(self, rate, name="rate"):
        """``rate`` unchanged when it is a number in ``[0, 1)``, else a ValueError naming the layer."""
        if isinstance(rate, bool) or not isinstance(rate, (int, float, numbers.Real)) or not 0 <= rate < 1:
            raise ValueError(f"{layer_label(self)}: {name} must be a number in [0, 1), received {name}={rate!r}")
        return rate

    def extra_repr(self) -> str:
        return self._describe(**{key: self.__dict__[key] for key in ("rate", "stddev") if key in self.__dict__})

    def _generator(self, device):
        """The ``torch.Generator`` to draw from on ``device``: the layer's own, or None (torch's global one)."""
        return None if self.seed_generator is None else self.seed_generator.generator(device)

    # -------------------------------------------------------------- noise_shape
    def _init_noise_shape(self, noise_shape):
        """``noise_shape`` as a tuple of None / positive ints (or None), else a ValueError naming the layer."""
        if noise_shape is not None:
            if not isinstance(noise_shape, (list, tuple)):
                validation.fail(
                    layer_label(self), "noise_shape", "None or a tuple of None / positive ints", noise_shape
                )
            noise_shape = tuple(noise_shape)
            if not all(d is None or (isinstance(d, (int, numbers.Integral)) and d >= 1) for d in noise_shape):
                raise ValueError(
                    f"{layer_label(self)}: noise_shape entries must be None or positive ints, "
                    f"received noise_shape={noise_shape!r}"
                )
        self.noise_shape = noise_shape

    def _check_noise_shape(self, input_shape):
        """A ValueError unless ``noise_shape`` has one entry per input axis, each None, 1 or the input's size."""
        noise = self.noise_shape
        if noise is not None and (
            len(noise) != len(input_shape)
            or any(d not in (None, 1) and s is not None and d != s for d, s in zip(noise, input_shape))
        ):
            raise ValueError(
                f"{layer_label(self)}: noise_shape needs one entry per input axis, each None, 1 or the "
                f"input's size, received noise_shape={noise} for inputs of shape {tuple(input_shape)}"
            )

    def _concrete_noise_shape(self, shape):
        """``noise_shape`` with None entries replaced by the sizes in ``shape`` (``shape`` when it is None)."""
        if self.noise_shape is None:
            return shape
        return tuple(size if d is None else d for d, size in zip(self.noise_shape, shape))


class RateDropout(BaseRandomLayer):
    """Base of the dropouts with Keras's ``(rate, noise_shape=None, seed=None)`` arguments and config (Dropout,
    AlphaDropout): the checks, ``build`` (the noise shape against the input shape) and ``get_config``.

    >>> RateDropout(0.25, noise_shape=(None, 1)).get_config()["noise_shape"]
    (None, 1)
    """

    def __init__(
        self, rate: float, noise_shape: Sequence[int | None] | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = self._check_rate(rate)
        self._init_noise_shape(noise_shape)

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._check_noise_shape(input_shape)
        self.built = True

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
