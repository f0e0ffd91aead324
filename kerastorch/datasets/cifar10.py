"""CIFAR-10: 50,000 training and 10,000 test colour images of 32x32 pixels, in 10 classes.

The labels are 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship and 9 truck.
The data are the Python batches of ``cifar-10-python.tar.gz``, downloaded once into the Keras cache
(``~/.keras/datasets``), checked against their sha256 hash and extracted as Keras does; the batches are read
by :mod:`~kerastorch.datasets.restricted_pickle`, never by :mod:`pickle`.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._cifar import fetch_batches_folder, load_batches

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_CACHE_NAME = "cifar-10-batches-py-target"
_TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the CIFAR-10 data set, downloading it on first use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shapes ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` with pixel values 0..255 (``(n, 3, 32, 32)`` when
        ``keras.config.image_data_format()`` is ``"channels_first"``), and uint8 labels 0..9 of shapes
        ``(50000, 1)`` and ``(10000, 1)``.

    Raises:
        OSError: when the archive is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        ValueError: when the downloaded archive does not have the published hash (nothing is cached), or a batch
            is not a CIFAR batch.
        pickle.UnpicklingError: when a batch's pickle asks for anything but builtin containers and numbers and
            NumPy's arrays (naming the file; nothing is called).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data()
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'cifar-10-batches-py-target_archive' from
    https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (no network). ... put it at
    keras_home/datasets/cifar-10-batches-py-target_archive ... with sha256 hash 6d958be0...
    """
    folder = fetch_batches_folder(_CACHE_NAME, ORIGIN, FILE_HASH, "cifar-10-batches-py")
    train = load_batches(folder, _TRAIN_BATCHES, "labels", np.uint8)
    test = load_batches(folder, ["test_batch"], "labels", np.uint8)
    return train, test


def __dir__():
    return sorted(__all__)
