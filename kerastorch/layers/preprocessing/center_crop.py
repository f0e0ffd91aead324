"""``CenterCrop``: the central ``(height, width)`` window of each image.

As in Keras 3, an image smaller than the target along either side is not padded: it is cropped to the target
aspect ratio and resized (bilinear) to the target size instead.

Example:
    >>> import torch
    >>> CenterCrop(2, 2)(torch.arange(16.0).reshape(1, 4, 4, 1))[0, ..., 0]
    tensor([[ 5.,  6.],
            [ 9., 10.]])
"""

from __future__ import annotations

import torch

from kerastorch.layers.preprocessing.resizing import SizedImageLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class CenterCrop(SizedImageLayer):
    """Crops the centre of images (rank 3 or 4) to ``(height, width)``.

    An odd difference leaves the extra row (column) at the bottom (right). Images smaller than the target
    on a side are cropped to the target's aspect ratio and resized (bilinear) instead; integer images are
    then rounded back to their dtype.

    Args:
        height: int, positive: the output's height.
        width: int, positive: the output's width.
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape with ``height`` and ``width`` replaced by the targets.

    Raises:
        ValueError: for a ``height``/``width`` that is not a positive int, an unknown ``data_format``, or
            inputs that are not of rank 3 or 4.

    Example:

    >>> import torch
    >>> CenterCrop(4, 4)(torch.ones(2, 2, 2, 3)).shape   # too small: resized
    torch.Size([2, 4, 4, 3])
    """

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        self._check_rank(inputs)
        h_axis, w_axis = self._hw_axes(inputs.dim())
        height, width = inputs.shape[h_axis], inputs.shape[w_axis]
        if height < self.height or width < self.width:
            return self._resize(inputs, crop=True)
        top, left = (height - self.height) // 2, (width - self.width) // 2
        return inputs.narrow(h_axis, top, self.height).narrow(w_axis, left, self.width)
