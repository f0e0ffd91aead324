"""``EventFileWriter``: TensorBoard event files written without TensorFlow or the ``tensorboard`` package.

An event file is a TFRecord file of ``Event`` protocol buffers: each record is its length (uint64), a masked
CRC-32C of the length, the bytes, and a masked CRC-32C of the bytes. The writer encodes the few messages
TensorBoard reads for scalars and histograms by hand (``Event.wall_time/step/file_version/summary``,
``Summary.Value.tag/simple_value/histo``, ``HistogramProto``), so ``keras.callbacks.TensorBoard`` works with
nothing installed; ``tensorboard --logdir`` shows the files.

Example:
    >>> import os
    >>> import numpy as np
    >>> writer = EventFileWriter("logs/train")
    >>> writer.add_scalar("epoch_loss", 0.5, step=0)
    >>> writer.add_histogram("dense/kernel", np.arange(6.0), step=0)
    >>> writer.close()
    >>> [name.startswith("events.out.tfevents.") for name in os.listdir("logs/train")]
    [True]
"""

from __future__ import annotations

import os
import socket
import struct
import time

import numpy as np
import numpy.typing as npt

from kerastorch.backend.hashing import crc32c, mask_crc

__all__ = ["EventFileWriter"]


# ------------------------------------------------------------------------------- protocol buffer encoding
def _varint(value):
    out = bytearray()
    value &= (1 << 64) - 1  # negative int64 values take ten bytes, as protobuf encodes them
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _double(field, value):
    return _key(field, 1) + struct.pack("<d", float(value))


def _float(field, value):
    return _key(field, 5) + struct.pack("<f", float(value))


def _int(field, value):
    return _key(field, 0) + _varint(int(value))


def _bytes(field, data):
    return _key(field, 2) + _varint(len(data)) + data


def _packed_doubles(field, values):
    return _bytes(field, struct.pack(f"<{len(values)}d", *values))


def _histogram(values, bins=30):
    """A ``HistogramProto``: min, max, num, sum, sum_squares, bucket_limit, bucket."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return _double(3, 0)
    low, high = float(values.min()), float(values.max())
    counts, edges = np.histogram(values, bins=bins if high > low else 1, range=(low, high if high > low else low + 1))
    return (
        _double(1, low)
        + _double(2, high)
        + _double(3, values.size)
        + _double(4, values.sum())
        + _double(5, np.square(values).sum())
        + _packed_doubles(6, [float(e) for e in edges[1:]])
        + _packed_doubles(7, [float(c) for c in counts])
    )


class EventFileWriter:
    """Writes scalars and histograms to one TensorBoard event file in ``log_dir`` (created if missing).

    The method names are those of ``torch.utils.tensorboard.SummaryWriter`` that the TensorBoard callback
    uses, so either can serve it.

    Args:
        log_dir: str, the run's folder (``logs/train``).

    Example:
        >>> writer = EventFileWriter("runs/a")
        >>> writer.add_scalar("loss", 1.25, step=3)
        >>> writer.flush()
        >>> os.path.getsize(writer.path) > 0
        True
        >>> writer.close()
    """

    def __init__(self, log_dir: str | os.PathLike[str]) -> None:
        self.log_dir = os.fspath(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.{id(self) % 10**6}"
        self.path = os.path.join(self.log_dir, name)
        self._file = open(self.path, "wb")  # noqa: SIM115 - kept open for the run, closed by close()
        self._write_event(_bytes(3, b"brain.Event:2"), step=0)

    def _write_event(self, payload, step):
        event = _double(1, time.time()) + _int(2, step) + payload
        header = struct.pack("<Q", len(event))
        self._file.write(
            header + struct.pack("<I", mask_crc(crc32c(header))) + event + struct.pack("<I", mask_crc(crc32c(event)))
        )

    def _write_value(self, tag, value_field, step):
        value = _bytes(1, tag.encode("utf-8")) + value_field
        self._write_event(_bytes(5, _bytes(1, value)), step)

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Log ``value`` (a number) under ``tag`` at ``step``."""
        self._write_value(tag, _float(2, value), step)

    def add_histogram(self, tag: str, values: npt.ArrayLike, step: int, bins: int = 30) -> None:
        """Log the distribution of ``values`` (an array) under ``tag`` at ``step`` (``bins`` buckets)."""
        self._write_value(tag, _bytes(5, _histogram(values, bins)), step)

    def flush(self) -> None:
        """Push what was written to the file."""
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file."""
        if not self._file.closed:
            self._file.close()
