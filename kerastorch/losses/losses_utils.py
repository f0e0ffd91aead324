"""Helpers shared by the loss families (and metrics built on the same inputs): input conversion, clipping,
label smoothing, shape and argument checks.

The probability clipping and the class-axis check live in :mod:`kerastorch.backend.crossentropy` (``keras.ops``'
cross-entropies use them too) and are imported here for the losses.

Example:
    >>> import torch
    >>> y_true, y_pred = prepare("my_loss", [[1], [0]], torch.tensor([0.8, 0.3]))
    >>> y_true.dtype, tuple(y_true.shape), tuple(y_pred.shape)
    (torch.float32, (2, 1), (2, 1))
    >>> clip_probabilities(torch.tensor([0.0, 1.0]))
    tensor([1.0000e-07, 1.0000e+00])
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, ClassVar

import torch

from kerastorch import config
from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.crossentropy import check_axis, clip_probabilities, normalized_probabilities  # noqa: F401 - used by the losses
from kerastorch.dtype_policies import PolicyLike
from kerastorch.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank, to_tensor


def float_tensor(x: TensorLike) -> torch.Tensor:
    """``x`` as a tensor, integer ones cast to ``floatx``.

    Args:
        x: tensor, array or number.

    Returns:
        A floating-point tensor.
    """
    x = to_tensor(x)
    return x if x.is_floating_point() else x.to(config.torch_dtype(None))


def prepare(
    loss: str, y_true: TensorLike, y_pred: TensorLike, same_shape: bool = False, hint: str = ""
) -> tuple[torch.Tensor, torch.Tensor]:
    """``y_pred`` as a float tensor and ``y_true`` cast to its dtype and device (as Keras's loss functions do),
    their ranks matched by :func:`squeeze_or_expand_to_same_rank`; shapes that do not broadcast (that differ,
    with ``same_shape``) raise a ValueError naming ``loss`` (and ending with ``hint``).

    Args:
        loss: str, the loss named in error messages.
        y_true: tensor, array or number, the targets.
        y_pred: tensor, array or number, the predictions.
        same_shape: bool, default False: require equal shapes rather than broadcastable ones.
        hint: str, default ``""``: appended to the error message.

    Returns:
        ``(y_true, y_pred)`` as tensors of one dtype and device.
    """
    y_pred = float_tensor(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype, y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if same_shape:
        check_same_shape(loss, y_true, y_pred, hint)
    else:
        check_broadcast(loss, y_true, y_pred)
    return y_true, y_pred


def smooth_labels(y_true: torch.Tensor, label_smoothing: float, num_classes: float) -> torch.Tensor:
    """``y_true * (1 - label_smoothing) + label_smoothing / num_classes`` (unchanged for 0).

    Args:
        y_true: tensor of targets.
        label_smoothing: float in [0, 1], how much to smooth.
        num_classes: int or float, the number of classes.

    Returns:
        The smoothed targets.
    """
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


def check_same_shape(loss: str, y_true: torch.Tensor, y_pred: torch.Tensor, hint: str = "") -> None:
    """A ValueError naming the loss unless ``y_true`` and ``y_pred`` have the same shape.

    Args:
        loss: str, the loss named in error messages.
        y_true: tensor, the targets.
        y_pred: tensor, the predictions.
        hint: str, default ``""``: appended to the error message.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss}: expected y_true and y_pred of the same shape, received y_true.shape="
            f"{tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}{hint}"
        )


def check_broadcast(loss: str, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    """A ValueError naming the loss unless ``y_true`` and ``y_pred`` broadcast together.

    Args:
        loss: str, the loss named in error messages.
        y_true: tensor, the targets.
        y_pred: tensor, the predictions.
    """
    if y_true.shape != y_pred.shape:
        try:
            torch.broadcast_shapes(y_true.shape, y_pred.shape)
        except RuntimeError:
            raise ValueError(
                f"{loss}: y_true and y_pred must have broadcastable shapes, received y_true.shape="
                f"{tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}"
            ) from None


def check_float(
    loss: str,
    argument: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """``value`` as a float when it is a real number (not a bool) in the interval from ``low`` to ``high`` (ends
    excluded with ``open_low`` / ``open_high``), else a ValueError naming the loss, the argument, the interval and
    the value received.

    Args:
        loss: str, the loss named in error messages.
        argument: str, the argument's name.
        value: the value received.
        low, high: floats, default unbounded: the interval's ends.
        open_low, open_high: bools, default False: whether the ends are excluded.

    Returns:
        float, the value.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        above = number > low if open_low else number >= low
        below = number < high if open_high else number <= high
        if above and below:
            return number
    left = "(" if open_low or low == -math.inf else "["
    right = ")" if open_high or high == math.inf else "]"
    interval = f"{left}{low:g}, {high:g}{right}"
    raise ValueError(f"{loss}: {argument} must be a float in {interval}, received {argument}={value!r}")


class ArgumentFreeLoss(LossFunctionWrapper):
    """Base of the losses whose function takes no options: a subclass names it in ``function``;
    the default name is the function's name (``MeanSquaredError`` -> ``"mean_squared_error"``).

    Args:
        reduction: str, default ``"sum_over_batch_size"``: Keras's reduction.
        name: str or None, default None: the loss's name (None: the function's).
        dtype: str or None, default None: the dtype the loss computes in.
    """

    function: ClassVar[Callable[..., torch.Tensor]]  # set by each subclass

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str | None = None, dtype: PolicyLike = None
    ) -> None:
        function = type(self).function
        super().__init__(function, reduction=reduction, name=name or function.__name__, dtype=dtype)
