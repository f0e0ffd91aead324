"""The argument checks of ``compile``, ``fit``, ``evaluate`` and ``predict``: every bad argument is refused
before any work starts, with a ``ValueError`` in the format of :mod:`kerastorch.backend.validation`
(``Model "m" fit: argument `batch_size` must be a positive integer or None; received 0 (int)``).

Decisions, where Keras 3 is more lenient (it accepts these and then trains on something else, fails deep
inside, or falls back silently):

- ``batch_size=0``, ``epochs=-1``, ``steps=0``, ``validation_freq=0``, ``initial_epoch=-1`` and a
  ``verbose`` other than ``"auto"``/0/1/2 are refused (``epochs=0`` is accepted: nothing to train, as when
  ``initial_epoch == epochs`` on resuming).
- ``batch_size`` is refused for data that yields its own batches (a generator, a ``PyDataset``, a torch
  ``DataLoader``); Keras warns and ignores it. A torch ``Dataset`` is batched with it.
- ``shuffle`` is a bool or ``"batch"``; ``class_weight`` a dict ``{class index: weight}``; ``callbacks``
  a ``Callback``, or a list of them; ``validation_data`` a tuple ``(x, y)`` / ``(x, y, sample_weight)`` or
  a data set; array data holds numbers or booleans (not strings or Python objects).
- ``metrics`` and ``weighted_metrics`` are a list, tuple or dict, as Keras 3 requires; ``loss_weights`` a
  number, a list/tuple or a dict of numbers.

Example:
    >>> check_fit('Model "m" fit', x=[[0.0]], y=[[1.0]], batch_size=0)
    Traceback (most recent call last):
    ...
    ValueError: Model "m" fit: argument `batch_size` must be a positive integer or None; received 0 (int)
"""

from __future__ import annotations

import numbers
import types
from typing import Any, Iterator, Sequence

import numpy as np
import torch

from kerastorch import losses as losses_module
from kerastorch import metrics as metrics_module
from kerastorch import tree
from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier, TensorLike
from kerastorch.callbacks.callback import Callback
from kerastorch.trainers.data_adapters.py_dataset_adapter import PyDataset

__all__ = [
    "check_callbacks",
    "check_compile",
    "check_data",
    "check_evaluate",
    "check_fit",
    "check_on_batch",
    "check_predict",
    "check_verbose",
]

_NUMERIC_KINDS = "biufc"  # numpy dtype kinds a tensor can hold: bool, ints, unsigned, floats, complex


def _batches_itself(x):
    """Whether ``x`` yields whole batches (``batch_size`` then has no meaning)."""
    return isinstance(x, (PyDataset, torch.utils.data.DataLoader, types.GeneratorType)) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__")
    )


def _is_data_set(x):
    return _batches_itself(x) or isinstance(x, torch.utils.data.Dataset)


def check_data(owner: str, name: str, value: Any, required: bool = False, data_set: bool = False) -> None:
    """``value`` (``x``, ``y``, ``sample_weight`` ...): None (unless ``required``), a data set (with
    ``data_set``), or arrays and tensors (alone, or in lists / tuples / dicts) that hold numbers or booleans.

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the data.
        required: bool, default False: whether None is refused.
        data_set: bool, default False: whether a data set (torch Dataset / DataLoader, PyDataset, generator)
            is accepted.

    Raises:
        ValueError: for anything else.
    """
    expected = "numpy arrays or tensors of numbers or booleans (or lists / dicts of them)"
    if data_set:
        expected += ", a torch Dataset / DataLoader, a PyDataset or a generator"
    if not required:
        expected += ", or None"
    if value is None:
        if required:
            validation.fail(owner, name, expected, value)
        return
    if data_set and _is_data_set(value):
        return
    for leaf in tree.flatten(value):
        if isinstance(leaf, torch.Tensor):
            continue
        try:
            kind = "O" if leaf is None or isinstance(leaf, (str, bytes)) else np.asarray(leaf).dtype.kind
        except Exception:  # noqa: BLE001 - anything numpy cannot read is not array data
            kind = "O"
        if kind not in _NUMERIC_KINDS:
            validation.fail(owner, name, expected, value)


def _check_data_arguments(owner, x, y, sample_weight, batch_size, batch_size_name="batch_size"):
    check_data(owner, "x", x, required=True, data_set=True)
    if not _is_data_set(x):
        check_data(owner, "y", y)
        check_data(owner, "sample_weight", sample_weight)
    batch_size = validation.positive_int(owner, batch_size_name, batch_size, allow_none=True)
    if batch_size is not None and _batches_itself(x):
        raise ValueError(
            f"{owner}: argument `{batch_size_name}` must be None when the data is a "
            f"{type(x).__name__}, which yields whole batches itself; received {batch_size!r}. "
            "Set the batch size where the batches are made."
        )


_VERBOSE_CHOICES: tuple[str | int, ...] = ("auto", 0, 1, 2)


def check_verbose(owner: str, verbose: str | int) -> str | int:
    """``verbose``: ``"auto"``, 0, 1 or 2 (``False``/``True`` mean 0/1)."""
    if isinstance(verbose, (bool, np.bool_)):
        return verbose
    return validation.one_of(owner, "verbose", verbose, _VERBOSE_CHOICES)


def check_callbacks(owner: str, callbacks: Callback | Sequence[Callback] | None) -> None:
    """``callbacks``: None, a ``Callback`` or a list / tuple of them."""
    if callbacks is None or isinstance(callbacks, Callback):
        return
    expected = "a list of keras.callbacks.Callback instances (or one, or None)"
    if not isinstance(callbacks, (list, tuple)):
        validation.fail(owner, "callbacks", expected, callbacks)
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise ValueError(
                f"{owner}: argument `callbacks` must be {expected}; received an entry {validation.describe(callback)}"
            )


def _check_class_weight(owner, class_weight):
    if class_weight is None:
        return
    expected = "a dict {class index (int >= 0): weight (number)} or None"
    if not isinstance(class_weight, dict):
        validation.fail(owner, "class_weight", expected, class_weight)
    for key, weight in class_weight.items():
        if (
            not validation.is_integer(key)
            or key < 0
            or not isinstance(weight, numbers.Real)
            or isinstance(weight, (bool, np.bool_))
        ):
            raise ValueError(
                f"{owner}: argument `class_weight` must be {expected}; received the entry "
                f"{key!r}: {weight!r} in {validation.describe(class_weight)}"
            )


def _check_validation_freq(owner, validation_freq):
    expected = "a positive integer, or a list of epoch numbers (positive integers)"
    epochs = validation_freq if isinstance(validation_freq, (list, tuple, set, frozenset, range)) else [validation_freq]
    if not all(validation.is_integer(epoch) and epoch >= 1 for epoch in epochs):
        validation.fail(owner, "validation_freq", expected, validation_freq)


def _check_validation_data(owner, validation_data):
    if validation_data is None or _is_data_set(validation_data):
        return
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        validation.fail(
            owner,
            "validation_data",
            "a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), or a data set",
            validation_data,
        )
    for part in validation_data:
        check_data(owner, "validation_data", part)


def check_fit(
    owner: str,
    x: TensorLike
    | dict[str, TensorLike]
    | torch.utils.data.Dataset
    | torch.utils.data.DataLoader
    | PyDataset
    | Iterator[Any]
    | None = None,
    y: TensorLike | dict[str, TensorLike] | None = None,
    batch_size: int | None = None,
    epochs: int = 1,
    verbose: str | int = "auto",
    callbacks: Callback | Sequence[Callback] | None = None,
    validation_split: float = 0.0,
    validation_data: Any = None,
    shuffle: bool | str = True,
    class_weight: dict[int, float] | None = None,
    sample_weight: TensorLike | dict[str, TensorLike] | None = None,
    initial_epoch: int = 0,
    steps_per_epoch: int | None = None,
    validation_steps: int | None = None,
    validation_batch_size: int | None = None,
    validation_freq: int | Sequence[int] = 1,
) -> None:
    """Refuse any bad argument of ``fit`` (the same arguments, with the same defaults).

    Args:
        owner: str, who refuses (``'Model "m" fit'``).
        x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle, class_weight,
        sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
        validation_freq: the arguments of ``fit``.

    Raises:
        ValueError: naming the first bad argument.
    """
    _check_data_arguments(owner, x, y, sample_weight, batch_size)
    validation.non_negative_int(owner, "epochs", epochs)
    check_verbose(owner, verbose)
    check_callbacks(owner, callbacks)
    validation.number(owner, "validation_split", validation_split, low=0, high=1, high_open=True)
    _check_validation_data(owner, validation_data)
    if not isinstance(shuffle, (bool, np.bool_)) and shuffle != "batch":
        validation.fail(owner, "shuffle", 'a bool or "batch"', shuffle)
    _check_class_weight(owner, class_weight)
    validation.non_negative_int(owner, "initial_epoch", initial_epoch)
    validation.positive_int(owner, "steps_per_epoch", steps_per_epoch, allow_none=True)
    validation.positive_int(owner, "validation_steps", validation_steps, allow_none=True)
    validation.positive_int(owner, "validation_batch_size", validation_batch_size, allow_none=True)
    if validation_batch_size is not None and validation_data is not None and _batches_itself(validation_data):
        raise ValueError(
            f"{owner}: argument `validation_batch_size` must be None when validation_data is a "
            f"{type(validation_data).__name__}, which yields whole batches itself; received "
            f"{validation_batch_size!r}"
        )
    _check_validation_freq(owner, validation_freq)


def check_evaluate(
    owner: str,
    x: TensorLike
    | dict[str, TensorLike]
    | torch.utils.data.Dataset
    | torch.utils.data.DataLoader
    | PyDataset
    | Iterator[Any]
    | None = None,
    y: TensorLike | dict[str, TensorLike] | None = None,
    batch_size: int | None = None,
    verbose: str | int = "auto",
    sample_weight: TensorLike | dict[str, TensorLike] | None = None,
    steps: int | None = None,
    callbacks: Callback | Sequence[Callback] | None = None,
    return_dict: bool = False,
) -> None:
    """Refuse any bad argument of ``evaluate``.

    Args:
        owner: str, who refuses.
        x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict: the arguments of ``evaluate``.

    Raises:
        ValueError: naming the first bad argument.
    """
    _check_data_arguments(owner, x, y, sample_weight, batch_size)
    check_verbose(owner, verbose)
    validation.positive_int(owner, "steps", steps, allow_none=True)
    check_callbacks(owner, callbacks)
    validation.boolean(owner, "return_dict", return_dict)


def check_predict(
    owner: str,
    x: TensorLike
    | dict[str, TensorLike]
    | torch.utils.data.Dataset
    | torch.utils.data.DataLoader
    | PyDataset
    | Iterator[Any]
    | None = None,
    batch_size: int | None = None,
    verbose: str | int = "auto",
    steps: int | None = None,
    callbacks: Callback | Sequence[Callback] | None = None,
) -> None:
    """Refuse any bad argument of ``predict``.

    Args:
        owner: str, who refuses.
        x, batch_size, verbose, steps, callbacks: the arguments of ``predict``.

    Raises:
        ValueError: naming the first bad argument.
    """
    _check_data_arguments(owner, x, None, None, batch_size)
    check_verbose(owner, verbose)
    validation.positive_int(owner, "steps", steps, allow_none=True)
    check_callbacks(owner, callbacks)


def check_on_batch(
    owner: str,
    x: TensorLike | dict[str, TensorLike] | None = None,
    y: TensorLike | dict[str, TensorLike] | None = None,
    sample_weight: TensorLike | dict[str, TensorLike] | None = None,
    class_weight: dict[int, float] | None = None,
    return_dict: bool = False,
) -> None:
    """Refuse any bad argument of ``train_on_batch`` / ``test_on_batch`` / ``predict_on_batch``: ``x`` is
    required and, like ``y`` and ``sample_weight``, array data (one batch).

    Args:
        owner: str, who refuses.
        x, y, sample_weight, class_weight, return_dict: the arguments of the ``*_on_batch`` method.

    Raises:
        ValueError: naming the first bad argument.
    """
    check_data(owner, "x", x, required=True)
    check_data(owner, "y", y)
    check_data(owner, "sample_weight", sample_weight)
    _check_class_weight(owner, class_weight)
    validation.boolean(owner, "return_dict", return_dict)


def _leaves(spec):
    """The identifiers in a loss / metrics specification (a value, or lists / dicts of them)."""
    if isinstance(spec, dict):
        return [leaf for value in spec.values() for leaf in _leaves(value)]
    if isinstance(spec, (list, tuple)):
        return [leaf for value in spec for leaf in _leaves(value)]
    return [] if spec is None else [spec]


_ACCURACY_NAMES = ("accuracy", "acc")  # resolved from the first batch's shapes (compile_utils)


def check_compile(
    owner: str,
    loss: Identifier | Sequence[Identifier] = None,
    loss_weights: float | Sequence[float] | dict[str, float] | None = None,
    metrics: Sequence[Identifier | Sequence[Identifier]] | dict[str, Identifier | Sequence[Identifier]] | None = None,
    weighted_metrics: Sequence[Identifier | Sequence[Identifier]]
    | dict[str, Identifier | Sequence[Identifier]]
    | None = None,
    run_eagerly: bool = False,
    steps_per_execution: int = 1,
    jit_compile: bool | str = "auto",
    auto_scale_loss: bool = True,
) -> None:
    """Refuse any bad argument of ``compile`` (the optimizer is resolved by ``compile`` itself); every loss
    and metric identifier is resolved now, so an unknown name fails here rather than at the first batch.

    Args:
        owner: str, who refuses.
        loss, loss_weights, metrics, weighted_metrics, run_eagerly, steps_per_execution, jit_compile,
        auto_scale_loss: the arguments of ``compile``.

    Raises:
        ValueError: naming the first bad argument (and the bad identifier).
    """
    for identifier in _leaves(loss):
        try:
            resolved = losses_module.get(identifier)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"{owner}: argument `loss` names an unknown loss {validation.describe(identifier)}: {error}"
            ) from None
        if not callable(resolved):
            validation.fail(owner, "loss", "a loss name, a Loss, a callable, or a list / dict of them", identifier)
    if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict)):
        validation.number(owner, "loss_weights", loss_weights)
    for weight in _leaves(loss_weights):
        validation.number(owner, "loss_weights", weight)
    for name, spec in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if spec is not None and not isinstance(spec, (list, tuple, dict)):
            validation.fail(owner, name, "a list, tuple or dict of metrics (or None)", spec)
        for identifier in _leaves(spec):
            if isinstance(identifier, str) and identifier in _ACCURACY_NAMES:
                continue
            try:
                metrics_module.get(identifier)
            except (ValueError, TypeError) as error:
                raise ValueError(
                    f"{owner}: argument `{name}` names an unknown metric {validation.describe(identifier)}: {error}"
                ) from None
    validation.boolean(owner, "run_eagerly", run_eagerly)
    validation.positive_int(owner, "steps_per_execution", steps_per_execution)
    if not isinstance(jit_compile, (bool, np.bool_)) and not (isinstance(jit_compile, str) and jit_compile == "auto"):
        validation.fail(owner, "jit_compile", 'True, False or "auto"', jit_compile)
    validation.boolean(owner, "auto_scale_loss", auto_scale_loss)
