"""Tests for Layer.quantize / Model.quantize (int8, int4, float8) on Dense, EinsumDense and Embedding: the same
quantized weights as Keras 3 bit for bit, the same outputs and input gradients, LoRA and mixed precision on
quantized layers, float8 training with delayed scaling step for step, saving and loading, configs, filters,
and the errors for what is not supported."""

import json
import warnings

import numpy as np
import pytest
import torch
from layer_checks import roundtrip, to_np

import kerastorch
from kerastorch import dtype_policies, layers, quantizers

pytestmark = [
    pytest.mark.usefixtures("_cpu_weights"),
    # Keras (and kerastorch, like it) warns about each layer model.quantize skips, the InputLayer too
    pytest.mark.filterwarnings("ignore:Layer InputLayer does not have a `quantize` method"),
]

TOL = dict(rtol=2e-5, atol=2e-5)
EQUATIONS = [  # (equation, output_shape, bias_axes, input shape)
    ("abc,cde->abde", (None, 2, 4), "de", (2, 3, 8)),
    ("abcd,cde->abe", (3, 5), "e", (2, 3, 4, 8)),
    ("ab,bcd->acd", (4, 5), "d", (2, 8)),
    ("abc,bcd->abd", (3, 5), None, (2, 3, 8)),  # b is shared: einsum, not one matrix product
    ("abc,dc->abd", (3, 5), None, (2, 3, 8)),  # contracted axis last in the kernel
]


def _pair(keras3, name, *args, **kwargs):
    return getattr(layers, name)(*args, **kwargs), getattr(keras3.layers, name)(*args, **kwargs)


def _quantized_pair(keras3, name, args, shape, mode, ours_config=None, theirs_config=None, seed=0, **kwargs):
    """Our layer and Keras's, built for ``shape`` with the same random weights, then quantized alike."""
    ours, theirs = _pair(keras3, name, *args, **kwargs)
    ours.build(shape)
    theirs.build(shape)
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=w.shape).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    ours.quantize(mode, config=ours_config)
    theirs.quantize(mode, config=theirs_config)
    return ours, theirs


def _assert_same_weights(ours, theirs):
    assert [w.name for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    assert ours.dtype_policy.name == theirs.dtype_policy.name
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def _assert_same_calls(ours, theirs, x, tol=TOL):
    xt, xk = torch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yt, yk = ours(xt), theirs(xk)
    np.testing.assert_allclose(to_np(yt), to_np(yk), **tol)
    upstream = torch.tensor(np.random.default_rng(1).normal(size=tuple(yt.shape)).astype("float32"))
    (yt * upstream).sum().backward()
    (yk * upstream).sum().backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **tol)
    return yt


# ------------------------------------------------------------------ parity
@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_dense_matches_keras(keras3, mode):
    ours, theirs = _quantized_pair(keras3, "Dense", (7,), (None, 10), mode, activation="tanh")
    _assert_same_weights(ours, theirs)
    x = np.random.default_rng(2).normal(size=(3, 4, 10)).astype("float32") * 3
    _assert_same_calls(ours, theirs, x)


@pytest.mark.parametrize(
    "mode,equation,output_shape,bias_axes,shape",
    [(mode,) + case for mode in ("int8", "int4") for case in EQUATIONS]
    + [("float8",) + EQUATIONS[0], ("float8",) + EQUATIONS[3]],
)
def test_einsum_dense_matches_keras(keras3, mode, equation, output_shape, bias_axes, shape):
    ours, theirs = _quantized_pair(keras3, "EinsumDense", (equation, output_shape), shape, mode, bias_axes=bias_axes)
    _assert_same_weights(ours, theirs)
    x = np.random.default_rng(2).normal(size=shape).astype("float32") * 3
    _assert_same_calls(ours, theirs, x, tol=dict(rtol=2e-5, atol=2e-5 * float(np.abs(x).max()) * 8))


@pytest.mark.parametrize("mode", ["int8", "int4"])
def test_embedding_matches_keras(keras3, mode):
    ours, theirs = _quantized_pair(keras3, "Embedding", (9, 6), (None,), mode)
    _assert_same_weights(ours, theirs)
    ids = np.random.default_rng(2).integers(0, 9, size=(3, 5))
    np.testing.assert_array_equal(to_np(ours(torch.tensor(ids))), to_np(theirs(ids)))


@pytest.mark.parametrize("block_size", [None, 4])  # None: per channel, as -1
def test_int4_block_sizes_match_keras(keras3, block_size):
    for name, args, shape, x in (
        ("Dense", (7,), (None, 10), np.random.default_rng(3).normal(size=(2, 10)).astype("float32")),
        (
            "EinsumDense",
            ("abc,cde->abde", (None, 2, 3)),
            (None, 4, 10),
            np.random.default_rng(3).normal(size=(2, 4, 10)).astype("float32"),
        ),
    ):
        ours, theirs = _quantized_pair(
            keras3,
            name,
            args,
            shape,
            "int4",
            quantizers.Int4QuantizationConfig(block_size=block_size),
            keras3.quantizers.Int4QuantizationConfig(block_size=block_size),
        )
        _assert_same_weights(ours, theirs)
        assert ours.dtype_policy.name == f"int4/{block_size or -1}_from_float32"
        _assert_same_calls(ours, theirs, x)
    ours, theirs = _quantized_pair(
        keras3,
        "Embedding",
        (9, 10),
        (None,),
        "int4",
        quantizers.Int4QuantizationConfig(block_size=block_size),
        keras3.quantizers.Int4QuantizationConfig(block_size=block_size),
    )
    _assert_same_weights(ours, theirs)
    np.testing.assert_array_equal(to_np(ours(torch.tensor([[1, 8]]))), to_np(theirs(np.array([[1, 8]]))))


def test_custom_quantizers_match_keras(keras3):
    Q, K = quantizers, keras3.quantizers
    x = np.random.default_rng(4).normal(size=(3, 10)).astype("float32")
    cases = [
        (
            Q.Int8QuantizationConfig(activation_quantizer=None),
            K.Int8QuantizationConfig(activation_quantizer=None),
            "int8",
        ),
        (
            Q.Int8QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(axis=0, value_range=(-100, 100))),
            K.Int8QuantizationConfig(weight_quantizer=K.AbsMaxQuantizer(axis=0, value_range=(-100, 100))),
            "int8",
        ),
        (
            Q.Int4QuantizationConfig(block_size=-1, activation_quantizer=Q.AbsMaxQuantizer(axis=-1)),
            K.Int4QuantizationConfig(block_size=-1, activation_quantizer=K.AbsMaxQuantizer(axis=-1)),
            "int4",
        ),
    ]
    for ours_config, theirs_config, mode in cases:
        ours, theirs = _quantized_pair(keras3, "Dense", (7,), (None, 10), mode, ours_config, theirs_config)
        _assert_same_weights(ours, theirs)
        assert (ours.inputs_quantizer is None) == (theirs.inputs_quantizer is None)
        _assert_same_calls(ours, theirs, x)
    ours, theirs = _quantized_pair(
        keras3, "EinsumDense", ("abc,dc->abd", (3, 5)), (None, 3, 8), "int4", cases[2][0], cases[2][1]
    )
    _assert_same_calls(ours, theirs, np.random.default_rng(4).normal(size=(2, 3, 8)).astype("float32"))


@pytest.mark.parametrize("mode,lora_first", [("int8", True), ("int4", False)])
def test_lora_on_quantized_layers_matches_keras(keras3, mode, lora_first):
    rng = np.random.default_rng(5)
    for name, args, shape in (
        ("Dense", (7,), (None, 10)),
        ("EinsumDense", ("abc,cd->abd", (None, 7)), (None, 3, 10)),
        ("Embedding", (9, 7), (None,)),
    ):
        ours, theirs = _pair(keras3, name, *args, **({"bias_axes": "d"} if name == "EinsumDense" else {}))
        for layer in (ours, theirs):
            layer.build(shape)
        theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
        ours.set_weights(theirs.get_weights())
        for layer in (ours, theirs):
            if lora_first:
                layer.enable_lora(2)
            layer.quantize(mode)
            if not lora_first:
                layer.enable_lora(2)
        weights = [
            rng.normal(size=w.shape).astype("float32") if "lora" in w.path else w.numpy() for w in theirs.weights
        ]
        theirs.set_weights(weights)
        ours.set_weights(weights)
        assert [w.name for w in ours.trainable_weights][-2:] == [
            f"lora_{ours._lora_target}_a",
            f"lora_{ours._lora_target}_b",
        ]
        if name == "Embedding":
            ids = rng.integers(0, 9, size=(2, 3))
            np.testing.assert_allclose(to_np(ours(torch.tensor(ids))), to_np(theirs(ids)), **TOL)
        else:
            x = rng.normal(size=(2,) + shape[1:]).astype("float32")
            _assert_same_calls(ours, theirs, x, tol=dict(rtol=1e-5, atol=1e-4))


@pytest.mark.parametrize(
    "policy,mode",
    [
        ("mixed_bfloat16", "int8"),
        ("mixed_bfloat16", "int4"),
        ("mixed_bfloat16", "float8"),
        ("bfloat16", "int8"),
        ("float64", "int4"),
        ("bfloat16", "float8"),
    ],
)
def test_policies_match_keras(keras3, policy, mode):
    ours, theirs = _quantized_pair(keras3, "Dense", (7,), (None, 10), mode, dtype=policy)
    expected = f"{mode}{'/128' if mode == 'int4' else ''}_from_{policy}"
    assert ours.dtype_policy.name == theirs.dtype_policy.name == expected
    assert [str(w.dtype).replace("torch.", "") for w in ours.weights] == [w.dtype for w in theirs.weights]
    x = np.random.default_rng(6).normal(size=(3, 10)).astype("float32")
    yt, yk = ours(torch.tensor(x)), theirs(x)
    assert yt.dtype == yk.dtype
    np.testing.assert_allclose(to_np(yt.float()), to_np(yk.float()), rtol=1e-6, atol=1e-6)


def test_float8_training_matches_keras_step_for_step(keras3):
    def make(lib):
        return lib.Sequential(
            [
                lib.Input((6,)),
                lib.layers.Dense(8, activation="relu"),
                lib.layers.EinsumDense("ab,bc->ac", 3, bias_axes="c"),
            ]
        )

    ours, theirs = make(kerastorch), make(keras3)
    rng = np.random.default_rng(7)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights(theirs.get_weights())
    for model in (ours, theirs):
        model.quantize("float8")
    x = (rng.normal(size=(32, 6)) * 4).astype("float32")
    y = rng.normal(size=(32, 3)).astype("float32")
    ours.compile(kerastorch.optimizers.SGD(0.01), "mse")
    theirs.compile(keras3.optimizers.SGD(0.01), "mse")
    ours_history = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    theirs_history = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(ours_history, theirs_history, rtol=1e-6)
    assert [w.name for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    for a, b in zip(ours.weights, theirs.weights):  # kernels, biases, every scale and amax history
        np.testing.assert_allclose(to_np(a), b.numpy(), rtol=1e-6, atol=1e-7)
    assert float(ours.layers[0].inputs_scale) != 1.0  # the scales did move
    # the scales are state updated in place, not trained: any torch optimizer trains a float8 model
    assert [w.name for w in ours.trainable_weights] == ["kernel", "bias", "kernel", "bias"]


def test_float8_scales_update_only_in_training(keras3):
    layer = layers.Dense(2, dtype=dtype_policies.QuantizedFloat8DTypePolicy("float8", "float32", 3))
    layer.build((None, 2))
    with torch.no_grad():
        layer.kernel.copy_(torch.tensor([[1.0, 2.0], [3.0, 1.0]]))
    x = torch.tensor([[1000.0, 0.3]], requires_grad=True)
    y = layer(x)  # inference: rounded to e4m3 (1000 clips to 448), nothing updated
    assert y.tolist() == [[448.9375, 896.3125]]
    (y * torch.tensor([[1.0, 1e6]])).sum().backward()
    assert x.grad.tolist() == [[114689.0, 57347.0]]  # the output gradient clipped to e5m2's 57344, straight through
    assert layer.bias.grad.tolist() == [1.0, 999424.0]  # unquantized, but through bfloat16 as in Keras
    theirs = keras3.layers.Dense(2, dtype=keras3.dtype_policies.QuantizedFloat8DTypePolicy("float8", "float32", 3))
    theirs.build((None, 2))
    theirs.kernel.assign(layer.kernel.detach().numpy())  # (Keras lists a float8 layer built so scales first)
    x_keras = torch.tensor([[1000.0, 0.3]], requires_grad=True)
    (theirs(x_keras) * torch.tensor([[1.0, 1e6]])).sum().backward()
    assert x_keras.grad.tolist() == x.grad.tolist() and theirs.bias.value.grad.tolist() == layer.bias.grad.tolist()
    assert float(layer.inputs_scale) == 1.0 and float(layer.inputs_amax_history.abs().sum()) == 0
    y = layer(x, training=True)
    (y * torch.tensor([[2.0, -3.0]])).sum().backward()
    assert layer.inputs_amax_history.tolist() == [1000.0, 0.0, 0.0]
    assert layer.outputs_grad_amax_history.tolist() == [3.0, 0.0, 0.0]
    layer(x, training=True)
    assert float(layer.inputs_scale) == pytest.approx(1000 / 448)  # the scale from the history before this step


# ------------------------------------------------------------------ saving
@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_save_and_load_quantized_models(tmp_path, mode):
    inputs = kerastorch.Input((5,))
    hidden = layers.Dense(8, activation="relu", name="dense")(inputs)
    outputs = layers.EinsumDense("ab,bc->ac", 6, bias_axes="c", name="einsum")(hidden)
    model = kerastorch.Model(inputs, outputs)
    model.quantize(mode)
    x = np.random.default_rng(8).normal(size=(4, 5)).astype("float32")
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = kerastorch.models.load_model(tmp_path / "model.keras")
    assert loaded.get_layer("dense").dtype_policy == model.get_layer("dense").dtype_policy
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    model.save_weights(tmp_path / "model.weights.safetensors")
    clone = kerastorch.models.model_from_json(model.to_json())
    clone.load_weights(tmp_path / "model.weights.safetensors")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), expected)
    float_model = kerastorch.models.clone_model(model)  # same config: quantized too
    assert float_model.get_layer("einsum").quantization_mode == mode


@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_configs_interchange_with_keras(keras3, mode):
    for name, args, shape in (
        ("Dense", (4,), (None, 3)),
        ("EinsumDense", ("abc,cd->abd", (None, 4)), (None, 2, 3)),
        ("Embedding", (6, 4), (None,)),
    ):
        if name == "Embedding" and mode == "float8":
            continue
        ours, theirs = _pair(keras3, name, *args, **({"bias_axes": "d"} if name == "EinsumDense" else {}))
        for layer in (ours, theirs):
            layer.build(shape)
            layer.quantize(mode)
        ours_dtype = json.loads(json.dumps(ours.get_config()))["dtype"]
        assert ours_dtype == json.loads(json.dumps(theirs.get_config()))["dtype"]
        clone = roundtrip(ours)
        clone.build(shape)
        assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in ours.weights]
        from_keras = getattr(layers, name).from_config(json.loads(json.dumps(theirs.get_config())))
        from_keras.build(shape)
        assert (
            from_keras.quantization_mode == mode
            and type(from_keras.quantization_config).__name__ == type(theirs.quantization_config).__name__
        )
        to_keras = getattr(keras3.layers, name).from_config(json.loads(json.dumps(ours.get_config())))
        to_keras.build(shape)
        assert sorted(tuple(w.shape) for w in to_keras.weights) == sorted(tuple(w.shape) for w in ours.weights)


def test_keras_quantized_weights_load_by_set_weights(keras3):
    theirs = keras3.Sequential([keras3.Input((5,)), keras3.layers.Dense(8), keras3.layers.Dense(3)])
    theirs.quantize("int8")
    ours = kerastorch.models.model_from_json(theirs.to_json())
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(9).normal(size=(4, 5)).astype("float32")
    np.testing.assert_array_equal(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))


def test_dtype_conversion_keeps_the_layer_quantized():
    model = kerastorch.Sequential([kerastorch.Input((4,)), layers.Dense(3)])
    model.quantize("int8")
    model.double()
    layer = model.layers[0]
    assert layer.dtype_policy.name == "int8_from_float64" and layer.kernel.dtype == torch.int8
    assert model(torch.ones(1, 4, dtype=torch.float64)).dtype == torch.float64


# --------------------------------------------------------------- model level
def test_model_quantize_filters_warnings_and_training():
    def make():
        return kerastorch.Sequential(
            [kerastorch.Input((4,)), layers.Dense(6, name="enc"), layers.Dropout(0.1), layers.Dense(3, name="dec")]
        )

    model = make()
    model.quantize("int8", filters="^dec")
    assert [layer.quantization_mode for layer in model.layers] == [None, None, "int8"]
    model = make()
    model.quantize("int8", filters=["enc", "nothing"])
    assert [layer.quantization_mode for layer in model.layers] == ["int8", None, None]
    model = make()
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 4), "float32"), np.ones((4, 3), "float32"), verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.quantize("int4", filters=lambda layer: True)
    assert [str(w.message) for w in caught] == ["Layer Dropout does not have a `quantize` method implemented."]
    kernel = model.layers[0].kernel.clone()
    bias = model.layers[0].bias.detach().clone()
    model.fit(np.ones((4, 4), "float32"), np.ones((4, 3), "float32"), verbose=0)  # new steps: biases train
    assert torch.equal(model.layers[0].kernel, kernel) and not torch.equal(model.layers[0].bias, bias)
    assert [w.name for w in model.trainable_weights] == ["bias", "bias"]


def test_model_quantize_errors():
    model = kerastorch.Sequential([kerastorch.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="filters"):
        model.quantize("int8", filters=3)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        model.quantize("int8", foo=1)
    with pytest.raises(ValueError, match="either `mode` or `config`"):
        model.quantize()
    for mode in ("gptq", "awq"):
        with pytest.raises(NotImplementedError, match="does not implement"):
            model.quantize(mode)
    with pytest.raises(ValueError, match="isn't yet built"):
        kerastorch.Sequential([layers.Dense(3)]).quantize("int8")
    model.quantize("int8")
    with pytest.raises(ValueError, match="already quantized"):
        model.quantize("int8")


# --------------------------------------------------------------- layer level
def test_layer_quantize_errors():
    dense = layers.Dense(3)
    with pytest.raises(ValueError, match="isn't yet built"):
        dense.quantize("int8")
    dense.build((None, 4))
    with pytest.raises(ValueError, match="Invalid quantization mode"):
        dense.quantize("int2")
    with pytest.raises(ValueError, match="Contradictory"):
        dense.quantize("int4", config=quantizers.Int8QuantizationConfig())
    with pytest.raises(ValueError, match="must be a keras.quantizers.QuantizationConfig"):
        dense.quantize("int8", config="int8")
    with pytest.raises(ValueError, match="must reduce the kernel's input axes"):
        dense.quantize(config=quantizers.Int8QuantizationConfig(weight_quantizer=quantizers.AbsMaxQuantizer(axis=1)))
    assert dense.quantization_mode is None and dense.kernel.dtype == torch.float32  # nothing changed
    conv = layers.Conv1D(2, 3)
    conv.build((None, 5, 1))
    with pytest.raises(NotImplementedError, match="Conv1D does not have a `quantize` method"):
        conv.quantize("int8")
    embedding = layers.Embedding(5, 3)
    embedding.build()
    with pytest.raises(NotImplementedError, match=r"Expected one of \('int8', 'int4'\)"):
        embedding.quantize("float8")
    half = layers.Dense(3, dtype="float16")
    half.build((None, 4))
    with pytest.raises(ValueError, match="float16"):
        half.quantize("int8")
    assert half.quantization_mode is None
    lora = layers.Dense(3)
    lora.build((None, 4))
    lora.enable_lora(2)
    with pytest.raises(NotImplementedError, match="LoRA"):
        lora.quantize("float8")
    with pytest.raises(ValueError, match="quantization_config must be"):
        layers.Dense(3, quantization_config="int8")


def test_subclasses_need_type_check_off_and_a_call_of_their_own_is_refused():
    class Plain(layers.Dense):
        pass

    class Doubling(layers.Dense):
        def call(self, inputs):
            return 2 * super().call(inputs)

    plain, doubling = Plain(3), Doubling(3)
    for layer in (plain, doubling):
        layer.build((None, 4))
        with pytest.raises(NotImplementedError, match="does not have a `quantize` method"):
            layer.quantize("int8")
    plain.quantize("int8", type_check=False)
    assert plain.quantization_mode == "int8"
    with pytest.raises(NotImplementedError, match="overrides call"):
        doubling.quantize("int8", type_check=False)


def test_float_path_is_untouched_and_quantized_call_is_per_instance():
    dense = layers.Dense(3)
    dense.build((None, 4))
    other = layers.Dense(3)
    other.build((None, 4))
    assert "call" not in vars(dense)  # no per-call quantization test on the float path
    dense.quantize("int8")
    assert vars(dense)["call"] == dense._int8_call and "call" not in vars(other)
    assert type(dense).call is layers.Dense.call


def test_int8_error_is_small_and_policy_map_layers():
    rng = np.random.default_rng(10)
    dense = layers.Dense(16)
    dense.build((None, 32))
    x = torch.tensor(rng.normal(size=(8, 32)).astype("float32"))
    expected = dense(x)
    dense.quantize("int8")
    with torch.no_grad():
        assert float((dense(x) - expected).abs().max()) < 0.02 * float(expected.abs().max())
    policy_map = dtype_policies.DTypePolicyMap(default_policy="float32")
    policy_map["chosen"] = "int8_from_float32"
    chosen, other = layers.Dense(3, dtype=policy_map, name="chosen"), layers.Dense(3, dtype=policy_map, name="other")
    for layer in (chosen, other):
        layer.build((None, 4))
    assert chosen.quantization_mode == "int8" and chosen.kernel.dtype == torch.int8
    assert other.quantization_mode is None and other.kernel.dtype == torch.float32
    assert chosen.get_config()["dtype"]["class_name"] == "DTypePolicyMap"


@pytest.mark.parametrize("equation,shape", [("...b,bc->...c", (2, 3, 6)), ("ab...,bc->ac...", (2, 6, 3))])
def test_ellipsis_equations_and_symbolic_calls(equation, shape):
    # Keras 3.15 cannot quantize these equations; here int8 and int4 follow the float layer closely
    x = torch.tensor(np.random.default_rng(11).normal(size=shape).astype("float32"))
    for mode in ("int8", "int4"):
        layer = layers.EinsumDense(equation, (4,), bias_axes="c")
        layer.build(shape)
        with torch.no_grad():
            layer.bias.copy_(torch.arange(4.0).reshape(layer.bias.shape))
        expected = layer(x).detach()
        layer.quantize(mode)
        error = float((layer(x) - expected).abs().max().detach())
        assert error < (0.05 if mode == "int8" else 0.5) * float(expected.abs().max())
        symbolic = layer(kerastorch.Input(shape[1:]))
        assert symbolic.shape == (None,) + tuple(expected.shape[1:])
