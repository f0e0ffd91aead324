"""The ``Callback`` base class and ``to_python_logs``, the one way callbacks turn logs into numbers.

Logs reach callbacks as dicts whose values may be 0-d torch tensors on any device (batch hooks): the
training loop never waits for the device just to report metrics. A callback that needs a number calls
:func:`to_python_logs` at the moment it needs it, which is the host sync. ``CallbackList`` already
hands Python floats to ``on_epoch_end`` and the ``on_*_begin``/``on_*_end`` hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from torch.nn.parallel import DistributedDataParallel

from kerastorch.callbacks.progbar import fetch_to_host

if TYPE_CHECKING:
    from kerastorch.models.model import Model

__all__ = ["Callback", "flatten_logs", "to_python_logs"]


def flatten_logs(logs: dict[str, Any] | None) -> dict[str, Any]:
    """A new dict with keys sorted as Keras does and nested dicts merged in at their key's place (with their
    own keys); values untouched.

    Args:
        logs: Dict or None, a hook's logs, possibly with nested dicts.

    Returns:
        A new flat dict (empty for None or an empty dict).

    >>> flatten_logs({"out": {"acc": 0.5}, "loss": 1.0})
    {'loss': 1.0, 'acc': 0.5}
    """
    if not logs:
        return {}
    flat: dict[str, Any] = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            flat.update(flatten_logs(value))
        else:
            flat[key] = value
    return flat


def to_python_logs(logs: dict[str, Any] | None) -> dict[str, Any]:
    """``flatten_logs`` with values as Python numbers: scalar tensors become ``float`` in one host sync.

    Larger tensors become numpy arrays; values that ``float()`` does not take (strings) are kept.

    Args:
        logs: Dict or None, the logs of a hook: values may be tensors on any device, numbers or nested
            dicts (merged in, as :func:`flatten_logs` does).

    Returns:
        A new dict, keys sorted as Keras sorts them, with Python floats for scalar values (an empty dict
        for None).

    >>> import torch
    >>> to_python_logs({"loss": torch.tensor(0.25), "accuracy": 1})
    {'accuracy': 1.0, 'loss': 0.25}
    """
    flat = flatten_logs(logs)
    return dict(zip(flat, fetch_to_host(flat.values())))


class Callback:
    """Base class of the callbacks that ``fit``, ``evaluate`` and ``predict`` call at fixed points.

    Override any hook. ``self.model`` is the model being trained and ``self.params`` the dict
    ``{"verbose", "epochs", "steps"}``. Every hook's ``logs`` hold Python floats, as in Keras (a batch
    hook's cost a wait for the device each batch). A callback that sets the class attribute
    ``takes_device_logs = True`` gets batch-hook logs as they are, maybe device tensors, and calls
    ``to_python_logs(logs)`` only when it needs the numbers (kerastorch's own callbacks do so).

    Example:
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> class PrintLoss(keras.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(f"epoch {epoch} of {self.params['epochs']}: loss {logs['loss']:.2f}")
        >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[PrintLoss()])
        epoch 0 of 2: loss 4.43
        epoch 1 of 2: loss 2.52
    """

    takes_device_logs = False

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Model | DistributedDataParallel | None = None

    def set_params(self, params: dict[str, Any]) -> None:
        """Record the training parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model: Model | DistributedDataParallel) -> None:
        """Record the model these hooks act on."""
        self._model = model

    @property
    def model(self) -> Model | None:
        """The model; a ``DistributedDataParallel`` wrapper is looked through."""
        if isinstance(self._model, DistributedDataParallel):
            return self._model.module
        return self._model

    # Training as a whole, one epoch, and the batches of ``fit``; ``on_batch_*`` are the Keras 2 names,
    # which the train-batch hooks call unless overridden.
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called once at the end of ``fit``, with the last epoch's logs."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of an epoch with its metrics (``val_``-prefixed ones too) as floats."""

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Keras 2 name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Keras 2 name of ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before training batch ``batch`` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after a training batch; ``logs`` hold the running metrics, possibly device tensors."""
        self.on_batch_end(batch, logs=logs)

    # ``evaluate`` (and the validation inside ``fit``).
    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of an evaluation."""

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of an evaluation with its metrics."""

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before an evaluation batch."""

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after an evaluation batch."""

    # ``predict``.
    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of ``predict``."""

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after a prediction batch; ``logs["outputs"]`` holds the batch's outputs."""
