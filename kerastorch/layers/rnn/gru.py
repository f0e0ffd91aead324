"""``GRUCell`` and ``GRU`` (Keras gate order z, r, h).

Weights in Keras layout: ``kernel (input_dim, 3 * units)``, ``recurrent_kernel (units, 3 * units)``,
``bias (2, 3 * units)`` with ``reset_after=True`` (the default: row 0 the input bias, row 1 the
recurrent bias, which the reset gate multiplies with the recurrent projection) or ``(3 * units,)``
with ``reset_after=False`` (the reset gate multiplies the state before the matmul); paths
``gru/gru_cell/kernel``.

Speed: with ``reset_after=True`` and Keras's cuDNN conditions (see :mod:`.lstm`) the layer runs
``torch._VF.gru``, whose formulation is Keras's reset_after one; torch's gate order is r, z, n, so
the z and r column blocks are swapped (one ``cat`` per weight per call).

Example:
    >>> GRU(4, return_sequences=True)(torch.ones(2, 3, 5)).shape
    torch.Size([2, 3, 4])
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kerastorch.backend.annotations import Identifier
from kerastorch.backend.torch_internals import gru_kernel
from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm, masked_matmul
from kerastorch.layers.rnn.rnn import FusedKernel
from kerastorch.layers.rnn.simple_rnn import CellLayer
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class GRUCell(GatedCell):
    """One step of a gated recurrent unit; state ``[h]``.

    With gates in Keras's order z, r, h: ``z = sig(x_z + h @ U_z)``, ``r = sig(x_r + h @ U_r)``, the
    candidate ``hh = act(x_h + r * (h @ U_h))`` (``reset_after``) or ``act(x_h + (r * h) @ U_h)``, and
    ``h = z * h_previous + (1 - z) * hh``. Weights: ``kernel`` ``(features, 3 * units)``, ``recurrent_kernel``
    ``(units, 3 * units)``, ``bias``. Run it over a sequence with :class:`RNN`.

    Args:
        units: int: the size of the output and the state.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate state (None:
            linear).
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
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
        reset_after: bool, default True: whether the reset gate multiplies the state's projection after the
            matmul (Keras 3's and cuDNN's form; ``bias`` is then ``(2, 3 * units)``, input and recurrent
            biases) rather than the state before it (``bias`` ``(3 * units,)``).
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
            ``use_bias`` or ``reset_after``, a dropout rate outside ``[0, 1)``, a non-int ``seed``; when
            building, an unknown feature axis.

    >>> cell = GRUCell(3)
    >>> h, states = cell(torch.ones(2, 4), cell.get_initial_state(2))
    >>> tuple(h.shape), len(states)
    ((2, 3), 1)
    """

    _gates = 3
    _gate_args = ("reset_after",)

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
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
        reset_after: bool = True,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(locals())

    def _bias_spec(self):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        return shape, self.bias_initializer

    def _input_bias(self):
        bias = self.bias
        return bias[0] if bias is not None and self.reset_after else bias

    def _step_projected(self, projected, states, training=False):
        h = states[0]
        units, kernel, bias = self.units, self.recurrent_kernel, self.bias
        masks = self._recurrent_mask(h, training)
        x_z, x_r, x_h = projected.chunk(3, 1)
        gate = self.recurrent_activation
        if self.reset_after:
            inner = masked_addmm(bias[1] if bias is not None else None, h, kernel, masks)
            r_z, r_r, r_h = inner.chunk(3, 1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            hh = self.activation(x_h + r * r_h)
        else:
            inner = masked_matmul(h, kernel[:, : 2 * units], None if masks is None else masks[:2])
            r_z, r_r = inner.chunk(2, 1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            h_h = h if masks is None else h * masks[2]
            hh = self.activation(x_h + (r * h_h) @ kernel[:, 2 * units :])
        h = z * h + (1 - z) * hh
        return h, [h]


@register_builtin("keras.layers")
class GRU(FusedKernel, CellLayer):
    """Gated recurrent unit layer (Cho et al. 2014), Keras's ``GRU``; fused torch kernel when possible.

    Runs a :class:`GRUCell` over the time axis; the cell's arguments are attributes of the layer too.

    Args:
        units: int: the size of the output and the state.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate state (None:
            linear).
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
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
            fused GRU kernel; the outputs are the same up to float round-off, as in Keras.
        reset_after: bool, default True: whether the reset gate multiplies the state's projection after the
            matmul (Keras 3's and cuDNN's form; ``bias`` is then ``(2, 3 * units)``, input and recurrent
            biases) rather than the state before it (``bias`` ``(3 * units,)``).
        use_cudnn: str or bool, default ``"auto"``: ``"auto"`` runs the whole sequence in torch's fused
            GRU kernel (cuDNN on GPU) when the configuration allows it (``activation="tanh"``,
            ``recurrent_activation="sigmoid"``, ``recurrent_dropout=0``, ``unroll=False``,
                ``reset_after=True``, no mask or a
            right-padded one, no ``go_backwards`` with a mask), else the step loop; False always takes the
            step loop; True raises when the fused kernel cannot be used.
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
            ``use_bias``, ``reset_after`` or flag, a dropout rate outside ``[0, 1)``, a non-int ``seed``, a
            ``use_cudnn`` other than ``"auto"``, True or False; when called, inputs not of rank 3, an
            ``initial_state`` of the wrong number or shapes of tensors, a stateful layer without a fixed batch
            size or called with another batch size, a sequence without steps, ``use_cudnn=True`` where the fused
            kernel cannot run.

    >>> out, state = GRU(4, return_state=True)(torch.ones(2, 3, 5))
    >>> bool(torch.equal(out, state))
    True
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _cell_attrs = CellLayer._cell_attrs + ("recurrent_activation", "reset_after")
    _kernel = staticmethod(gru_kernel)

    def __init__(
        self,
        units: int,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
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
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        reset_after: bool = True,
        use_cudnn: str | bool = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(locals())
        self._init_use_cudnn(use_cudnn)

    def _torch_weights(self):
        cell, units = self.cell, self.cell.units
        weights = [_rz_swapped(cell.kernel, units).T, _rz_swapped(cell.recurrent_kernel, units).T]
        if cell.use_bias:
            weights += [_rz_swapped(cell.bias[0], units), _rz_swapped(cell.bias[1], units)]
        return weights

    def _fused_refusal(self):
        return None if self.cell.reset_after else "reset_after=True"


def _rz_swapped(weight, units):
    """Keras's z, r, h column blocks in torch's r, z, n order (the last axis)."""
    return torch.cat([weight[..., units : 2 * units], weight[..., :units], weight[..., 2 * units :]], -1)
