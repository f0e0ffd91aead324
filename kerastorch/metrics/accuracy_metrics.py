"""Accuracy metrics: how often predictions match labels, as in Keras 3.

Each metric class is the running mean of a per-sample function of the same name
(``binary_accuracy`` ...). :func:`resolve_accuracy` picks the class that the string
``"accuracy"`` stands for in ``compile``.

Example:
    >>> m = SparseCategoricalAccuracy()
    >>> m(torch.tensor([2, 1]), torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]))
    tensor(0.5000)
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import torch

from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.metrics.metrics_utils import check_broadcastable, floatx_dtype, squeeze_or_expand_to_same_rank
from kerastorch.metrics.reduction_metrics import FUNCTIONS_MODULE, MODULE, FunctionMetric
from kerastorch.serialization.object_registration import register_builtin


def _as_tensor(x: TensorLike) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)


def _matches(y_true, y_pred, who):
    """``y_true == y_pred`` (broadcast), as floatx."""
    check_broadcastable(y_true, y_pred, who)
    return torch.eq(y_true, y_pred).to(floatx_dtype())


def _sparse_labels(y_true: torch.Tensor, y_pred: torch.Tensor, who: str) -> torch.Tensor:
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
        raise ValueError(
            f"{who}: expected integer labels of shape {tuple(y_pred.shape[:-1])} (or with a trailing "
            f"axis of size 1) for y_pred.shape={tuple(y_pred.shape)}, received "
            f"y_true.shape={tuple(y_true.shape)}"
        ) from None
    return y_true


@register_builtin(FUNCTIONS_MODULE)
def accuracy(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0 (per element).

    >>> accuracy(torch.tensor([1, 2]), torch.tensor([1, 3]))
    tensor([1., 0.])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_tensor(y_true), _as_tensor(y_pred))
    return _matches(y_true, y_pred, "accuracy")


@register_builtin(FUNCTIONS_MODULE)
def binary_accuracy(y_true: TensorLike, y_pred: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label ``y_true`` (per element).

    Args:
        y_true: tensor or array-like, 0/1 labels, of ``y_pred``'s shape (a trailing axis of size 1 may be
            missing or extra) or broadcastable to it.
        y_pred: tensor or array-like, the predicted probabilities (or scores).
        threshold: float, default 0.5: a prediction above it counts as 1.

    Returns:
        Float tensor (``floatx()``) of the broadcast shape of the inputs: 1.0 where they agree, else 0.0.

    Raises:
        ValueError: if the shapes do not broadcast.

    Example:
        >>> binary_accuracy(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.7], [0.6]]))
        tensor([[1.],
                [0.]])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_tensor(y_true), _as_tensor(y_pred))
    return _matches(y_true, (y_pred > threshold).to(y_true.dtype), "binary_accuracy")


@register_builtin(FUNCTIONS_MODULE)
def categorical_accuracy(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """1.0 where the arg-max of one-hot ``y_true`` is the arg-max of ``y_pred`` (per sample).

    Args:
        y_true: tensor or array-like, one-hot labels ``(batch_size, num_classes)``.
        y_pred: tensor or array-like, class scores of ``y_true``'s shape.

    Returns:
        Float tensor (``floatx()``) of shape ``(batch_size,)`` (the inputs' shape without the last axis).

    Raises:
        ValueError: if an input has no class axis, or the arg-max shapes do not broadcast.

    Example:
        >>> categorical_accuracy(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([[0.3, 0.7], [0.4, 0.6]]))
        tensor([1., 0.])
    """
    y_true, y_pred = _as_tensor(y_true), _as_tensor(y_pred)
    if y_pred.dim() < 1 or y_true.dim() < 1:
        raise ValueError(
            "categorical_accuracy: y_true and y_pred need a class axis, received shapes "
            f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}"
        )
    return _matches(y_true.argmax(-1), y_pred.argmax(-1), "categorical_accuracy")


@register_builtin(FUNCTIONS_MODULE)
def sparse_categorical_accuracy(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """1.0 where the integer label ``y_true`` is the arg-max of ``y_pred`` (per sample).

    Args:
        y_true: tensor or array-like, integer class ids of shape ``(batch_size,)`` (or ``(batch_size, 1)``).
        y_pred: tensor or array-like, class scores ``(batch_size, num_classes)``.

    Returns:
        Float tensor (``floatx()``) of shape ``(batch_size,)``.

    Raises:
        ValueError: if ``y_pred`` has no class axis or ``y_true``'s shape does not fit it.

    Example:
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
def top_k_categorical_accuracy(y_true: TensorLike, y_pred: TensorLike, k: int = 5) -> torch.Tensor:
    """1.0 where the arg-max class of one-hot ``y_true`` is among the ``k`` top scores.

    A class whose score ties the k-th largest counts as among them.

    Args:
        y_true: tensor or array-like, one-hot labels ``(batch_size, num_classes)``.
        y_pred: tensor or array-like, class scores of ``y_true``'s shape.
        k: int, default 5: how many top scores count (a ``k`` above the number of classes counts all).

    Returns:
        Float tensor (``floatx()``) of shape ``(batch_size,)``.

    Raises:
        ValueError: if ``y_pred`` has no class axis or the shapes do not fit.

    Example:
        >>> top_k_categorical_accuracy(torch.tensor([[0.0, 1.0, 0.0]]), torch.tensor([[0.5, 0.3, 0.2]]), k=2)
        tensor([1.])
    """
    y_true, y_pred = _as_tensor(y_true), _as_tensor(y_pred)
    labels = _sparse_labels(y_true.argmax(-1), y_pred, "top_k_categorical_accuracy")
    return _in_top_k(labels, y_pred, k).to(floatx_dtype())


@register_builtin(FUNCTIONS_MODULE)
def sparse_top_k_categorical_accuracy(
    y_true: TensorLike, y_pred: TensorLike, k: int = 5, from_sorted_ids: bool = False
) -> torch.Tensor:
    """1.0 where the integer label ``y_true`` is among the ``k`` top scores of ``y_pred``;
    with ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score instead.

    Args:
        y_true: tensor or array-like, integer class ids of shape ``(batch_size,)`` (or ``(batch_size, 1)``).
        y_pred: tensor or array-like, class scores ``(batch_size, num_classes)``, or with ``from_sorted_ids``
            class ids ``(batch_size, n)``, best first.
        k: int, default 5: how many top scores (or leading ids) count.
        from_sorted_ids: bool, default False: whether ``y_pred`` holds sorted class ids rather than scores.

    Returns:
        Float tensor (``floatx()``) of shape ``(batch_size,)``.

    Raises:
        ValueError: if ``y_pred`` has no class axis or ``y_true``'s shape does not fit it.

    Example:
        >>> scores = torch.tensor([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])
        >>> sparse_top_k_categorical_accuracy(torch.tensor([2, 0]), scores, k=2)
        tensor([0., 1.])
        >>> sparse_top_k_categorical_accuracy(torch.tensor([2, 0]), torch.tensor([[2, 1], [1, 2]]), k=2,
        ...                                   from_sorted_ids=True)
        tensor([1., 0.])
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

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of 1.0 where
    ``y_pred`` equals ``y_true``, else 0.0.

    Args:
        name: str or None, default ``"accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> Accuracy()(torch.tensor([[1], [2], [3], [4]]), torch.tensor([[0], [2], [3], [4]]))
        tensor(0.7500)
    """

    def __init__(self, name: str | None = "accuracy", dtype: DTypeLike = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class BinaryAccuracy(FunctionMetric):
    """How often ``y_pred > threshold`` matches the binary label.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`binary_accuracy`.

    Args:
        name: str or None, default ``"binary_accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        threshold: float, default 0.5: a prediction above it counts as 1.

    Raises:
        ValueError: if ``threshold`` is not a number, or for an unknown ``dtype``.
        TypeError: if ``name`` is not a string.

    Example:
        >>> BinaryAccuracy()(torch.tensor([[1.0], [1.0], [0.0], [0.0]]), torch.tensor([[0.98], [1.0], [0.0], [0.6]]))
        tensor(0.7500)
    """

    def __init__(self, name: str | None = "binary_accuracy", dtype: DTypeLike = None, threshold: float = 0.5) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, (float, int, numbers.Real)):
            raise ValueError(f"BinaryAccuracy: threshold must be a number, received threshold={threshold!r}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


@register_builtin(MODULE)
class CategoricalAccuracy(FunctionMetric):
    """How often the arg-max of ``y_pred`` is the arg-max of the one-hot ``y_true``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`categorical_accuracy`.

    Args:
        name: str or None, default ``"categorical_accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> CategoricalAccuracy()(torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
        ...                       torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
        tensor(0.5000)
    """

    def __init__(self, name: str | None = "categorical_accuracy", dtype: DTypeLike = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class SparseCategoricalAccuracy(FunctionMetric):
    """How often the arg-max of ``y_pred`` is the integer label ``y_true``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`sparse_categorical_accuracy`.

    Args:
        name: str or None, default ``"sparse_categorical_accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> SparseCategoricalAccuracy()(torch.tensor([[2], [1]]), torch.tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
        tensor(0.5000)
    """

    def __init__(self, name: str | None = "sparse_categorical_accuracy", dtype: DTypeLike = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


@register_builtin(MODULE)
class TopKCategoricalAccuracy(FunctionMetric):
    """How often the class of the one-hot ``y_true`` is among the ``k`` top predictions.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`top_k_categorical_accuracy`.

    Args:
        k: int, default 5: how many top scores count (a positive integer).
        name: str or None, default ``"top_k_categorical_accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        ValueError: if ``k`` is not a positive integer, or for an unknown ``dtype``.
        TypeError: if ``name`` is not a string.

    Example:
        >>> TopKCategoricalAccuracy(k=1)(torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
        ...                              torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
        tensor(0.5000)
    """

    def __init__(self, k: int = 5, name: str | None = "top_k_categorical_accuracy", dtype: DTypeLike = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=_positive_k(k))


@register_builtin(MODULE)
class SparseTopKCategoricalAccuracy(FunctionMetric):
    """How often the integer label ``y_true`` is among the ``k`` top predictions
    (``from_sorted_ids=True``: ``y_pred`` holds class ids, best first).

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`sparse_top_k_categorical_accuracy`.

    Args:
        k: int, default 5: how many top scores count (a positive integer).
        name: str or None, default ``"sparse_top_k_categorical_accuracy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        from_sorted_ids: bool, default False: whether ``y_pred`` holds class ids sorted by score rather than
            scores.

    Raises:
        ValueError: if ``k`` is not a positive integer, or for an unknown ``dtype``.
        TypeError: if ``name`` is not a string.

    Example:
        >>> SparseTopKCategoricalAccuracy(k=1)(torch.tensor([2, 1]), torch.tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
        tensor(0.5000)
    """

    def __init__(
        self,
        k: int = 5,
        name: str | None = "sparse_top_k_categorical_accuracy",
        dtype: DTypeLike = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=_positive_k(k),
            from_sorted_ids=bool(from_sorted_ids),
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if not config["from_sorted_ids"]:
            del config["from_sorted_ids"]  # as Keras 3 writes it
        return config


def _positive_k(k):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, received k={k!r}")
    return k


def resolve_accuracy(
    y_true_shape: Sequence[int | None], y_pred_shape: Sequence[int | None], loss: Any = None
) -> type[FunctionMetric]:
    """The accuracy class that ``metrics=["accuracy"]`` means in ``compile``, chosen from the
    shapes of the first batch the way Keras 3 does (the loss plays no part in Keras 3; the
    argument is accepted for callers that have it):

    - ``y_pred`` with a last axis of size 1: :class:`BinaryAccuracy`;
    - else ``y_true`` with a last axis of size 1, or of lower rank than ``y_pred``:
      :class:`SparseCategoricalAccuracy`;
    - else :class:`CategoricalAccuracy`.

    Args:
        y_true_shape: tuple of ints, the shape of the labels.
        y_pred_shape: tuple of ints, the shape of the predictions.
        loss: any, default None: the compiled loss; not used.

    Returns:
        The metric class (not an instance).

    Raises:
        ValueError: if either shape is empty (a scalar).

    Example:
        >>> resolve_accuracy((32,), (32, 10))
        <class 'kerastorch.metrics.accuracy_metrics.SparseCategoricalAccuracy'>
        >>> resolve_accuracy((32, 1), (32, 1)).__name__
        'BinaryAccuracy'
    """
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    if not y_true_shape or not y_pred_shape:
        raise ValueError(
            "resolve_accuracy: 'accuracy' needs labels and predictions of rank >= 1, received "
            f"y_true shape {y_true_shape} and y_pred shape {y_pred_shape}"
        )
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if y_true_shape[-1] == 1 or len(y_true_shape) < len(y_pred_shape):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy
