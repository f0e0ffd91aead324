"""Functional models: multiple inputs/outputs, shared layers, residuals, branches,
nested models, config round trips and errors."""

import json

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers


def _mlp():
    inputs = keras.Input(shape=(784,), name="img")
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")


def test_model_call_returns_functional_and_runs():
    model = _mlp()
    assert isinstance(model, keras.Functional) and isinstance(model, keras.Model)
    assert model.name == "mnist_model"
    assert model(torch.ones(2, 784)).shape == (2, 10)
    assert [layer.name for layer in model.layers] == ["img", "dense", "dense_1", "dense_2"]
    assert model.get_layer("dense_1").units == 64


def test_symbolic_shapes_and_dtypes():
    inputs = keras.Input(shape=(5, 3), batch_size=8, dtype="float64")
    assert inputs.shape == (8, 5, 3) and inputs.dtype == "float64"
    y = layers.Dense(2)(inputs)
    assert y.shape == (8, 5, 2)


def test_multiple_inputs_and_outputs_as_lists():
    title = keras.Input(shape=(6,), name="title")
    body = keras.Input(shape=(4,), name="body")
    features = layers.Concatenate()([layers.Dense(3)(title), layers.Dense(3)(body)])
    priority = layers.Dense(1, name="priority")(features)
    department = layers.Dense(4, name="department")(features)
    model = keras.Model([title, body], [priority, department])
    p, d = model([torch.ones(2, 6), torch.ones(2, 4)])
    assert p.shape == (2, 1) and d.shape == (2, 4)
    by_name = model({"title": torch.ones(2, 6), "body": torch.ones(2, 4)})
    torch.testing.assert_close(by_name[0], p)


def test_dict_inputs_and_outputs():
    a = keras.Input((2,), name="a")
    b = keras.Input((3,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = keras.Model({"a": a, "b": b}, {"score": out, "copy": a})
    result = model({"b": torch.ones(1, 3), "a": torch.zeros(1, 2)})
    assert set(result) == {"score", "copy"} and result["copy"].shape == (1, 2)
    with pytest.raises(ValueError, match=r"expected a dict of inputs with keys \['a', 'b'\]"):
        model({"a": torch.zeros(1, 2)})


def test_shared_layer_is_one_layer_with_two_nodes():
    shared = layers.Dense(4, name="shared")
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], layers.Add()([shared(a), shared(b)]))
    assert [layer.name for layer in model.layers].count("shared") == 1
    assert len(model.weights) == 2
    x = torch.randn(2, 3)
    torch.testing.assert_close(model([x, x]), 2 * shared(x))


def test_residual_connection():
    inputs = keras.Input((8,))
    x = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Add()([x, inputs])
    model = keras.Model(inputs, outputs)
    data = torch.randn(4, 8)
    dense = model.layers[1]
    torch.testing.assert_close(model(data), dense(data) + data)


def test_multi_branch_graph_gradients_flow_to_every_branch():
    inputs = keras.Input((4,))
    branches = [layers.Dense(2, name=f"branch_{i}")(inputs) for i in range(3)]
    merged = layers.Concatenate(name="merge")(branches)
    model = keras.Model(inputs, layers.Dense(1)(merged))
    model(torch.randn(2, 4)).sum().backward()
    for i in range(3):
        assert model.get_layer(f"branch_{i}").kernel.grad is not None


def test_model_used_as_layer():
    encoder_input = keras.Input((6,), name="original")
    encoder = keras.Model(encoder_input, layers.Dense(3)(encoder_input), name="encoder")
    outer_input = keras.Input((6,))
    outer = keras.Model(outer_input, layers.Dense(2)(encoder(outer_input)), name="outer")
    assert outer.layers[1] is encoder
    assert len(outer.weights) == 4
    x = torch.randn(5, 6)
    torch.testing.assert_close(outer(x), outer.layers[2](encoder(x)))


def test_sequential_inside_functional():
    block = keras.Sequential([layers.Dense(4), layers.Dense(4)], name="block")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, block(inputs))
    assert model.output_shape == (None, 4) and len(model.weights) == 4


def test_keras_tensor_arithmetic_and_indexing():
    inputs = keras.Input((4,))
    y = (inputs * 2 + 1)[:, 1:3]
    model = keras.Model(inputs, -y)
    assert model.output_shape == (None, 2)
    x = torch.arange(8.0).reshape(2, 4)
    torch.testing.assert_close(model(x), -(x * 2 + 1)[:, 1:3])
    clone = keras.Model.from_config(json.loads(json.dumps(model.get_config())))
    torch.testing.assert_close(clone(x), model(x))


def test_config_round_trip_complex_graph():
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    shared = layers.Dense(3, name="shared")
    residual = layers.Add(name="residual")([shared(a), a])
    merged = layers.Concatenate(name="cat")([residual, shared(b)])
    out1 = layers.Dense(1, name="out1")(merged)
    out2 = layers.Dense(2, name="out2")(residual)
    model = keras.Model({"a": a, "b": b}, [out1, out2], name="complex")
    config = json.loads(json.dumps(model.get_config()))
    clone = keras.Model.from_config(config)
    assert isinstance(clone, keras.Functional)
    assert json.loads(json.dumps(clone.get_config())) == config
    clone.set_weights(model.get_weights())
    feed = {"a": torch.randn(2, 3), "b": torch.randn(2, 3)}
    for x, y in zip(model(feed), clone(feed)):
        torch.testing.assert_close(x, y)


def test_from_config_rejects_dangling_reference():
    model = _mlp()
    config = model.get_config()
    config["layers"][2]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["missing", 0, 0]
    with pytest.raises(ValueError, match="never produced"):
        keras.Model.from_config(config)


def test_from_config_unknown_layer_class():
    config = _mlp().get_config()
    config["layers"][1]["class_name"] = "NoSuchLayer"
    with pytest.raises(ValueError, match="Unknown layer: 'NoSuchLayer'"):
        keras.Model.from_config(config)


def test_output_not_connected_to_inputs_is_an_error():
    a, b = keras.Input((2,), name="a"), keras.Input((2,), name="b")
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match='needs input "b"'):
        keras.Model(a, out)


def test_non_symbolic_outputs_rejected():
    with pytest.raises(ValueError, match="must be symbolic tensors"):
        keras.Model(keras.Input((2,)), torch.ones(2))


def test_duplicate_layer_names_rejected():
    x = keras.Input((2,))
    y = layers.Dense(2, name="same")(layers.Dense(2, name="same")(x))
    with pytest.raises(ValueError, match='the name "same" is used 2 times'):
        keras.Model(x, y)


def test_wrong_input_shape_names_model_expected_and_received():
    model = _mlp()
    with pytest.raises(ValueError, match=r'model "mnist_model".*\(None, 784\).*\(2, 100\)'):
        model(torch.ones(2, 100))
    with pytest.raises(ValueError, match="expects 1 input"):
        model([torch.ones(2, 784), torch.ones(2, 784)])


def test_numpy_inputs():
    model = _mlp()
    y = model(np.ones((2, 784), dtype="float64"))
    assert y.dtype == torch.float32


def test_subclass_using_functional_constructor():
    class Wrapped(keras.Model):
        def __init__(self):
            inputs = keras.Input((3,))
            super().__init__(inputs, layers.Dense(2)(inputs), name="wrapped")

    model = Wrapped()
    assert model(torch.ones(1, 3)).shape == (1, 2)
    assert len(model.layers) == 2


@pytest.mark.parity
def test_layer_order_and_weights_order_match_keras(keras3):
    def build(k):
        a = k.Input((3,), name="a")
        b = k.Input((5,), name="b")
        x = k.layers.Dense(4, name="x")(a)
        y = k.layers.Dense(4, name="y")(b)
        z = k.layers.Dense(4, name="z")(x)
        s = k.layers.Add(name="s")([z, y])
        o = k.layers.Dense(2, name="o")(layers_concat(k)([s, x]))
        return k.Model([a, b], o)

    def layers_concat(k):
        return k.layers.Concatenate(name="c")

    ours, theirs = build(keras), build(keras3)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    xa, xb = np.random.rand(2, 3).astype("float32"), np.random.rand(2, 5).astype("float32")
    np.testing.assert_allclose(
        ours([torch.tensor(xa), torch.tensor(xb)]).detach().numpy(),
        keras3.ops.convert_to_numpy(theirs([xa, xb])),
        rtol=1e-5,
        atol=1e-6,
    )


def test_deepcopy_pickle_and_torch_compile_of_a_functional_model():
    import copy
    import pickle

    model = _mlp()
    x = torch.randn(3, 784)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        torch.testing.assert_close(clone(x), model(x))
        assert clone.layers[1] is not model.layers[1] and clone.layers[1] is clone.get_layer("dense")
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    torch.testing.assert_close(compiled(x), model(x))


def test_input_and_output_are_the_structures_the_model_was_built_with():
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, outputs)
    assert model.input is inputs and model.output is outputs
    two = keras.Model([inputs], {"scores": outputs})
    assert two.input == [inputs] and two.output == {"scores": outputs}
    features = keras.Model(model.input, model.layers[-1].output)  # Keras's feature-extraction idiom
    assert features.output_shape == (None, 2)


def test_inputs_are_cast_to_the_input_dtype_and_rank():
    inputs = keras.Input((3, 5))
    model = keras.Model(inputs, keras.layers.LSTM(2)(inputs))
    one_hot = np.random.default_rng(0).uniform(size=(2, 3, 5)) > 0.5  # bool arrays, as to_categorical users pass
    np.testing.assert_allclose(model.predict(one_hot, verbose=0), model.predict(one_hot.astype("float32"), verbose=0))
    column = keras.Input((3, 1))
    dense = keras.Model(column, keras.layers.Dense(2)(column))
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(dense.predict(x, verbose=0), dense.predict(x[..., None], verbose=0))
    flat = keras.Input((3,))
    model = keras.Model(flat, keras.layers.Dense(2)(flat))
    assert model.predict(x[..., None], verbose=0).shape == (2, 2)  # an extra trailing axis of size 1 is dropped
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\), received shape \(2, 4\)"):
        model(torch.zeros(2, 4))


@keras.saving.register_keras_serializable("tests")
class UnnamedConfig(keras.layers.Layer):
    """A custom layer whose get_config() leaves out the name, as many published examples write it."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {"units": self.units}


def test_a_custom_layer_config_without_its_name_rebuilds_and_reloads(tmp_path):
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1)(UnnamedConfig(4)(inputs))
    model = keras.Model(inputs, outputs)
    rebuilt = keras.Model.from_config(model.get_config())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
