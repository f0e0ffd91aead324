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
import torch

from kerastorch import config
from kerastorch.ops.dtypes import result_type
from kerastorch.ops.numpy._common import int_arg, normalize_axis, promote, shape_tuple, tensor

__all__ = [
    "argpartition", "argsort", "bincount", "digitize", "get_item", "histogram", "isin", "nonzero", "searchsorted",
    "select", "sort", "take", "take_along_axis", "unique", "unravel_index", "where",
]


def _indices(indices, size, device):
    """Integer indices with negative ones counted from the end."""
    indices = tensor(indices).to(device)
    if indices.is_floating_point() or indices.dtype == torch.bool:
        indices = indices.to(torch.int64)
    return torch.where(indices < 0, indices + size, indices)


def take(x, indices, axis=None):
    """The elements of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when None); the indices'
    shape replaces that axis."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = normalize_axis(axis, x.ndim, "ops.take")
    indices = _indices(indices, x.shape[axis], x.device)
    try:
        out = x.index_select(axis, indices.reshape(-1))
    except (IndexError, RuntimeError) as error:
        raise ValueError(f"ops.take: indices out of range for axis {axis} of shape {tuple(x.shape)}: {error}") \
            from None
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


def take_along_axis(x, indices, axis=None):
    """The elements of ``x`` at ``indices`` (broadcast against ``x``) along ``axis`` (flattened when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
        indices = tensor(indices).reshape(-1)
    axis = normalize_axis(axis, x.ndim, "ops.take_along_axis")
    indices = _indices(indices, x.shape[axis], x.device)
    if indices.ndim != x.ndim:
        raise ValueError(f"ops.take_along_axis: expected indices of rank {x.ndim}, received shape "
                         f"{tuple(indices.shape)}")
    return torch.take_along_dim(x, indices.to(torch.int64), axis)


def get_item(x, key):
    """``x[key]``."""
    return tensor(x)[key]


def nonzero(x):
    """The indices of the non-zero elements of ``x``: a tuple of int32 tensors, one per axis."""
    x = tensor(x)
    return tuple(i.to(torch.int32) for i in torch.nonzero(x, as_tuple=True))


def where(condition, x1=None, x2=None):
    """Elements of ``x1`` where ``condition`` holds, else of ``x2`` (promoted together); with only
    ``condition``, :func:`nonzero` of it."""
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("ops.where: expected both x1 and x2, or neither; received only one")
    x1, x2 = promote(x1, x2)
    condition = tensor(condition).to(device=x1.device, dtype=torch.bool)
    try:
        return torch.where(condition, x1, x2)
    except RuntimeError:
        raise ValueError(f"ops.where: cannot broadcast shapes {tuple(condition.shape)}, {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)}") from None


def select(condlist, choicelist, default=0):
    """For each element, the entry of the first choice whose condition holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"ops.select: expected as many conditions as choices, received {len(condlist)} and "
                         f"{len(choicelist)}")
    if not condlist:
        raise ValueError("ops.select: expected at least one condition, received none")
    *choices, default = promote(*choicelist, default)
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choices)):
        out = torch.where(tensor(cond).to(device=choice.device, dtype=torch.bool), choice, out)
    return out


def _flat_or(x, axis, fn):
    x = tensor(x)
    if axis is None:
        return x.reshape(-1), 0
    return x, normalize_axis(axis, max(x.ndim, 1), fn)


def sort(x, axis=-1):
    """``x`` sorted ascending along ``axis`` (flattened when None)."""
    x, axis = _flat_or(x, axis, "ops.sort")
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    """The int32 indices that sort ``x`` along ``axis`` (stable; flattened when None)."""
    x, axis = _flat_or(x, axis, "ops.argsort")
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def argpartition(x, kth, axis=-1):
    """Int32 indices that put the ``kth`` element of ``x`` in its sorted place along ``axis``, smaller ones
    before it and larger ones after (here: a stable argsort)."""
    x, axis = _flat_or(x, axis, "ops.argpartition")
    kth = int_arg(kth, "kth", "ops.argpartition")
    if not -x.shape[axis] <= kth < x.shape[axis]:
        raise ValueError(f"ops.argpartition: expected kth in [{-x.shape[axis]}, {x.shape[axis]}), received {kth}")
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def searchsorted(sorted_sequence, values, side="left"):
    """Int32 insertion indices of ``values`` in the ascending 1-D ``sorted_sequence``."""
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: expected side 'left' or 'right', received {side!r}")
    sequence, values = promote(sorted_sequence, values)
    if sequence.ndim != 1:
        raise ValueError(f"ops.searchsorted: expected a 1-D sorted_sequence, received shape "
                         f"{tuple(sequence.shape)}")
    return torch.searchsorted(sequence, values, side=side, out_int32=True)


def digitize(x, bins):
    """Int32 index of the bin of each element: ``i`` such that ``bins[i-1] <= x < bins[i]`` (ascending bins)."""
    x, bins = promote(x, bins)
    if bins.ndim != 1:
        raise ValueError(f"ops.digitize: expected 1-D bins, received shape {tuple(bins.shape)}")
    return torch.bucketize(x, bins, out_int32=True, right=True)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (or summed ``weights``) of each non-negative integer in ``x``; per row for 2-D ``x``. Counts
    are int32; weighted sums have the weights' dtype (int32 at least for integer weights)."""
    if sparse:
        raise ValueError("ops.bincount: sparse=True is not supported by kerastorch")
    x = tensor(x)
    if x.ndim not in (1, 2) or x.is_floating_point() or x.dtype == torch.bool:
        raise ValueError(f"ops.bincount: expected a 1-D or 2-D integer input, received shape {tuple(x.shape)} "
                         f"and dtype {config.standardize_dtype(x.dtype)}")
    minlength = int_arg(minlength, "minlength", "ops.bincount")
    if weights is None:
        out_dtype = torch.int32
    else:
        weights = tensor(weights).to(x.device)
        out_dtype = config.torch_dtype(result_type(weights.dtype, "int32")) if not weights.is_floating_point() \
            else weights.dtype
        weights = weights.to(torch.float64 if out_dtype == torch.float64 else torch.float32) \
            if out_dtype.is_floating_point else weights.to(torch.float64)
    if x.ndim == 1:
        counts = torch.bincount(x, weights, minlength)
        return counts.to(out_dtype)
    rows = x.shape[0]
    length = max(minlength, int(x.max()) + 1) if x.numel() else minlength
    flat = (x + torch.arange(rows, device=x.device).unsqueeze(1) * length).reshape(-1)
    counts = torch.bincount(flat, None if weights is None else weights.reshape(-1), rows * length)
    return counts.reshape(rows, length).to(out_dtype)


def histogram(x, bins=10, range=None):  # noqa: A002 - Keras's name
    """Counts of a 1-D ``x`` in ``bins`` equal bins over ``range`` (default: min to max) and the bin edges;
    the last bin includes its right edge. Both are floats of ``x``'s dtype (floatx for integer input)."""
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


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of ``x1`` occurs in ``x2`` (not, with ``invert``)."""
    x1, x2 = promote(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None,  # noqa: A002
           size=None, fill_value=None):
    """The sorted unique elements of ``x`` (or unique slices along ``axis``); optionally the index of each
    one's first occurrence, the inverse indices and the counts. ``size`` pads (with ``fill_value``, default
    0) or truncates the result to a fixed length."""
    x = tensor(x)
    dim = None if axis is None else normalize_axis(axis, x.ndim, "ops.unique")
    values, inverse, counts = torch.unique(x if dim is not None else x.reshape(-1), sorted=True,
                                           return_inverse=True, return_counts=True, dim=dim)
    size = None if size is None else int_arg(size, "size", "ops.unique")

    def sized(t, fill, along=0):
        return t if size is None else _fixed_size(t, size, fill, along)

    outputs = [sized(values, fill_value, dim or 0)]
    if return_index:
        length = x.shape[dim] if dim is not None else x.numel()
        positions = torch.arange(length, device=x.device)
        first = torch.full((counts.shape[0],), length, dtype=torch.int64, device=x.device)
        outputs.append(sized(first.scatter_reduce(0, inverse, positions, reduce="amin"), 0))
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


def unravel_index(indices, shape):
    """The coordinates (a tuple of int32 tensors) of flat ``indices`` in an array of ``shape``."""
    shape = shape_tuple(shape, "ops.unravel_index")
    flat = tensor(indices).to(torch.int64)
    coords = []
    for dim in reversed(shape):
        coords.append(torch.remainder(flat, dim).to(torch.int32))
        flat = torch.div(flat, dim, rounding_mode="floor")
    return tuple(reversed(coords))
