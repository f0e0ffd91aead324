"""TorchModuleWrapper: torch modules as Keras layers (weights, training, freezing, fit, shapes, safe configs)."""

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch import layers
from kerastorch.saving import deserialize_keras_object, serialize_keras_object

pytestmark = pytest.mark.usefixtures("_cpu_weights")


def test_parameters_are_the_layer_weights_and_buffers_are_not():
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    layer = layers.TorchModuleWrapper(module)
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (4,), (4,), (4,)]
    assert all(a is b for a, b in zip(layer.trainable_weights, module.parameters()))
    layer.trainable = False
    assert not any(p.requires_grad for p in module.parameters()) and len(layer.non_trainable_weights) == 4


def test_training_flag_reaches_the_module():
    module = torch.nn.Dropout(0.5)
    layer = layers.TorchModuleWrapper(module)
    x = torch.ones(1000)
    assert torch.equal(layer(x), x)  # a fresh module is in train mode, but inference calls set eval
    assert module.training is False
    assert (layer(x, training=True) == 0).any() and module.training is True


def test_in_a_functional_model_it_trains_with_fit():
    torch.manual_seed(0)
    inputs = kerastorch.Input((4,))
    hidden = layers.TorchModuleWrapper(torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU()))(inputs)
    model = kerastorch.Model(inputs, layers.Dense(1)(hidden))
    assert hidden.shape == (None, 16)
    x = np.random.default_rng(0).normal(size=(128, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.compile(optimizer=kerastorch.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert len(model.trainable_weights) == 4


def test_output_shape_argument_skips_inference():
    layer = layers.TorchModuleWrapper(torch.nn.Linear(3, 5), output_shape=(5,))
    assert layer(kerastorch.Input((3,))).shape == (None, 5)


def test_config_is_refused_in_safe_mode_and_loads_when_trusted():
    layer = layers.TorchModuleWrapper(torch.nn.Linear(3, 2), name="wrapped")
    config = serialize_keras_object(layer)
    with pytest.raises(ValueError, match=r'layer "wrapped" holds a pickled torch module.*safe_mode=False'):
        deserialize_keras_object(config)
    clone = deserialize_keras_object(config, safe_mode=False)
    x = torch.randn(2, 3)
    torch.testing.assert_close(clone(x), layer(x))
    assert clone.name == "wrapped"


@pytest.mark.parity
def test_keras_reads_our_config(keras3):
    layer = layers.TorchModuleWrapper(torch.nn.Linear(3, 2))
    theirs = keras3.saving.deserialize_keras_object(serialize_keras_object(layer), safe_mode=False)
    assert type(theirs).__name__ == "TorchModuleWrapper"
    x = torch.randn(2, 3)
    np.testing.assert_allclose(theirs(x).detach().cpu().numpy(), layer(x).detach().numpy(), rtol=1e-6)


def test_errors():
    with pytest.raises(
        TypeError,
        match=r'TorchModuleWrapper layer "torch_module_wrapper": module must be a '
        r"torch.nn.Module, received int",
    ):
        layers.TorchModuleWrapper(3)
    with pytest.raises(TypeError, match="already a kerastorch layer"):
        layers.TorchModuleWrapper(layers.Dense(2))
