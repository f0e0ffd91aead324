"""``keras.models.clone_model``: the same architecture with new layers (and so new weights).

Example:
    >>> import kerastorch as keras
    >>> inputs = keras.Input((4,))
    >>> model = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs))
    >>> clone = clone_model(model)
    >>> clone.get_layer("head") is model.get_layer("head"), clone.output_shape
    (False, (None, 2))
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.input_layer import Input
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential
from kerastorch.serialization import serialization_lib

__all__ = ["clone_model"]


def clone_model(
    model: Model,
    input_tensors: KerasTensor | Sequence[KerasTensor] | None = None,
    clone_function: Callable[[Layer], Layer] | None = None,
    call_function: Callable[..., Any] | None = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Model:
    """Clone a Sequential, functional or subclassed model: new layers, made from the old ones' configs.

    Weights are not copied (call ``clone.set_weights(model.get_weights())`` for that), as in Keras.

    Args:
        model: a :class:`~kerastorch.models.Model`.
        input_tensors: KerasTensor or list of them, default None: the inputs to build the clone on (from
            ``keras.Input``); None makes new inputs like the model's.
        clone_function: callable or None, default None: ``layer -> new layer``; None clones each layer from
            its config (``layer.__class__.from_config(layer.get_config())``). Return the layer itself to
            share it. A layer used several times is cloned once.
        call_function: callable or None, default None: ``(layer, *args, **kwargs) -> outputs``, how each layer
            is called in a functional clone (to insert layers around it, say); None calls the layer.
        recursive: bool, default False: clone nested Sequential and functional models layer by layer with the
            same functions (otherwise a nested model goes to ``clone_function`` whole).
        **kwargs: taken as in Keras's signature, but none is accepted: any keyword raises a TypeError.

    Returns:
        The new model.

    Raises:
        ValueError: for ``input_tensors`` of the wrong number, ``call_function`` on a Sequential model, or
            ``clone_function`` / ``input_tensors`` / ``call_function`` on a subclassed model.
        TypeError: for an unknown keyword argument.

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dropout(0.5)])
        >>> no_dropout = clone_model(model, clone_function=lambda layer: keras.layers.Identity()
        ...                          if isinstance(layer, keras.layers.Dropout) else layer)
        >>> [type(layer).__name__ for layer in no_dropout.layers]
        ['Dense', 'Identity']
    """
    if kwargs:
        raise TypeError(f"clone_model: unexpected keyword arguments {sorted(kwargs)}")
    layer_clone = _layer_cloner(clone_function, call_function, recursive)
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                f'clone_model: call_function is not supported for Sequential model "{model.name}"; '
                "clone a functional model to change how layers are called"
            )
        return _clone_sequential(model, input_tensors, layer_clone)
    if isinstance(model, Model) and model._graph is not None:
        return _clone_functional(model, input_tensors, layer_clone, call_function)
    if not isinstance(model, Model):
        raise ValueError(f"clone_model: expected a keras Model, received {type(model).__name__}")
    given = [
        name
        for name, value in (
            ("clone_function", clone_function),
            ("input_tensors", input_tensors),
            ("call_function", call_function),
        )
        if value is not None
    ]
    if given:
        raise ValueError(
            f'clone_model: model "{model.name}" is a subclassed model, which is cloned from its '
            f"config as a whole; {', '.join(given)} apply to Sequential and functional models only"
        )
    return serialization_lib.deserialize_keras_object(serialization_lib.serialize_keras_object(model))


def _layer_cloner(clone_function, call_function, recursive):
    def clone(layer):
        if recursive and isinstance(layer, Model) and (isinstance(layer, Sequential) or layer._graph is not None):
            return clone_model(
                layer,
                clone_function=clone_function,
                recursive=True,
                call_function=None if isinstance(layer, Sequential) else call_function,
            )
        if clone_function is not None:
            return clone_function(layer)
        return layer.__class__.from_config(layer.get_config())

    return clone


def _new_inputs(model, input_tensors, originals):
    if input_tensors is None:
        return [Input(batch_shape=t.shape, dtype=t.dtype, name=t._keras_history[0].name) for t in originals]
    given = tree.flatten(input_tensors)
    if len(given) != len(originals) or not all(isinstance(t, KerasTensor) for t in given):
        raise ValueError(
            f'clone_model: model "{model.name}" has {len(originals)} input(s); input_tensors must be '
            f"as many KerasTensors, received {input_tensors!r}"
        )
    return given


def _clone_sequential(model, input_tensors, layer_clone):
    layers = [layer_clone(layer) for layer in model.layers]
    if model.inputs is None and input_tensors is None:
        return Sequential(layers, name=model.name, trainable=model.trainable)
    originals = model.inputs or [None]
    inputs = _new_inputs(model, input_tensors, originals) if model.inputs else tree.flatten(input_tensors)
    return Sequential(inputs[:1] + layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, layer_clone, call_function):
    graph = model._graph
    inputs = _new_inputs(model, input_tensors, graph.inputs)
    new_tensor = {id(old): new for old, new in zip(graph.inputs, inputs)}
    new_layer = {}
    for node in graph.nodes:
        if node.is_input:
            continue
        layer = node.operation
        if id(layer) not in new_layer:
            new_layer[id(layer)] = layer_clone(layer)
        args, kwargs = tree.map_structure(
            lambda x: new_tensor[id(x)] if isinstance(x, KerasTensor) else x,
            (list(node.call_args), dict(node.call_kwargs)),
        )
        call = call_function or (lambda target, *a, **k: target(*a, **k))
        outputs = call(new_layer[id(layer)], *args, **kwargs)
        for old, new in zip(node.outputs, tree.flatten(outputs)):
            new_tensor[id(old)] = new
    outputs = tree.map_structure(lambda t: new_tensor[id(t)], graph.outputs_struct)
    structured_inputs = tree.pack_sequence_as(graph.inputs_struct, inputs)
    return Model(structured_inputs, outputs, name=model.name, trainable=model.trainable)
