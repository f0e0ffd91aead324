"""Batches from torch ``Dataset`` / ``DataLoader`` objects and Python generators.

Each item must be ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; numpy
items become tensors, and every batch is moved to the model's device.

Example:
    >>> import numpy as np
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> dataset = TensorDataset(torch.zeros(1000, 4), torch.zeros(1000, dtype=torch.int64))
    >>> adapter = TorchDataAdapter(DataLoader(dataset, batch_size=64))
    >>> adapter.num_batches
    16
    >>> x_batch, y_batch = next(adapter.batches(torch.device("cpu")))
    >>> x_batch.shape, y_batch.shape
    (torch.Size([64, 4]), torch.Size([64]))
    >>> batches = ((np.ones((2, 4)), np.zeros(2)) for _ in range(3))  # numpy items become tensors
    >>> [x.dtype for x, y in GeneratorDataAdapter(batches).batches(torch.device("cpu"))]
    [torch.float32, torch.float32, torch.float32]
"""

from __future__ import annotations

from typing import Any, Iterator

import torch

from kerastorch.trainers.data_adapters.batching import (
    class_weight_to_sample_weight,
    move_to_device,
    pack_batch,
    to_tensors,
    unpack_x_y_sample_weight,
)


def standardize_batch(item: Any, device: torch.device, class_weight: dict[int, float] | None) -> tuple[Any, ...]:
    """One batch of a data set as the train step takes it: tensors on ``device``, class weights applied.

    Args:
        item: the batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (arrays or tensors).
        device: torch.device, where the tensors go.
        class_weight: dict or None: ``{class: weight}``, turned into sample weights when none are given.

    Returns:
        ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` of tensors.
    """
    x, y, sample_weight = unpack_x_y_sample_weight(item)
    x, y, sample_weight = to_tensors(x), to_tensors(y), to_tensors(sample_weight)
    if class_weight is not None and y is not None and sample_weight is None:
        sample_weight = class_weight_to_sample_weight(y, class_weight)
    return pack_batch(*move_to_device((x, y, sample_weight), device))


class TorchDataAdapter:
    """A ``DataLoader`` as it is, or a ``Dataset`` wrapped in one with Keras's batch size and shuffling."""

    def __init__(
        self,
        data: torch.utils.data.Dataset | torch.utils.data.DataLoader,
        batch_size: int | None = None,
        shuffle: bool | str = False,
        class_weight: dict[int, float] | None = None,
    ) -> None:
        if isinstance(data, torch.utils.data.DataLoader):
            self.loader = data
        else:
            iterable = isinstance(data, torch.utils.data.IterableDataset)
            self.loader = torch.utils.data.DataLoader(
                data, batch_size=batch_size or 32, shuffle=bool(shuffle) and not iterable
            )
        self.class_weight = class_weight

    @property
    def num_batches(self) -> int | None:
        try:
            return len(self.loader)
        except TypeError:  # an IterableDataset of unknown length
            return None

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        for step, item in enumerate(self.loader):
            if steps is not None and step >= steps:
                return
            yield standardize_batch(item, device, self.class_weight)


class GeneratorDataAdapter:
    """A Python generator or iterator of batches; epochs continue where the last one stopped."""

    def __init__(self, generator: Iterator[Any], class_weight: dict[int, float] | None = None) -> None:
        self.generator = generator
        self.class_weight = class_weight
        self.exhausted = False

    num_batches = None

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        step = 0
        while steps is None or step < steps:
            try:
                item = next(self.generator)
            except StopIteration:
                self.exhausted = True
                return
            yield standardize_batch(item, device, self.class_weight)
            step += 1
