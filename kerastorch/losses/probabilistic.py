"""Probabilistic losses: cross-entropies (binary, categorical, sparse, focal, generalized), KL divergence, Poisson.

Numerics follow Keras 3: probabilities (``from_logits=False``) are clipped to
``[epsilon, 1 - epsilon]`` before a log, categorical probabilities are first divided by
their sum along ``axis``; label smoothing mixes ``y_true`` with the uniform distribution
(``1 / 2`` for binary losses, ``1 / y_true.shape[-1]`` for categorical ones). The fused torch
kernels run where they give Keras's numbers: ``F.binary_cross_entropy(_with_logits)`` and,
for sparse labels with logits, ``F.cross_entropy``; sparse labels with probabilities pick the
true class with a gather instead of building a one-hot tensor.
The cross-entropy math is :mod:`kerastorch.backend.crossentropy`'s, shared with ``keras.ops``.

Decisions: ``binary_crossentropy`` and ``binary_focal_crossentropy`` match ranks like the
other functions (Keras's functions require equal shapes; its classes match ranks).
Sparse labels outside ``[0, num_classes)`` raise a ``ValueError`` with the offending range,
checked only once torch's kernel has failed (so the default path has no host sync); on CUDA
torch's kernels assert on the device instead. ``categorical_generalized_cross_entropy`` reads labels
as the sparse loss does: ``(N, 1)`` labels are ``(N,)`` ones (Keras 3 broadcasts them to an ``(N, N)``
result), labels out of range raise that ValueError (Keras reads negative labels as class 0), and the
function checks ``q`` like the class; ``get`` knows its names (Keras 3.15's does not).

Example:
    >>> binary_crossentropy(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]]), from_logits=True)
    tensor([0.6931])
"""

from __future__ import annotations

import torch

from kerastorch import config
from kerastorch.backend import crossentropy
from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.crossentropy import clip_probabilities, normalized_probabilities
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper, set_mask, to_tensor
from kerastorch.losses.losses_utils import ArgumentFreeLoss, check_float, float_tensor, prepare, smooth_labels
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")
_SPARSE_HINT = "; for integer class ids use sparse_categorical_crossentropy"


def _binary_inputs(
    loss: str, y_true: TensorLike, y_pred: TensorLike, label_smoothing: float
) -> tuple[torch.Tensor, torch.Tensor]:
    y_true, y_pred = prepare(loss, y_true, y_pred, same_shape=True)
    return smooth_labels(y_true, label_smoothing, 2), y_pred


@_builtin
def binary_crossentropy(
    y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> torch.Tensor:
    """Binary cross-entropy averaged over ``axis``.

    Args:
        y_true: tensor or array-like, binary labels (0/1, or soft in ``[0, 1]``) of ``y_pred``'s shape (a trailing
            axis of size 1 may be missing or extra).
        y_pred: tensor or array-like, probabilities (logits with ``from_logits``), shape ``(batch_size, d0, .., dN)``.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            0.5 * label_smoothing``.
        axis: int, default -1: the axis the per-entry losses are averaged over.

    Returns:
        Tensor of ``y_pred``'s shape without ``axis``: the mean over ``axis``.

    Raises:
        ValueError: if ``y_true`` and ``y_pred`` do not have the same shape (after matching ranks).

    Example:
        >>> binary_crossentropy(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
        >>> binary_crossentropy(torch.tensor([[1.0], [0.0]]), torch.tensor([[2.0], [-1.0]]), from_logits=True)
        tensor([0.1269, 0.3133])
    """
    y_true, y_pred = _binary_inputs("binary_crossentropy", y_true, y_pred, label_smoothing)
    return crossentropy.elementwise_binary_crossentropy(y_true, y_pred, from_logits).mean(axis)


@_builtin
def binary_focal_crossentropy(
    y_true: TensorLike,
    y_pred: TensorLike,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma`` (and by ``alpha`` / ``1 - alpha`` for the
    positive / negative class with ``apply_class_balancing``), averaged over ``axis``.

    ``p_t`` is the predicted probability of the true label, so well-classified entries weigh less (Lin et al.,
    2017).

    Args:
        y_true: tensor or array-like, binary labels (0/1, or soft in ``[0, 1]``) of ``y_pred``'s shape (a trailing
            axis of size 1 may be missing or extra).
        y_pred: tensor or array-like, probabilities (logits with ``from_logits``), shape ``(batch_size, d0, .., dN)``.
        apply_class_balancing: bool, default False: whether to weight the classes by ``alpha`` / ``1 - alpha``.
        alpha: float, default 0.25: with ``apply_class_balancing``, the weight of the positive class (the negative
            class gets ``1 - alpha``).
        gamma: float, default 2.0: the focusing exponent of ``(1 - p_t) ** gamma``; 0 gives the plain
            cross-entropy.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            0.5 * label_smoothing``.
        axis: int, default -1: the axis the per-entry losses are averaged over.

    Returns:
        Tensor of ``y_pred``'s shape without ``axis``: the mean over ``axis``.

    Raises:
        ValueError: if ``y_true`` and ``y_pred`` do not have the same shape (after matching ranks).

    Example:
        >>> binary_focal_crossentropy(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor([0.1733])
        >>> binary_focal_crossentropy(torch.tensor([[1.0]]), torch.tensor([[0.5]]), apply_class_balancing=True)
        tensor([0.0433])
    """
    y_true, y_pred = _binary_inputs("binary_focal_crossentropy", y_true, y_pred, label_smoothing)
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = crossentropy.elementwise_binary_crossentropy(y_true, y_pred, False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return focal_bce.mean(axis)


def _categorical_inputs(
    loss: str, y_true: TensorLike, y_pred: TensorLike, label_smoothing: float, axis: int
) -> tuple[torch.Tensor, torch.Tensor, int]:
    crossentropy.not_bool_axis(loss, axis)
    y_true, y_pred = prepare(loss, y_true, y_pred, same_shape=True, hint=_SPARSE_HINT)
    axis = crossentropy.class_axis(loss, axis, y_pred)
    num_classes = y_true.shape[-1] if y_true.dim() else 1
    return smooth_labels(y_true, label_smoothing, num_classes), y_pred, axis


@_builtin
def categorical_crossentropy(
    y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> torch.Tensor:
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities along ``axis``.

    Args:
        y_true: tensor or array-like, one-hot (or soft) labels of ``y_pred``'s shape.
        y_pred: tensor or array-like, class probabilities (logits with ``from_logits``), shape
            ``(batch_size, num_classes)`` or with more axes; probabilities are divided by their sum along ``axis``.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            label_smoothing / num_classes`` (``num_classes`` is the size of ``y_true``'s last axis).
        axis: int, default -1: the class axis of ``y_pred``.

    Returns:
        Tensor of ``y_pred``'s shape without ``axis``: the loss of each sample.

    Raises:
        ValueError: if ``y_true`` and ``y_pred`` do not have the same shape, or ``axis`` is not an int within
            ``y_pred``'s rank.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
    """
    y_true, y_pred, axis = _categorical_inputs("categorical_crossentropy", y_true, y_pred, label_smoothing, axis)
    return crossentropy.categorical_crossentropy(y_true, y_pred, from_logits, axis)


@_builtin
def categorical_focal_crossentropy(
    y_true: TensorLike,
    y_pred: TensorLike,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical cross-entropy with each class term scaled by ``alpha * (1 - p) ** gamma``.

    Args:
        y_true: tensor or array-like, one-hot (or soft) labels of ``y_pred``'s shape.
        y_pred: tensor or array-like, class probabilities (logits with ``from_logits``), shape
            ``(batch_size, num_classes)`` or with more axes; probabilities are divided by their sum along ``axis``.
        alpha: float, default 0.25: the factor of every class term.
        gamma: float, default 2.0: the focusing exponent of ``(1 - p) ** gamma``, ``p`` the predicted probability
            of the class; 0 gives the cross-entropy scaled by ``alpha``.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            label_smoothing / num_classes`` (``num_classes`` is the size of ``y_true``'s last axis).
        axis: int, default -1: the class axis of ``y_pred``.

    Returns:
        Tensor of ``y_pred``'s shape without ``axis``: the loss of each sample.

    Raises:
        ValueError: if ``y_true`` and ``y_pred`` do not have the same shape, or ``axis`` is not an int within
            ``y_pred``'s rank.

    Example:
        >>> categorical_focal_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.0433])
    """
    y_true, y_pred, axis = _categorical_inputs("categorical_focal_crossentropy", y_true, y_pred, label_smoothing, axis)
    probabilities = normalized_probabilities(y_pred, axis, from_logits)
    cross_entropy = -y_true * torch.log(probabilities)
    return (torch.pow(1.0 - probabilities, gamma) * alpha * cross_entropy).sum(axis)


def _sparse_inputs(
    loss: str, y_true: TensorLike, y_pred: TensorLike, axis: int, hint: str = crossentropy.ONE_HOT_HINT
) -> tuple[torch.Tensor, torch.Tensor]:
    """int64 labels and ``y_pred`` with its class axis moved last; labels of another shape raise a ValueError
    (ending with ``hint``)."""
    y_pred = float_tensor(y_pred)
    return crossentropy.sparse_labels(loss, to_tensor(y_true, device=y_pred.device), y_pred, axis, hint)


@_builtin
def sparse_categorical_crossentropy(
    y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> torch.Tensor:
    """Cross-entropy between integer class ids (shape ``(N,)`` or ``(N, 1)``) and class scores along ``axis``.

    Entries whose label is ``ignore_class`` get 0 and a mask that the ``Loss`` reduction honours.

    Args:
        y_true: tensor or array-like of integer class ids in ``[0, num_classes)``, of ``y_pred``'s shape without
            the class axis (or with a trailing axis of size 1).
        y_pred: tensor or array-like, class probabilities (logits with ``from_logits``), classes on ``axis``.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, divided by their
            sum along the class axis and clipped before the log).
        ignore_class: int or None, default None: a label value whose entries get loss 0 and a Keras mask (the
            ``Loss`` reductions then average over the other entries), such as a padding class.
        axis: int, default -1: the class axis of ``y_pred``.

    Returns:
        Tensor of ``y_true``'s shape (without a trailing axis of size 1): the loss of each entry.

    Raises:
        ValueError: if ``y_true``'s shape does not fit ``y_pred``'s, ``axis`` is not an int within ``y_pred``'s
            rank, or (on the CPU) a label is outside ``[0, num_classes)``.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.tensor([[0.5, 0.5], [1.0, 0.0]]))
        tensor([6.9315e-01, 1.1921e-07])
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.zeros(2, 2), from_logits=True, ignore_class=0)
        tensor([0.6931, 0.0000])
    """
    loss = "sparse_categorical_crossentropy"
    labels, y_pred = _sparse_inputs(loss, y_true, y_pred, axis)
    losses = crossentropy.sparse_categorical_crossentropy(labels, y_pred, from_logits, ignore_class, loss)
    return losses if ignore_class is None else set_mask(losses, labels != int(ignore_class))


@_builtin
def categorical_generalized_cross_entropy(y_true: TensorLike, y_pred: TensorLike, q: float) -> torch.Tensor:
    """The generalized cross-entropy ``(1 - p ** q) / q`` of the probability ``p`` given to the true class
    (Zhang and Sabuncu, 2018): robust to noisy labels, it tends to the cross-entropy as ``q`` goes to 0 and
    is the mean absolute error (up to a factor) at ``q = 1``.

    Args:
        y_true: Integer class ids of shape ``(batch_size,)`` (or ``(batch_size, 1)``).
        y_pred: Class probabilities of shape ``(batch_size, num_classes)`` (used as given, not clipped: a
            probability of 0 for the true class has an infinite gradient).
        q: float in ``(0, 1)``, no default. The noise parameter.

    Returns:
        The loss of each sample, shape ``(batch_size,)``.

    Raises:
        ValueError: if ``q`` is not in ``(0, 1)``, ``y_true``'s shape does not fit ``y_pred``'s, or a label is
            outside ``[0, num_classes)``.

    Example:
        >>> categorical_generalized_cross_entropy(torch.tensor([0, 1]), torch.tensor([[0.25, 0.75], [0.36, 0.64]]),
        ...                                       q=0.5)
        tensor([1.0000, 0.4000])
    """
    loss = "categorical_generalized_cross_entropy"
    q = check_float(loss, "q", q, 0.0, 1.0, open_low=True, open_high=True)
    labels, y_pred = _sparse_inputs(loss, y_true, y_pred, -1, hint="; for one-hot labels pass y_true.argmax(-1)")
    try:
        picked = y_pred.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    except (IndexError, RuntimeError) as error:
        crossentropy.raise_if_labels_out_of_range(loss, labels, None, y_pred.shape[-1], error)
        raise
    return (1.0 - torch.pow(picked, q)) / q


@_builtin
def kl_divergence(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[epsilon, 1]``.

    Args:
        y_true: tensor or array-like, the target distributions, of ``y_pred``'s shape or broadcastable to it.
        y_pred: tensor or array-like, the predicted distributions, shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the divergence of each distribution.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> kl_divergence(torch.tensor([[0.5, 0.5]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.])
        >>> kl_divergence(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))  # log(2)
        tensor([0.6931])
    """
    y_true, y_pred = prepare("kl_divergence", y_true, y_pred)
    y_true, y_pred = clip_probabilities(y_true, high=1.0), clip_probabilities(y_pred, high=1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(-1)


@_builtin
def poisson(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    The negative log-likelihood of counts ``y_true`` under Poisson rates ``y_pred``, up to a term that depends
    on ``y_true`` only.

    Args:
        y_true: tensor or array-like, the observed counts, of ``y_pred``'s shape or broadcastable to it.
        y_pred: tensor or array-like, the predicted rates (>= 0), shape ``(batch_size, d0, .., dN)``.

    Returns:
        Tensor of shape ``(batch_size, d0, .., dN-1)``: the mean over the last axis.

    Raises:
        ValueError: if the shapes of ``y_true`` and ``y_pred`` do not broadcast.

    Example:
        >>> poisson(torch.tensor([[1.0]]), torch.tensor([[1.0]]))
        tensor([1.0000])
    """
    y_true, y_pred = prepare("poisson", y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + config.epsilon())).mean(-1)


@_builtin
class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy of binary labels (0/1, or soft) against probabilities or logits.

    :func:`binary_crossentropy` of each sample, then reduced.

    Args:
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            0.5 * label_smoothing``.
        axis: int, default -1: the axis the per-entry losses are averaged over.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"binary_crossentropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> BinaryCrossentropy(from_logits=True)(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "binary_crossentropy",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_builtin
class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy that down-weights well-classified examples by ``(1 - p_t) ** gamma``.

    :func:`binary_focal_crossentropy` of each sample, then reduced.

    Args:
        apply_class_balancing: bool, default False: whether to weight the classes by ``alpha`` / ``1 - alpha``.
        alpha: float, default 0.25: with ``apply_class_balancing``, the weight of the positive class (the negative
            class gets ``1 - alpha``).
        gamma: float, default 2.0: the focusing exponent of ``(1 - p_t) ** gamma``; 0 gives the plain
            cross-entropy.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            0.5 * label_smoothing``.
        axis: int, default -1: the axis the per-entry losses are averaged over.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"binary_focal_crossentropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> BinaryFocalCrossentropy(gamma=0.0)(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "binary_focal_crossentropy",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_builtin
class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of one-hot labels against class probabilities or logits.

    :func:`categorical_crossentropy` of each sample, then reduced; for integer labels use
    :class:`SparseCategoricalCrossentropy`.

    Args:
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            label_smoothing / num_classes`` (``num_classes`` is the size of ``y_true``'s last axis).
        axis: int, default -1: the class axis of ``y_pred``.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"categorical_crossentropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> CategoricalCrossentropy(from_logits=True)(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 0.0]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "categorical_crossentropy",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_builtin
class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy that down-weights well-classified classes by ``alpha * (1 - p) ** gamma``.

    :func:`categorical_focal_crossentropy` of each sample, then reduced.

    Args:
        alpha: float, default 0.25: the factor of every class term.
        gamma: float, default 2.0: the focusing exponent of ``(1 - p) ** gamma``, ``p`` the predicted probability
            of the class; 0 gives the cross-entropy scaled by ``alpha``.
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, clipped to
            ``[epsilon, 1 - epsilon]`` before the log).
        label_smoothing: float in ``[0, 1]``, default 0.0: labels become ``y_true * (1 - label_smoothing) +
            label_smoothing / num_classes`` (``num_classes`` is the size of ``y_true``'s last axis).
        axis: int, default -1: the class axis of ``y_pred``.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"categorical_focal_crossentropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> CategoricalFocalCrossentropy(alpha=1.0, gamma=0.0)(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "categorical_focal_crossentropy",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_builtin
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer class ids against class probabilities or logits; ``ignore_class`` entries
    are left out of the mean.

    :func:`sparse_categorical_crossentropy` of each sample, then reduced. Integer labels are not cast to the
    loss's dtype.

    Args:
        from_logits: bool, default False: whether ``y_pred`` holds logits (else probabilities, divided by their
            sum along the class axis and clipped before the log).
        ignore_class: int or None, default None: a label value whose entries get loss 0 and a Keras mask (the
            ``Loss`` reductions then average over the other entries), such as a padding class.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        axis: int, default -1: the class axis of ``y_pred``.
        name: str or None, default ``"sparse_categorical_crossentropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> SparseCategoricalCrossentropy(from_logits=True)(torch.tensor([1, 0]), torch.zeros(2, 2))
        tensor(0.6931)
        >>> SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)(torch.tensor([1, 0]), torch.zeros(2, 2))
        tensor(0.6931)
    """

    _cast_y_true = False  # integer labels stay integers (exact beyond 2**24 classes)

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str | None = "sparse_categorical_crossentropy",
        dtype: PolicyLike = None,
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )


@_builtin
class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """The generalized cross-entropy ``(1 - p ** q) / q`` of integer class ids against class probabilities, a
    loss robust to noisy labels between the cross-entropy (``q`` near 0) and the mean absolute error (``q``
    near 1).

    :func:`categorical_generalized_cross_entropy` of each sample, then reduced.

    Args:
        q: float in ``(0, 1)``, default 0.5: the noise parameter.
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"categorical_generalized_cross_entropy"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: if ``q`` is not in ``(0, 1)``, or for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> CategoricalGeneralizedCrossEntropy()(torch.tensor([0, 1]), torch.tensor([[0.25, 0.75], [0.36, 0.64]]))
        tensor(0.7000)
    """

    _cast_y_true = False  # integer labels stay integers

    def __init__(
        self,
        q: float = 0.5,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "categorical_generalized_cross_entropy",
        dtype: PolicyLike = None,
    ) -> None:
        q = check_float("categorical_generalized_cross_entropy", "q", q, 0.0, 1.0, open_low=True, open_high=True)
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype, q=q)


@_builtin
class KLDivergence(ArgumentFreeLoss):
    """The Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` (:func:`kl_divergence`, then
    reduced).

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"kl_divergence"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> KLDivergence()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    function = staticmethod(kl_divergence)


@_builtin
class Poisson(ArgumentFreeLoss):
    """The Poisson negative log-likelihood ``y_pred - y_true * log(y_pred)`` (up to a constant; :func:`poisson`,
    then reduced).

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default None: the loss's name (None: ``"poisson"``).
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> Poisson()(torch.tensor([[0.0]]), torch.tensor([[2.0]]))
        tensor(2.)
    """

    function = staticmethod(poisson)
