"""``TerminateOnNaN``: stop training at the first batch whose loss is NaN or infinite."""
import math

import torch

from kerastorch.callbacks.callback import Callback
from kerastorch.utils.progbar import print_msg

__all__ = ["TerminateOnNaN"]


def _is_finite(value):
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value.detach()).all())  # the one host sync per batch
    return math.isfinite(float(value))


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training`` (or raises, with ``raise_error=True``) when the batch loss is NaN/inf.

    Checking means reading the loss every batch: one device-to-host sync per batch, paid only by a
    training run that uses this callback.

    Example::

        model.fit(x, y, callbacks=[keras.callbacks.TerminateOnNaN()])
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or _is_finite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               "Terminating training immediately.")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
