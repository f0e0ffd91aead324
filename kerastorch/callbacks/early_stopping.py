"""``EarlyStopping``: stop training when a monitored quantity has stopped improving."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerastorch.callbacks.monitor_callback import MonitorCallback
from kerastorch.callbacks.progbar import print_msg

__all__ = ["EarlyStopping"]


def _copy_weights(weights):
    # get_weights() of a CPU model may share memory with the live parameters: keep a real snapshot.
    return [np.array(w, copy=True) for w in weights]


class EarlyStopping(MonitorCallback):
    """Stops training once ``monitor`` has not improved for ``patience`` epochs.

    After training, ``stopped_epoch`` is the epoch at which training stopped (0 if it did not) and
    ``best_epoch`` the best one.

    Args:
        monitor: String, the name of the logged quantity to watch. Defaults to ``"val_loss"``.
        min_delta: Number, the smallest change (in absolute value) counted as an improvement.
            Defaults to ``0``.
        patience: Int, the number of epochs without improvement after which training stops.
            Defaults to ``0``.
        verbose: Int, 1 prints a message when stopping and when restoring weights, 0 is silent.
            Defaults to ``0``.
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether the quantity should fall or rise; ``"auto"``
            infers it from the name (see :class:`~kerastorch.callbacks.MonitorCallback`); an unknown
            mode warns and falls back to ``"auto"``. Defaults to ``"auto"``.
        baseline: Number or None; the patience counter only restarts once the quantity beats it, so
            training stops unless the quantity beats it within ``patience`` epochs. Defaults to None.
        restore_best_weights: Bool, whether to load the weights of the best epoch at the end of training
            (when at least one epoch was monitored, also when training did not stop early).
            Defaults to ``False``.
        start_from_epoch: Int, the number of epochs to wait before monitoring starts (a warm-up).
            Defaults to ``0``.

    Raises:
        ValueError: At the first monitored epoch, when ``mode="auto"`` cannot tell the direction of
            ``monitor`` from its name.

    Example:
        A learning rate far too high makes the loss grow from the second epoch on; training stops once
        it has not improved for ``patience`` epochs:

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.5), loss="mse")
        >>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True,
        ...                                      verbose=1)
        >>> history = model.fit(x, y, epochs=100, verbose=0, callbacks=[stop])
        Epoch 3: early stopping
        Restoring model weights from the end of the best epoch: 1.
        >>> len(history.history["loss"]), stop.stopped_epoch, stop.best_epoch, model.stop_training
        (3, 2, 0, True)
        >>> all(np.array_equal(w, best) for w, best in zip(model.get_weights(), stop.best_weights))
        True
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # The same instance may serve several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something is better, the first monitored weights are the best.
            assert self.model is not None  # fit attached it (set_model) before the first hook
            self.best_weights = _copy_weights(self.model.get_weights())
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                assert self.model is not None  # fit attached it (set_model) before the first hook
                self.best_weights = _copy_weights(self.model.get_weights())
            # Patience restarts only once the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            assert self.model is not None  # fit attached it (set_model) before the first hook
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            assert self.model is not None  # fit attached it (set_model) before the first hook
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict[str, Any] | None) -> Any:
        """``logs[monitor]``, or None with a warning listing the available names."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value
