"""CIFAR-100: 50,000 training and 10,000 test colour images of 32x32 pixels, in 100 classes grouped into 20
superclasses.

The data are the Python batches of ``cifar-100-python.tar.gz``, downloaded once into the Keras cache
(``~/.keras/datasets``), checked against their sha256 hash and extracted as Keras does; the batches are read
by :mod:`~kerastorch.datasets.restricted_pickle`, never by :mod:`pickle`.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._cifar import fetch_batches_folder, load_batches

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
_CACHE_NAME = "cifar-100-python-target"
_LABEL_MODES = ("fine", "coarse")


def load_data(label_mode: str = "fine") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the CIFAR-100 data set, downloading it on first use.

    Args:
        label_mode: str, default ``"fine"``: ``"fine"`` for the 100 classes, ``"coarse"`` for the 20
            superclasses.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shapes ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` with pixel values 0..255 (``(n, 3, 32, 32)`` when
        ``keras.config.image_data_format()`` is ``"channels_first"``), and int64 labels (0..99, or 0..19 for
        ``"coarse"``) of shapes ``(50000, 1)`` and ``(10000, 1)``, as in Keras.

    Raises:
        ValueError: for another ``label_mode`` (before any download), when the downloaded archive does not have
            the published hash (nothing is cached), or a batch is not a CIFAR batch.
        OSError: when the archive is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        pickle.UnpicklingError: when a batch's pickle asks for anything but builtin containers and numbers and
            NumPy's arrays (naming the file; nothing is called).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data(label_mode="coarse")
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'cifar-100-python-target_archive' from
    https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz (no network). ... put it at
    keras_home/datasets/cifar-100-python-target_archive ... with sha256 hash 85cd44d0...
    >>> load_data(label_mode="medium")
    Traceback (most recent call last):
    ...
    ValueError: cifar100.load_data: label_mode must be 'fine' or 'coarse', received 'medium'
    """
    if label_mode not in _LABEL_MODES:
        raise ValueError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse', received {label_mode!r}")
    folder = fetch_batches_folder(_CACHE_NAME, ORIGIN, FILE_HASH, "cifar-100-python")
    label_key = f"{label_mode}_labels"
    return load_batches(folder, ["train"], label_key), load_batches(folder, ["test"], label_key)


def __dir__():
    return sorted(__all__)
