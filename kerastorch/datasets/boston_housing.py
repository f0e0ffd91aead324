"""The Boston housing prices: 506 districts of the Boston area in the 1970s, 13 features each, and their
median house value in k$.

Warning, as in Keras: one feature, "B", encodes an assumption about racial self-segregation; use this data
set only to illustrate ethical issues in machine learning (``california_housing`` with ``version="small"``
replaces it). The file is Keras's ``boston_housing.npz``, downloaded once into the Keras cache
(``~/.keras/datasets``) and checked against its sha256 hash.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import KERAS_DATASETS_URL, load_regression

__all__ = ["load_data"]

ORIGIN = KERAS_DATASETS_URL + "boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(
    path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Boston housing data set, downloading it on first use, shuffled and split as in Keras.

    Args:
        path: str, default ``"boston_housing.npz"``: the file's name in the Keras cache (``~/.keras/datasets``).
        test_split: float in [0, 1), default 0.2: the test set is the last ``n - int(n * (1 - test_split))``
            rows.
        seed: int, default 113: the seed of the ``np.random.RandomState`` shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: the file's float features of shape ``(n, 13)`` and prices
        (in k$, typically between 10 and 50) of shape ``(n,)``: 404 training and 102 test rows by default.

    Raises:
        ValueError: for a ``test_split`` outside [0, 1) (before any download), or when the downloaded file does
            not have the published hash (nothing is cached).
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data(test_split=0.25)
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'boston_housing.npz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz (no network). ...
    put it at keras_home/datasets/boston_housing.npz ... with sha256 hash f553886a...
    >>> load_data(test_split=1.0)
    Traceback (most recent call last):
    ...
    ValueError: test_split must be in [0, 1), received 1.0
    """
    return load_regression(path, ORIGIN, FILE_HASH, test_split, seed)


def __dir__():
    return sorted(__all__)
