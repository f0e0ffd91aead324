"""Parity of kerastorch.ops' comparisons, logic, bit operations and predicates (ops/numpy/logic.py) with
Keras 3's keras.ops on random shapes, dtypes and values; errors that name the function."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from parity_checks import DTYPES, INTS, arrays, assert_signatures_match, broadcastable, call_both, shapes, to_np

from kerastorch import ops
from kerastorch.ops.numpy import logic

pytestmark = pytest.mark.usefixtures("_cpu")

INT_LIKE = ("bool",) + INTS
BINARY = {
    "equal": DTYPES,
    "not_equal": DTYPES,
    "greater": DTYPES,
    "greater_equal": DTYPES,
    "less": DTYPES,
    "less_equal": DTYPES,
    "logical_and": DTYPES,
    "logical_or": DTYPES,
    "logical_xor": DTYPES,
    "isclose": DTYPES,
    "allclose": DTYPES,
    "bitwise_and": DTYPES,
    "bitwise_or": DTYPES,
    "bitwise_xor": DTYPES,
    "left_shift": INTS,
    "right_shift": INTS,
    "bitwise_left_shift": INTS,
    "bitwise_right_shift": INTS,
}
UNARY = {
    "logical_not": DTYPES,
    "bitwise_invert": DTYPES,
    "bitwise_not": DTYPES,
    "isnan": DTYPES,
    "isinf": DTYPES,
    "isfinite": DTYPES,
    "isneginf": DTYPES,
    "isposinf": DTYPES,
    "isreal": DTYPES,
    "signbit": DTYPES,
}
SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -2.5, float("nan"), float("inf"), -float("inf")])


def _values(draw, dtype, shape):
    """Small integers (as floats for float dtypes, so that comparisons meet ties) or special floats."""
    if dtype in ("bool",) + INTS:
        return draw(arrays(dtype, shape))
    special = draw(st.booleans())
    size = int(np.prod(shape))
    pool = SPECIAL if special else st.integers(-2, 2).map(float)
    return np.array(draw(st.lists(pool, min_size=size, max_size=size)), dtype=dtype).reshape(shape)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_matches_keras(keras3, name, data):
    dtype = data.draw(st.sampled_from(UNARY[name]), label="dtype")
    x = _values(data.draw, dtype, data.draw(shapes()))
    call_both(getattr(ops, name), getattr(keras3.ops, name), [x])


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_matches_keras(keras3, name, data):
    dtypes = BINARY[name]
    d1 = data.draw(st.sampled_from(dtypes), label="dtype1")
    shape = data.draw(shapes())
    x1 = _values(data.draw, d1, shape)
    shift = "shift" in name
    if data.draw(st.booleans(), label="scalar"):
        x2 = data.draw(st.integers(0, 3) if shift or d1 in INT_LIKE else st.sampled_from([1, -1.0, 0.5]))
    else:
        d2 = data.draw(st.sampled_from(dtypes), label="dtype2")
        x2 = _values(data.draw, d2, data.draw(broadcastable(shape)))
        if shift:
            x2 = np.asarray(np.clip(x2, 0, 3), dtype=x2.dtype)
            x1 = np.asarray(np.abs(x1), dtype=x1.dtype)
    call_both(getattr(ops, name), getattr(keras3.ops, name), [x1, x2])


@given(
    x=arrays("float32", shapes(1)),
    noise=st.sampled_from([0.0, 1e-7, 1e-3]),
    rtol=st.sampled_from([1e-5, 1e-2]),
    atol=st.sampled_from([1e-8, 1e-2]),
    equal_nan=st.booleans(),
)
def test_isclose_tolerances(keras3, x, noise, rtol, atol, equal_nan):
    x = x.copy()
    x.flat[0] = np.nan
    y = (x + noise).astype("float32")
    kwargs = dict(rtol=rtol, atol=atol, equal_nan=equal_nan)
    call_both(ops.isclose, keras3.ops.isclose, [x, y], kwargs)
    call_both(ops.allclose, keras3.ops.allclose, [x, y], kwargs)


def test_allclose_returns_a_tensor_without_sync():
    out = ops.allclose(torch.ones(3), torch.ones(3))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.bool and out.shape == () and bool(out)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.equal: expected shapes that broadcast"):
        ops.equal(torch.ones(2), torch.ones(3))
    with pytest.raises(ValueError, match=r"ops\.logical_and"):
        ops.logical_and(torch.ones(2, 3), torch.ones(2))
    with pytest.raises(TypeError, match=r"ops\.bitwise_and: expected integer or bool"):
        ops.bitwise_and(torch.ones(2), torch.ones(2))
    with pytest.raises(TypeError, match=r"ops\.bitwise_invert: expected integer or bool"):
        ops.bitwise_invert(torch.ones(2))
    with pytest.raises(TypeError, match=r"ops\.left_shift"):
        ops.left_shift(torch.ones(2), 1)


def test_python_inputs():
    assert ops.equal(1, 1.0).dtype == torch.bool and bool(ops.equal(1, 1.0))
    np.testing.assert_array_equal(to_np(ops.greater([1, 2, 3], 2)), [False, False, True])
    assert ops.bitwise_and(np.int8(3), torch.tensor([1, 2], dtype=torch.int8)).dtype == torch.int8


def test_signatures_are_keras(keras3):
    assert_signatures_match(logic, keras3.ops)
