"""The MNIST handwritten digits: 60,000 training and 10,000 test grayscale images of 28x28 pixels.

The file is Keras's ``mnist.npz``, downloaded once into the Keras cache (``~/.keras/datasets``) and checked
against its sha256 hash; a copy Keras already downloaded is used as it is.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import KERAS_DATASETS_URL, fetch_npz

__all__ = ["load_data"]

ORIGIN = KERAS_DATASETS_URL + "mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the MNIST data set, downloading it on first use.

    Args:
        path: str, default ``"mnist.npz"``: the file's name in the Keras cache (``~/.keras/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shapes ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with pixel values 0..255, and uint8 digit labels 0..9 of shapes ``(60000,)`` and
        ``(10000,)``.

    Raises:
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        ValueError: when the downloaded file does not have the published hash (nothing is cached).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data()
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'mnist.npz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz (no network). ... put it at
    keras_home/datasets/mnist.npz (in the folder keras_home/datasets) with sha256 hash 731c5ac6...
    """
    x_train, y_train, x_test, y_test = fetch_npz(path, ORIGIN, FILE_HASH, ("x_train", "y_train", "x_test", "y_test"))
    return (x_train, y_train), (x_test, y_test)


def __dir__():
    return sorted(__all__)
