"""``GaussianNoise``: additive zero-centred Gaussian noise, in training only.

Example:
    >>> layer = GaussianNoise(0.1, seed=0)
    >>> bool((layer(torch.ones(3)) == 1).all())           # inference: identity
    True
    >>> bool((layer(torch.ones(3), training=True) != 1).all())
    True
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.regularization.base_random import BaseRandomLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class GaussianNoise(BaseRandomLayer):
    """Adds ``N(0, stddev**2)`` noise to each entry in training (a regularizer against overfitting); the
    identity in inference.

    Args:
        stddev: float in ``[0, 1]``: the noise's standard deviation.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any shape.

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``stddev`` outside ``[0, 1]`` or a non-int ``seed``.

    Example:

    >>> GaussianNoise(1.0, seed=2)(torch.zeros(10000), training=True).std().round(decimals=1).item()
    1.0
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float, numbers.Real)) or not 0 <= stddev <= 1:
            raise ValueError(f"{layer_label(self)}: stddev must be a number in [0, 1], received stddev={stddev!r}")
        self.stddev = stddev

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or self.stddev == 0:
            return inputs
        noise = torch.empty(inputs.shape, dtype=inputs.dtype, device=inputs.device)
        return noise.normal_(0.0, self.stddev, generator=self._generator(inputs.device)).add_(inputs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
