"""Batches from arrays: numpy arrays, torch tensors, and lists / dicts of them.

The arrays become tensors once per ``fit`` (pinned when batches go to CUDA); each
epoch draws one permutation and every batch is one ``index_select`` per array,
moved to the device without blocking.

Example:
    >>> import numpy as np
    >>> x, y = np.zeros((1438, 8, 8), "float32"), np.zeros(1438, "int64")
    >>> adapter = ArrayDataAdapter(x, y, batch_size=32, shuffle=True)
    >>> adapter.num_batches
    45
    >>> x_batch, y_batch = next(adapter.batches(torch.device("cpu")))  # no sample weights: (x, y)
    >>> x_batch.shape, y_batch.shape
    (torch.Size([32, 8, 8]), torch.Size([32]))
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import torch

from kerastorch import tree
from kerastorch.backend import validation
from kerastorch.trainers.data_adapters.batching import class_weight_to_sample_weight, to_tensors


class ArrayDataAdapter:
    """Array-like ``x``, ``y`` and ``sample_weight``, batched and shuffled."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int = 32,
        shuffle: bool | str = False,
        class_weight: dict[int, float] | None = None,
    ) -> None:
        if class_weight is not None and sample_weight is not None:
            raise ValueError("Pass either class_weight or sample_weight to fit, not both")
        self.x, self.y, self.sample_weight = to_tensors(x), to_tensors(y), to_tensors(sample_weight)
        if class_weight is not None:
            if self.y is None:
                raise ValueError("class_weight needs targets y")
            self.sample_weight = class_weight_to_sample_weight(self.y, class_weight)
        self.num_samples = _common_length(self.x, self.y, self.sample_weight)
        self.batch_size = validation.positive_int("ArrayDataAdapter", "batch_size", batch_size)
        self.shuffle = shuffle
        self._pinned = False

    @property
    def num_batches(self) -> int:
        return math.ceil(self.num_samples / self.batch_size)

    def split(self, validation_split: float) -> tuple[ArrayDataAdapter, tuple[Any, Any, Any]]:
        """Keras's ``validation_split``: the last fraction of the samples, before shuffling."""
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"validation_split must be in (0, 1), received {validation_split}")
        cut = int(self.num_samples * (1.0 - validation_split))
        if cut == 0 or cut == self.num_samples:
            raise ValueError(
                f"validation_split={validation_split} leaves an empty training or validation set "
                f"with {self.num_samples} samples"
            )
        head = lambda s: None if s is None else tree.map_structure(lambda t: t[:cut], s)
        tail = lambda s: None if s is None else tree.map_structure(lambda t: t[cut:], s)
        train = ArrayDataAdapter(head(self.x), head(self.y), head(self.sample_weight), self.batch_size, self.shuffle)
        val = (tail(self.x), tail(self.y), tail(self.sample_weight))
        return train, val

    def _prepare(self, device):
        if device.type == "cuda" and not self._pinned:
            pin = lambda s: tree.map_structure(lambda t: t.pin_memory() if t.device.type == "cpu" else t, s)
            self.x, self.y, self.sample_weight = pin(self.x), pin(self.y), pin(self.sample_weight)
            self._pinned = True

    def batches(self, device: torch.device, steps: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Yield the batches of one epoch on ``device``: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
        self._prepare(device)
        parts = [part for part in (self.x, self.y, self.sample_weight) if part is not None]
        flat = [tree.flatten(part) for part in parts]
        plain = all(isinstance(part, torch.Tensor) for part in parts)  # no nesting: skip the repacking
        order = None
        if self.shuffle == "batch":
            order = _batch_shuffled_order(self.num_samples, self.batch_size)
        elif self.shuffle:
            order = torch.randperm(self.num_samples)
        steps = self.num_batches if steps is None else min(steps, self.num_batches)
        for step in range(steps):
            start = step * self.batch_size
            stop = min(start + self.batch_size, self.num_samples)
            if order is None:
                pieces = [[t[start:stop] for t in tensors] for tensors in flat]  # views: no copy
            else:
                index = order[start:stop]
                pieces = [
                    [t.index_select(0, index if t.device == index.device else index.to(t.device)) for t in tensors]
                    for tensors in flat
                ]
            pieces = [[t.to(device, non_blocking=True) if t.device != device else t for t in group] for group in pieces]
            if plain:
                yield tuple(group[0] for group in pieces)
            else:
                yield tuple(tree.pack_sequence_as(part, group) for part, group in zip(parts, pieces))


def _batch_shuffled_order(num_samples, batch_size):
    """Keras's ``shuffle="batch"``: shuffle whole batches, keep the order inside each."""
    blocks = list(torch.arange(num_samples).split(batch_size))
    return torch.cat([blocks[i] for i in torch.randperm(len(blocks)).tolist()])


def _common_length(*structures):
    lengths = {}
    for name, structure in zip(("x", "y", "sample_weight"), structures):
        if structure is None:
            continue
        for tensor in tree.flatten(structure):
            if not isinstance(tensor, torch.Tensor) or tensor.ndim == 0:
                raise ValueError(f"{name} must be arrays with a batch dimension, received {tensor!r}")
            lengths.setdefault(name, set()).add(int(tensor.shape[0]))
    sizes = {n for group in lengths.values() for n in group}
    if len(sizes) > 1:
        described = ", ".join(f"{name}: {sorted(group)}" for name, group in lengths.items())
        raise ValueError(
            f"Data cardinality is ambiguous: x, y and sample_weight must have the same number of "
            f"samples; received sizes {described}"
        )
    if not sizes:
        raise ValueError("x is empty: expected at least one array")
    return sizes.pop()
