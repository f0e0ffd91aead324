"""``ZeroPadding1D/2D/3D``: zeros added before and after the spatial axes.

``padding`` is an int, one int per axis, or one ``(before, after)`` pair per axis
(for 1-D: an int or one pair). The layer is one ``F.pad`` call on the input as laid
out (no ``permute``); the amounts are fixed at construction.

Example:
    >>> import torch
    >>> ZeroPadding1D((1, 2))(torch.ones(1, 2, 1)).flatten().tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
"""
import torch.nn.functional as F

from kerastorch.layers.core import _label
from kerastorch.layers.reshaping.base_spatial_reshaping import (
    SpatialReshaping,
    normalize_pairs,
    pairs_config,
)
from kerastorch.saving.object_registration import register_builtin


class BaseZeroPadding(SpatialReshaping):
    """Zero padding of rank ``rank``; the public layers fix the rank.

    >>> import torch
    >>> BaseZeroPadding(2, ((0, 1), (2, 0)))(torch.ones(1, 2, 2, 3)).shape
    torch.Size([1, 3, 4, 3])
    """

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self._pairs = normalize_pairs(padding, rank, "padding", _label(self))
        self.padding = pairs_config(self._pairs)
        pad = tuple(v for pair in reversed(self._pairs) for v in pair)  # F.pad lists the last axis first
        self._pad = pad if self._channels_first else (0, 0) + pad

    def call(self, inputs):
        return F.pad(inputs, self._pad)

    def _output_spatial(self, spatial):
        return tuple(None if n is None else n + a + b for n, (a, b) in zip(spatial, self._pairs))

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding
        return config


@register_builtin("keras.layers")
class ZeroPadding1D(BaseZeroPadding):
    """Pads the steps of ``(batch, steps, features)`` (or ``(batch, features, steps)``) with zeros.

    >>> import torch
    >>> ZeroPadding1D(2)(torch.ones(3, 4, 5)).shape
    torch.Size([3, 8, 5])
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class ZeroPadding2D(BaseZeroPadding):
    """Pads the rows and columns of images with zeros.

    >>> import torch
    >>> ZeroPadding2D(((1, 0), (0, 2)))(torch.ones(1, 1, 1, 1))[0, :, :, 0].tolist()
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class ZeroPadding3D(BaseZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    >>> import torch
    >>> ZeroPadding3D((1, 0, 2), data_format="channels_first")(torch.ones(1, 2, 3, 3, 3)).shape
    torch.Size([1, 2, 5, 3, 7])
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)
