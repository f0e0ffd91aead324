"""``keras.ops.nn``: Keras 3's neural-network functions on torch tensors.

The functions live in three private modules, one family each: activations (``_nn_activations``), convolution
and pooling (``_nn_conv``), and encodings, normalizations, losses and attention (``_nn_misc``); see their
docstrings for the decisions. All are also at the top level of ``kerastorch.ops``.

    >>> import torch
    >>> from kerastorch import ops
    >>> ops.nn.relu(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> ops.softmax(torch.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
"""

from kerastorch.ops import _nn_activations, _nn_conv, _nn_misc
from kerastorch.ops._nn_activations import *  # noqa: F403
from kerastorch.ops._nn_conv import *  # noqa: F403
from kerastorch.ops._nn_misc import *  # noqa: F403

__all__ = _nn_activations.__all__ + _nn_conv.__all__ + _nn_misc.__all__


def __dir__():
    return sorted(__all__)
