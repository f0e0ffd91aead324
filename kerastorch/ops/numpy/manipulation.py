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

from __future__ import annotations

from typing import Any, Callable, Sequence, SupportsIndex

import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import Axis, DTypeLike, ShapeLike, TensorLike
from kerastorch.ops.numpy._common import int_arg, normalize_axes, normalize_axis, promote, shape_tuple, tensor

__all__ = [
    "append",
    "array_split",
    "broadcast_to",
    "concatenate",
    "diff",
    "dsplit",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "moveaxis",
    "ndim",
    "pad",
    "ravel",
    "repeat",
    "reshape",
    "roll",
    "rot90",
    "size",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "tile",
    "transpose",
    "view",
    "vsplit",
    "vstack",
]


def _shape(x: torch.Tensor) -> tuple[int, ...]:
    return tuple(x.shape)


def reshape(x: TensorLike, newshape: ShapeLike | torch.Tensor | np.ndarray) -> torch.Tensor:
    """``x`` with a new shape holding the same elements (a view where the memory allows).

    Args:
        x: tensor, array or Python value: the input.
        newshape: int or sequence of ints: the new shape; one entry may be -1, inferred from the size.

    Returns:
        A tensor of shape ``newshape`` and ``x``'s dtype.

    Raises:
        ValueError: ``newshape`` does not hold ``x``'s number of elements.
        TypeError: ``newshape`` is not an int or a sequence of ints.
    """
    x = tensor(x)
    newshape = shape_tuple(newshape, "ops.reshape")
    try:
        return torch.reshape(x, newshape)
    except RuntimeError as error:
        raise ValueError(f"ops.reshape: cannot reshape an input of shape {_shape(x)} to {newshape}: {error}") from None


def ravel(x: TensorLike) -> torch.Tensor:
    """``x`` flattened to 1-D, in row-major order.

    Args:
        x: tensor, array or Python value: the input.

    Returns:
        A 1-D tensor of ``x``'s size and dtype.

    Example:
        >>> ravel(torch.tensor([[1, 2], [3, 4]]))
        tensor([1, 2, 3, 4])
    """
    return torch.ravel(tensor(x))


def transpose(x: TensorLike, axes: Sequence[int] | None = None) -> torch.Tensor:
    """``x`` with its axes permuted (a view).

    Args:
        x: tensor, array or Python value: the input.
        axes: sequence of ints or None, default `None`: the new order of the axes (``axes[i]`` is the input axis that
            becomes axis ``i``); None reverses them.

    Returns:
        A tensor of ``x``'s dtype with the permuted shape.

    Raises:
        ValueError: ``axes`` is not a permutation of ``x``'s axes.

    Example:
        >>> transpose(torch.ones(2, 3, 4)).shape
        torch.Size([4, 3, 2])
        >>> transpose(torch.ones(2, 3, 4), (0, 2, 1)).shape
        torch.Size([2, 4, 3])
    """
    x = tensor(x)
    if axes is None:
        return x.permute(tuple(range(x.ndim - 1, -1, -1)))
    axes = normalize_axes(axes, x.ndim, "ops.transpose")
    if len(axes) != x.ndim:
        raise ValueError(
            f"ops.transpose: expected {x.ndim} axes for an input of shape {_shape(x)}, received axes={axes}"
        )
    return x.permute(axes)


def swapaxes(x: TensorLike, axis1: int, axis2: int) -> torch.Tensor:
    """``x`` with two axes exchanged (a view).

    Args:
        x: tensor, array or Python value: the input.
        axis1: int: the first axis.
        axis2: int: the second axis.

    Returns:
        A tensor of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> swapaxes(torch.ones(2, 3, 4), 0, 2).shape
        torch.Size([4, 3, 2])
    """
    x = tensor(x)
    return torch.swapaxes(
        x, normalize_axis(axis1, x.ndim, "ops.swapaxes"), normalize_axis(axis2, x.ndim, "ops.swapaxes")
    )


def moveaxis(x: TensorLike, source: int | Sequence[int], destination: int | Sequence[int]) -> torch.Tensor:
    """``x`` with the axes ``source`` moved to the positions ``destination`` (a view).

    The other axes keep their order.

    Args:
        x: tensor, array or Python value: the input.
        source: int or sequence of ints: the axes to move.
        destination: int or sequence of ints: their positions in the result, one per source axis.

    Returns:
        A tensor of ``x``'s dtype.

    Raises:
        ValueError: an axis is out of range or repeated, or ``source`` and ``destination`` differ in length.

    Example:
        >>> moveaxis(torch.ones(2, 3, 4), 0, -1).shape
        torch.Size([3, 4, 2])
    """
    x = tensor(x)
    source = normalize_axes(source, x.ndim, "ops.moveaxis")
    destination = normalize_axes(destination, x.ndim, "ops.moveaxis")
    if len(source) != len(destination):
        raise ValueError(
            f"ops.moveaxis: expected as many destinations as sources, received source={source} "
            f"and destination={destination}"
        )
    return torch.movedim(x, source, destination)


def expand_dims(x: TensorLike, axis: int | Sequence[int]) -> torch.Tensor:
    """``x`` with new axes of size 1 inserted.

    Args:
        x: tensor, array or Python value: the input.
        axis: int or sequence of ints: the positions of the new axes in the result.

    Returns:
        A tensor of ``x``'s dtype and rank ``x.ndim + len(axis)`` (a view).

    Raises:
        ValueError: an axis is out of range for the result's rank, or repeated.
    """
    x = tensor(x)
    count = len(axis) if isinstance(axis, (list, tuple)) else 1
    axes = sorted(normalize_axes(axis, x.ndim + count, "ops.expand_dims"))
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return x.reshape(shape)


def squeeze(x: TensorLike, axis: Axis = None) -> torch.Tensor:
    """``x`` without axes of size 1.

    Unlike Keras's torch backend, which skips such an axis, naming an axis whose size is not 1 raises.

    Args:
        x: tensor, array or Python value: the input.
        axis: int, sequence of ints or None, default `None`: the axes to remove (each of size 1); None removes every
            axis of size 1.

    Returns:
        A tensor of ``x``'s dtype (a view).

    Raises:
        ValueError: an axis is out of range, repeated, or not of size 1.

    Example:
        >>> squeeze(torch.ones(1, 3, 1)).shape
        torch.Size([3])
        >>> squeeze(torch.ones(1, 3, 1), axis=0).shape
        torch.Size([3, 1])
    """
    x = tensor(x)
    if axis is None:
        return torch.squeeze(x)
    axes = normalize_axes(axis, x.ndim, "ops.squeeze")
    if any(x.shape[a] != 1 for a in axes):
        raise ValueError(f"ops.squeeze: expected axes of size 1, received axis={axis} for shape {_shape(x)}")
    return torch.squeeze(x, axes)


def _joined(xs: Sequence[TensorLike], fn: str) -> list[torch.Tensor]:
    if isinstance(xs, torch.Tensor) or not isinstance(xs, (list, tuple)) or not xs:
        raise ValueError(f"{fn}: expected a non-empty list of tensors, received {type(xs).__name__}")
    return promote(*xs)


def _join(fn: str, op: Callable[..., torch.Tensor], tensors: Sequence[torch.Tensor], *args: Any) -> torch.Tensor:
    try:
        return op(tensors, *args)
    except (RuntimeError, IndexError) as error:
        shapes = [_shape(t) for t in tensors]
        raise ValueError(f"{fn}: cannot join inputs of shapes {shapes}: {error}") from None


def concatenate(xs: Sequence[TensorLike], axis: int | None = 0) -> torch.Tensor:
    """The tensors ``xs`` joined along an existing axis.

    Args:
        xs: list or tuple of tensors/arrays: the inputs, promoted to their common dtype.
        axis: int or None, default `0`: the axis to join along; None flattens the inputs first (NumPy's behaviour).

    Returns:
        A tensor of the promoted dtype.

    Raises:
        ValueError: ``xs`` is not a non-empty list or tuple, or the shapes cannot be joined.
        ValueError: an input is 0-dimensional (with an int ``axis``).
    """
    tensors = _joined(xs, "ops.concatenate")
    if axis is None:
        return torch.cat([t.reshape(-1) for t in tensors])
    if any(t.ndim == 0 for t in tensors):
        raise ValueError(
            f"ops.concatenate: expected inputs of rank >= 1, received shapes {[_shape(t) for t in tensors]}"
        )
    return _join("ops.concatenate", torch.cat, tensors, axis)


def append(x1: TensorLike, x2: TensorLike, axis: int | None = None) -> torch.Tensor:
    """``x2`` appended to ``x1`` along ``axis``.

    The two are promoted to their common dtype.

    Args:
        x1: tensor, array or Python value: the values first.
        x2: tensor, array or Python value: the values appended.
        axis: int or None, default `None`: the axis to join along; None flattens both first.

    Returns:
        A tensor of the promoted dtype (1-D for ``axis=None``).

    Raises:
        ValueError: the shapes cannot be joined along ``axis``.

    Example:
        >>> append(torch.tensor([1, 2]), torch.tensor([[3]]))
        tensor([1, 2, 3])
        >>> append(torch.tensor([[1, 2]]), torch.tensor([[3, 4]]), axis=0)
        tensor([[1, 2],
                [3, 4]])
    """
    x1, x2 = promote(x1, x2)
    if axis is None:
        return torch.cat([x1.reshape(-1), x2.reshape(-1)])
    return _join("ops.append", torch.cat, [x1, x2], axis)


def stack(x: Sequence[TensorLike], axis: int = 0) -> torch.Tensor:
    """The tensors ``x``, of one shape, joined along a new axis.

    Args:
        x: list or tuple of tensors/arrays: the inputs, of one shape, promoted to their common dtype.
        axis: int, default `0`: the position of the new axis in the result.

    Returns:
        A tensor of rank one more than the inputs' and of the promoted dtype.

    Raises:
        ValueError: ``x`` is not a non-empty list or tuple, or the shapes differ.

    Example:
        >>> stack([torch.tensor([1, 2]), torch.tensor([3, 4])], axis=1)
        tensor([[1, 3],
                [2, 4]])
    """
    return _join("ops.stack", torch.stack, _joined(x, "ops.stack"), axis)


def hstack(xs: Sequence[TensorLike]) -> torch.Tensor:
    """The tensors ``xs`` joined horizontally: along axis 1, or axis 0 for 1-D inputs.

    Args:
        xs: list or tuple of tensors/arrays: the inputs, promoted to their common dtype.

    Returns:
        A tensor of the promoted dtype.

    Raises:
        ValueError: ``xs`` is not a non-empty list or tuple, or the shapes cannot be joined.

    Example:
        >>> hstack([torch.tensor([1, 2]), torch.tensor([3])])
        tensor([1, 2, 3])
    """
    return _join("ops.hstack", torch.hstack, _joined(xs, "ops.hstack"))


def vstack(xs: Sequence[TensorLike]) -> torch.Tensor:
    """The tensors ``xs`` joined vertically: along axis 0, 1-D inputs as rows.

    Args:
        xs: list or tuple of tensors/arrays: the inputs, promoted to their common dtype.

    Returns:
        A tensor of rank >= 2 and the promoted dtype.

    Raises:
        ValueError: ``xs`` is not a non-empty list or tuple, or the shapes cannot be joined.

    Example:
        >>> vstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return _join("ops.vstack", torch.vstack, _joined(xs, "ops.vstack"))


def dstack(xs: Sequence[TensorLike]) -> torch.Tensor:
    """The tensors ``xs`` joined depth-wise: made at least 3-D (``(n,)`` as ``(1, n, 1)``), then joined along axis 2.

    Args:
        xs: list or tuple of tensors/arrays: the inputs, promoted to their common dtype.

    Returns:
        A tensor of rank >= 3 and the promoted dtype.

    Raises:
        ValueError: ``xs`` is not a non-empty list or tuple, or the shapes cannot be joined.

    Example:
        >>> dstack([torch.tensor([1, 2]), torch.tensor([3, 4])]).shape
        torch.Size([1, 2, 2])
    """
    return _join("ops.dstack", torch.dstack, _joined(xs, "ops.dstack"))


def _split(
    x: torch.Tensor,
    indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray,
    axis: int,
    fn: str,
    even: bool,
) -> list[torch.Tensor]:
    axis = normalize_axis(axis, x.ndim, fn)
    if isinstance(indices_or_sections, (list, tuple, np.ndarray, torch.Tensor)) and np.ndim(indices_or_sections) == 1:
        indices = [int_arg(i, "index", fn) for i in indices_or_sections]
        return list(torch.tensor_split(x, indices, dim=axis))
    sections = int_arg(indices_or_sections, "number of sections", fn)
    if sections <= 0:
        raise ValueError(f"{fn}: expected a positive number of sections, received {sections}")
    if even and x.shape[axis] % sections:
        raise ValueError(
            f"{fn}: expected a number of sections that divides the size {x.shape[axis]} of axis "
            f"{axis}, received {sections}"
        )
    return list(torch.tensor_split(x, sections, dim=axis))


def split(
    x: TensorLike,
    indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray,
    axis: int = 0,
) -> list[torch.Tensor]:
    """``x`` cut along ``axis`` into equal sections or at the given indices.

    Args:
        x: tensor, array or Python value: the input.
        indices_or_sections: int or 1-D list/array/tensor of ints: a number of equal sections, or the indices at which
            to cut. A number of sections must divide the axis.
        axis: int, default `0`: the axis to cut.

    Returns:
        A list of tensors (views of ``x``).

    Raises:
        ValueError: a number of sections is not positive or does not divide the axis, or ``x``'s rank is too low.
        TypeError: ``indices_or_sections`` holds something other than ints.
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> [t.tolist() for t in split(torch.arange(6), [1, 4])]
        [[0], [1, 2, 3], [4, 5]]
    """
    return _split(tensor(x), indices_or_sections, axis, "ops.split", even=True)


def array_split(
    x: TensorLike,
    indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray,
    axis: int = 0,
) -> list[torch.Tensor]:
    """``x`` cut along ``axis`` like :func:`split`, except that a number of sections need not divide the axis (the first
    sections get one element more).

    Args:
        x: tensor, array or Python value: the input.
        indices_or_sections: int or 1-D list/array/tensor of ints: a number of equal sections, or the indices at which
            to cut.
        axis: int, default `0`: the axis to cut.

    Returns:
        A list of tensors (views of ``x``).

    Raises:
        ValueError: a number of sections is not positive.
        TypeError: ``indices_or_sections`` holds something other than ints.
        ValueError: an axis is out of range for ``x``'s rank.

    Example:
        >>> [t.tolist() for t in array_split(torch.arange(5), 3)]
        [[0, 1], [2, 3], [4]]
    """
    return _split(tensor(x), indices_or_sections, axis, "ops.array_split", even=False)


def _rank_split(
    x: TensorLike,
    indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray,
    min_rank: int,
    axis: int,
    fn: str,
) -> list[torch.Tensor]:
    x = tensor(x)
    if x.ndim < min_rank:
        raise ValueError(f"{fn}: expected an input of rank >= {min_rank}, received shape {_shape(x)}")
    return _split(x, indices_or_sections, axis, fn, even=True)


def hsplit(
    x: TensorLike, indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray
) -> list[torch.Tensor]:
    """``x`` cut horizontally: :func:`split` along axis 1, or axis 0 for 1-D inputs.

    Args:
        x: tensor or array of rank >= 1: the input.
        indices_or_sections: int or 1-D list/array/tensor of ints: a number of equal sections, or the indices at which
            to cut.

    Returns:
        A list of tensors (views of ``x``).

    Raises:
        ValueError: a number of sections is not positive or does not divide the axis, or ``x``'s rank is too low.
        TypeError: ``indices_or_sections`` holds something other than ints.

    Example:
        >>> [t.shape for t in hsplit(torch.ones(2, 4), 2)]
        [torch.Size([2, 2]), torch.Size([2, 2])]
    """
    x = tensor(x)
    return _rank_split(x, indices_or_sections, 1, 1 if x.ndim > 1 else 0, "ops.hsplit")


def vsplit(
    x: TensorLike, indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray
) -> list[torch.Tensor]:
    """``x`` cut vertically: :func:`split` along axis 0.

    Args:
        x: tensor or array of rank >= 2: the input.
        indices_or_sections: int or 1-D list/array/tensor of ints: a number of equal sections, or the indices at which
            to cut.

    Returns:
        A list of tensors (views of ``x``).

    Raises:
        ValueError: a number of sections is not positive or does not divide the axis, or ``x``'s rank is too low.
        TypeError: ``indices_or_sections`` holds something other than ints.

    Example:
        >>> [t.shape for t in vsplit(torch.ones(4, 2), [1])]
        [torch.Size([1, 2]), torch.Size([3, 2])]
    """
    return _rank_split(x, indices_or_sections, 2, 0, "ops.vsplit")


def dsplit(
    x: TensorLike, indices_or_sections: SupportsIndex | Sequence[SupportsIndex] | torch.Tensor | np.ndarray
) -> list[torch.Tensor]:
    """``x`` cut depth-wise: :func:`split` along axis 2.

    Args:
        x: tensor or array of rank >= 3: the input.
        indices_or_sections: int or 1-D list/array/tensor of ints: a number of equal sections, or the indices at which
            to cut.

    Returns:
        A list of tensors (views of ``x``).

    Raises:
        ValueError: a number of sections is not positive or does not divide the axis, or ``x``'s rank is too low.
        TypeError: ``indices_or_sections`` holds something other than ints.

    Example:
        >>> [t.shape for t in dsplit(torch.ones(1, 2, 4), 2)]
        [torch.Size([1, 2, 2]), torch.Size([1, 2, 2])]
    """
    return _rank_split(x, indices_or_sections, 3, 2, "ops.dsplit")


def tile(x: TensorLike, repeats: ShapeLike | torch.Tensor | np.ndarray) -> torch.Tensor:
    """``x`` repeated as a whole ``repeats`` times along each axis.

    When ``repeats`` has fewer entries than ``x`` has axes, ones are prepended to it; when more, axes of size 1 are
    prepended to ``x``.

    Args:
        x: tensor, array or Python value: the input.
        repeats: int or sequence of ints: the number of copies per axis.

    Returns:
        A tensor of ``x``'s dtype.

    Raises:
        TypeError: ``repeats`` is not an int or a sequence of ints.

    Example:
        >>> tile(torch.tensor([[1, 2]]), (2, 1))
        tensor([[1, 2],
                [1, 2]])
    """
    return torch.tile(tensor(x), shape_tuple(repeats, "ops.tile"))


def repeat(x: TensorLike, repeats: TensorLike, axis: int | None = None) -> torch.Tensor:
    """Each element of ``x`` repeated along ``axis``.

    Args:
        x: tensor, array or Python value: the input.
        repeats: int, or 1-D tensor/array/list of ints: the number of copies, the same for every element or one per
            element along ``axis``.
        axis: int or None, default `None`: the axis to repeat along; None repeats the elements of the flattened ``x``.

    Returns:
        A tensor of ``x``'s dtype (1-D for ``axis=None``).

    Raises:
        ValueError: ``repeats`` holds neither 1 nor ``x.shape[axis]`` counts, or ``axis`` is out of range.

    Example:
        >>> repeat(torch.tensor([1, 2]), torch.tensor([1, 3]))
        tensor([1, 2, 2, 2])
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = normalize_axis(axis, x.ndim, "ops.repeat")
    if not isinstance(repeats, int):
        repeats = tensor(repeats).to(device=x.device, dtype=torch.int64)
        if repeats.ndim == 0:
            repeats = repeats.reshape(1)
        if repeats.numel() not in (1, x.shape[axis]):
            raise ValueError(
                f"ops.repeat: expected 1 or {x.shape[axis]} repeats for axis {axis}, received {repeats.numel()}"
            )
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x: TensorLike, axis: Axis = None) -> torch.Tensor:
    """``x`` with the order of its elements reversed along ``axis``.

    Args:
        x: tensor, array or Python value: the input.
        axis: int, sequence of ints or None, default `None`: the axes to reverse; None reverses all of them.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: an axis is out of range or repeated.

    Example:
        >>> flip(torch.tensor([[1, 2], [3, 4]]), axis=1)
        tensor([[2, 1],
                [4, 3]])
    """
    x = tensor(x)
    axes = tuple(range(x.ndim)) if axis is None else normalize_axes(axis, x.ndim, "ops.flip")
    return torch.flip(x, axes)


def fliplr(x: TensorLike) -> torch.Tensor:
    """``x`` flipped left-right: reversed along axis 1.

    Args:
        x: tensor or array of rank >= 2: the input.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: ``x`` has fewer than two axes.

    Example:
        >>> fliplr(torch.tensor([[1, 2], [3, 4]]))
        tensor([[2, 1],
                [4, 3]])
    """
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"ops.fliplr: expected an input of rank >= 2, received shape {_shape(x)}")
    return torch.flip(x, (1,))


def flipud(x: TensorLike) -> torch.Tensor:
    """``x`` flipped up-down: reversed along axis 0.

    Args:
        x: tensor or array of rank >= 1: the input.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: ``x`` is 0-dimensional.

    Example:
        >>> flipud(torch.tensor([[1, 2], [3, 4]]))
        tensor([[3, 4],
                [1, 2]])
    """
    x = tensor(x)
    if x.ndim < 1:
        raise ValueError("ops.flipud: expected an input of rank >= 1, received a scalar")
    return torch.flip(x, (0,))


def roll(x: TensorLike, shift: SupportsIndex | Sequence[int], axis: Axis = None) -> torch.Tensor:
    """``x`` with its elements shifted cyclically by ``shift`` positions along ``axis``.

    Elements shifted past the end come back at the start.

    Args:
        x: tensor, array or Python value: the input.
        shift: int or sequence of ints: the number of positions (negative: backwards); one per axis, or one for all of
            them.
        axis: int, sequence of ints or None, default `None`: the axes to roll; None rolls the flattened ``x`` and
            restores its shape.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        ValueError: an axis is out of range or repeated.
        TypeError: ``shift`` is not an int (or a sequence of ints with ``axis``).

    Example:
        >>> roll(torch.tensor([[1, 2], [3, 4]]), 1, axis=0)
        tensor([[3, 4],
                [1, 2]])
    """
    x = tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), int_arg(shift, "shift", "ops.roll")).reshape(x.shape)
    axes = normalize_axes(axis, x.ndim, "ops.roll")
    shifts = shape_tuple(shift, "ops.roll")
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    return torch.roll(x, shifts, axes)


def rot90(array: TensorLike, k: SupportsIndex = 1, axes: Sequence[int] = (0, 1)) -> torch.Tensor:
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``.

    The rotation goes from the first axis towards the second (counter-clockwise for the default axes).

    Args:
        array: tensor or array of rank >= 2: the input.
        k: int, default `1`: the number of quarter turns (negative: the other way).
        axes: pair of ints, default `(0, 1)`: the two axes of the plane of rotation.

    Returns:
        A tensor of ``array``'s dtype.

    Raises:
        ValueError: ``array`` has fewer than two axes, or ``axes`` is not two distinct axes in range.
        TypeError: ``k`` is not an int.

    Example:
        >>> rot90(torch.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    x = tensor(array)
    if x.ndim < 2:
        raise ValueError(f"ops.rot90: expected an input of rank >= 2, received shape {_shape(x)}")
    axes = normalize_axes(axes, x.ndim, "ops.rot90")
    if len(axes) != 2:
        raise ValueError(f"ops.rot90: expected two distinct axes, received axes={axes}")
    return torch.rot90(x, int_arg(k, "k", "ops.rot90"), axes)


def broadcast_to(x: TensorLike, shape: ShapeLike | torch.Tensor | np.ndarray) -> torch.Tensor:
    """``x`` broadcast to ``shape`` (a view that repeats it without copying).

    Args:
        x: tensor, array or Python value: the input.
        shape: int or sequence of ints: the target shape.

    Returns:
        A tensor of ``shape`` and ``x``'s dtype.

    Raises:
        ValueError: ``x``'s shape does not broadcast to ``shape``.

    Example:
        >>> broadcast_to(torch.tensor([1, 2]), (2, 2))
        tensor([[1, 2],
                [1, 2]])
    """
    x = tensor(x)
    shape = shape_tuple(shape, "ops.broadcast_to")
    try:
        return torch.broadcast_to(x, shape)
    except RuntimeError:
        raise ValueError(f"ops.broadcast_to: cannot broadcast shape {_shape(x)} to {shape}") from None


def ndim(x: TensorLike) -> int:
    """The number of axes of ``x``.

    Args:
        x: tensor, array or Python value: the input.

    Returns:
        A Python int.

    Example:
        >>> ndim(torch.ones(2, 3))
        2
    """
    return tensor(x).ndim


def size(x: TensorLike) -> torch.Tensor:
    """The number of elements of ``x``.

    Args:
        x: tensor, array or Python value: the input.

    Returns:
        A 0-dim int64 tensor on ``x``'s device.

    Example:
        >>> size(torch.ones(2, 3))
        tensor(6)
    """
    x = tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


def view(x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
    """``x``'s memory reinterpreted as ``dtype`` (no conversion of the values).

    For a dtype of another item size, the last axis scales by the ratio of the sizes.

    Args:
        x: tensor, array or Python value: the input.
        dtype: str or None, default `None`: the dtype to view the memory as; None gives floatx, as in Keras.

    Returns:
        A tensor of ``dtype`` sharing ``x``'s memory.

    Raises:
        ValueError: the last axis cannot be reinterpreted (its size in bytes does not divide evenly, or ``x`` is not
            contiguous).

    Example:
        >>> view(torch.tensor([1, 2], dtype=torch.int16), "int8")
        tensor([1, 0, 2, 0], dtype=torch.int8)
    """
    x = tensor(x)
    dtype = config.floatx() if dtype is None else dtype
    try:
        return x.view(config.torch_dtype(dtype))
    except RuntimeError as error:
        raise ValueError(
            f"ops.view: cannot view an input of shape {_shape(x)} and dtype "
            f"{config.standardize_dtype(x.dtype)} as {dtype}: {error}"
        ) from None


def diff(a: TensorLike, n: SupportsIndex = 1, axis: int = -1) -> torch.Tensor:
    """The ``n``-th discrete difference of ``a`` along ``axis``: ``a[i + 1] - a[i]``, applied ``n`` times.

    Booleans give the logical xor of neighbours.

    Args:
        a: tensor, array or Python value: the input.
        n: int, default `1`: the number of times to difference.
        axis: int, default `-1`: the axis along which to take differences.

    Returns:
        A tensor of ``a``'s dtype, ``n`` shorter along ``axis``.

    Raises:
        ValueError: ``axis`` is out of range.
        TypeError: ``n`` is not an int.

    Example:
        >>> diff(torch.tensor([1, 4, 9, 16]), n=2)
        tensor([2, 2])
    """
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


def pad(
    x: TensorLike,
    pad_width: int | Sequence[int] | Sequence[Sequence[int]] | np.ndarray,
    mode: str = "constant",
    constant_values: float | None = None,
) -> torch.Tensor:
    """``x`` padded along its axes.

    The non-constant modes work for every rank and dtype; beyond Keras's torch backend, ``"edge"`` and ``"wrap"`` are
    taken.

    Args:
        x: tensor, array or Python value: the input.
        pad_width: int, pair, or sequence of pairs: the number of values added before and after each axis (NumPy's
            forms: ``n`` for all, ``(before, after)`` for all, one pair per axis).
        mode: str, default `"constant"`: ``"constant"`` (fill with ``constant_values``), ``"reflect"`` (mirror, edge not
            repeated), ``"symmetric"`` (mirror, edge repeated), ``"edge"`` (repeat the edge value) or ``"wrap"``
            (continue cyclically).
        constant_values: number or None, default `None`: the fill value of ``"constant"`` mode; None gives 0.

    Returns:
        A tensor of ``x``'s dtype.

    Raises:
        ValueError: ``mode`` is unknown, ``constant_values`` is given with another mode, ``pad_width`` does not fit
            ``x``'s rank or is negative, or a non-constant mode pads an empty axis.

    Example:
        >>> pad(torch.tensor([[1, 2]]), 1, constant_values=9)
        tensor([[9, 9, 9, 9],
                [9, 1, 2, 9],
                [9, 9, 9, 9]])
        >>> pad(torch.tensor([1, 2, 3]), (1, 2), mode="wrap")
        tensor([3, 1, 2, 3, 1, 2])
    """
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
