"""``ReduceLROnPlateau``: divide the learning rate when a monitored quantity stops improving."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerastorch.callbacks._helpers import get_learning_rate, set_learning_rate
from kerastorch.callbacks.monitor_callback import MonitorCallback
from kerastorch.callbacks.progbar import print_msg

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without improvement.

    The current learning rate is added to the epoch logs as ``learning_rate``.

    Args:
        monitor: String, the name of the logged quantity to watch. Defaults to ``"val_loss"``.
        factor: Float below 1, the multiplier of the learning rate at each reduction:
            ``new_lr = max(lr * factor, min_lr)``. Defaults to ``0.1``.
        patience: Int, the number of epochs without improvement after which the rate is reduced.
            Defaults to ``10``.
        verbose: Int, 1 prints each reduction, 0 is silent. Defaults to ``0``.
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether the quantity should fall or rise (see
            :class:`~kerastorch.callbacks.MonitorCallback`). Defaults to ``"auto"``.
        min_delta: Number, the smallest change (in absolute value) counted as an improvement.
            Defaults to ``1e-4``.
        cooldown: Int, the number of epochs to wait after a reduction before counting epochs without
            improvement again. Defaults to ``0``.
        min_lr: Float, the lower bound of the learning rate. Defaults to ``0.0``.

    Raises:
        ValueError: If ``factor >= 1``; during training, when ``mode="auto"`` cannot tell the direction
            of ``monitor``.

    Example:
        A learning rate too high for the problem makes the loss grow; it is halved each time the loss
        fails to improve, down to ``min_lr``, and training converges:

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
        >>> reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.25)
        >>> history = model.fit(x, y, epochs=8, verbose=0, callbacks=[reduce_lr])
        >>> history.history["learning_rate"]
        [1.0, 1.0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25]
        >>> model.optimizer.learning_rate
        0.25
        >>> history.history["loss"][-1] < history.history["loss"][0]
        True
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs if logs is not None else {}
        assert self.model is not None  # fit attached it (set_model) before the first hook
        optimizer = self.model.optimizer
        logs["learning_rate"] = get_learning_rate(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, optimizer, epoch):
        old_lr = get_learning_rate(optimizer)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        set_learning_rate(optimizer, new_lr)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True
