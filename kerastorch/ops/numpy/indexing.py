"""Indexing, selection, searching, sorting and counting.

Index results are int32, as Keras 3 gives them (``argsort``, ``nonzero``, ``searchsorted``, ``digitize``,
``bincount`` counts, ``unravel_index``); ``unique``'s index, inverse and counts are int64 as in Keras's torch
backend. Negative indices count from the end (``take``, ``take_along_axis``). ``argsort`` is stable;
``argpartition`` returns a full stable sort, which is one valid partition. ``nonzero`` and one-argument
``where`` return a tuple of index tensors, one per axis (NumPy's form; Keras's torch backend returns them
stacked, which unpacks the same way). Functions whose output size depends on the values (``nonzero``,
``unique``, ``bincount``, ``repeat`` in manipulation) sync with the host, as they must.

Example:
    >>> take(torch.tensor([[1, 2, 3], [4, 5, 6]]), [0, -1], axis=1)
    tensor([[1, 3],
            [4, 6]])
    >>> where(torch.tensor([True, False]), torch.tensor([1, 2], dtype=torch.int8), 0)
    tensor([1, 0], dtype=torch.int8)
    >>> argsort(torch.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0], dtype=torch.int32)
    >>> searchsorted(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.5]))
    tensor([2], dtype=torch.int32)
    >>> bincount(torch.tensor([0, 2, 2]))
    tensor([1, 0, 2], dtype=torch.int32)
    >>> unique(torch.tensor([3, 1, 1]), return_counts=True)
    (tensor([1, 3]), tensor([2, 1]))
    >>> [t.tolist() for t in unravel_index(torch.tensor([1, 5]), (2, 3))]
    [[0, 1], [1, 2]]
    >>> counts, edges = histogram(torch.tensor([0.0, 1.0, 1.5, 3.0]), bins=3)
    >>> counts, edges
    (tensor([1., 2., 1.]), tensor([0., 1., 2., 3.]))
"""

from __future__ import annotations

from typing import Any, Sequence, SupportsIndex

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import ShapeLike, TensorLike
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import int_arg, normalize_axis, promote, shape_tuple, tensor

__all__ = [
    "argpartition",
    "argsort",
    "bincount",
    "digitize",
    "get_item",
    "histogram",
    "isin",
    "nonzero",
    "searchsorted",
    "select",
    "sort",
    "take",
    "take_along_axis",
    "unique",
    "unravel_index",
    "where",
]


def _indices(indices: TensorLike, size: int, device: torch.device) -> torch.Tensor:
    """Integer indices with negative ones counted from the end."""
    indices = tensor(indices).to(device)
    if indices.is_floating_point() or indices.dtype == torch.bool:
        indices = indices.to(torch.int64)
    return torch.where(indices < 0, indices + size, indices)


def take(x: TensorLike, indices: TensorLike, axis: int | None = None) -> torch.Tensor:
    """The elements of ``x`` at ``indices`` along ``axis``.

    Negative indices count from the end.

    Args:
        x: tensor, array or Python value: the input.
        indices: int tensor, array or list (any shape): the positions to take.
        axis: int or None, default `None`: the axis to take along; None takes from the flattened ``x``.

    Returns:
        A tensor of ``x``'s dtype whose ``axis`` is replaced by ``indices``' shape.

    Raises:
        ValueError: an index or ``axis`` is out of range.
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = normalize_axis(axis, x.ndim, "ops.take")
    indices = _indices(indices, x.shape[axis], x.device)
    try:
        out = x.index_select(axis, indices.reshape(-1))
    except (IndexError, RuntimeError) as error:
        raise ValueError(f"ops.take: indices out of range for axis {axis} of shape {tuple(x.shape)}: {error}") from None
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1 :])


def take_along_axis(x: TensorLike, indices: TensorLike, axis: int | None = None) -> torch.Tensor:
    """The elements of ``x`` at ``indices`` along ``axis``, position by position.

    ``indices`` has ``x``'s rank and broadcasts against it on the other axes (the form ``argsort`` gives); negative
    indices count from the end.

    Args:
        x: tensor, array or Python value: the input.
        indices: int tensor or array: the positions along ``axis``, of ``x``'s rank.
        axis: int or None, default `None`: the axis to take along; None uses the flattened ``x`` and ``indices``.

    Returns:
        A tensor of ``x``'s dtype and the broadcast shape of ``x`` and ``indices`` (with ``indices``' length along
        ``axis``).

    Raises:
        ValueError: ``indices`` does not have ``x``'s rank, or ``axis`` is out of range.

    Example:
        >>> take_along_axis(torch.tensor([[10, 30, 20]]), torch.tensor([[1, 0]]), axis=1)
        tensor([[30, 10]])
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
        indices = tensor(indices).reshape(-1)
    axis = normalize_axis(axis, x.ndim, "ops.take_along_axis")
    indices = _indices(indices, x.shape[axis], x.device)
    if indices.ndim != x.ndim:
        raise ValueError(
            f"ops.take_along_axis: expected indices of rank {x.ndim}, received shape {tuple(indices.shape)}"
        )
    return torch.take_along_dim(x, indices.to(torch.int64), axis)


def get_item(x: TensorLike, key: Any) -> torch.Tensor:
    """``x[key]``: torch's (NumPy-style) indexing.

    Args:
        x: tensor, array or Python value: the input.
        key: int, slice, Ellipsis, None, tensor, or a tuple of them: the index.

    Returns:
        The indexed tensor (a view for basic indexing).

    Example:
        >>> get_item(torch.tensor([[1, 2], [3, 4]]), (slice(None), 0))
        tensor([1, 3])
    """
    return tensor(x)[key]


def nonzero(x: TensorLike) -> tuple[torch.Tensor, ...]:
    """The indices of the non-zero elements of ``x``.

    The size of the result depends on the values, so this waits for the device.

    Args:
        x: tensor, array or Python value: the input.

    Returns:
        A tuple of 1-D int32 tensors, one per axis of ``x`` (NumPy's form).

    Example:
        >>> nonzero(torch.tensor([[0, 1], [2, 0]]))
        (tensor([0, 1], dtype=torch.int32), tensor([1, 0], dtype=torch.int32))
    """
    x = tensor(x)
    return tuple(i.to(torch.int32) for i in torch.nonzero(x, as_tuple=True))


def where(
    condition: TensorLike, x1: TensorLike | None = None, x2: TensorLike | None = None
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """The elements of ``x1`` where ``condition`` holds and of ``x2`` elsewhere.

    ``x1`` and ``x2`` are promoted to their common dtype. With only ``condition`` it is :func:`nonzero` of it.

    Args:
        condition: tensor, array or Python value: where to take ``x1`` (non-zero is true).
        x1: tensor, array, Python value or None, default `None`: the values where ``condition`` holds.
        x2: tensor, array, Python value or None, default `None`: the values elsewhere.

    Returns:
        A tensor of the broadcast shape of the three and the promoted dtype; with ``condition`` only, the tuple of
        :func:`nonzero`.

    Raises:
        ValueError: only one of ``x1`` and ``x2`` is given, or the shapes do not broadcast together.

    Example:
        >>> where(torch.tensor([0, 3, 0]))
        (tensor([1], dtype=torch.int32),)
    """
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("ops.where: expected both x1 and x2, or neither; received only one")
    x1, x2 = promote(x1, x2)
    condition = tensor(condition).to(device=x1.device, dtype=torch.bool)
    try:
        return torch.where(condition, x1, x2)
    except RuntimeError:
        raise ValueError(
            f"ops.where: cannot broadcast shapes {tuple(condition.shape)}, {tuple(x1.shape)} and {tuple(x2.shape)}"
        ) from None


def select(condlist: Sequence[TensorLike], choicelist: Sequence[TensorLike], default: TensorLike = 0) -> torch.Tensor:
    """For each element, the entry of the first choice whose condition holds, else ``default``.

    The choices and ``default`` are promoted to their common dtype.

    Args:
        condlist: list of bool tensors/arrays: the conditions.
        choicelist: list of tensors/arrays: the values, one per condition.
        default: number or tensor, default `0`: the value where no condition holds.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: ``condlist`` is empty or differs in length from ``choicelist``.

    Example:
        >>> select([torch.tensor([True, False, False]), torch.tensor([True, True, False])],
        ...        [torch.tensor([1, 1, 1]), torch.tensor([2, 2, 2])], default=0)
        tensor([1, 2, 0])
    """
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"ops.select: expected as many conditions as choices, received {len(condlist)} and {len(choicelist)}"
        )
    if not condlist:
        raise ValueError("ops.select: expected at least one condition, received none")
    *choices, default = promote(*choicelist, default)
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choices)):
        out = torch.where(tensor(cond).to(device=choice.device, dtype=torch.bool), choice, out)
    return out


def _flat_or(x: TensorLike, axis: int | None, fn: str) -> tuple[torch.Tensor, int]:
    x = tensor(x)
    if axis is None:
        return x.reshape(-1), 0
    return x, normalize_axis(axis, max(x.ndim, 1), fn)


def sort(x: TensorLike, axis: int | None = -1) -> torch.Tensor:
    """``x`` sorted in ascending order along ``axis`` (stable; NaNs last).

    Args:
        x: tensor, array or Python value: the input.
        axis: int or None, default `-1`: the axis to sort along; None sorts the flattened ``x``.

    Returns:
        A tensor of ``x``'s dtype (1-D for ``axis=None``).

    Raises:
        ValueError: ``axis`` is out of range.

    Example:
        >>> sort(torch.tensor([[3, 1], [0, 2]]), axis=0)
        tensor([[0, 1],
                [3, 2]])
    """
    x, axis = _flat_or(x, axis, "ops.sort")
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x: TensorLike, axis: int | None = -1) -> torch.Tensor:
    """The indices that sort ``x`` in ascending order along ``axis`` (a stable sort).

    Args:
        x: tensor, array or Python value: the input.
        axis: int or None, default `-1`: the axis to sort along; None sorts the flattened ``x``.

    Returns:
        An int32 tensor of ``x``'s shape (1-D for ``axis=None``).

    Raises:
        ValueError: ``axis`` is out of range.
    """
    x, axis = _flat_or(x, axis, "ops.argsort")
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def argpartition(x: TensorLike, kth: SupportsIndex, axis: int | None = -1) -> torch.Tensor:
    """Indices that partition ``x`` along ``axis`` around its ``kth`` element.

    The element at ``kth`` is the one a sort would put there, smaller ones come before it and larger ones after.
    kerastorch returns a full stable :func:`argsort`, one valid partition.

    Args:
        x: tensor, array or Python value: the input.
        kth: int: the position of the element to put in its sorted place (negative counts from the end).
        axis: int or None, default `-1`: the axis to partition along; None uses the flattened ``x``.

    Returns:
        An int32 tensor of ``x``'s shape (1-D for ``axis=None``).

    Raises:
        ValueError: ``kth`` or ``axis`` is out of range.
        TypeError: ``kth`` is not an int.

    Example:
        >>> argpartition(torch.tensor([3, 1, 2]), 1)
        tensor([1, 2, 0], dtype=torch.int32)
    """
    x, axis = _flat_or(x, axis, "ops.argpartition")
    kth = int_arg(kth, "kth", "ops.argpartition")
    if not -x.shape[axis] <= kth < x.shape[axis]:
        raise ValueError(f"ops.argpartition: expected kth in [{-x.shape[axis]}, {x.shape[axis]}), received {kth}")
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def searchsorted(sorted_sequence: TensorLike, values: TensorLike, side: str = "left") -> torch.Tensor:
    """The positions at which ``values`` would be inserted in ``sorted_sequence`` to keep it sorted.

    The two are promoted to their common dtype.

    Args:
        sorted_sequence: 1-D tensor or array: the values, in ascending order.
        values: tensor, array or Python number: the values to place.
        side: str, default `"left"`: for values equal to entries, ``"left"`` gives the first suitable position,
            ``"right"`` the last.

    Returns:
        An int32 tensor of ``values``' shape.

    Raises:
        ValueError: ``side`` is neither "left" nor "right", or ``sorted_sequence`` is not 1-D.

    Example:
        >>> searchsorted(torch.tensor([1, 2, 2, 3]), torch.tensor([2]), side="right")
        tensor([3], dtype=torch.int32)
    """
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: expected side 'left' or 'right', received {side!r}")
    sequence, values = promote(sorted_sequence, values)
    if sequence.ndim != 1:
        raise ValueError(f"ops.searchsorted: expected a 1-D sorted_sequence, received shape {tuple(sequence.shape)}")
    return torch.searchsorted(sequence, values, side=side, out_int32=True)


def digitize(x: TensorLike, bins: TensorLike) -> torch.Tensor:
    """The index of the bin each element of ``x`` falls in: ``i`` with ``bins[i-1] <= x < bins[i]``.

    Values below ``bins[0]`` give 0, values at or above ``bins[-1]`` give ``len(bins)``.

    Args:
        x: tensor, array or Python value: the input.
        bins: 1-D tensor, array or list: the bin edges, in ascending order.

    Returns:
        An int32 tensor of ``x``'s shape.

    Raises:
        ValueError: ``bins`` is not 1-D.

    Example:
        >>> digitize(torch.tensor([0.5, 1.0, 2.5]), torch.tensor([1.0, 2.0]))
        tensor([0, 1, 2], dtype=torch.int32)
    """
    x, bins = promote(x, bins)
    if bins.ndim != 1:
        raise ValueError(f"ops.digitize: expected 1-D bins, received shape {tuple(bins.shape)}")
    return torch.bucketize(x, bins, out_int32=True, right=True)


def bincount(
    x: TensorLike, weights: TensorLike | None = None, minlength: SupportsIndex = 0, sparse: bool = False
) -> torch.Tensor:
    """The number of occurrences (or the summed ``weights``) of each non-negative integer in ``x``.

    A 2-D ``x`` is counted row by row. The length of the result waits for the device.

    Args:
        x: 1-D or 2-D tensor/array of non-negative integers: the values to count.
        weights: tensor, array or None, default `None`: a weight per element of ``x`` (its shape), summed instead of
            counting ones; None counts.
        minlength: int, default `0`: the least length of the result.
        sparse: bool, default `False`: must be False; kerastorch has no sparse output.

    Returns:
        A tensor of length ``max(max(x) + 1, minlength)`` (per row for 2-D ``x``): int32 counts, or sums of ``weights``'
        dtype (at least int32 for integer weights).

    Raises:
        ValueError: ``sparse`` is True, or ``x`` is not a 1-D or 2-D integer tensor.

    Example:
        >>> bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0]), minlength=3)
        tensor([0.5000, 3.0000, 0.0000])
        >>> bincount(torch.tensor([[0, 1], [1, 1]]))
        tensor([[1, 1],
                [0, 2]], dtype=torch.int32)
    """
    if sparse:
        raise ValueError("ops.bincount: sparse=True is not supported by kerastorch")
    x = tensor(x)
    if x.ndim not in (1, 2) or x.is_floating_point() or x.dtype == torch.bool:
        raise ValueError(
            f"ops.bincount: expected a 1-D or 2-D integer input, received shape {tuple(x.shape)} "
            f"and dtype {config.standardize_dtype(x.dtype)}"
        )
    minlength = int_arg(minlength, "minlength", "ops.bincount")
    if weights is None:
        out_dtype = torch.int32
    else:
        weights = tensor(weights).to(x.device)
        out_dtype = (
            config.torch_dtype(result_type(weights.dtype, "int32"))
            if not weights.is_floating_point()
            else weights.dtype
        )
        weights = (
            weights.to(torch.float64 if out_dtype == torch.float64 else torch.float32)
            if out_dtype.is_floating_point
            else weights.to(torch.float64)
        )
    if x.ndim == 1:
        counts = torch.bincount(x, weights, minlength)
        return counts.to(out_dtype)
    rows = x.shape[0]
    length = max(minlength, int(x.max()) + 1) if x.numel() else minlength
    flat = (x + torch.arange(rows, device=x.device).unsqueeze(1) * length).reshape(-1)
    counts = torch.bincount(flat, None if weights is None else weights.reshape(-1), rows * length)
    return counts.reshape(rows, length).to(out_dtype)


def histogram(
    x: TensorLike, bins: SupportsIndex = 10, range: Sequence[float] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The counts of a 1-D ``x`` in ``bins`` equal bins over ``range``, and the bin edges.

    Each bin holds ``edges[i] <= x < edges[i + 1]``, the last one also its right edge; values outside ``range`` are not
    counted. A range of zero width is widened to ``[low - 0.5, high + 0.5]``.

    Args:
        x: 1-D tensor or array: the values.
        bins: int, default `10`: the number of bins.
        range: pair of numbers or None, default `None`: the lower and upper edges; None uses ``x``'s min and max.

    Returns:
        A pair ``(counts, edges)`` of 1-D tensors of ``x``'s float dtype (floatx for integers), of lengths ``bins`` and
        ``bins + 1``.

    Raises:
        ValueError: ``x`` is not 1-D or ``bins`` is not positive.
        TypeError: ``bins`` is not an int.

    Example:
        >>> histogram(torch.tensor([1, 2, 2, 5]), bins=2, range=(0, 4))
        (tensor([1., 2.]), tensor([0., 2., 4.]))
    """
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"ops.histogram: expected a 1-D input, received shape {tuple(x.shape)}")
    bins = int_arg(bins, "bins", "ops.histogram")
    if bins <= 0:
        raise ValueError(f"ops.histogram: expected a positive number of bins, received {bins}")
    if not x.is_floating_point():
        x = x.to(config.torch_dtype(None))
    if range is None:
        low, high = (x.min(), x.max()) if x.numel() else (x.new_tensor(0.0), x.new_tensor(1.0))
    else:
        low, high = (torch.as_tensor(v, dtype=x.dtype, device=x.device) for v in range)
    same = high == low
    low, high = torch.where(same, low - 0.5, low), torch.where(same, high + 0.5, high)
    steps = torch.arange(bins + 1, device=x.device, dtype=x.dtype) / bins
    edges = low + (high - low) * steps
    inside = (x >= low) & (x <= high)
    index = torch.bucketize(x, edges, right=True) - 1
    index = index.clamp(0, bins - 1)
    counts = torch.zeros(bins, dtype=x.dtype, device=x.device).index_add_(0, index, inside.to(x.dtype))
    return counts, edges


def isin(x1: TensorLike, x2: TensorLike, assume_unique: bool = False, invert: bool = False) -> torch.Tensor:
    """Whether each element of ``x1`` occurs in ``x2``.

    The two are promoted to their common dtype.

    Args:
        x1: tensor, array or Python value: the elements to test.
        x2: tensor, array or Python value: the values to look for (any shape).
        assume_unique: bool, default `False`: whether both inputs hold unique values, which allows a faster search.
        invert: bool, default `False`: whether to return the negation (``x1`` not in ``x2``).

    Returns:
        A bool tensor of ``x1``'s shape.

    Example:
        >>> isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5]))
        tensor([False,  True, False])
    """
    x1, x2 = promote(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def unique(
    x: TensorLike,
    sorted: bool | np.bool_ = True,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    size: SupportsIndex | None = None,
    fill_value: float | None = None,
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """The unique elements of ``x`` (or unique slices along ``axis``), sorted or in order of first occurrence.

    The number of unique values waits for the device, unless ``size`` fixes it.

    Args:
        x: tensor, array or Python value: the input.
        sorted: bool, default `True`: True sorts the unique values in ascending order (slices lexicographically);
            False gives them in the order of their first occurrence in ``x`` (as Keras's TensorFlow backend does;
            Keras only promises no order then). The index, inverse and counts follow the same order.
        return_index: bool, default `False`: whether to return the index of each unique value's first occurrence.
        return_inverse: bool, default `False`: whether to return, for each element of ``x`` (slice along ``axis``), the
            index of its unique value.
        return_counts: bool, default `False`: whether to return how often each unique value occurs.
        axis: int or None, default `None`: the axis whose slices are compared; None compares the elements of the
            flattened ``x``.
        size: int or None, default `None`: a fixed length of the unique values, first indices and counts: longer results
            are truncated, shorter ones padded; None keeps the natural length.
        fill_value: number or None, default `None`: the padding of the unique values under ``size``; None pads with 0
            (the indices and counts are padded with 0).

    Returns:
        The unique values, or a tuple of them followed by the requested extras in the order index, inverse, counts
        (int64 tensors; the inverse has ``x``'s shape for ``axis=None``).

    Raises:
        ValueError: ``axis`` is out of range.
        TypeError: ``size`` is not an int.

    Example:
        >>> unique(torch.tensor([3, 1, 1]), return_index=True, return_inverse=True)
        (tensor([1, 3]), tensor([1, 0]), tensor([1, 0, 0]))
        >>> unique(torch.tensor([3, 1, 3, 2]), sorted=False, return_counts=True)
        (tensor([3, 1, 2]), tensor([2, 1, 1]))
        >>> unique(torch.tensor([3, 1]), size=4, fill_value=-1)
        tensor([ 1,  3, -1, -1])
    """
    x = tensor(x)
    dim = None if axis is None else normalize_axis(axis, x.ndim, "ops.unique")
    values, inverse, counts = torch.unique(
        x if dim is not None else x.reshape(-1), sorted=True, return_inverse=True, return_counts=True, dim=dim
    )
    size = None if size is None else int_arg(size, "size", "ops.unique")
    if not isinstance(sorted, (bool, np.bool_)):
        raise ValueError(f"ops.unique: argument `sorted` must be a bool, received sorted={sorted!r}")

    def sized(t, fill, along=0):
        return t if size is None else _fixed_size(t, size, fill, along)

    first = None
    if return_index or not sorted:
        length = x.shape[dim] if dim is not None else x.numel()
        positions = torch.arange(length, device=x.device)
        first = torch.full((counts.shape[0],), length, dtype=torch.int64, device=x.device)
        first = first.scatter_reduce(0, inverse.reshape(-1), positions, reduce="amin")
    if not sorted and first is not None:  # first-occurrence order: reorder the sorted results, renumber the inverse
        order = torch.argsort(first)
        rank = torch.empty_like(order).scatter_(0, order, torch.arange(order.shape[0], device=order.device))
        values, counts, first, inverse = (
            values.index_select(dim or 0, order),
            counts[order],
            first[order],
            rank[inverse],
        )
    outputs = [sized(values, fill_value, dim or 0)]
    if return_index:
        outputs.append(sized(first, 0))
    if return_inverse:
        outputs.append(inverse if dim is not None else inverse.reshape(x.shape))
    if return_counts:
        outputs.append(sized(counts, 0))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _fixed_size(t, size, fill, dim):
    n = t.shape[dim]
    if n >= size:
        return t.narrow(dim, 0, size)
    pad_shape = list(t.shape)
    pad_shape[dim] = size - n
    return torch.cat([t, torch.full(pad_shape, 0 if fill is None else fill, dtype=t.dtype, device=t.device)], dim)


def unravel_index(indices: TensorLike, shape: ShapeLike | torch.Tensor | np.ndarray) -> tuple[torch.Tensor, ...]:
    """The coordinates of flat (row-major) ``indices`` in an array of ``shape``.

    Args:
        indices: int tensor, array or Python int: the flat indices.
        shape: int or sequence of ints: the shape of the array they index.

    Returns:
        A tuple of int32 tensors of ``indices``' shape, one per axis of ``shape``.

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints.
    """
    shape = shape_tuple(shape, "ops.unravel_index")
    flat = tensor(indices).to(torch.int64)
    coords = []
    for dim in reversed(shape):
        coords.append(torch.remainder(flat, dim).to(torch.int32))
        flat = torch.div(flat, dim, rounding_mode="floor")
    return tuple(reversed(coords))
