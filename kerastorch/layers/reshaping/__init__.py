"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector`` (:mod:`.core`) and the
spatial ``ZeroPadding1D/2D/3D``, ``Cropping1D/2D/3D`` and ``UpSampling1D/2D/3D``, which share the
rank-generic base :class:`~kerastorch.layers.reshaping.base_spatial_reshaping.SpatialReshaping`.

Shapes and axes exclude the batch axis, as in Keras.

Example:
    >>> import torch
    >>> Flatten()(ZeroPadding2D(1)(torch.ones(2, 3, 3, 1))).shape
    torch.Size([2, 25])
"""

from kerastorch.layers.reshaping.core import Flatten, Permute, RepeatVector, Reshape
from kerastorch.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from kerastorch.layers.reshaping.up_sampling import (
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
)
from kerastorch.layers.reshaping.zero_padding import (
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
