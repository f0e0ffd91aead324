"""The Layer base class: building, weights, trainable, training mode, losses, config."""

import copy
import pickle

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers


class Linear(layers.Layer):
    """The Keras guide's layer: weights made in __init__."""

    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return torch.matmul(inputs, self.w) + self.b


class LazyLinear(layers.Layer):
    """The Keras guide's layer: weights made in build."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return torch.matmul(inputs, self.w) + self.b


class ComputeSum(layers.Layer):
    """The Keras guide's layer with a non-trainable weight."""

    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(torch.sum(inputs, dim=0))
        return self.total


class MLPBlock(layers.Layer):
    """Nested layers are tracked automatically."""

    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.linear_2 = LazyLinear(32)
        self.linear_3 = LazyLinear(1)

    def call(self, inputs):
        x = torch.relu(self.linear_1(inputs))
        x = torch.relu(self.linear_2(x))
        return self.linear_3(x)


class TrainingEcho(layers.Layer):
    """Returns 1 in training mode, 0 in inference mode."""

    def call(self, inputs, training=None):
        return torch.full_like(inputs, 1.0 if training else 0.0)


class Wrapper(layers.Layer):
    """A layer without a training argument that calls one that has it."""

    def __init__(self):
        super().__init__()
        self.inner = TrainingEcho()

    def call(self, inputs):
        return self.inner(inputs)


def test_guide_linear_weights_in_init():
    layer = Linear(4, 2)
    y = layer(torch.ones((2, 2)))
    assert y.shape == (2, 4)
    assert len(layer.weights) == 2 and len(layer.trainable_weights) == 2
    assert [tuple(w.shape) for w in layer.weights] == [(2, 4), (4,)]
    expected = torch.ones(2, 2) @ layer.w.detach() + layer.b.detach()
    torch.testing.assert_close(y.detach(), expected)


def test_layer_is_a_torch_module_with_parameters():
    layer = Linear(4, 2)
    assert isinstance(layer, torch.nn.Module)
    assert len(list(layer.parameters())) == 2
    assert all(isinstance(p, torch.nn.Parameter) for p in layer.parameters())


def test_lazy_build_on_first_call():
    layer = LazyLinear(3)
    assert not layer.built and layer.weights == []
    layer(torch.ones(5, 7))
    assert layer.built
    assert [tuple(w.shape) for w in layer.weights] == [(7, 3), (3,)]
    assert [w.path for w in layer.weights] == [f"{layer.name}/w", f"{layer.name}/b"]


def test_non_trainable_weight_and_assign_add():
    layer = ComputeSum(2)
    x = torch.ones((2, 2))
    layer(x)
    y = layer(x)
    np.testing.assert_allclose(y.detach().numpy(), [4.0, 4.0])
    assert len(layer.weights) == 1 and layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1
    assert not layer.total.requires_grad


def test_nested_layers_are_tracked():
    block = MLPBlock()
    block(torch.ones(3, 64))
    assert len(block.weights) == 6
    assert len(block.trainable_weights) == 6
    assert len(list(block.parameters())) == 6


def test_trainable_setter_recurses_and_sets_requires_grad():
    block = MLPBlock()
    block(torch.ones(3, 4))
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 6
    assert not any(p.requires_grad for p in block.parameters())
    assert not block.linear_2.trainable
    block.linear_2.trainable = True
    assert len(block.trainable_weights) == 2
    block.trainable = True
    assert len(block.trainable_weights) == 6


def test_unfreezing_keeps_declared_non_trainable_weights_frozen():
    layer = ComputeSum(3)
    layer.trainable = False
    layer.trainable = True
    assert not layer.total.requires_grad


def test_weights_created_after_freeze_are_frozen():
    layer = LazyLinear(2)
    layer.trainable = False
    layer(torch.ones(1, 3))
    assert layer.trainable_weights == []


def test_unique_keras_names():
    a, b, c = LazyLinear(1), LazyLinear(1), layers.Layer(name="custom")
    assert (a.name, b.name, c.name) == ("lazy_linear", "lazy_linear_1", "custom")


def test_get_and_set_weights_round_trip():
    a, b = LazyLinear(3), LazyLinear(3)
    a(torch.ones(1, 4))
    b(torch.ones(1, 4))
    b.set_weights(a.get_weights())
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    x = torch.randn(2, 4)
    torch.testing.assert_close(a(x), b(x))


def test_set_weights_shape_error_names_layer_and_shapes_and_writes_nothing():
    layer = LazyLinear(3, name="proj")
    layer(torch.ones(1, 4))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r'Layer "proj".*proj/b.*\(3,\).*\(5,\)'):
        layer.set_weights([np.zeros((4, 3)), np.zeros(5)])
    np.testing.assert_array_equal(layer.get_weights()[0], before[0])
    with pytest.raises(ValueError, match=r"expected a list of 2 arrays.*received 1"):
        layer.set_weights([np.zeros((4, 3))])


def test_training_argument_propagates_to_nested_layers():
    wrapper = Wrapper()
    x = torch.zeros(2)
    assert wrapper(x).sum() == 0  # Keras default: inference
    echo = TrainingEcho()
    assert echo(x, training=True).sum() == 2

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Wrapper()

        def call(self, inputs, training=None):
            return self.inner(inputs)

    outer = Outer()
    assert outer(x, training=True).sum() == 2
    assert outer(x, training=False).sum() == 0
    assert outer(x).sum() == 0


def test_torch_train_mode_is_honoured_when_training_is_not_given():
    echo = Wrapper()
    echo.train()
    assert echo(torch.zeros(3)).sum() == 3
    echo.eval()
    assert echo(torch.zeros(3)).sum() == 0


def test_add_loss_and_regularizer_losses():
    class ActivityReg(layers.Layer):
        def call(self, inputs):
            self.add_loss(torch.sum(inputs) * 0.1)
            return inputs

    layer = ActivityReg()
    layer(torch.ones(2, 2))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(0.4)
    layer(torch.ones(2, 2))
    assert len(layer.losses) == 1  # losses are reset on each call

    class Regularized(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", regularizer=keras.regularizers.L2(0.5))

        def call(self, inputs):
            return inputs * self.w

    reg = Regularized()
    reg(torch.ones(2))
    assert float(reg.losses[0].detach()) == pytest.approx(1.0)


def test_activity_regularizer_adds_loss_per_call():
    layer = Linear(2, 2)
    layer.activity_regularizer = keras.regularizers.L1(1.0)
    out = layer(torch.ones(4, 2))
    assert layer.losses[0].item() == pytest.approx((out.abs().sum() / 4).item())


def test_count_params_and_unbuilt_error():
    layer = LazyLinear(3, name="lazy")
    with pytest.raises(ValueError, match='"lazy" has not been built'):
        layer.count_params()
    layer(torch.ones(1, 5))
    assert layer.count_params() == 5 * 3 + 3


def test_input_spec_error_names_layer_expected_and_received():
    layer = LazyLinear(2, name="checked")
    layer(torch.ones(1, 4))
    layer.input_spec = layers.InputSpec(min_ndim=2, axes={-1: 4})
    with pytest.raises(ValueError, match=r'layer "checked".*axis -1.*value 4.*\(1, 5\)'):
        layer(torch.ones(1, 5))
    with pytest.raises(ValueError, match=r"min_ndim=2, found ndim=1"):
        layer(torch.ones(4))


def test_auto_config_and_from_config():
    layer = LazyLinear(7, name="auto")
    config = layer.get_config()
    assert config["units"] == 7 and config["name"] == "auto"
    clone = LazyLinear.from_config(config)
    assert clone.units == 7 and clone.get_config() == config


def test_get_config_required_for_non_json_init_args():
    class Custom(layers.Layer):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

    with pytest.raises(NotImplementedError, match="must override get_config"):
        Custom(lambda x: x).get_config()


def test_unknown_keyword_argument_is_rejected():
    with pytest.raises(TypeError, match=r"LazyLinear: unrecognized keyword arguments \['unit'\]"):
        LazyLinear(unit=3)


def test_numpy_input_and_float64_autocast():
    layer = LazyLinear(2)
    y = layer(np.ones((3, 4)))
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    assert layer(torch.ones(3, 4, dtype=torch.float64)).dtype == torch.float32


def test_compute_output_shape_without_compute():
    layer = LazyLinear(6)
    assert layer.compute_output_shape((None, 3)) == (None, 6)


def test_symbolic_call_does_not_mutate_state():
    layer = ComputeSum(2)
    x = keras.Input((2,))
    y = layer(x)
    assert y.shape == (2,)
    np.testing.assert_array_equal(layer.total.numpy(), [0.0, 0.0])


def test_deepcopy_and_pickle_keep_variables():
    layer = LazyLinear(2)
    layer(torch.ones(1, 3))
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert [w.path for w in clone.weights] == [w.path for w in layer.weights]
        torch.testing.assert_close(clone(torch.ones(1, 3)), layer(torch.ones(1, 3)))


def test_build_with_named_shape_arguments():
    class Pair(layers.Layer):
        def build(self, query_shape, value_shape):
            self.seen = (query_shape, value_shape)

        def call(self, query, value):
            return query + value

    layer = Pair()
    layer(torch.ones(2, 3), torch.ones(2, 3))
    assert layer.seen == ((2, 3), (2, 3))


def test_bad_weight_shape_is_reported():
    layer = layers.Layer(name="holder")
    with pytest.raises(ValueError, match=r'Layer "holder": weight .k. has a negative dimension'):
        layer.add_weight(shape=(2, -1), name="k")


@pytest.mark.cuda
def test_weights_follow_the_input_device_on_cuda():
    layer = LazyLinear(2)
    y = layer(torch.ones(1, 3, device="cuda"))
    assert y.is_cuda and all(w.is_cuda for w in layer.weights)


def test_weight_alias_follows_load_state_dict_assign():
    layer = Linear(2, 2)
    layer(torch.ones(1, 2))
    state = {k: torch.full_like(v, 3.0) for k, v in layer.state_dict().items()}
    layer.load_state_dict(state, assign=True)
    assert torch.equal(layer.w, torch.full((2, 2), 3.0))
    assert layer.w is layer._parameters["variable"]
    assert list(layer.state_dict()) == ["variable", "variable_1"]


def test_auto_config_keeps_own_arguments_named_like_legacy_ones():
    class Table(layers.Layer):
        def __init__(self, input_dim, output_dim=2, **kwargs):
            super().__init__(**kwargs)
            self.input_dim, self.output_dim = input_dim, output_dim

    config = Table(10, input_shape=(3,)).get_config()
    assert config["input_dim"] == 10 and config["output_dim"] == 2 and "input_shape" not in config


def test_weight_order_is_fixed_at_creation():
    layer = LazyLinear(2)
    layer(torch.ones(1, 3))
    layer.w.trainable = False  # e.g. LoRA freezes the base kernel after creating it
    assert [w.name for w in layer.weights] == ["w", "b"]
    assert [w.name for w in layer.trainable_weights] == ["b"]


def test_list_of_tensors_takes_the_fast_path_and_numpy_lists_convert():
    class Sum(layers.Layer):
        def call(self, inputs):
            return inputs[0] + inputs[1]

    layer = Sum()
    torch.testing.assert_close(layer([torch.ones(2), torch.ones(2)]), torch.full((2,), 2.0))
    torch.testing.assert_close(layer([np.ones(2), np.ones(2)]), torch.full((2,), 2.0))


def test_module_dtype_conversion_updates_the_compute_dtype():
    layer = LazyLinear(2)
    layer(torch.ones(1, 3))
    layer.to(torch.float64)
    assert layer.dtype == "float64" and layer.compute_dtype == "float64"
    assert layer(torch.ones(1, 3)).dtype == torch.float64
    layer.half()
    assert layer.dtype_policy.name == "float16"


def test_compute_output_shape_leaves_the_layer_unbuilt():
    layer = LazyLinear(4)
    assert layer.compute_output_shape((None, 3)) == (None, 4)
    assert not layer.built and layer.weights == []
    assert layers.Dense(2).compute_output_shape((5, 7)) == (5, 2)


def test_module_dtype_conversion_reaches_layers_without_weights():
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(4), layers.Dropout(0.5), layers.Activation("tanh"), layers.Dense(2)]
    )
    model.to(torch.float64)
    assert all(layer.compute_dtype == "float64" for layer in model.layers)
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    out = model(x)
    assert out.dtype == torch.float64
    assert torch.autograd.gradcheck(lambda t: model(t), (x,))  # float64 all the way through
    model.float()
    assert all(layer.compute_dtype == "float32" for layer in model.layers) and model(x.float()).dtype == torch.float32
    model.to("cpu")  # a device move leaves the dtypes alone
    assert all(layer.compute_dtype == "float32" for layer in model.layers)


def test_symbolic_calls_of_shape_preserving_layers_skip_the_fake_run_and_subclasses_do_not_inherit_it():
    class Doubling(keras.layers.Activation):  # a user's subclass changing the shape
        def call(self, inputs):
            return torch.cat([inputs, inputs], -1)

    x = keras.Input((3,))
    assert keras.layers.Activation("relu")(x).shape == (None, 3)
    assert keras.layers.Dense(5)(keras.Input((2, 3))).shape == (None, 2, 5)
    assert Doubling("relu")(x).shape == (None, 6)
    assert keras.layers.Activation._preserves_shape and not Doubling._preserves_shape

    class Wider(keras.layers.Dense):
        def call(self, inputs):
            return torch.cat([super().call(inputs)] * 2, -1)

    assert Wider(2)(x).shape == (None, 4)


def test_calling_build_directly_marks_the_layer_built():
    class Scaled(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="count")

        def call(self, x):
            return x * self.w

    layer = Scaled()
    layer.build((2, 3))
    assert layer.built and layer.get_build_config() == {"input_shape": [2, 3]}
    layer(torch.ones(2, 3))
    assert [w.path for w in layer.weights] == [f"{layer.name}/count"]  # not built a second time
