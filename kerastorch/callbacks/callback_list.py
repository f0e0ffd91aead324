"""``CallbackList``: how the training loop calls every callback at once.

Contract with the loop (``fit``/``evaluate``/``predict``):

- Build it once per call: ``CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
  verbose=verbose, epochs=epochs, steps=steps, model=model)``. It adds a ``History`` and a
  ``ProgbarLogger`` unless the user gave one, sets ``model.history``, and calls ``set_model`` and
  ``set_params({"verbose", "epochs", "steps"})`` on each callback.
- Batch hooks pass ``logs`` in a new flat dict (nested dicts merged, keys sorted as Keras sorts them):
  as they are (maybe device tensors, no host sync) to callbacks with ``takes_device_logs`` (kerastorch's
  own), converted once to Python floats for the others, as Keras passes them. Pass the metric values as
  tensors, not numbers that forced a sync. Only the callbacks that implement a batch hook are called for
  it (looked up when the callback is added), so the default History and ProgbarLogger cost one call per
  batch and no sync.
- ``on_epoch_end`` and the ``on_*_begin``/``on_*_end`` hooks convert logs to Python floats once
  (:func:`to_python_logs`) and pass the same dict to every callback, which may add entries
  (``learning_rate``); the dict is returned, so the loop can keep what ``History`` recorded.
- After ``on_train_begin`` the loop starts at ``resolve_initial_epoch(initial_epoch)``: a
  ``BackupAndRestore`` that found a backup resumes there (``callbacks.initial_epoch`` is that epoch,
  or ``None``). The loop checks ``model.stop_training``
  after every batch and epoch, and returns ``callbacks.history`` from ``fit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from torch.nn.parallel import DistributedDataParallel

from kerastorch.callbacks.callback import Callback, flatten_logs, to_python_logs
from kerastorch.callbacks.history import History
from kerastorch.callbacks.progbar_logger import ProgbarLogger

if TYPE_CHECKING:
    from kerastorch.models.model import Model

__all__ = ["CallbackList"]


_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)
# Hooks whose default implementation calls another one (the Keras 2 names).
_FORWARDED = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, hook):
    """Whether ``callback`` does something in ``hook`` (a subclass method or an instance attribute)."""
    if not isinstance(callback, Callback):  # duck-typed: call whatever it has
        return True
    if hook in getattr(callback, "__dict__", {}) or getattr(type(callback), hook) is not getattr(Callback, hook):
        return True
    forwarded = _FORWARDED.get(hook)
    return forwarded is not None and _overrides(callback, forwarded)


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [cb for item in callbacks for cb in _flatten(item)]
    return [callbacks]


class CallbackList(Callback):
    """Calls each hook on every callback in order (the user's, then ``History``, then ``ProgbarLogger``).

    Args:
        callbacks: A callback, a (nested) list or tuple of callbacks, or None. Defaults to None.
        add_history: Bool, whether to append a ``History`` callback when ``callbacks`` has none.
            Defaults to ``False``.
        add_progbar: Bool, whether to append a ``ProgbarLogger`` when ``callbacks`` has none.
            Defaults to ``False``.
        model: The model the callbacks act on (set on each with ``set_model``; it also gets the
            ``History`` as ``model.history``), or None to set it later. Defaults to None.
        **params: The training parameters (``verbose``, ``epochs``, ``steps``) handed to each callback's
            ``set_params`` (when there are any).

    Example:
        The hooks a hand-written training loop calls: a user's callback gets Python floats in every hook (as in
        Keras), and epoch hooks hand every callback the same dict, which ``History`` records:

        >>> import torch
        >>> import kerastorch as keras
        >>> from kerastorch.callbacks import CallbackList
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> show = keras.callbacks.LambdaCallback(
        ...     on_train_batch_end=lambda batch, logs: print("batch", batch, logs),
        ...     on_epoch_end=lambda epoch, logs: print("epoch", epoch, logs))
        >>> callbacks = CallbackList([show], add_history=True, model=model, verbose=0, epochs=2, steps=1)
        >>> [type(callback).__name__ for callback in callbacks.callbacks]
        ['LambdaCallback', 'History']
        >>> _ = callbacks.on_train_begin()
        >>> for epoch in range(callbacks.resolve_initial_epoch(0), 2):
        ...     _ = callbacks.on_epoch_begin(epoch)
        ...     loss = torch.tensor(1.0 / (epoch + 1))
        ...     callbacks.on_train_batch_end(0, {"loss": loss})
        ...     _ = callbacks.on_epoch_end(epoch, {"loss": loss})
        batch 0 {'loss': 1.0}
        epoch 0 {'loss': 1.0}
        batch 0 {'loss': 0.5}
        epoch 1 {'loss': 0.5}
        >>> _ = callbacks.on_train_end()
        >>> callbacks.history.history, model.history is callbacks.history
        ({'loss': [1.0, 0.5]}, True)

    How ``fit`` drives it::

        callbacks = CallbackList([EarlyStopping(patience=2)], add_history=True, add_progbar=True,
                                 verbose=1, epochs=10, steps=len(loader), model=model)
        callbacks.on_train_begin()
        for epoch in range(callbacks.resolve_initial_epoch(0), 10):
            callbacks.on_epoch_begin(epoch)
            ...                                   # on_train_batch_begin/end(step, logs)
            callbacks.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        callbacks.on_train_end(logs)
        return callbacks.history
    """

    def __init__(
        self,
        callbacks: Callback | Sequence[Any] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Model | None = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks = _flatten(callbacks)
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self._index_batch_hooks()
        self.set_model(model)
        self.set_params(params)

    def _index_batch_hooks(self):
        # Per-batch hooks call only the callbacks that implement them: the hot path skips the no-ops.
        self._batch_receivers = {
            hook: [
                (getattr(cb, hook), getattr(cb, "takes_device_logs", False))
                for cb in self.callbacks
                if _overrides(cb, hook)
            ]
            for hook in _BATCH_HOOKS
        }

    @property
    def history(self) -> History | None:
        """The ``History`` callback (``None`` without ``add_history`` or a user-given one)."""
        return self._history

    def append(self, callback: Callback) -> None:
        """Add a callback at the end; it gets the current model and params."""
        self.callbacks.append(callback)
        self._index_batch_hooks()
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Model | DistributedDataParallel | None) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    @property
    def initial_epoch(self) -> int | None:
        """The epoch a callback restored at ``on_train_begin`` (``BackupAndRestore``), or ``None``."""
        for callback in self.callbacks:
            restored = getattr(callback, "_initial_epoch", None)
            if restored is not None:
                return restored
        return None

    def resolve_initial_epoch(self, initial_epoch: int = 0) -> int:
        """The epoch ``fit`` starts at: the one a callback restored (``_initial_epoch``), else ``initial_epoch``.

        Call it after ``on_train_begin``, where ``BackupAndRestore`` reads its backup.
        """
        restored = self.initial_epoch
        return initial_epoch if restored is None else restored

    def _call_all(self, hook, *args, logs=None):
        """A once-per-run/epoch hook: logs converted to floats once, one dict shared and returned."""
        logs = to_python_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)
        return logs

    def _call_batch(self, hook, batch, logs):
        """A per-batch hook: one new flat dict, its values untouched for callbacks that take device logs,
        converted to Python numbers (once) for the others."""
        receivers = self._batch_receivers[hook]
        if receivers:
            logs = flatten_logs(logs)
            python_logs = None
            for receiver, takes_device_logs in receivers:
                if not takes_device_logs and python_logs is None:
                    python_logs = to_python_logs(logs)
                receiver(batch, logs if takes_device_logs else python_logs)

    # The run, epoch, test and predict hooks return the logs dict they handed every callback (see the module
    # docstring), where Callback's hooks return None: hence the override ignores.
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_train_begin", logs=logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_train_end", logs=logs)

    def on_epoch_begin(  # type: ignore[override]
        self,
        epoch: int,
        logs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self._call_all("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(  # type: ignore[override]
        self,
        epoch: int,
        logs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self._call_all("on_epoch_end", epoch, logs=logs)

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_test_begin", logs=logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_test_end", logs=logs)

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_predict_begin", logs=logs)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        return self._call_all("on_predict_end", logs=logs)

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call_batch("on_predict_batch_end", batch, logs)
