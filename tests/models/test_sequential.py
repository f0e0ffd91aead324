"""Sequential: constructor forms, add/pop, deferred build, get_layer, config."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers


def test_list_constructor_and_call():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    x = torch.ones((3, 3))
    y = model(x)
    assert y.shape == (3, 4)
    layer1, layer2, layer3 = model.layers
    expected = layer3(layer2(layer1(x)))
    torch.testing.assert_close(y, expected)


def test_add_form_matches_list_form_and_layers_order():
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
    assert not model.built and model.weights == []
    model(torch.ones(1, 5))
    assert model.built and len(model.weights) == 6


def test_pop_last_and_named():
    model = keras.Sequential([layers.Dense(2, name="a"), layers.Dense(3, name="b"), layers.Dense(4, name="c")])
    assert model.pop().name == "c"
    assert len(model.layers) == 2
    assert model.pop("a").name == "a"
    assert [layer.name for layer in model.layers] == ["b"]
    assert "a" not in dict(model.named_children())
    with pytest.raises(ValueError, match='no layer named "zzz"'):
        model.pop("zzz")


def test_pop_rebuilds_output_shape():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.Dense(2)])
    model.pop()
    assert model.output_shape == (None, 8)
    assert model(torch.ones(3, 4)).shape == (3, 8)


def test_input_first_builds_immediately():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, activation="relu")])
    assert model.built
    assert len(model.weights) == 2
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert len(model.layers) == 1  # the InputLayer is not listed


def test_input_shape_argument_on_first_layer():
    model = keras.Sequential([layers.Dense(2, input_shape=(4,)), layers.Dense(1)])
    assert model.built and model.output_shape == (None, 1)
    assert [tuple(w.shape) for w in model.weights] == [(4, 2), (2,), (2, 1), (1,)]


def test_build_method():
    model = keras.Sequential([layers.Dense(2), layers.Dense(5)])
    model.build((None, 3))
    assert model.built and model.output_shape == (None, 5)
    assert model.count_params() == 3 * 2 + 2 + 2 * 5 + 5


def test_get_layer_by_name_and_index():
    model = keras.Sequential([layers.Dense(2, name="first"), layers.Dense(3, name="second")])
    assert model.get_layer("second") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(ValueError, match='no layer named "third"'):
        model.get_layer("third")
    with pytest.raises(ValueError, match="exactly one of name or index"):
        model.get_layer()


def test_freeze_all_but_last_layer():
    model = keras.Sequential(
        [
            keras.Input((784,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ]
    )
    for layer in model.layers[:-1]:
        layer.trainable = False
    assert len(model.trainable_weights) == 2
    assert [w.path for w in model.trainable_weights] == ["dense_3/kernel", "dense_3/bias"]
    loss = model(torch.ones(2, 784)).sum()
    loss.backward()
    assert model.layers[0].kernel.grad is None and model.layers[-1].kernel.grad is not None


def test_rejects_non_layers_and_duplicate_names():
    model = keras.Sequential(name="stack")
    with pytest.raises(TypeError, match='Sequential "stack".add: expected a kerastorch Layer'):
        model.add("dense")
    model.add(layers.Dense(2, name="d"))
    with pytest.raises(ValueError, match='"d" is already the name'):
        model.add(layers.Dense(2, name="d"))


def test_multi_output_layer_is_rejected():
    class Split(layers.Layer):
        def call(self, x):
            return x, x

    with pytest.raises(ValueError, match="single output tensor"):
        keras.Sequential([keras.Input((2,)), Split()])


def test_config_round_trip_same_config_and_outputs():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(2)])
    config = model.get_config()
    clone = keras.Sequential.from_config(config)
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    x = torch.randn(5, 3)
    torch.testing.assert_close(clone(x), model(x))


def test_config_round_trip_deferred_build():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    model(torch.ones(1, 3))
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.built and [w.shape for w in clone.weights] == [w.shape for w in model.weights]


def test_numpy_input():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    y = model(np.ones((4, 3)))
    assert isinstance(y, torch.Tensor) and y.shape == (4, 2) and y.dtype == torch.float32


def test_state_dict_round_trip_through_torch():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d1"), layers.Dense(1, name="d2")])
    keys = list(model.state_dict())
    assert keys == ["d1.kernel", "d1.bias", "d2.kernel", "d2.bias"]
    other = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d1"), layers.Dense(1, name="d2")], name="other")
    other.load_state_dict(model.state_dict())
    x = torch.randn(2, 3)
    torch.testing.assert_close(other(x), model(x))


def test_plain_torch_training_loop_reduces_loss():
    torch.manual_seed(0)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="tanh"), layers.Dense(1)])
    x = torch.randn(64, 2)
    y = x[:, :1] * 2 - x[:, 1:]
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    first = None
    for _ in range(200):
        optimizer.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert loss.item() < 0.3 * first


@pytest.mark.cuda
def test_sequential_on_cuda():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)]).to("cuda")
    assert model(torch.ones(1, 3, device="cuda")).is_cuda
