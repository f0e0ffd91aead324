"""The functional graph: from input and output KerasTensors to an execution plan.

``Graph(inputs, outputs)`` walks the recorded nodes back from the outputs, orders
them by decreasing depth (distance from the outputs), ties in traversal order, as
Keras does) and compiles them into
a list of steps over numbered value slots. Running the graph is one pass over those
steps: no dict lookups or tree walks for the common single- and list-input layers.

Example:
    >>> from kerastorch.layers import Dense, Input
    >>> x = Input((4,), name="features"); y = Dense(2, name="head")(x)
    >>> graph = Graph(x, y)
    >>> [layer.name for layer in graph.layers]
    ['features', 'head']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.input_layer import InputLayer

if TYPE_CHECKING:
    from kerastorch.layers.node import Node

_SINGLE, _LIST, _GENERAL = 0, 1, 2


class Graph:
    """Nodes, layers and the execution plan between ``inputs`` and ``outputs``."""

    def __init__(self, inputs: Any, outputs: Any, owner_name: str = "functional") -> None:
        self.owner_name = owner_name
        self.inputs_struct = _plain_structure(inputs)
        self.outputs_struct = _plain_structure(outputs)
        self.inputs = tree.flatten(self.inputs_struct)
        self.outputs = tree.flatten(self.outputs_struct)
        for kind, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor) or t._keras_history is None:
                    raise ValueError(
                        f'Model "{owner_name}": all {kind} must be symbolic tensors from keras.Input or layer '
                        f"calls on them; received {t!r}"
                    )
        for t in self.inputs:
            if not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(
                    f'Model "{owner_name}": inputs must come directly from keras.Input(); '
                    f'received a tensor produced by layer "{t._keras_history[0].name}"'
                )
        self.nodes = self._ordered_nodes()
        self.layers = _unique([n.operation for n in self.nodes])
        self._check_unique_names()
        self._compile_plan()

    # ----------------------------------------------------------- graph order
    def _ordered_nodes(self):
        output_nodes = _unique([_node_of(t) for t in self.outputs])
        input_nodes = [_node_of(t) for t in self.inputs]
        order, seen = [], set()
        for start in output_nodes:  # iterative post-order DFS: parents before children
            stack = [(start, False)]
            while stack:
                node, expanded = stack.pop()
                if expanded:
                    order.append(node)
                    continue
                if id(node) in seen:
                    continue
                seen.add(id(node))
                stack.append((node, True))
                if any(node is n for n in input_nodes):
                    continue
                for parent in reversed(node.parent_nodes):
                    if id(parent) not in seen:
                        stack.append((parent, False))
        for node in order:
            if node.is_input and not any(node is n for n in input_nodes):
                raise ValueError(
                    f'Model "{self.owner_name}": the graph needs input "{node.operation.name}", '
                    "which is not in the model's inputs. Pass every keras.Input the outputs depend on."
                )
        depth = {id(n): 0 for n in output_nodes}
        for node in reversed(order):
            for parent in node.parent_nodes:
                depth[id(parent)] = max(depth.get(id(parent), 0), depth.get(id(node), 0) + 1)
        position = {id(n): i for i, n in enumerate(order)}
        order.sort(key=lambda n: (-depth[id(n)], position[id(n)]))
        unused_inputs = [n for n in _unique(input_nodes) if id(n) not in position]
        return unused_inputs + order

    def _check_unique_names(self):
        names = [layer.name for layer in self.layers]
        for name in set(names):
            if names.count(name) > 1:
                raise ValueError(
                    f'Model "{self.owner_name}": the name "{name}" is used {names.count(name)} times in the model. '
                    "All layer names should be unique."
                )

    # ------------------------------------------------------- execution plan
    def _compile_plan(self):
        slots = {}

        def slot(t):
            return slots.setdefault(id(t), len(slots))

        self.input_slots = [slot(t) for t in self.inputs]
        steps = []
        for node in self.nodes:
            if node.is_input:
                continue
            args, kwargs = node.call_args, node.call_kwargs
            if len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor):
                kind, template = _SINGLE, slot(args[0])
            elif (
                len(args) == 1
                and not kwargs
                and isinstance(args[0], (list, tuple))
                and all(isinstance(a, KerasTensor) for a in args[0])
            ):
                kind, template = _LIST, [slot(a) for a in args[0]]
            else:
                kind = _GENERAL
                template = tree.map_structure(
                    lambda x: _Slot(slot(x)) if isinstance(x, KerasTensor) else x, (args, kwargs)
                )
            outputs = [slot(t) for t in node.outputs]
            single = isinstance(node.output_structure, KerasTensor)
            steps.append((node.operation, kind, template, outputs, single))
        self.steps = steps
        self.output_slots = [slot(t) for t in self.outputs]
        self.num_slots = len(slots)

    def run(self, flat_inputs: Sequence[Any]) -> list[Any]:
        """Execute the plan on real tensors; returns the flat list of outputs."""
        values = [None] * self.num_slots
        for s, x in zip(self.input_slots, flat_inputs):
            values[s] = x
        for layer, kind, template, outputs, single in self.steps:
            if kind == _SINGLE:
                result = layer(values[template])
            elif kind == _LIST:
                result = layer([values[s] for s in template])
            else:
                args, kwargs = tree.map_structure(lambda x: values[x.index] if isinstance(x, _Slot) else x, template)
                result = layer(*args, **kwargs)
            if single:
                values[outputs[0]] = result
            else:
                for s, t in zip(outputs, tree.flatten(result)):
                    values[s] = t
        return [values[s] for s in self.output_slots]

    def node_index_in_graph(self, node: Node) -> int:
        """The index Keras configs use for ``node``: its position among the layer's nodes in this graph."""
        kept = [n for n in node.operation._inbound_nodes if any(n is m for m in self.nodes)]
        return next(i for i, n in enumerate(kept) if n is node)


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def _node_of(tensor):
    operation, node_index, _ = tensor._keras_history
    return operation._inbound_nodes[node_index]


def _unique(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _plain_structure(structure):
    """Lists and tuples become lists; dicts keep their keys; a one-item list stays a list."""
    if isinstance(structure, dict):
        return {k: _plain_structure(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_plain_structure(v) for v in structure]
    return structure
