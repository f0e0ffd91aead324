"""``AlphaDropout``: dropout that keeps SELU activations normalized, in training only.

A dropped entry is set to SELU's negative saturation value
``alpha' = -scale * alpha`` (about -1.7581) instead of 0, and the result goes
through the affine map ``a * x + b`` with ``a = ((1 - rate) * (1 + rate * alpha'**2)) ** -0.5``
and ``b = -a * alpha' * rate``, which restores zero mean and unit variance for
standardized inputs (Klambauer et al., 2017; Keras 3's formula). The draw
(``noise_shape`` as in Dropout) becomes a per-entry scale and shift, applied with
one ``torch.addcmul``.

Example:
    >>> out = AlphaDropout(0.2, seed=0)(torch.randn(20000), training=True)
    >>> round(out.mean().item(), 1) == 0, round(out.std().item(), 1)
    (True, 1.0)
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from kerastorch.layers.regularization.base_random import RateDropout
from kerastorch.serialization.object_registration import register_builtin

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
ALPHA_PRIME = -_SELU_ALPHA * _SELU_SCALE


@register_builtin("keras.layers")
class AlphaDropout(RateDropout):
    """Drops entries to SELU's saturation value and rescales to keep mean and variance (see the module docstring).

    The identity in inference.

    Args:
        rate: float in ``[0, 1)``: the fraction of the entries to drop.
        noise_shape: tuple of None / ints, default None: the shape of the drop mask, broadcast against the
            input (one entry per input axis, each None, 1 or the input's size); None draws one value per entry.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any shape.

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1)``, a malformed ``noise_shape``, a non-int ``seed``, or (when
            the layer is built) a ``noise_shape`` that does not match the input's shape.

    Example:

    >>> layer = AlphaDropout(0.3, seed=1)
    >>> sorted({round(v, 4) for v in layer(torch.zeros(1000), training=True).tolist()})
    [-1.0595, 0.4541]
    """

    def __init__(
        self, rate: float, noise_shape: Sequence[int | None] | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(rate, noise_shape, seed, **kwargs)
        self._a = ((1 - rate) * (1 + rate * ALPHA_PRIME**2)) ** -0.5
        self._b = -self._a * ALPHA_PRIME * rate

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        shape = self._concrete_noise_shape(inputs.shape)
        keep = torch.empty(shape, dtype=inputs.dtype, device=inputs.device)
        keep.bernoulli_(1.0 - self.rate, generator=self._generator(inputs.device))
        scale = keep * self._a  # a where kept, 0 where dropped
        shift = keep.mul_(-self._a * ALPHA_PRIME).add_(self._a * ALPHA_PRIME + self._b)  # b kept, a*alpha'+b dropped
        return torch.addcmul(shift, inputs, scale)
