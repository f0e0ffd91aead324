"""Overlap losses for segmentation: Dice and Tversky.

Both compare a target mask ``y_true`` with a predicted (soft) mask ``y_pred`` through sums over ``axis``:
``None`` (the default, as in Keras 3) sums every axis and gives one value for the whole batch; an axis or a
tuple of axes that leaves the batch axis, such as ``(1, 2, 3)`` for ``(batch, height, width, channels)``
masks, gives one value per sample. ``epsilon`` in the denominator keeps empty masks finite.

Decisions: the numbers are Keras 3's. ``tversky`` weights ``sum(y_true * (1 - y_pred))`` (the target the
prediction misses) by ``alpha`` and ``sum((1 - y_true) * y_pred)`` (what it adds) by ``beta``, as Keras 3
computes it (its docstring calls ``alpha`` the false-positive weight); swap them to read them the other way.
A list ``axis`` is kept as a tuple, and axes are checked against ``y_pred``'s rank (a ValueError naming the
loss; Keras leaves it to the backend).

Example:
    >>> y_true = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    >>> dice(y_true, torch.tensor([[1.0, 0.0, 1.0, 0.0]]))
    tensor(0.5000)
"""

from __future__ import annotations

import numbers
from typing import Callable, Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper
from kerastorch.losses.losses_utils import check_axis, check_float, prepare
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _standardize_axis(loss, axis):
    """``None``, an int, or a non-empty tuple of ints (a list becomes a tuple); anything else raises."""
    if axis is None or _is_int(axis):
        return None if axis is None else int(axis)
    if isinstance(axis, (tuple, list)) and axis and all(_is_int(a) for a in axis):
        return tuple(int(a) for a in axis)
    raise ValueError(f"{loss}: axis must be None, an int or a non-empty tuple of ints, received axis={axis!r}")


def _summed_axes(loss, axis, rank):
    """The axes ``axis`` names in a tensor of rank ``rank`` (None: all of them), each checked once."""
    if axis is None:
        return None
    axes = [check_axis(loss, a, rank) for a in (axis if isinstance(axis, tuple) else (axis,))]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{loss}: axis must name distinct axes of y_pred of rank {rank}, received axis={axis!r}")
    return axes


def _overlap_inputs(
    loss: str, y_true: TensorLike, y_pred: TensorLike, axis: int | Sequence[int] | None
) -> tuple[torch.Tensor, torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
    """Float ``y_true``/``y_pred`` of matched ranks and a function summing a tensor over ``axis``."""
    axis = _standardize_axis(loss, axis)
    y_true, y_pred = prepare(loss, y_true, y_pred)
    axes = _summed_axes(loss, axis, max(y_true.dim(), y_pred.dim()))
    return y_true, y_pred, (torch.sum if axes is None else lambda x: x.sum(axes))


@_builtin
def dice(y_true: TensorLike, y_pred: TensorLike, axis: int | Sequence[int] | None = None) -> torch.Tensor:
    """The Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``.

    Args:
        y_true: Tensor of target masks (0/1, or soft in ``[0, 1]``).
        y_pred: Tensor of predicted masks, of ``y_true``'s shape (or broadcastable to it).
        axis: int, tuple of ints or ``None``. The axes summed over; ``None`` (default) sums all of them and
            returns a scalar, ``(1, 2, 3)`` returns one value per sample of 4-D masks.

    Returns:
        The loss: a scalar, or the shape of the inputs without ``axis``.

    Raises:
        ValueError: if ``axis`` is not None, an int or a non-empty tuple of distinct ints within the inputs'
            rank, or the shapes do not broadcast.

    Example:
        >>> y_true = torch.tensor([[[1.0], [1.0]], [[1.0], [0.0]]])
        >>> y_pred = torch.tensor([[[1.0], [0.0]], [[1.0], [0.5]]])
        >>> dice(y_true, y_pred, axis=(1, 2))
        tensor([0.3333, 0.2000])
        >>> dice(y_true, y_pred)
        tensor(0.2727)
    """
    y_true, y_pred, total = _overlap_inputs("dice", y_true, y_pred, axis)
    return 1.0 - 2.0 * total(y_true * y_pred) / (total(y_true) + total(y_pred) + config.epsilon())


@_builtin
def tversky(
    y_true: TensorLike,
    y_pred: TensorLike,
    alpha: float = 0.5,
    beta: float = 0.5,
    axis: int | Sequence[int] | None = None,
) -> torch.Tensor:
    """The Tversky loss ``1 - TP / (TP + alpha * sum(y_true * (1 - y_pred)) + beta * sum((1 - y_true) * y_pred)
    + epsilon)`` with ``TP = sum(y_true * y_pred)``; ``alpha = beta = 0.5`` is the Dice loss (up to epsilon).

    Args:
        y_true: Tensor of target masks (0/1, or soft in ``[0, 1]``).
        y_pred: Tensor of predicted masks, of ``y_true``'s shape (or broadcastable to it).
        alpha: float >= 0, default 0.5. The weight of the target mass the prediction misses (Keras 3's name
            for it is the false-positive weight; the formula above is what it computes).
        beta: float >= 0, default 0.5. The weight of the predicted mass outside the target.
        axis: int, tuple of ints or ``None``. The axes summed over; ``None`` (default) sums all of them.

    Returns:
        The loss: a scalar, or the shape of the inputs without ``axis``.

    Raises:
        ValueError: if ``alpha`` or ``beta`` is not a finite float >= 0, ``axis`` is not None, an int or a
            non-empty tuple of distinct ints within the inputs' rank, or the shapes do not broadcast.

    Example:
        >>> y_true = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
        >>> tversky(y_true, torch.tensor([[1.0, 0.0, 0.0, 0.0]]), alpha=0.9, beta=0.1)
        tensor(0.4737)
        >>> tversky(y_true, torch.tensor([[1.0, 1.0, 1.0, 0.0]]), alpha=0.9, beta=0.1)
        tensor(0.0476)
    """
    alpha = check_float("tversky", "alpha", alpha, 0.0, open_high=True)
    beta = check_float("tversky", "beta", beta, 0.0, open_high=True)
    y_true, y_pred, total = _overlap_inputs("tversky", y_true, y_pred, axis)
    overlap = total(y_true * y_pred)
    missed = total(y_true * (1.0 - y_pred))
    added = total((1.0 - y_true) * y_pred)
    return 1.0 - overlap / (overlap + alpha * missed + beta * added + config.epsilon())


@_builtin
class Dice(LossFunctionWrapper):
    """The Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``, for segmentation masks.

    :func:`dice` over ``axis``, then reduced.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``. How per-sample losses are reduced:
            ``"sum_over_batch_size"``, ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``, ``"none"`` or
            ``None``.
        name: str, default ``"dice"``. The name of the loss.
        axis: int, tuple of ints or ``None``. The axes the sums run over; ``None`` (default) sums every axis
            into one value for the batch, ``(1, 2, 3)`` gives one value per sample of 4-D masks.
        dtype: str or DTypePolicy, default ``None`` (``floatx()``). The dtype the loss computes in.

    Raises:
        ValueError: if ``axis`` is not None, an int or a non-empty tuple of ints, or for an unknown
            ``reduction`` or ``dtype``.

    Example:
        >>> y_true = torch.tensor([[[1.0], [1.0]], [[1.0], [0.0]]])
        >>> y_pred = torch.tensor([[[1.0], [0.0]], [[1.0], [0.5]]])
        >>> Dice(axis=(1, 2), reduction=None)(y_true, y_pred)
        tensor([0.3333, 0.2000])
        >>> Dice()(y_true, y_pred)
        tensor(0.2727)
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "dice",
        axis: int | Sequence[int] | None = None,
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=_standardize_axis("dice", axis))


@_builtin
class Tversky(LossFunctionWrapper):
    """The Tversky loss: the Dice loss with the missed target weighted by ``alpha`` and the predicted mass
    outside the target by ``beta`` (see :func:`tversky`).

    Args:
        alpha: float >= 0, default 0.5. The weight of ``sum(y_true * (1 - y_pred))``.
        beta: float >= 0, default 0.5. The weight of ``sum((1 - y_true) * y_pred)``.
        reduction: str or None, default ``"sum_over_batch_size"``. How per-sample losses are reduced (see
            :class:`Dice`).
        name: str, default ``"tversky"``. The name of the loss.
        axis: int, tuple of ints or ``None`` (default: every axis). The axes the sums run over.
        dtype: str or DTypePolicy, default ``None`` (``floatx()``). The dtype the loss computes in.

    Raises:
        ValueError: if ``alpha`` or ``beta`` is not a finite float >= 0, ``axis`` is not None, an int or a
            non-empty tuple of ints, or for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> loss = Tversky(alpha=0.9, beta=0.1, axis=1, reduction="none")
        >>> loss(torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))
        tensor([0.4737, 0.0476])
    """

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "tversky",
        axis: int | Sequence[int] | None = None,
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            tversky,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=check_float("tversky", "alpha", alpha, 0.0, open_high=True),
            beta=check_float("tversky", "beta", beta, 0.0, open_high=True),
            axis=_standardize_axis("tversky", axis),
        )
