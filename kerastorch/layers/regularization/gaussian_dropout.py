"""``GaussianDropout``: multiplicative ``N(1, rate / (1 - rate))`` noise, in training only.

The variance ``rate / (1 - rate)`` is that of Dropout's ``mask / (1 - rate)``, so the
two regularize alike while this one keeps every entry.

Example:
    >>> layer = GaussianDropout(0.2, seed=0)
    >>> bool((layer(torch.ones(3)) == 1).all())           # inference: identity
    True
"""

from __future__ import annotations

import math
from typing import Any

import torch

from kerastorch.layers.regularization.base_random import BaseRandomLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class GaussianDropout(BaseRandomLayer):
    """Multiplies each entry by ``N(1, rate / (1 - rate))`` noise in training; the identity in inference.

    Args:
        rate: float in ``[0, 1)``: the drop rate the noise stands for; the noise's standard deviation is
            ``sqrt(rate / (1 - rate))``.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any shape.

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1)`` or a non-int ``seed``.

    Example:

    >>> out = GaussianDropout(0.5, seed=1)(torch.ones(10000), training=True)
    >>> round(out.mean().item(), 1), round(out.var().item(), 1)
    (1.0, 1.0)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = self._check_rate(rate)
        self._stddev = math.sqrt(rate / (1.0 - rate))

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        noise = torch.empty(inputs.shape, dtype=inputs.dtype, device=inputs.device)
        return inputs * noise.normal_(1.0, self._stddev, generator=self._generator(inputs.device))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
