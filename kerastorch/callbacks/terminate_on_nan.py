"""``TerminateOnNaN``: stop training at the first batch whose loss is NaN or infinite."""

from __future__ import annotations

import math
from typing import Any

import torch

from kerastorch.callbacks.callback import Callback
from kerastorch.callbacks.progbar import print_msg

__all__ = ["TerminateOnNaN"]


def _is_finite(value):
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value.detach()).all())  # the one host sync per batch
    return math.isfinite(float(value))


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training`` (or raises, with ``raise_error=True``) when the batch loss is NaN/inf.

    Checking means reading the loss every batch: one device-to-host sync per batch, paid only by a
    training run that uses this callback.

    Args:
        raise_error: Bool; when ``False`` an invalid loss prints a message and sets
            ``model.stop_training`` (training ends after that batch), when ``True`` it raises
            ``RuntimeError`` from the batch hook at once. Defaults to ``False``.

    Example:
        A NaN in the targets makes the loss of the third batch NaN:

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> y[5] = np.nan
        >>> history = model.fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0,
        ...                     callbacks=[keras.callbacks.TerminateOnNaN()])
        Batch 2: Invalid loss, terminating training
        >>> model.stop_training, history.epoch
        (True, [0])

        The callback acts after the batch's update, so the weights are NaN now too. With
        ``raise_error=True`` the ``fit`` call raises instead:

        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> model.fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0,
        ...           callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
        Traceback (most recent call last):
        ...
        RuntimeError: NaN or Inf loss encountered at batch 2. Loss value: nan. Terminating training immediately.
    """

    takes_device_logs = True  # reads batch logs only when it needs them (to_python_logs)

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or _is_finite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        assert self.model is not None  # fit attached it (set_model) before the first hook
        self.model.stop_training = True
