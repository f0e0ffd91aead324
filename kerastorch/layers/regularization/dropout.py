"""``Dropout``.

Dropout is the identity unless the call runs in training mode (``training=True``,
an enclosing ``fit``, or ``module.train()``). Without ``noise_shape`` and
``seed`` it runs ``torch.nn.functional.dropout``, drawing from torch's global
generator (``torch.manual_seed`` reproduces it); with either it uses
:func:`kerastorch.random.dropout`, and an int ``seed`` drives the layer's own
:class:`~kerastorch.random.SeedGenerator`, so two layers built with the same
seed drop the same entries.

Example:
    >>> import torch
    >>> layer = Dropout(0.5)
    >>> bool((layer(torch.ones(4)) == 1).all())          # inference: identity
    True
    >>> set(layer(torch.ones(1000), training=True).unique().tolist())
    {0.0, 2.0}
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch import random as krandom
from kerastorch.layers.regularization.base_random import RateDropout
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Dropout(RateDropout):
    """Zeroes each entry with probability ``rate`` in training and scales the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (None entries take the input's size) shares one draw along
    the axes where it is 1, e.g. ``(None, 1, None)`` drops whole features of a
    sequence for every timestep.

    Args:
        rate: float in ``[0, 1)``: the fraction of the entries to drop.
        noise_shape: tuple of None / ints, default None: the shape of the keep mask, broadcast against the
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

    >>> import torch
    >>> Dropout(0.2, noise_shape=(None, 1, None), seed=1)(torch.ones(2, 3, 4), training=True).shape
    torch.Size([2, 3, 4])
    """

    def __init__(
        self, rate: float, noise_shape: Sequence[int | None] | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(rate, noise_shape, seed, **kwargs)
        self._functional = noise_shape is None and seed is None

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        if self._functional:
            return F.dropout(inputs, self.rate, True)
        return krandom.dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed_generator)
