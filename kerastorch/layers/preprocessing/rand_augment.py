"""``RandAugment``: apply ``num_ops`` augmentations picked at random from a fixed list, in training.

As in Keras 3.15, the layer holds eleven augmentation layers, all of strength ``factor`` (a number ``f`` in
``[0, 1]`` means ``(0, f)``): ``RandomShear(x_factor=factor, y_factor=factor)``,
``RandomTranslation(factor, factor)``, ``RandomRotation(factor)`` (with the layer's ``interpolation``),
``RandomBrightness``, ``RandomColorDegeneration``, ``RandomContrast`` and ``RandomSharpness`` (each with
``factor``), ``RandomPosterization(max(1, int(8 * factor[1])))``, ``Solarization(addition_factor=factor,
threshold_factor=factor)``, ``AutoContrast`` and ``Equalization``, those that read pixel values with the layer's
``value_range``. Each call picks ``num_ops`` of them uniformly at random (with repetition) for the whole batch and
applies them in turn; each draws its own random parameters per image. The output is float.

Deliberate differences from Keras 3.15: only the picked augmentations run (Keras runs all eleven ``num_ops``
times and selects the results), an augmentation picked twice draws new parameters the second time (Keras
reuses the first draw), the picks are drawn on the CPU (no wait for the device), and ``Equalization`` works per
image (see :mod:`.equalization`). Bounding boxes and segmentation masks are not supported (inputs are images).

Example:
    >>> import torch
    >>> layer = RandAugment(num_ops=3, factor=0.2, seed=0)
    >>> len(layer.augmentation_layers)
    11
    >>> layer(torch.rand(2, 8, 8, 3) * 255, training=True).shape
    torch.Size([2, 8, 8, 3])
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import torch

from kerastorch import random as krandom
from kerastorch.backend.annotations import Shape
from kerastorch.backend.image import AFFINE_INTERPOLATIONS
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.augmentation_utils import ValueRangeLayer
from kerastorch.layers.preprocessing.auto_contrast import AutoContrast
from kerastorch.layers.preprocessing.base_image_layer import (
    Factor,
    RandomImageLayer,
    ValueRange,
    check_choice,
    factor_range,
)
from kerastorch.layers.preprocessing.equalization import Equalization
from kerastorch.layers.preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from kerastorch.layers.preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.random_invert import value_range_pair
from kerastorch.layers.preprocessing.random_posterization import RandomPosterization
from kerastorch.layers.preprocessing.random_rotation import RandomRotation
from kerastorch.layers.preprocessing.random_sharpness import RandomSharpness
from kerastorch.layers.preprocessing.random_shear import RandomShear
from kerastorch.layers.preprocessing.random_translation import RandomTranslation
from kerastorch.layers.preprocessing.solarization import Solarization
from kerastorch.serialization.object_registration import register_builtin

GEOMETRIC_OPS = ("random_shear", "random_translation", "random_rotation")
"""The geometric augmentations of the policies, by attribute name."""
_OPS = GEOMETRIC_OPS + (
    "random_brightness",
    "random_color_degeneration",
    "random_contrast",
    "random_sharpness",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
)


def policy_layer(
    name: str, factor: tuple[float, float], value_range: tuple[float, float], interpolation: str, data_format: str
) -> RandomImageLayer | ValueRangeLayer:
    """One augmentation of the RandAugment / AugMix policies, made as Keras 3.15 makes it.

    Args:
        name: str, the augmentation: one of ``"random_shear"``, ``"random_translation"``, ``"random_rotation"``,
            ``"random_brightness"``, ``"random_color_degeneration"``, ``"random_contrast"``,
            ``"random_sharpness"``, ``"random_posterization"``, ``"solarization"``, ``"auto_contrast"`` and
            ``"equalization"``.
        factor: pair of floats ``(low, high)`` in ``[0, 1]``, the strength range.
        value_range: pair of numbers, the range of the pixel values.
        interpolation: str, ``"bilinear"`` or ``"nearest"``, for the geometric augmentations.
        data_format: str, ``"channels_last"`` or ``"channels_first"``.

    Returns:
        The layer (unseeded: its owner hands it its seed generator).

    >>> type(policy_layer("random_posterization", (0, 0.5), (0, 255), "bilinear", "channels_last")).__name__
    'RandomPosterization'
    """
    geometric: dict[str, Any] = {"interpolation": interpolation, "data_format": data_format}
    colour: dict[str, Any] = {"value_range": value_range, "data_format": data_format}
    makers: dict[str, Callable[[], RandomImageLayer | ValueRangeLayer]] = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, **geometric),
        "random_translation": lambda: RandomTranslation(factor, factor, **geometric),
        "random_rotation": lambda: RandomRotation(factor, **geometric),
        "random_brightness": lambda: RandomBrightness(factor, **colour),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, **colour),
        "random_contrast": lambda: RandomContrast(factor, **colour),
        "random_sharpness": lambda: RandomSharpness(factor, **colour),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * factor[1])), **colour),
        "solarization": lambda: Solarization(addition_factor=factor, threshold_factor=factor, **colour),
        "auto_contrast": lambda: AutoContrast(**colour),
        "equalization": lambda: Equalization(**colour),
    }
    return makers[name]()


def apply_policy_layer(layer: RandomImageLayer | ValueRangeLayer, images: torch.Tensor) -> torch.Tensor:
    """A rank-4 float batch transformed by one policy augmentation, in training mode.

    Args:
        layer: a layer made by :func:`policy_layer`.
        images: float tensor, a rank-4 batch of images.

    Returns:
        Tensor like ``images``, the augmented images.

    >>> import torch
    >>> apply_policy_layer(AutoContrast(value_range=(0, 1)), torch.tensor([[[[0.2], [0.6]]]])).flatten().tolist()
    [0.0, 1.0]
    """
    return layer._augment(images) if isinstance(layer, RandomImageLayer) else layer._transform(images)


def check_int(layer: Layer, name: str, value: int, low: int) -> int:
    """``value`` checked to be an int of at least ``low`` (an argument of ``layer`` called ``name``).

    Args:
        layer: the layer whose argument it is (named in the error).
        name: str, the argument's name.
        value: the value to check.
        low: int, the smallest value allowed.

    Returns:
        ``value`` as an int.

    Raises:
        ValueError: unless ``value`` is an int (not a bool) of at least ``low``.

    >>> check_int(RandAugment(), "num_ops", 3, 0)
    3
    """
    # (int listed for mypy, which does not see int as a numbers.Integral)
    if isinstance(value, bool) or not isinstance(value, (int, numbers.Integral)) or value < low:
        raise ValueError(f"{layer_label(layer)}: {name} must be an int >= {low}, received {name}={value!r}")
    return int(value)


class PolicyAugmentation(RandomImageLayer):
    """The base of RandAugment and AugMix: a list of policy augmentations sharing the layer's seed generator,
    with the arguments ``value_range``, ``factor`` (stored as a ``(0, f)`` pair) and ``interpolation``.

    Args:
        ops: tuple of str, the augmentations a call picks from (names accepted by :func:`policy_layer`), in order.
        value_range: pair of numbers, the range of the pixel values.
        factor: float or pair of floats in ``[0, 1]``, the strength of the augmentations.
        interpolation: ``"bilinear"`` or ``"nearest"``, for the geometric augmentations.
        seed: int or None, the seed of the random draws.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    >>> layer = PolicyAugmentation(("random_rotation", "equalization"), (0, 1), 0.2, "nearest", seed=1)
    >>> [type(op).__name__ for op in layer.augmentation_layers], layer.factor
    (['RandomRotation', 'Equalization'], (0, 0.2))
    """

    def __init__(
        self,
        ops: Sequence[str],
        value_range: ValueRange,
        factor: Factor,
        interpolation: str,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range_pair(self, value_range)
        self.factor = factor_range(self, "factor", factor, (0, 1), clip_low=True)
        self.interpolation = check_choice(self, "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self._ops = tuple(ops)
        for name in self._ops:
            layer = policy_layer(name, self.factor, self.value_range, self.interpolation, self.data_format)
            if isinstance(layer, RandomImageLayer):
                layer.seed_generator = self.seed_generator  # one stream of draws for all
            setattr(self, name, layer)

    @property
    def augmentation_layers(self) -> list[RandomImageLayer | ValueRangeLayer]:
        """The augmentations a call picks from, in order."""
        return [getattr(self, name) for name in self._ops]

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        for layer in self.augmentation_layers:
            layer.build(input_shape)

    def _picks(self, shape, count):
        """Random indices in ``[0, count)`` drawn on the CPU, as a nested list."""
        return krandom.randint(shape, 0, count, seed=self.seed_generator, device="cpu").tolist()

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"value_range": self.value_range, "factor": self.factor, "interpolation": self.interpolation})
        return config


@register_builtin("keras.layers")
class RandAugment(PolicyAugmentation):
    """Applies ``num_ops`` augmentations picked at random from eleven (RandAugment, Cubuk et al. 2019) in
    training; the identity in inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values.
        num_ops: int, default 2: how many augmentations each call applies in turn.
        factor: float or pair of floats in ``[0, 1]``, default 0.5: the strength of the augmentations (a number
            ``f`` means ``(0, f)``).
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
        ValueError: for a negative or non-int ``num_ops``, a ``factor`` outside ``[0, 1]`` or an unknown
            ``interpolation``.

    >>> RandAugment(factor=0.3).get_config()["factor"]
    (0, 0.3)
    >>> import torch
    >>> x = torch.rand(2, 4, 4, 3)
    >>> bool(torch.equal(RandAugment(num_ops=0)(x, training=True), x))
    True
    """

    def __init__(
        self,
        value_range: ValueRange = (0, 255),
        num_ops: int = 2,
        factor: Factor = 0.5,
        interpolation: str = "bilinear",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(_OPS, value_range, factor, interpolation, seed=seed, data_format=data_format, **kwargs)
        self.num_ops = check_int(self, "num_ops", num_ops, 0)

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        layers = self.augmentation_layers
        for pick in self._picks((self.num_ops,), len(layers)):
            x = apply_policy_layer(layers[pick], x)
        return x

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["num_ops"] = self.num_ops
        return config
