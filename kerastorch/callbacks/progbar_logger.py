"""``ProgbarLogger``: the progress bar that ``fit``/``evaluate``/``predict`` print with ``verbose=1|2``.

It hands each batch's logs to :class:`~kerastorch.callbacks.progbar.Progbar` as they are (tensors stay on
their device); the bar reads them only when it redraws, at most every 0.05 s. With ``verbose=2`` the
batches are not even looked at: one line is printed at the end of each epoch.
"""

from __future__ import annotations

from typing import Any

from kerastorch.callbacks.callback import Callback, flatten_logs
from kerastorch.callbacks.progbar import Progbar, print_msg

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar with the metrics.

    ``fit(verbose=...)`` adds one; validation inside ``fit`` is silent. Values are shown as logged
    (the model's metrics are running averages already).

    It prints as ``verbose`` says: with ``verbose=0`` nothing, even when passed in ``callbacks``.

    Example:
        ``verbose=2`` prints one line per epoch (``verbose=1`` draws a bar that is redrawn in place):

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> _ = model.fit(x, y, batch_size=4, epochs=2, verbose=2)
        Epoch 1/2
        2/2 - ...s - ...step - loss: ...
        Epoch 2/2
        2/2 - ...s - ...step - loss: ...
        >>> _ = model.evaluate(x, y, batch_size=4, verbose=2)
        2/2 - ...s - ...step - loss: ...

        A ``ProgbarLogger`` in ``callbacks`` takes the place of the one ``fit`` adds:

        >>> progbar = keras.callbacks.ProgbarLogger()
        >>> _ = model.fit(x, y, batch_size=4, epochs=1, verbose=2, callbacks=[progbar])
        2/2 - ...s - ...step - loss: ...
        >>> _ = model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[progbar])
        >>> progbar.verbose
        0
    """

    takes_device_logs = True  # reads batch logs only when it needs them (to_python_logs)

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._called_in_fit = True  # validation runs inside fit print nothing

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._called_in_fit = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start_bar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._finish_bar(logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._advance(batch, logs)

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._start_bar()

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._advance(batch, logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._finish_bar(logs)

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start_bar()

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._advance(batch, None)  # the predictions are not metrics

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._finish_bar(logs)

    def _start_bar(self):
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=())

    def _advance(self, batch, logs):
        if self.progbar is None:
            self._start_bar()
        self.seen = batch + 1
        if self.verbose == 1:
            # CallbackList hands over flat, sorted logs; values stay unread until the bar redraws.
            self.progbar.update(self.seen, list(logs.items()) if logs else None, finalize=False)

    def _finish_bar(self, logs):
        if self.progbar is None:
            self._start_bar()
        if self.target is None:  # unknown number of steps: now known, for this bar and the next epochs'
            self.target = self.progbar.target = self.seen
        self.progbar.update(self.target, list(flatten_logs(logs).items()), finalize=True)
