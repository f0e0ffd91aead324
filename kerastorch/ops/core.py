"""Core ``keras.ops``: tensor conversion, dtypes, casting, shapes, slicing and scatter.

Python values convert with Keras's dtype rules (ints -> int32, floats -> floatx, bools -> bool; NumPy arrays
keep their dtype); tensors stay on their device, everything else goes to ``config.default_device()``.
Start indices given as tensors are read on the host (one sync), as Keras's torch backend does.

Example:
    >>> x = convert_to_tensor([[1, 2], [3, 4]], dtype="float32")
    >>> shape(x)
    (2, 2)
    >>> convert_to_tensor([1, 2]).dtype
    torch.int32
    >>> dtype(cast(x, "int8"))
    'int8'
    >>> saturate_cast(torch.tensor([-3.0, 300.0]), "uint8").tolist()
    [0, 255]
    >>> slice(torch.arange(12).reshape(3, 4), (1, 1), (2, 2)).tolist()
    [[5, 6], [9, 10]]
    >>> slice_update(torch.zeros(2, 3), (0, 1), torch.ones(2, 1)).tolist()
    [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    >>> scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (4,)).tolist()
    [4.0, 0.0, 2.0, 0.0]
    >>> scatter_update(torch.ones(3), [[0], [2]], torch.tensor([5.0, -1.0]), reduction="max").tolist()
    [5.0, 1.0, 1.0]
    >>> [t.tolist() for t in unstack(torch.tensor([[1, 2], [3, 4]]), axis=1)]
    [[1, 3], [2, 4]]
    >>> is_tensor(x), is_tensor([1])
    (True, False)
"""

from __future__ import annotations

import builtins
import functools
from typing import Any, Sequence

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, Shape, TensorLike
from kerastorch.ops import dtypes

__all__ = [
    "cast",
    "convert_to_numpy",
    "convert_to_tensor",
    "dtype",
    "is_tensor",
    "saturate_cast",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "unstack",
]


def convert_to_tensor(
    x: TensorLike, dtype: DTypeLike = None, sparse: bool | None = None, ragged: bool | None = None
) -> torch.Tensor:
    """Converts ``x`` to a torch tensor.

    Tensors are returned as they are (cast when ``dtype`` differs, on their device). Python values get Keras's dtypes
    (ints -> int32, floats -> ``floatx()``, bools -> bool) and NumPy arrays keep theirs; both go to
    ``config.default_device()``. A list that holds tensors is stacked.

    Args:
        x: tensor, NumPy array, object with ``__array__``, number or (nested) list: the value.
        dtype: str, torch.dtype or None, default ``None``: the dtype of the result; None keeps or infers it.
        sparse: bool or None, default ``None``: ask for a sparse tensor, which kerastorch does not support (True
            raises).
        ragged: bool or None, default ``None``: ask for a ragged tensor, which torch lacks (True raises).

    Returns:
        A torch tensor.

    Raises:
        ValueError: for ``sparse=True`` or ``ragged=True``.

    Example:
        >>> convert_to_tensor([1.0, 2.0])
        tensor([1., 2.])
        >>> convert_to_tensor(3, dtype="float16")
        tensor(3., dtype=torch.float16)
    """
    if sparse:
        raise ValueError(
            "ops.convert_to_tensor: sparse=True is not supported by the torch backend, received sparse=True"
        )
    if ragged:
        raise ValueError(
            "ops.convert_to_tensor: ragged=True is not supported by the torch backend, received ragged=True"
        )
    target = None if dtype is None else config.torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        return x if target is None or x.dtype == target else x.to(target)
    if isinstance(x, (np.ndarray, np.generic)):
        tensor = torch.as_tensor(x)
        if target is not None and tensor.dtype != target:
            tensor = tensor.to(target)
        return tensor.to(config.default_device())
    if hasattr(x, "__array__") and not isinstance(x, (list, tuple)):
        return convert_to_tensor(np.asarray(x), dtype)
    if target is None:
        target = getattr(torch, dtypes.result_type(x))
    if isinstance(x, (list, tuple)) and any(isinstance(item, torch.Tensor) for item in x):
        return torch.stack([convert_to_tensor(item, target) for item in x])
    return torch.as_tensor(x, dtype=target, device=config.default_device())


def convert_to_numpy(x: TensorLike) -> np.ndarray:
    """Converts ``x`` to a NumPy array (a tensor is detached and copied to the CPU).

    bfloat16 tensors become float32 arrays, as NumPy has no bfloat16.

    Args:
        x: tensor, array, number or list: the value.

    Returns:
        A ``numpy.ndarray``.

    Example:
        >>> convert_to_numpy(torch.tensor([1, 2]))
        array([1, 2])
    """
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor (a kerastorch ``Variable`` included).

    Args:
        x: any: the object to test.

    Returns:
        A Python bool.
    """
    return isinstance(x, torch.Tensor)


def dtype(x: TensorLike) -> str:
    """The Keras dtype name of ``x`` (``"float32"``, ``"int64"``...).

    For Python values and lists this is the dtype :func:`convert_to_tensor` would give them.

    Args:
        x: tensor, array, number or list: the value.

    Returns:
        A str.

    Example:
        >>> dtype(torch.ones(2))
        'float32'
        >>> dtype(3)
        'int32'
    """
    if hasattr(x, "dtype") and not isinstance(x, type):
        return config.standardize_dtype(x.dtype)
    return dtypes.result_type(x)


def cast(x: TensorLike, dtype: DTypeLike) -> torch.Tensor:
    """Casts ``x`` to ``dtype`` (a tensor already of that dtype is returned as it is).

    Casting follows torch's conversion: floats to ints truncate towards zero and out-of-range values wrap or are
    undefined; :func:`saturate_cast` clips instead.

    Args:
        x: tensor, array, number or list: the value.
        dtype: str or torch.dtype: the target dtype (``"float32"``, ``"int8"``, ``torch.bfloat16``...).

    Returns:
        A tensor of ``dtype``.

    Example:
        >>> cast(torch.tensor([1.7, -1.7]), "int32")
        tensor([ 1, -1], dtype=torch.int32)
    """
    target = config.torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        return x if x.dtype == target else x.to(target)
    return convert_to_tensor(x, target)


def _range(torch_dtype):
    if torch_dtype == torch.bool:
        return 0, 1
    if torch_dtype.is_floating_point:
        info = torch.finfo(torch_dtype)
        return info.min, info.max
    info = torch.iinfo(torch_dtype)
    return info.min, info.max


@functools.lru_cache(maxsize=256)
def _saturation_bounds(source, target):
    """Clip bounds in ``source`` that map into ``target`` (``None``: no clipping needed on that side)."""
    src_lo, src_hi = _range(source)
    dst_lo, dst_hi = _range(target)
    bounds = []
    for src, dst, toward in ((src_lo, dst_lo, 1), (src_hi, dst_hi, -1)):
        if (dst <= src) if toward == 1 else (dst >= src):
            bounds.append(None)
            continue
        bound = torch.tensor(dst, dtype=torch.float64).to(source)
        if source.is_floating_point and (bound.double() - dst).item() * toward < 0:  # rounded outside: step in
            bound = torch.nextafter(bound, torch.zeros((), dtype=source))
        bounds.append(bound.item())
    return tuple(bounds)


def saturate_cast(x: TensorLike, dtype: DTypeLike) -> torch.Tensor:
    """Casts ``x`` to ``dtype``, first clipping it to the range ``dtype`` can hold (no wrap-around).

    Args:
        x: tensor, array, number or list: the value.
        dtype: str or torch.dtype: the target dtype (``"float32"``, ``"int8"``, ``torch.bfloat16``...).

    Returns:
        A tensor of ``dtype``.
    """
    x = convert_to_tensor(x)
    target = config.torch_dtype(dtype)
    if x.dtype != torch.bool and target != torch.bool and not x.is_complex():
        lo, hi = _saturation_bounds(x.dtype, target)
        if lo is not None or hi is not None:
            x = torch.clamp(x, lo, hi)
    return x.to(target)


def shape(x: TensorLike) -> Shape:
    """The shape of ``x`` as a tuple of ints.

    For symbolic tensors (``keras.Input``) unknown sizes are None.

    Args:
        x: tensor, KerasTensor, array, number or list: the value.

    Returns:
        A tuple.
    """
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(np.shape(x))


def stop_gradient(variable: TensorLike) -> torch.Tensor:
    """``variable`` cut off from the gradient: the same values, treated as a constant by autograd (``detach``).

    Args:
        variable: tensor, Variable, array or number: the value.

    Returns:
        A tensor that shares the values of ``variable`` and needs no gradient.

    Example:
        >>> x = torch.tensor(2.0, requires_grad=True)
        >>> (x * stop_gradient(x)).backward(); x.grad
        tensor(2.)
    """
    return convert_to_tensor(variable).detach()


def unstack(x: TensorLike, num: int | None = None, axis: int = 0) -> tuple[torch.Tensor, ...]:
    """Splits ``x`` along ``axis`` into its slices.

    Args:
        x: tensor, array or list: the value.
        num: int or None, default ``None``: the expected size of ``axis``; checked when given.
        axis: int, default ``0``: the axis to unstack.

    Returns:
        A tuple of ``x.shape[axis]`` tensors, each without ``axis``.

    Raises:
        ValueError: when ``num`` is given and differs from the size of ``axis``.
    """
    x = convert_to_tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(
            f"ops.unstack: num={num} does not match the size {x.shape[axis]} of axis {axis} "
            f"of the input of shape {tuple(x.shape)}"
        )
    return torch.unbind(x, axis)


def _ints(values):
    if isinstance(values, torch.Tensor):
        return values.tolist()
    return [int(v) for v in values]


def _check_window(op, inputs, start, size):
    if len(start) != inputs.dim() or len(size) != inputs.dim():
        raise ValueError(
            f"ops.{op}: expected one start index and size per input axis ({inputs.dim()}), "
            f"received start_indices={tuple(start)} and shape={tuple(size)}"
        )
    for axis, (s, n, dim) in enumerate(zip(start, size, inputs.shape)):
        if s < 0 or n < 0 or s + n > dim:
            raise ValueError(
                f"ops.{op}: the window [{s}, {s + n}) of axis {axis} lies outside the input of "
                f"shape {tuple(inputs.shape)}"
            )


def slice(
    inputs: TensorLike, start_indices: Sequence[int] | torch.Tensor, shape: Sequence[int] | torch.Tensor
) -> torch.Tensor:
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``.

    The result is a view (no copy). A size of -1 runs to the end of its axis (a kerastorch extension; Keras needs
    explicit sizes). Tensor indices are read on the host.

    Args:
        inputs: tensor, array or list: the value.
        start_indices: list, tuple or tensor of ints: the block's start on each axis.
        shape: list, tuple or tensor of ints: the block's size on each axis (-1: to the end).

    Returns:
        A tensor of shape ``shape``, of the dtype of ``inputs``.

    Raises:
        ValueError: when ``start_indices`` or ``shape`` do not have one entry per axis, or the block lies outside
            ``inputs``.
    """
    inputs = convert_to_tensor(inputs)
    start, size = _ints(start_indices), _ints(shape)
    if -1 in size:  # -1: to the end of the axis
        size = [dim - s if n == -1 else n for s, n, dim in zip(start, size, inputs.shape)]
    _check_window("slice", inputs, start, size)
    return inputs[tuple(builtins.slice(s, s + n) for s, n in zip(start, size))]


def slice_update(inputs: TensorLike, start_indices: Sequence[int] | torch.Tensor, updates: TensorLike) -> torch.Tensor:
    """A copy of ``inputs`` with the block starting at ``start_indices`` replaced by ``updates``.

    ``updates`` is cast to the dtype of ``inputs``. Tensor indices are read on the host.

    Args:
        inputs: tensor, array or list: the value.
        start_indices: list, tuple or tensor of ints: where the block starts on each axis.
        updates: tensor, array or list: the new block, of the rank of ``inputs``.

    Returns:
        A new tensor of the shape and dtype of ``inputs``.

    Raises:
        ValueError: when ``start_indices`` or ``updates`` do not match the rank of ``inputs``, or the block lies outside
            it.
    """
    inputs, updates = convert_to_tensor(inputs), convert_to_tensor(updates)
    start = _ints(start_indices)
    _check_window("slice_update", inputs, start, list(updates.shape) if updates.dim() == inputs.dim() else [])
    out = inputs.clone()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(start, updates.shape))] = updates.to(inputs.dtype)
    return out


def _flat_index(op, indices, shape):
    """Row indices into ``shape`` viewed as ``(prod(shape[:k]), *shape[k:])`` for ``k = indices.shape[-1]``."""
    indices = convert_to_tensor(indices)
    if indices.dtype.is_floating_point or indices.dtype == torch.bool or indices.dim() == 0:
        raise ValueError(
            f"ops.{op}: expected integer indices of shape (..., k), received "
            f"{config.standardize_dtype(indices.dtype)} indices of shape {tuple(indices.shape)}"
        )
    k = indices.shape[-1]
    if k > len(shape):
        raise ValueError(
            f"ops.{op}: indices of shape {tuple(indices.shape)} index {k} axes of a tensor of shape {tuple(shape)}"
        )
    strides = [1] * k
    for i in range(k - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    flat = (indices.long() * torch.tensor(strides, dtype=torch.int64).to(indices.device)).sum(-1)
    return flat.reshape(-1), k, tuple(indices.shape)


def _rows(op, updates, indices_shape, shape, k):
    expected = tuple(indices_shape[:-1]) + tuple(shape[k:])
    if tuple(updates.shape) != expected:
        try:
            updates = updates.expand(expected)
        except RuntimeError:
            raise ValueError(
                f"ops.{op}: expected updates of shape {expected} (indices.shape[:-1] + "
                f"shape[{k}:]), received {tuple(updates.shape)}"
            ) from None
    return updates.reshape((-1,) + tuple(shape[k:]))


def scatter(indices: TensorLike, values: TensorLike, shape: Sequence[int]) -> torch.Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicate indices sum).

    Each row of ``indices`` (its last axis, of size ``k``) addresses the first ``k`` axes of the result; the matching
    entry of ``values`` fills the remaining axes.

    Args:
        indices: tensor, array or list of ints: shape ``(..., k)``.
        values: tensor, array or list: shape ``indices.shape[:-1] + shape[k:]`` (or broadcastable to it); sets the
            result's dtype.
        shape: tuple or list of ints: the shape of the result.

    Returns:
        A tensor of ``shape``, of the dtype of ``values``.

    Raises:
        ValueError: for indices that are not integers of rank >= 1, index more axes than ``shape`` has, or ``values`` of
            a mismatched shape.
    """
    values = convert_to_tensor(values)
    shape = tuple(int(d) for d in shape)
    flat, k, index_shape = _flat_index("scatter", indices, shape)
    rows = _rows("scatter", values, index_shape, shape, k)
    out = torch.zeros((int(np.prod(shape[:k], dtype=np.int64)),) + shape[k:], dtype=values.dtype, device=values.device)
    return out.index_add(0, flat.to(values.device), rows).reshape(shape)


_REDUCTIONS = {"max": "amax", "min": "amin", "mul": "prod"}


def scatter_update(
    inputs: TensorLike, indices: TensorLike, updates: TensorLike, reduction: str | None = None
) -> torch.Tensor:
    """A copy of ``inputs`` with ``updates`` written at ``indices`` (or combined with what is there).

    Each row of ``indices`` (its last axis, of size ``k``) addresses the first ``k`` axes of ``inputs``. ``updates`` is
    cast to the dtype of ``inputs``. With duplicate indices and no ``reduction``, which update wins is unspecified.

    Args:
        inputs: tensor, array or list: the value.
        indices: tensor, array or list of ints: shape ``(..., k)``.
        updates: tensor, array or list: shape ``indices.shape[:-1] + inputs.shape[k:]`` (or broadcastable to it).
        reduction: str or None, default ``None``: None replaces; ``"add"``, ``"max"``, ``"min"`` or ``"mul"`` combine
            the updates with the existing entries.

    Returns:
        A new tensor of the shape and dtype of ``inputs``.

    Raises:
        ValueError: for an unknown ``reduction``, indices that are not integers of rank >= 1 or that index too many
            axes, or ``updates`` of a mismatched shape.
    """
    if reduction is not None:
        reduction = str(reduction).lower()
        if reduction not in ("add", "max", "min", "mul"):
            raise ValueError(
                f"ops.scatter_update: reduction must be None, 'add', 'max', 'min' or 'mul', received {reduction!r}"
            )
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype)
    shape = tuple(inputs.shape)
    flat, k, index_shape = _flat_index("scatter_update", indices, shape)
    rows = _rows("scatter_update", updates, index_shape, shape, k)
    flat = flat.to(inputs.device)
    table = inputs.reshape((-1,) + shape[k:])
    if reduction is None:
        out = table.index_put((flat,), rows)
    elif reduction == "add":
        out = table.index_add(0, flat, rows)
    else:
        index = flat.reshape((-1,) + (1,) * (rows.dim() - 1)).expand_as(rows)
        out = table.scatter_reduce(0, index, rows, _REDUCTIONS[reduction], include_self=True)
    return out.reshape(shape)
