"""keras.models.clone_model on Sequential, functional and subclassed models."""

import numpy as np
import pytest

import kerastorch as keras
from kerastorch import layers


def shared_residual_model():
    inputs = keras.Input((4,), name="x")
    shared = layers.Dense(4, name="shared")
    a = shared(inputs)
    b = shared(a)
    outputs = layers.Dense(1, name="out")(layers.Add()([a, b]) + 1.0)
    return keras.Model(inputs, outputs, name="residual")


def test_functional_clone_has_new_layers_the_same_graph_and_new_weights():
    model = shared_residual_model()
    clone = keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert all(a is not b for a, b in zip(clone.layers, model.layers)) and clone.name == "residual"
    assert len(clone.get_layer("shared")._inbound_nodes) == 2  # a shared layer is cloned once
    assert not np.array_equal(clone.get_layer("shared").get_weights()[0], model.get_layer("shared").get_weights()[0])
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).uniform(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_clone_function_and_call_function_change_the_layers_and_their_calls():
    model = shared_residual_model()
    shared_dense = keras.models.clone_model(model, clone_function=lambda layer: layer)
    assert shared_dense.get_layer("out") is model.get_layer("out")

    def relu_after_dense(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        return layers.Activation("relu")(out) if isinstance(layer, layers.Dense) else out

    wrapped = keras.models.clone_model(model, call_function=relu_after_dense)
    assert sum(isinstance(layer, layers.Activation) for layer in wrapped.layers) == 3
    assert wrapped.predict(np.full((2, 4), -5.0, "float32"), verbose=0).min() >= 0


def test_input_tensors_become_the_clones_inputs():
    model = shared_residual_model()
    new_inputs = keras.Input((4,), name="new")
    clone = keras.models.clone_model(model, input_tensors=new_inputs)
    assert clone.input is new_inputs
    with pytest.raises(ValueError, match='model "residual" has 1 input\\(s\\); input_tensors must be as many'):
        keras.models.clone_model(model, input_tensors=[keras.Input((4,)), keras.Input((4,))])


def test_sequential_clone_and_recursive_clone_of_nested_models():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="inner_dense")], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, layers.Dense(1)], name="outer")
    clone = keras.models.clone_model(outer)
    assert clone.output_shape == (None, 1) and clone.layers[0] is not inner
    deep = keras.models.clone_model(outer, recursive=True, clone_function=lambda layer: layer)
    assert deep.layers[0] is not inner and deep.layers[0].layers[0] is inner.layers[0]
    with pytest.raises(ValueError, match='call_function is not supported for Sequential model "outer"'):
        keras.models.clone_model(outer, call_function=lambda layer, *a, **k: layer(*a, **k))


@keras.saving.register_keras_serializable("tests")
class Scaled(keras.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x) * 2.0

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_subclassed_models_clone_from_their_config():
    model = Scaled(3, name="scaled")
    clone = keras.models.clone_model(model)
    assert isinstance(clone, Scaled) and clone.units == 3 and clone is not model
    with pytest.raises(ValueError, match='model "scaled" is a subclassed model.*clone_function'):
        keras.models.clone_model(model, clone_function=lambda layer: layer)
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['cloning'\]"):
        keras.models.clone_model(model, cloning=True)
