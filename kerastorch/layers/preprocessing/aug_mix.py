"""``AugMix``: mix each image with several randomly augmented copies of itself, in training.

As in Keras 3.15 (Hendrycks et al. 2020), each call draws chain weights ``m`` from a symmetric Dirichlet of
concentration ``alpha`` over ``num_chains`` chains and a blend weight ``w`` from ``Beta(alpha, alpha)``, both for the
whole batch. Each chain makes ``chain_depth`` picks, uniformly among the augmentations and "nothing" (so a chain
applies between 0 and ``chain_depth`` augmentations), and applies the picked augmentations in turn to a copy of
the batch; the output is ``clip(w * x + (1 - w) * sum_i m_i * chain_i(x), *value_range)``, float. The
augmentations are those of :mod:`.rand_augment`, all of strength ``factor`` (a number ``f`` in ``[0, 1]`` means
``(0, f)``): ``RandomShear``, ``RandomTranslation``, ``RandomRotation``, ``RandomPosterization``,
``Solarization``, ``AutoContrast`` and ``Equalization``, and with ``all_ops`` (the default) also
``RandomBrightness``, ``RandomColorDegeneration``, ``RandomContrast`` and ``RandomSharpness``; each draws its
own random parameters per image.

Deliberate differences from Keras 3.15: the picks and weights come from the layer's seed, drawn on the CPU
(Keras picks with Python's unseeded ``random`` module), and ``Equalization`` works per image (see
:mod:`.equalization`). Bounding boxes and segmentation masks are not supported (inputs are images).

Example:
    >>> layer = AugMix(value_range=(0, 1), num_chains=2, chain_depth=2, seed=0)
    >>> y = layer(torch.rand(2, 8, 8, 3), training=True)
    >>> y.shape, bool(0 <= y.min() and y.max() <= 1)
    (torch.Size([2, 8, 8, 3]), True)
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import clip_to_range
from kerastorch.layers.preprocessing.base_image_layer import Factor, ValueRange
from kerastorch.layers.preprocessing.rand_augment import (
    GEOMETRIC_OPS,
    PolicyAugmentation,
    apply_policy_layer,
    check_int,
)
from kerastorch.serialization.object_registration import register_builtin

_BASIC_OPS = GEOMETRIC_OPS + ("random_posterization", "solarization", "auto_contrast", "equalization")
_ALL_OPS = _BASIC_OPS + ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")


@register_builtin("keras.layers")
class AugMix(PolicyAugmentation):
    """Blends each image with a Dirichlet mixture of randomly augmented copies (AugMix) in training; the
    identity in inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values; outputs are clipped
            to it.
        num_chains: int, default 3: the number of augmentation chains mixed.
        chain_depth: int, default 3: the most augmentations a chain applies (each of its ``chain_depth`` picks
            may be "nothing").
        factor: float or pair of floats in ``[0, 1]``, default 0.3: the strength of the augmentations (a number
            ``f`` means ``(0, f)``).
        alpha: float > 0, default 1.0: the concentration of the Dirichlet chain weights and both parameters of
            the Beta blend weight.
        all_ops: bool, default True: also use ``RandomBrightness``, ``RandomColorDegeneration``,
            ``RandomContrast`` and ``RandomSharpness``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``: the interpolation of the geometric
            augmentations.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``num_chains`` below 1, a negative ``chain_depth``, an ``alpha`` that is not positive,
            a non-bool ``all_ops``, a ``factor`` outside ``[0, 1]`` or an unknown ``interpolation``.

    >>> [type(layer).__name__ for layer in AugMix(all_ops=False).augmentation_layers][:3]
    ['RandomShear', 'RandomTranslation', 'RandomRotation']
    >>> x = torch.rand(2, 4, 4, 3) * 255
    >>> bool(torch.allclose(AugMix(chain_depth=0)(x, training=True), x))   # chains of nothing: x itself
    True
    """

    def __init__(
        self,
        value_range: ValueRange = (0, 255),
        num_chains: int = 3,
        chain_depth: int = 3,
        factor: Factor = 0.3,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation: str = "bilinear",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            _BASIC_OPS if all_ops is False else _ALL_OPS,
            value_range,
            factor,
            interpolation,
            seed=seed,
            data_format=data_format,
            **kwargs,
        )
        if not isinstance(all_ops, bool):
            raise ValueError(f"{layer_label(self)}: all_ops must be True or False, received all_ops={all_ops!r}")
        self.all_ops = all_ops
        self.num_chains = check_int(self, "num_chains", num_chains, 1)
        self.chain_depth = check_int(self, "chain_depth", chain_depth, 0)
        # (float listed for mypy, which does not see float as a numbers.Real)
        if isinstance(alpha, bool) or not isinstance(alpha, (float, numbers.Real)) or not alpha > 0:
            raise ValueError(f"{layer_label(self)}: alpha must be a positive number, received alpha={alpha!r}")
        self.alpha = alpha

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        gammas = krandom.gamma((self.num_chains,), self.alpha, dtype="float64", seed=self.seed_generator, device="cpu")
        chain_weights = (gammas / gammas.sum()).tolist()
        blend = float(krandom.beta((), self.alpha, self.alpha, dtype="float64", seed=self.seed_generator, device="cpu"))
        layers = self.augmentation_layers
        picks = self._picks((self.num_chains, self.chain_depth), len(layers) + 1)  # the last index: nothing
        mixed = torch.zeros_like(x)
        for weight, chain in zip(chain_weights, picks):
            augmented = x
            for pick in chain:
                if pick < len(layers):
                    augmented = apply_policy_layer(layers[pick], augmented)
            mixed = mixed + weight * augmented
        return clip_to_range(blend * x + (1.0 - blend) * mixed, self.value_range)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_chains": self.num_chains,
                "chain_depth": self.chain_depth,
                "alpha": self.alpha,
                "all_ops": self.all_ops,
            }
        )
        return config
