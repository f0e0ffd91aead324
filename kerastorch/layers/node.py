"""``Node``: one call of a layer on symbolic tensors, the edge list of the functional graph.

Example:
    >>> import kerastorch
    >>> from kerastorch import layers
    >>> x = kerastorch.Input((3,))
    >>> layer = layers.Dense(2)
    >>> y = layer(x)                  # x, y are KerasTensors
    >>> node = layer._inbound_nodes[-1]
    >>> node.operation is layer, node.input_tensors == [x], node.outputs == [y]
    (True, True, True)
    >>> y._keras_history[1:]          # (operation, node_index, tensor_index)
    (0, 0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor

if TYPE_CHECKING:
    from kerastorch.layers.operation import Operation


class Node:
    """Records ``outputs = operation(*args, **kwargs)`` and stamps each output's
    ``_keras_history`` with ``(operation, node_index, tensor_index)``."""

    def __init__(
        self,
        operation: Operation,
        call_args: Sequence[Any] = (),
        call_kwargs: dict[str, Any] | None = None,
        outputs: Any = None,
    ) -> None:
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.input_tensors = [x for x in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(x, KerasTensor)]
        self.output_structure = outputs
        self.outputs = [x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)]
        index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for position, tensor in enumerate(self.outputs):
            tensor._keras_history = (operation, index, position)

    @property
    def input_structure(self) -> Any:
        """The first argument of the call (what Keras calls the layer's input)."""
        if self.call_args:
            return self.call_args[0]
        return next(iter(self.call_kwargs.values()), None)

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                operation, node_index, _ = tensor._keras_history
                parents.append(operation._inbound_nodes[node_index])
        return parents

    @property
    def is_input(self) -> bool:
        return not self.input_tensors


def get_source_inputs(tensor: KerasTensor) -> list[KerasTensor]:
    """The ``keras.Input`` tensors that ``tensor`` was computed from, in the order they are reached.

    Args:
        tensor: a KerasTensor (the output of ``keras.Input`` or of layers called on such tensors).

    Returns:
        A list of KerasTensors made by ``keras.Input`` (``[tensor]`` for an input itself).

    Raises:
        ValueError: when ``tensor`` is not a symbolic tensor with a recorded history.

    >>> import kerastorch
    >>> from kerastorch import layers
    >>> a, b = kerastorch.Input((3,), name="a"), kerastorch.Input((3,), name="b")
    >>> y = layers.Dense(2)(layers.Add()([a, layers.Dense(3)(b)]))
    >>> [t.name for t in get_source_inputs(y)]
    ['a', 'b']
    """
    history = getattr(tensor, "_keras_history", None)
    if not isinstance(tensor, KerasTensor) or history is None:
        raise ValueError(
            f"get_source_inputs: expected a symbolic tensor from keras.Input or a layer call on one, "
            f"received {tensor!r}"
        )
    operation, node_index, _ = history
    sources: list[KerasTensor] = []
    seen, stack = set(), [operation._inbound_nodes[node_index]]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.is_input:
            sources.extend(t for t in node.outputs if all(t is not s for s in sources))
        else:
            stack.extend(reversed(node.parent_nodes))
    return sources
