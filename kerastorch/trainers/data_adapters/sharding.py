"""Each process's share of the data in data-parallel training (``keras.distribution.DataParallel``).

``shard(adapter, index, count)`` wraps a data adapter so that process ``index`` of ``count`` yields
its share of every step, and every process makes the same number of steps:

- arrays and tensors (:class:`ShardedArrayAdapter`): the batch size is the global one; process ``i`` takes
  rows ``i, i + count ...`` of each global batch (a global batch smaller than ``count`` lends its rows
  again, from its first one). The global batches are those of a single process: same order, and one
  shuffle order per epoch that every process draws alike (from a seed process 0 sends).
- a ``DataLoader`` over a map-style data set with its default sampler (:class:`ShardedLoaderAdapter`):
  made again with a ``torch.utils.data.distributed.DistributedSampler``, whose ``set_epoch`` is called
  before every pass; the loader's ``batch_size`` is global and must be divisible by ``count``.
- whole batches (:class:`ShardedBatchesAdapter`): a ``PyDataset`` (process ``i`` reads batches ``i, i +
  count ...`` of the epoch's order), a generator (every process reads every batch and keeps its own), and a
  ``DataLoader`` that cannot be made again (an ``IterableDataset``, a custom sampler). The last step of an
  epoch whose batches do not divide evenly lends batches again, from the first one of that step.

Example:
    >>> import numpy as np
    >>> import torch
    >>> from kerastorch.trainers.data_adapters import get_data_adapter
    >>> adapter = get_data_adapter(np.arange(10.0).reshape(10, 1), batch_size=4)
    >>> process_1 = shard(adapter, index=1, count=2)
    >>> [x.flatten().tolist() for (x,) in process_1.batches(torch.device("cpu"))]
    [[1.0, 3.0], [5.0, 7.0], [9.0]]
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any, Iterator, overload

import torch
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler
from torch.utils.data.distributed import DistributedSampler

from kerastorch import tree
from kerastorch.distribution import collectives
from kerastorch.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from kerastorch.trainers.data_adapters.iterable_adapters import (
    GeneratorDataAdapter,
    TorchDataAdapter,
    standardize_batch,
)
from kerastorch.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

if TYPE_CHECKING:
    from kerastorch.distribution.data_parallel import DataParallel
    from kerastorch.trainers.data_adapters import DataAdapter

__all__ = ["ShardedArrayAdapter", "ShardedBatchesAdapter", "ShardedLoaderAdapter", "shard", "shard_adapter"]


class _Passes:
    """The number of each pass over the data: the epoch ``set_epoch`` named, or one more than the last pass
    (a pass that starts within an epoch, with ``steps_per_epoch``)."""

    def __init__(self):
        self.epoch, self.last = 0, None

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def next(self):
        number = self.epoch if self.last is None or self.epoch > self.last else self.last + 1
        self.last = number
        return number


class ShardedArrayAdapter:
    """Process ``index``'s rows of every global batch of an :class:`ArrayDataAdapter`.

    Args:
        adapter: The ``ArrayDataAdapter`` (its ``batch_size`` is the global batch size).
        index: Int, this process's index.
        count: Int, the number of processes.
        seed: Int, the seed of the shuffle orders (the same in every process).
    """

    def __init__(self, adapter: ArrayDataAdapter, index: int, count: int, seed: int = 0) -> None:
        self.adapter, self.index, self.count, self.seed = adapter, index, count, seed
        self._passes = _Passes()

    @property
    def num_batches(self) -> int:
        return self.adapter.num_batches

    def set_epoch(self, epoch: int) -> None:
        """The next pass over the data is epoch ``epoch`` (it picks the shuffle order)."""
        self._passes.set_epoch(epoch)

    def _order(self):
        adapter = self.adapter
        if not adapter.shuffle:
            return None
        generator = torch.Generator().manual_seed(self.seed + self._passes.next())
        if adapter.shuffle == "batch":
            blocks = list(torch.arange(adapter.num_samples).split(adapter.batch_size))
            return torch.cat([blocks[i] for i in torch.randperm(len(blocks), generator=generator).tolist()])
        return torch.randperm(adapter.num_samples, generator=generator)

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield this process's share of each step of one pass, on ``device``."""
        adapter = self.adapter
        parts = [part for part in (adapter.x, adapter.y, adapter.sample_weight) if part is not None]
        flat = [tree.flatten(part) for part in parts]
        order = self._order()
        steps = adapter.num_batches if steps is None else min(steps, adapter.num_batches)
        for step in range(steps):
            start = step * adapter.batch_size
            stop = min(start + adapter.batch_size, adapter.num_samples)
            rows = stop - start
            if order is None and rows > self.index:
                pieces = [[t[start + self.index : stop : self.count] for t in tensors] for tensors in flat]  # views
            else:
                positions = (
                    torch.arange(start, stop)[self.index :: self.count]
                    if rows > self.index
                    else torch.tensor([start + self.index % rows])
                )
                index = positions if order is None else order[positions]
                pieces = [[t.index_select(0, index.to(t.device)) for t in tensors] for tensors in flat]
            pieces = [[t.to(device, non_blocking=True) if t.device != device else t for t in group] for group in pieces]
            yield tuple(tree.pack_sequence_as(part, group) for part, group in zip(parts, pieces))


class ShardedLoaderAdapter:
    """A ``DataLoader`` made again for process ``index``: a ``DistributedSampler`` and the global batch size
    split among the processes; the rest of the loader's settings are kept.

    Args:
        adapter: The ``TorchDataAdapter`` of the loader.
        index: Int, this process's index.
        count: Int, the number of processes.
        seed: Int, the sampler's seed (the same in every process).
    """

    def __init__(self, adapter: TorchDataAdapter, index: int, count: int, seed: int = 0) -> None:
        loader = adapter.loader
        batch_size = loader.batch_size
        assert batch_size is not None  # shard() remakes only a loader that batches (see its `remakeable`)
        if batch_size % count:
            raise ValueError(
                f"DataParallel: the DataLoader's batch_size ({batch_size}) is the global batch "
                f"size and must be divisible by the number of processes ({count}); received a batch "
                f"size of {batch_size} for {count} processes"
            )
        self.sampler: DistributedSampler[Any] = DistributedSampler(
            loader.dataset, num_replicas=count, rank=index, shuffle=isinstance(loader.sampler, RandomSampler), seed=seed
        )
        options = {
            "num_workers": loader.num_workers,
            "collate_fn": loader.collate_fn,
            "pin_memory": loader.pin_memory,
            "drop_last": loader.drop_last,
            "timeout": loader.timeout,
            "worker_init_fn": loader.worker_init_fn,
            "multiprocessing_context": loader.multiprocessing_context,
            "generator": loader.generator,
            "persistent_workers": loader.persistent_workers,
            "pin_memory_device": loader.pin_memory_device,
        }
        if loader.num_workers > 0:
            options["prefetch_factor"] = loader.prefetch_factor
        self.loader = DataLoader(loader.dataset, batch_size=batch_size // count, sampler=self.sampler, **options)
        self.class_weight = adapter.class_weight
        self._passes = _Passes()

    @property
    def num_batches(self) -> int:
        return len(self.loader)

    def set_epoch(self, epoch: int) -> None:
        """The next pass over the data is epoch ``epoch`` (``DistributedSampler.set_epoch``)."""
        self._passes.set_epoch(epoch)

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield this process's batches of one pass, on ``device``."""
        self.sampler.set_epoch(self._passes.next())
        for step, item in enumerate(self.loader):
            if steps is not None and step >= steps:
                return
            yield standardize_batch(item, device, self.class_weight)


class ShardedBatchesAdapter:
    """Process ``index``'s whole batches: batches ``index, index + count ...`` of each pass.

    Args:
        adapter: A ``PyDatasetAdapter``, ``GeneratorDataAdapter`` or ``TorchDataAdapter``.
        index: Int, this process's index.
        count: Int, the number of processes.
        seed: Int, the seed of a ``PyDataset``'s shuffle orders (the same in every process).
    """

    def __init__(
        self, adapter: PyDatasetAdapter | GeneratorDataAdapter | TorchDataAdapter, index: int, count: int, seed: int = 0
    ) -> None:
        self.adapter, self.index, self.count, self.seed = adapter, index, count, seed
        self.class_weight = adapter.class_weight
        self._passes = _Passes()

    @property
    def num_batches(self) -> int | None:
        total = self.adapter.num_batches
        return None if total is None else math.ceil(total / self.count)

    def set_epoch(self, epoch: int) -> None:
        """The next pass over the data is epoch ``epoch`` (it picks a ``PyDataset``'s shuffle order)."""
        self._passes.set_epoch(epoch)

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield this process's batches of one pass, on ``device``."""
        if isinstance(self.adapter, PyDatasetAdapter):
            items = self._py_dataset_items()
        else:
            items = self._stream_items()
        for step, item in enumerate(items):
            if steps is not None and step >= steps:
                break
            yield standardize_batch(item, device, self.class_weight)
        if isinstance(self.adapter, PyDatasetAdapter):
            self.adapter.dataset.on_epoch_end()

    def _py_dataset_items(self):
        dataset = self.adapter.dataset
        total = dataset.num_batches
        if total is None:  # endless
            return (dataset[i] for i in itertools.count(self.index, self.count))
        if self.adapter.shuffle:
            generator = torch.Generator().manual_seed(self.seed + self._passes.next())
            order = torch.randperm(total, generator=generator).tolist()
        else:
            order = list(range(total))
        steps = math.ceil(total / self.count)
        return (dataset[order[_lent(step, self.index, self.count, total)]] for step in range(steps))

    def _stream_items(self):
        adapter = self.adapter
        stream = iter(adapter.loader) if isinstance(adapter, TorchDataAdapter) else adapter.generator
        while True:
            group = list(itertools.islice(stream, self.count))
            if not group:
                if isinstance(adapter, GeneratorDataAdapter):
                    adapter.exhausted = True
                return
            yield group[self.index % len(group)]
            if len(group) < self.count:
                if isinstance(adapter, GeneratorDataAdapter):
                    adapter.exhausted = True
                return


def _lent(step, index, count, total):
    """The position in the epoch's order of process ``index``'s batch at ``step``: past the end, the
    step's batches are lent again from its first one."""
    first = step * count
    return first + index if first + index < total else first + index % (total - first)


@overload
def shard_adapter(adapter: DataAdapter, parallel: DataParallel) -> DataAdapter: ...
@overload
def shard_adapter(adapter: None, parallel: DataParallel) -> None: ...
def shard_adapter(adapter: DataAdapter | None, parallel: DataParallel) -> DataAdapter | None:
    """``adapter``'s share for this process of a ``DataParallel`` (see the module documentation): the adapter
    itself in a job of one process, or when the data is sharded already (``auto_shard_dataset=False``).

    Args:
        adapter: A data adapter from ``get_data_adapter``, or None (returned as it is).
        parallel: The ``keras.distribution.DataParallel``.

    Returns:
        A data adapter, or None.

    >>> import numpy as np
    >>> import kerastorch as keras
    >>> from kerastorch.trainers.data_adapters import get_data_adapter
    >>> adapter = get_data_adapter(np.zeros((10, 2)), batch_size=4)
    >>> shard_adapter(adapter, keras.distribution.DataParallel()) is adapter  # a job of one process
    True
    """
    if parallel.num_processes == 1 or not parallel.auto_shard_dataset:
        return adapter
    return shard(adapter, parallel.process_id, parallel.num_processes)


@overload
def shard(adapter: DataAdapter, index: int, count: int) -> DataAdapter: ...
@overload
def shard(adapter: None, index: int, count: int) -> None: ...
def shard(adapter: DataAdapter | None, index: int, count: int) -> DataAdapter | None:
    """``adapter``'s share for process ``index`` of ``count`` (see the module documentation).

    A shuffled adapter asks process 0 for a seed (a collective: every process shards the same data at the
    same point).

    Args:
        adapter: A data adapter from ``get_data_adapter``, or None (returned as it is).
        index: Int, this process's index.
        count: Int, the number of processes.

    Returns:
        A sharded adapter, or None.

    >>> import numpy as np
    >>> from kerastorch.trainers.data_adapters import get_data_adapter
    >>> adapter = get_data_adapter(np.zeros((10, 2)), batch_size=4)
    >>> type(shard(adapter, 0, 2)).__name__, shard(adapter, 0, 2).num_batches
    ('ShardedArrayAdapter', 3)
    """
    if adapter is None:
        return None
    if isinstance(adapter, ArrayDataAdapter):
        return ShardedArrayAdapter(adapter, index, count, collectives.shared_seed() if adapter.shuffle else 0)
    if isinstance(adapter, TorchDataAdapter):
        loader = adapter.loader
        remakeable = (
            not isinstance(loader.dataset, torch.utils.data.IterableDataset)
            and loader.batch_size is not None
            and isinstance(loader.sampler, (SequentialSampler, RandomSampler))
        )
        if remakeable:
            seed = collectives.shared_seed() if isinstance(loader.sampler, RandomSampler) else 0
            return ShardedLoaderAdapter(adapter, index, count, seed)
        return ShardedBatchesAdapter(adapter, index, count)
    if isinstance(adapter, PyDatasetAdapter):
        return ShardedBatchesAdapter(adapter, index, count, collectives.shared_seed() if adapter.shuffle else 0)
    if isinstance(adapter, GeneratorDataAdapter):
        return ShardedBatchesAdapter(adapter, index, count)
    raise TypeError(f"DataParallel: cannot split data of type {type(adapter).__name__} among the processes")
