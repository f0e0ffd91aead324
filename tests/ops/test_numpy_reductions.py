"""Parity of kerastorch.ops' reductions (ops/numpy/reductions.py) with Keras 3's keras.ops on random shapes,
dtypes, axes and keepdims: same values (within round-off), dtypes, shapes and float32 gradients."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from parity_checks import DTYPES, arrays, assert_signatures_match, call_both, shapes, to_np

from kerastorch import ops
from kerastorch.ops.numpy import reductions

pytestmark = pytest.mark.usefixtures("_cpu")

# name: (dtypes, takes keepdims, axis kinds ("tuple": int, tuple or None; "int": int or None), gradient check)
REDUCTIONS = {
    "sum": (DTYPES, True, "tuple", True),
    "prod": (DTYPES, True, "tuple", True),
    "mean": (DTYPES, True, "tuple", True),
    "var": (DTYPES, True, "tuple", True),
    "std": (DTYPES, True, "tuple", True),
    "max": (DTYPES, True, "tuple", True),
    "min": (DTYPES, True, "tuple", True),
    "amax": (DTYPES, True, "tuple", True),
    "amin": (DTYPES, True, "tuple", True),
    "ptp": (DTYPES, True, "tuple", True),
    "all": (DTYPES, True, "tuple", False),
    "any": (DTYPES, True, "tuple", False),
    "count_nonzero": (DTYPES, False, "tuple", False),
    "argmax": (DTYPES, True, "int", False),
    "argmin": (DTYPES, True, "int", False),
    "cumsum": (DTYPES, False, "int", True),
    "cumprod": (DTYPES, False, "int", True),
    "nansum": (DTYPES, True, "tuple", True),
    "nanprod": (DTYPES, True, "tuple", True),
    "nanmean": (DTYPES, True, "tuple", True),
    "nanvar": (DTYPES, True, "tuple", True),
    "nanstd": (DTYPES, True, "tuple", True),
    "nanmax": (DTYPES, True, "tuple", True),
    "nanmin": (DTYPES, True, "tuple", True),
    "nanargmax": (DTYPES, True, "int", False),
    "nanargmin": (DTYPES, True, "int", False),
    "nancumsum": (DTYPES, False, "int", True),
    "nancumprod": (DTYPES, False, "int", True),
}
NAN_AWARE = {name for name in REDUCTIONS if name.startswith("nan")}


@st.composite
def axes(draw, ndim, kind):
    """None, an int axis (maybe negative) or, for ``kind == "tuple"``, a tuple of distinct axes."""
    if ndim == 0 or draw(st.booleans()):
        return None
    if kind == "tuple" and draw(st.booleans()):
        picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
        return tuple(a - ndim if draw(st.booleans()) else a for a in picked)
    axis = draw(st.integers(0, ndim - 1))
    return axis - ndim if draw(st.booleans()) else axis


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_reduction_matches_keras(keras3, name, data):
    dtypes, keepdims, axis_kind, grad = REDUCTIONS[name]
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    if name == "ptp" and dtype == "bool":
        dtype = "int8"  # Keras subtracts bools (an error in torch)
    shape = data.draw(shapes(1 if name.endswith(("argmax", "argmin")) else 0, 3), label="shape")
    # distinct float values: the gradients of max/min/median at ties depend on the implementation
    x = data.draw(arrays(dtype, shape, "small", unique=dtype.startswith("float")), label="x")
    if name in NAN_AWARE and dtype.startswith("float") and x.size > 1 and data.draw(st.booleans(), label="nan"):
        x = x.copy()
        x.flat[data.draw(st.integers(0, x.size - 1))] = np.nan
    kwargs = {"axis": data.draw(axes(x.ndim, axis_kind), label="axis")}
    if keepdims:
        kwargs["keepdims"] = data.draw(st.booleans(), label="keepdims")
    call_both(
        getattr(ops, name),
        _keras_fn(keras3, name, x.ndim, kwargs),
        [x],
        kwargs,
        grad=grad and dtype == "float32" and not np.isnan(x).any(),
    )


def _reverse_axes(t):
    return t.permute(*reversed(range(t.ndim))) if t.ndim > 1 else t


KEEPDIMS_IGNORED = {"sum", "prod", "max", "min", "amax", "amin", "ptp", "nanprod"}
"""Keras 3.15's torch backend drops ``keepdims`` when ``axis`` is None in these reductions (NumPy and Keras's
other backends keep the reduced axes as ones); kerastorch keeps them."""


def _keras_fn(keras3, name, ndim, kwargs):
    """Keras's function, with its torch-backend shape bugs undone: ``KEEPDIMS_IGNORED``, and ``count_nonzero``
    returning the transposed counts."""
    fn = getattr(keras3.ops, name)
    if name in KEEPDIMS_IGNORED and kwargs.get("axis") is None and kwargs.get("keepdims"):
        return lambda *a, **k: fn(*a, **k).reshape((1,) * ndim)
    if name == "count_nonzero":
        return lambda *a, **k: _reverse_axes(fn(*a, **k))
    return fn


@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_average_matches_keras(keras3, dtype, data):
    shape = data.draw(shapes(1, 3))
    x = data.draw(arrays(dtype, shape, "small"))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    weights = None
    if axis % len(shape) == len(shape) - 1 and data.draw(st.booleans()):
        # Keras 3.15's torch backend weighs correctly only along the last axis, with full or 1-D weights (along
        # another axis it fails or divides by the wrong sum); every axis is checked against NumPy below
        wshape = data.draw(st.sampled_from([shape, (shape[axis],)]))
        weights = data.draw(arrays("float32", wshape, "pos"))
    call_both(ops.average, keras3.ops.average, [x], {"axis": axis, "weights": weights}, grad=dtype == "float32")


@given(x=arrays("float32", shapes(1, 3), "small"), data=st.data(), full=st.booleans())
def test_average_weights_on_any_axis_match_numpy(x, data, full):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    w = data.draw(arrays("float32", x.shape if full else (x.shape[axis],), "pos"))
    out = ops.average(torch.tensor(x), axis=axis, weights=torch.tensor(w))
    np.testing.assert_allclose(to_np(out), np.average(x, axis=axis, weights=w), rtol=1e-5, atol=1e-6)


@given(x=arrays("float32", shapes(1, 3), "small"), data=st.data())
def test_average_all_axes_with_full_weights(x, data):
    """Keras 3.15's torch backend reduces only the first axis here; kerastorch gives NumPy's scalar."""
    w = data.draw(arrays("float32", x.shape, "pos"))
    out = ops.average(torch.tensor(x), weights=torch.tensor(w))
    np.testing.assert_allclose(to_np(out), np.average(x, weights=w), rtol=1e-5, atol=1e-6)


@given(
    dtype=st.sampled_from(["bool", "int8", "float32"]),
    data=st.data(),
    target=st.sampled_from(["int32", "float32", "int64"]),
    name=st.sampled_from(["cumsum", "cumprod", "nancumsum"]),
)
def test_cumulative_dtype_argument(keras3, dtype, data, target, name):
    x = data.draw(arrays(dtype, shapes(1, 2), "small"))
    # Keras narrows an explicit int64 to int32; kerastorch gives the dtype asked for
    out = call_both(
        getattr(ops, name), getattr(keras3.ops, name), [x], {"axis": 0, "dtype": target}, check_dtype=target != "int64"
    )
    assert str(out.dtype) == f"torch.{target}"


@given(data=st.data(), initial=st.sampled_from([-1.0, 0.5, 3.0]), name=st.sampled_from(["max", "min"]))
def test_initial(keras3, data, initial, name):
    x = data.draw(arrays("float32", shapes(1, 2), "small"))
    call_both(getattr(ops, name), getattr(keras3.ops, name), [x], {"axis": 0, "initial": initial})


@given(x=arrays("float32", shapes(1, 2)), name=st.sampled_from(["sum", "mean", "max", "prod", "any", "var"]))
def test_empty_axis_tuple_reduces_nothing(keras3, x, name):
    out = getattr(ops, name)(torch.tensor(x), axis=())
    assert tuple(out.shape) == x.shape


def test_all_nan_slices():
    x = torch.tensor([[float("nan"), float("nan")], [1.0, float("nan")]])
    np.testing.assert_array_equal(to_np(ops.nanmax(x, axis=1)), [np.nan, 1.0])
    np.testing.assert_array_equal(to_np(ops.nanmin(x, axis=1)), [np.nan, 1.0])
    np.testing.assert_array_equal(to_np(ops.nansum(x, axis=1)), [0.0, 1.0])
    assert torch.isnan(ops.nanmean(x, axis=1)[0])


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.sum: expected axis in \[-2, 2\), received axis=2"):
        ops.sum(torch.ones(2, 3), axis=2)
    with pytest.raises(ValueError, match=r"ops\.mean: expected axis"):
        ops.mean(torch.ones(2, 3), axis=(0, -3))
    with pytest.raises(ValueError, match=r"ops\.argmax: expected an int or None axis"):
        ops.argmax(torch.ones(2, 3), axis=(0, 1))
    with pytest.raises(ValueError, match=r"ops\.max: cannot reduce an empty tensor"):
        ops.max(torch.ones(0))
    with pytest.raises(ValueError, match=r"ops\.average: expected weights of shape \(2, 3\)"):
        ops.average(torch.ones(2, 3), axis=1, weights=torch.ones(2))
    with pytest.raises(ValueError, match=r"ops\.cumsum: expected axis"):
        ops.cumsum(torch.ones(2), axis=1)


def test_signatures_are_keras(keras3):
    assert_signatures_match(reductions, keras3.ops)
