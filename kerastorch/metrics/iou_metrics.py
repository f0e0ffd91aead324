"""Intersection-over-union metrics, as in Keras 3: ``IoU``, ``MeanIoU``, ``BinaryIoU``, ``OneHotIoU`` and
``OneHotMeanIoU``.

All five accumulate one ``(num_classes, num_classes)`` confusion matrix (rows: true classes, columns:
predicted classes; :class:`IoU` keeps it, the others are IoU with fixed arguments). A class's IoU is
``tp / (tp + fp + fn)``; the result is the mean IoU over the target classes that occurred (as a label
or a prediction), a float32 scalar.

Decisions (where Keras 3 leaves room or where we differ):

- As in Keras 3, the state's dtype defaults to ``"int32"``: float sample weights are then truncated to
  integers (with a warning); pass ``dtype="float32"`` for fractional weights. Float class ids are truncated
  toward zero; entries whose label or prediction is outside ``[0, num_classes)``, or whose label is
  ``ignore_class``, are not counted.
- A sample weight of the labels' shape (or one that flattens to the same size) weights entry by entry, as
  in Keras 3; a per-sample weight of shape ``(batch,)`` also weights every entry of its sample (Keras 3
  raises there). Mismatched shapes raise a ValueError naming the metric.
- Any ``axis`` the inputs have works (Keras 3 crashes in ``result()`` for an ``axis`` other than -1 or 0).

Example:
    >>> import torch
    >>> m = MeanIoU(num_classes=2)
    >>> m(torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 0, 1]))
    tensor(0.3333)
"""

from __future__ import annotations

import inspect
import numbers
import textwrap
import warnings
from typing import Any, Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.backend.naming import to_snake_case
from kerastorch.metrics.metric import Metric
from kerastorch.metrics.reduction_metrics import MODULE
from kerastorch.serialization.object_registration import register_builtin


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _fail(owner, argument, expected, value):
    raise ValueError(f"{owner}: Argument `{argument}` must be {expected}. Received: {argument}={value!r}")


_ARGUMENTS = {  # argument: (type, meaning); the default comes from the signature
    "num_classes": (
        "int >= 1",
        "The number of classes (the size of the class axis of inputs that are not class "
        "ids): the confusion matrix is ``num_classes`` square.",
    ),
    "target_class_ids": (
        "list or tuple of ints in ``[0, num_classes)``",
        "The classes whose IoUs are averaged; one id gives that class's IoU.",
    ),
    "threshold": ("float", "Scores at or above it predict class 1, below it class 0."),
    "name": ("str", 'The metric\'s name; None gives ``"{name}"`` (numbered when repeated).'),
    "dtype": (
        "str or torch dtype",
        'The confusion matrix\'s dtype; None gives ``"int32"`` (the default of Keras '
        "3), and with an integer dtype sample weights are truncated to integers.",
    ),
    "ignore_class": (
        "int or None",
        'A label (e.g. a "void" class such as -1 or 255) whose entries are not counted; None counts all.',
    ),
    "sparse_y_true": (
        "bool",
        "Whether labels are class ids; False takes the ``argmax`` of ``y_true`` along ``axis`` "
        "(one-hot or scored labels).",
    ),
    "sparse_y_pred": (
        "bool",
        "Whether predictions are class ids; False takes the ``argmax`` of ``y_pred`` along ``axis`` (scores).",
    ),
    "axis": ("int", "The class axis of inputs that are not class ids."),
}


def _documented(summary, example, **types):
    """Class decorator of the IoU metrics: the docstring (``summary``, an Args section built from the signature
    and ``_ARGUMENTS``, whose types ``types`` may override, and ``example``), and the registration."""

    def decorate(cls):
        lines = []
        for argument, parameter in list(inspect.signature(cls.__init__).parameters.items())[1:]:
            kind, meaning = _ARGUMENTS[argument]
            default = "required" if parameter.default is parameter.empty else f"default {parameter.default!r}"
            meaning = meaning.format(name=to_snake_case(cls.__name__))
            lines.append(
                textwrap.fill(
                    f"{argument}: {types.get(argument, kind)}, {default}. {meaning}",
                    116,
                    initial_indent=" " * 8,
                    subsequent_indent=" " * 12,
                )
            )
        cls.__doc__ = f"{summary}\n\n    Args:\n" + "\n".join(lines) + f"\n\n    Example:\n{example}    "
        return register_builtin(MODULE)(cls)

    return decorate


@_documented(
    """The intersection-over-union of the given classes, averaged over those classes.

    Each ``update_state(y_true, y_pred, sample_weight=None)`` adds the (weighted) pairs of true and
    predicted classes to a confusion matrix. A class's IoU is ``tp / (tp + fp + fn)``, from its diagonal
    entry, row and column; ``result()`` is the mean IoU of ``target_class_ids``, over the classes among
    them that occurred (as a label or a prediction): a float32 scalar. IoU is the usual metric of
    semantic segmentation.""",
    """\
        >>> m = IoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 2]))
        >>> m.result()  # class 0: 1 / 2, class 2: 1 / 1
        tensor(0.7500)
        >>> m.update_state(torch.tensor([2]), torch.tensor([0]), sample_weight=torch.tensor([3]))
        >>> m.result()  # class 0: 1 / 5, class 2: 1 / 4
        tensor(0.2250)
""",
)
class IoU(Metric):
    _config_keys: tuple[str, ...] = (
        "num_classes",
        "target_class_ids",
        "ignore_class",
        "sparse_y_true",
        "sparse_y_pred",
        "axis",
    )

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: DTypeLike = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        owner = type(self).__name__
        if not _is_int(num_classes) or num_classes < 1:
            _fail(owner, "num_classes", "an integer >= 1", num_classes)
        ids = target_class_ids
        if not isinstance(ids, (list, tuple)) or not ids or not all(_is_int(i) and 0 <= i < num_classes for i in ids):
            _fail(owner, "target_class_ids", f"a non-empty list of class ids in [0, {num_classes})", ids)
        if ignore_class is not None and not _is_int(ignore_class):
            _fail(owner, "ignore_class", "None or an integer", ignore_class)
        for argument, value in (("sparse_y_true", sparse_y_true), ("sparse_y_pred", sparse_y_pred)):
            if not isinstance(value, bool):
                _fail(owner, argument, "True or False", value)
        if not _is_int(axis):
            _fail(owner, "axis", "an integer", axis)
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = int(num_classes)
        self.target_class_ids = [int(i) for i in ids]
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, int(axis)
        self._targets = self._add_constant(self.target_class_ids, dtype="int64")
        self.total_cm = self.add_variable((self.num_classes, self.num_classes), name="total_confusion_matrix")

    def _classes(self, values: TensorLike, sparse: bool, what: str) -> torch.Tensor:
        """Class ids (in the metric's dtype) of labels or predictions ``values``, the ``argmax`` along
        ``axis`` unless ``sparse``; not yet flattened."""
        values = self._tensor(values)
        if not sparse:
            if not -values.dim() <= self.axis < max(values.dim(), 1):
                raise ValueError(
                    f"{self.name}: axis={self.axis} is not an axis of {what} of shape {tuple(values.shape)}"
                )
            values = values.argmax(self.axis)
        return values.to(config.torch_dtype(self.dtype))

    def _predicted_classes(self, y_pred: TensorLike) -> torch.Tensor:
        return self._classes(y_pred, self.sparse_y_pred, "y_pred")

    def _weights(self, sample_weight, shape):
        """``sample_weight`` (in the metric's dtype) for labels of ``shape``, flattened: entry by entry when
        it has as many entries, else broadcast from the leading axes (one weight per sample)."""
        weight = self._tensor(sample_weight)
        if weight.is_floating_point() and not torch.empty((), dtype=self.total_cm.dtype).is_floating_point():
            warnings.warn(
                f"{self.name}: float sample weights are truncated to the metric's dtype {self.dtype}; "
                "pass integer weights, or dtype='float32' for fractional ones",
                stacklevel=3,
            )
        weight = weight.to(self.total_cm.dtype)
        if weight.numel() == shape.numel():
            return weight.reshape(-1)
        try:
            return weight.reshape(tuple(weight.shape) + (1,) * (len(shape) - weight.dim())).expand(shape).reshape(-1)
        except RuntimeError:
            raise ValueError(
                f"{self.name}: sample_weight of shape {tuple(weight.shape)} does not fit labels of shape {tuple(shape)}"
            ) from None

    def update_state(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> None:
        y_true = self._classes(y_true, self.sparse_y_true, "y_true")
        y_pred = self._predicted_classes(y_pred)
        if y_true.numel() != y_pred.numel():
            raise ValueError(
                f"{self.name}: y_true and y_pred must hold as many class ids, received "
                f"{tuple(y_true.shape)} and {tuple(y_pred.shape)} (after argmax where not sparse)"
            )
        weight = None if sample_weight is None else self._weights(sample_weight, y_true.shape)
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        keep = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        cell = torch.where(keep, y_true.long() * self.num_classes + y_pred.long(), 0)
        weight = keep.to(self.total_cm.dtype) if weight is None else torch.where(keep, weight, 0)
        self.total_cm.view(-1).index_add_(0, cell, weight)

    def result(self) -> torch.Tensor:
        matrix = self.total_cm
        true_positives = matrix.diagonal()
        union = (matrix.sum(0) + matrix.sum(1)).to(matrix.dtype) - true_positives
        union = union[self._targets].to(torch.float32)
        true_positives = true_positives[self._targets].to(torch.float32)
        occurred = union > 1e-9
        eps = config.epsilon()
        iou = torch.where(occurred, true_positives / (union + eps), 0.0)
        return iou.sum() / (occurred.sum().to(torch.float32) + eps)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **{key: getattr(self, key) for key in self._config_keys}}


@_documented(
    """The mean intersection-over-union of all classes (:class:`IoU` with every class as a target).""",
    """\
        >>> m = MeanIoU(num_classes=2, dtype="float32")
        >>> m(torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 0, 1]), sample_weight=torch.tensor([0.3, 0.3, 0.3, 0.1]))
        tensor(0.2381)
""",
)
class MeanIoU(IoU):
    _config_keys: tuple[str, ...] = ("num_classes", "ignore_class", "sparse_y_true", "sparse_y_pred", "axis")

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: DTypeLike = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        ids = list(range(num_classes)) if _is_int(num_classes) else []
        super().__init__(num_classes, ids, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis)


@_documented(
    """The intersection-over-union of class 0 and/or class 1 of a binary task, from scores.

    A prediction is class 1 when ``y_pred >= threshold`` (compared in float32), else class 0; labels are
    0 or 1. Then as :class:`IoU` with two classes.""",
    """\
        >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m(torch.tensor([0, 1, 0, 1]), torch.tensor([0.1, 0.2, 0.4, 0.7]))
        tensor(0.3333)
""",
    target_class_ids="list or tuple of 0 and/or 1",
)
class BinaryIoU(IoU):
    _config_keys = ("target_class_ids", "threshold")

    def __init__(
        self,
        target_class_ids: Sequence[int] = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, (float, int, numbers.Real)):
            _fail(type(self).__name__, "threshold", "a number", threshold)
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = float(threshold)

    def _predicted_classes(self, y_pred):
        return (self._tensor(y_pred, "float32") >= self.threshold).to(self.total_cm.dtype)


@_documented(
    """The intersection-over-union of the given classes, for one-hot labels (:class:`IoU` with
    ``sparse_y_true=False``): labels and, by default, predictions are turned into class ids by ``argmax``
    along ``axis``.""",
    """\
        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m(torch.tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]),
        ...   torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]))
        tensor(0.1667)
""",
)
class OneHotIoU(IoU):
    _config_keys = ("num_classes", "target_class_ids", "ignore_class", "sparse_y_pred", "axis")

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: DTypeLike = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False, sparse_y_pred, axis)


@_documented(
    """The mean intersection-over-union of all classes, for one-hot labels (:class:`MeanIoU` with
    ``sparse_y_true=False``).""",
    """\
        >>> m = OneHotMeanIoU(num_classes=3)
        >>> m(torch.tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]),
        ...   torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]))
        tensor(0.1111)
""",
)
class OneHotMeanIoU(MeanIoU):
    _config_keys = ("num_classes", "ignore_class", "sparse_y_pred", "axis")

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: DTypeLike = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)
