"""``ModelCheckpoint``: save the model (or its weights) every epoch or every N batches."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch

from kerastorch.callbacks._helpers import SaveFrequency
from kerastorch.callbacks.callback import to_python_logs
from kerastorch.callbacks.monitor_callback import MonitorCallback
from kerastorch.callbacks.progbar import print_msg
from kerastorch.distribution.data_parallel import is_chief_process

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights during training.

    ``filepath`` may hold ``str.format`` fields filled from the epoch number (1-based), the batch
    number with an integer ``save_freq``, and the logs: ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``.

    The file format is the model's: the path goes unchanged to ``model.save``/``model.save_weights``.

    Args:
        filepath: String or path-like, where to save (formatted as above); missing folders are created.
        monitor: String, the logged quantity that decides what "best" is (with ``save_best_only``).
            Defaults to ``"val_loss"``.
        verbose: Int, 1 prints a line per save decision, 0 is silent. Defaults to ``0``.
        save_best_only: Bool, whether to save only when ``monitor`` improved on the best value so far
            (when ``monitor`` is missing from the logs or not a scalar, it warns and saves anyway).
            Defaults to ``False``.
        save_weights_only: Bool, whether to call ``model.save_weights(path)`` instead of
            ``model.save(path)``. Defaults to ``False``.
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether ``monitor`` should fall or rise (see
            :class:`~kerastorch.callbacks.MonitorCallback`). Defaults to ``"auto"``.
        save_freq: ``"epoch"`` (save at the end of every epoch) or a positive int (save every that many
            batches, counted across epochs). Defaults to ``"epoch"``.
        initial_value_threshold: Number or None, a first "best" value that ``monitor`` must beat before
            the first save with ``save_best_only``. Defaults to None.

    Raises:
        ValueError: If ``save_freq`` is neither ``"epoch"`` nor a positive int; during training, when
            ``mode="auto"`` cannot tell the direction of ``monitor``.
        KeyError: During training, if ``filepath`` names a field the logs do not have.
        IOError: During training, if the formatted path is an existing folder.

    Example:
        One file per epoch, named after it:

        >>> import os
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> checkpoint = keras.callbacks.ModelCheckpoint("ckpt/model_{epoch:02d}.keras")
        >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
        >>> sorted(os.listdir("ckpt"))
        ['model_01.keras', 'model_02.keras']
        >>> restored = keras.models.load_model("ckpt/model_02.keras")
        >>> np.allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
        True

        Only the weights of the best epoch so far, judged on ``val_loss``:

        >>> checkpoint = keras.callbacks.ModelCheckpoint("best.weights.safetensors", monitor="val_loss",
        ...                                              save_best_only=True, save_weights_only=True)
        >>> history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[checkpoint])
        >>> checkpoint.best == min(history.history["val_loss"])
        True
        >>> model.load_weights("best.weights.safetensors").assert_consumed()
    """

    takes_device_logs = True  # reads batch logs only when it needs them (to_python_logs)

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._frequency = SaveFrequency(save_freq, "ModelCheckpoint")
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._frequency.tick(batch):
            self._save_model(self._current_epoch, batch, to_python_logs(logs))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._frequency.per_epoch:
            self._save_model(epoch, None, to_python_logs(logs))

    def _file_path(self, epoch, batch, logs):
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}') from None

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if isinstance(current, (np.ndarray, torch.Tensor)) and current.ndim > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IOError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )
        if not is_chief_process():  # data-parallel training: process 0 writes the checkpoint
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
