"""``keras.backend`` essentials against Keras 3: settings, dtype helpers, promotion, names, device scope."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import kerastorch
from kerastorch import backend, config, layers, ops

DTYPES = [
    "bool",
    "uint8",
    "uint16",
    "uint32",
    "int8",
    "int16",
    "int32",
    "int64",
    "bfloat16",
    "float16",
    "float32",
    "float64",
]
_TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32"}


@pytest.mark.parity
def test_settings_match_keras(keras3):
    assert backend.backend() == keras3.backend.backend() == "torch"
    assert backend.floatx() == keras3.backend.floatx()
    assert backend.epsilon() == keras3.backend.epsilon()
    assert backend.image_data_format() == keras3.backend.image_data_format()
    ours = {n for n in dir(backend) if not n.startswith("_")}
    assert {n for n in dir(keras3.backend) if not n.startswith("_")} <= ours


def test_setters_change_and_restore_the_global_settings():
    try:
        backend.set_floatx("float64")
        assert backend.floatx() == config.floatx() == "float64"
        assert ops.convert_to_tensor([1.5]).dtype == torch.float64
        backend.set_epsilon(1e-4)
        assert backend.epsilon() == 1e-4
        backend.set_image_data_format("channels_first")
        assert backend.image_data_format() == "channels_first"
        with pytest.raises(ValueError, match="expected 'channels_last' or 'channels_first', received 'nhwc'"):
            backend.set_image_data_format("nhwc")
    finally:
        backend.set_floatx("float32")
        backend.set_epsilon(1e-7)
        backend.set_image_data_format("channels_last")
    assert ops.convert_to_tensor([1.5]).dtype == torch.float32


@pytest.mark.parity
@pytest.mark.parametrize("dtype", DTYPES + [torch.float16, np.int8, np.dtype("uint8"), int, float, bool])
def test_dtype_helpers_match_keras(keras3, dtype):
    assert backend.standardize_dtype(dtype) == keras3.backend.standardize_dtype(dtype)
    assert backend.is_float_dtype(dtype) == keras3.backend.is_float_dtype(dtype)
    assert backend.is_int_dtype(dtype) == keras3.backend.is_int_dtype(dtype)


@pytest.mark.parity
@given(st.lists(st.sampled_from(DTYPES), min_size=1, max_size=3))
def test_result_type_matches_keras_up_to_64_bits(keras3, dtypes):
    ours, theirs = backend.result_type(*dtypes), keras3.backend.result_type(*dtypes)
    # Keras's torch backend narrows 64-bit results to 32 bits; kerastorch keeps them (see kerastorch.ops.dtypes)
    assert ours == theirs or _TO_32.get(ours) == theirs, (dtypes, ours, theirs)
    tensors = [torch.zeros(1, dtype=getattr(torch, d)) for d in dtypes]
    assert backend.result_type(*tensors) == ours


def test_names_uids_and_keras_tensors():
    backend.clear_session()
    assert layers.Dense(2).name == "dense" and layers.Dense(2).name == "dense_1"
    backend.clear_session(free_memory=False)
    assert layers.Dense(2).name == "dense"
    assert [backend.get_uid("thing"), backend.get_uid("thing"), backend.get_uid()] == [1, 2, 1]
    x = kerastorch.Input((3,))
    assert backend.is_keras_tensor(x) and isinstance(x, backend.KerasTensor)
    assert not backend.is_keras_tensor(torch.ones(3)) and not backend.is_keras_tensor(np.ones(3))


def test_device_scope_sets_and_restores_the_default_device():
    before = config.default_device()
    with backend.device("cpu:0"):
        assert config.default_device() == torch.device("cpu", 0)
        with backend.device("cpu"):
            assert ops.convert_to_tensor([1.0]).device.type == "cpu"
        assert config.default_device() == torch.device("cpu", 0)
    assert config.default_device() == before
    with pytest.raises(RuntimeError):
        with backend.device("not_a_device"):
            pass
    assert config.default_device() == before


@pytest.mark.cuda
def test_gpu_names_map_to_cuda():
    with backend.device("gpu:0"):
        assert ops.convert_to_tensor([1.0]).device == torch.device("cuda", 0)
