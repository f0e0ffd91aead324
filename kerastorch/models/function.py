"""``Function``: a graph of operations between symbolic tensors, reapplied to new inputs.

The graph is the one the symbolic calls recorded (layers, ``keras.ops`` functions and operators on
``KerasTensor`` objects, :class:`~kerastorch.Operation` subclasses). Unlike a functional ``Model``, a
Function tracks no weights (the layers in it keep theirs), has no training API, and its inputs may be any
symbolic tensors: bare ``keras.KerasTensor`` objects, ``keras.Input`` tensors, or tensors in the middle of
a graph (what produced them is then not run). A Function is itself an operation: called on symbolic
tensors it returns symbolic outputs and records a node.

Example:
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> a, b = keras.KerasTensor((None, 2, 3)), keras.KerasTensor((None, 2, 3))
    >>> fn = Function(inputs=[a, b], outputs=keras.ops.sigmoid(a + b))
    >>> fn([np.zeros((4, 2, 3)), np.zeros((4, 2, 3))]).shape
    torch.Size([4, 2, 3])
    >>> [op.op for op in fn.operations]  # the TensorOp layers that ``a + b`` and ``ops.sigmoid`` recorded
    ['add', 'ops.sigmoid']
"""

from __future__ import annotations

from typing import Any

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor, compute_output_spec
from kerastorch.layers.operation import Operation


class Function(Operation):
    """Encapsulates the computation graph that links some symbolic input tensors to some output tensors.

    Args:
        inputs: a ``KerasTensor`` or a nested structure (list, tuple, dict) of them: the tensors the
            Function is called with.
        outputs: a ``KerasTensor`` or a nested structure of them, computable from ``inputs`` alone.
        name: str, default None: the Function's name (None: a unique ``"function"``, ``"function_1"`` ...).

    Raises:
        TypeError: when an input or output is not a KerasTensor.
        ValueError: when an output depends on a symbolic tensor that is not among ``inputs`` (a
            disconnected graph).

    Example:
        >>> import torch
        >>> import kerastorch as keras
        >>> inputs = keras.Input((3,), name="x")
        >>> hidden = keras.layers.Dense(4, name="hidden")(inputs)
        >>> head = Function(hidden, keras.layers.Dense(2, name="out")(hidden), name="head")
        >>> head(torch.ones(5, 4)).shape  # runs "out" only, on new values of "hidden"
        torch.Size([5, 2])
        >>> head.compute_output_shape((None, 4))
        (None, 2)
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = _symbolic_leaves(inputs, "inputs", self.name)
        self._outputs = _symbolic_leaves(outputs, "outputs", self.name)
        self._nodes = _ordered_nodes(self._inputs, self._outputs, self.name)
        operations = [t._keras_history[0] for t in self._inputs if t._keras_history is not None]
        operations += [node.operation for node in self._nodes]
        self._operations = list({id(op): op for op in operations}.values())

    @property
    def inputs(self) -> list[KerasTensor]:
        """Flat list of the symbolic inputs of the Function."""
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        """Flat list of the symbolic outputs of the Function."""
        return list(self._outputs)

    @property
    def operations(self) -> list[Operation]:
        """The operations of the graph, in execution order (with those that produced the inputs first)."""
        return list(self._operations)

    def call(self, inputs: Any) -> Any:
        """Computes the output tensors for new inputs.

        Args:
            inputs: values (tensors, NumPy arrays) in the structure of the Function's ``inputs``.

        Returns:
            The outputs, in the structure of the Function's ``outputs``.

        Raises:
            ValueError: when ``inputs`` does not have the structure of the Function's inputs.
        """
        try:
            tree.assert_same_structure(tree.lists_to_tuples(self._inputs_struct), tree.lists_to_tuples(inputs))
        except (ValueError, TypeError):
            raise ValueError(
                f'Function "{self.name}" was called with an invalid input structure: expected '
                f"{_describe(self._inputs_struct)}, received {_describe(inputs)}"
            ) from None
        values = {id(t): v for t, v in zip(self._inputs, tree.flatten(inputs))}
        for node in self._nodes:
            args, kwargs = tree.map_structure(
                lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, (node.call_args, node.call_kwargs)
            )
            results = node.operation(*args, **kwargs)
            for symbolic, value in zip(tree.flatten(node.output_structure), tree.flatten(results)):
                if isinstance(symbolic, KerasTensor):
                    values[id(symbolic)] = value
        return tree.pack_sequence_as(self._outputs_struct, [values[id(t)] for t in self._outputs])

    def compute_output_spec(self, inputs: Any) -> Any:
        """The output KerasTensors for KerasTensor inputs (the graph runs on torch fake tensors)."""
        return compute_output_spec(self.call, (inputs,), {})

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shapes for input shapes given in the structure of the inputs (``None`` for unknown
        dimensions)."""
        shapes = []
        tree.map_shape_structure(lambda shape: shapes.append(tuple(shape)), input_shape)
        if len(shapes) != len(self._inputs):
            raise ValueError(
                f'Function "{self.name}": expected {len(self._inputs)} input shape(s), received {input_shape!r}'
            )
        symbolic = tree.pack_sequence_as(
            self._inputs_struct, [KerasTensor(shape, t.dtype) for shape, t in zip(shapes, self._inputs)]
        )
        return tree.map_structure(lambda t: t.shape, self.compute_output_spec(symbolic))

    def get_config(self) -> dict[str, Any]:
        """A Function cannot be serialized (its graph holds arbitrary operations).

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            f'Function "{self.name}" is not serializable; save the model or the layers it runs instead.'
        )


def _symbolic_leaves(structure, what, name):
    leaves = tree.flatten(structure)
    for leaf in leaves:
        if not isinstance(leaf, KerasTensor):
            raise TypeError(f'Function "{name}": all {what} must be KerasTensors, received {leaf!r}')
    return leaves


def _node_of(tensor, name):
    if tensor._keras_history is None:
        raise ValueError(
            f'Function "{name}": graph disconnected: {tensor!r} is needed to compute the outputs '
            "but is not among the inputs and was not produced by an operation"
        )
    operation, node_index, _ = tensor._keras_history
    return operation._inbound_nodes[node_index]


def _ordered_nodes(inputs, outputs, name):
    """The nodes that compute ``outputs`` from ``inputs``, each after the nodes it depends on."""
    input_ids = {id(t) for t in inputs}
    order, done, active = [], set(), set()
    for output in outputs:
        if id(output) in input_ids:
            continue
        stack = [(_node_of(output, name), False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                active.discard(id(node))
                done.add(id(node))
                order.append(node)
                continue
            if id(node) in done or id(node) in active:
                continue
            if node.is_input:
                raise ValueError(
                    f'Function "{name}": graph disconnected: the outputs depend on '
                    f'{node.outputs[0]!r} (from operation "{node.operation.name}"), which is not '
                    "among the inputs"
                )
            active.add(id(node))
            stack.append((node, True))
            for tensor in reversed(node.input_tensors):
                if id(tensor) not in input_ids:
                    parent = _node_of(tensor, name)
                    if id(parent) not in done:
                        stack.append((parent, False))
    return order


def _describe(structure):
    return tree.map_structure(
        lambda x: f"<{type(x).__name__} shape={tuple(x.shape)}>" if hasattr(x, "shape") else repr(x), structure
    )
