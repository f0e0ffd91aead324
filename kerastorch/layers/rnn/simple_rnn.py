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

from kerastorch import regularizers
from kerastorch.backend import validation
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm
from kerastorch.layers.rnn.rnn import RNN
from kerastorch.saving.object_registration import register_builtin

_BASE_KEYS = ("name", "trainable", "dtype")
_LAYER_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "activity_regularizer")
_NOT_CELL_ARGS = _LAYER_ARGS + ("self", "__class__", "kwargs", "use_cudnn")


@register_builtin("keras.layers")
class SimpleRNNCell(GatedCell):
    """The cell of :class:`SimpleRNN`: one step of ``activation(x @ kernel + h @ recurrent_kernel + bias)``.

    >>> import torch
    >>> cell = SimpleRNNCell(3)
    >>> out, state = cell(torch.ones(2, 4), [torch.zeros(2, 3)])
    >>> tuple(out.shape), len(state)
    ((2, 3), 1)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(locals())

    def _step_projected(self, projected, states, training=False):
        h = states[0]
        output = self.activation(masked_addmm(projected, h, self.recurrent_kernel, self._recurrent_mask(h, training)))
        return output, [output]


class CellLayer(RNN):
    """An RNN layer that builds its own cell (SimpleRNN, LSTM, GRU): the cell's arguments are
    attributes of the layer too, and its config is the cell's config plus the RNN flags."""

    _cell_class = None
    _cell_name = None
    _cell_attrs = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                   "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                   "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                   "seed")

    def __init__(self, arguments):
        """``arguments`` are the subclass's ``__init__`` ``locals()``: its cell's arguments, the RNN flags,
        ``activity_regularizer``, ``use_cudnn`` (the subclass's to handle) and ``kwargs``."""
        cell_args = {k: v for k, v in arguments.items() if k not in _NOT_CELL_ARGS}
        kwargs = dict(arguments["kwargs"])
        kwargs.pop("implementation", None)
        kwargs.pop("cell", None)
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name(to_snake_case(type(self).__name__))
        validation.positive_int(f'{type(self).__name__} layer "{kwargs["name"]}"', "units", cell_args["units"])
        cell = self._cell_class(**cell_args, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                                name=self._cell_name)
        super().__init__(cell, **{k: arguments[k] for k in _LAYER_ARGS}, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name):
        if name in type(self)._cell_attrs:
            return getattr(self._modules["cell"], name)
        return super().__getattr__(name)

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        config.update({k: v for k, v in self.cell.get_config().items() if k not in _BASE_KEYS})
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("cell", None)
        return super(RNN, cls).from_config(config)


@register_builtin("keras.layers")
class SimpleRNN(CellLayer):
    """Fully connected RNN whose output is fed back as the next step's state (Keras's ``SimpleRNN``).

    >>> import torch
    >>> outputs, state = SimpleRNN(4, return_state=True)(torch.ones(2, 3, 5))
    >>> tuple(outputs.shape), bool(torch.equal(outputs, state))
    ((2, 4), True)
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(locals())

    def get_config(self):
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has no seed (its cell's has)
        return config

