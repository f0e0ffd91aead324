"""``History``: the per-epoch record that ``fit`` returns."""
from kerastorch.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """Records every epoch's logs; ``fit`` adds one and returns it.

    ``history.history`` maps each metric name to its list of per-epoch values (Python floats),
    ``history.epoch`` lists the epoch indices, ``history.params`` the training parameters.

    Example::

        history = model.fit(x, y, epochs=3, validation_split=0.2)
        history.history["val_loss"]   # [0.71, 0.52, 0.44]
        history.epoch                 # [0, 1, 2]
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
