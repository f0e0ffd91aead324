"""CTC (Connectionist Temporal Classification) loss, on torch's ``ctc_loss`` kernel.

Keras 3's conventions: ``y_true`` ``(batch_size, max_label_length)`` holds integer labels in
``[1, num_classes)`` padded with 0, class 0 of ``y_pred`` ``(batch_size, time_steps, num_classes)`` is the
blank, and ``y_pred`` holds logits (a log-softmax is applied here). Every sample uses all ``time_steps``
frames; a label sequence that cannot be aligned in them (too long) gives an infinite loss, as in Keras.
Half-precision logits are computed in float32 (the result is float32, as in Keras).

Decisions: 0 anywhere in a row is padding (Keras counts the zeros but keeps the leading entries, so a 0
inside a sequence would be read as a label). Labels outside ``[0, num_classes)`` raise a ValueError for
tensors on the CPU; on an accelerator (where checking would wait for the device) their rows give NaN.

Example:
    >>> logits = torch.zeros(1, 3, 4)
    >>> ctc(torch.tensor([[1, 2, 0]]), logits)
    tensor([2.5494])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from kerastorch.backend.annotations import TensorLike
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper, to_tensor
from kerastorch.losses.losses_utils import float_tensor
from kerastorch.serialization.object_registration import register_builtin

_builtin = register_builtin("keras.losses")
_BLANK = 0


def _check_shapes(labels, logits):
    if labels.dim() != 2:
        raise ValueError(
            f"ctc: expected integer labels y_true of shape (batch_size, max_label_length), received "
            f"y_true.shape={tuple(labels.shape)}"
        )
    if logits.dim() != 3 or logits.shape[0] != labels.shape[0]:
        raise ValueError(
            f"ctc: expected logits y_pred of shape ({labels.shape[0]}, time_steps, num_classes), "
            f"received y_pred.shape={tuple(logits.shape)}"
        )


def _valid_rows(labels, num_classes):
    """Whether each row's labels are class ids; on the CPU a row that is not raises instead."""
    in_range = (labels >= 0) & (labels < num_classes)
    if labels.device.type != "cpu":
        return in_range.all(1)
    if labels.numel() and not bool(in_range.all()):
        raise ValueError(
            f"ctc: expected labels in [0, {num_classes - 1}] (0 is the blank and the padding) for "
            f"y_pred with {num_classes} classes, received labels in [{int(labels.min())}, "
            f"{int(labels.max())}]"
        )
    return None


@_builtin
def ctc(y_true: TensorLike, y_pred: TensorLike) -> torch.Tensor:
    """The CTC loss of each sample: minus the log-probability of its label sequence summed over the alignments
    of the sequence to the ``time_steps`` frames of ``y_pred``.

    Args:
        y_true: Integer tensor ``(batch_size, max_label_length)`` of labels in ``[1, num_classes)``, padded
            with 0 (0 is the blank/mask index and is never a class).
        y_pred: Tensor ``(batch_size, time_steps, num_classes)`` of logits (not softmax probabilities); class 0
            is the blank.

    Returns:
        The loss of each sample, shape ``(batch_size,)`` (infinite for a label sequence too long for the frames).

    Raises:
        ValueError: if ``y_true`` is not of rank 2, ``y_pred`` is not of rank 3 with ``y_true``'s batch size, or
            (for tensors on the CPU) a label is outside ``[0, num_classes)``.

    Example:
        >>> logits = torch.tensor([[[0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]]])
        >>> ctc(torch.tensor([[1, 2]]), logits)
        tensor([0.5578])
    """
    logits = float_tensor(y_pred)
    labels = to_tensor(y_true, device=logits.device)
    _check_shapes(labels, logits)
    labels = labels.long()
    batch_size, time_steps, num_classes = logits.shape
    valid = _valid_rows(labels, num_classes)
    if valid is not None:
        labels = torch.where(valid[:, None], labels, _BLANK)
    present = labels != _BLANK
    # the labels of each row first, in their order, then the padding
    labels = labels.gather(1, torch.argsort((~present).to(torch.uint8), dim=1, stable=True))
    if logits.dtype in (torch.float16, torch.bfloat16):
        logits = logits.float()
    log_probs = torch.log_softmax(logits, -1).transpose(0, 1)
    frames = torch.full((batch_size,), time_steps, dtype=torch.long, device=logits.device)
    losses = F.ctc_loss(log_probs, labels, frames, present.sum(1), blank=_BLANK, reduction="none")
    return losses if valid is None else losses.where(valid, math.nan)


@_builtin
class CTC(LossFunctionWrapper):
    """The CTC (Connectionist Temporal Classification) loss, for sequence models whose output frames are
    aligned to shorter label sequences (speech, handwriting): ``y_true`` holds integer labels padded with 0,
    ``y_pred`` logits ``(batch_size, time_steps, num_classes)`` whose class 0 is the blank.

    :func:`ctc` of each sample, then reduced. Integer labels are not cast to the loss's dtype.

    Args:
        reduction: str or None, default ``"sum_over_batch_size"``: how per-sample losses are reduced:
            ``"sum_over_batch_size"`` / ``"mean"`` (the weighted sum over the number of values), ``"sum"``,
            ``"mean_with_sample_weight"`` (the weighted sum over the sum of the weights), ``"none"`` or None
            (the per-sample values).
        name: str or None, default ``"ctc"``: the loss's name.
        dtype: str, DTypePolicy or None, default None: the dtype the loss computes in (None: ``floatx()``).

    Raises:
        ValueError: for an unknown ``reduction`` or ``dtype``.

    Example:
        >>> logits = torch.tensor([[[0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]]] * 2)
        >>> CTC()(torch.tensor([[1, 2], [1, 0]]), logits)
        tensor(1.2202)
    """

    _cast_y_true = False  # integer labels stay integers

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str | None = "ctc", dtype: PolicyLike = None
    ) -> None:
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)
