"""Metric-learning losses: Circle loss on L2-normalized embeddings with integer class labels.

The loss of a sample compares its cosine distances ``d = max(1 - cos, 0)`` to the reference embeddings (the
batch itself by default): references of its class (positives, itself excluded with ``remove_diagonal``) should
be closer than ``margin``, the others (negatives) farther than ``1 - margin``; each pair is weighted by how far
it is from its optimum and scaled by ``gamma``, and the loss is
``softplus(logsumexp(positive terms) + logsumexp(negative terms))``. A sample without positives or negatives
gets 0 and, like any sample whose loss is 0, a mask that leaves it out of the mean (as in Keras 3).

Decisions: the numbers are Keras 3's. A sample with no positives (or no negatives) has a zero gradient
(the log-sum-exp of an empty set is taken as ``-inf`` without evaluating it). Labels of shape ``(N, 1)`` are
accepted as ``(N,)``; float labels are truncated to ints, as in Keras.

Example:
    >>> embeddings = torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    >>> circle(torch.tensor([0, 0, 1]), embeddings, gamma=1.0)
    tensor([0.5629, 0.7339, 0.0000])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from kerastorch.backend.annotations import TensorLike
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper, set_mask, to_tensor
from kerastorch.losses.losses_utils import check_float, float_tensor
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")


def _check_options(gamma, margin, remove_diagonal):
    if not isinstance(remove_diagonal, bool):
        raise ValueError(f"circle: remove_diagonal must be a bool, received remove_diagonal={remove_diagonal!r}")
    return (
        check_float("circle", "gamma", gamma, 0.0, open_low=True, open_high=True),
        check_float("circle", "margin", margin, open_low=True, open_high=True),
    )


def _embeddings(argument: str, value: TensorLike, like: torch.Tensor | None = None) -> torch.Tensor:
    embeddings = float_tensor(value) if like is None else to_tensor(value, like.dtype, like.device)
    if embeddings.dim() != 2 or (like is not None and embeddings.shape[1] != like.shape[1]):
        expected = "(batch_size, dim)" if like is None else f"(num_references, {like.shape[1]})"
        raise ValueError(
            f"circle: expected {argument} of shape {expected}, received {argument}.shape={tuple(embeddings.shape)}"
        )
    return embeddings


def _labels(argument: str, value: TensorLike, count: int, device: torch.device) -> torch.Tensor:
    labels = to_tensor(value, device=device)
    if labels.dim() == 2 and labels.shape[1] == 1:
        labels = labels.squeeze(1)
    if labels.shape != (count,):
        raise ValueError(
            f"circle: expected integer {argument} of shape ({count},) or ({count}, 1), received "
            f"{argument}.shape={tuple(labels.shape)}"
        )
    return labels.long()


def _masked_logsumexp(values, mask):
    """``logsumexp`` of each row's entries where ``mask`` holds; ``-inf`` (with a zero gradient) for empty rows."""
    found = mask.any(1, keepdim=True)
    values = torch.where(mask, values, -math.inf).where(found, 0.0)
    return torch.logsumexp(values, 1).where(found.squeeze(1), -math.inf)


@_builtin
def circle(
    y_true: TensorLike,
    y_pred: TensorLike,
    ref_labels: TensorLike | None = None,
    ref_embeddings: TensorLike | None = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> torch.Tensor:
    """The Circle loss of each embedding against reference embeddings (Sun et al., 2020).

    Args:
        y_true: Integer class labels of shape ``(batch_size,)`` (or ``(batch_size, 1)``).
        y_pred: L2-normalized embeddings of shape ``(batch_size, dim)``.
        ref_labels: Integer labels of the reference embeddings, default ``None`` (``y_true``).
        ref_embeddings: L2-normalized reference embeddings ``(num_references, dim)``, default ``None``
            (``y_pred``).
        remove_diagonal: bool, default ``True``. Whether the pair ``(i, i)`` is left out of the positives
            (an embedding is its own closest positive when the references are the batch).
        gamma: float > 0, default 80. The scale of the similarity terms.
        margin: float, default 0.4. The relaxation: positives aim at distances below ``margin``, negatives
            above ``1 - margin``.

    Returns:
        The loss of each sample, shape ``(batch_size,)``, with a Keras mask that is False where it is 0.

    Raises:
        ValueError: if ``gamma`` is not a positive float, ``margin`` not a finite float or ``remove_diagonal``
            not a bool; if an input's shape does not fit (``ref_labels`` must be given when ``ref_embeddings``
            has another number of rows than ``y_pred``).

    Example:
        >>> embeddings = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
        >>> circle(torch.tensor([0, 0, 1]), embeddings, gamma=2.0, margin=0.25)
        tensor([0.7288, 1.5805, 0.0000])
    """
    gamma, margin = _check_options(gamma, margin, remove_diagonal)
    y_pred = _embeddings("y_pred", y_pred)
    labels = _labels("y_true", y_true, y_pred.shape[0], y_pred.device)
    references = y_pred if ref_embeddings is None else _embeddings("ref_embeddings", ref_embeddings, y_pred)
    if ref_labels is None and references.shape[0] != labels.shape[0]:
        raise ValueError(
            f"circle: ref_labels default to y_true, of {labels.shape[0]} labels, for ref_embeddings of "
            f"{references.shape[0]} rows; pass ref_labels of shape ({references.shape[0]},)"
        )
    reference_labels = (
        labels if ref_labels is None else _labels("ref_labels", ref_labels, references.shape[0], y_pred.device)
    )
    distances = torch.clamp_min(1.0 - y_pred @ references.T, 0.0)
    positive = labels[:, None] == reference_labels[None, :]
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~torch.eye(*positive.shape, dtype=torch.bool, device=positive.device)
    # each pair's weight is its distance from its optimum (margin - 1 for positives, 1 + margin for negatives)
    positive_terms = -gamma * torch.clamp_min(margin + distances, 0.0) * (margin - distances)
    negative_terms = gamma * torch.clamp_min(1.0 + margin - distances, 0.0) * (1.0 - margin - distances)
    losses = F.softplus(_masked_logsumexp(positive_terms, positive) + _masked_logsumexp(negative_terms, negative))
    return set_mask(losses, losses > 0)


@_builtin
class Circle(LossFunctionWrapper):
    """The Circle loss between integer labels and L2-normalized embeddings, a metric-learning loss that pulls
    embeddings of a class together and pushes other classes apart, weighting each pair by how far it is from
    its optimum. The model should end with a linear layer followed by ``UnitNormalization``.

    :func:`circle` of each sample against the batch, then reduced. Integer labels are not cast to the loss's
    dtype.

    Args:
        gamma: float > 0, default 80.0. The scale of the similarity terms.
        margin: float, default 0.4. The relaxation: positives aim at cosine distances below ``margin``,
            negatives above ``1 - margin``.
        remove_diagonal: bool, default ``True``. Whether each embedding's pair with itself is left out of its
            positives.
        reduction: str or None, default ``"sum_over_batch_size"``. How per-sample losses are reduced
            (``"sum_over_batch_size"``, ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``, ``"none"`` or
            ``None``); the means leave out the samples whose loss is 0.
        name: str, default ``"circle"``. The name of the loss.
        dtype: str or DTypePolicy, default ``None`` (``floatx()``). The dtype the loss computes in.

    Raises:
        ValueError: if ``gamma`` is not a positive float, ``margin`` not a finite float or ``remove_diagonal``
            not a bool, or for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> embeddings = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
        >>> Circle(gamma=2.0, margin=0.25)(torch.tensor([0, 0, 1]), embeddings)  # the mean of the two non-zero losses
        tensor(1.1546)
    """

    _cast_y_true = False  # integer labels stay integers

    def __init__(
        self,
        gamma: float = 80.0,
        margin: float = 0.4,
        remove_diagonal: bool = True,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "circle",
        dtype: PolicyLike = None,
    ) -> None:
        gamma, margin = _check_options(gamma, margin, remove_diagonal)
        super().__init__(
            circle,
            reduction=reduction,
            name=name,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
