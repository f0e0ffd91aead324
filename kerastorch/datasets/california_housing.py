"""The California housing prices: 20,640 census block groups of 1990, 8 features each (median income, median
house age, average rooms and bedrooms per household, population, average occupancy, latitude, longitude), and
their median house value in dollars.

The file is Keras's ``california_housing.npz``, downloaded once into the Keras cache (``~/.keras/datasets``)
and checked against its sha256 hash.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import KERAS_DATASETS_URL, load_regression

__all__ = ["load_data"]

ORIGIN = KERAS_DATASETS_URL + "california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
_SMALL_ROWS = 600


def load_data(
    version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the California housing data set, downloading it on first use, shuffled and split as in Keras.

    Args:
        version: str, default ``"large"``: ``"large"`` for all 20,640 rows, ``"small"`` for the first 600 (a
            stand-in for the Boston housing data set).
        path: str, default ``"california_housing.npz"``: the file's name in the Keras cache
            (``~/.keras/datasets``).
        test_split: float in [0, 1), default 0.2: the test set is the last ``n - int(n * (1 - test_split))``
            rows.
        seed: int, default 113: the seed of the ``np.random.RandomState`` shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: the file's float features of shape ``(n, 8)`` and prices (in
        dollars, typically between 25,000 and 500,000) of shape ``(n,)``: 16,512 training and 4,128 test rows
        by default (480 and 120 for ``"small"``).

    Raises:
        ValueError: for another ``version`` or a ``test_split`` outside [0, 1) (before any download), or when
            the downloaded file does not have the published hash (nothing is cached).
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data(version="small")
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'california_housing.npz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz (no network). ...
    put it at keras_home/datasets/california_housing.npz ... with sha256 hash 1a2e3a52...
    >>> load_data(version="medium")
    Traceback (most recent call last):
    ...
    ValueError: california_housing.load_data: version must be 'small' or 'large', received 'medium'
    """
    if version not in ("small", "large"):
        raise ValueError(f"california_housing.load_data: version must be 'small' or 'large', received {version!r}")
    rows = _SMALL_ROWS if version == "small" else None
    return load_regression(path, ORIGIN, FILE_HASH, test_split, seed, rows)


def __dir__():
    return sorted(__all__)
