"""Accuracy metrics: how often predictions match labels, as in Keras 3.

Each metric class is the running mean of a per-sample function of the same name
(``binary_accuracy`` ...). :func:`resolve_accuracy` picks the class that the string
``"accuracy"`` stands for in ``compile``.

Example:
    >>> m = SparseCategoricalAccuracy()
    >>> m(torch.tensor([2, 1]), torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]))
    tensor(0.5000)
"""
import numbers

import torch

from kerastorch.metrics.metrics_utils import check_broadcastable, floatx_dtype, squeeze_or_expand_to_same_rank
from kerastorch.metrics.reduction_metrics import FUNCTIONS_MODULE, MODULE, FunctionMetric
from kerastorch.saving.object_registration import register_builtin


def _as_tensor(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)


def _matches(y_true, y_pred, who):
    """``y_true == y_pred`` (broadcast), as floatx."""
    check_broadcastable(y_true, y_pred, who)
    return torch.eq(y_true, y_pred).to(floatx_dtype())


def _sparse_labels(y_true, y_pred, who):
    """Integer-valued labels with the rank of ``y_pred`` minus its class axis."""
    if y_pred.dim() < 1:
        raise ValueError(f"{who}: y_pred needs a class axis, received y_pred.shape={tuple(y_pred.shape)}")
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_true.shape == y_pred.shape[:-1]:  # the common case, without building a broadcast shape
        return y_true
    try:
        torch.broadcast_shapes(y_true.shape, y_pred.shape[:-1])
    except RuntimeError:
        raise ValueError(f"{who}: expected integer labels of shape {tuple(y_pred.shape[:-1])} (or with a trailing "
                         f"axis of size 1) for y_pred.shape={tuple(y_pred.shape)}, received "
                         f"y_true.shape={tuple(y_true.shape)}") from None
    return y_true


@register_builtin(FUNCTIONS_MODULE)
def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0 (per element).

    >>> accuracy(torch.tensor([1, 2]), torch.tensor([1, 3]))
    tensor([1., 0.])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_tensor(y_true), _as_tensor(y_pred))
    return _matches(y_true, y_pred, "accuracy")


@register_builtin(FUNCTIONS_MODULE)
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label ``y_true`` (per element).

    >>> binary_accuracy(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.7], [0.6]]))
    tensor([[1.],
            [0.]])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_tensor(y_true), _as_tensor(y_pred))
    return _matches(y_true, (y_pred > threshold).to(y_true.dtype), "binary_accuracy")


@register_builtin(FUNCTIONS_MODULE)
def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of one-hot ``y_true`` is the arg-max of ``y_pred`` (per sample).

    >>> categorical_accuracy(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([[0.3, 0.7], [0.4, 0.6]]))
    tensor([1., 0.])
    """
    y_true, y_pred = _as_tensor(y_true), _as_tensor(y_pred)
    if y_pred.dim() < 1 or y_true.dim() < 1:
        raise ValueError("categorical_accuracy: y_true and y_pred need a class axis, received shapes "
                         f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}")
    return _matches(y_true.argmax(-1), y_pred.argmax(-1), "categorical_accuracy")


@register_builtin(FUNCTIONS_MODULE)
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label ``y_true`` is the arg-max of ``y_pred`` (per sample).

    >>> sparse_categorical_accuracy(torch.tensor([1, 0]), torch.tensor([[0.3, 0.7], [0.4, 0.6]]))
    tensor([1., 0.])
    """
    y_pred = _as_tensor(y_pred)
    y_true = _sparse_labels(_as_tensor(y_true), y_pred, "sparse_categorical_accuracy")
    return torch.eq(y_true, y_pred.argmax(-1).to(y_true.dtype)).to(floatx_dtype())


def _in_top_k(labels, y_pred, k):
    """Whether the score of each label is among the ``k`` largest (ties count as in)."""
    label_scores = y_pred.gather(-1, labels.long().unsqueeze(-1))
    return (y_pred > label_scores).sum(-1) < k


@register_builtin(FUNCTIONS_MODULE)
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the arg-max class of one-hot ``y_true`` is among the ``k`` top scores.

    >>> top_k_categorical_accuracy(torch.tensor([[0.0, 1.0, 0.0]]), torch.tensor([[0.5, 0.3, 0.2]]), k=2)
    tensor([1.])
    """
    y_true, y_pred = _as_tensor(y_true), _as_tensor(y_pred)
    labels = _sparse_labels(y_true.argmax(-1), y_pred, "top_k_categorical_accuracy")
    return _in_top_k(labels, y_pred, k).to(floatx_dtype())


@register_builtin(FUNCTIONS_MODULE)
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label ``y_true`` is among the ``k`` top scores of ``y_pred``;
    with ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score instead.

    >>> sparse_top_k_categorical_accuracy(torch.tensor([2, 0]), torch.tensor([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]]), k=2)
    tensor([0., 1.])
    """
    y_pred = _as_tensor(y_pred)
    labels = _sparse_labels(_as_tensor(y_true), y_pred, "sparse_top_k_categorical_accuracy")
    if from_sorted_ids:
        hits = torch.eq(y_pred[..., :k], labels.unsqueeze(-1).to(y_pred.dtype)).any(-1)
    else:
        hits = _in_top_k(labels, y_pred, k)
    return hits.to(floatx_dtype())


@register_builtin(MODULE)
class Accuracy(FunctionMetric):
    """How often ``y_pred`` equals ``y_true`` exactly.

    >>> Accuracy()(torch.tensor([[1], [2], [3], [4]]), torch.tensor([[0], [2], [3], [4]]))
    tensor(0.7500)
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class BinaryAccuracy(FunctionMetric):
    """How often ``y_pred > threshold`` matches the binary label.

    >>> BinaryAccuracy()(torch.tensor([[1.0], [1.0], [0.0], [0.0]]), torch.tensor([[0.98], [1.0], [0.0], [0.6]]))
    tensor(0.7500)
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise ValueError(f"BinaryAccuracy: threshold must be a number, received threshold={threshold!r}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


@register_builtin(MODULE)
class CategoricalAccuracy(FunctionMetric):
    """How often the arg-max of ``y_pred`` is the arg-max of the one-hot ``y_true``.

    >>> CategoricalAccuracy()(torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
    ...                       torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    tensor(0.5000)
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class SparseCategoricalAccuracy(FunctionMetric):
    """How often the arg-max of ``y_pred`` is the integer label ``y_true``.

    >>> SparseCategoricalAccuracy()(torch.tensor([[2], [1]]), torch.tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
    tensor(0.5000)
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class TopKCategoricalAccuracy(FunctionMetric):
    """How often the class of the one-hot ``y_true`` is among the ``k`` top predictions.

    >>> TopKCategoricalAccuracy(k=1)(torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
    ...                              torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    tensor(0.5000)
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=_positive_k(k))


@register_builtin(MODULE)
class SparseTopKCategoricalAccuracy(FunctionMetric):
    """How often the integer label ``y_true`` is among the ``k`` top predictions
    (``from_sorted_ids=True``: ``y_pred`` holds class ids, best first).

    >>> SparseTopKCategoricalAccuracy(k=1)(torch.tensor([2, 1]), torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    tensor(0.5000)
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=_positive_k(k),
                         from_sorted_ids=bool(from_sorted_ids))

    def get_config(self):
        config = super().get_config()
        if not config["from_sorted_ids"]:
            del config["from_sorted_ids"]  # as Keras 3 writes it
        return config


def _positive_k(k):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, received k={k!r}")
    return k


def resolve_accuracy(y_true_shape, y_pred_shape, loss=None):
    """The accuracy class that ``metrics=["accuracy"]`` means in ``compile``, chosen from the
    shapes of the first batch the way Keras 3 does (the loss plays no part in Keras 3; the
    argument is accepted for callers that have it):

    - ``y_pred`` with a last axis of size 1: :class:`BinaryAccuracy`;
    - else ``y_true`` with a last axis of size 1, or of lower rank than ``y_pred``:
      :class:`SparseCategoricalAccuracy`;
    - else :class:`CategoricalAccuracy`.

    >>> resolve_accuracy((32,), (32, 10))
    <class 'kerastorch.metrics.accuracy_metrics.SparseCategoricalAccuracy'>
    """
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    if not y_true_shape or not y_pred_shape:
        raise ValueError("resolve_accuracy: 'accuracy' needs labels and predictions of rank >= 1, received "
                         f"y_true shape {y_true_shape} and y_pred shape {y_pred_shape}")
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if y_true_shape[-1] == 1 or len(y_true_shape) < len(y_pred_shape):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy
