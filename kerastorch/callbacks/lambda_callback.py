"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from typing import Any

from kerastorch.callbacks.callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class LambdaCallback(Callback):
    """Builds a callback from functions given by hook name; hooks not given do nothing.

    The functions take the hook's arguments: ``on_epoch_end(epoch, logs)``,
    ``on_train_batch_end(batch, logs)``, ``on_train_begin(logs)``, ... (``logs`` is passed by keyword
    from the Keras 2 hooks ``on_batch_begin/end``). Other keyword arguments become attributes.

    Args:
        **hooks: Functions by hook name: ``on_train_begin``, ``on_train_end``, ``on_epoch_begin``,
            ``on_epoch_end``, ``on_batch_begin``, ``on_batch_end``, ``on_train_batch_begin``,
            ``on_train_batch_end``, and the ``on_test_*`` and ``on_predict_*`` hooks of the same forms.
            A hook given as None does nothing.

    Raises:
        TypeError: If a hook's value is neither callable nor None.

    Example:
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> print_logs = keras.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: print("epoch", epoch, sorted(logs)))
        >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[print_logs])
        epoch 0 ['loss']
        epoch 1 ['loss']

        Functions may collect what they are given; the training batches here, 2 per epoch:

        >>> batches = []
        >>> record = keras.callbacks.LambdaCallback(
        ...     on_train_batch_end=lambda batch, logs: batches.append(batch),
        ...     on_train_end=lambda logs: print("done after", len(batches), "batches"))
        >>> _ = model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[record])
        done after 4 batches
        >>> batches
        [0, 1, 0, 1]
    """

    def __init__(self, **hooks: Any) -> None:
        super().__init__()
        for name, function in hooks.items():
            if name in _HOOKS and not callable(function):
                if function is None:
                    continue
                raise TypeError(f"LambdaCallback: `{name}` must be callable; received {function!r}.")
            setattr(self, name, function)
