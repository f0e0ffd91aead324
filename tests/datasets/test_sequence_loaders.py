"""keras.datasets imdb and reuters on small synthetic files in Keras's formats (npz of pickled lists, json word
indexes), served by a local HTTP server: Keras's processing of the sequences, and parity with Keras 3's loaders
on the same files for the options that change it."""

import json

import numpy as np
import pytest
from _dataset_files import assert_same_arrays, keras_loader, npz_bytes, object_array, publish, ragged_sequences

from kerastorch.datasets import imdb, reuters

RNG = np.random.RandomState(0)
IMDB = {
    "x_train": ragged_sequences(RNG, 40, 60, 20),
    "y_train": RNG.randint(0, 2, 40),
    "x_test": ragged_sequences(RNG, 30, 60, 20),
    "y_test": RNG.randint(0, 2, 30),
}
REUTERS = {"x": ragged_sequences(RNG, 50, 80, 25), "y": RNG.randint(0, 46, 50)}
WORD_INDEX = {"the": 1, "and": 2, "a": 3, "café": 4}


@pytest.fixture
def imdb_file(local_server, monkeypatch, home):
    publish(local_server, monkeypatch, imdb, "imdb.npz", npz_bytes(**IMDB))
    return home / "datasets" / "imdb.npz"


@pytest.fixture
def reuters_file(local_server, monkeypatch, home):
    publish(local_server, monkeypatch, reuters, "reuters.npz", npz_bytes(**REUTERS))
    return home / "datasets" / "reuters.npz"


# ---------------------------------------------------------------------------------------------- semantics
def test_imdb_shuffles_shifts_and_limits_as_documented(local_server, monkeypatch, home):
    x_train, x_test = object_array([[1, 2], [3], [4, 4, 4]]), object_array([[5, 1], [2, 2, 2, 2]])
    data = {"x_train": x_train, "y_train": np.array([0, 1, 1]), "x_test": x_test, "y_test": np.array([1, 0])}
    publish(local_server, monkeypatch, imdb, "imdb.npz", npz_bytes(**data))
    rng = np.random.RandomState(7)
    train_order, test_order = rng.permutation(3), rng.permutation(2)  # one generator: train first, then test

    (x, y), (xt, yt) = imdb.load_data(seed=7, start_char=None, index_from=0, oov_char=None, num_words=100)
    assert [x_train[i] for i in train_order] == x.tolist() and y.tolist() == data["y_train"][train_order].tolist()
    assert [x_test[i] for i in test_order] == xt.tolist() and yt.tolist() == data["y_test"][test_order].tolist()

    (x, _), _ = imdb.load_data(seed=7)  # ranks + 3 after start_char 1; the largest index (8) becomes oov_char 2
    assert x.tolist() == [[1] + [w + 3 if w + 3 < 8 else 2 for w in x_train[i]] for i in train_order]

    # shifted: train [1, 4, 5] [1, 6] [1, 7, 7, 7], test [1, 8, 4] [1, 5, 5, 5, 5]; 4 indexes or more are dropped
    (x, y), (xt, yt) = imdb.load_data(seed=7, maxlen=4, num_words=6, skip_top=2, oov_char=0)
    assert dict(zip(map(tuple, x.tolist()), y.tolist())) == {(0, 4, 5): 0, (0, 0): 1}
    assert xt.tolist() == [[0, 0, 4]] and yt.tolist() == [1]


def test_imdb_refuses_a_maxlen_that_leaves_no_review(imdb_file):
    with pytest.raises(ValueError, match="no training review is shorter than maxlen=1; increase maxlen"):
        imdb.load_data(maxlen=1)


def test_imdb_warns_about_the_keyword_arguments_it_ignores(imdb_file):
    with pytest.warns(UserWarning, match=r"ignores the keyword arguments \['nb_words'\], as Keras 3 does"):
        imdb.load_data(nb_words=10)


def test_reuters_splits_after_maxlen_and_checks_test_split(reuters_file):
    (x, y), (xt, yt) = reuters.load_data(maxlen=10, test_split=0.25)
    kept = sum(len(s) + 1 < 10 for s in REUTERS["x"])
    assert len(x) == len(y) == int(kept * 0.75) and len(xt) == len(yt) == kept - int(kept * 0.75)
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\], received 1.5"):
        reuters.load_data(test_split=1.5)


def test_reuters_label_names():
    names = reuters.get_label_names()
    assert len(names) == len(set(names)) == 46 and names[3] == "earn" and names[-1] == "lead"


@pytest.mark.parametrize("module, name", [(imdb, "imdb_word_index.json"), (reuters, "reuters_word_index.json")])
def test_word_index_is_downloaded_once_and_checked(module, name, local_server, monkeypatch, home):
    publish(
        local_server, monkeypatch, module, name, json.dumps(WORD_INDEX).encode(), "WORD_INDEX_ORIGIN", "WORD_INDEX_HASH"
    )
    assert module.get_word_index() == WORD_INDEX == module.get_word_index()
    assert local_server.hits == ["/" + name] and (home / "datasets" / name).is_file()
    local_server.files["/" + name] = b"{}"  # no longer the published file
    with pytest.raises(ValueError, match="has md5 hash .* expected"):
        module.get_word_index(path="other.json")


# ------------------------------------------------------------------------------------------------- parity
IMDB_OPTIONS = [
    {},
    {"num_words": 30},
    {"num_words": 40, "skip_top": 5},
    {"maxlen": 12},
    {"seed": 1},
    {"index_from": 0, "start_char": None},
    {"oov_char": None, "num_words": 25, "skip_top": 4},
    {"start_char": 7, "oov_char": 9, "index_from": 10, "maxlen": 15, "num_words": 50},
]


@pytest.mark.parity
@pytest.mark.parametrize("options", IMDB_OPTIONS, ids=str)
def test_imdb_parity(keras3, imdb_file, monkeypatch, options):
    from keras.src.datasets import imdb as keras_imdb

    actual = imdb.load_data(**options)
    assert_same_arrays(actual, keras_loader(monkeypatch, keras_imdb, imdb_file).load_data(**options))


REUTERS_OPTIONS = [
    {},
    {"num_words": 30, "skip_top": 3},
    {"maxlen": 15, "test_split": 0.3},
    {"seed": 5},
    {"test_split": 0.0},
    {"index_from": 0, "start_char": None, "oov_char": None, "num_words": 40},
]


@pytest.mark.parity
@pytest.mark.parametrize("options", REUTERS_OPTIONS, ids=str)
def test_reuters_parity(keras3, reuters_file, monkeypatch, options):
    from keras.src.datasets import reuters as keras_reuters

    actual = reuters.load_data(**options)
    assert_same_arrays(actual, keras_loader(monkeypatch, keras_reuters, reuters_file).load_data(**options))


@pytest.mark.parity
def test_equal_length_sequences_give_keras_2d_object_arrays(keras3, local_server, monkeypatch, home):
    from keras.src.datasets import reuters as keras_reuters

    xs = object_array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1], [2, 2, 2], [3, 3, 3]])
    publish(local_server, monkeypatch, reuters, "reuters.npz", npz_bytes(x=xs, y=np.arange(6)))
    actual = reuters.load_data(test_split=0.5)
    assert actual[0][0].shape == (3, 4)
    assert_same_arrays(
        actual, keras_loader(monkeypatch, keras_reuters, home / "datasets" / "reuters.npz").load_data(test_split=0.5)
    )


@pytest.mark.parity
def test_word_index_and_label_names_parity(keras3, local_server, monkeypatch, home):
    from keras.src.datasets import imdb as keras_imdb
    from keras.src.datasets import reuters as keras_reuters

    publish(
        local_server,
        monkeypatch,
        imdb,
        "imdb_word_index.json",
        json.dumps(WORD_INDEX).encode(),
        "WORD_INDEX_ORIGIN",
        "WORD_INDEX_HASH",
    )
    actual = imdb.get_word_index()
    assert actual == keras_loader(monkeypatch, keras_imdb, home / "datasets" / "imdb_word_index.json").get_word_index()
    assert reuters.get_label_names() == keras_reuters.get_label_names()
