"""``Functional``: the class of ``Model(inputs, outputs)``, and its Keras 3 config format.

The config lists every layer with its ``inbound_nodes`` (the arguments of each call,
symbolic tensors written as ``__keras_tensor__`` references ``[layer, node, tensor]``),
plus ``input_layers`` and ``output_layers`` in the structure of the model's inputs
and outputs. ``from_config`` replays the calls in dependency order.

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> inputs = keras.Input((4,), name="features")
    >>> model = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs))
    >>> config = model.get_config()
    >>> [(layer["class_name"], layer["name"]) for layer in config["layers"]]
    [('InputLayer', 'features'), ('Dense', 'head')]
    >>> config["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"]
    ['features', 0, 0]
    >>> config["input_layers"], config["output_layers"]
    (['features', 0, 0], ['head', 0, 0])
    >>> clone = Functional.from_config(config)
    >>> clone(torch.ones(3, 4)).shape
    torch.Size([3, 2])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.models.model import Model
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import builtin_objects, register_builtin

if TYPE_CHECKING:
    from kerastorch.models.graph import Graph


@register_builtin("keras.models")
@register_builtin("keras")
class Functional(Model, functional=True):
    """A model defined by a graph of layer calls: ``Model(inputs, outputs)``.

    Calling the model replays the recorded layer calls on new tensors, in graph order. ``keras.Model(inputs,
    outputs)`` returns this class.

    Args:
        inputs: KerasTensor, or list / tuple / dict of them: the model's inputs, from ``keras.Input``; the
            model is called with the same structure.
        outputs: KerasTensor, or list / tuple / dict of them: results of layer calls on ``inputs``; the model
            returns the same structure.
        name: str or None, default None: the model's name (None: an automatic one, ``"functional"``...).
        trainable: bool, default True: whether the model's weights are trained.
        **kwargs: other base layer arguments (``dtype``...).

    Raises:
        ValueError: for inputs or outputs that are not symbolic tensors, inputs that do not come from
            ``keras.Input``, outputs that depend on an input not passed, or two layers with one name.
    """

    _saving_layout = "graph"

    _graph: Graph  # a functional model always has its graph

    def __init__(
        self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(inputs=inputs, outputs=outputs, name=name, trainable=trainable, **kwargs)

    def get_config(self) -> dict[str, Any]:
        graph = self._graph
        node_ids = {id(n) for n in graph.nodes}
        layers = []
        for layer in graph.layers:
            entry = serialization_lib.serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                {"args": self._encode(node.call_args), "kwargs": self._encode(node.call_kwargs)}
                for node in layer._inbound_nodes
                if id(node) in node_ids and not node.is_input
            ]
            layers.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": self._history_structure(graph.inputs_struct),
            "output_layers": self._history_structure(graph.outputs_struct),
        }

    def _history(self, tensor):
        operation, node_index, tensor_index = tensor._keras_history
        node = operation._inbound_nodes[node_index]
        return [operation.name, self._graph.node_index_in_graph(node), tensor_index]

    def _history_structure(self, structure):
        return tree.map_structure(self._history, structure)

    def _encode(self, structure):
        def encode(x):
            if isinstance(x, KerasTensor):
                return {
                    "class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": self._history(x)},
                }
            if isinstance(x, slice):
                return {"class_name": "__slice__", "config": {"start": x.start, "stop": x.stop, "step": x.step}}
            if x is Ellipsis:
                return {"class_name": "__ellipsis__", "config": {}}
            return serialization_lib.serialize_keras_object(x)

        return _map_with_tuples(encode, structure)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
        return functional_from_config(cls, config, custom_objects)

    @staticmethod
    def from_graph_config(
        cls: type[Model], config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Model:
        """A model of class ``cls`` (``Functional`` or a subclass of ``Model``) rebuilt from a functional config
        (:func:`functional_from_config`); ``Model.from_config`` calls it."""
        return functional_from_config(cls, config, custom_objects)


def functional_from_config(
    cls: type[Model], config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Model:
    """Rebuild a functional model: create the layers, then replay their calls in
    dependency order; a call whose inputs are not produced yet waits its turn.

    A malformed config (a hostile or damaged file) gets a ValueError, whatever deeper error it causes."""
    try:
        return _functional_from_config(cls, config, custom_objects)
    except (KeyError, IndexError, AttributeError, RecursionError, RuntimeError) as error:
        raise ValueError(f"Functional.from_config: malformed config ({type(error).__name__}: {error})") from error


def _rename(layer, name):
    """Give ``layer`` (just created, perhaps built) the name ``name``, its weights' paths included."""
    old = layer.name
    layer.name = name
    for weight in layer.weights:
        path = getattr(weight, "_path", None)
        if path is not None and path.startswith(old + "/"):
            weight._path = name + path[len(old) :]


def _functional_from_config(cls, config, custom_objects):
    for key in ("layers", "input_layers", "output_layers"):
        if key not in config:
            raise ValueError(f"Functional.from_config: the config has no {key!r} entry")
    layer_table = builtin_objects("keras.layers")
    created = {}
    pending = []
    for entry in config["layers"]:
        if not isinstance(entry, dict) or "name" not in entry:
            raise ValueError(f"Functional.from_config: each layer entry needs a 'name', received {entry!r}")
        layer = serialization_lib.deserialize_keras_object(
            entry, module_objects=layer_table, custom_objects=custom_objects, printable_module_name="layer"
        )
        if "name" not in (entry.get("config") or {}) and layer.name != entry["name"]:
            _rename(layer, entry["name"])  # a custom get_config() that leaves out the name: the graph's name holds
        created[entry["name"]] = layer
        pending.append((entry["name"], layer, list(entry.get("inbound_nodes", []))))
    produced = {}  # layer name -> list of output structures, one per replayed node
    for name, layer in created.items():
        if hasattr(layer, "_input_tensor"):
            produced[name] = [layer._input_tensor]

    def decode(x):
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            return _resolve(produced, x["config"]["keras_history"])
        if isinstance(x, dict) and x.get("class_name") == "__slice__":
            c = x["config"]
            return slice(c["start"], c["stop"], c["step"])
        if isinstance(x, dict) and x.get("class_name") == "__ellipsis__":
            return Ellipsis
        return x

    progress = True
    while progress and any(nodes for _, _, nodes in pending):
        progress = False
        for name, layer, nodes in pending:
            while nodes:
                try:
                    args = _map_with_tuples(decode, nodes[0].get("args", []))
                    kwargs = _map_with_tuples(decode, nodes[0].get("kwargs", {}))
                except _NotYetProduced:
                    break
                produced.setdefault(name, []).append(layer(*args, **kwargs))
                nodes.pop(0)
                progress = True
    if any(nodes for _, _, nodes in pending):
        stuck = [name for name, _, nodes in pending if nodes]
        raise ValueError(
            f"Functional.from_config: the inputs of layers {stuck} are never produced "
            "(a cycle or a reference to a missing layer)"
        )
    try:
        inputs = tree.map_structure(lambda h: _resolve(produced, h.value), _history_leaves(config["input_layers"]))
        outputs = tree.map_structure(lambda h: _resolve(produced, h.value), _history_leaves(config["output_layers"]))
    except _NotYetProduced as missing:
        raise ValueError(
            f"Functional.from_config: input_layers/output_layers name a tensor of layer "
            f"{missing} that the config does not produce"
        ) from None
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


class _NotYetProduced(Exception):
    pass


def _resolve(produced, history):
    if not isinstance(history, (list, tuple)) or len(history) != 3:
        raise ValueError(
            f"Functional.from_config: a tensor reference must be [layer, node, tensor], received {history!r}"
        )
    name, node_index, tensor_index = history
    if not isinstance(name, str) or any(
        isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in (node_index, tensor_index)
    ):
        raise ValueError(
            f"Functional.from_config: a tensor reference must be [layer name, node index, tensor "
            f"index], received {history!r}"
        )
    nodes = produced.get(name, [])
    if node_index >= len(nodes):
        raise _NotYetProduced(name)
    return tree.flatten(nodes[node_index])[tensor_index]


def _history_leaves(structure):
    """Mark ``[name, node, tensor]`` triples so tree functions treat them as leaves."""
    if isinstance(structure, (list, tuple)) and len(structure) == 3 and isinstance(structure[0], str):
        return _Leaf(structure)
    if isinstance(structure, dict):
        return {k: _history_leaves(v) for k, v in structure.items()}
    if not isinstance(structure, (list, tuple)):
        raise ValueError(
            f"Functional.from_config: input_layers/output_layers must hold [layer, node, tensor] "
            f"references, received {structure!r}"
        )
    return [_history_leaves(v) for v in structure]


class _Leaf:
    """Wraps a ``[layer, node, tensor]`` reference so tree functions keep it whole."""

    def __init__(self, value):
        self.value = value


def _map_with_tuples(func, structure):
    """map_structure that also descends into tuples and treats config dicts of
    ``__keras_tensor__``/``__slice__`` as leaves."""
    if isinstance(structure, dict) and "class_name" in structure and "config" in structure:
        return func(structure)
    if isinstance(structure, dict):
        return {k: _map_with_tuples(func, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_with_tuples(func, v) for v in structure)
    return func(structure)
