"""Hinge losses for maximum-margin classifiers.

``hinge`` and ``squared_hinge`` take labels in {-1, 1}; when every entry of ``y_true`` is 0 or
1 the whole batch is read as {0, 1} labels and mapped to {-1, 1} (as Keras 3 does; the test is
a device-side ``where``, no host sync). ``categorical_hinge`` takes one-hot labels as they are.

Example:
    >>> hinge(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
    tensor([0.2500])
"""
import torch

from kerastorch.losses.losses_utils import ArgumentFreeLoss, prepare
from kerastorch.saving.object_registration import register_builtin

_builtin = register_builtin("keras.losses")


def _signed_labels(y_true):
    """{0, 1} labels mapped to {-1, 1} when the whole tensor is binary; other labels unchanged."""
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _margins(loss, y_true, y_pred):
    y_true, y_pred = prepare(loss, y_true, y_pred)
    return torch.clamp_min(1.0 - _signed_labels(y_true) * y_pred, 0.0)


@_builtin
def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``.

    >>> hinge(torch.tensor([[-1.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
    tensor([0.7500])
    """
    return _margins("hinge", y_true, y_pred).mean(-1)


@_builtin
def squared_hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``.

    >>> squared_hinge(torch.tensor([[-1.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
    tensor([1.1250])
    """
    return torch.square(_margins("squared_hinge", y_true, y_pred)).mean(-1)


@_builtin
def categorical_hinge(y_true, y_pred):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis.

    >>> categorical_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 2.0]]))
    tensor([0.])
    """
    y_true, y_pred = prepare("categorical_hinge", y_true, y_pred)
    positive = (y_true * y_pred).sum(-1)
    negative = ((1.0 - y_true) * y_pred).amax(-1)
    return torch.clamp_min(negative - positive + 1.0, 0.0)


@_builtin
class Hinge(ArgumentFreeLoss):
    """The hinge loss ``max(1 - y_true * y_pred, 0)``.

    >>> Hinge()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
    tensor(0.2500)
    """

    function = staticmethod(hinge)


@_builtin
class SquaredHinge(ArgumentFreeLoss):
    """The squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2``.

    >>> SquaredHinge()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, -2.0]]))
    tensor(0.1250)
    """

    function = staticmethod(squared_hinge)


@_builtin
class CategoricalHinge(ArgumentFreeLoss):
    """The categorical hinge loss of one-hot labels.

    >>> CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.5, 2.0]]))
    tensor(0.5000)
    """

    function = staticmethod(categorical_hinge)
