"""keras.datasets boston_housing and california_housing on small synthetic npz files in Keras's format: the
seeded shuffle, the split, ``version``, and parity with Keras 3's loaders on the same files."""

import numpy as np
import pytest
from _dataset_files import assert_same_arrays, keras_loader, npz_bytes, publish

from kerastorch.datasets import boston_housing, california_housing

RNG = np.random.RandomState(0)
BOSTON = {"x": RNG.rand(37, 13), "y": RNG.rand(37) * 40 + 10}
CALIFORNIA = {"x": RNG.rand(650, 8).astype("float32"), "y": (RNG.rand(650) * 5e5).astype("float32")}


@pytest.fixture
def boston_file(local_server, monkeypatch, home):
    publish(local_server, monkeypatch, boston_housing, "boston_housing.npz", npz_bytes(**BOSTON))
    return home / "datasets" / "boston_housing.npz"


@pytest.fixture
def california_file(local_server, monkeypatch, home):
    publish(local_server, monkeypatch, california_housing, "california_housing.npz", npz_bytes(**CALIFORNIA))
    return home / "datasets" / "california_housing.npz"


def test_boston_housing_is_shuffled_with_the_seed_then_split(boston_file, local_server):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.3, seed=4)
    order = np.random.RandomState(4).permutation(37)
    cut = int(37 * 0.7)
    assert_same_arrays(
        (x_train, y_train, x_test, y_test),
        (BOSTON["x"][order[:cut]], BOSTON["y"][order[:cut]], BOSTON["x"][order[cut:]], BOSTON["y"][order[cut:]]),
    )
    (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0)
    assert (len(x_train), len(x_test)) == (37, 0) and local_server.hits == ["/boston_housing.npz"]


@pytest.mark.parametrize("test_split", [-0.1, 1, 1.5])
def test_a_test_split_outside_0_1_is_refused_before_any_download(test_split, boston_file, local_server):
    with pytest.raises(ValueError, match=rf"test_split must be in \[0, 1\), received {test_split}"):
        boston_housing.load_data(test_split=test_split)
    with pytest.raises(ValueError, match="test_split must be in"):
        california_housing.load_data(test_split=test_split)
    assert local_server.hits == []


def test_california_housing_versions(california_file, local_server):
    (x_train, _), (x_test, _) = california_housing.load_data(version="small")
    assert (x_train.shape, x_test.shape) == ((480, 8), (120, 8))
    small = {tuple(row) for row in CALIFORNIA["x"][:600]}
    assert {tuple(row) for row in np.concatenate([x_train, x_test])} == small
    (x_train, y_train), (x_test, _) = california_housing.load_data()
    assert (len(x_train), len(x_test), y_train.dtype) == (520, 130, np.float32)
    with pytest.raises(ValueError, match="version must be 'small' or 'large', received 'tiny'"):
        california_housing.load_data(version="tiny")


@pytest.mark.parity
@pytest.mark.parametrize("options", [{}, {"test_split": 0.35, "seed": 9}, {"test_split": 0}], ids=str)
def test_boston_housing_parity(keras3, boston_file, monkeypatch, options):
    from keras.src.datasets import boston_housing as keras_boston

    actual = boston_housing.load_data(**options)
    assert_same_arrays(actual, keras_loader(monkeypatch, keras_boston, boston_file).load_data(**options))


@pytest.mark.parity
@pytest.mark.parametrize(
    "options", [{}, {"version": "small"}, {"version": "small", "test_split": 0.1, "seed": 3}], ids=str
)
def test_california_housing_parity(keras3, california_file, monkeypatch, options):
    from keras.src.datasets import california_housing as keras_california

    actual = california_housing.load_data(**options)
    assert_same_arrays(actual, keras_loader(monkeypatch, keras_california, california_file).load_data(**options))
