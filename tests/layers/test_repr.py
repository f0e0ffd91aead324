"""``print(model)`` is torch's module tree, each line with its layer's Keras facts (``extra_repr``)."""

import torch

import kerastorch as keras
from kerastorch import config, layers


def test_print_model_is_the_module_tree_with_keras_facts():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            layers.Conv2D(4, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="classifier",
    )
    assert repr(model) == str(model) == torch.nn.Module.__repr__(model)
    assert (
        repr(model)
        == """Sequential(
  name=classifier, input_shape=(None, 8, 8, 3)
  (conv2d): Conv2D(filters=4, kernel_size=(3, 3), strides=(1, 1), padding=same, activation=relu)
  (batch_normalization): BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001)
  (flatten): Flatten()
  (dropout): Dropout(rate=0.5)
  (dense): Dense(units=10, activation=softmax, use_bias=True)
)"""
    )


def test_each_family_shows_its_arguments():
    assert repr(layers.Dense(3, use_bias=False)) == "Dense(units=3, activation=linear, use_bias=False)"
    assert (
        repr(layers.Conv1DTranspose(2, 5, strides=2))
        == "Conv1DTranspose(filters=2, kernel_size=(5,), strides=(2,), padding=valid, activation=linear)"
    )
    assert (
        repr(layers.DepthwiseConv2D(3, depth_multiplier=2))
        == "DepthwiseConv2D(depth_multiplier=2, kernel_size=(3, 3), strides=(1, 1), padding=valid, activation=linear)"
    )
    assert repr(layers.SeparableConv1D(4, 3, padding="same")).startswith(
        "SeparableConv1D(filters=4, depth_multiplier=1, kernel_size=(3,), strides=(1,), padding=same"
    )
    assert repr(layers.Embedding(100, 8)) == "Embedding(input_dim=100, output_dim=8)"
    assert (
        repr(layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5))
        == "BatchNormalization(axis=1, momentum=0.9, epsilon=1e-05)"
    )
    assert repr(layers.SpatialDropout2D(0.25)) == "SpatialDropout2D(rate=0.25)"
    assert repr(layers.GaussianDropout(0.1)) == "GaussianDropout(rate=0.1)"
    assert repr(layers.AlphaDropout(0.2)) == "AlphaDropout(rate=0.2)"
    assert repr(layers.GaussianNoise(0.3)) == "GaussianNoise(stddev=0.3)"


def test_recurrent_layers_show_units_and_return_sequences_then_their_cell():
    assert (
        repr(layers.LSTM(4, return_sequences=True))
        == """LSTM(
  units=4, return_sequences=True
  (cell): LSTMCell(units=4)
)"""
    )
    assert repr(layers.GRU(2)).splitlines()[1] == "  units=2, return_sequences=False"
    stacked = layers.RNN([layers.SimpleRNNCell(2), layers.SimpleRNNCell(3)])
    assert repr(stacked).splitlines()[1] == "  return_sequences=False"  # no single units
    bidirectional = repr(layers.Bidirectional(layers.GRU(3)))
    assert "(forward_layer): GRU(" in bidirectional and "(backward_layer): GRU(" in bidirectional


def test_frozen_layers_and_other_dtypes_say_so():
    dense = layers.Dense(2, dtype="float64")
    assert repr(dense) == "Dense(units=2, activation=linear, use_bias=True, dtype=float64)"
    dense.trainable = False
    assert repr(dense) == "Dense(units=2, activation=linear, use_bias=True, trainable=False, dtype=float64)"
    assert repr(layers.Flatten(dtype="mixed_bfloat16")) == "Flatten(dtype=mixed_bfloat16)"
    config.set_floatx("float64")  # the conftest restores float32 after the test
    assert repr(layers.Dense(2)) == "Dense(units=2, activation=linear, use_bias=True)"


def test_a_model_shows_its_name_and_built_input_shape():
    a, b = keras.Input((4,), name="a"), keras.Input((2, 3), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, layers.Flatten()(b)]) * 2.0)
    lines = repr(keras.Model([a, b], out, name="two")).splitlines()
    assert lines[:2] == ["Functional(", "  name=two, input_shape=[(None, 4), (None, 2, 3)]"]
    assert "  (a): InputLayer(batch_shape=(None, 4))" in lines and "  (tensor_op): TensorOp(op=mul)" in lines

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.head = layers.Dense(2)

        def call(self, x):
            return self.head(x)

    model = Subclassed()
    assert repr(model).splitlines()[:2] == ["Subclassed(", "  name=sub"]
    model(torch.ones(3, 5))
    assert repr(model).splitlines()[:3] == [
        "Subclassed(",
        "  name=sub, input_shape=(3, 5)",
        "  (head): Dense(units=2, activation=linear, use_bias=True)",
    ]
    assert repr(keras.Sequential([layers.Dense(1)], name="lazy")).splitlines()[1] == "  name=lazy"


def test_custom_layers_and_torch_modules_print_as_torch_modules_do():
    class Scale(layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor
            self.inner = torch.nn.Linear(2, 3)

        def extra_repr(self):
            return f"factor={self.factor}"

    class Plain(layers.Layer):
        pass

    assert (
        repr(Scale(2.0))
        == """Scale(
  factor=2.0
  (inner): Linear(in_features=2, out_features=3, bias=True)
)"""
    )
    assert repr(Plain()) == "Plain()" and repr(Plain(trainable=False)) == "Plain(trainable=False)"
    wrapped = torch.nn.Sequential(layers.Dense(2), torch.nn.ReLU())
    assert repr(wrapped).splitlines()[1] == "  (0): Dense(units=2, activation=linear, use_bias=True)"


def test_repr_of_a_layer_still_in_its_init_does_not_raise():
    half_made = layers.Dense.__new__(layers.Dense)
    assert repr(half_made) == "Dense(name=None)"
