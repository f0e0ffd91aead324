"""Fashion-MNIST: 60,000 training and 10,000 test grayscale images of 28x28 pixels, in 10 clothing classes.

The labels are 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag and
9 ankle boot. The data are Keras's four gzipped IDX files, downloaded once into the Keras cache
(``~/.keras/datasets/fashion-mnist``); Keras publishes no hash for them, so each file's IDX header is checked
instead (type, rank, sizes).
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from kerastorch.datasets._common import KERAS_DATASETS_URL
from kerastorch.utils.file_utils import get_file

__all__ = ["load_data"]

ORIGIN_FOLDER = KERAS_DATASETS_URL
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
_UNSIGNED_BYTE = 0x08  # the IDX type code of uint8 data


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Fashion-MNIST data set, downloading its files on first use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shapes ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with pixel values 0..255, and uint8 labels 0..9 of shapes ``(60000,)`` and
        ``(10000,)``.

    Raises:
        OSError: when a file is not cached and cannot be downloaded; the message names the file, its address
            and the folder to put it in.
        ValueError: when a file is not a uint8 IDX file of the expected rank and size, or the images and labels
            of a set differ in number.

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data()
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'train-labels-idx1-ubyte.gz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/train-labels-idx1-ubyte.gz (no network). ...
    put it at keras_home/datasets/fashion-mnist/train-labels-idx1-ubyte.gz ...
    """
    return _load_set("train"), _load_set("t10k")


def _load_set(prefix):
    """The images and labels of one set (``"train"`` or ``"t10k"``), the labels' file fetched first."""
    labels = _read_idx(_fetch(f"{prefix}-labels-idx1-ubyte.gz"), rank=1)
    images = _read_idx(_fetch(f"{prefix}-images-idx3-ubyte.gz"), rank=3)
    if len(images) != len(labels):
        raise ValueError(f"fashion_mnist: the {prefix} set has {len(images)} images but {len(labels)} labels")
    return images, labels


def _fetch(fname):
    return get_file(fname=fname, origin=ORIGIN_FOLDER + fname, cache_subdir=CACHE_SUBDIR)


def _read_idx(path, rank):
    """A gzipped IDX file of uint8 data: two zero bytes, the type code, the rank, the big-endian uint32 sizes,
    then the data."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    header_size = 4 + 4 * rank
    if len(data) < header_size or data[:2] != b"\0\0" or data[2] != _UNSIGNED_BYTE or data[3] != rank:
        raise ValueError(f"{path} is not an IDX file of uint8 data of rank {rank}")
    shape = tuple(int(size) for size in np.frombuffer(data, ">u4", count=rank, offset=4))
    values = np.frombuffer(data, np.uint8, offset=header_size)
    if values.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {values.size} values, but its header announces the shape {shape}")
    return values.reshape(shape).copy()  # a writable array


def __dir__():
    return sorted(__all__)
