"""``EpochIterator``: the batches of each epoch of ``fit``, with Keras's rule for ``steps_per_epoch``.

Without ``steps_per_epoch`` an epoch is one pass over the data. With it, an epoch is that many batches and
the data is read on from where the last epoch stopped: when it runs out, a new pass starts (reshuffled)
within the same epoch, as Keras 3's epoch iterator does. A data set that yields nothing ends the epoch.

Example:
    >>> import numpy as np
    >>> import torch
    >>> from kerastorch.trainers.data_adapters import get_data_adapter
    >>> adapter = get_data_adapter(np.arange(5.0).reshape(5, 1), batch_size=2, shuffle=False)
    >>> epochs = EpochIterator(adapter, torch.device("cpu"), steps_per_epoch=2)
    >>> [[x.flatten().tolist() for (x,) in epochs.epoch()] for _ in range(2)]
    [[[0.0, 1.0], [2.0, 3.0]], [[4.0], [0.0, 1.0]]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import torch

    from kerastorch.trainers.data_adapters import DataAdapter

__all__ = ["EpochIterator"]


class EpochIterator:
    """Hands out the batches of ``adapter`` (on ``device``) epoch by epoch.

    Args:
        adapter: a data adapter (``batches(device)`` yields one pass over the data).
        device: the device batches are moved to.
        steps_per_epoch: int or None: batches per epoch; None is one pass over the data.
    """

    def __init__(self, adapter: DataAdapter, device: torch.device, steps_per_epoch: int | None = None) -> None:
        self.adapter, self.device, self.steps_per_epoch = adapter, device, steps_per_epoch
        self._batches: Iterator[tuple[Any, ...]] | None = None  # the pass in progress, kept from one epoch to the next

    def epoch(self, number: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield the batches of the next epoch; ``number`` (the epoch's index) goes to an adapter that
        reshuffles by epoch (``set_epoch``: the data-parallel shards, a ``DistributedSampler``)."""
        if number is not None and hasattr(self.adapter, "set_epoch"):
            self.adapter.set_epoch(number)
        if self.steps_per_epoch is None:
            yield from self.adapter.batches(self.device)
            return
        taken = 0
        while taken < self.steps_per_epoch:
            batches = self._batches
            fresh = batches is None
            if batches is None:
                batches = self._batches = iter(self.adapter.batches(self.device))
            try:
                batch = next(batches)
            except StopIteration:
                self._batches = None
                if fresh:  # a new pass gave nothing: no more data
                    return
                continue
            yield batch
            taken += 1
