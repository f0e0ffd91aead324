"""The Reuters newswires: 11,228 newswires labelled over 46 topics, each a sequence of word indexes.

Words are indexed by their frequency rank (1 is the most frequent word). In the returned sequences every rank
is shifted by ``index_from`` (3), leaving 0 for padding, ``start_char`` (1) to mark each newswire's start and
``oov_char`` (2) for the words cut by ``num_words`` or ``skip_top``. The files are Keras's ``reuters.npz``
and ``reuters_word_index.json``, downloaded once into the Keras cache (``~/.keras/datasets``) and checked
against their hashes; the sequences, stored as pickled lists, are read by
:mod:`~kerastorch.datasets.restricted_pickle`, never by :mod:`pickle`.
"""

from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import (
    KERAS_DATASETS_URL,
    as_object_array,
    fetch_npz,
    fetch_word_index,
    process_sequences,
    shuffle_together,
    split_train_test,
)

__all__ = ["get_label_names", "get_word_index", "load_data"]

ORIGIN = KERAS_DATASETS_URL + "reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = KERAS_DATASETS_URL + "reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
_LABEL_NAMES = (
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
)


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Reuters newswires as sequences of word indexes, downloading them on first use.

    The newswires are shuffled with ``np.random.RandomState(seed)``, processed as in Keras, then split.

    Args:
        path: str, default ``"reuters.npz"``: the file's name in the Keras cache (``~/.keras/datasets``).
        num_words: int or None, default None: keep the indexes below ``num_words`` (the most frequent
            words); the others become ``oov_char``. None (or 0) keeps every index below the largest one present,
            as Keras does (so the largest one becomes ``oov_char``).
        skip_top: int, default 0: indexes below ``skip_top`` become ``oov_char`` as well (``start_char``
            included, when it is below ``skip_top``).
        maxlen: int or None, default None: drop the newswires of ``maxlen`` or more indexes (``start_char``
            included), with their labels; they are not truncated. None keeps every newswire.
        test_split: float in [0, 1], default 0.2: the test set is the last ``n - int(n * (1 - test_split))``
            newswires, ``n`` counted after ``maxlen``.
        seed: int, default 113: the seed of the shuffle.
        start_char: int or None, default 1: the index put before each newswire; None puts nothing.
        oov_char: int or None, default 2: the index of the words cut by ``num_words`` or ``skip_top``; None
            removes those words.
        index_from: int, default 3: added to every word's frequency rank.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of lists of int indexes (2-D object
        arrays when all the newswires of a set have the same length, as in Keras) and ``y`` integer arrays of
        topics 0..45 (named by :func:`get_label_names`).

    Raises:
        ValueError: for a ``test_split`` outside [0, 1] (before any download), or when the downloaded file does
            not have the published hash (nothing is cached).
        OSError: when the file is not cached and cannot be downloaded; the message names the file, its
            address and the folder to put it in.
        pickle.UnpicklingError: when the file's pickled sequences ask for anything but builtin containers and
            numbers and NumPy's arrays (naming the file; nothing is called).

    Example: offline, the error says which file to put where.

    >>> from unittest import mock
    >>> offline = mock.patch("urllib.request.urlopen", side_effect=OSError("no network"))
    >>> with offline, mock.patch.dict("os.environ", KERAS_HOME="keras_home"):
    ...     (x_train, y_train), (x_test, y_test) = load_data(num_words=10000, test_split=0.2)
    Traceback (most recent call last):
    ...
    OSError: get_file: could not download 'reuters.npz' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz (no network). ... put it at
    keras_home/datasets/reuters.npz (in the folder keras_home/datasets) with sha256 hash d6586e69...
    """
    if not 0 <= test_split <= 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1], received {test_split}")
    xs, labels = fetch_npz(path, ORIGIN, FILE_HASH, ("x", "y"))
    xs, labels = shuffle_together(np.random.RandomState(seed), xs, labels)
    [(xs, labels)] = process_sequences([(xs, labels)], num_words, skip_top, maxlen, start_char, oov_char, index_from)
    (x_train, y_train), (x_test, y_test) = split_train_test(xs, labels, test_split)
    return (as_object_array(x_train), y_train), (as_object_array(x_test), y_test)


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The Reuters word index, downloading it on first use: a dict from each word to its frequency rank (1
    for the most frequent word). In the sequences of :func:`load_data`, a word's index is its rank plus
    ``index_from`` (3 by default: 0 is padding, 1 the start, 2 out of vocabulary).

    Args:
        path: str, default ``"reuters_word_index.json"``: the file's name in the Keras cache
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
    OSError: get_file: could not download 'reuters_word_index.json' from
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json (no network). ...
    put it at keras_home/datasets/reuters_word_index.json ... with md5 hash 4d44cc38712099c9e383dc6e5f11a921; ...
    """
    return fetch_word_index(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)


def get_label_names() -> tuple[str, ...]:
    """The names of the 46 Reuters topics, in the order of the labels of :func:`load_data`.

    Returns:
        A tuple of 46 str.

    Raises:
        Nothing: the names ship with the package.

    >>> names = get_label_names()
    >>> len(names), names[:4], names.index("earn")
    (46, ('cocoa', 'grain', 'veg-oil', 'earn'), 3)
    """
    return _LABEL_NAMES


def __dir__():
    return sorted(__all__)
