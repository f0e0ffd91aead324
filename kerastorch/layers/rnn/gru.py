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
import torch

from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm, masked_matmul
from kerastorch.layers.rnn.rnn import FusedKernel
from kerastorch.layers.rnn.simple_rnn import CellLayer
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class GRUCell(GatedCell):
    """One step of a gated recurrent unit; state ``[h]``.

    >>> cell = GRUCell(3)
    >>> h, states = cell(torch.ones(2, 4), cell.get_initial_state(2))
    >>> tuple(h.shape), len(states)
    ((2, 3), 1)
    """

    _gates = 3
    _gate_args = ("reset_after",)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
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
            inner = masked_matmul(h, kernel[:, :2 * units], None if masks is None else masks[:2])
            r_z, r_r = inner.chunk(2, 1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            h_h = h if masks is None else h * masks[2]
            hh = self.activation(x_h + (r * h_h) @ kernel[:, 2 * units:])
        h = z * h + (1 - z) * hh
        return h, [h]


@register_builtin("keras.layers")
class GRU(FusedKernel, CellLayer):
    """Gated recurrent unit layer (Cho et al. 2014), Keras's ``GRU``; fused torch kernel when possible.

    >>> out, state = GRU(4, return_state=True)(torch.ones(2, 3, 5))
    >>> bool(torch.equal(out, state))
    True
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _cell_attrs = CellLayer._cell_attrs + ("recurrent_activation", "reset_after")
    _kernel = staticmethod(torch._VF.gru)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
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
    return torch.cat([weight[..., units:2 * units], weight[..., :units], weight[..., 2 * units:]], -1)
