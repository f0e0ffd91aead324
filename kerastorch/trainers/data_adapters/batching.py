"""Shared pieces of the adapters: unpacking ``(x, y, sample_weight)``, moving batches to
the device, converting arrays to tensors, and class weights.

Example:
    >>> x, y = torch.ones(2, 3), torch.tensor([0, 1])
    >>> unpack_x_y_sample_weight((x, y))
    (tensor([[1., 1., 1.],
            [1., 1., 1.]]), tensor([0, 1]), None)
    >>> unpack_x_y_sample_weight(x)[1:]
    (None, None)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch import config, tree
from kerastorch.backend.annotations import TensorLike


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Split a batch given as ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    A list is read as a tuple; anything else (a tensor, an array, a dict) is ``x`` alone.

    Args:
        data: The batch: ``x``, or a tuple or list of 1 to 3 items.

    Returns:
        The tuple ``(x, y, sample_weight)``, with None for the parts the batch lacks.

    Raises:
        ValueError: If ``data`` is a tuple or list of more than 3 items.

    >>> unpack_x_y_sample_weight([torch.zeros(1), torch.ones(1), torch.ones(1)])[2]
    tensor([1.])
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"A batch must be x, (x,), (x, y) or (x, y, sample_weight); received a tuple of {len(data)} items")


def pack_batch(x: Any, y: Any = None, sample_weight: Any = None) -> tuple[Any, ...]:
    """The batch a ``train_step`` receives: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, so ``x, y = data``
    works when there are no sample weights, as in Keras (``keras.utils.pack_x_y_sample_weight``, for users,
    leaves a lone ``x`` unwrapped).

    Args:
        x: the inputs.
        y: the targets or None.
        sample_weight: the sample weights or None.

    Returns:
        A tuple.
    """
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def to_tensor(value: TensorLike | None) -> torch.Tensor | None:
    """numpy / python data as a CPU tensor (float64 becomes floatx); tensors pass through."""
    if value is None or isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"Cannot turn an array of Python objects into a tensor (received {type(value).__name__})")
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.dtype == torch.float64:
        tensor = tensor.to(config.torch_dtype(None))
    return tensor


def to_tensors(structure: Any) -> Any:
    """:func:`to_tensor` over a nested structure."""
    return tree.map_structure(to_tensor, structure)


def move_to_device(structure: Any, device: torch.device) -> Any:
    """Send every tensor in ``structure`` to ``device`` (asynchronously from pinned memory)."""
    if isinstance(structure, torch.Tensor):
        if structure.device == device:
            return structure
        return structure.to(device, non_blocking=structure.is_pinned())
    if structure is None:
        return None
    return tree.map_structure(
        lambda t: (
            (t if t.device == device else t.to(device, non_blocking=t.is_pinned()))
            if isinstance(t, torch.Tensor)
            else t
        ),
        structure,
    )


def class_weight_to_sample_weight(y: torch.Tensor, class_weight: dict[int, float]) -> torch.Tensor:
    """Per-sample weights from ``{class_index: weight}`` and labels (sparse or one-hot)."""
    if isinstance(y, (list, tuple, dict)):
        raise ValueError(
            "class_weight is only supported for models with a single output; "
            f"received targets of type {type(y).__name__}"
        )
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(y.shape[0]).long()
    size = max(int(k) for k in class_weight) + 1
    table = torch.ones(size, dtype=config.torch_dtype(None))
    for key, weight in class_weight.items():
        table[int(key)] = float(weight)
    return table.to(labels.device)[labels.long()]
