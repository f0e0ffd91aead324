"""``History``: the per-epoch record that ``fit`` returns."""

from __future__ import annotations

from typing import Any

from kerastorch.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """Records every epoch's logs; ``fit`` adds one and returns it.

    ``history.history`` maps each metric name to its list of per-epoch values (Python floats),
    ``history.epoch`` lists the epoch indices, ``history.params`` the training parameters.

    Example:
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
        >>> history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
        >>> isinstance(history, keras.callbacks.History)
        True
        >>> sorted(history.history)
        ['loss', 'mae', 'val_loss', 'val_mae']
        >>> len(history.history["val_loss"]), type(history.history["val_loss"][0])
        (3, <class 'float'>)
        >>> history.epoch
        [0, 1, 2]
        >>> history.params
        {'verbose': 0, 'epochs': 3, 'steps': 1}
        >>> model.history is history
        True
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
