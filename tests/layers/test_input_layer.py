"""keras.Input / InputLayer and KerasTensor basics."""

import pytest

import kerastorch as keras
from kerastorch import layers


def test_input_shape_batch_size_dtype_name():
    x = keras.Input(shape=(3, 4), batch_size=2, dtype="int64", name="ids")
    assert isinstance(x, keras.KerasTensor)
    assert x.shape == (2, 3, 4) and x.dtype == "int64" and x.ndim == 3
    layer = x._keras_history[0]
    assert isinstance(layer, layers.InputLayer) and layer.name == "ids"


def test_input_int_shape_and_batch_shape():
    assert keras.Input(5).shape == (None, 5)
    assert keras.Input(batch_shape=(8, None, 2)).shape == (8, None, 2)


def test_input_errors_name_the_problem():
    with pytest.raises(ValueError, match="either shape or batch_shape"):
        keras.Input(shape=(2,), batch_shape=(None, 2))
    with pytest.raises(ValueError, match="expected a shape"):
        layers.InputLayer()
    with pytest.raises(ValueError, match="sparse and ragged inputs are not supported"):
        keras.Input((2,), sparse=True)


def test_keras_tensor_is_not_a_value():
    x = keras.Input((2,))
    with pytest.raises(TypeError, match="no truth value"):
        bool(x)
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)


def test_input_layer_config_round_trip():
    layer = layers.InputLayer(shape=(3,), name="features")
    config = layer.get_config()
    assert config["batch_shape"] == [None, 3]
    assert layers.InputLayer.from_config(config).batch_shape == (None, 3)


def test_is_keras_tensor():
    assert keras.backend.is_keras_tensor(keras.Input((1,)))
    assert keras.backend.backend() == "torch"


def test_negative_dimensions_are_refused():
    with pytest.raises(
        ValueError,
        match=r"InputLayer: argument `shape` must be a shape \(a tuple whose entries are "
        r"non-negative integers or None\); received \(-2,\) \(tuple\)",
    ):
        keras.Input((-2,))
