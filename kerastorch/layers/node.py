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
from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor


class Node:
    """Records ``outputs = operation(*args, **kwargs)`` and stamps each output's
    ``_keras_history`` with ``(operation, node_index, tensor_index)``."""

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.input_tensors = [x for x in tree.flatten((self.call_args, self.call_kwargs))
                              if isinstance(x, KerasTensor)]
        self.output_structure = outputs
        self.outputs = [x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)]
        index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for position, tensor in enumerate(self.outputs):
            tensor._keras_history = (operation, index, position)

    @property
    def input_structure(self):
        """The first argument of the call (what Keras calls the layer's input)."""
        if self.call_args:
            return self.call_args[0]
        return next(iter(self.call_kwargs.values()), None)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                operation, node_index, _ = tensor._keras_history
                parents.append(operation._inbound_nodes[node_index])
        return parents

    @property
    def is_input(self):
        return not self.input_tensors
