"""``LearningRateScheduler``: set the learning rate at the start of every epoch from a function."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from kerastorch.callbacks._helpers import get_learning_rate, set_learning_rate
from kerastorch.callbacks.callback import Callback
from kerastorch.callbacks.progbar import print_msg

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Sets the learning rate to ``schedule(epoch, lr)`` (or ``schedule(epoch)``) before each epoch.

    ``epoch`` is 0-based, ``lr`` the current learning rate (float); the schedule returns a float. The
    learning rate is added to the epoch logs as ``learning_rate``.

    Args:
        schedule: A function ``schedule(epoch, lr)`` or ``schedule(epoch)`` returning the new learning
            rate as a float (a ``TypeError`` from the two-argument call retries with the epoch only).
        verbose: Int, 1 prints a message each epoch, 0 is silent. Defaults to ``0``.

    Raises:
        ValueError: At an epoch's start, if ``schedule`` returns something other than a float; also if
            the model's optimizer has neither ``learning_rate`` nor ``param_groups``.

    Example:
        Keep the learning rate for two epochs, then halve it every epoch:

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> def schedule(epoch, lr):
        ...     return lr if epoch < 2 else lr * 0.5
        >>> scheduler = keras.callbacks.LearningRateScheduler(schedule)
        >>> history = model.fit(x, y, epochs=4, verbose=0, callbacks=[scheduler])
        >>> history.history["learning_rate"]
        [0.1, 0.1, 0.05, 0.025]
        >>> model.optimizer.learning_rate
        0.025

        A schedule may take the epoch only; ``verbose=1`` prints each change:

        >>> scheduler = keras.callbacks.LearningRateScheduler(lambda epoch: 0.5 / (epoch + 1), verbose=1)
        >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[scheduler])
        <BLANKLINE>
        Epoch 1: LearningRateScheduler setting learning rate to 0.5.
        <BLANKLINE>
        Epoch 2: LearningRateScheduler setting learning rate to 0.25.
        >>> history.history["learning_rate"]
        [0.5, 0.25]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert self.model is not None  # fit attached it (set_model) before the first hook
        optimizer = self.model.optimizer
        current = get_learning_rate(optimizer)
        try:
            learning_rate = self.schedule(epoch, current)
        except TypeError:  # a one-argument schedule(epoch)
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate}")
        set_learning_rate(optimizer, float(learning_rate))
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            assert self.model is not None  # fit attached it (set_model) before the first hook
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)
