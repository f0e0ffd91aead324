"""``CSVLogger``: stream the epoch results to a CSV file."""

from __future__ import annotations

import csv
import os
from typing import Any, TextIO

import numpy as np

from kerastorch.callbacks.callback import Callback
from kerastorch.distribution.data_parallel import is_chief_process

__all__ = ["CSVLogger"]


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return f"[{', '.join(map(str, np.asarray(value).ravel().tolist()))}]"
    return value


class CSVLogger(Callback):
    """Writes one row per epoch: ``epoch`` then every logged value, columns in sorted order.

    The columns are fixed by the first epoch; without validation metrics, ``val_`` columns are still
    written (as ``NA``), as Keras does. Rows are flushed as they are written.

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: append to an existing file (no second header) instead of overwriting it.

    Example:
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> csv_logger = keras.callbacks.CSVLogger("training.log")
        >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[csv_logger])
        >>> with open("training.log") as f:
        ...     lines = f.read().splitlines()
        >>> lines[0]
        'epoch,loss,val_loss'
        >>> lines[1]
        '0,...,NA'
        >>> len(lines)
        3

        With ``append=True`` a second ``fit`` adds its rows under the same header:

        >>> csv_logger = keras.callbacks.CSVLogger("training.log", append=True)
        >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[csv_logger])
        >>> with open("training.log") as f:
        ...     lines = f.read().splitlines()
        >>> [line.split(",")[0] for line in lines]
        ['epoch', '0', '1', '0', '1']
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.writer: csv.DictWriter[str] | None = None
        self.csv_file: TextIO | None = None
        self.append_header = True

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not is_chief_process():  # data-parallel training: process 0 writes the file
            return
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self.append_header = not f.readline()
        self._close()
        # The file stays open across epochs (on_train_end closes it), hence no `with`.
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.keys = None
        self.writer = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not is_chief_process():
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            assert self.csv_file is not None  # opened by on_train_begin
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        assert self.csv_file is not None
        self.csv_file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
