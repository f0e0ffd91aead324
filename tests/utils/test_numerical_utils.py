"""keras.utils helpers and the bundled digits data."""

import numpy as np
import pytest
import torch

import kerastorch as keras


def test_to_categorical_numpy_and_torch():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, 1], 3), np.eye(3)[[0, 2, 1]])
    assert keras.utils.to_categorical(np.array([[1], [0]])).shape == (2, 2)
    out = keras.utils.to_categorical(torch.tensor([1, 0]), num_classes=3)
    assert isinstance(out, torch.Tensor) and out.tolist() == [[0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="out of range for num_classes=2"):
        keras.utils.to_categorical([0, 3], num_classes=2)


def test_normalize_unit_norm_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    torch.testing.assert_close(
        keras.utils.normalize(torch.tensor(x)), torch.tensor([[0.6, 0.8], [0.0, 0.0]], dtype=torch.float64)
    )


def test_set_random_seed_makes_weights_reproducible():
    keras.utils.set_random_seed(7)
    a = keras.layers.Dense(3)
    a.build((None, 4))
    keras.utils.set_random_seed(7)
    b = keras.layers.Dense(3)
    b.build((None, 4))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_digits_data():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert x_train.dtype == np.uint8 and int(x_train.max()) == 16
    assert set(np.unique(y_train)) == set(range(10))
    (again, _), _ = keras.datasets.digits.load_data()
    np.testing.assert_array_equal(again, x_train)
    with pytest.raises(ValueError, match="test_split must be in"):
        keras.datasets.digits.load_data(test_split=1.5)
