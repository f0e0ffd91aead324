"""The registry and config (de)serialization."""

import pytest
import torch

import kerastorch as keras
from kerastorch import layers


def test_builtin_layer_round_trip():
    config = keras.saving.serialize_keras_object(layers.Dense(3, activation="relu", name="d"))
    assert config["module"] == "keras.layers" and config["class_name"] == "Dense"
    layer = keras.saving.deserialize_keras_object(config)
    assert isinstance(layer, layers.Dense) and layer.units == 3 and layer.name == "d"


def test_registered_custom_layer_round_trip():
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    assert keras.saving.get_registered_name(Scale) == "tests>Scale"
    config = keras.saving.serialize_keras_object(Scale(3.0))
    assert config["registered_name"] == "tests>Scale"
    clone = keras.saving.deserialize_keras_object(config)
    assert isinstance(clone, Scale) and clone.factor == 3.0


def test_custom_objects_and_scope():
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2

    config = keras.saving.serialize_keras_object(Doubler())
    with pytest.raises(ValueError, match="Unknown object: 'Doubler'"):
        keras.saving.deserialize_keras_object(config)
    assert isinstance(keras.saving.deserialize_keras_object(config, custom_objects={"Doubler": Doubler}), Doubler)
    with keras.saving.custom_object_scope({"Doubler": Doubler}):
        assert isinstance(keras.saving.deserialize_keras_object(config), Doubler)


def test_custom_layer_inside_functional_config():
    class Shift(layers.Layer):
        def __init__(self, amount=1.0, **kwargs):
            super().__init__(**kwargs)
            self.amount = amount

        def call(self, x):
            return x + self.amount

    x = keras.Input((2,))
    model = keras.Model(x, Shift(5.0)(x))
    clone = keras.Model.from_config(model.get_config(), custom_objects={"Shift": Shift})
    torch.testing.assert_close(clone(torch.zeros(1, 2)), torch.full((1, 2), 5.0))


def test_bad_configs_get_clear_errors():
    with pytest.raises(TypeError, match="expected a name or a dict with 'class_name'"):
        keras.saving.deserialize_keras_object(42)
    with pytest.raises(TypeError, match="its 'config' must be a dict"):
        keras.saving.deserialize_keras_object({"class_name": "Dense", "module": "keras.layers", "config": [1]})


def test_module_name_is_never_imported():
    config = {"module": "os", "class_name": "system", "config": {}, "registered_name": None}
    with pytest.raises(ValueError, match="Unknown object: 'system'"):
        keras.saving.deserialize_keras_object(config)


def test_register_requires_get_config_and_valid_package():
    with pytest.raises(ValueError, match="must not contain"):
        keras.saving.register_keras_serializable(package="a>b")
    with pytest.raises(ValueError, match="must implement get_config"):
        keras.saving.register_keras_serializable()(type("NoConfig", (), {}))
