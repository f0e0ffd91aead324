"""``MixUp``: blend each image (and its label) with another image of the batch, in training.

As in Keras 3.15, a call draws a permutation of the batch (each image's partner) and a weight ``w ~ Beta(alpha,
alpha)`` per image; the image becomes ``w * x + (1 - w) * partner`` and, with dict inputs, its labels, dense
``"segmentation_masks"`` likewise, while its ``"bounding_boxes"`` gain the partner's boxes and box labels
(appended along the box axis). Deliberate differences: Keras 3.15 takes the partners' masks from the flattened
masks and appends the partners' box labels along the batch axis; kerastorch mixes per image. Unbatched inputs
pass through. The output is float.

Example:
    >>> images = torch.stack([torch.zeros(2, 2, 1), torch.ones(2, 2, 1)])
    >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> out = MixUp(alpha=0.5, seed=3)({"images": images, "labels": labels}, training=True)
    >>> bool(torch.allclose(out["labels"][:, 1], out["images"].mean((1, 2, 3))))   # labels mixed like pixels
    True
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import MixingAugmentation
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class MixUp(MixingAugmentation):
    """MixUp (Zhang et al. 2017): mixes images and their labels across the batch in training; the identity in
    inference.

    Args:
        alpha: positive float, default 0.2: the parameter of the symmetric Beta distribution of the mixing
            weights (small values mix little, 1 uniformly).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        **kwargs: base layer arguments (``name``, ``dtype``...) and ``bounding_box_format`` (needed for inputs
            with bounding boxes).

    Input shape:
        Images ``(batch, height, width, channels)`` (or one image, which passes through), or a dict with
        ``"images"`` and optionally ``"labels"`` (``(batch, classes)``), ``"segmentation_masks"`` and
        ``"bounding_boxes"``.

    Output shape:
        The input's: images, or a dict with the same entries.

    Raises:
        ValueError: for an ``alpha`` that is not a positive number, a non-int ``seed``, an unknown ``data_format``, a
            dict input without ``"images"``, or bounding boxes without a ``bounding_box_format``.

    >>> MixUp()(torch.ones(4, 3, 3, 3), training=True).unique().tolist()   # equal images stay equal
    [1.0]
    """

    def __init__(
        self, alpha: float = 0.2, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        # (float listed for mypy, which does not see float as a numbers.Real)
        if isinstance(alpha, bool) or not isinstance(alpha, (float, numbers.Real)) or not alpha > 0:
            raise ValueError(f"{layer_label(self)}: alpha must be a positive number, received alpha={alpha!r}")
        self.alpha = alpha

    def _draw(self, images):
        dtype = "float64" if images.dtype == torch.float64 else "float32"
        weight = krandom.beta(
            (images.shape[0],), self.alpha, self.alpha, dtype=dtype, seed=self.seed_generator, device=images.device
        )
        return {"permutation": self._permutation(images), "weight": weight}

    def _mix_images(self, images, mixing):
        return self._mix_labels(images, mixing)

    def _mix_masks(self, masks, mixing):
        return self._mix_labels(masks if masks.is_floating_point() else masks.float(), mixing)

    def _mix_boxes(self, boxes, mixing):
        partner = mixing["permutation"]
        return {key: torch.cat([boxes[key], boxes[key][partner]], 1) for key in ("boxes", "labels")}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
