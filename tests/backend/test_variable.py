"""keras.Variable as Keras programs create and use it."""

import copy
import pickle

import numpy as np
import pytest
import torch

import kerastorch as keras


def test_created_from_values_with_keras_arguments():
    v = keras.Variable(np.zeros(3), name="v", dtype="float32")
    assert v.name == "v" and v.dtype == torch.float32 and v.trainable
    np.testing.assert_array_equal(v.numpy(), np.zeros(3, "float32"))
    assert keras.Variable(np.ones(2)).dtype == torch.float32  # NumPy's float64 becomes floatx
    assert keras.Variable(np.ones(2), dtype="float64").dtype == torch.float64
    assert keras.Variable(torch.arange(3)).dtype == torch.int64 and not keras.Variable(torch.arange(3)).trainable
    frozen = keras.Variable([1.0, 2.0], trainable=False, aggregation="sum", autocast=False)
    assert not frozen.requires_grad and frozen.aggregation == "sum" and frozen.autocast is False


def test_created_from_initializers_and_a_shape():
    np.testing.assert_array_equal(keras.Variable("ones", shape=(2, 2)).numpy(), np.ones((2, 2)))
    constant = keras.Variable(keras.initializers.Constant(3.0), shape=(1,), dtype="float64")
    assert constant.dtype == torch.float64 and constant.item() == 3.0
    with pytest.raises(ValueError, match="Variable w: an initializer .* needs a shape"):
        keras.Variable("zeros", name="w")
    with pytest.raises(ValueError, match=r"Variable w: the initial value has shape \(3,\), expected shape \(2,\)"):
        keras.Variable(np.zeros(3), shape=(2,), name="w")


def test_copies_and_pickles_keep_what_the_variable_is():
    v = keras.Variable(np.arange(3.0), name="w", trainable=False)
    for other in (copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        assert other.name == "w" and not other.trainable and torch.equal(other, v)


def test_numpy_arrays_are_operands_of_a_weight_that_requires_grad():
    v = keras.Variable(np.ones(2), name="w")
    scale = np.array([1.0, 2.0], dtype="float32")
    product = v * scale
    product.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), scale)
    assert torch.equal(scale * v, product) and torch.equal(v + scale, torch.tensor([2.0, 3.0]))
    assert (v @ scale).item() == 3.0 and bool((v < scale).any())


def test_a_layer_multiplying_its_weight_by_an_array_traces_symbolically():
    class Scaled(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones")

        def call(self, x):
            return x * (self.w * np.array([1.0, 2.0], dtype="float32"))

    inputs = keras.Input((2,))
    model = keras.Model(inputs, Scaled()(inputs))
    np.testing.assert_allclose(model.predict(np.ones((1, 2)), verbose=0), [[1.0, 2.0]])


def test_metric_state_has_a_value():
    metric = keras.metrics.Mean()
    metric.update_state([1.0, 3.0])
    assert [float(v.value) for v in metric.variables] == [4.0, 2.0]
    assert float(copy.deepcopy(metric).variables[0].value) == 4.0
