"""Recurrent layers: the ``RNN`` base and its cells, LSTM/GRU/SimpleRNN, ConvLSTM, and the wrappers
``Bidirectional`` and ``TimeDistributed``."""

from kerastorch.layers.rnn.bidirectional import Bidirectional
from kerastorch.layers.rnn.conv_lstm import ConvLSTM, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell
from kerastorch.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.rnn.gru import GRU, GRUCell
from kerastorch.layers.rnn.lstm import LSTM, LSTMCell
from kerastorch.layers.rnn.rnn import RNN
from kerastorch.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from kerastorch.layers.rnn.stacked_rnn_cells import StackedRNNCells
from kerastorch.layers.rnn.time_distributed import TimeDistributed, Wrapper

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Bidirectional",
    "ConvLSTM",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "ConvLSTMCell",
    "DropoutRNNCell",
    "GRUCell",
    "LSTMCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
    "Wrapper",
]
