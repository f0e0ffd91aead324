"""``BackupAndRestore``: resume a ``fit`` that was interrupted, from its last backup.

One file, ``<backup_dir>/training_state.safetensors``, holds everything a resumed run needs: the model
weights (``model.get_weights()`` order), the optimizer state (``optimizer.state_dict()``: its tensors as
safetensors entries, the rest of its structure as JSON in the header) and the epoch to resume at. It is
written atomically (temporary file in the same folder, flush, fsync, ``os.replace``), so an
interruption during a save leaves the previous backup intact. Nothing is unpickled when reading it.

With ``double_checkpoint=True`` the previous backup is kept as ``training_state.safetensors.bkp`` and
is used when the newest one is missing or unreadable.

At ``on_train_begin`` a backup, if present, is loaded into the model and its optimizer, and the epoch to
resume at is published as ``callback._initial_epoch`` (``None`` when there was no backup);
``CallbackList.resolve_initial_epoch`` hands it to ``fit``. An epoch interrupted after a batch-level save
restarts from its beginning with the weights of that save, as in Keras. When training ends normally
the backup files are deleted (``delete_checkpoint``), and the folder too if that leaves it empty.

In data-parallel training (``keras.distribution.DataParallel``) process 0 alone writes and deletes the
backup; every process reads it at ``on_train_begin`` (once all of them got there, so that none reads a
backup still being written), and ``fit`` then hands process 0's restored state to all of them.
"""

from __future__ import annotations

import copy
import json
import os
import struct
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from kerastorch.callbacks._helpers import SaveFrequency
from kerastorch.callbacks.callback import Callback
from kerastorch.distribution.collectives import barrier
from kerastorch.distribution.data_parallel import active_data_parallel, is_chief_process
from kerastorch.saving.file_utils import write_bytes

__all__ = ["BackupAndRestore"]

_FORMAT = "kerastorch.BackupAndRestore/1"


def _encode(obj, tensors):
    """JSON skeleton of a state dict; its tensors go into ``tensors`` under generated keys."""
    if isinstance(obj, (torch.Tensor, np.ndarray)):
        key = f"optimizer/{len(tensors)}"
        is_numpy = isinstance(obj, np.ndarray)
        tensor = torch.from_numpy(np.array(obj)) if is_numpy else obj.detach().to("cpu", copy=True)
        tensors[key] = tensor.contiguous()
        return {"__ndarray__" if is_numpy else "__tensor__": key}
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, (str, int, float, bool, type(None))):
                raise TypeError(f"BackupAndRestore: cannot save an optimizer state key of type {type(key).__name__}")
        return {"__dict__": [[key, _encode(value, tensors)] for key, value in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(value, tensors) for value in obj]}
    if isinstance(obj, list):
        return [_encode(value, tensors) for value in obj]
    if isinstance(obj, (str, int, float, bool, type(None))):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"BackupAndRestore: cannot save an optimizer state value of type {type(obj).__name__}")


def _decode(obj, tensors):
    if isinstance(obj, list):
        return [_decode(value, tensors) for value in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__ndarray__" in obj:
        return tensors[obj["__ndarray__"]].numpy()
    if "__tuple__" in obj:
        return tuple(_decode(value, tensors) for value in obj["__tuple__"])
    return {key: _decode(value, tensors) for key, value in obj["__dict__"]}


def _header_metadata(data):
    (size,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + size].decode("utf-8")).get("__metadata__") or {}


class BackupAndRestore(Callback):
    """Backs up the training state so that an interrupted ``fit`` resumes where it stopped.

    The model must be built before ``fit`` starts (the weights are loaded into it); an optimizer that is
    not built yet is built on ``model.trainable_weights`` before its state is loaded.

    Args:
        backup_dir: String or path-like, the folder for the backup (created when needed); use one per
            training job.
        save_freq: ``"epoch"`` (back up after every epoch) or a positive int (back up every that many
            batches, counted across epochs). Defaults to ``"epoch"``.
        delete_checkpoint: Bool, whether to delete the backup (and the folder, if that leaves it empty)
            when training finishes normally. Defaults to ``True``.
        double_checkpoint: Bool, whether to keep the previous backup as well
            (``training_state.safetensors.bkp``), used when the newest one is missing or unreadable.
            Defaults to ``False``.

    Raises:
        ValueError: If ``backup_dir`` is empty or an existing file, or ``save_freq`` is neither
            ``"epoch"`` nor a positive int; at ``on_train_begin``, if the backup's weights do not fit the
            model.

    Example:
        A ``fit`` interrupted at the start of its third epoch (a callback raises, standing in for a
        crash) keeps the backup made after its second epoch; the next ``fit`` resumes from there:

        >>> import os
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> class InterruptAtEpoch2(keras.callbacks.Callback):
        ...     def on_epoch_begin(self, epoch, logs=None):
        ...         if epoch == 2:
        ...             raise RuntimeError("interrupted")
        >>> backup = keras.callbacks.BackupAndRestore(backup_dir="backup")
        >>> model.fit(x, y, epochs=4, verbose=0, callbacks=[backup, InterruptAtEpoch2()])
        Traceback (most recent call last):
        ...
        RuntimeError: interrupted
        >>> os.listdir("backup")
        ['training_state.safetensors']
        >>> history = model.fit(x, y, epochs=4, verbose=0, callbacks=[backup])
        >>> backup.initial_epoch, history.epoch
        (2, [2, 3])
        >>> os.path.exists("backup")  # training finished: the backup is deleted
        False
    """

    takes_device_logs = True  # reads batch logs only when it needs them (to_python_logs)

    def __init__(
        self,
        backup_dir: str | os.PathLike[str],
        save_freq: str | int = "epoch",
        delete_checkpoint: bool = True,
        double_checkpoint: bool = False,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        if os.path.lexists(self.backup_dir) and not os.path.isdir(self.backup_dir):
            raise ValueError(
                f"BackupAndRestore: backup_dir {self.backup_dir!r} is an existing file, not a folder; "
                "choose a folder path (the backups are written inside it)"
            )
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.double_checkpoint = double_checkpoint
        self._frequency = SaveFrequency(save_freq, "BackupAndRestore")
        self._state_path = os.path.join(self.backup_dir, "training_state.safetensors")
        self._previous_path = self._state_path + ".bkp"
        self._current_epoch = 0
        self._last_batch = 0
        self._initial_epoch: int | None = None

    @property
    def initial_epoch(self) -> int | None:
        """The epoch the last ``on_train_begin`` resumed at, or ``None`` when no backup was found."""
        return self._initial_epoch

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._initial_epoch = None
        if active_data_parallel() is not None:
            barrier()  # process 0 has finished writing: every process reads the same backup
        state = self._read_backup()
        if state is None:
            return
        weights, optimizer_state, epoch = state
        # Everything is checked before anything changes: the weights against the model, then the optimizer
        # state is loaded (and the previous state put back if it does not fit); the weights go in last.
        self._check_weights(weights)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and optimizer_state is not None:
            self._load_optimizer_state(optimizer, optimizer_state)
        assert self.model is not None  # fit attached it (set_model) before the first hook
        self.model.set_weights(weights)
        self._initial_epoch = epoch
        self._current_epoch = epoch

    def _check_weights(self, weights):
        expected = [tuple(np.shape(w)) for w in self.model.get_weights()]
        found = [tuple(w.shape) for w in weights]
        if expected != found:
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir!r} holds {len(found)} weights "
                f"that do not fit this model's {len(expected)} (shapes {found[:4]}... against "
                f"{expected[:4]}...); it was made for another model. Nothing was restored"
            )

    def _load_optimizer_state(self, optimizer, state):
        if getattr(optimizer, "built", True) is False and hasattr(optimizer, "build"):
            # A kerastorch optimizer creates its state at its first step; the state to load needs it now.
            model = self.model
            optimizer.build(getattr(model, "trainable_weights", None) or model.trainable_variables)
        previous = copy.deepcopy(optimizer.state_dict())  # some optimizers load in place
        try:
            optimizer.load_state_dict(state)
        # Broad on purpose: any optimizer (torch.optim's too) refuses a foreign state in its own ways; each means
        # the same here: roll back, raise one clear error.
        except Exception as error:
            optimizer.load_state_dict(previous)
            raise ValueError(
                f"BackupAndRestore: the optimizer state in the backup in {self.backup_dir!r} does "
                f"not fit the model's optimizer ({type(error).__name__}: {error}). Nothing was "
                "restored"
            ) from error

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._last_batch = batch
        if self._frequency.tick(batch):
            self._save()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch + 1  # a backup made now resumes at the next epoch
        self._last_batch = 0
        if self._frequency.per_epoch:
            self._save()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self.delete_checkpoint or not is_chief_process():
            return
        for path in (self._state_path, self._previous_path):
            if os.path.exists(path):
                os.remove(path)
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)

    def _save(self):
        if not is_chief_process():  # data-parallel training: process 0 writes the backup
            return
        tensors = {f"weights/{i}": torch.from_numpy(np.array(w)) for i, w in enumerate(self.model.get_weights())}
        optimizer = getattr(self.model, "optimizer", None)
        skeleton = None if optimizer is None else _encode(optimizer.state_dict(), tensors)
        metadata = {
            "format": _FORMAT,
            "epoch": str(self._current_epoch),
            "batch": str(self._last_batch),
            "num_weights": str(sum(key.startswith("weights/") for key in tensors)),
            "optimizer": json.dumps(skeleton),
        }
        data = save_safetensors(tensors, metadata=metadata)
        # The new file is written in full first; with double_checkpoint the old one then moves aside.
        write_bytes(self._state_path, data, keep_previous=self._previous_path if self.double_checkpoint else None)

    def _read_backup(self):
        """``(weights, optimizer_state, epoch)`` from the newest readable backup, or None without one."""
        error = None
        for path in (self._state_path, self._previous_path):
            if not os.path.exists(path):
                continue
            try:
                return self._read(path)
            except Exception as exc:  # noqa: BLE001 - unreadable (truncated, foreign file): try the older one
                error = exc
        if error is not None:
            raise OSError(f"BackupAndRestore: cannot read the backup in {self.backup_dir}: {error}") from error
        return None

    @staticmethod
    def _read(path):
        with open(path, "rb") as f:
            data = f.read()
        metadata = _header_metadata(data)
        if metadata.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a kerastorch BackupAndRestore file")
        tensors = load_safetensors(data)
        weights = [tensors[f"weights/{i}"].numpy() for i in range(int(metadata["num_weights"]))]
        skeleton = json.loads(metadata["optimizer"])
        optimizer_state = None if skeleton is None else _decode(skeleton, tensors)
        epoch = metadata["epoch"]
        if not epoch.isdigit():
            raise ValueError(f"{path} records an impossible epoch {epoch!r} (expected a count of epochs >= 0)")
        return weights, optimizer_state, int(epoch)
