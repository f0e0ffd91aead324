"""``Equalization``: histogram equalization of each channel of each image, in training and inference.

As in Keras 3.15: pixels are mapped from ``value_range`` to ``[0, 255]`` and sorted into ``bins`` bins
(``int(v * (bins - 1) / 255)``, clipped); with the cumulative histogram ``cdf`` and ``cdf_min`` its first nonzero
entry, bin ``i`` maps to ``round((cdf[i] - cdf_min) * 255 / (cdf[-1] - cdf_min))``, each pixel takes the value of
its bin (``int(v / 255 * (bins - 1))``, clipped) and is mapped back to ``value_range``. A channel whose pixels all
fall into one bin is left as it is. The output is float.

Deliberate differences from Keras 3.15, whose outputs equal these for one image (or a batch of one):
- the histogram is per image and channel; Keras counts each channel over the whole batch, so that an image's
  result depends on the other images of its batch;
- the layer equalizes in training and in inference, as Keras documents ("at inference time, the equalization
  is consistently applied"); Keras 3.15 returns its input unchanged when called with ``training=False``
  (``predict``, ``evaluate``), which would show a model other images than in ``fit``.

Example:
    >>> x = torch.tensor([[[[0.0], [10.0]], [[10.0], [20.0]]]])
    >>> Equalization()(x)[0, :, :, 0]
    tensor([[  0., 170.],
            [170., 255.]])
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import ValueRangeLayer
from kerastorch.layers.preprocessing.base_image_layer import ValueRange
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class Equalization(ValueRangeLayer):
    """Equalizes the histogram of each channel of each image; applied in training and in inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values, and of the output.
        bins: int, default 256: the number of histogram bins (256 suits 8-bit images).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``value_range`` that is not a pair of numbers, a ``bins`` that is not a positive int, an
            unknown ``data_format``, or inputs that are not of rank 3 or 4.

    >>> Equalization(value_range=(0, 1), bins=4)(torch.tensor([[[0.2], [0.7]]])).flatten().tolist()
    [0.0, 1.0]
    """

    def __init__(
        self, value_range: ValueRange = (0, 255), bins: int = 256, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(value_range, data_format=data_format, **kwargs)
        # (int listed for mypy, which does not see int as a numbers.Integral)
        if isinstance(bins, bool) or not isinstance(bins, (int, numbers.Integral)) or bins < 1:
            raise ValueError(f"{layer_label(self)}: bins must be a positive int, received bins={bins!r}")
        self.bins = int(bins)

    def _transform(self, images):
        x = self._float(images)
        channels_last = self.data_format == "channels_last"
        nchw = x.permute(0, 3, 1, 2) if channels_last else x
        low, high = self.value_range
        scale = 255.0 / (high - low)
        values = nchw.reshape(nchw.shape[0], nchw.shape[1], -1) * scale + (0.0 - low * scale)
        top = self.bins - 1
        bins = torch.clamp((values - 0.0) * top / 255.0, 0, top).to(torch.int64)  # Keras's truncation order
        hist = torch.zeros(*values.shape[:2], self.bins, dtype=torch.int64, device=x.device)
        hist.scatter_add_(2, bins, torch.ones_like(bins))
        cdf = hist.cumsum(-1)
        total = cdf[..., -1:]
        cdf_min = torch.where(cdf > 0, cdf, total).amin(-1, keepdim=True)
        spread = torch.where(total == cdf_min, 1, total - cdf_min)
        table = torch.clamp(torch.round((cdf - cdf_min) * 255 / spread), 0, 255).to(values.dtype)
        lookup = torch.clamp(values / 255.0 * top, 0, top).to(torch.int64)
        equalized = torch.where((hist > 0).sum(-1, keepdim=True) <= 1, values, table.gather(-1, lookup))
        back = (high - low) / 255.0
        out = (equalized * back + (low - 0.0 * back)).reshape(nchw.shape)
        return out.permute(0, 2, 3, 1) if channels_last else out

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["bins"] = self.bins
        return config
