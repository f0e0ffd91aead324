"""``Sequential``: a plain stack of layers, each with one input and one output.

When the input shape is known (an ``Input`` first, a first layer with
``input_shape=``, ``build(input_shape)`` or the first call on data) the model is
built: every layer is called symbolically once, so weights exist and ``summary``
shows output shapes. Running the model is a loop over the layers.

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> from kerastorch import layers
    >>> model = Sequential([keras.Input((4,)), layers.Dense(8, activation="relu")])
    >>> model.add(layers.Dense(1, name="out"))
    >>> model(torch.ones(2, 4)).shape
    torch.Size([2, 1])
    >>> model.pop().name
    'out'
    >>> model(torch.ones(2, 4)).shape
    torch.Size([2, 8])
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.input_layer import InputLayer
from kerastorch.models.graph import Graph
from kerastorch.models.model import Model, module_key
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import builtin_objects, register_builtin


@register_builtin("keras.models")
@register_builtin("keras")
class Sequential(Model):
    """A model made of a list of layers applied one after the other.

    With a ``keras.Input`` first (or once called, or ``build`` given a shape) the model is built and has a
    functional graph (``inputs``, ``outputs``, ``summary`` with shapes); layers can be appended with ``add``
    and removed with ``pop``.

    Args:
        layers: list of layers or None, default None: the stack, optionally starting with ``keras.Input(shape)``
            (or an ``InputLayer``) to fix the input shape.
        trainable: bool, default True: whether the model's weights are trained.
        name: str or None, default None: the model's name (None: an automatic one, ``"sequential"``...).
        **kwargs: other base layer arguments (``dtype``...).

    Raises:
        TypeError: for an entry that is not a layer.
        ValueError: for an ``Input`` that is not the first entry, two layers with one name, or layers that
            cannot be built on the given input shape.

    Example:

    >>> import torch
    >>> from kerastorch import Input, layers
    >>> model = Sequential([Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    >>> model.output_shape
    (None, 1)
    >>> model(torch.ones(2, 3)).shape
    torch.Size([2, 1])
    """

    _saving_layout = "graph"

    _layers: list[Layer]  # kept in __dict__ (torch does not register a list), as the graph is
    _input_layer: InputLayer | None

    def __init__(
        self,
        layers: Sequence[Layer | KerasTensor] | None = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.__dict__["_layers"] = []
        self.__dict__["_input_layer"] = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    # ------------------------------------------------------------- structure
    @property
    def layers(self) -> list[Layer]:
        """The layers of the stack (without the InputLayer)."""
        return list(self._layers)

    def add(self, layer: Layer | KerasTensor, rebuild: bool = True) -> None:
        """Append a layer (or an ``Input``, which sets the input shape).

        >>> import kerastorch as keras
        >>> model = Sequential()
        >>> model.add(keras.Input((3,)))
        >>> model.add(keras.layers.Dense(4))
        >>> model.built, model.output_shape
        (True, (None, 4))
        """
        if (
            isinstance(layer, KerasTensor)
            and layer._keras_history is not None
            and isinstance(layer._keras_history[0], InputLayer)
        ):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(
                f'Sequential "{self.name}".add: expected a kerastorch Layer, received {layer!r} '
                f"of type {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    f'Sequential "{self.name}": an Input can only be the first entry; '
                    f"the model already has {'layers' if self._layers else 'an Input'}"
                )
            self.__dict__["_input_layer"] = layer
        else:
            if any(existing.name == layer.name for existing in self._layers):
                raise ValueError(
                    f'Sequential "{self.name}": all layers should have unique names; '
                    f'"{layer.name}" is already the name of a layer in this model'
                )
            if not self._layers and self._input_layer is None and layer._batch_input_shape is not None:
                self.__dict__["_input_layer"] = InputLayer(
                    batch_shape=layer._batch_input_shape, dtype=layer.dtype if layer.dtype != "float32" else None
                )
            self._layers.append(layer)
            self.add_module(module_key(self, layer.name), layer)
        if rebuild:
            self._rebuild()

    def pop(self, name: str | bool | None = None, rebuild: bool = True) -> Layer:
        """Remove and return the last layer, or the layer called ``name``.

        >>> import kerastorch as keras
        >>> model = Sequential([keras.Input((4,)), keras.layers.Dense(4, name="hidden"),
        ...                     keras.layers.Dense(4, name="features"), keras.layers.Dense(1, name="out")])
        >>> model.pop()          # last layer
        Dense(units=1, activation=linear, use_bias=True)
        >>> model.pop("hidden")  # a named layer
        Dense(units=4, activation=linear, use_bias=True)
        >>> [layer.name for layer in model.layers]
        ['features']
        """
        if isinstance(name, bool):  # Keras's pop(rebuild)
            rebuild = name
            name = None
        if not self._layers:
            raise IndexError(f'Sequential "{self.name}".pop: there are no layers in the model')
        if name is None:
            layer = self._layers[-1]
        else:
            matches = [layer for layer in self._layers if layer.name == name]
            if not matches:
                raise ValueError(
                    f'Sequential "{self.name}".pop: no layer named "{name}"; '
                    f"the layers are {[layer.name for layer in self._layers]}"
                )
            layer = matches[0]
        self._layers.remove(layer)
        for key, module in list(self._modules.items()):
            if module is layer:
                del self._modules[key]
        self.__dict__["_graph"] = None
        self.built = False
        if rebuild:
            self._rebuild()
        return layer

    # -------------------------------------------------------------- building
    def build(self, input_shape: Any = None) -> None:
        """Build every layer for ``input_shape`` (including the batch dimension)."""
        if self._input_layer is None:
            if input_shape is None:
                raise ValueError(f'Sequential "{self.name}".build: expected an input shape, received None')
            if not tree.is_shape(input_shape):
                raise ValueError(f'Sequential "{self.name}" expects a single input; received shapes {input_shape}')
            self.__dict__["_input_layer"] = InputLayer(batch_shape=(None,) + tuple(input_shape)[1:])
        self._rebuild()
        if not self.built:
            raise ValueError(f'Sequential "{self.name}" could not be built for input shape {input_shape}')

    def _rebuild(self):
        if self._input_layer is None or not self._layers:
            return
        x = self._input_layer.output
        for layer in self._layers:
            x = layer(x)
            if not isinstance(x, KerasTensor):
                raise ValueError(
                    f'Sequential "{self.name}": all layers should have a single output tensor; '
                    f'layer "{layer.name}" returned {type(x).__name__}. Use the functional API instead.'
                )
        self.__dict__["_graph"] = Graph(self._input_layer.output, x, owner_name=self.name)
        self._build_shapes = self._input_layer.batch_shape
        self.built = True

    @property
    def inputs(self) -> list[KerasTensor] | None:
        if self._graph is None or self._input_layer is None:  # (a built stack has both)
            return None
        return [self._input_layer.output]

    # --------------------------------------------------------------- calling
    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Apply the layers in order."""
        if isinstance(inputs, (list, tuple, dict)):
            if len(inputs) != 1 or isinstance(inputs, dict):
                raise ValueError(
                    f'Sequential "{self.name}": argument `inputs` must be one tensor; the model expects '
                    f"1 input, received a {type(inputs).__name__} of {len(inputs)}. Use the functional "
                    "API for a model with several inputs."
                )
            inputs = inputs[0]  # a one-tensor list, as Keras accepts
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        layers = [serialization_lib.serialize_keras_object(layer) for layer in self._layers]
        if self._input_layer is not None:
            layers.insert(0, serialization_lib.serialize_keras_object(self._input_layer))
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": serialization_lib.serialize_keras_object(self.dtype_policy),
            "layers": layers,
        }
        if self._build_shapes is not None and self._input_layer is None:
            config["build_input_shape"] = list(self._build_shapes)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Sequential:
        if "layers" not in config or not isinstance(config["layers"], list):
            raise ValueError(f"Sequential.from_config: expected a 'layers' list, received {config.get('layers')!r}")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        table = builtin_objects("keras.layers")
        for entry in config["layers"]:
            layer = serialization_lib.deserialize_keras_object(
                entry, module_objects=table, custom_objects=custom_objects, printable_module_name="layer"
            )
            model.add(layer, rebuild=False)
        model._rebuild()
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
