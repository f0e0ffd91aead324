"""``keras.distribution``: data-parallel training on ``torch.distributed``, one process per device.

Set a :class:`DataParallel` in every process of a job started by ``torchrun``, and ``fit`` trains one model
on all the devices: each process takes its share of every global batch, the gradients are averaged over
the processes, the logged metrics are the global ones, and process 0 alone prints and writes files. The
same script runs unchanged in a single process. See :mod:`kerastorch.distribution.data_parallel` for the
details and ``examples/distributed.py`` for a script with its ``torchrun`` commands::

    torchrun --nproc-per-node 2 examples/distributed.py

Keras's ``ModelParallel``, ``LayoutMap``, ``TensorLayout`` and ``distribute_tensor`` (splitting the
weights of one model over devices) are not part of kerastorch.

Example:
    >>> import kerastorch as keras
    >>> keras.distribution.list_devices("cpu")
    ['cpu:0']
    >>> keras.distribution.set_distribution(keras.distribution.DataParallel())
    >>> keras.distribution.distribution().num_processes  # a process started on its own: a job of one
    1
    >>> keras.distribution.set_distribution(None)
"""

from kerastorch.distribution.data_parallel import DataParallel, DeviceMesh, distribution, set_distribution
from kerastorch.distribution.environment import get_device_count, initialize, list_devices

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "set_distribution",
]


def __dir__():
    return sorted(__all__)
