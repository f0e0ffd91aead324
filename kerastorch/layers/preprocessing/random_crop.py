"""``RandomCrop``: a random ``(height, width)`` window in training, the centred one (resized) in inference.

Training follows Keras 3.15: when the input is larger than the target along both sides, one window position
is drawn per call (the same for every image of the batch) and the window is cut out with two
``index_select`` calls on device-side offsets (no host sync). Otherwise the layer takes the window of the
target size starting at the corner of the largest centred box with the target aspect ratio, clipped to the
image, and resizes it (bilinear) to the target size when it is smaller.

In inference the output is the largest centred box with the target aspect ratio, resized (bilinear) to the
target size: ``Resizing(height, width, crop_to_aspect_ratio=True)``, as Keras 3 documents. (Keras 3.15 returns
the input unchanged in inference, which contradicts its own output shape; keras-team/keras#21868.)
Training outputs are float; inference keeps the input dtype (integers are rounded back), as Resizing does.

Example:
    >>> x = torch.arange(16.0).reshape(1, 4, 4, 1)
    >>> RandomCrop(2, 2)(x)[0, ..., 0]   # inference: the whole image resized
    tensor([[ 2.5000,  4.5000],
            [10.5000, 12.5000]])
    >>> y = RandomCrop(2, 2, seed=0)(x, training=True)[0, ..., 0]
    >>> any(torch.equal(y, x[0, i:i + 2, j:j + 2, 0]) for i in range(3) for j in range(3))
    True
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend import image
from kerastorch.layers.preprocessing.base_image_layer import RandomImageLayer
from kerastorch.layers.preprocessing.resizing import SizedImageLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomCrop(SizedImageLayer, RandomImageLayer):
    """Randomly crops images (rank 3 or 4) to ``(height, width)`` in training; resizes them in inference.

    See the module docstring for images smaller than the target and for inference (the largest centred box
    with the target aspect ratio, resized).

    Args:
        height: int, positive: the output's height.
        width: int, positive: the output's width.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape with ``height`` and ``width`` replaced by the targets.

    Raises:
        ValueError: for a ``height``/``width`` that is not a positive int, a non-int ``seed``, an unknown
            ``data_format``, or inputs that are not of rank 3 or 4.

    Example:

    >>> RandomCrop(3, 2).compute_output_shape((None, 8, 8, 3))
    (None, 3, 2, 3)
    """

    def __init__(
        self, height: int, width: int, seed: int | None = None, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(height, width, data_format=data_format, seed=seed, **kwargs)

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        self._check_rank(inputs)
        h_axis, w_axis = self._hw_axes(inputs.dim())
        height, width = inputs.shape[h_axis], inputs.shape[w_axis]
        if not training:
            if (height, width) == (self.height, self.width):
                return inputs
            return self._resize(inputs, crop=True)
        x = inputs if inputs.is_floating_point() else inputs.to(self._compute_torch_dtype)
        if height > self.height and width > self.width:
            draws = self._uniform((2,), 0.0, 1.0, x)
            top = (draws[0] * (height - self.height + 1)).long().clamp_(max=height - self.height)
            left = (draws[1] * (width - self.width + 1)).long().clamp_(max=width - self.width)
            rows = top + torch.arange(self.height, device=x.device)
            cols = left + torch.arange(self.width, device=x.device)
            return x.index_select(h_axis, rows).index_select(w_axis, cols)
        top, left, _, _ = image.aspect_crop_box(height, width, self.height, self.width)
        x = x.narrow(h_axis, top, min(self.height, height - top)).narrow(w_axis, left, min(self.width, width - left))
        if (x.shape[h_axis], x.shape[w_axis]) != (self.height, self.width):
            x = image.resize(x, (self.height, self.width), data_format=self.data_format)
        return x
