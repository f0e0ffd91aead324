"""Regularization layers: ``Dropout``.

Dropout is the identity unless the call runs in training mode (``training=True``,
an enclosing ``fit``, or ``module.train()``). Without ``noise_shape`` and
``seed`` it runs ``torch.nn.functional.dropout``, drawing from torch's global
generator (``torch.manual_seed`` reproduces it); with either it uses
:func:`kerastorch.random.dropout`, and an int ``seed`` drives the layer's own
:class:`~kerastorch.random.SeedGenerator`, so two layers built with the same
seed drop the same entries.

Example:
    >>> layer = Dropout(0.5)
    >>> bool((layer(torch.ones(4)) == 1).all())          # inference: identity
    True
    >>> set(layer(torch.ones(1000), training=True).unique().tolist())
    {0.0, 2.0}
"""
import numbers

import torch.nn.functional as F

from kerastorch import random as krandom
from kerastorch.layers.base import Layer
from kerastorch.layers.core import _label
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class Dropout(Layer):
    """Zeroes each entry with probability ``rate`` in training and scales the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (None entries take the input's size) shares one draw along
    the axes where it is 1, e.g. ``(None, 1, None)`` drops whole features of a
    sequence for every timestep.

    >>> Dropout(0.2, noise_shape=(None, 1, None), seed=1)(torch.ones(2, 3, 4), training=True).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"{_label(self)}: rate must be a number in [0, 1), received rate={rate!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{_label(self)}: seed must be None or an int, received seed={seed!r}")
        if noise_shape is not None:
            noise_shape = tuple(noise_shape)
            if not all(d is None or (isinstance(d, numbers.Integral) and d >= 1) for d in noise_shape):
                raise ValueError(f"{_label(self)}: noise_shape entries must be None or positive ints, "
                                 f"received noise_shape={noise_shape!r}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = None if seed is None else krandom.SeedGenerator(seed)
        self.supports_masking = True
        self._functional = noise_shape is None and seed is None

    def build(self, input_shape):
        noise = self.noise_shape
        if noise is not None and (len(noise) != len(input_shape) or any(
                d not in (None, 1) and s is not None and d != s for d, s in zip(noise, input_shape))):
            raise ValueError(f"{_label(self)}: noise_shape needs one entry per input axis, each None, 1 or the "
                             f"input's size, received noise_shape={noise} for inputs of shape {tuple(input_shape)}")
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self._functional:
            return F.dropout(inputs, self.rate, True)
        return krandom.dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed_generator)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
