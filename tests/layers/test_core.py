"""Tests for Dense, Embedding, Identity and Lambda: values, symbolic shapes, configs, errors, Keras 3 parity."""

import base64
import json
import marshal

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import activations
from kerastorch.layers.core import Dense, Embedding, Identity, Lambda
from kerastorch.saving import deserialize_keras_object, register_keras_serializable
from kerastorch.serialization.serialization_lib import SafeModeScope, in_safe_mode

pytestmark = pytest.mark.usefixtures("_cpu_weights")


# --------------------------------------------------------------------- Dense
def test_dense_values_and_weight_layout():
    layer = Dense(3, activation="relu")
    x = torch.randn(2, 5, 4)
    y = layer(x)
    assert [w.path for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert layer.kernel.shape == (4, 3) and layer.bias.shape == (3,)
    with torch.no_grad():
        layer.bias.copy_(torch.tensor([0.5, -0.5, 1.0]))
    y = layer(x)
    expected = torch.relu(x.to(layer.kernel.device) @ layer.kernel + layer.bias)
    assert y.shape == (2, 5, 3)
    np.testing.assert_allclose(to_np(y), to_np(expected), **TOL)
    y2 = layer(x[:, 0])  # the 2-D (addmm) path gives the same rows
    np.testing.assert_allclose(to_np(y2), to_np(expected[:, 0]), **TOL)


def test_dense_accepts_integer_inputs_like_keras():
    layer = Dense(2, kernel_initializer="ones")
    out = layer(torch.ones(3, 4, dtype=torch.int32))
    assert out.dtype == torch.float32 and torch.all(out == 4)


def test_dense_without_bias_has_only_a_kernel():
    layer = Dense(2, use_bias=False, kernel_initializer="ones")
    y = layer(torch.ones(3, 4))
    assert [w.name for w in layer.weights] == ["kernel"] and layer.bias is None
    assert torch.all(y == 4)


def test_dense_symbolic_shape():
    x = kerastorch.Input((None, 5))
    y = Dense(3)(x)
    assert y.shape == (None, None, 3)
    assert Dense(7)(kerastorch.Input((5,))).shape == (None, 7)


def test_dense_regularizers_add_losses():
    layer = Dense(2, kernel_initializer="ones", kernel_regularizer=kerastorch.regularizers.L2(0.5))
    layer(torch.ones(1, 3))
    assert len(layer.losses) == 1 and layer.losses[0].item() == pytest.approx(0.5 * 6)


def test_dense_config_roundtrip():
    layer = Dense(
        4,
        activation="tanh",
        use_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer="l2",
        bias_constraint="non_neg",
        lora_rank=2,
        lora_alpha=4,
        name="d",
    )
    config = layer.get_config()
    assert config["units"] == 4 and config["activation"] == "tanh" and config["lora_rank"] == 2
    assert config["kernel_initializer"]["class_name"] == "HeNormal"
    roundtrip(layer)


def test_dense_errors_name_layer_and_values():
    with pytest.raises(
        ValueError, match=r'Dense layer "dense": argument `units` must be a positive integer; received 0 \(int\)'
    ):
        Dense(0)
    layer = Dense(2)
    layer(torch.ones(1, 4))
    with pytest.raises(ValueError, match=r'layer "dense_1".*expected axis -1 .* value 4.*\(1, 5\)'):
        layer(torch.ones(1, 5))
    with pytest.raises(ValueError, match=r'"dense_1".*expected min_ndim=2, found ndim=1'):
        layer(torch.ones(4))
    with pytest.raises(TypeError, match=r"Dense: unrecognized keyword arguments \['unit'\]"):
        Dense(2, unit=3)
    with pytest.raises(ValueError, match="quantization_config must be a keras.quantizers.QuantizationConfig"):
        Dense(2, quantization_config={"mode": "int8"})


def test_dense_lora_freezes_kernel_and_starts_as_identity_update():
    layer = Dense(3)
    x = torch.randn(2, 4)
    before = layer(x)
    layer.enable_lora(2)
    assert not layer.kernel.requires_grad
    assert sorted(w.name for w in layer.trainable_weights) == ["bias", "lora_kernel_a", "lora_kernel_b"]
    np.testing.assert_allclose(to_np(layer(x)), to_np(before), **TOL)
    with torch.no_grad():
        layer.lora_kernel_b.fill_(1.0)
    delta = layer.lora_kernel_a @ layer.lora_kernel_b  # alpha / rank = 1
    np.testing.assert_allclose(to_np(layer(x)), to_np(before + x.to(delta.device) @ delta), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match=r'Dense layer "dense": LoRA is already enabled'):
        layer.enable_lora(2)
    with pytest.raises(ValueError, match="needs a built layer"):
        Dense(2).enable_lora(1)


@pytest.mark.parity
@given(
    data=st.data(),
    batch=st.integers(1, 4),
    units=st.integers(1, 5),
    inner=st.lists(st.integers(1, 3), max_size=2),
    use_bias=st.booleans(),
    activation=st.sampled_from([None, "relu", "tanh", "sigmoid"]),
)
def test_dense_parity_outputs_and_gradients(keras3, data, batch, units, inner, use_bias, activation):
    in_dim = data.draw(st.integers(1, 5))
    x = data.draw(float_arrays((batch, *inner, in_dim)))
    ours = Dense(units, activation=activation, use_bias=use_bias)
    theirs = keras3.layers.Dense(units, activation=activation, use_bias=use_bias)
    ours.build((None, *inner, in_dim))
    theirs.build((None, *inner, in_dim))
    theirs.set_weights(ours.get_weights())
    _compare_with_input_grads(ours, theirs, x)
    theirs.set_weights([np.random.default_rng(0).normal(size=w.shape).astype("float32") for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    _compare_with_input_grads(ours, theirs, x)


def _compare_with_input_grads(ours, theirs, x):
    xt = torch.tensor(x, requires_grad=True, device=ours._weight_device())
    xk = torch.tensor(x, requires_grad=True, device=keras_device())
    yt, yk = ours(xt), theirs(xk)
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
    weights = np.random.default_rng(1).normal(size=yt.shape).astype("float32")
    (yt * torch.tensor(weights, device=yt.device)).sum().backward()
    (yk * torch.tensor(weights, device=yk.device)).sum().backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **TOL)


@pytest.mark.parity
def test_dense_lora_parity(keras3):
    ours, theirs = Dense(3), keras3.layers.Dense(3)
    for layer in (ours, theirs):  # Keras 3.15 drops a constructor lora_alpha at build; enable_lora keeps it
        layer.build((None, 4))
        layer.enable_lora(2, lora_alpha=6)
    rng = np.random.default_rng(0)
    values = {w.path.split("/")[-1]: rng.normal(size=tuple(w.shape)).astype("float32") for w in theirs.weights}
    theirs.set_weights([values[w.path.split("/")[-1]] for w in theirs.weights])
    ours.set_weights([values[w.name] for w in ours.weights])
    x = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(to_np(ours(x)), to_np(theirs(x)), rtol=1e-4, atol=1e-4)
    assert {w.name for w in ours.trainable_weights} == {w.path.split("/")[-1] for w in theirs.trainable_weights}


@pytest.mark.parity
def test_dense_config_loads_keras_config(keras3):
    config = keras3.layers.Dense(3, activation="relu", kernel_regularizer="l2").get_config()
    layer = deserialize_keras_object({"module": "keras.layers", "class_name": "Dense", "config": config})
    assert layer.units == 3 and layer.activation is activations.relu
    assert type(layer.kernel_initializer).__name__ == "GlorotUniform"
    assert keras3.layers.Dense.from_config(layer.get_config()).units == 3


# ----------------------------------------------------------------- Embedding
def test_embedding_values_mask_and_casts():
    layer = Embedding(6, 3, mask_zero=True)
    ids = torch.tensor([[1, 0, 5], [2, 2, 0]])
    out = layer(ids)
    assert out.shape == (2, 3, 3) and out.dtype == torch.float32
    np.testing.assert_array_equal(to_np(out), to_np(layer.embeddings)[to_np(ids)])
    np.testing.assert_array_equal(to_np(layer.compute_mask(ids)), to_np(ids) != 0)
    np.testing.assert_array_equal(to_np(layer(ids.float())), to_np(out))  # float indices are cast
    assert Embedding(6, 3).compute_mask(ids) is None
    assert float(layer.embeddings.abs().max()) <= 0.05  # Keras's "uniform": [-0.05, 0.05]


def test_embedding_symbolic_shape_and_legacy_arguments():
    y = Embedding(10, 4, input_length=7)(kerastorch.Input((7,), dtype="int64"))
    assert y.shape == (None, 7, 4) and y.dtype == "float32"
    weights = np.arange(6, dtype="float32").reshape(3, 2)
    layer = Embedding(3, 2, weights=weights)
    np.testing.assert_array_equal(to_np(layer(torch.tensor([2]))), [[4.0, 5.0]])


def test_embedding_config_roundtrip():
    roundtrip(Embedding(10, 4, mask_zero=True, embeddings_regularizer="l1", lora_rank=2))


def test_embedding_errors():
    with pytest.raises(
        ValueError,
        match=r'Embedding layer "embedding": argument `input_dim` must be a positive integer; '
        r"received 0 \(int\)",
    ):
        Embedding(0, 3)
    with pytest.raises(ValueError, match=r"argument `output_dim` must be a positive integer; received -2 \(int\)"):
        Embedding(3, -2)
    layer = Embedding(4, 2)
    with pytest.raises(IndexError, match=r'"embedding_2": indices must lie in \[0, 4\), received values in \[1, 9\]'):
        layer(torch.tensor([1, 9]))


@pytest.mark.parity
@given(data=st.data(), input_dim=st.integers(1, 8), output_dim=st.integers(1, 4), mask_zero=st.booleans())
def test_embedding_parity_outputs_masks_and_gradients(keras3, data, input_dim, output_dim, mask_zero):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    ids = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, input_dim - 1)))
    ours, theirs = (
        Embedding(input_dim, output_dim, mask_zero=mask_zero),
        keras3.layers.Embedding(input_dim, output_dim, mask_zero=mask_zero),
    )
    ours.build(shape)
    theirs.build(shape)
    theirs.set_weights(ours.get_weights())
    yt, yk = ours(torch.as_tensor(ids)), theirs(torch.as_tensor(ids, device=keras_device()))
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
    mask_t, mask_k = ours.compute_mask(torch.as_tensor(ids)), theirs.compute_mask(torch.as_tensor(ids))
    assert (mask_t is None) == (mask_k is None)
    if mask_t is not None:
        np.testing.assert_array_equal(to_np(mask_t), to_np(mask_k))
    yt.pow(2).sum().backward()
    yk.pow(2).sum().backward()
    np.testing.assert_allclose(to_np(ours.embeddings.grad), to_np(theirs.embeddings.value.grad), **TOL)
    ours.set_weights([w * 2 for w in theirs.get_weights()])
    np.testing.assert_allclose(to_np(ours(torch.as_tensor(ids))), 2 * to_np(yk), **TOL)


# ------------------------------------------------------------------ Identity
def test_identity_returns_its_input():
    x = torch.randn(2, 3)
    assert Identity()(x) is x
    assert Identity()(kerastorch.Input((None, 3))).shape == (None, None, 3)
    roundtrip(Identity(name="same"))
    with pytest.raises(TypeError, match=r"Identity: unrecognized keyword arguments \['foo'\]"):
        Identity(foo=1)


@pytest.mark.parity
def test_identity_parity(keras3):
    x = np.random.default_rng(0).normal(size=(3, 2)).astype("float32")
    np.testing.assert_array_equal(to_np(Identity()(x)), to_np(keras3.layers.Identity()(x)))


# -------------------------------------------------------------------- Lambda
@register_keras_serializable(package="test_core")
def plus_k(x, k=1.0):
    return x + k


def test_lambda_calls_with_arguments_mask_and_training():
    assert Lambda(plus_k, arguments={"k": 2.0})(torch.zeros(2)).tolist() == [2.0, 2.0]
    seen = {}

    def fn(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    Lambda(fn)(torch.zeros(2), mask=torch.tensor([True, False]), training=True)
    assert seen["training"] is True and seen["mask"].tolist() == [True, False]
    layer = Lambda(lambda x: x, mask=lambda inputs, mask: inputs > 0)
    np.testing.assert_array_equal(to_np(layer.compute_mask(torch.tensor([1.0, -1.0]))), [True, False])
    assert Lambda(lambda x: x).compute_mask(torch.ones(1)) is None


def test_lambda_symbolic_shapes():
    x = kerastorch.Input((4, 3))
    assert Lambda(lambda t: t.sum(-1))(x).shape == (None, 4)
    assert Lambda(lambda t: t, output_shape=(5,))(x).shape == (None, 5)
    assert Lambda(lambda t: t, output_shape=lambda s: (s[0], 12)).compute_output_shape((None, 4, 3)) == (None, 12)


def test_lambda_config_of_named_functions_roundtrips():
    layer = Lambda(plus_k, arguments={"k": 3.0}, output_shape=(2,))
    config = layer.get_config()
    assert config["function"] == {
        "module": "builtins",
        "class_name": "function",
        "config": "test_core>plus_k",
        "registered_name": "function",
    }
    clone = roundtrip(layer)
    assert clone.function is plus_k and clone.arguments == {"k": 3.0}
    assert Lambda.from_config(Lambda(activations.relu).get_config()).function is activations.relu


def test_lambda_python_code_is_refused_in_safe_mode():
    def make(k):
        return lambda x, scale=2.0: x * k * scale

    config = Lambda(make(3.0)).get_config()
    assert config["function"]["class_name"] == "__lambda__"
    code = marshal.loads(base64.decodebytes(config["function"]["config"]["code"].encode()))
    assert code.co_name == "<lambda>" and config["function"]["config"]["closure"] == [3.0]
    assert in_safe_mode() is True
    with pytest.raises(ValueError, match=r"Python lambda .* refused in safe mode.*safe_mode=False"):
        Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe mode"):
        deserialize_keras_object({"module": "keras.layers", "class_name": "Lambda", "config": config})
    layer = Lambda.from_config(json.loads(json.dumps(config)), safe_mode=False)
    assert layer(torch.ones(2)).tolist() == [6.0, 6.0]
    wrapped = {"module": "keras.layers", "class_name": "Lambda", "config": config}
    assert deserialize_keras_object(wrapped, safe_mode=False)(torch.ones(1)).tolist() == [6.0]
    with SafeModeScope(False):
        assert in_safe_mode() is False
        x = kerastorch.Input((2,))
        model = kerastorch.Model(x, Lambda(make(1.0))(x))
        assert kerastorch.Model.from_config(model.get_config())(torch.ones(1, 2)).tolist() == [[2.0, 2.0]]
    assert in_safe_mode() is True


def test_lambda_errors():
    with pytest.raises(TypeError, match=r'Lambda layer "lambda": function must be callable, received 3'):
        Lambda(3)
    config = Lambda(plus_k).get_config()
    config["function"]["config"] = "no_such_function"
    with pytest.raises(ValueError, match=r"unknown function 'no_such_function'.*register_keras_serializable"):
        Lambda.from_config(config)


@pytest.mark.parity
@given(x=float_arrays(min_dims=2, max_dims=3))
def test_lambda_parity_and_config_interchange(keras3, x):
    ours = Lambda(lambda t: t * 2 + 1)
    theirs = keras3.layers.Lambda(lambda t: t * 2 + 1)
    np.testing.assert_allclose(to_np(ours(x)), to_np(theirs(x)), **TOL)
    from_keras = Lambda.from_config(theirs.get_config(), safe_mode=False)
    np.testing.assert_allclose(to_np(from_keras(x)), to_np(theirs(x)), **TOL)
    to_keras = keras3.layers.Lambda.from_config(ours.get_config(), safe_mode=False)
    np.testing.assert_allclose(to_np(to_keras(x)), to_np(ours(x)), **TOL)
    named = Lambda.from_config(keras3.layers.Lambda(keras3.activations.relu).get_config())
    np.testing.assert_allclose(to_np(named(x)), np.maximum(x, 0), **TOL)


@pytest.mark.cuda
def test_layers_run_on_cuda_like_on_cpu():
    from kerastorch.layers import Dot, Dropout, PReLU

    cpu_layers = [Dense(3, activation="relu"), Embedding(5, 2), PReLU(alpha_initializer="ones")]
    inputs = [torch.randn(4, 6), torch.tensor([[0, 4, 2]]), torch.randn(2, 3)]
    kerastorch.config.set_device("cuda")
    gpu_layers = [Dense(3, activation="relu"), Embedding(5, 2), PReLU(alpha_initializer="ones")]
    for cpu, gpu, x in zip(cpu_layers, gpu_layers, inputs):
        cpu(x)
        gpu(x.cuda())
        gpu.set_weights(cpu.get_weights())
        assert gpu.weights[0].device.type == "cuda"
        np.testing.assert_allclose(to_np(gpu(x.cuda())), to_np(cpu(x)), rtol=1e-4, atol=1e-4)
    out = Dropout(0.5, seed=1)(torch.ones(100, device="cuda"), training=True)
    assert out.device.type == "cuda" and set(out.unique().tolist()) <= {0.0, 2.0}
    a = torch.randn(2, 3, device="cuda")
    np.testing.assert_allclose(to_np(Dot(1)([a, a])), to_np((a * a).sum(1, keepdim=True)), rtol=1e-5)
