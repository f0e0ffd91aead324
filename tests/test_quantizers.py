"""Tests for keras.quantizers and the quantized dtype policies: bit-for-bit parity of the quantizer functions
with Keras 3 (abs-max, grouped zero-point, int4 packing, float8 scaling, fake quantization and its
gradients), configs and policies (names, validation, serialization both ways), and the refusals of GPTQ/AWQ."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kerastorch
from kerastorch import dtype_policies as policies
from kerastorch import quantizers as Q
from kerastorch.quantizers.quantization_config import validate_and_resolve_config


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _floats(shape, low=-5.0, high=5.0):
    return hnp.arrays(np.float32, shape, elements=st.floats(low, high, width=32))


# ------------------------------------------------------------ parity with Keras
@given(data=st.data())
def test_abs_max_quantize_matches_keras_bit_for_bit(keras3, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=6))
    x = data.draw(_floats(shape))
    axis = data.draw(st.sampled_from([-1, 0, tuple(range(len(shape)))]))
    value_range = data.draw(st.sampled_from([(-127, 127), (-8, 7), (-100, 100)]))
    ours = Q.abs_max_quantize(x, axis, value_range=value_range)
    theirs = keras3.quantizers.abs_max_quantize(x, axis, value_range=value_range)
    assert ours[0].dtype == torch.int8 and tuple(ours[1].shape) == tuple(theirs[1].shape)
    np.testing.assert_array_equal(_np(ours[0]), _np(theirs[0]))
    np.testing.assert_array_equal(_np(ours[1]), _np(theirs[1]))


def test_abs_max_quantize_dtypes_and_reconstruction():
    x = torch.randn(8, 5, dtype=torch.float64)
    values, scale = Q.abs_max_quantize(x, -1, value_range=(-1000, 1000), dtype="int16", to_numpy=True)
    assert values.dtype == torch.int16 and scale.dtype == torch.float64 and int(values.abs().max()) == 1000
    assert torch.allclose(values / scale, x, atol=float(x.abs().max()) / 1000)
    with pytest.raises(ValueError, match="axis"):
        Q.abs_max_quantize(x, 2)
    with pytest.raises(ValueError, match="value_range"):
        Q.abs_max_quantize(x, 0, value_range=(5, -5))
    with pytest.raises(ValueError, match="dtype"):
        Q.abs_max_quantize(x, 0, dtype="float16")


@given(data=st.data())
def test_grouped_zero_point_quantize_matches_keras(keras3, data):
    rows, cols = data.draw(st.integers(1, 9)), data.draw(st.integers(1, 4))
    x = data.draw(_floats((rows, cols), -3, 3))
    if data.draw(st.booleans()):
        x[: min(rows, 2)] = 1.5  # constant and all-positive groups: the widened range, a clipped zero point
    block = data.draw(st.integers(1, 5))
    host = data.draw(st.booleans())  # Keras's two algorithms (the layers use the host one)
    ours = Q.abs_max_quantize_grouped_with_zero_point(x, block, to_numpy=host)
    theirs = keras3.quantizers.abs_max_quantize_grouped_with_zero_point(x, block_size=block, to_numpy=host)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(_np(a), _np(b))


def test_grouped_zero_point_quantize_reconstructs_centered_groups_and_refuses_bad_input(keras3):
    # every group of 4 rows spans zero (a group that does not saturates, as in Keras: the zero point is clipped)
    x = torch.tensor([[-1.0], [-0.3], [0.4], [0.9]]).repeat(3, 4) * torch.linspace(0.5, 2, 4) + torch.randn(12, 4) / 10
    values, scale, zero = Q.abs_max_quantize_grouped_with_zero_point(x, 4)
    assert values.shape == (12, 4) and scale.shape == (3, 4) and zero.shape == (3, 4) and zero.dtype == torch.int8
    group = torch.arange(12) // 4
    restored = (values.float() - zero[group]) * scale[group]
    assert float((restored - x).abs().max()) <= float(scale.max()) / 2 + 1e-6
    unsigned = Q.abs_max_quantize_grouped_with_zero_point(x, 4, value_range=(0, 15), dtype="uint8")
    theirs = keras3.quantizers.abs_max_quantize_grouped_with_zero_point(_np(x), 4, value_range=(0, 15), dtype="uint8")
    assert unsigned[0].dtype == torch.uint8
    np.testing.assert_array_equal(_np(unsigned[0]), _np(theirs[0]))
    single = np.array([[1.0, 2.0], [2.0, 3.0], [1.5, 2.5]], "float32")  # one group: padded by the host only
    for host in (False, True):
        for ours, theirs in zip(
            Q.abs_max_quantize_grouped_with_zero_point(single, 4, to_numpy=host),
            keras3.quantizers.abs_max_quantize_grouped_with_zero_point(single, 4, to_numpy=host),
        ):
            np.testing.assert_array_equal(_np(ours), _np(theirs))
    wide = Q.abs_max_quantize_grouped_with_zero_point(single, 2, value_range=(-127, 127))  # 7-bit zero points
    for ours, theirs in zip(
        wide, keras3.quantizers.abs_max_quantize_grouped_with_zero_point(single, 2, value_range=(-127, 127))
    ):
        np.testing.assert_array_equal(_np(ours), _np(theirs))
    with pytest.raises(ValueError, match="2-D"):
        Q.abs_max_quantize_grouped_with_zero_point(torch.ones(2, 2, 2), 2)
    with pytest.raises(ValueError, match="block_size"):
        Q.abs_max_quantize_grouped_with_zero_point(x, 0)


@given(data=st.data())
def test_pack_int4_matches_keras_and_unpacks(keras3, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    dtype = data.draw(st.sampled_from(["int8", "uint8"]))
    low, high = (-8, 7) if dtype == "int8" else (0, 15)
    x = data.draw(hnp.arrays(np.dtype(dtype), shape, elements=st.integers(low, high)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    packed, packed_shape, length = Q.pack_int4(x, axis=axis, dtype=dtype)
    theirs = keras3.quantizers.pack_int4(x, axis=axis, dtype=dtype)
    np.testing.assert_array_equal(_np(packed), _np(theirs[0]))
    assert packed_shape == tuple(theirs[1]) and length == theirs[2] == shape[axis]
    np.testing.assert_array_equal(_np(Q.unpack_int4(packed, length, axis=axis, dtype=dtype)), x)


def test_pack_int4_refusals():
    with pytest.raises(TypeError, match="int8"):
        Q.pack_int4(np.zeros((2, 2), np.int32))
    with pytest.raises(ValueError, match="dtype"):
        Q.pack_int4(np.zeros((2, 2), np.int8), dtype="int16")
    with pytest.raises(ValueError, match="orig_len"):
        Q.unpack_int4(np.zeros((2, 2), np.int8), 9)


def test_float8_scale_history_and_rounding_match_keras(keras3):
    rng = np.random.default_rng(0)
    amax = np.concatenate([rng.random(200) * 1000, [0.0, np.inf, -1.0, np.nan, 1e-40]]).astype("float32")
    scale = (rng.random(amax.size) * 3 + 0.1).astype("float32")
    for margin in (0, 2):
        ours = torch.stack([Q.compute_float8_scale(a, s, 448.0, margin) for a, s in zip(amax, scale)])
        theirs = torch.stack(
            [
                keras3.quantizers.compute_float8_scale(torch.tensor(a), torch.tensor(s), 448.0, margin)
                for a, s in zip(amax, scale)
            ]
        )
        np.testing.assert_array_equal(_np(ours), _np(theirs))
    history = rng.random(6).astype("float32")
    x = rng.normal(size=(3, 4)).astype("float32") * 7
    np.testing.assert_array_equal(
        _np(Q.compute_float8_amax_history(x, history)),
        _np(keras3.quantizers.compute_float8_amax_history(torch.tensor(x), torch.tensor(history))),
    )
    values = (rng.normal(size=200) * 300).astype("float32")  # beyond e4m3's 448 too: clipped
    for dtype in ("float8_e4m3fn", "float8_e5m2"):
        for s in (1.0, 0.37):
            np.testing.assert_array_equal(
                _np(Q.quantize_and_dequantize(values, s, dtype, "float32")),
                _np(keras3.quantizers.quantize_and_dequantize(torch.tensor(values), torch.tensor(s), dtype, "float32")),
            )
    with pytest.raises(ValueError, match="quantized_dtype"):
        Q.quantize_and_dequantize(values, 1.0, "int8", "float32")


@pytest.mark.parametrize("narrow_range", [False, True])
@pytest.mark.parametrize("num_bits", [3, 8])
def test_fake_quant_matches_keras_with_gradients(keras3, num_bits, narrow_range):
    rng = np.random.default_rng(num_bits)
    x = (rng.normal(size=(5, 3)) * 1.5).astype("float32")
    upstream = torch.tensor(rng.normal(size=(5, 3)).astype("float32"))
    for low, high, axis in ((-0.4, 1.3, None), ([-0.5, 0.0, -1.0], [0.5, 1.0, 2.5], -1)):
        results = []
        for fn in (Q.fake_quant_with_min_max_vars, keras3.quantizers.fake_quant_with_min_max_vars):
            xt = torch.tensor(x, requires_grad=True)
            lo = torch.tensor(low, requires_grad=True)
            hi = torch.tensor(high, requires_grad=True)
            y = fn(xt, lo, hi, num_bits=num_bits, narrow_range=narrow_range, axis=axis)
            (y * upstream).sum().backward()
            results.append([_np(y), _np(xt.grad), _np(lo.grad), _np(hi.grad)])
        for ours, theirs in zip(*results):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_fake_quant_per_channel_axis_and_refusals():
    x = torch.tensor([[0.1, 2.0], [0.7, -3.0]])
    y = Q.fake_quant_with_min_max_vars(x, [0.0, -4.0], [1.0, 4.0], num_bits=2, axis=1)
    first = Q.fake_quant_with_min_max_vars(x[:, :1], 0.0, 1.0, num_bits=2)
    second = Q.fake_quant_with_min_max_vars(x[:, 1:], -4.0, 4.0, num_bits=2)
    torch.testing.assert_close(y, torch.cat([first, second], dim=1))
    rows = Q.fake_quant_with_min_max_vars(x, [0.0, -4.0], [1.0, 4.0], num_bits=2, axis=0)  # Keras supports -1 only
    torch.testing.assert_close(rows[0], Q.fake_quant_with_min_max_vars(x[0], 0.0, 1.0, num_bits=2))
    with pytest.raises(ValueError, match="num_bits"):
        Q.fake_quant_with_min_max_vars(x, 0.0, 1.0, num_bits=1)
    with pytest.raises(ValueError, match="per-channel"):
        Q.fake_quant_with_min_max_vars(x, [0.0, 1.0, 2.0], [1.0, 2.0, 3.0], axis=1)
    with pytest.raises(ValueError, match="axis=None"):
        Q.fake_quant_with_min_max_vars(x, [0.0, 1.0], [1.0, 2.0])


# --------------------------------------------------------- classes and configs
def test_abs_max_quantizer_config_and_keras_interchange(keras3):
    quantizer = Q.AbsMaxQuantizer(axis=0, value_range=(-100, 100))
    assert quantizer.get_config() == {"value_range": (-100, 100), "epsilon": 1e-7, "output_dtype": "int8", "axis": (0,)}
    assert Q.AbsMaxQuantizer().get_config() == keras3.quantizers.AbsMaxQuantizer().get_config()
    text = json.dumps(Q.serialize(quantizer))
    theirs = keras3.quantizers.deserialize(json.loads(text))
    assert theirs.axis == (0,) and tuple(theirs.value_range) == (-100, 100)
    back = Q.deserialize(json.loads(json.dumps(keras3.quantizers.serialize(theirs))))
    assert isinstance(back, Q.AbsMaxQuantizer) and back.axis == (0,) and back.value_range == (-100, 100)
    x = torch.randn(4, 3)
    values, scale = Q.AbsMaxQuantizer()(x)  # no axis anywhere: the last axis
    assert scale.shape == (4, 1)
    assert Q.get("abs_max_quantizer", axis=-1).axis == (-1,) and Q.get("AbsMaxQuantizer").axis is None
    assert Q.get(None) is None and Q.get(quantizer) is quantizer
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
        Q.get("nope")
    with pytest.raises(ValueError, match="axis"):
        Q.AbsMaxQuantizer(axis="x")
    with pytest.raises(NotImplementedError, match="get_config"):
        Q.Quantizer().get_config()
    with pytest.raises(NotImplementedError, match="__call__"):
        Q.Quantizer()(x)
    assert kerastorch.Quantizer is Q.Quantizer


def test_quantization_configs_match_keras(keras3):
    pairs = [
        (Q.Int8QuantizationConfig(), keras3.quantizers.Int8QuantizationConfig()),
        (
            Q.Int8QuantizationConfig(activation_quantizer=None),
            keras3.quantizers.Int8QuantizationConfig(activation_quantizer=None),
        ),
        (Q.Int4QuantizationConfig(), keras3.quantizers.Int4QuantizationConfig()),
        (
            Q.Int4QuantizationConfig(block_size=None, activation_quantizer=Q.AbsMaxQuantizer(axis=-1)),
            keras3.quantizers.Int4QuantizationConfig(
                block_size=None, activation_quantizer=keras3.quantizers.AbsMaxQuantizer(-1)
            ),
        ),
        (Q.Float8QuantizationConfig(), keras3.quantizers.Float8QuantizationConfig()),
    ]
    for ours, theirs in pairs:
        assert ours.mode == theirs.mode
        ours_text = json.loads(json.dumps(Q.serialize(ours)))
        theirs_text = json.loads(json.dumps(keras3.quantizers.serialize(theirs)))
        assert ours_text == theirs_text
        assert Q.serialize(Q.deserialize(theirs_text)) == ours_text
        assert keras3.quantizers.deserialize(ours_text).get_config().keys() == theirs.get_config().keys()
    restored = Q.Int8QuantizationConfig.from_config(Q.Int8QuantizationConfig(activation_quantizer=None).get_config())
    assert restored.activation_quantizer is None
    assert Q.QuantizationConfig.weight_quantizer_or_default(None, "d") == "d"
    with pytest.raises(NotImplementedError, match="Subclasses"):
        Q.QuantizationConfig().mode


def test_quantization_config_refusals():
    with pytest.raises(ValueError, match="output_dtype='int8'"):
        Q.Int8QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(axis=0, output_dtype="int16"))
    with pytest.raises(ValueError, match="block_size must be"):
        Q.Int4QuantizationConfig(block_size=0)
    with pytest.raises(ValueError, match="does not support custom quantizers"):
        Q.Int4QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(axis=0, value_range=(-8, 7)))
    with pytest.raises(ValueError, match=r"\[-8, 7\]"):
        Q.Int4QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(axis=0), block_size=-1)
    with pytest.raises(ValueError, match="weight_quantizer must be"):
        Q.Int8QuantizationConfig(weight_quantizer="abs_max")
    with pytest.raises(ValueError, match="either `mode` or `config`"):
        validate_and_resolve_config(None, None)
    with pytest.raises(ValueError, match="Contradictory"):
        validate_and_resolve_config("int4", Q.Int8QuantizationConfig())
    with pytest.raises(ValueError, match="Invalid quantization mode"):
        validate_and_resolve_config("int2", None)
    for mode in ("gptq", "awq"):
        with pytest.raises(NotImplementedError, match="does not implement"):
            validate_and_resolve_config(mode, None)
    for name in ("GPTQConfig", "AWQConfig"):
        with pytest.raises(AttributeError, match="not available"):
            getattr(Q, name)


# ------------------------------------------------------------- dtype policies
def test_quantized_policies_match_keras(keras3):
    names = [
        "int8_from_float32",
        "int8_from_mixed_bfloat16",
        "int4_from_float32",
        "int4/64_from_bfloat16",
        "int4/-1_from_float32",
        "float8_from_mixed_float16",
    ]
    for name in names:
        ours, theirs = policies.get(name), keras3.dtype_policies.get(name)
        assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name == name
        assert (ours.compute_dtype, ours.variable_dtype, ours.quantization_mode) == (
            theirs.compute_dtype,
            theirs.variable_dtype,
            theirs.quantization_mode,
        )
        ours_text = json.loads(json.dumps(policies.serialize(ours)))
        assert ours_text == json.loads(json.dumps(keras3.dtype_policies.serialize(theirs)))
        assert keras3.dtype_policies.deserialize(ours_text).name == name
        assert policies.deserialize(ours_text) == ours and policies.get(ours_text) == ours
    float8 = policies.QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=16)
    assert float8.get_config() == {"mode": "float8", "source_name": "float32", "amax_history_length": 16}
    assert float8 != policies.QuantizedFloat8DTypePolicy("float8", "float32")
    assert float8 != policies.QuantizedDTypePolicy("float8", "float32")
    assert policies.Int4DTypePolicy("int4/32", "float32").block_size == 32
    assert policies.QuantizedDTypePolicy("int8").get_config() == {"mode": "int8", "source_name": None}


def test_quantized_policy_refusals():
    with pytest.raises(ValueError, match="Invalid quantization mode"):
        policies.QuantizedDTypePolicy("int2", "float32")
    with pytest.raises(ValueError, match="float16"):
        policies.QuantizedDTypePolicy("int8", "mixed_float16")
    with pytest.raises(ValueError, match="float dtype policy"):
        policies.QuantizedDTypePolicy("int8", "int32")
    with pytest.raises(ValueError, match="'float8'"):
        policies.QuantizedFloat8DTypePolicy("int8", "float32")
    with pytest.raises(TypeError, match="integer"):
        policies.QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=2.5)
    with pytest.raises(ValueError, match="positive"):
        policies.QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=0)
    for mode, message in (("int4", "Expected format"), ("int4/x", "must be an integer"), ("int4/0", "block_size")):
        with pytest.raises(ValueError, match=message):
            policies.Int4DTypePolicy(mode, "float32")
    for name in ("gptq/4/128_from_float32", "awq/4/128_from_float32"):
        with pytest.raises(ValueError, match="does not implement"):
            policies.get(name)
    with pytest.raises(AttributeError, match="not available"):
        policies.GPTQDTypePolicy


def test_dtype_policy_map_lookup_config_and_keras_interchange(keras3):
    policy_map = policies.DTypePolicyMap(default_policy="float32")
    policy_map["encoder/dense"] = "bfloat16"
    policy_map["encoder/.*"] = policies.QuantizedDTypePolicy("int8", "float32")
    policy_map["decoder"] = "float16"
    assert policy_map["encoder/dense"].name == "bfloat16"  # an exact key first
    assert policy_map["encoder/attention"].name == "int8_from_float32"  # then a regex over the whole path
    assert policy_map["decoder/attention"].name == "float32"  # no prefix matching: the default
    assert len(policy_map) == 3 and policy_map.name == "map_float32" and policy_map.quantization_mode is None
    with pytest.raises(ValueError, match="already exist"):
        policy_map["decoder"] = "float32"
    policy_map["encoder/att.*"] = "float16"
    with pytest.raises(ValueError, match="matches multiple"):
        policy_map["encoder/attention"]
    del policy_map["encoder/att.*"]
    text = json.loads(json.dumps(policies.serialize(policy_map)))
    theirs = keras3.dtype_policies.deserialize(text)
    assert theirs["encoder/attention"].name == "int8_from_float32" and theirs["decoder"].name == "float16"
    back = policies.deserialize(json.loads(json.dumps(keras3.dtype_policies.serialize(theirs))))
    assert back == policy_map
    with pytest.raises(TypeError, match="dict"):
        policies.DTypePolicyMap(policy_map=[("a", "float32")])
