"""Hinge losses for maximum-margin classifiers.

``hinge`` and ``squared_hinge`` take labels in {-1, 1}; when every entry of ``y_true`` is 0 or
1 the whole batch is read as {0, 1} labels and mapped to {-1, 1} (as Keras 3 does; the test is
a device-side ``where``, no host sync). ``categorical_hinge`` takes one-hot labels as they are.

Example:
    >>> hinge(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
    tensor([0.2500])
"""

from __future__ import annotations

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.losses.losses_utils import ArgumentFreeLoss, prepare
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")


def _signed_labels(y_true):
    """{0, 1} labels mapped to {-1, 1} when the whole tensor is binary; other labels unchanged."""
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _margins(loss, y_true, y_pred):
    y_true, y_pred = prepare(loss, y_true, y_pred)
    return torch.clamp_min(1.0 - _signed_labels(y_true) * y_pred, 0.0)


@_builtin
def hinge(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``.

    Args:
        y_true: tensor or array-like, labels in {-1, 1} (a tensor whose entries are all 0 or 1 is read as {0, 1}
            labels and mapped to {-1, 1}), of ``y_pred``'s shape or broadcastable to it.
        y_pred: tensor or array-like, the predicted scores, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> hinge(torch.tensor([[-1.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
        tensor([0.7500])
    """
    return _margins("hinge", y_true, y_pred).mean(-1)


@_builtin
def squared_hinge(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``.

    Args:
        y_true: tensor or array-like, labels in {-1, 1} (a tensor whose entries are all 0 or 1 is read as {0, 1}
            labels and mapped to {-1, 1}), of ``y_pred``'s shape or broadcastable to it.
        y_pred: tensor or array-like, the predicted scores, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> squared_hinge(torch.tensor([[-1.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
        tensor([1.1250])
    """
    return torch.square(_margins("squared_hinge", y_true, y_pred)).mean(-1)


@_builtin
def categorical_hinge(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis.

    The score of the true class should exceed every other class's score by a margin of 1.

    Args:
        y_true: tensor or array-like, one-hot labels (used as they are), of ``y_pred``'s shape or broadcastable
            to it.
        y_pred: tensor or array-like, the class scores, shape ``(batch_size, num_classes)``.

    Returns:
        Tensor of shape ``(batch_size,)``: the loss of each sample.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> categorical_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
        tensor([0.])
    """
    y_true, y_pred = prepare("categorical_hinge", y_true, y_pred)
    positive = (y_true * y_pred).sum(-1)
    negative = ((1.0 - y_true) * y_pred).amax(-1)
    return torch.clamp_min(negative - positive + 1.0, 0.0)


@_builtin
class Hinge(ArgumentFreeLoss):
    """The hinge loss ``max(1 - y_true * y_pred, 0)`` (:func:`hinge` of each sample, then reduced).

    Labels are -1 or 1; a batch of 0/1 labels is mapped to -1/1.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"hinge"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> Hinge()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
        tensor(0.2500)
    """

    function = staticmethod(hinge)


@_builtin
class SquaredHinge(ArgumentFreeLoss):
    """The squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2`` (:func:`squared_hinge`, then reduced).

    Labels are -1 or 1; a batch of 0/1 labels is mapped to -1/1.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"squared_hinge"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> SquaredHinge()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
        tensor(0.1250)
    """

    function = staticmethod(squared_hinge)


@_builtin
class CategoricalHinge(ArgumentFreeLoss):
    """The categorical hinge loss of one-hot labels (:func:`categorical_hinge` of each sample, then reduced).

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"categorical_hinge"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.5, 2.0]]))
        tensor(0.5000)
    """

    function = staticmethod(categorical_hinge)
