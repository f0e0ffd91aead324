"""The cross-entropy numerics shared by ``keras.ops.nn`` and ``keras.losses`` (private helpers for both).

``ops`` sits below ``losses``, so the math lives here and both use it: ``ops.binary_crossentropy`` and the
``BinaryCrossentropy`` loss give the same numbers because they run the same function. It follows Keras 3:

- probabilities (``from_logits=False``) are clipped to ``[epsilon, 1 - epsilon]`` before a log
  (:func:`clip_probabilities`), and categorical probabilities are first divided by their sum along the class
  axis (:func:`normalized_probabilities`);
- the fused torch kernels run where they give Keras's numbers: ``F.binary_cross_entropy(_with_logits)`` and,
  for integer labels with logits, ``F.cross_entropy``; integer labels with probabilities pick the true class
  with a gather instead of building a one-hot tensor;
- integer labels outside ``[0, num_classes)`` raise a ``ValueError`` with the offending range, checked only
  once torch's kernel has failed (so the default path has no host sync); on CUDA torch's kernels assert on the
  device instead.

Argument checks name their caller (``name``, e.g. ``"sparse_categorical_crossentropy"``); argument
conversion, label smoothing, reductions and masks stay with the callers.

Example:
    >>> clip_probabilities(torch.tensor([0.0, 0.5, 1.0]))
    tensor([1.0000e-07, 5.0000e-01, 1.0000e+00])
    >>> elementwise_binary_crossentropy(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 0.0]), from_logits=True)
    tensor([0.6931, 0.6931])
    >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 3.0]]), from_logits=False, axis=-1)
    tensor([0.2877])
    >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.zeros(2, 2), from_logits=True)
    tensor([0.6931, 0.6931])
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from kerastorch import config

__all__ = [
    "ONE_HOT_HINT",
    "categorical_crossentropy",
    "check_axis",
    "class_axis",
    "clip_probabilities",
    "elementwise_binary_crossentropy",
    "normalized_probabilities",
    "not_bool_axis",
    "raise_if_labels_out_of_range",
    "sparse_categorical_crossentropy",
    "sparse_labels",
]

ONE_HOT_HINT = "; for one-hot labels use categorical_crossentropy"


def clip_probabilities(p: torch.Tensor, high: float | None = None) -> torch.Tensor:
    """``p`` clipped to ``[epsilon, 1 - epsilon]`` (or ``[epsilon, high]``), Keras's guard before a log.

    Args:
        p: tensor of probabilities.
        high: float or None, default None: the upper bound (None: ``1 - epsilon``).

    Returns:
        The clipped tensor, of the shape and dtype of ``p``.

    Example:
        >>> clip_probabilities(torch.tensor([0.0, 1.0]), high=1.0)
        tensor([1.0000e-07, 1.0000e+00])
    """
    eps = config.epsilon()
    return p.clamp(eps, 1.0 - eps if high is None else high)


def normalized_probabilities(y_pred: torch.Tensor, axis: int, from_logits: bool = False) -> torch.Tensor:
    """Probabilities along ``axis``: the softmax of logits, else ``y_pred`` divided by its sum, clipped.

    Args:
        y_pred: tensor of logits or scores.
        axis: int, the class axis.
        from_logits: bool, default False: whether ``y_pred`` holds logits.

    Returns:
        A tensor of probabilities, of the shape of ``y_pred``.

    Example:
        >>> normalized_probabilities(torch.tensor([1.0, 3.0]), axis=-1)
        tensor([0.2500, 0.7500])
    """
    if from_logits:
        y_pred = torch.softmax(y_pred, axis)
    return clip_probabilities(y_pred / y_pred.sum(axis, keepdim=True))


def check_axis(name: str, axis: int, rank: int) -> int:
    """``axis`` (the class axis of a rank ``rank`` y_pred) as a non-negative int, else a ValueError naming ``name``.

    Args:
        name: str, the function named in error messages.
        axis: int, the axis given.
        rank: int, the rank of ``y_pred``.

    Returns:
        int, the axis counted from 0.

    Raises:
        ValueError: for a scalar ``y_pred`` (``rank`` 0), or an ``axis`` that is not an int in ``[-rank, rank)``.

    Example:
        >>> check_axis("my_loss", -1, 3)
        2
        >>> check_axis("my_loss", 3, 3)
        Traceback (most recent call last):
        ...
        ValueError: my_loss: axis must be an int in [-3, 3) for y_pred of rank 3, received axis=3
    """
    if rank == 0:
        raise ValueError(f"{name}: expected y_pred of rank >= 1 with classes on an axis, received a scalar")
    if isinstance(axis, bool) or not isinstance(axis, int) or not -rank <= axis < rank:
        raise ValueError(
            f"{name}: axis must be an int in [{-rank}, {rank}) for y_pred of rank {rank}, received axis={axis!r}"
        )
    return axis % rank


def not_bool_axis(name: str, axis: int) -> int:
    """``axis`` unless it is a bool (``axis=True`` is a mistake, not axis 1), else a ValueError naming ``name``.

    The categorical cross-entropies check this before looking at their inputs; :func:`class_axis` checks the rest.

    Args:
        name: str, the function named in error messages.
        axis: the axis given.

    Returns:
        ``axis``, unchanged.

    Raises:
        ValueError: for a bool ``axis``.

    Example:
        >>> not_bool_axis("categorical_crossentropy", True)
        Traceback (most recent call last):
        ...
        ValueError: categorical_crossentropy: axis must be an int, received axis=True
    """
    if isinstance(axis, bool):
        raise ValueError(f"{name}: axis must be an int, received axis={axis!r}")
    return axis


def class_axis(name: str, axis: int, y_pred: torch.Tensor) -> int:
    """The class axis of categorical ``y_pred`` as a non-negative int (see :func:`check_axis`); warns, as the
    categorical cross-entropies do, when the last axis has a single class.

    Args:
        name: str, the function named in error messages and the warning.
        axis: int, the axis given.
        y_pred: tensor, the class probabilities or logits.

    Returns:
        int, the axis counted from 0.

    Raises:
        ValueError: for a bool ``axis``, a scalar ``y_pred``, or an ``axis`` outside ``y_pred``'s rank.

    Example:
        >>> class_axis("categorical_crossentropy", -1, torch.zeros(4, 3))
        1
    """
    axis = check_axis(name, not_bool_axis(name, axis), y_pred.dim())
    if y_pred.dim() and y_pred.shape[-1] == 1:
        warnings.warn(
            f"{name}: expected y_pred of shape (batch_size, num_classes) with num_classes > 1, received "
            f"y_pred.shape={tuple(y_pred.shape)}; for 2 classes consider binary_crossentropy",
            stacklevel=4,
        )
    return axis


def elementwise_binary_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool) -> torch.Tensor:
    """Per-entry binary cross-entropy ``-(y_true * log(p) + (1 - y_true) * log(1 - p))`` (no reduction).

    Probabilities are clipped to ``[epsilon, 1 - epsilon]`` first; a NaN probability gives a NaN loss (as in
    Keras, where ``TerminateOnNaN`` relies on it) rather than torch's error.

    Args:
        y_true: float tensor, the targets in ``[0, 1]``, of ``y_pred``'s shape and dtype.
        y_pred: float tensor, the predicted probabilities (logits with ``from_logits``).
        from_logits: bool, whether ``y_pred`` holds logits rather than probabilities.

    Returns:
        A tensor of ``y_pred``'s shape and dtype.

    Example:
        >>> elementwise_binary_crossentropy(torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.2]), from_logits=False)
        tensor([0.6931, 0.2231])
    """
    if from_logits:
        return F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    y_pred = clip_probabilities(y_pred)
    try:
        if torch.is_autocast_enabled(y_pred.device.type):  # binary_cross_entropy refuses autocast
            with torch.autocast(y_pred.device.type, enabled=False):
                return F.binary_cross_entropy(y_pred.float(), y_true.float(), reduction="none").to(y_pred.dtype)
        return F.binary_cross_entropy(y_pred, y_true, reduction="none")
    except RuntimeError as error:
        if "between 0 and 1" not in str(error):
            raise
        # Clipped probabilities leave [0, 1] only through NaN, which torch's kernel refuses. Keras lets NaN
        # flow into the loss (TerminateOnNaN relies on it): compute the same formula explicitly.
        return -(y_true * torch.log(y_pred) + (1.0 - y_true) * torch.log(1.0 - y_pred))


def categorical_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool, axis: int) -> torch.Tensor:
    """Cross-entropy ``-sum(y_true * log(p), axis)`` between one-hot (or soft) targets and class scores.

    ``p`` is ``log_softmax(y_pred)`` for logits, else :func:`normalized_probabilities` of ``y_pred``.

    Args:
        y_true: float tensor, the targets, of ``y_pred``'s shape and dtype.
        y_pred: float tensor, the class probabilities (logits with ``from_logits``).
        from_logits: bool, whether ``y_pred`` holds logits rather than probabilities.
        axis: int, the class axis.

    Returns:
        A tensor of ``y_pred``'s shape without ``axis``.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 0.0]]), from_logits=True, axis=-1)
        tensor([0.6931])
    """
    log_prob = torch.log_softmax(y_pred, axis) if from_logits else torch.log(normalized_probabilities(y_pred, axis))
    return -(y_true * log_prob).sum(axis)


def sparse_labels(
    name: str, labels: torch.Tensor, y_pred: torch.Tensor, axis: int, hint: str = ONE_HOT_HINT
) -> tuple[torch.Tensor, torch.Tensor]:
    """Integer labels and the class scores they index, ready for :func:`sparse_categorical_crossentropy`.

    A trailing label axis of size 1 (labels of ``y_pred``'s rank) is dropped and the class axis of ``y_pred`` is
    moved last.

    Args:
        name: str, the function named in error messages.
        labels: tensor of class ids (any numeric dtype), on ``y_pred``'s device.
        y_pred: float tensor, the class probabilities or logits, classes on ``axis``.
        axis: int, the class axis of ``y_pred``.
        hint: str, default ``"; for one-hot labels use categorical_crossentropy"``: appended to the shape error.

    Returns:
        ``(labels, y_pred)``: int64 labels of ``y_pred``'s shape without the class axis, and ``y_pred`` with its
        class axis last.

    Raises:
        ValueError: if ``axis`` is not an int within ``y_pred``'s rank, or the labels' shape does not fit.

    Example:
        >>> labels, scores = sparse_labels("my_loss", torch.tensor([[2], [0]]), torch.zeros(2, 3), -1)
        >>> labels, tuple(scores.shape)
        (tensor([2, 0]), (2, 3))
    """
    if labels.dim() == y_pred.dim() and labels.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    axis = check_axis(name, axis, y_pred.dim())
    if axis != y_pred.dim() - 1:
        y_pred = y_pred.movedim(axis, -1)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"{name}: expected integer labels of shape {tuple(y_pred.shape[:-1])} (or with a trailing "
            f"axis of size 1) for y_pred.shape={tuple(y_pred.shape)} with classes on axis {axis}, "
            f"received y_true.shape={tuple(labels.shape)}{hint}"
        )
    return labels.long(), y_pred


def sparse_categorical_crossentropy(
    labels: torch.Tensor,
    y_pred: torch.Tensor,
    from_logits: bool,
    ignore_class: int | None = None,
    name: str = "sparse_categorical_crossentropy",
) -> torch.Tensor:
    """Cross-entropy ``-log(p[label])`` of integer labels against class scores whose class axis is last.

    Args:
        labels: int64 tensor of class ids in ``[0, num_classes)``, of ``y_pred``'s shape without the last axis
            (see :func:`sparse_labels`).
        y_pred: float tensor, the class probabilities (divided by their sum and clipped before the log) or logits
            with ``from_logits``; classes on the last axis.
        from_logits: bool, whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: int or None, default None: a label whose entries get loss 0 (and are not range-checked).
        name: str, default ``"sparse_categorical_crossentropy"``: the function named in the range error.

    Returns:
        A tensor of ``labels``' shape.

    Raises:
        ValueError: (on the CPU) if a label other than ``ignore_class`` is outside ``[0, num_classes)``.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.tensor([[0.5, 0.5], [0.9, 0.1]]),
        ...                                 from_logits=False)
        tensor([0.6931, 0.1054])
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.zeros(2, 2), from_logits=True, ignore_class=0)
        tensor([0.6931, 0.0000])
    """
    num_classes = y_pred.shape[-1]
    valid = None if ignore_class is None else labels != int(ignore_class)
    try:
        if from_logits:
            ignore_index = -100 if ignore_class is None else int(ignore_class)
            if y_pred.dim() == 2:
                losses = F.cross_entropy(y_pred, labels, reduction="none", ignore_index=ignore_index)
            else:
                losses = F.cross_entropy(
                    y_pred.reshape(-1, num_classes), labels.reshape(-1), reduction="none", ignore_index=ignore_index
                ).reshape(labels.shape)
        else:
            total = y_pred.sum(-1)
            if valid is not None:  # ignored rows may sum to 0: keep their (discarded) values and gradients finite
                labels, total = labels.masked_fill(~valid, 0), torch.where(valid, total, 1.0)
            picked = y_pred.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
            losses = -torch.log(clip_probabilities(picked / total))
    except (IndexError, RuntimeError) as error:
        raise_if_labels_out_of_range(name, labels, valid, num_classes, error)
        raise
    return losses if valid is None else torch.where(valid, losses, 0.0)


def raise_if_labels_out_of_range(
    name: str, labels: torch.Tensor, valid: torch.Tensor | None, num_classes: int, error: BaseException
) -> None:
    """Raises a ValueError naming the labels' range when some (valid) label is outside ``[0, num_classes)``.

    Called once a torch kernel indexing with ``labels`` has failed, so the range check costs nothing (no host
    sync) on the normal path; when the labels are in range it returns and the caller re-raises ``error``.

    Args:
        name: str, the function named in the error message.
        labels: integer tensor of class ids.
        valid: bool tensor of ``labels``' shape or None: the labels to check (None: all).
        num_classes: int, the number of classes.
        error: the exception torch raised, chained to the ValueError.

    Raises:
        ValueError: if a checked label is negative or not below ``num_classes``.

    Example:
        >>> raise_if_labels_out_of_range("my_loss", torch.tensor([0, 3]), None, 3, IndexError("index 3"))
        Traceback (most recent call last):
        ...
        ValueError: my_loss: expected integer labels in [0, 2] for y_pred with 3 classes, received labels in [0, 3]
    """
    checked = labels if valid is None else labels[valid]
    if checked.numel() and (int(checked.min()) < 0 or int(checked.max()) >= num_classes):
        raise ValueError(
            f"{name}: expected integer labels in [0, {num_classes - 1}] for y_pred with {num_classes} "
            f"classes, received labels in [{int(checked.min())}, {int(checked.max())}]"
        ) from error
