"""Shape and reduction helpers shared by the metric families (private).

They follow Keras 3's rules: labels and predictions whose ranks differ by a trailing
axis of size 1 are squeezed or expanded to the same rank, and per-element values are
reduced to one value per sample before sample weights are applied.

Example:
    >>> squeeze_or_expand_to_same_rank(torch.zeros(4, 1), torch.zeros(4))[0].shape
    torch.Size([4, 1])
"""

from __future__ import annotations

from typing import Callable

import torch

from kerastorch import config
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank


def check_broadcastable(
    a: torch.Tensor, b: torch.Tensor, who: str, what: tuple[str, str] = ("y_true", "y_pred")
) -> None:
    """Raise a ValueError naming ``who`` when ``a`` and ``b`` cannot broadcast together."""
    try:
        torch.broadcast_shapes(a.shape, b.shape)
    except RuntimeError:
        raise ValueError(
            f"{who}: {what[0]} and {what[1]} have incompatible shapes: {what[0]}.shape={tuple(a.shape)}, "
            f"{what[1]}.shape={tuple(b.shape)}"
        ) from None


def reduce_to_samplewise(
    values: torch.Tensor, sample_weight: torch.Tensor | None, reduce_fn: Callable[..., torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Keras's per-sample reduction: ``values`` reduced (``reduce_fn``) over the axes that
    ``sample_weight`` lacks, multiplied by the broadcast weight, then reduced to one value per
    sample. Returns ``(values, sample_weight)``; the weight is reduced the same way."""
    if sample_weight is not None:
        sample_weight = sample_weight.to(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank = sample_weight.dim()
        if values.dim() > weight_rank:
            values = reduce_fn(values, dim=tuple(range(weight_rank, values.dim())))
        sample_weight = broadcast_weight(sample_weight, values.shape)
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, weight_rank)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.dim())))
    return values, sample_weight


def broadcast_weight(sample_weight: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """``sample_weight`` broadcast to ``shape``, else a ValueError saying both shapes."""
    try:
        return sample_weight.broadcast_to(shape)
    except RuntimeError:
        raise ValueError(
            f"sample_weight of shape {tuple(sample_weight.shape)} cannot be broadcast to the shape "
            f"{tuple(shape)} of the values it weights"
        ) from None


def divide_no_nan(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """``numerator / denominator``, with 0 where the denominator is 0."""
    return torch.where(denominator == 0, 0.0, numerator / denominator)


def floatx_dtype() -> torch.dtype:
    """The torch dtype of ``config.floatx()``."""
    return config.torch_dtype(config.floatx())
