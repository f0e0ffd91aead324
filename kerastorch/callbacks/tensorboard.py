"""``TensorBoard``: write training metrics (and weight histograms) for TensorBoard.

The event files are written by :class:`~kerastorch.callbacks.event_file.EventFileWriter`, which needs
neither TensorFlow nor the ``tensorboard`` package (install that one to view them: ``tensorboard --logdir
logs``). The layout is Keras's: ``<log_dir>/train`` and ``<log_dir>/validation`` runs with
``epoch_<metric>`` scalars per epoch, ``batch_<metric>`` every ``update_freq`` batches,
``evaluation_<metric>_vs_iterations`` after each evaluation. Keras's graph, image, profiler and embedding
outputs are not written.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

from kerastorch.callbacks._helpers import get_learning_rate
from kerastorch.callbacks.callback import Callback, to_python_logs
from kerastorch.callbacks.event_file import EventFileWriter
from kerastorch.distribution.data_parallel import is_chief_process

__all__ = ["TensorBoard"]


def _summary_writer_class():
    """The class that writes each run's event file."""
    return EventFileWriter


class TensorBoard(Callback):
    """Logs metrics, the learning rate and weight histograms for TensorBoard.

    Args:
        log_dir: String or path-like, the folder of the logs (``train/`` and ``validation/`` runs are
            made inside). Defaults to ``"logs"``.
        histogram_freq: Int, write weight histograms every this many epochs (0: never). Defaults to ``0``.
        write_graph: Bool, accepted for Keras compatibility and stored; no graph is written either way.
            Defaults to ``True``.
        write_images: Bool, Keras's weight images; not supported: a value other than ``False`` warns and
            is ignored. Defaults to ``False``.
        write_steps_per_second: Bool, whether to also log training steps per second each epoch.
            Defaults to ``False``.
        update_freq: ``"epoch"``, or an int number of batches between ``batch_<metric>`` scalars (each
            such write reads the metrics from the device). Defaults to ``"epoch"``.
        profile_batch: Int, Keras's profiler batches; not supported: a value other than ``0`` warns and
            is ignored. Defaults to ``0``.
        embeddings_freq: Int, Keras's embedding projector frequency; not supported: a value other than
            ``0`` warns and is ignored. Defaults to ``0``.
        embeddings_metadata: Dict or None, Keras's embedding metadata; not supported: a value other than
            None warns and is ignored. Defaults to None.

    Raises:
        ValueError: If ``update_freq`` is neither ``"epoch"`` nor an int.

    Example:
        ``fit`` writes a ``train`` and a ``validation`` run, to view with ``tensorboard --logdir logs``:

        >>> import os
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> tensorboard = keras.callbacks.TensorBoard(log_dir="logs", histogram_freq=1)
        >>> _ = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[tensorboard])
        >>> sorted(os.listdir("logs"))
        ['train', 'validation']
    """

    takes_device_logs = True  # reads batch logs only when it needs them (to_python_logs)

    def __init__(
        self,
        log_dir: str | os.PathLike[str] = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | tuple[int, int] | str = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._writer_class = _summary_writer_class()
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(update_freq, int)):
            raise ValueError(f"TensorBoard: `update_freq` must be 'epoch' or an integer; received {update_freq!r}.")
        ignored = [
            name
            for name, value, default in (
                ("write_images", write_images, False),
                ("profile_batch", profile_batch, 0),
                ("embeddings_freq", embeddings_freq, 0),
                ("embeddings_metadata", embeddings_metadata, None),
            )
            if value != default
        ]
        if ignored:
            warnings.warn(f"TensorBoard: {', '.join(ignored)} not supported by kerastorch; ignored.", stacklevel=2)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self._writers: dict[str, EventFileWriter] = {}
        self._train_step = 0  # training batches seen, over every fit of this callback
        self._epoch_start: float | None = None
        self._epoch_batches = 0

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = self._writer_class(log_dir=os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if is_chief_process():  # data-parallel training: process 0 writes the event files
            self._writer("train")

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_start = time.time()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._train_step += 1
        self._epoch_batches += 1
        if isinstance(self.update_freq, int) and self._train_step % self.update_freq == 0 and is_chief_process():
            writer = self._writer("train")
            for name, value in to_python_logs(logs).items():
                if isinstance(value, float):
                    writer.add_scalar(f"batch_{name}", value, self._train_step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not is_chief_process():
            return
        logs = dict(logs or {})
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and "learning_rate" not in logs:
            try:
                logs["learning_rate"] = get_learning_rate(optimizer)
            except (ValueError, TypeError):
                pass
        if self.write_steps_per_second and self._epoch_start is not None:
            logs["steps_per_second"] = self._epoch_batches / max(time.time() - self._epoch_start, 1e-9)
        self._write_scalars(logs, epoch, "epoch_")
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not is_chief_process():
            return
        writer = self._writer("validation")
        for name, value in to_python_logs(logs).items():
            if isinstance(value, float):
                writer.add_scalar(f"evaluation_{name}_vs_iterations", value, self._train_step)
        writer.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _write_scalars(self, logs, step, prefix):
        for name, value in logs.items():
            if not isinstance(value, (int, float)):
                continue
            run, name = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            self._writer(run).add_scalar(prefix + name, value, step)

    def _write_histograms(self, epoch):
        weights = getattr(self.model, "weights", None)
        writer = self._writer("train")
        if weights:
            for i, weight in enumerate(weights):
                name = getattr(weight, "path", None) or getattr(weight, "name", None) or f"weight_{i}"
                writer.add_histogram(name, weight.detach().cpu().numpy(), epoch)
        else:
            for i, array in enumerate(self.model.get_weights()):
                writer.add_histogram(f"weight_{i}", array, epoch)
