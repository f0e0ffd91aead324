"""``keras.distribution.DataParallel``: one model trained on several devices, one process per device.

kerastorch runs data parallelism the PyTorch way: a job of N processes (``torchrun --nproc-per-node N``),
each holding the whole model on its own device. ``keras.distribution.set_distribution(DataParallel())``
in every process, then the usual ``fit``/``evaluate`` calls, and the processes train as one:

- **Start.** At the start of ``fit`` (after ``BackupAndRestore`` has read its backup) every process takes
  process 0's weights, optimizer state and starting epoch, so all processes start from the same state even
  when each one built its model with other random values.
- **Data.** ``batch_size`` is the *global* batch size, as in Keras's distribution API: each step trains on
  one global batch, split among the processes. Arrays and tensors: process ``i`` takes rows ``i, i + N,
  i + 2N ...`` of every global batch, so that the processes' batches together are exactly the batch a single
  process would train on (shuffling draws one order that every process shares). A
  ``torch.utils.data.DataLoader`` is made again with a ``DistributedSampler`` (``set_epoch`` every
  epoch, so it reshuffles); its ``batch_size`` is global too and must be divisible by N. A
  ``keras.utils.PyDataset``, a generator, and a ``DataLoader`` that cannot be made again (an
  ``IterableDataset``, a custom sampler) give whole batches: process ``i`` takes batches ``i, i + N ...``.
  When the data does not divide evenly, the last step repeats a few samples (or batches) from the start
  of that step, as ``DistributedSampler`` does, so that every process makes the same number of steps. With
  ``auto_shard_dataset=False`` each process trains on its data as given (it is sharded already, and
  ``batch_size`` is per process).
- **Step.** After the backward pass, before the optimizer's update, the gradients are averaged over the
  processes, each weighted by its number of samples: every process applies the gradient of the mean loss
  over the global batch, and the weights stay identical everywhere. This also holds for a custom
  ``train_step`` that calls ``self.optimizer.apply(...)`` (or a ``torch.optim`` optimizer's ``step()``).
- **Metrics.** The metric states (totals and counts) are summed over the processes before every log, so
  every process logs the global values: the progress bar, ``History``, and the callbacks (which then
  decide alike in every process, e.g. ``EarlyStopping``). Non-trainable weights (``BatchNormalization``'s
  moving statistics, which each process updates from its own share) take process 0's values at the end of
  every epoch.
- **Files and output.** Process 0 alone prints (the progress bar, ``print_msg``) and writes files
  (``ModelCheckpoint``, ``BackupAndRestore``, ``CSVLogger``, ``TensorBoard``, ``RemoteMonitor``,
  ``model.save``, ``model.save_weights``); the other processes do the same work without writing.
  ``BackupAndRestore`` resumes every process from process 0's backup.
- ``evaluate`` shards its data the same way and returns the global results; ``predict``,
  ``predict_on_batch`` and ``test_on_batch`` run in each process on all of its input (nothing is split or
  shared); ``train_on_batch`` averages the gradients (each process passes its own part of the batch).

Call ``fit`` and ``evaluate`` in every process (each waits for the others); a model is built before
``fit`` or on its first batch. In a process started on its own (a job of one), a ``DataParallel`` changes
nothing: the same script runs with and without ``torchrun``.

Example:
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> keras.distribution.set_distribution(keras.distribution.DataParallel())
    >>> distribution = keras.distribution.distribution()
    >>> distribution.num_processes, distribution.process_id, distribution.batch_dim_name
    (1, 0, 'batch')
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((64, 4)), np.ones((64, 1)), batch_size=16, epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
    >>> keras.distribution.set_distribution(None)
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Sequence

import numpy as np
import torch

from kerastorch import config
from kerastorch.distribution import collectives
from kerastorch.distribution.environment import (
    initialize,
    is_launched,
    list_devices,
    local_device,
    process_count,
    process_index,
)

__all__ = ["DataParallel", "DeviceMesh", "active_data_parallel", "distribution", "is_chief_process", "set_distribution"]

_CURRENT: "DataParallel | None" = None


def _torch_device(name, owner):
    if isinstance(name, torch.device):
        device = name
    else:
        text = str(name).strip().lower()
        if text.startswith("gpu"):
            text = "cuda" + text[3:]
        try:
            device = torch.device(text)
        except RuntimeError:
            device = None
        if device is None or device.type not in ("cpu", "cuda"):
            raise ValueError(
                f'{owner}: a device must be named "cpu", "gpu:<index>" or "cuda:<index>"; received {name!r}'
            )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"{owner}: device {name!r} is a GPU, but CUDA is not available in this process")
        index = torch.cuda.current_device() if device.index is None else device.index
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"{owner}: device {name!r} does not exist: this machine has {torch.cuda.device_count()} GPUs"
            )
        return torch.device("cuda", index)
    return torch.device("cpu")


def _keras_name(device):
    return f"gpu:{device.index}" if device.type == "cuda" else "cpu:0"


class DeviceMesh:
    """The devices of a distribution, laid out on named axes (Keras's ``DeviceMesh``).

    kerastorch's :class:`DataParallel` uses a mesh of one axis, one device per process. A mesh here only
    names the devices; it places nothing by itself.

    Args:
        shape: Tuple or list of positive ints, the size of each axis: ``(8,)`` for 8 devices on one axis.
        axis_names: List of strings, one name per axis (``["batch"]``).
        devices: List of device names (``"gpu:0"``, ``"cuda:1"``, ``"cpu:0"``), as many as the shape holds,
            or None for this machine's devices, ``keras.distribution.list_devices()``. Defaults to None.

    Raises:
        ValueError: If ``shape`` is not a tuple of positive ints, ``axis_names`` does not name each axis
            once, or the number of devices is not the shape's size.

    Example:
        >>> mesh = DeviceMesh((2,), ["batch"], devices=["gpu:0", "gpu:1"])
        >>> mesh.shape, mesh.axis_names, mesh.devices.tolist()
        ((2,), ['batch'], ['gpu:0', 'gpu:1'])
    """

    def __init__(
        self, shape: Sequence[int], axis_names: Sequence[str], devices: Sequence[str | torch.device] | None = None
    ) -> None:
        owner = "DeviceMesh"
        if (
            not isinstance(shape, (tuple, list))
            or not shape
            or not all(
                isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > 0 for size in shape
            )
        ):
            raise ValueError(
                f"{owner}: argument `shape` must be a non-empty tuple of positive ints; received {shape!r}"
            )
        if (
            not isinstance(axis_names, (tuple, list))
            or len(axis_names) != len(shape)
            or not all(isinstance(name, str) for name in axis_names)
            or len(set(axis_names)) != len(axis_names)
        ):
            raise ValueError(
                f"{owner}: argument `axis_names` must be a list of {len(shape)} distinct strings, one "
                f"per axis of shape {tuple(shape)}; received {axis_names!r}"
            )
        names = np.array([str(device) for device in (list_devices() if devices is None else devices)], dtype=object)
        size = int(np.prod(shape))
        if names.size != size:
            raise ValueError(
                f"{owner}: shape {tuple(shape)} holds {size} devices; received {names.size}: {names.tolist()}"
            )
        self._shape = tuple(int(s) for s in shape)
        self._axis_names = list(axis_names)
        self._devices = names.reshape(self._shape)

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each axis (a tuple of ints)."""
        return self._shape

    @property
    def axis_names(self) -> list[str]:
        """The name of each axis (a list of strings)."""
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        """The device names, a NumPy array of the mesh's shape."""
        return self._devices

    def __repr__(self):
        return f"<DeviceMesh shape={self._shape}, axis_names={self._axis_names}, devices={self._devices.tolist()}>"


class DataParallel:
    """Data-parallel training: every process holds the whole model and trains on its share of each batch.

    One process trains on one device; start one process per device with ``torchrun`` (see the module
    documentation for what ``fit`` and ``evaluate`` then do). In a process started by ``torchrun`` (or with
    Keras's ``KERAS_DISTRIBUTION_*`` variables), creating a ``DataParallel`` joins the job first (see
    :func:`keras.distribution.initialize`): it creates the ``torch.distributed`` process group when there
    is none yet, with ``"nccl"`` on CUDA and ``"gloo"`` on the CPU, and picks this process's device,
    ``cuda:<LOCAL_RANK>``. Create it in every process, at the same point: it asks the other processes
    which devices they train on.

    Args:
        device_mesh: ``DeviceMesh`` or None: a mesh of one axis (the batch axis), one device per process in
            process order; device ``i`` is the one process ``i`` trains on, named as on its own machine.
            Pass it or ``devices``, not both. Defaults to None.
        devices: List of device names or None: one device per process, in process order, each named as
            on its own machine (``["gpu:0", "gpu:1"]`` on one machine with 2 processes); None gives each
            process its local device, ``cuda:<LOCAL_RANK>`` or the CPU. Defaults to None.
        auto_shard_dataset: Bool, whether to split the data among the processes (the batch size is then
            global). False: each process already has its own share (its own files, its own loader), trains
            on it as given, with a per-process batch size; every process must then make the same number of
            steps. Defaults to ``True``.

    Raises:
        ValueError: If both ``device_mesh`` and ``devices`` are given, the mesh has more than one axis, the
            number of devices is not the number of processes (kerastorch trains one process per device:
            start as many processes as devices), or a device name is not a CPU or an existing GPU.
        TypeError: If ``device_mesh`` is not a ``DeviceMesh``.

    Example:
        >>> import kerastorch as keras
        >>> parallel = keras.distribution.DataParallel(devices=["cpu:0"])
        >>> parallel.num_processes, parallel.device, parallel.device_mesh.devices.tolist()
        (1, device(type='cpu'), ['cpu:0'])
        >>> with parallel.scope():  # the distribution of what runs inside
        ...     keras.distribution.distribution() is parallel
        True
        >>> keras.distribution.DataParallel(devices=["cpu:0", "cpu:0"])
        Traceback (most recent call last):
        ...
        ValueError: DataParallel: 2 devices for 1 process; kerastorch trains one process per device. Start one process per device (torchrun --nproc-per-node 2 script.py), or leave devices=None
    """

    def __init__(
        self,
        device_mesh: DeviceMesh | None = None,
        devices: Sequence[str | torch.device] | None = None,
        auto_shard_dataset: bool = True,
    ) -> None:
        owner = "DataParallel"
        if device_mesh is not None and devices is not None:
            raise ValueError(f"{owner}: pass `device_mesh` or `devices`, not both")
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise TypeError(
                    f"{owner}: argument `device_mesh` must be a keras.distribution.DeviceMesh; received "
                    f"{type(device_mesh).__name__}"
                )
            if len(device_mesh.shape) != 1:
                raise ValueError(
                    f"{owner}: the device mesh must have one axis (the batch axis); received shape "
                    f"{device_mesh.shape}. kerastorch does not split models over devices"
                )
            devices = device_mesh.devices.tolist()
        if not isinstance(auto_shard_dataset, (bool, np.bool_)):
            raise ValueError(f"{owner}: argument `auto_shard_dataset` must be a bool; received {auto_shard_dataset!r}")
        if is_launched():
            initialize()  # torchrun / Keras's launch variables: join the job (nothing to do when joined already)
        count, index = process_count(), process_index()
        if devices is None:
            self._device = local_device()
        else:
            devices = list(devices)
            if len(devices) != count:
                raise ValueError(
                    f"{owner}: {len(devices)} devices for {count} process{'es' if count > 1 else ''}; "
                    "kerastorch trains one process per device. Start one process per device (torchrun "
                    f"--nproc-per-node {len(devices)} script.py), or leave devices=None"
                )
            self._device = _torch_device(devices[index], owner)
        if self._device.type == "cuda":
            torch.cuda.set_device(self._device)
        if device_mesh is None:
            names = [_keras_name(self._device)] if count == 1 else _gather_device_names(self._device)
            device_mesh = DeviceMesh((count,), ["batch"], devices=names)
        self._device_mesh = device_mesh
        self._auto_shard_dataset = bool(auto_shard_dataset)
        self._num_processes, self._process_id = count, index

    @property
    def device_mesh(self) -> DeviceMesh:
        """The ``DeviceMesh``: one axis, one device per process."""
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str:
        """The name of the mesh's axis, along which batches are split (``"batch"``)."""
        return self._device_mesh.axis_names[0]

    @property
    def auto_shard_dataset(self) -> bool:
        """Whether ``fit``/``evaluate`` split the data among the processes."""
        return self._auto_shard_dataset

    @property
    def num_processes(self) -> int:
        """The number of processes (and devices) of the job."""
        return self._num_processes

    @property
    def process_id(self) -> int:
        """This process's index in the job (0 writes files and prints)."""
        return self._process_id

    @property
    def device(self) -> torch.device:
        """The ``torch.device`` this process trains on."""
        return self._device

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """A context in which this is the current distribution and new weights go to :attr:`device`.

        Yields:
            None.

        >>> import kerastorch as keras
        >>> parallel = keras.distribution.DataParallel()
        >>> with parallel.scope():
        ...     keras.distribution.distribution() is parallel
        True
        >>> keras.distribution.distribution() is None
        True
        """
        global _CURRENT
        previous, _CURRENT = _CURRENT, self
        try:
            with config.device_scope(self._device):
                yield
        finally:
            _CURRENT = previous

    def __repr__(self):
        return (
            f"<DataParallel num_processes={self._num_processes}, process_id={self._process_id}, "
            f"device={self._device}, auto_shard_dataset={self._auto_shard_dataset}>"
        )


def _gather_device_names(device):
    """Every process's device, in process order (a collective)."""
    mine = [1, device.index] if device.type == "cuda" else [0, 0]
    return [f"gpu:{i}" if kind == 1 else "cpu:0" for kind, i in collectives.gather_ints(mine)]


def distribution() -> DataParallel | None:
    """The current distribution: the one of the innermost ``scope()``, else the one given to
    :func:`set_distribution`, else None.

    Returns:
        A ``DataParallel`` or None.

    >>> distribution() is None
    True
    """
    return _CURRENT


def set_distribution(value: DataParallel | None) -> None:
    """Set the distribution that ``fit`` and ``evaluate`` use from now on (in this process).

    Args:
        value: A ``DataParallel``, or None to train in this process alone again.

    Raises:
        TypeError: If ``value`` is neither.

    >>> import kerastorch as keras
    >>> set_distribution(keras.distribution.DataParallel())
    >>> distribution().num_processes
    1
    >>> set_distribution(None)
    """
    global _CURRENT
    if value is not None and not isinstance(value, DataParallel):
        raise TypeError(
            f"set_distribution: expected a keras.distribution.DataParallel or None; received {type(value).__name__}"
        )
    _CURRENT = value


def active_data_parallel() -> DataParallel | None:
    """The current ``DataParallel`` when it spans several processes (then ``fit`` splits the data and averages
    the gradients), else None.

    Returns:
        A ``DataParallel`` or None.

    >>> active_data_parallel() is None
    True
    """
    current = _CURRENT
    return current if current is not None and current.num_processes > 1 else None


def is_chief_process() -> bool:
    """Whether this process prints and writes files: always, except in the processes other than process 0
    of a current ``DataParallel``.

    Returns:
        Bool.

    >>> is_chief_process()
    True
    """
    current = _CURRENT
    return current is None or current.process_id == 0
