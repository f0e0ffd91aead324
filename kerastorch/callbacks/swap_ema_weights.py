"""``SwapEMAWeights``: evaluate (and optionally checkpoint) with the optimizer's moving-average weights.

Example:
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1, use_ema=True), loss="mse")
    >>> x, y = np.ones((8, 2), "float32"), np.zeros((8, 1), "float32")
    >>> history = model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=[SwapEMAWeights()])
    >>> sorted(history.history)
    ['loss', 'val_loss']
"""

from __future__ import annotations

from typing import Any

from kerastorch.callbacks.callback import Callback

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's exponential moving averages around evaluation.

    Before every evaluation (``validation_data`` in ``fit``, ``evaluate``) and prediction the weights and their
    moving averages (Polyak averaging, an optimizer created with ``use_ema=True``) exchange places in memory,
    and exchange back after it. With ``swap_on_epoch=True`` the averages are also in the model from the end of
    each epoch to the start of the next, so callbacks after this one (``ModelCheckpoint``) see them; at the end
    of ``fit`` the model keeps the averages, as ``fit`` leaves any ``use_ema`` model.

    Args:
        swap_on_epoch: bool, default False: also swap at the end and start of every epoch.

    Raises:
        ValueError: when the model's optimizer does not keep moving averages (``use_ema=False``).
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = bool(swap_on_epoch)
        self._averages_in_model = False

    def _optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer's
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(
                "SwapEMAWeights must be used with an optimizer created with use_ema=True; received "
                f"use_ema={getattr(optimizer, 'use_ema', None)} ({type(optimizer).__name__})"
            )
        return optimizer

    def _swap(self, averages_in_model):
        if self._averages_in_model != averages_in_model:
            self._optimizer().swap_ema_weights()
            self._averages_in_model = averages_in_model

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._optimizer()  # refuse a model without moving averages before the first epoch

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch:
            self._swap(False)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch:
            self._swap(True)
            assert self.params is not None  # fit set them (set_params) before the first hook
            if epoch == self.params["epochs"] - 1:  # fit then copies the averages into the weights: keep them
                self._optimizer().copy_variables_to_ema()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._swap(True)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        self._swap(False)

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._swap(True)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._swap(False)  # Keras 3.15 leaves the averages in the model here, which looks unintended
