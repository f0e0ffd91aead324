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
import torch

from kerastorch.layers.rnn.dropout_rnn_cell import GatedCell, masked_addmm
from kerastorch.layers.rnn.rnn import FusedKernel
from kerastorch.layers.rnn.simple_rnn import CellLayer
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class LSTMCell(GatedCell):
    """One step of a long short-term memory layer; states ``[h, c]``.

    >>> cell = LSTMCell(3)
    >>> h, (h2, c) = cell(torch.ones(2, 4), cell.get_initial_state(2))
    >>> tuple(h.shape), bool(torch.equal(h, h2)), tuple(c.shape)
    ((2, 3), True, (2, 3))
    """

    _gates = 4
    _n_states = 2
    _gate_args = ("unit_forget_bias",)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(locals())

    def _bias_spec(self):
        if not self.unit_forget_bias:
            return (4 * self.units,), self.bias_initializer
        units, base = self.units, self.bias_initializer

        def initializer(shape, dtype=None):
            parts = [torch.as_tensor(base((units,), dtype=dtype)), None, torch.as_tensor(base((2 * units,), dtype=dtype))]
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

    >>> seq, h, c = LSTM(4, return_sequences=True, return_state=True)(torch.ones(2, 3, 5))
    >>> tuple(seq.shape), tuple(h.shape), tuple(c.shape)
    ((2, 3, 4), (2, 4), (2, 4))
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _cell_attrs = CellLayer._cell_attrs + ("recurrent_activation", "unit_forget_bias")
    _kernel = staticmethod(torch._VF.lstm)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        super().__init__(locals())
        self._init_use_cudnn(use_cudnn)
        self._zero_bias = None

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

