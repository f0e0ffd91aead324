"""``LSTMCell`` and ``LSTM`` (Keras gate order i, f, c, o).

Weights in Keras layout: ``kernel (input_dim, 4 * units)``, ``recurrent_kernel (units, 4 * units)``,
``bias (4 * units,)``; paths ``lstm/lstm_cell/kernel``. ``unit_forget_bias`` starts the forget-gate
bias at one.

Speed: when the configuration allows it (Keras's cuDNN conditions: tanh / sigmoid, no recurrent
dropout, not unrolled, no mask or a right-padded one, no ``go_backwards`` with a mask) the layer
runs the whole sequence with ``torch._VF.lstm`` (cuDNN on GPU, a fused kernel on CPU). torch's gate
order i, f, g, o is Keras's, so its weights are just ``kernel.T`` and ``recurrent_kernel.T`` (views)
with the bias as the input bias and a cached zero vector as the recurrent one. ``use_cudnn=False``
forces the step loop; ``use_cudnn=True`` raises when the fused kernel cannot be used.

Example:
    >>> LSTM(4)(torch.ones(2, 3, 5)).shape
    torch.Size([2, 4])
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kerastorch.backend.annotations import Identifier
from kerastorch.backend.torch_internals import lstm_kernel
from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm
from kerastorch.layers.rnn.rnn import FusedKernel
from kerastorch.layers.rnn.simple_rnn import CellLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class LSTMCell(GatedCell):
    """One step of a long short-term memory layer; states ``[h, c]``.

    With gates in Keras's order i, f, c, o: ``z = x @ kernel + h @ recurrent_kernel + bias``,
    ``c = sig(f) * c + sig(i) * act(g)``, ``h = sig(o) * act(c)`` (``sig`` the recurrent activation).
    Weights: ``kernel`` ``(features, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)``, ``bias``
    ``(4 * units,)``. Run it over a sequence with :class:`RNN`.

    Args:
        units: int: the size of the output and of each state.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state and
            the output (None: linear).
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``
            (the input transformation).
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel`` (the state transformation).
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1 (the other gates'
            at ``bias_initializer``).
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
        states: list ``[h, c]`` of tensors ``(batch_size, units)``: the previous states.
        training: bool, default False: whether dropout is applied.

    Input shape:
        ``(batch_size, features)`` for one step, and the states.

    Output shape:
        ``(output, new_states)``: the output ``(batch_size, units)`` and the new states ``[h, c]`` (``h`` is the
        output).

    Raises:
        ValueError: a ``units`` that is not a positive int, an unknown activation, a non-bool
            ``use_bias`` or ``unit_forget_bias``, a dropout rate outside ``[0, 1)``, a non-int ``seed``; when
            building, an unknown feature axis.

    >>> cell = LSTMCell(3)
    >>> h, (h2, c) = cell(torch.ones(2, 4), cell.get_initial_state(2))
    >>> tuple(h.shape), bool(torch.equal(h, h2)), tuple(c.shape)
    ((2, 3), True, (2, 3))
    """

    _gates = 4
    _n_states = 2
    _gate_args = ("unit_forget_bias",)

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        unit_forget_bias: bool = True,
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

    def _bias_spec(self):
        if not self.unit_forget_bias:
            return (4 * self.units,), self.bias_initializer
        units, base = self.units, self.bias_initializer

        def initializer(shape, dtype=None):
            parts = [
                torch.as_tensor(base((units,), dtype=dtype)),
                None,
                torch.as_tensor(base((2 * units,), dtype=dtype)),
            ]
            parts[1] = torch.ones(units, dtype=parts[0].dtype)
            return torch.cat([p.cpu() for p in parts])

        return (4 * units,), initializer

    def _step_projected(self, projected, states, training=False):
        h, c = states[0], states[1]
        z = masked_addmm(projected, h, self.recurrent_kernel, self._recurrent_mask(h, training))
        i, f, g, o = z.chunk(4, 1)
        gate = self.recurrent_activation
        c = gate(f) * c + gate(i) * self.activation(g)
        h = gate(o) * self.activation(c)
        return h, [h, c]


@register_builtin("keras.layers")
class LSTM(FusedKernel, CellLayer):
    """Long short-term memory layer (Hochreiter 1997), Keras's ``LSTM``; fused torch kernel when possible.

    Runs an :class:`LSTMCell` over the time axis; the cell's arguments are attributes of the layer too.

    Args:
        units: int: the size of the output and of each state.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state and
            the output (None: linear).
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``
            (the input transformation).
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel`` (the state transformation).
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1 (the other gates'
            at ``bias_initializer``).
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
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        unroll: bool, default False: Keras's loop unrolling, a speed/memory trade-off that gives the same
            results. True selects the step-by-step Python loop (what unrolling means eagerly) instead of torch's
            fused LSTM kernel; the outputs are the same up to float round-off, as in Keras.
        use_cudnn: str or bool, default ``"auto"``: ``"auto"`` runs the whole sequence in torch's fused
            LSTM kernel (cuDNN on GPU) when the configuration allows it (``activation="tanh"``,
            ``recurrent_activation="sigmoid"``, ``recurrent_dropout=0``, ``unroll=False``, no mask or a
            right-padded one, no ``go_backwards`` with a mask), else the step loop; False always takes the
            step loop; True raises when the fused kernel cannot be used.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: tensor ``(batch_size, timesteps, features)``.
        initial_state: list of tensors or None, default None: the initial states ``[h, c]``; zeros (or the
            kept states of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True); a masked
            step keeps the previous states and output. The inputs' Keras mask when None.
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, features)``.

    Output shape:
        ``(batch_size, units)``, or ``(batch_size, timesteps, units)`` with ``return_sequences``; with
        ``return_state``, a list of the output and the final states ``h`` and ``c``, each
        ``(batch_size, units)``.

    Raises:
        ValueError: a ``units`` that is not a positive int, an unknown activation, a non-bool
            ``use_bias``, ``unit_forget_bias`` or flag, a dropout rate outside ``[0, 1)``, a non-int ``seed``, a
            ``use_cudnn`` other than ``"auto"``, True or False; when called, inputs not of rank 3, an
            ``initial_state`` of the wrong number or shapes of tensors, a stateful layer without a fixed batch
            size or called with another batch size, a sequence without steps, ``use_cudnn=True`` where the fused
            kernel cannot run.

    >>> seq, h, c = LSTM(4, return_sequences=True, return_state=True)(torch.ones(2, 3, 5))
    >>> tuple(seq.shape), tuple(h.shape), tuple(c.shape)
    ((2, 3, 4), (2, 4), (2, 4))
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _cell_attrs = CellLayer._cell_attrs + ("recurrent_activation", "unit_forget_bias")
    _kernel = staticmethod(lstm_kernel)

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Identifier = None,
        recurrent_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        recurrent_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn: str | bool = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(locals())
        self._init_use_cudnn(use_cudnn)
        self._zero_bias: torch.Tensor | None = None

    def _torch_weights(self):
        cell = self.cell
        weights = [cell.kernel.T, cell.recurrent_kernel.T]
        if cell.use_bias:
            weights += [cell.bias, _zeros_like_cached(self, cell.bias)]
        return weights


def _zeros_like_cached(layer, bias):
    """A zero vector shaped like ``bias`` (torch's second bias), made once per device and dtype (as a normal
    tensor even under ``torch.inference_mode``, so that a ``predict`` before ``fit`` leaves a usable one)."""
    zeros = layer._zero_bias
    if zeros is None or zeros.shape != bias.shape or zeros.device != bias.device or zeros.dtype != bias.dtype:
        with torch.inference_mode(False):
            zeros = layer._zero_bias = torch.zeros(bias.shape, dtype=bias.dtype, device=bias.device)
    return zeros
