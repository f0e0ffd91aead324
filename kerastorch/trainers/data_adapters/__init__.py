"""Data adapters: every kind of input ``fit``/``evaluate``/``predict`` accept, as one
iterator of batches on the model's device, each packed as Keras's ``train_step`` receives
it: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

- numpy arrays, torch tensors, and lists / dicts of them: :class:`ArrayDataAdapter`
  (converted to tensors once per call, batched by indexing, shuffled per epoch);
- a ``torch.utils.data.Dataset`` or ``DataLoader``: :class:`TorchDataAdapter`;
- a Python generator or iterator: :class:`GeneratorDataAdapter`;
- a :class:`PyDataset` (Keras's ``Sequence``): :class:`PyDatasetAdapter`.

Example:
    >>> import numpy as np
    >>> import torch
    >>> x, y = np.zeros((100, 4), "float32"), np.arange(100)
    >>> adapter = get_data_adapter(x, y, batch_size=32, shuffle=True)
    >>> type(adapter).__name__, adapter.num_batches
    ('ArrayDataAdapter', 4)
    >>> for x_batch, y_batch in adapter.batches(torch.device("cpu")):
    ...     print(x_batch.shape, y_batch.shape)
    torch.Size([32, 4]) torch.Size([32])
    torch.Size([32, 4]) torch.Size([32])
    torch.Size([32, 4]) torch.Size([32])
    torch.Size([4, 4]) torch.Size([4])
"""

from __future__ import annotations

import types
from typing import Any, Iterator, Protocol

import torch

from kerastorch.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from kerastorch.trainers.data_adapters.iterable_adapters import GeneratorDataAdapter, TorchDataAdapter
from kerastorch.trainers.data_adapters.py_dataset_adapter import PyDataset, PyDatasetAdapter


class DataAdapter(Protocol):
    """What the training loop reads from every adapter (the four above, and the data-parallel shards of
    ``sharding.py``): the number of batches of one pass, and the batches themselves."""

    @property
    def num_batches(self) -> int | None:
        """Batches in one pass over the data; None when unknown (a generator, an endless data set)."""

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield the batches of one pass (at most ``steps``) on ``device``: ``(x,)``, ``(x, y)`` or
        ``(x, y, sample_weight)``."""


def get_data_adapter(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int | None = None,
    steps_per_epoch: int | None = None,
    shuffle: bool | str = False,
    class_weight: dict[int, float] | None = None,
) -> ArrayDataAdapter | TorchDataAdapter | GeneratorDataAdapter | PyDatasetAdapter:
    """The adapter for ``x`` (and ``y``/``sample_weight`` when x is array-like)."""
    if isinstance(x, PyDataset):
        _only_x("a PyDataset", y, sample_weight)
        return PyDatasetAdapter(x, shuffle=shuffle, class_weight=class_weight)
    if isinstance(x, (torch.utils.data.Dataset, torch.utils.data.DataLoader)):
        _only_x(f"a torch {type(x).__name__}", y, sample_weight)
        return TorchDataAdapter(x, batch_size=batch_size, shuffle=shuffle, class_weight=class_weight)
    if isinstance(x, types.GeneratorType) or (hasattr(x, "__next__") and hasattr(x, "__iter__")):
        _only_x("a generator", y, sample_weight)
        return GeneratorDataAdapter(x, class_weight=class_weight)
    return ArrayDataAdapter(
        x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle, class_weight=class_weight
    )


def _only_x(kind, y, sample_weight):
    if y is not None or sample_weight is not None:
        raise ValueError(
            f"When x is {kind}, it must yield the targets itself: y and sample_weight must be None "
            f"(received y of type {type(y).__name__}, sample_weight of type "
            f"{type(sample_weight).__name__})"
        )
