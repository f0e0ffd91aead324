"""``StackedRNNCells``: several recurrent cells run as one, each feeding the next.

Its ``state_size`` is the list of the cells' state sizes and its states are one list
of states per cell (``[[h1, c1], [h2]]`` for an LSTM cell under a GRU cell), as in
Keras. ``RNN([cell_a, cell_b])`` wraps a list of cells in it.

Also here: the helper the recurrent layers share to call a cell on one step (sublayers are
built with :func:`kerastorch.layers.core.build_sublayer`, which gives their weights Keras's nested
paths, ``rnn/stacked_rnn_cells/lstm_cell/kernel``).

Example:
    >>> import torch
    >>> from kerastorch.layers import LSTMCell, GRUCell, RNN
    >>> cells = StackedRNNCells([LSTMCell(4), GRUCell(3)])
    >>> out, states = RNN(cells, return_state=True)(torch.ones(2, 5, 6))[0], cells.state_size
    >>> tuple(out.shape), states
    ((2, 3), [[4, 4], 3])
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence

import torch

from kerastorch import tree
from kerastorch.backend.annotations import Shape
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import build_sublayer, layer_label
from kerastorch.serialization import object_registration as registry
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

# A recurrent cell (Keras's protocol): a layer, or any object, with ``call(inputs, states[, training])`` returning
# ``(output, new_states)`` and a ``state_size`` (an int, or a list of ints or shapes); a duck type, hence Any.
RNNCell = Any


def call_cell(cell: RNNCell, inputs: torch.Tensor, states: Any, training: bool | None) -> tuple[torch.Tensor, Any]:
    """One step of ``cell`` (Keras's cell protocol); the built-in cells skip ``__call__``'s bookkeeping."""
    if getattr(cell, "_builtin_cell", False):
        return cell.call(inputs, states, training=training)
    accepts = cell.__dict__.get("_rnn_accepts_training")
    if accepts is None:
        params = inspect.signature(cell.call).parameters
        accepts = "training" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
        cell.__dict__["_rnn_accepts_training"] = accepts
    return cell(inputs, states, training=training) if accepts else cell(inputs, states)


def check_cell(owner: Layer, cell: RNNCell) -> None:
    """A TypeError/ValueError naming ``owner`` unless ``cell`` follows Keras's cell protocol."""
    if not callable(getattr(cell, "call", None)):
        raise TypeError(
            f"{layer_label(owner)}: a cell must be a layer with a call(inputs, states) method, received {cell!r}"
        )
    size = getattr(cell, "state_size", None)
    if size is None or not isinstance(size, (int, list, tuple)):
        raise ValueError(
            f"{layer_label(owner)}: a cell needs a state_size attribute (an int or a list of ints/shapes), "
            f"received state_size={size!r} on {cell!r}"
        )


def output_size_of(cell: RNNCell) -> Any:
    """The size of a cell's step output: ``output_size``, else its first state size (as Keras)."""
    size = getattr(cell, "output_size", None)
    if size is None:
        size = cell.state_size if isinstance(cell.state_size, int) else cell.state_size[0]
    return size


@register_builtin("keras.layers")
class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that they behave as one cell (the output of each is the input of the next).

    ``state_size`` is the list of the cells' state sizes and the states are one list per cell.

    Args:
        cells: cell layer or list of cell layers: the cells, first to last; each needs a ``call`` method
            and a ``state_size``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: tensor ``(batch_size, features)``: the inputs of one step.
        states: list: one list of states per cell.
        training: bool, default False: passed on to the cells.

    Input shape:
        ``(batch_size, features)`` for one step, and the states.

    Output shape:
        ``(output, new_states)``: the last cell's output and one list of new states per cell.

    Raises:
        TypeError: a cell without a ``call`` method.
        ValueError: an empty list of cells, or a cell without a valid ``state_size``.

    >>> import torch
    >>> from kerastorch.layers import SimpleRNNCell
    >>> cell = StackedRNNCells([SimpleRNNCell(3), SimpleRNNCell(2)])
    >>> out, states = cell(torch.ones(4, 5), cell.get_initial_state(4))
    >>> tuple(out.shape), [tuple(s[0].shape) for s in states]
    ((4, 2), [(4, 3), (4, 2)])
    """

    def __init__(self, cells: RNNCell | list[RNNCell] | tuple[RNNCell, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cells = list(cells) if isinstance(cells, (list, tuple)) else [cells]
        if not cells:
            raise ValueError(f"{layer_label(self)}: expected a non-empty list of cells, received {cells!r}")
        for cell in cells:
            check_cell(self, cell)
        self.cells = cells

    @property
    def state_size(self) -> list[Any]:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> Any:
        return output_size_of(self.cells[-1])

    def get_initial_state(self, batch_size: int | None = None) -> list[list[torch.Tensor]]:
        """One list of zero states per cell."""
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                state = make(batch_size=batch_size)
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
                state = [
                    torch.zeros(
                        (batch_size, *_dims(d)),  # type: ignore[arg-type]  # (a None batch_size fails)
                        dtype=self._compute_torch_dtype,
                        device=self._weight_device(),
                    )
                    for d in sizes
                ]
            states.append(list(state) if tree.is_nested(state) else [state])
        return states

    def build(self, input_shape: Shape) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            build_sublayer(self, cell, shape)
            shape = (shape[0], output_size_of(cell))
        self.built = True

    def call(
        self, inputs: torch.Tensor, states: Sequence[Any], training: bool | None = False
    ) -> tuple[torch.Tensor, list[list[Any]]]:
        new_states = []
        for cell, state in zip(self.cells, states):
            state = list(state) if tree.is_nested(state) else [state]
            inputs, new = call_cell(cell, inputs, state, training)
            new_states.append(list(new) if tree.is_nested(new) else [new])
        return inputs, new_states

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["cells"] = [serialize_keras_object(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        config = dict(config)
        config["cells"] = [
            deserialize_keras_object(c, registry.builtin_objects("keras.layers"), custom_objects)
            for c in config["cells"]
        ]
        return super().from_config(config)


def _dims(size):
    return (size,) if isinstance(size, int) else tuple(size)
