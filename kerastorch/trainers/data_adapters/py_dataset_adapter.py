"""``PyDataset`` (Keras's ``Sequence``): an indexable data set of whole batches.

Example:
    >>> import math
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> class Batches(PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return math.ceil(len(self.x) / self.batch_size)
    ...     def __getitem__(self, index):
    ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
    ...         return self.x[part], self.y[part]
    >>> x, y = np.ones((100, 4), "float32"), np.zeros((100, 1), "float32")
    >>> data = Batches(x, y, 32)
    >>> len(data), data[3][0].shape  # 4 batches, the last one of 4 samples
    (4, (4, 4))
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(data, epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator

import torch

from kerastorch.trainers.data_adapters.iterable_adapters import standardize_batch


class PyDataset:
    """Base class for data sets of batches: implement ``__len__`` (the number of batches)
    and ``__getitem__(index)`` (one batch); ``on_epoch_end`` runs after every epoch.

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted for Keras
    compatibility; batches are produced in the training process. ``keras.utils.Sequence`` is the same
    class. A subclass passes its keyword arguments on to ``super().__init__(**kwargs)`` (see the module
    example).

    Args:
        workers: Int, Keras's number of workers producing batches; stored only (batches are made one at
            a time in the training process). Defaults to ``1``.
        use_multiprocessing: Bool, Keras's choice of processes over threads for the workers; stored only.
            Defaults to ``False``.
        max_queue_size: Int, Keras's number of batches prepared ahead; stored only. Defaults to ``10``.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning one batch")

    def on_epoch_end(self) -> None:
        """Called after every epoch (reshuffle here)."""

    @property
    def num_batches(self) -> int | None:
        """The number of batches: ``len(self)``; override it to return None for an endless data set (then
        ``fit`` needs ``steps_per_epoch``)."""
        return len(self)


class PyDatasetAdapter:
    """Reads a :class:`PyDataset` batch by batch, in order or shuffled by batch index."""

    def __init__(
        self, dataset: PyDataset, shuffle: bool | str = False, class_weight: dict[int, float] | None = None
    ) -> None:
        self.dataset = dataset
        self.shuffle = shuffle
        self.class_weight = class_weight

    @property
    def num_batches(self) -> int | None:
        return self.dataset.num_batches

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        total = self.dataset.num_batches
        order: Iterable[int]
        if total is None:  # endless: batch 0, 1, 2 ... until ``steps``
            order = itertools.count()
        else:
            order = torch.randperm(total).tolist() if self.shuffle else range(total)
        for step, index in enumerate(order):
            if steps is not None and step >= steps:
                break
            yield standardize_batch(self.dataset[index], device, self.class_weight)
        self.dataset.on_epoch_end()
