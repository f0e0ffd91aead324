"""``Pipeline``: a plain layer that applies a list of layers in turn (an augmentation pipeline).

As in Keras 3, unlike ``Sequential`` it is not a model: it has no ``fit`` and no input layer, its config is
the list of its layers' configs and its name, and whatever the first layer accepts passes through (a tensor,
or a dict such as ``{"images": ..., "labels": ...}`` for the augmentation layers that take one). ``training``
is handed to every layer (the layers' training-only behaviour follows the pipeline's call), and a mask passed
in, or carried by a layer's output, goes to the next layer when that layer's ``call`` takes ``mask``.

Example:
    >>> from kerastorch import layers
    >>> pipeline = Pipeline([layers.Rescaling(1 / 255), layers.RandomFlip("horizontal", seed=0)])
    >>> pipeline(torch.tensor([[[[0.0], [255.0]]]])).flatten().tolist()   # inference: the flip is the identity
    [0.0, 1.0]
"""

from __future__ import annotations

import inspect
from typing import Any, cast

import torch

from kerastorch.layers.base import Layer, mask_of
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization import object_registration as registry
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


def _takes_mask(layer):
    return "mask" in inspect.signature(layer.call).parameters


@register_builtin("keras.layers")
class Pipeline(Layer):
    """Applies a series of layers to an input, one after the other.

    Args:
        layers: list of layers: applied in order, each to the output of the previous one.
        name: str or None: the layer's name.

    Input shape:
        What the first layer takes.

    Output shape:
        What the last layer returns.

    Raises:
        ValueError: for ``layers`` that is not a list or tuple of layers.

    >>> from kerastorch import layers
    >>> pipeline = Pipeline([layers.AutoContrast(), layers.RandomSharpness(0.5, seed=1)])
    >>> [type(layer).__name__ for layer in pipeline.layers]
    ['AutoContrast', 'RandomSharpness']
    >>> pipeline(torch.rand(2, 4, 4, 3) * 255, training=True).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, layers: list[Layer] | tuple[Layer, ...], name: str | None = None) -> None:
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"{layer_label(self)}: layers must be a list of layers, received layers={layers!r}")
        self._pipeline_layers = torch.nn.ModuleList(layers)

    @property
    def layers(self) -> list[Layer]:
        """The layers, in the order they are applied."""
        return cast("list[Layer]", list(self._pipeline_layers))

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(
        self, inputs: Any, training: bool | None = False, mask: torch.Tensor | list[torch.Tensor | None] | None = None
    ) -> Any:
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {"mask": mask} if mask is not None and _takes_mask(layer) else {}
            outputs = layer(outputs, training=training, **kwargs)
            mask = mask_of(outputs)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Pipeline:
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                f"Pipeline.from_config: the config needs a list of serialized layers under 'layers', "
                f"received layers={layers!r}"
            )
        config = dict(config)
        config["layers"] = [
            deserialize_keras_object(layer, registry.builtin_objects("keras.layers"), custom_objects)
            for layer in layers
        ]
        return cls(**config)
