"""The processes of a data-parallel job and the devices they train on.

kerastorch trains one process per device, as PyTorch does: a job of N processes trains on N devices, each
process on its own GPU (``cuda:<local rank>``) or on the CPU. The processes talk through a
``torch.distributed`` process group, with the ``"nccl"`` backend when CUDA is available and ``"gloo"`` on
the CPU.

Launching. ``torchrun`` starts the processes and gives each one ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR`` and ``MASTER_PORT`` in its environment; Keras's own launch variables,
``KERAS_DISTRIBUTION_JOB_ADDRESSES``, ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and
``KERAS_DISTRIBUTION_PROCESS_ID``, are read as well. :func:`initialize` joins the job from those (or from
its arguments); ``keras.distribution.DataParallel()`` calls it when the process was launched so and no
process group exists yet. A process that was not launched as part of a job is a job of one process: it
needs no process group, and everything here works unchanged in it.

Devices are named as Keras names them: ``"gpu:0"``, ``"gpu:1"`` ... and ``"cpu:0"`` (``"cuda:1"`` is
accepted wherever a name is read).

Example:
    >>> process_count(), process_index()  # a process started on its own: a job of one
    (1, 0)
    >>> get_device_count("cpu")
    1
    >>> list_devices("cpu")
    ['cpu:0']
"""

from __future__ import annotations

import os

import torch
import torch.distributed

__all__ = [
    "communication_device",
    "get_device_count",
    "initialize",
    "is_launched",
    "list_devices",
    "local_device",
    "process_count",
    "process_index",
]

_TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
_KERAS_VARIABLES = (
    "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "KERAS_DISTRIBUTION_PROCESS_ID",
)


def is_launched() -> bool:
    """Whether this process was started as part of a job: by ``torchrun`` (``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR`` and ``MASTER_PORT`` set) or with Keras's ``KERAS_DISTRIBUTION_*`` variables.

    Returns:
        Bool.

    >>> is_launched()  # these examples run in a process of their own
    False
    """
    return all(name in os.environ for name in _TORCHRUN_VARIABLES) or all(
        name in os.environ for name in _KERAS_VARIABLES
    )


def _group_ready():
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def process_count() -> int:
    """The number of processes of the job (1 without a process group).

    Returns:
        Int.

    >>> process_count()
    1
    """
    return torch.distributed.get_world_size() if _group_ready() else 1


def process_index() -> int:
    """This process's index in the job, from 0 (its rank; 0 without a process group).

    Returns:
        Int.

    >>> process_index()
    0
    """
    return torch.distributed.get_rank() if _group_ready() else 0


def _local_rank():
    """This process's index among the job's processes on its machine."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    count = torch.cuda.device_count() if torch.cuda.is_available() else 1
    return process_index() % max(count, 1)


def local_device() -> torch.device:
    """The device this process trains on when none is named: ``cuda:<local rank>`` when CUDA is available
    (``LOCAL_RANK``, as ``torchrun`` sets it, else the rank modulo the number of GPUs), else the CPU.

    Returns:
        A ``torch.device``.

    >>> local_device().type in ("cpu", "cuda")
    True
    """
    if torch.cuda.is_available():
        return torch.device("cuda", _local_rank() % torch.cuda.device_count())
    return torch.device("cpu")


def communication_device() -> torch.device:
    """Where the collectives of the job run: the current GPU with ``nccl``, the CPU otherwise.

    Returns:
        A ``torch.device``.

    >>> communication_device()  # no process group: nothing to talk to, the CPU
    device(type='cpu')
    """
    if _group_ready() and torch.distributed.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _device_kind(device_type, owner):
    if device_type is None:
        return "gpu" if torch.cuda.is_available() else "cpu"
    kind = str(device_type).lower()
    if kind == "cuda":
        kind = "gpu"
    if kind not in ("cpu", "gpu"):
        raise ValueError(
            f'{owner}: argument `device_type` must be "cpu", "gpu" (or "cuda") or None; received '
            f"{device_type!r}. kerastorch runs on torch's CPU and CUDA devices"
        )
    return kind


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices of this machine that a data-parallel job can train on, as Keras names them.

    One process trains on one device: start one process per device (``torchrun --nproc-per-node``) to
    train on several. The list is this machine's, even in a job of several machines.

    Args:
        device_type: String or None: ``"cpu"``, ``"gpu"`` (or ``"cuda"``); None picks ``"gpu"`` when CUDA
            is available, else ``"cpu"``. Defaults to None.

    Returns:
        List of strings ``"<type>:<index>"``: ``["gpu:0", "gpu:1", ...]``, ``["cpu:0"]``, or ``[]`` for
        ``"gpu"`` on a machine without CUDA.

    Raises:
        ValueError: If ``device_type`` is not one of those.

    >>> list_devices("cpu")
    ['cpu:0']
    >>> len(list_devices()) >= 1
    True
    """
    kind = _device_kind(device_type, "list_devices")
    if kind == "cpu":
        return ["cpu:0"]
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return [f"gpu:{index}" for index in range(count)]


def get_device_count(device_type: str | None = None) -> int:
    """The number of devices :func:`list_devices` lists.

    Args:
        device_type: String or None: ``"cpu"``, ``"gpu"`` (or ``"cuda"``); None picks ``"gpu"`` when CUDA
            is available, else ``"cpu"``. Defaults to None.

    Returns:
        Int.

    Raises:
        ValueError: If ``device_type`` is not one of those.

    >>> get_device_count("cpu")
    1
    """
    return len(list_devices(device_type))


def _from_environment(names):
    """The first of the variables ``names`` that is set (and not empty), or None."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return None


def _as_int(owner, name, value, minimum):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or str(number) != str(value).strip() or number < minimum:
        raise ValueError(f"{owner}: `{name}` must be an integer >= {minimum}; received {value!r}")
    return number


def initialize(
    job_addresses: str | None = None, num_processes: int | None = None, process_id: int | None = None
) -> None:
    """Join a job of several processes: create the ``torch.distributed`` process group of this process.

    Call it once in every process, before building the model (``DataParallel()`` calls it itself in a
    process started by ``torchrun``). The backend is ``"nccl"`` when CUDA is available, each process then
    on ``cuda:<local rank>`` (``torch.cuda.set_device``), and ``"gloo"`` on the CPU. Each argument left out
    is read from the environment: Keras's ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
    ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID``, else ``torchrun``'s
    ``MASTER_ADDR``/``MASTER_PORT``, ``WORLD_SIZE`` and ``RANK``. A job of one process needs no process
    group: then nothing is created. When the process group exists already, the arguments are checked
    against it and nothing else happens.

    Args:
        job_addresses: String or None: comma-separated ``"host:port"`` addresses of the job's processes;
            only the first one (process 0's, where the others meet) is used. None reads
            ``KERAS_DISTRIBUTION_JOB_ADDRESSES``, else ``MASTER_ADDR`` and ``MASTER_PORT``. Defaults to None.
        num_processes: Int or None: the number of processes of the job. None reads
            ``KERAS_DISTRIBUTION_NUM_PROCESSES``, else ``WORLD_SIZE``, else 1. Defaults to None.
        process_id: Int or None: this process's index, from 0 to ``num_processes - 1`` (process 0 writes the
            files and prints the progress). None reads ``KERAS_DISTRIBUTION_PROCESS_ID``, else ``RANK``,
            else 0. Defaults to None.

    Raises:
        ValueError: If a value is not a valid count or index, an address has no port, a job of several
            processes has no address, or the arguments contradict the existing process group.

    Example:
        Two processes on two machines (on the second one ``process_id=1``)::

            keras.distribution.initialize(job_addresses="10.0.0.1:1234,10.0.0.2:2345", num_processes=2,
                                          process_id=0)

        A process on its own is a job of one, with nothing to set up:

        >>> initialize(num_processes=1)
        >>> process_count()
        1
    """
    owner = "initialize"
    if job_addresses is None:
        job_addresses = os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES") or None
    given = (
        _from_environment(("KERAS_DISTRIBUTION_NUM_PROCESSES", "WORLD_SIZE"))
        if num_processes is None
        else num_processes
    )
    count = 1 if given is None else _as_int(owner, "num_processes", given, 1)
    given = _from_environment(("KERAS_DISTRIBUTION_PROCESS_ID", "RANK")) if process_id is None else process_id
    index = 0 if given is None else _as_int(owner, "process_id", given, 0)
    if index >= count:
        raise ValueError(f"{owner}: `process_id` must be below `num_processes` ({count}); received {index}")
    if _group_ready():
        if (count, index) != (process_count(), process_index()):
            raise ValueError(
                f"{owner}: the process group exists already, with {process_count()} processes, this "
                f"one number {process_index()}; received num_processes={count}, process_id={index}"
            )
        return
    init_method = _init_method(owner, job_addresses, count)
    if init_method is None:  # a job of one process: nothing to meet
        return
    if not torch.distributed.is_available():
        raise RuntimeError(f"{owner}: this build of torch has no torch.distributed")
    device = None
    if torch.cuda.is_available():
        device = local_device()
        torch.cuda.set_device(device)
    torch.distributed.init_process_group(
        "nccl" if device is not None else "gloo",
        init_method=init_method,
        world_size=count,
        rank=index,
        device_id=device,
    )


def _init_method(owner, job_addresses, num_processes):
    if job_addresses is not None:
        first = str(job_addresses).split(",")[0].strip()
        host, _, port = first.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f'{owner}: `job_addresses` must be comma-separated "host:port" addresses; received {job_addresses!r}'
            )
        return f"tcp://{host}:{port}"
    if "MASTER_ADDR" in os.environ and "MASTER_PORT" in os.environ:
        return "env://"
    if num_processes == 1:
        return None
    raise ValueError(
        f"{owner}: a job of {num_processes} processes needs the address of process 0: pass "
        'job_addresses="host:port", set KERAS_DISTRIBUTION_JOB_ADDRESSES, or MASTER_ADDR and '
        "MASTER_PORT (torchrun sets them)"
    )
