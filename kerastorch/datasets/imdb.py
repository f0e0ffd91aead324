"""The IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by sentiment (1 positive, 0
negative), each a sequence of word indexes.

Words are indexed by their frequency rank in the training set (1 is the most frequent word), so "the 10,000
most frequent words" is ``num_words=10000``. In the returned sequences every rank is shifted by ``index_from``
(3), leaving 0 for padding, ``start_char`` (1) to mark each review's start and ``oov_char`` (2) for the words
cut by ``num_words`` or ``skip_top``. The files are Keras's ``imdb.npz`` and ``imdb_word_index.json``,
downloaded once into the Keras cache (``~/.keras/datasets``) and checked against their hashes; the sequences,
stored as pickled lists, are read by :mod:`~kerastorch.datasets.restricted_pickle`, never by :mod:`pickle`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerastorch.datasets._common import (
    KERAS_DATASETS_URL,
    as_object_array,
    fetch_npz,
    fetch_word_index,
    process_sequences,
    shuffle_together,
)

__all__ = ["get_word_index", "load_data"]

ORIGIN = KERAS_DATASETS_URL + "imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = KERAS_DATASETS_URL + "imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the IMDB reviews as sequences of word indexes, downloading them on first use.

    The training and the test set are each shuffled with one ``np.random.RandomState(seed)``, the training set
    first, then processed as in Keras.

    Args:
        path: str, default ``"imdb.npz"``: the file's name in the Keras cache (``~/.keras/datasets``).
        num_words: int or None, default None: keep the indexes below ``num_words`` (the most frequent
            words); the others become ``oov_char``. None (or 0) keeps every index below the largest one present,
            as Keras does (so the largest one becomes ``oov_char``).
        skip_top: int, default 0: indexes below ``skip_top`` become ``oov_char`` as well (``start_char``
            included, when it is below ``skip_top``).
        maxlen: int or None, default None: drop the reviews of ``maxlen`` or more indexes (``start_char``
            included), with their labels; they are not truncated. None keeps every review.
        seed: int, default 113: the seed of the shuffles.
        start_char: int or None, default 1: the index put before each review; None puts nothing.
        oov_char: int or None, default 2: the index of the words cut by ``num_words`` or ``skip_top``; None
            removes those words.
        index_from: int, default 3: added to every word's frequency rank.
        **kwargs: accepted for compatibility and ignored, as in Keras 3 (with a warning).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of lists of int indexes (2-D object
        arrays when all the reviews of a set have the same length, as in Keras) and ``y`` integer arrays of
        labels, 25,000 of each per set before ``maxlen``.

    Raises:
        ValueError: when ``maxlen`` leaves no review in a set, or the downloaded file does not have the
            published hash (nothing is cached).
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        pickle.UnpicklingError: when the file's pickled sequences ask for anything but builtin containers and
            numbers and NumPy's arrays (naming the file; nothing is called).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'imdb.npz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz (no network). ... put it at
    keras_home/datasets/imdb.npz (in the folder keras_home/datasets) with sha256 hash 69664113...
    """
    if kwargs:
        warnings.warn(f"imdb.load_data ignores the keyword arguments {sorted(kwargs)}, as Keras 3 does", stacklevel=2)
    x_train, y_train, x_test, y_test = fetch_npz(path, ORIGIN, FILE_HASH, ("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)
    groups = [shuffle_together(rng, x_train, y_train), shuffle_together(rng, x_test, y_test)]
    (x_train, y_train), (x_test, y_test) = process_sequences(
        groups, num_words, skip_top, maxlen, start_char, oov_char, index_from
    )
    if maxlen and not (x_train and x_test):
        raise ValueError(
            f"imdb.load_data: no {'training' if not x_train else 'test'} review is shorter than "
            f"maxlen={maxlen}; increase maxlen"
        )
    return (as_object_array(x_train), y_train), (as_object_array(x_test), y_test)


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The IMDB word index, downloading it on first use: a dict from each word to its frequency rank (1 for
    the most frequent word). In the sequences of :func:`load_data`, a word's index is its rank plus
    ``index_from``.

    Args:
        path: str, default ``"imdb_word_index.json"``: the file's name in the Keras cache
            (``~/.keras/datasets``).

    Returns:
        A dict from str to int.

    Raises:
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        ValueError: when the downloaded file does not have the published md5 hash (nothing is cached).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     word_index = get_word_index()
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'imdb_word_index.json' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json (no network). ...
    put it at keras_home/datasets/imdb_word_index.json ... with md5 hash bfafd718b763782e994055a2d397834f; ...
    """
    return fetch_word_index(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)


def __dir__():
    return sorted(__all__)
