"""Subclassed models and model-level utilities (summary, layers, weights)."""

import pytest
import torch

import kerastorch as keras
from kerastorch import layers


class MLP(keras.Model):
    def __init__(self, hidden=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.dropout = layers.Dropout(0.5)
        self.head = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.head(self.dropout(self.hidden(inputs), training=training))


def test_subclassed_model_builds_lazily_and_tracks_layers():
    model = MLP()
    assert model.weights == []
    y = model(torch.ones(4, 3))
    assert y.shape == (4, 1)
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert len(model.trainable_weights) == 4


def test_subclassed_model_training_flag_reaches_dropout():
    torch.manual_seed(0)
    model = MLP(hidden=256)
    x = torch.ones(2, 3)
    torch.testing.assert_close(model(x), model(x))  # inference: deterministic
    assert not torch.equal(model(x, training=True), model(x, training=True))


def test_subclassed_model_auto_config():
    model = MLP(hidden=5, name="mlp")
    config = model.get_config()
    assert config["hidden"] == 5 and config["name"] == "mlp"
    assert MLP.from_config(config).hidden.units == 5


def test_model_without_call_raises_clear_error():
    with pytest.raises(NotImplementedError, match="override call"):
        keras.Model(name="empty")(torch.ones(1))


def test_summary_sequential_table_and_counts():
    model = keras.Sequential(
        [keras.Input((4,)), layers.Dense(3, name="hidden"), layers.Dense(1, name="out")], name="tiny"
    )
    model.layers[0].trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "tiny"'
    assert "hidden (Dense)" in text and "(None, 3)" in text and "out (Dense)" in text
    assert " Total params: 19 (76.00 B)" in lines
    assert " Trainable params: 4 (16.00 B)" in lines
    assert " Non-trainable params: 15 (60.00 B)" in lines


def test_summary_functional_shows_connections_and_trainable_column():
    a = keras.Input((2,), name="a")
    b = keras.Input((2,), name="b")
    model = keras.Model([a, b], layers.Add(name="sum")([a, b]))
    lines = []
    model.summary(print_fn=lines.append, show_trainable=True)
    text = "\n".join(lines)
    assert "Connected to" in text and "a[0][0], b[0][0]" in text and "Trainable" in text


def test_summary_of_unbuilt_model_explains_how_to_build():
    model = keras.Sequential([layers.Dense(2)], name="lazy")
    with pytest.raises(ValueError, match='"lazy" has not been built yet'):
        model.summary()


def test_summary_expand_nested():
    inner = keras.Sequential([layers.Dense(2, name="inner_dense")], name="inner")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, inner(inputs))
    lines = []
    model.summary(print_fn=lines.append, expand_nested=True)
    assert any("inner_dense (Dense)" in line for line in lines)


def test_summary_of_a_subclassed_model_that_has_run_shows_output_shapes(capsys):
    class TwoDense(keras.Model):
        def __init__(self):
            super().__init__(name="two_dense")
            self.first = keras.layers.Dense(2, name="first")
            self.second = keras.layers.Dense(3, name="second")

        def call(self, x):
            return self.second(self.first(x))

    model = TwoDense()
    with pytest.raises(ValueError, match='Model "two_dense" has not been built yet'):
        model.summary()
    model(torch.zeros(1, 3))  # built on the batch's shape, as Keras builds it
    model.summary()
    out = capsys.readouterr().out
    assert "(1, 2)" in out and "(1, 3)" in out and " ? " not in out
    built = TwoDense()
    built.build((None, 3))
    assert built.count_params() == 8 + 9  # build() builds the layers call() uses
    built.summary()
    out = capsys.readouterr().out
    assert "(None, 2)" in out and "(None, 3)" in out


def test_build_leaves_a_data_dependent_call_to_build_later_and_raises_real_errors():
    class Gated(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, x):
            if x.sum().item() > 1e9:  # reads a value: fake inputs cannot tell
                x = x * 0
            return self.dense(x)

    gated = Gated()
    gated.build((None, 3))  # no error: its layers build on the first real call
    assert not gated.dense.built
    assert gated(torch.ones(2, 3)).shape == (2, 2) and gated.dense.built

    class Broken(keras.Model):
        def call(self, x):
            return x @ torch.ones(5, 2)  # a bug: inputs have 3 features

    broken = Broken()
    with pytest.raises(RuntimeError, match="same reduction dim"):
        broken.build((None, 3))  # raised, not swallowed until the first real call
    assert not broken.built


def test_the_first_real_call_builds_a_model_that_fake_inputs_cannot_run():
    class Lookup(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.table = torch.arange(10.0)
            self.dense = layers.Dense(2)

        def call(self, ids):
            return self.dense(self.table[ids])  # needs integer ids: float32 stand-ins cannot index

    model = Lookup()
    out = model(torch.tensor([[1, 2, 3]]))  # the real call builds and runs
    assert out.shape == (1, 2) and model.built and model.dense.built
    with pytest.raises(RuntimeError, match="tensors used as indices must be long"):
        Lookup().build((None, 3))  # asked for explicitly, the failure is the user's to see
