"""kerastorch.ops.dtypes: Keras 3's promotion lattice (``result_type``, compared with
``keras.backend.result_type`` on every pair and on random lists of dtypes, Python types and scalars, under
each floatx), kerastorch's 64-bit rule, and ``to_tensors``."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import kerastorch
from kerastorch.ops import dtypes
from kerastorch.ops.dtypes import result_type, standardize_dtype, to_tensors

NAMES = [
    "bool",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
    "bfloat16",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
PY_TYPES = [int, float, bool, complex]
TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}
"""Keras 3's ``result_type`` narrows 64-bit results to 32 bits on non-TensorFlow backends; kerastorch keeps them."""


@pytest.fixture(params=["float32", "float16", "float64", "bfloat16"])
def floatx(request, keras3):
    old_ours, old_keras = kerastorch.config.floatx(), keras3.config.floatx()
    kerastorch.config.set_floatx(request.param)
    keras3.config.set_floatx(request.param)
    yield request.param
    kerastorch.config.set_floatx(old_ours)
    keras3.config.set_floatx(old_keras)


def _keras_arg(value):
    """What Keras's ``result_type`` accepts for one of our arguments: Python scalars as their types."""
    return type(value) if isinstance(value, (bool, int, float, complex)) else value


def test_every_pair_matches_keras(keras3, floatx):
    for a, b in itertools.product(NAMES + PY_TYPES, repeat=2):
        ours = result_type(a, b)
        assert TO_32.get(ours, ours) == keras3.backend.result_type(a, b), (a, b, floatx)


@given(
    args=st.lists(
        st.one_of(st.sampled_from(NAMES + PY_TYPES), st.integers(-3, 3), st.floats(-2, 2), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_random_lists_match_keras(keras3, args):
    ours = result_type(*args)
    assert TO_32.get(ours, ours) == keras3.backend.result_type(*map(_keras_arg, args))


def test_sixty_four_bit_results_are_kept():
    assert result_type("int64", "int8") == "int64"
    assert result_type("float64", "float16") == "float64"
    assert result_type("float32", "float64") == "float64"
    assert result_type("int64", 1.5) == "float32"  # a weak float takes floatx
    assert result_type("uint32", "int32") == "int64"
    assert result_type("complex64", "float64") == "complex128"


def test_values_and_weak_scalars():
    assert result_type(torch.ones(2, dtype=torch.int8), 3) == "int8"
    assert result_type(torch.ones(2, dtype=torch.float16), 2.5) == "float16"
    assert result_type(torch.ones(2, dtype=torch.int32), 2.5) == "float32"
    assert result_type(np.ones(2, np.uint8), np.ones(2, np.int8)) == "int16"
    assert result_type(np.float64(1.0)) == "float64"  # NumPy scalars are strong
    assert result_type([1, 2]) == "int32" and result_type([1, 2.5]) == "float32" and result_type([True]) == "bool"
    assert result_type(True, 1) == "int32" and result_type(True) == "bool"
    assert result_type() == kerastorch.config.floatx()
    assert result_type(torch.float16, np.dtype("int32")) == "float16"


def test_float8_does_not_promote():
    with pytest.raises(ValueError, match=r"result_type: float8"):
        result_type("float8_e4m3fn", "float32")


def test_standardize_dtype():
    assert standardize_dtype(torch.int16) == "int16"
    assert standardize_dtype(np.dtype("float64")) == "float64"
    assert standardize_dtype("float") == "float32"
    assert dtypes.standardize_dtype is kerastorch.config.standardize_dtype
    with pytest.raises(ValueError, match="Unknown dtype"):
        standardize_dtype("float31")


@given(
    d1=st.sampled_from(["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]),
    d2=st.sampled_from(["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]),
    scalar=st.sampled_from([None, 2, -1.5, True]),
)
def test_to_tensors_promotes_to_one_dtype(d1, d2, scalar):
    a = torch.ones(2, dtype=getattr(torch, d1))
    b = np.ones((3, 1), dtype=d2)
    inputs = [a, b] + ([] if scalar is None else [scalar])
    out = to_tensors(*inputs)
    expected = getattr(torch, result_type(*inputs))
    assert all(isinstance(t, torch.Tensor) and t.dtype == expected and t.device == a.device for t in out)
    np.testing.assert_array_equal(out[1].numpy(), b.astype(out[1].numpy().dtype))
    if a.dtype == expected:
        assert out[0] is a  # no copy when nothing changes


def test_to_tensors_explicit_dtype_and_default_device():
    x, y = to_tensors([1, 2], 3.0, dtype="float64")
    assert x.dtype == y.dtype == torch.float64 and x.device == kerastorch.config.default_device()
    (z,) = to_tensors(2)
    assert z.dtype == torch.int32 and z.shape == ()
