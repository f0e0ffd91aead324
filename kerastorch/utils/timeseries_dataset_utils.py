"""``keras.utils.timeseries_dataset_from_array``: sliding windows over a time series as batches ``fit`` takes.

Where Keras returns a ``tf.data.Dataset``, kerastorch returns a ``torch.utils.data.DataLoader`` over a
:class:`TimeseriesWindows` dataset that gathers each batch of windows when it is drawn (nothing is copied up
front). The windows, their targets and the argument checks are Keras's; with ``shuffle`` the windows are
reshuffled every epoch, reproducibly from ``seed``.

Example:
    >>> series = np.arange(10)
    >>> loader = timeseries_dataset_from_array(series, targets=series[3:], sequence_length=3, batch_size=4)
    >>> for windows, targets in loader:
    ...     print(windows.tolist(), targets.tolist())
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]] [3, 4, 5, 6]
    [[4, 5, 6], [5, 6, 7], [6, 7, 8]] [7, 8, 9]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.backend.annotations import TensorLike

__all__ = ["TimeseriesWindows", "timeseries_dataset_from_array"]


class TimeseriesWindows(torch.utils.data.Dataset):
    """Windows of a series (and their targets), gathered on access, as a map-style torch ``Dataset``.

    Indexing with an int gives one window; with a list of ints (what a ``BatchSampler`` draws), a batch of
    them stacked along a new first axis.

    Args:
        data: NumPy array or torch tensor, the series (time steps along the first axis).
        targets: NumPy array, torch tensor or None: ``targets[s]`` goes with the window starting at step ``s``.
        starts: int array, the first step of every window.
        sequence_length: int, the steps in a window.
        sampling_rate: int, the distance between two steps of a window.

    Example:
        >>> windows = TimeseriesWindows(np.arange(10), None, starts=np.array([0, 4]), sequence_length=3,
        ...                             sampling_rate=2)
        >>> len(windows), windows[1].tolist(), windows[[0, 1]].tolist()
        (2, [4, 6, 8], [[0, 2, 4], [4, 6, 8]])
    """

    def __init__(
        self,
        data: torch.Tensor | np.ndarray,
        targets: torch.Tensor | np.ndarray | None,
        starts: Sequence[int] | np.ndarray,
        sequence_length: int,
        sampling_rate: int,
    ) -> None:
        self.data, self.targets, self.starts = data, targets, np.asarray(starts, dtype="int64")
        self.offsets = np.arange(sequence_length, dtype="int64") * sampling_rate

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, index):
        starts = self.starts[index]
        windows = _take(self.data, np.expand_dims(starts, -1) + self.offsets)
        if self.targets is None:
            return windows
        return windows, _take(self.targets, starts)


def _take(array, indices):
    """``array[indices]`` as a tensor (a NumPy array where torch has no such dtype, as for strings)."""
    if isinstance(array, torch.Tensor):
        return array[torch.from_numpy(np.asarray(indices))]
    taken = array[indices]
    if isinstance(taken, np.ndarray) and taken.dtype.kind in "biufc":
        return torch.from_numpy(np.ascontiguousarray(taken))
    return torch.as_tensor(taken) if isinstance(taken, np.generic) and taken.dtype.kind in "biufc" else taken


def _as_series(name: str, value: TensorLike) -> torch.Tensor | np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach()
    array = np.asarray(value)
    if array.ndim == 0:
        raise ValueError(
            f"`{name}` must be an array with time steps along its first axis; received a scalar: {name}={value!r}"
        )
    return array


def _check_positive_int(name, value, allow_none=False):
    if (value is None and allow_none) or (
        isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0
    ):
        return
    expected = "a positive integer or None" if allow_none else "a positive integer"
    raise ValueError(f"`{name}` must be {expected}. Received: {name}={value!r}")


def timeseries_dataset_from_array(
    data: TensorLike,
    targets: TensorLike | None,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
) -> DataLoader[Any]:
    """Batches of sliding windows over a time series (and the target of each window).

    Window ``i`` starts at step ``start_index + i * sequence_stride`` and takes ``sequence_length`` steps,
    ``sampling_rate`` apart: ``data[s], data[s + sampling_rate], ..., data[s + (sequence_length - 1) *
    sampling_rate]``. Only windows that end before ``end_index`` are made. The window starting at step ``s``
    goes with ``targets[s]``: to predict the step that follows a window, pass ``targets=data[sequence_length:]``
    (with ``sampling_rate=1``).

    Args:
        data: NumPy array (or anything ``np.asarray`` takes) or torch tensor, the series: time steps along the
            first axis, features along the others.
        targets: array or tensor, or None: ``targets[s]`` is the target of the window starting at step ``s``.
            None: the batches hold the windows only.
        sequence_length: int, the number of steps in a window.
        sequence_stride: int, default 1: the steps between the starts of two consecutive windows
            (``sequence_length``: windows that do not overlap).
        sampling_rate: int, default 1: the steps between two steps of a window (2: every other step).
        batch_size: int or None, default 128: windows per batch; the last batch may be smaller. None: single
            windows, not batched.
        shuffle: bool, default False: draw the windows in random order, a new one every epoch.
        seed: int or None: the shuffling seed (the same seed gives the same orders).
        start_index: int or None: the steps before it are not used (None: 0).
        end_index: int or None: the steps from it on are not used (None: the whole series).

    Returns:
        A ``torch.utils.data.DataLoader`` yielding ``(windows, targets)`` tensors, or ``windows`` alone when
        ``targets`` is None. Windows have shape ``(batch, sequence_length, *data.shape[1:])`` (no batch axis
        with ``batch_size=None``) and ``data``'s dtype.

    Raises:
        ValueError: for a ``start_index``, ``end_index``, ``sampling_rate`` or ``sequence_stride`` outside the
            series, a ``sequence_length`` or ``batch_size`` that is not a positive integer, or scalar data.

    Example:
        >>> data = np.arange(100)
        >>> loader = timeseries_dataset_from_array(data, None, sequence_length=5, sampling_rate=2,
        ...                                        sequence_stride=3, batch_size=2, start_index=10)
        >>> first = next(iter(loader))
        >>> first.tolist()
        [[10, 12, 14, 16, 18], [13, 15, 17, 19, 21]]
        >>> len(loader), len(loader.dataset)
        (14, 28)
    """
    data = _as_series("data", data)
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= length:
            raise ValueError(
                f"`start_index` must be lower than the length of the data. Received: "
                f"start_index={start_index}, for data of length {length}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                f"and end_index={end_index}"
            )
        if end_index >= length:
            raise ValueError(
                f"`end_index` must be lower than the length of the data. Received: "
                f"end_index={end_index}, for data of length {length}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= length:
            raise ValueError(
                f"`{name}` must be lower than the length of the data. Received: {name}={value}, "
                f"for data of length {length}"
            )
    _check_positive_int("sequence_length", sequence_length)
    _check_positive_int("batch_size", batch_size, allow_none=True)
    start_index = 0 if start_index is None else int(start_index)
    end_index = length if end_index is None else int(end_index)

    num_windows = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = _as_series("targets", targets)
        num_windows = min(num_windows, len(targets) - start_index)  # Keras's bound (past it, Keras fails)
    starts = start_index + np.arange(0, max(num_windows, 0), sequence_stride, dtype="int64")
    windows = TimeseriesWindows(data, targets, starts, int(sequence_length), int(sampling_rate))

    generator = torch.Generator().manual_seed(int(seed)) if shuffle and seed is not None else None
    sampler = (
        torch.utils.data.RandomSampler(windows, generator=generator)
        if shuffle
        else torch.utils.data.SequentialSampler(windows)
    )
    if batch_size is None:
        return torch.utils.data.DataLoader(windows, batch_size=None, sampler=sampler)
    batches = torch.utils.data.BatchSampler(sampler, batch_size=int(batch_size), drop_last=False)
    return torch.utils.data.DataLoader(windows, batch_size=None, sampler=batches)
