"""``ContrastLimitedAdaptiveHistogramEqualization`` (CLAHE): local histogram equalization with a clipped
histogram, in training and inference.

As in Keras 3.15: pixels are mapped from ``value_range`` to ``[0, 255]``. Each image is cut into
``tile_grid_size = (rows, cols)`` tiles of ``ceil(height / rows)`` by ``ceil(width / cols)`` pixels (the image is
first extended at the bottom and right by symmetric reflection, ``abcd|dcba``, to fill the grid). Every tile and
channel counts its pixels' integer levels (truncated, clipped to ``[0, 255]``) in 256 bins; with ``clip_limit > 0``
each bin is clipped to ``clip_limit * tile_pixels / 256`` and the excess is spread evenly over all bins (once, not
iteratively). The tile's mapping is ``clip((cdf - cdf[0]) * 255 / (tile_pixels - cdf[0]), 0, 255)``; a pixel
takes the bilinear blend of the mappings of the four tiles whose centres surround it (edge tiles repeated),
evaluated at its own level, and is mapped back to ``value_range``. The output has the input's dtype (a cast,
as in Keras) and carries no gradient (it is a lookup of the pixels' integer levels). The layer is deterministic.

Deliberate differences from Keras 3.15's torch backend, which follow Keras's other backends and its own
description instead: the bin limit ``clip_limit * tile_pixels / 256`` is a real number (the torch backend counts
the histogram in integers and truncates the limit, so that a limit below 1, as with the defaults on images
under 64 by 64 pixels, clips every bin to 0 and makes the layer nearly the identity), and the grid is filled by
symmetric reflection (the torch backend repeats the last row and column instead). The two agree when the tile
size divides the image (or one row or column is added) and the limit is a whole number.

Example:
    >>> x = torch.tensor([[[[0.0], [10.0]], [[10.0], [20.0]]]])
    >>> ContrastLimitedAdaptiveHistogramEqualization(clip_limit=0, tile_grid_size=(1, 1))(x)[0, :, :, 0]
    tensor([[  0., 170.],
            [170., 255.]])
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import ValueRangeLayer, transform_range
from kerastorch.layers.preprocessing.base_image_layer import ValueRange, is_number
from kerastorch.layers.preprocessing.random_invert import value_range_pair
from kerastorch.serialization.object_registration import register_builtin


def _symmetric_indices(size, padded, device):
    """Indices ``0..padded-1`` into an axis of ``size`` extended by symmetric reflection (``abcd|dcba|abcd``)."""
    index = torch.arange(padded, device=device) % (2 * size)
    return torch.where(index < size, index, 2 * size - 1 - index)


def _tile_weights(size, tile, device, dtype):
    """For each pixel of a padded axis, the two neighbouring tile centres (indices into the mappings extended by
    one repeated tile on each side) and the weight of the second."""
    position = (torch.arange(size, device=device, dtype=dtype) - tile / 2.0) / tile + 1.0
    first = torch.floor(position)
    return first.long(), first.long() + 1, position - first


@register_builtin("keras.layers")
class ContrastLimitedAdaptiveHistogramEqualization(ValueRangeLayer):
    """Equalizes the histograms of image tiles with a contrast limit (CLAHE); applied in training and in
    inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values, and of the output.
        clip_limit: float, default 4.0: the limit of a histogram bin, in multiples of a uniform histogram's
            (``clip_limit * tile_pixels / 256`` pixels); larger values allow more contrast, 0 or less disables
            the limit.
        tile_grid_size: pair of positive ints, default ``(8, 8)``: the number of tile rows and columns.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``clip_limit`` that is not a number or a ``tile_grid_size`` that is not a pair of
            positive ints.

    >>> layer = ContrastLimitedAdaptiveHistogramEqualization(clip_limit=2.0, tile_grid_size=(2, 2))
    >>> y = layer(torch.rand(1, 8, 8, 3) * 100)
    >>> y.shape, bool(0 <= y.min() and y.max() <= 255)
    (torch.Size([1, 8, 8, 3]), True)
    """

    def __init__(
        self,
        value_range: ValueRange = (0, 255),
        clip_limit: float = 4.0,
        tile_grid_size: tuple[int, int] | list[int] = (8, 8),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, data_format=data_format, **kwargs)
        self.value_range = value_range_pair(self, value_range)  # kept as given, as Keras does
        if not is_number(clip_limit):
            raise ValueError(f"{layer_label(self)}: clip_limit must be a number, received clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        grid = tuple(tile_grid_size) if isinstance(tile_grid_size, (tuple, list)) else None
        # (int listed for mypy, which does not see int as a numbers.Integral)
        if (
            grid is None
            or len(grid) != 2
            or not all(isinstance(g, (int, numbers.Integral)) and not isinstance(g, bool) and g > 0 for g in grid)
        ):
            raise ValueError(
                f"{layer_label(self)}: tile_grid_size must be a pair of positive ints (rows, columns), "
                f"received tile_grid_size={tile_grid_size!r}"
            )
        self.tile_grid_size = tuple(int(g) for g in grid)

    def _transform(self, images):
        nchw = images.permute(0, 3, 1, 2) if self.data_format == "channels_last" else images
        x = transform_range(nchw if nchw.is_floating_point() else nchw.float(), self.value_range, (0, 255))
        batch, channels, height, width = x.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded_h, padded_w = tile_h * grid_h, tile_w * grid_w
        if (padded_h, padded_w) != (height, width):
            x = x[:, :, _symmetric_indices(height, padded_h, x.device)][
                :, :, :, _symmetric_indices(width, padded_w, x.device)
            ]
        levels = torch.clamp(x.to(torch.int32), 0, 255).long()  # truncation, then clipping, as Keras
        tiles = levels.reshape(batch, channels, grid_h, tile_h, grid_w, tile_w).permute(0, 1, 2, 4, 3, 5)
        tiles = tiles.reshape(batch, channels, grid_h, grid_w, tile_h * tile_w)
        hist = torch.zeros(batch, channels, grid_h, grid_w, 256, dtype=torch.float32, device=x.device)
        hist.scatter_add_(-1, tiles, torch.ones(tiles.shape, dtype=hist.dtype, device=x.device))
        area = float(tile_h * tile_w)
        if self.clip_limit > 0:
            clipped = torch.clamp(hist, max=self.clip_limit * area / 256.0)
            hist = clipped + (hist - clipped).sum(-1, keepdim=True) / 256.0
        cdf = hist.cumsum(-1)
        cdf_min = cdf[..., :1]
        spread = area - cdf_min
        mapping = torch.clamp((cdf - cdf_min) * 255.0 / torch.where(spread == 0, 1.0, spread), 0.0, 255.0)
        mapping = torch.cat([mapping[:, :, :1], mapping, mapping[:, :, -1:]], 2)  # repeat the edge tiles
        mapping = torch.cat([mapping[:, :, :, :1], mapping, mapping[:, :, :, -1:]], 3)
        rows0, rows1, wy = _tile_weights(padded_h, tile_h, x.device, torch.float32)
        cols0, cols1, wx = _tile_weights(padded_w, tile_w, x.device, torch.float32)
        flat = mapping.reshape(batch, channels, -1)
        stride = (grid_w + 2) * 256

        def lookup(rows, cols):
            index = rows.view(-1, 1) * stride + cols.view(1, -1) * 256 + levels
            return torch.gather(flat, 2, index.reshape(batch, channels, -1)).reshape(levels.shape)

        wy, wx = wy.view(-1, 1), wx.view(1, -1)
        top = lookup(rows0, cols0) * (1.0 - wx) + lookup(rows0, cols1) * wx
        bottom = lookup(rows1, cols0) * (1.0 - wx) + lookup(rows1, cols1) * wx
        out = (top * (1.0 - wy) + bottom * wy)[:, :, :height, :width]
        out = transform_range(out, (0, 255), self.value_range).to(images.dtype)
        return out.permute(0, 2, 3, 1) if self.data_format == "channels_last" else out

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size})
        return config
