"""The collectives data-parallel training uses, over the job's ``torch.distributed`` process group.

Every function here is a no-op (or returns its input) in a job of one process, so the training code calls
them unconditionally. With several processes, every process must call the same functions in the same order
with tensors of the same shapes: each one is a collective that waits for all of them.

The tensors of one call travel together: they are flattened into one buffer per dtype (on the
communication device: the current GPU with ``nccl``, the CPU with ``gloo``), so a model's hundreds of
weights cost one message per dtype, and copied back in place (or into new tensors) afterwards. Booleans
travel as ``uint8``; float16 and bfloat16 gradients are summed in float32.

Example:
    >>> import torch
    >>> weights = [torch.ones(2), torch.arange(3)]
    >>> broadcast_(weights)  # one process: nothing to receive
    >>> weights
    [tensor([1., 1.]), tensor([0, 1, 2])]
    >>> average_gradients([torch.full((2,), 4.0), None], weight=8)
    [tensor([4., 4.]), None]
"""

from __future__ import annotations

import functools
from typing import Iterable, Sequence

import torch
import torch.distributed

from kerastorch.distribution.environment import communication_device, process_count, process_index

__all__ = ["all_reduce_", "average_gradients", "barrier", "broadcast_", "broadcast_int", "gather_ints", "shared_seed"]

_HALF = (torch.float16, torch.bfloat16)


def _wire_dtype(dtype, summed):
    if dtype == torch.bool:
        return torch.uint8
    if summed and dtype in _HALF:
        return torch.float32
    return dtype


def _through_buffers(tensors, collective, summed):
    """Run ``collective(buffer)`` on one flat buffer per dtype and copy the result back into ``tensors``."""
    groups = {}
    for tensor in tensors:
        groups.setdefault(_wire_dtype(tensor.dtype, summed), []).append(tensor)
    device = communication_device()
    with torch.no_grad():
        for dtype, group in groups.items():
            buffer = torch.cat([t.detach().reshape(-1).to(device=device, dtype=dtype) for t in group])
            collective(buffer)
            offset = 0
            for tensor in group:
                size = tensor.numel()
                tensor.copy_(buffer[offset : offset + size].view(tensor.shape))
                offset += size


def broadcast_(tensors: Iterable[torch.Tensor], source: int = 0) -> None:
    """Overwrite ``tensors``, in place, with process ``source``'s values.

    Args:
        tensors: List of tensors, the same shapes and dtypes in every process (weights, optimizer state).
        source: Int, the index of the process whose values everyone takes. Defaults to ``0``.

    >>> import torch
    >>> state = [torch.zeros(3)]
    >>> broadcast_(state)
    >>> state
    [tensor([0., 0., 0.])]
    """
    tensors = list(tensors)
    if process_count() == 1 or not tensors:
        return
    _through_buffers(tensors, lambda buffer: torch.distributed.broadcast(buffer, source), summed=False)


def all_reduce_(tensors: Iterable[torch.Tensor], op: str = "sum") -> None:
    """Replace ``tensors``, in place, with their sum (or maximum) over the processes.

    Args:
        tensors: List of tensors, the same shapes and dtypes in every process (metric states ...).
        op: ``"sum"`` or ``"max"``. Defaults to ``"sum"``.

    Raises:
        ValueError: If ``op`` is neither.

    >>> import torch
    >>> counts = [torch.tensor([3, 4])]
    >>> all_reduce_(counts)
    >>> counts
    [tensor([3, 4])]
    """
    operations = {"sum": torch.distributed.ReduceOp.SUM, "max": torch.distributed.ReduceOp.MAX}
    if op not in operations:
        raise ValueError(f'all_reduce_: argument `op` must be "sum" or "max"; received {op!r}')
    tensors = list(tensors)
    if process_count() == 1 or not tensors:
        return
    _through_buffers(tensors, lambda buffer: torch.distributed.all_reduce(buffer, operations[op]), summed=True)


def barrier() -> None:
    """Wait until every process of the job gets here.

    >>> barrier()  # one process: no wait
    """
    if process_count() > 1:
        torch.distributed.barrier()


def broadcast_int(value: int, source: int = 0) -> int:
    """Process ``source``'s ``value``, in every process.

    Args:
        value: Int.
        source: Int, the index of the process whose value everyone takes. Defaults to ``0``.

    Returns:
        Int.

    >>> broadcast_int(7)
    7
    """
    if process_count() == 1:
        return int(value)
    holder = [torch.tensor([int(value)], dtype=torch.int64)]
    broadcast_(holder, source)
    return int(holder[0])


def gather_ints(values: Sequence[int]) -> list[list[int]]:
    """Every process's ``values``, in process order.

    Args:
        values: List of ints, of the same length in every process.

    Returns:
        A list (one entry per process) of lists of ints.

    >>> gather_ints([3, 1])
    [[3, 1]]
    """
    mine = torch.tensor([int(v) for v in values], dtype=torch.int64, device=communication_device())
    if process_count() == 1:
        return [mine.tolist()]
    everyone = [torch.empty_like(mine) for _ in range(process_count())]
    torch.distributed.all_gather(everyone, mine)
    return [tensor.tolist() for tensor in everyone]


def shared_seed() -> int:
    """A random seed that every process agrees on: process 0 draws it from torch's global generator (so
    ``keras.utils.set_random_seed`` makes it reproducible) and sends it to the others.

    Returns:
        Int, in ``[0, 2**62)``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> first = shared_seed()
    >>> _ = torch.manual_seed(0)
    >>> shared_seed() == first
    True
    """
    seed = int(torch.randint(0, 2**62, (), dtype=torch.int64)) if process_index() == 0 else 0
    return broadcast_int(seed)


@functools.lru_cache(maxsize=16)
def _flags_and_weight(present, weight, dtype, device):
    """``[1.0 per gradient present, 0.0 per one missing, weight]`` on ``device``, made once (not every step: a
    tensor made from host values is a copy to the device). Only read: ``torch.cat`` copies it."""
    return torch.tensor([float(flag) for flag in present] + [weight], dtype=dtype, device=device)


def average_gradients(
    grads: Iterable[torch.Tensor | None], variables: Sequence[torch.Tensor] | None = None, weight: float = 1.0
) -> list[torch.Tensor | None]:
    """The gradients averaged over the processes, each process's gradients weighted by ``weight``.

    With ``weight`` the number of samples in each process's share of the batch, the result is the gradient
    of the mean loss over the whole (global) batch, also when the shares differ by a sample. A gradient
    that is None in one process counts as zeros there; it stays None only where it is None in every
    process (then no process updates that variable).

    Args:
        grads: List of tensors or None, one per variable, in the same order in every process.
        variables: List of tensors or None: the variables of ``grads`` (their shapes stand in for the
            gradients that are None here). Defaults to None.
        weight: Number, this process's weight (its number of samples). Defaults to ``1.0``.

    Returns:
        A new list: tensors in each gradient's dtype and on its device, or None.

    >>> import torch
    >>> average_gradients([torch.tensor([2.0, 6.0])])  # one process: its own gradients
    [tensor([2., 6.])]
    """
    grads = list(grads)
    if process_count() == 1:
        return grads
    references = [g if g is not None else (None if variables is None else variables[i]) for i, g in enumerate(grads)]
    groups: dict[torch.dtype, list[int]] = {}
    for i, reference in enumerate(references):
        dtype = torch.float32 if reference is None else _wire_dtype(reference.dtype, summed=True)
        groups.setdefault(dtype, []).append(i)
    device = communication_device()
    weight = float(weight)
    result, undecided = list(grads), {}
    with torch.no_grad():
        for dtype, indices in groups.items():
            parts = []
            for i in indices:
                grad, reference = grads[i], references[i]
                if grad is not None:
                    if grad.is_sparse:
                        raise ValueError(
                            "average_gradients: sparse gradients are not supported in data-parallel "
                            "training; use dense embeddings"
                        )
                    parts.append(grad.detach().reshape(-1).to(device=device, dtype=dtype) * weight)
                else:
                    size = 0 if reference is None else reference.numel()
                    parts.append(torch.zeros(size, dtype=dtype, device=device))
            parts.append(_flags_and_weight(tuple(grads[i] is not None for i in indices), weight, dtype, device))
            buffer = torch.cat(parts)
            torch.distributed.all_reduce(buffer)
            total, flags = buffer[-1], buffer[-1 - len(indices) : -1]
            offset = 0
            for position, i in enumerate(indices):
                reference = references[i]
                size = 0 if reference is None else reference.numel()
                if reference is not None:
                    value = (buffer[offset : offset + size] / total).view(reference.shape)
                    result[i] = value.to(device=reference.device, dtype=reference.dtype)
                offset += size
                if grads[i] is None:
                    undecided[i] = flags[position]
    if undecided:  # a gradient that no process has stays None (one read, only when some are missing here)
        present = torch.stack(list(undecided.values())).cpu().tolist()
        for i, count in zip(undecided, present):
            if count == 0 or references[i] is None:
                result[i] = None
    return result
