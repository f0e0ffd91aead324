"""``SimpleRNNCell`` and ``SimpleRNN``: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

Weights in Keras layout: ``kernel (input_dim, units)``, ``recurrent_kernel (units, units)``,
``bias (units,)``; paths ``simple_rnn/simple_rnn_cell/kernel``. The layer runs
:class:`~kerastorch.layers.RNN`'s step loop (one matmul for the input projection of all
steps, then one ``addmm`` and the activation per step).

Example:
    >>> import torch
    >>> layer = SimpleRNN(4, return_sequences=True)
    >>> layer(torch.ones(2, 3, 5)).shape
    torch.Size([2, 3, 4])
"""

from __future__ import annotations

from typing import Any, Callable

from kerastorch import regularizers
from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm
from kerastorch.layers.rnn.rnn import RNN
from kerastorch.serialization.object_registration import register_builtin

_BASE_KEYS = ("name", "trainable", "dtype")
_LAYER_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "activity_regularizer")
_NOT_CELL_ARGS = _LAYER_ARGS + ("self", "__class__", "kwargs", "use_cudnn")


@register_builtin("keras.layers")
class SimpleRNNCell(GatedCell):
    """The cell of :class:`SimpleRNN`: one step of ``activation(x @ kernel + h @ recurrent_kernel + bias)``.

    Weights: ``kernel`` ``(features, units)``, ``recurrent_kernel`` ``(units, units)``, ``bias``
    ``(units,)``. Run it over a sequence with :class:`RNN`.

    Args:
        units: int: the size of the output and the state.
        activation: str, callable or None, default ``"tanh"``: the activation of the output (None: linear).
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``
            (the input transformation).
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel`` (the state transformation).
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1)``;
            one mask per sequence.
        recurrent_dropout: float, default 0.0: the fraction of the state units dropped in training (on the
            recurrent transformation), in ``[0, 1)``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...); Keras 2's
            ``implementation`` is accepted and ignored.

    Call arguments:
        inputs: tensor ``(batch_size, features)``: the inputs of one step.
        states: list ``[h]`` of one tensor ``(batch_size, units)``: the previous states.
        training: bool, default False: whether dropout is applied.

    Input shape:
        ``(batch_size, features)`` for one step, and the states.

    Output shape:
        ``(output, new_states)``: the output ``(batch_size, units)`` and the new states ``[h]`` (``h`` is the
        output).

    Raises:
        ValueError: a ``units`` that is not a positive int, an unknown activation, a non-bool
            ``use_bias``, a dropout rate outside ``[0, 1)``, a non-int ``seed``; when building, an unknown
            feature axis.

    >>> import torch
    >>> cell = SimpleRNNCell(3)
    >>> out, state = cell(torch.ones(2, 4), [torch.zeros(2, 3)])
    >>> tuple(out.shape), len(state)
    ((2, 3), 1)
    """

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        kernel_regularizer: Identifier = None,
        recurrent_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        recurrent_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(locals())

    def _step_projected(self, projected, states, training=False):
        h = states[0]
        output = self.activation(masked_addmm(projected, h, self.recurrent_kernel, self._recurrent_mask(h, training)))
        return output, [output]


class CellLayer(RNN):
    """An RNN layer that builds its own cell (SimpleRNN, LSTM, GRU): the cell's arguments are
    attributes of the layer too, and its config is the cell's config plus the RNN flags."""

    _cell_class: Callable[..., GatedCell] | None = None  # set by the subclasses, as _cell_name
    _cell_name: str | None = None
    _cell_attrs: tuple[str, ...] = (
        "units",
        "activation",
        "use_bias",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
        "kernel_constraint",
        "recurrent_constraint",
        "bias_constraint",
        "dropout",
        "recurrent_dropout",
        "seed",
    )

    def __init__(self, arguments: dict[str, Any]) -> None:
        """``arguments`` are the subclass's ``__init__`` ``locals()``: its cell's arguments, the RNN flags,
        ``activity_regularizer``, ``use_cudnn`` (the subclass's to handle) and ``kwargs``."""
        cell_args = {k: v for k, v in arguments.items() if k not in _NOT_CELL_ARGS}
        kwargs = dict(arguments["kwargs"])
        kwargs.pop("implementation", None)
        kwargs.pop("cell", None)
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name(to_snake_case(type(self).__name__))
        validation.positive_int(f'{type(self).__name__} layer "{kwargs["name"]}"', "units", cell_args["units"])
        assert self._cell_class is not None, f"{type(self).__name__} sets no _cell_class"
        cell = self._cell_class(
            **cell_args, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True), name=self._cell_name
        )
        super().__init__(cell, **{k: arguments[k] for k in _LAYER_ARGS}, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name):
        if name in type(self)._cell_attrs:
            return getattr(self._modules["cell"], name)
        return super().__getattr__(name)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["cell"]
        config.update({k: v for k, v in self.cell.get_config().items() if k not in _BASE_KEYS})
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        config = dict(config)
        config.pop("cell", None)
        return super(RNN, cls).from_config(config)


@register_builtin("keras.layers")
class SimpleRNN(CellLayer):
    """Fully connected RNN whose output is fed back as the next step's state (Keras's ``SimpleRNN``).

    Each step computes ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`` with a
    :class:`SimpleRNNCell`; the cell's arguments are attributes of the layer too.

    Args:
        units: int: the size of the output and the state.
        activation: str, callable or None, default ``"tanh"``: the activation of the output (None: linear).
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``
            (the input transformation).
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel`` (the state transformation).
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1)``;
            one mask per sequence.
        recurrent_dropout: float, default 0.0: the fraction of the state units dropped in training (on the
            recurrent transformation), in ``[0, 1)``; one mask per sequence.
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        unroll: bool, default False: Keras's loop unrolling, a speed/memory trade-off that gives the same
            results. The step loop is an eager Python loop either way (what unrolling means eagerly), so the
            outputs are identical whatever the value; it is stored in the config.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: tensor ``(batch_size, timesteps, features)``.
        initial_state: list of tensors or None, default None: the initial states ``[h]``; zeros (or the
            kept states of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True); a masked
            step keeps the previous states and output. The inputs' Keras mask when None.
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, features)``.

    Output shape:
        ``(batch_size, units)``, or ``(batch_size, timesteps, units)`` with ``return_sequences``; with
        ``return_state``, a list of the output and the final state ``(batch_size, units)``.

    Raises:
        ValueError: a ``units`` that is not a positive int, an unknown activation, a non-bool
            ``use_bias`` or flag, a dropout rate outside ``[0, 1)``, a non-int ``seed``; when called, inputs
            not of rank 3, an ``initial_state`` of the wrong number or shapes of tensors, a stateful layer
            without a fixed batch size or called with another batch size, a sequence without steps.

    >>> import torch
    >>> outputs, state = SimpleRNN(4, return_state=True)(torch.ones(2, 3, 5))
    >>> tuple(outputs.shape), bool(torch.equal(outputs, state))
    ((2, 4), True)
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        kernel_regularizer: Identifier = None,
        recurrent_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        recurrent_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(locals())

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has no seed (its cell's has)
        return config
