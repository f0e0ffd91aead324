"""``BasePooling``: the rank-generic max / average pooling (MaxPooling1D/2D/3D, AveragePooling1D/2D/3D).

``strides`` defaults to ``pool_size``. ``padding="same"`` follows Keras/TF: the
output has ``ceil(n / stride)`` positions, windows that reach past the input ignore
the missing elements, and an average counts only the real elements it covers. (Keras
3.15's torch backend instead repeats the edge value into asymmetric "same" padding of
average pooling, a bug fixed upstream in keras-team/keras#23233; kerastorch gives the
TF/JAX numbers.) The torch pooling call gets the padding directly, with ``ceil_mode``
for the odd unit at the end (``conv_utils.pool_geometry``), so no padded copy is made
(except for 3-D average pooling of inputs smaller than the window, which torch's
``avg_pool3d`` refuses: window sums of a padded copy over counts of real elements).

Example:
    >>> import torch
    >>> from kerastorch.layers import AveragePooling1D
    >>> AveragePooling1D(2, padding="same")(torch.arange(1.0, 6.0).reshape(1, 5, 1)).flatten().tolist()
    [1.5, 3.5, 5.0]
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import torch.nn.functional as F

from kerastorch.backend import conv_utils
from kerastorch.layers.convolutional.base_spatial import SpatialLayer
from kerastorch.layers.layer_utils import layer_label

_POOL_FUNCTIONS = {
    ("max", 1): F.max_pool1d,
    ("max", 2): F.max_pool2d,
    ("max", 3): F.max_pool3d,
    ("average", 1): functools.partial(F.avg_pool1d, count_include_pad=False),
    ("average", 2): functools.partial(F.avg_pool2d, count_include_pad=False),
    ("average", 3): functools.partial(F.avg_pool3d, count_include_pad=False),
}


class BasePooling(SpatialLayer):
    """N-D pooling with ``pool_mode`` ``"max"`` or ``"average"``; the public layers fix rank and mode.

    >>> import torch
    >>> BasePooling(2, "max", pool_size=2)(torch.ones(1, 4, 6, 3)).shape
    torch.Size([1, 2, 3, 3])
    """

    def __init__(
        self,
        rank: int,
        pool_mode: str,
        pool_size: int | Sequence[int],
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        label = layer_label(self)
        if pool_mode not in ("max", "average"):
            raise ValueError(f"{label}: pool_mode must be 'max' or 'average', received pool_mode={pool_mode!r}")
        self._init_spatial(rank, data_format)
        self.pool_mode = pool_mode
        self.pool_size = conv_utils.normalize_tuple(pool_size, rank, "pool_size", label)
        self.strides = (
            self.pool_size if strides is None else conv_utils.normalize_tuple(strides, rank, "strides", label)
        )
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), label)
        self._pool_key = (pool_mode, rank)  # torch's max_pool functions are not picklable: look them up

    def _compute_geometry(self, spatial):
        """:func:`conv_utils.pool_geometry` and None, or, where torch's op cannot pool this input, None
        and the explicit padding for :meth:`_window_means`."""
        self._output_spatial(spatial)
        if self._pool_key == ("average", 3) and any(n < k for n, k in zip(spatial, self.pool_size)):
            # torch's avg_pool3d refuses inputs smaller than the window, however much padding it is given
            return None, conv_utils.explicit_padding(spatial, self.pool_size, self.strides, (1, 1, 1), self.padding)
        return conv_utils.pool_geometry(spatial, self.pool_size, self.strides, self.padding), None

    def _forward(self, x):
        geometry, pad = self._geometry(x)
        if pad is not None:
            return self._window_means(x, pad)
        pool_size, strides, padding, ceil_mode, trims = geometry
        y = _POOL_FUNCTIONS[self._pool_key](x, pool_size, strides, padding, ceil_mode=ceil_mode)
        if trims is not None:
            for axis, trim in enumerate(trims, start=2):
                if trim:
                    y = y.narrow(axis, trim, y.shape[axis] - trim)
        return y

    def _window_means(self, x, pad):
        """Average pooling as window sums of the zero-padded input over counts of real elements."""
        sums = F.avg_pool3d(F.pad(x, pad), self.pool_size, self.strides, divisor_override=1)
        counts = F.avg_pool3d(
            F.pad(x.new_ones((1, 1) + tuple(x.shape[2:])), pad), self.pool_size, self.strides, divisor_override=1
        )
        return sums / counts

    def _output_spatial(self, spatial):
        return conv_utils.check_output_size(
            spatial, self.pool_size, self.strides, (1,) * self.rank, self.padding, layer_label(self)
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides})
        return config
