"""Regularization layers: ``Dropout``, ``SpatialDropout1D/2D/3D``, ``GaussianNoise``, ``GaussianDropout``,
``AlphaDropout`` and ``ActivityRegularization``.

The random layers are the identity unless the call runs in training mode
(``training=True``, an enclosing ``fit``, or ``module.train()``) and share
:class:`~kerastorch.layers.regularization.base_random.BaseRandomLayer` (rate and
seed checks, seeded generators, noise shapes).

Example:
    >>> import torch
    >>> Dropout(0.5)(torch.ones(3)).tolist()
    [1.0, 1.0, 1.0]
"""

from kerastorch.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from kerastorch.layers.regularization.alpha_dropout import AlphaDropout
from kerastorch.layers.regularization.dropout import Dropout
from kerastorch.layers.regularization.gaussian_dropout import GaussianDropout
from kerastorch.layers.regularization.gaussian_noise import GaussianNoise
from kerastorch.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
