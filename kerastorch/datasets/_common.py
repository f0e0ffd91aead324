"""Private helpers shared by the dataset loaders: fetching and reading Keras's files, Keras's seeded shuffles
and splits, and the word-index processing of the imdb and reuters sequences."""

import json

import numpy as np

from kerastorch.datasets import restricted_pickle
from kerastorch.utils.file_utils import get_file

KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


# ---------------------------------------------------------------------------------------------- the files
def fetch_npz(fname, origin, file_hash, keys):
    """The arrays named ``keys`` of the npz file ``origin``, cached as ``fname`` after its hash is checked;
    object arrays are unpickled by :mod:`~kerastorch.datasets.restricted_pickle`."""
    path = get_file(fname=fname, origin=origin, file_hash=file_hash)
    arrays = restricted_pickle.load_npz(path)
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(
            f"{path} has no array named {', '.join(missing)} (it has {', '.join(sorted(arrays))}): "
            f"it is not the file published at {origin}"
        )
    return [arrays[key] for key in keys]


def fetch_word_index(fname, origin, file_hash):
    """The dict from words to their frequency rank in the json file ``origin``, cached as ``fname``."""
    path = get_file(fname=fname, origin=origin, file_hash=file_hash)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ------------------------------------------------------------------------------------- shuffles and splits
def shuffle_together(rng, *arrays):
    """The arrays reordered by one permutation drawn from ``rng`` (Keras's ``rng.shuffle(np.arange(n))``)."""
    order = rng.permutation(len(arrays[0]))
    return tuple(array[order] for array in arrays)


def check_test_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), received {test_split}")


def split_train_test(x, y, test_split):
    """``(x_train, y_train), (x_test, y_test)``: the first ``int(n * (1 - test_split))`` rows train, as in
    Keras."""
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def load_regression(fname, origin, file_hash, test_split, seed, rows=None):
    """A regression npz file (arrays ``x`` and ``y``), its first ``rows`` rows (all for None), shuffled with
    ``seed`` and split."""
    check_test_split(test_split)
    x, y = fetch_npz(fname, origin, file_hash, ("x", "y"))
    if rows is not None:
        x, y = x[:rows], y[:rows]
    x, y = shuffle_together(np.random.RandomState(seed), x, y)
    return split_train_test(x, y, test_split)


# ----------------------------------------------------------------------------------- word-index sequences
def process_sequences(groups, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Keras's processing of word-index sequences, for groups ``[(sequences, labels), ...]`` (imdb's train and
    test sets, or all of reuters): each sequence shifted by ``index_from`` after ``start_char``; sequences of
    ``maxlen`` or more words dropped (``start_char`` included) with their labels; the vocabulary then limited
    over all groups together. Returns the groups as ``[(list of lists, labels), ...]``."""
    groups = [_drop_long(maxlen, _shift(sequences, start_char, index_from), labels) for sequences, labels in groups]
    limited = _limit_vocabulary([s for sequences, _ in groups for s in sequences], num_words, skip_top, oov_char)
    result, start = [], 0
    for sequences, labels in groups:
        result.append((limited[start : start + len(sequences)], labels))
        start += len(sequences)
    return result


def as_object_array(sequences):
    """The sequences as Keras returns them: ``np.array(sequences, dtype=object)``, a 1-D array of lists (2-D
    when all have the same length)."""
    return np.array(sequences, dtype=object)


def _shift(sequences, start_char, index_from):
    prefix = [] if start_char is None else [start_char]
    offset = index_from or 0
    return [prefix + [word + offset for word in sequence] for sequence in sequences]


def _drop_long(maxlen, sequences, labels):
    if not maxlen:
        return sequences, labels
    keep = np.array([len(sequence) < maxlen for sequence in sequences], dtype=bool)
    return [s for s, kept in zip(sequences, keep) if kept], labels[keep]


def _limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (are dropped for None). Without
    ``num_words`` the bound is the largest index present, which itself is then out of range, as in Keras."""
    if not num_words:
        num_words = max((max(sequence) for sequence in sequences if len(sequence)), default=0)

    def in_vocabulary(word):
        return skip_top <= word < num_words

    if oov_char is None:
        return [[word for word in sequence if in_vocabulary(word)] for sequence in sequences]
    return [[word if in_vocabulary(word) else oov_char for word in sequence] for sequence in sequences]
