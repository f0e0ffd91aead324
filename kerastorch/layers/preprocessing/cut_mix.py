"""``CutMix``: paste a random box of another image of the batch into each image, mixing labels by area.

As in Keras 3.15, a call draws ``alpha`` in ``[factor[0], factor[1])`` (plus ``1e-6``; a number ``f`` in ``[0, 1]``
means ``(0, f)``), a weight ``w ~ Beta(alpha, alpha)`` per image and a permutation of the batch (each image's
partner). The box is ``sqrt(1 - w)`` of the image's height and width, at a uniformly random position; inside it
the image takes its partner's pixels (and, with dict inputs, ``"segmentation_masks"`` likewise), and its
``"labels"`` become ``a * labels + (1 - a) * partner's labels`` with ``a`` the share of the image left. Inputs
with bounding boxes are not supported (NotImplementedError, as in Keras). Unbatched inputs pass through. The
output is float.

Example:
    >>> images = torch.stack([torch.zeros(4, 4, 1), torch.ones(4, 4, 1)])
    >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> out = CutMix(seed=1)({"images": images, "labels": labels}, training=True)
    >>> sorted(out["images"].unique().tolist()), bool(torch.allclose(out["labels"].sum(1), torch.ones(2)))
    ([0.0, 1.0], True)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.layers.preprocessing.augmentation_utils import MixingAugmentation, random_boxes
from kerastorch.layers.preprocessing.base_image_layer import Factor, factor_range
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class CutMix(MixingAugmentation):
    """CutMix (Yun et al. 2019): pastes boxes between the images of a batch and mixes their labels by area in
    training; the identity in inference.

    Args:
        factor: float or pair of floats in ``[0, 1]``, default 1.0: the range the Beta parameter ``alpha`` of a
            call is drawn from (a number ``f`` means ``(0, f)``); larger values give more varied box sizes.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...) and ``bounding_box_format``.

    Input shape:
        Images ``(batch, height, width, channels)`` (or one image, which passes through), or a dict with
        ``"images"`` and optionally ``"labels"`` (``(batch, classes)``) and ``"segmentation_masks"``.

    Output shape:
        The input's: images, or a dict with the same entries.

    Raises:
        ValueError: for a ``factor`` outside ``[0, 1]``, a non-int ``seed``, an unknown ``data_format``, a dict input
            without ``"images"``, or ``"bounding_boxes"`` without a ``bounding_box_format``.
        NotImplementedError: for inputs with ``"bounding_boxes"`` in training (not supported, as in Keras 3.15).

    >>> CutMix(0.5).factor
    (0, 0.5)
    """

    def __init__(
        self, factor: Factor = 1.0, seed: int | None = None, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)

    def _draw(self, images):
        h_axis, w_axis = self._hw_axes(4)
        alpha = self._uniform((), self.factor[0], self.factor[1], images) + 1e-6
        weight = krandom.beta(
            (images.shape[0],), alpha, alpha, dtype=alpha.dtype, seed=self.seed_generator, device=images.device
        )
        ratio = torch.sqrt(1.0 - weight)
        boxes, area = random_boxes(self, ratio, ratio, images.shape[h_axis], images.shape[w_axis], images)
        return {
            "permutation": self._permutation(images),
            "boxes": boxes.unsqueeze(self._channel_axis(4)),
            "weight": 1.0 - area,
        }

    def _mix_images(self, images, mixing):
        return torch.where(mixing["boxes"], images[mixing["permutation"]], images)

    def _mix_masks(self, masks, mixing):
        return self._mix_images(masks if masks.is_floating_point() else masks.float(), mixing)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config
