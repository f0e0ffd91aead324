"""Shape manipulation: reshaping, transposing, joining, splitting, tiling, padding, flipping and rolling.

Joining functions (``concatenate``, ``stack``, ``append``, ``hstack`` ...) promote their inputs to Keras's
result dtype. Results are views where torch gives them (``reshape``, ``transpose``, ``moveaxis``,
``expand_dims``, ``broadcast_to`` ...). Beyond Keras's torch backend: ``pad`` has NumPy's ``edge`` and
``wrap`` modes and pads any axes of any rank (the non-constant modes gather with indices, so they work for
every dtype); ``concatenate(axis=None)`` and ``append`` flatten as NumPy does; ``squeeze`` of an axis whose
size is not 1 raises (Keras's torch backend ignores that axis).

Example:
    >>> reshape(torch.ones(6), (2, 3)).shape
    torch.Size([2, 3])
    >>> concatenate([torch.zeros(2, dtype=torch.int8), torch.ones(1, dtype=torch.uint8)])
    tensor([0, 0, 1], dtype=torch.int16)
    >>> expand_dims(torch.ones(2, 3), (0, -1)).shape
    torch.Size([1, 2, 3, 1])
    >>> [t.tolist() for t in split(torch.arange(6), 3)]
    [[0, 1], [2, 3], [4, 5]]
    >>> pad(torch.tensor([1, 2, 3]), (2, 1), mode="reflect")
    tensor([3, 2, 1, 2, 3, 2])
    >>> repeat(torch.tensor([[1, 2]]), 2, axis=1)
    tensor([[1, 1, 2, 2]])
    >>> roll(torch.arange(4), 1)
    tensor([3, 0, 1, 2])
    >>> tile(torch.tensor([1, 2]), 2)
    tensor([1, 2, 1, 2])
    >>> diff(torch.tensor([1, 4, 9]))
    tensor([3, 5])
"""
import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.ops.numpy._common import int_arg, normalize_axes, normalize_axis, promote, shape_tuple, tensor

__all__ = [
    "append", "array_split", "broadcast_to", "concatenate", "diff", "dsplit", "dstack", "expand_dims", "flip",
    "fliplr", "flipud", "hsplit", "hstack", "moveaxis", "ndim", "pad", "ravel", "repeat", "reshape", "roll",
    "rot90", "size", "split", "squeeze", "stack", "swapaxes", "tile", "transpose", "view", "vsplit", "vstack",
]


def _shape(x):
    return tuple(x.shape)


def reshape(x, newshape):
    """``x`` with a new shape (one -1 allowed); a view when possible."""
    x = tensor(x)
    newshape = shape_tuple(newshape, "ops.reshape")
    try:
        return torch.reshape(x, newshape)
    except RuntimeError as error:
        raise ValueError(f"ops.reshape: cannot reshape an input of shape {_shape(x)} to {newshape}: {error}") \
            from None


def ravel(x):
    """``x`` flattened to 1-D."""
    return torch.ravel(tensor(x))


def transpose(x, axes=None):
    """``x`` with its axes permuted (reversed when ``axes`` is None)."""
    x = tensor(x)
    if axes is None:
        return x.permute(tuple(range(x.ndim - 1, -1, -1)))
    axes = normalize_axes(axes, x.ndim, "ops.transpose")
    if len(axes) != x.ndim:
        raise ValueError(f"ops.transpose: expected {x.ndim} axes for an input of shape {_shape(x)}, "
                         f"received axes={axes}")
    return x.permute(axes)


def swapaxes(x, axis1, axis2):
    """``x`` with two axes exchanged."""
    x = tensor(x)
    return torch.swapaxes(x, normalize_axis(axis1, x.ndim, "ops.swapaxes"),
                          normalize_axis(axis2, x.ndim, "ops.swapaxes"))


def moveaxis(x, source, destination):
    """``x`` with axes ``source`` moved to positions ``destination``."""
    x = tensor(x)
    source = normalize_axes(source, x.ndim, "ops.moveaxis")
    destination = normalize_axes(destination, x.ndim, "ops.moveaxis")
    if len(source) != len(destination):
        raise ValueError(f"ops.moveaxis: expected as many destinations as sources, received source={source} "
                         f"and destination={destination}")
    return torch.movedim(x, source, destination)


def expand_dims(x, axis):
    """``x`` with new axes of size 1 at the positions ``axis`` (an int or a tuple) of the result."""
    x = tensor(x)
    count = len(axis) if isinstance(axis, (list, tuple)) else 1
    axes = sorted(normalize_axes(axis, x.ndim + count, "ops.expand_dims"))
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return x.reshape(shape)


def squeeze(x, axis=None):
    """``x`` without its axes of size 1 (or only those in ``axis``, which must have size 1)."""
    x = tensor(x)
    if axis is None:
        return torch.squeeze(x)
    axes = normalize_axes(axis, x.ndim, "ops.squeeze")
    if any(x.shape[a] != 1 for a in axes):
        raise ValueError(f"ops.squeeze: expected axes of size 1, received axis={axis} for shape {_shape(x)}")
    return torch.squeeze(x, axes)


def _joined(xs, fn):
    if isinstance(xs, torch.Tensor) or not isinstance(xs, (list, tuple)) or not xs:
        raise ValueError(f"{fn}: expected a non-empty list of tensors, received {type(xs).__name__}")
    return promote(*xs)


def _join(fn, op, tensors, *args):
    try:
        return op(tensors, *args)
    except (RuntimeError, IndexError) as error:
        shapes = [_shape(t) for t in tensors]
        raise ValueError(f"{fn}: cannot join inputs of shapes {shapes}: {error}") from None


def concatenate(xs, axis=0):
    """The tensors ``xs`` joined along an existing axis (flattened first when ``axis`` is None)."""
    tensors = _joined(xs, "ops.concatenate")
    if axis is None:
        return torch.cat([t.reshape(-1) for t in tensors])
    if any(t.ndim == 0 for t in tensors):
        raise ValueError(f"ops.concatenate: expected inputs of rank >= 1, received shapes "
                         f"{[_shape(t) for t in tensors]}")
    return _join("ops.concatenate", torch.cat, tensors, axis)


def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when ``axis`` is None)."""
    x1, x2 = promote(x1, x2)
    if axis is None:
        return torch.cat([x1.reshape(-1), x2.reshape(-1)])
    return _join("ops.append", torch.cat, [x1, x2], axis)


def stack(x, axis=0):
    """The tensors ``x`` (of one shape) joined along a new axis."""
    return _join("ops.stack", torch.stack, _joined(x, "ops.stack"), axis)


def hstack(xs):
    """The tensors ``xs`` joined along axis 1 (axis 0 for 1-D inputs)."""
    return _join("ops.hstack", torch.hstack, _joined(xs, "ops.hstack"))


def vstack(xs):
    """The tensors ``xs`` (1-D ones as rows) joined along axis 0."""
    return _join("ops.vstack", torch.vstack, _joined(xs, "ops.vstack"))


def dstack(xs):
    """The tensors ``xs`` (made at least 3-D) joined along axis 2."""
    return _join("ops.dstack", torch.dstack, _joined(xs, "ops.dstack"))


def _split(x, indices_or_sections, axis, fn, even):
    axis = normalize_axis(axis, x.ndim, fn)
    if isinstance(indices_or_sections, (list, tuple, np.ndarray, torch.Tensor)) and \
            np.ndim(indices_or_sections) == 1:
        indices = [int_arg(i, "index", fn) for i in indices_or_sections]
        return list(torch.tensor_split(x, indices, dim=axis))
    sections = int_arg(indices_or_sections, "number of sections", fn)
    if sections <= 0:
        raise ValueError(f"{fn}: expected a positive number of sections, received {sections}")
    if even and x.shape[axis] % sections:
        raise ValueError(f"{fn}: expected a number of sections that divides the size {x.shape[axis]} of axis "
                         f"{axis}, received {sections}")
    return list(torch.tensor_split(x, sections, dim=axis))


def split(x, indices_or_sections, axis=0):
    """``x`` cut into equal sections (an int) or at ``indices`` along ``axis``; a list of views."""
    return _split(tensor(x), indices_or_sections, axis, "ops.split", even=True)


def array_split(x, indices_or_sections, axis=0):
    """Like :func:`split`, but a number of sections need not divide the axis (the first ones are larger)."""
    return _split(tensor(x), indices_or_sections, axis, "ops.array_split", even=False)


def _rank_split(x, indices_or_sections, min_rank, axis, fn):
    x = tensor(x)
    if x.ndim < min_rank:
        raise ValueError(f"{fn}: expected an input of rank >= {min_rank}, received shape {_shape(x)}")
    return _split(x, indices_or_sections, axis, fn, even=True)


def hsplit(x, indices_or_sections):
    """:func:`split` along axis 1 (axis 0 for 1-D inputs)."""
    x = tensor(x)
    return _rank_split(x, indices_or_sections, 1, 1 if x.ndim > 1 else 0, "ops.hsplit")


def vsplit(x, indices_or_sections):
    """:func:`split` along axis 0 of an input of rank >= 2."""
    return _rank_split(x, indices_or_sections, 2, 0, "ops.vsplit")


def dsplit(x, indices_or_sections):
    """:func:`split` along axis 2 of an input of rank >= 3."""
    return _rank_split(x, indices_or_sections, 3, 2, "ops.dsplit")


def tile(x, repeats):
    """``x`` repeated ``repeats`` times per axis (NumPy rules when the lengths differ)."""
    return torch.tile(tensor(x), shape_tuple(repeats, "ops.tile"))


def repeat(x, repeats, axis=None):
    """Each element of ``x`` repeated ``repeats`` times (an int or one count per element) along ``axis``
    (of the flattened input when ``axis`` is None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = normalize_axis(axis, x.ndim, "ops.repeat")
    if not isinstance(repeats, int):
        repeats = tensor(repeats).to(device=x.device, dtype=torch.int64)
        if repeats.ndim == 0:
            repeats = repeats.reshape(1)
        if repeats.numel() not in (1, x.shape[axis]):
            raise ValueError(f"ops.repeat: expected 1 or {x.shape[axis]} repeats for axis {axis}, received "
                             f"{repeats.numel()}")
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    """``x`` with the order of its elements reversed along ``axis`` (all axes when None)."""
    x = tensor(x)
    axes = tuple(range(x.ndim)) if axis is None else normalize_axes(axis, x.ndim, "ops.flip")
    return torch.flip(x, axes)


def fliplr(x):
    """``x`` flipped along axis 1."""
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"ops.fliplr: expected an input of rank >= 2, received shape {_shape(x)}")
    return torch.flip(x, (1,))


def flipud(x):
    """``x`` flipped along axis 0."""
    x = tensor(x)
    if x.ndim < 1:
        raise ValueError("ops.flipud: expected an input of rank >= 1, received a scalar")
    return torch.flip(x, (0,))


def roll(x, shift, axis=None):
    """``x`` with elements shifted by ``shift`` along ``axis`` (of the flattened input when None)."""
    x = tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), int_arg(shift, "shift", "ops.roll")).reshape(x.shape)
    axes = normalize_axes(axis, x.ndim, "ops.roll")
    shifts = shape_tuple(shift, "ops.roll")
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    return torch.roll(x, shifts, axes)


def rot90(array, k=1, axes=(0, 1)):
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    x = tensor(array)
    if x.ndim < 2:
        raise ValueError(f"ops.rot90: expected an input of rank >= 2, received shape {_shape(x)}")
    axes = normalize_axes(axes, x.ndim, "ops.rot90")
    if len(axes) != 2:
        raise ValueError(f"ops.rot90: expected two distinct axes, received axes={axes}")
    return torch.rot90(x, int_arg(k, "k", "ops.rot90"), axes)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (a view)."""
    x = tensor(x)
    shape = shape_tuple(shape, "ops.broadcast_to")
    try:
        return torch.broadcast_to(x, shape)
    except RuntimeError:
        raise ValueError(f"ops.broadcast_to: cannot broadcast shape {_shape(x)} to {shape}") from None


def ndim(x):
    """The number of axes of ``x`` (a Python int)."""
    return tensor(x).ndim


def size(x):
    """The number of elements of ``x`` (an int64 scalar tensor)."""
    x = tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


def view(x, dtype=None):
    """``x``'s memory reinterpreted as ``dtype`` (floatx when None, as in Keras); the last axis scales by the
    ratio of item sizes."""
    x = tensor(x)
    dtype = config.floatx() if dtype is None else dtype
    try:
        return x.view(config.torch_dtype(dtype))
    except RuntimeError as error:
        raise ValueError(f"ops.view: cannot view an input of shape {_shape(x)} and dtype "
                         f"{config.standardize_dtype(x.dtype)} as {dtype}: {error}") from None


def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis`` (logical xor for booleans)."""
    x = tensor(a)
    return torch.diff(x, n=int_arg(n, "n", "ops.diff"), dim=normalize_axis(axis, x.ndim, "ops.diff"))


_PAD_MODES = ("constant", "reflect", "symmetric", "edge", "wrap")


def _pad_index(size, before, after, mode, device):
    """Source indices along one axis for a non-constant padding mode."""
    positions = torch.arange(-before, size + after, device=device)
    if mode == "edge":
        return positions.clamp(0, size - 1)
    if mode == "wrap":
        return positions.remainder(size)
    if mode == "reflect":
        if size == 1:
            return torch.zeros_like(positions)
        period = 2 * size - 2
        folded = positions.remainder(period)
        return torch.where(folded < size, folded, period - folded)
    period = 2 * size  # symmetric
    folded = positions.remainder(period)
    return torch.where(folded < size, folded, period - 1 - folded)


def pad(x, pad_width, mode="constant", constant_values=None):
    """``x`` padded by ``pad_width`` (NumPy's forms: ``n``, ``(before, after)``, one pair per axis) with
    ``mode`` one of constant, reflect, symmetric, edge, wrap."""
    x = tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"ops.pad: expected mode one of {_PAD_MODES}, received {mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"ops.pad: constant_values can only be given with mode='constant', received mode={mode!r}")
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    except ValueError:
        raise ValueError(f"ops.pad: expected pad_width for {x.ndim} axes, received {pad_width!r}") from None
    if (widths < 0).any():
        raise ValueError(f"ops.pad: expected non-negative pad widths, received {pad_width!r}")
    if mode == "constant":
        flat = [int(w) for pair in widths[::-1] for w in pair]
        value = 0 if constant_values is None else constant_values
        if x.dtype == torch.bool:
            return F.pad(x.to(torch.uint8), flat, value=bool(value)).to(torch.bool)
        return F.pad(x, flat, value=value)
    for axis, (before, after) in enumerate(widths.tolist()):
        if before == 0 and after == 0:
            continue
        if x.shape[axis] == 0:
            raise ValueError(f"ops.pad: cannot pad an empty axis {axis} with mode={mode!r}")
        x = x.index_select(axis, _pad_index(x.shape[axis], before, after, mode, x.device))
    return x
