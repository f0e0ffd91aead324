"""``RandomColorJitter``: random brightness, contrast, saturation and hue changes in a row, in training.

As in Keras 3.15 the layer applies, in this order, ``RandomBrightness(brightness_factor)``,
``RandomContrast(contrast_factor)``, ``RandomSaturation(saturation_factor)`` and ``RandomHue(hue_factor)``, each
with the layer's ``value_range``, skipping those whose factor is None (the default: with no factor the layer is
the identity). The draws of all four come from the layer's own generator, one after the other, so that with a
seed the changes are reproducible and independent of each other. Keras 3.15 builds the four with the default
data format; kerastorch passes ``data_format`` on. The output is float.

Example:
    >>> import torch
    >>> x = torch.tensor([[[[100.0, 50.0, 25.0]]]])
    >>> RandomColorJitter(brightness_factor=(0.2, 0.2))(x, training=True)   # + 0.2 * 255
    tensor([[[[151., 101.,  76.]]]])
"""

from __future__ import annotations

from typing import Any

from kerastorch.backend.annotations import Shape
from kerastorch.layers.preprocessing.base_image_layer import Factor, RandomImageLayer, ValueRange, standard_factor
from kerastorch.layers.preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.random_hue import RandomHue
from kerastorch.layers.preprocessing.random_invert import value_range_pair
from kerastorch.layers.preprocessing.random_saturation import RandomSaturation
from kerastorch.serialization.object_registration import register_builtin

_PARTS = (
    ("brightness_factor", "random_brightness", RandomBrightness),
    ("contrast_factor", "random_contrast", RandomContrast),
    ("saturation_factor", "random_saturation", RandomSaturation),
    ("hue_factor", "random_hue", RandomHue),
)


@register_builtin("keras.layers")
class RandomColorJitter(RandomImageLayer):
    """Randomly changes the brightness, contrast, saturation and hue of RGB images in training; the identity
    in inference.

    Args:
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values.
        brightness_factor: None (default: no change) or the ``factor`` of a :class:`RandomBrightness`.
        contrast_factor: None (default) or the ``factor`` of a :class:`RandomContrast`.
        saturation_factor: None (default) or the ``factor`` of a :class:`RandomSaturation`.
        hue_factor: None (default) or the ``factor`` of a :class:`RandomHue`.
        seed: int or None: seeds the layer's draws (None: torch's global generator).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``image_data_format()``).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, 3)`` or one image ``(height, width, 3)`` (channels first with
        ``data_format="channels_first"``; any number of channels without saturation and hue changes).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``value_range`` that is not a pair of numbers, a factor its layer refuses, a non-int ``seed``,
            an unknown ``data_format``, or inputs that are not of rank 3 or 4, or inputs without 3 channels when
            saturation or hue is changed.

    >>> jitter = RandomColorJitter(brightness_factor=0.2, hue_factor=0.1, seed=0)
    >>> [type(layer).__name__ for layer in jitter.color_layers]
    ['RandomBrightness', 'RandomHue']
    """

    def __init__(
        self,
        value_range: ValueRange = (0, 255),
        brightness_factor: Factor | None = None,
        contrast_factor: Factor | None = None,
        saturation_factor: Factor | None = None,
        hue_factor: Factor | None = None,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range_pair(self, value_range)
        factors = (brightness_factor, contrast_factor, saturation_factor, hue_factor)
        for (argument, attribute, cls), factor in zip(_PARTS, factors):
            setattr(self, argument, standard_factor(factor))
            part = (
                None
                if factor is None
                else cls(factor, value_range=self.value_range, seed=seed, data_format=self.data_format)
            )
            if part is not None:
                part.seed_generator = self.seed_generator  # one stream of draws for the four
            setattr(self, attribute, part)

    @property
    def color_layers(self) -> list[RandomImageLayer]:
        """The layers applied, in order."""
        return [layer for _, attribute, _ in _PARTS if (layer := getattr(self, attribute)) is not None]

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        for layer in self.color_layers:
            layer.build(input_shape)

    def _augment(self, images):
        x = images if images.is_floating_point() else images.to(self._compute_torch_dtype)
        for layer in self.color_layers:
            x = layer._augment(x)
        return x

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["value_range"] = self.value_range
        config.update({argument: getattr(self, argument) for argument, _, _ in _PARTS})
        return config
