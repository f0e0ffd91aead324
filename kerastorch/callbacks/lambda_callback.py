"""``LambdaCallback``: a callback made of plain functions."""
from kerastorch.callbacks.callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin",
    "on_test_batch_end", "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class LambdaCallback(Callback):
    """Builds a callback from functions given by hook name; hooks not given do nothing.

    The functions take the hook's arguments: ``on_epoch_end(epoch, logs)``,
    ``on_train_batch_end(batch, logs)``, ``on_train_begin(logs)``, ... (``logs`` is passed by keyword
    from the Keras 2 hooks ``on_batch_begin/end``). Other keyword arguments become attributes.

    Example::

        print_loss = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
        model.fit(x, y, callbacks=[print_loss])
    """

    def __init__(self, **hooks):
        super().__init__()
        for name, function in hooks.items():
            if name in _HOOKS and not callable(function):
                if function is None:
                    continue
                raise TypeError(f"LambdaCallback: `{name}` must be callable; received {function!r}.")
            setattr(self, name, function)
