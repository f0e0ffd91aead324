"""Probabilistic metrics: running means of the cross-entropy, KL-divergence and Poisson losses.

Each is a :class:`MeanMetricWrapper` of the loss function of the same name in
``kerastorch.losses``, with the loss's options (``from_logits``, ``label_smoothing`` ...).

Example:
    >>> import torch
    >>> m = BinaryCrossentropy()
    >>> m(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
    tensor(0.6931)
"""

from __future__ import annotations

from kerastorch import losses
from kerastorch.backend.annotations import DTypeLike
from kerastorch.metrics.reduction_metrics import MODULE, FunctionMetric
from kerastorch.serialization.object_registration import register_builtin


@register_builtin(MODULE)
class BinaryCrossentropy(FunctionMetric):
    """The mean binary cross-entropy between 0/1 labels and probabilities (logits with ``from_logits``).

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.binary_crossentropy` (averaged over the last axis).

    Args:
        name: str or None, default ``"binary_crossentropy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        from_logits: bool, default False: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: float in ``[0, 1]``, default 0: labels become ``y_true * (1 - label_smoothing) +
            0.5 * label_smoothing``.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> BinaryCrossentropy(from_logits=True)(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        name: str | None = "binary_crossentropy",
        dtype: DTypeLike = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        super().__init__(
            losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing
        )


@register_builtin(MODULE)
class CategoricalCrossentropy(FunctionMetric):
    """The mean cross-entropy between one-hot labels and class probabilities along ``axis``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.categorical_crossentropy`.

    Args:
        name: str or None, default ``"categorical_crossentropy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        from_logits: bool, default False: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: float in ``[0, 1]``, default 0: labels become ``y_true * (1 - label_smoothing) +
            label_smoothing / num_classes``.
        axis: int, default -1: the class axis of ``y_pred``.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> CategoricalCrossentropy()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        name: str | None = "categorical_crossentropy",
        dtype: DTypeLike = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@register_builtin(MODULE)
class SparseCategoricalCrossentropy(FunctionMetric):
    """The mean cross-entropy between integer labels and class probabilities along ``axis``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.sparse_categorical_crossentropy`.

    Args:
        name: str or None, default ``"sparse_categorical_crossentropy"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        from_logits: bool, default False: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: int or None, default None: a label value whose entries get 0; as in Keras 3 they are left
            out of the mean only when a ``sample_weight`` is given (without one they count as zeros).
        axis: int, default -1: the class axis of ``y_pred``.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> SparseCategoricalCrossentropy()(torch.tensor([1]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        name: str | None = "sparse_categorical_crossentropy",
        dtype: DTypeLike = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )


@register_builtin(MODULE)
class KLDivergence(FunctionMetric):
    """The mean Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.kl_divergence`.

    Args:
        name: str or None, default ``"kl_divergence"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> KLDivergence()(torch.tensor([[0.5, 0.5]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.)
    """

    def __init__(self, name: str | None = "kl_divergence", dtype: DTypeLike = None) -> None:
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


@register_builtin(MODULE)
class Poisson(FunctionMetric):
    """The mean Poisson loss ``y_pred - y_true * log(y_pred)``.

    The running mean, over the batches given to ``update_state(y_true, y_pred, sample_weight=None)``, of
    :func:`kerastorch.losses.poisson`.

    Args:
        name: str or None, default ``"poisson"``: the metric's name.
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> Poisson()(torch.tensor([[1.0]]), torch.tensor([[1.0]]))
        tensor(1.0000)
    """

    def __init__(self, name: str | None = "poisson", dtype: DTypeLike = None) -> None:
        super().__init__(losses.poisson, name=name, dtype=dtype)
