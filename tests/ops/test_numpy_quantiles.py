"""Parity of kerastorch.ops' median / quantile / percentile and their nan versions (ops/numpy/quantiles.py)
with Keras 3's keras.ops on random shapes, dtypes, q, axes, methods and keepdims."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from parity_checks import DTYPES, arrays, assert_signatures_match, call_both, shapes, to_np

from kerastorch import ops
from kerastorch.ops.numpy import quantiles

pytestmark = pytest.mark.usefixtures("_cpu")

METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


@st.composite
def _case(draw, nan_aware):
    dtype = draw(st.sampled_from(DTYPES), label="dtype")
    x = draw(arrays(dtype, shapes(1, 3), "small", unique=dtype.startswith("float")), label="x")
    if nan_aware and dtype.startswith("float") and x.size > 1 and draw(st.booleans(), label="nan"):
        x = x.copy()
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-x.ndim, x.ndim - 1),
            st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True).map(tuple),
        ),
        label="axis",
    )
    return x, {"axis": axis, "keepdims": draw(st.booleans(), label="keepdims")}


@pytest.mark.parametrize("name", ["quantile", "nanquantile", "percentile", "nanpercentile"])
@given(data=st.data())
def test_quantile_matches_keras(keras3, name, data):
    x, kwargs = data.draw(_case(name.startswith("nan")))
    scale = 100 if "percentile" in name else 1
    q = data.draw(
        st.one_of(
            st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]),
            st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0]), min_size=1, max_size=3),
        ),
        label="q",
    )
    q = [v * scale for v in q] if isinstance(q, list) else q * scale
    kwargs["method"] = data.draw(st.sampled_from(METHODS), label="method")
    call_both(
        getattr(ops, name),
        getattr(keras3.ops, name),
        [x, q],
        kwargs,
        grad=x.dtype == np.float32 and not np.isnan(x).any(),
    )


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@given(data=st.data())
def test_median_matches_keras(keras3, name, data):
    x, kwargs = data.draw(_case(name == "nanmedian"))
    call_both(
        getattr(ops, name), getattr(keras3.ops, name), [x], kwargs, grad=x.dtype == np.float32 and not np.isnan(x).any()
    )


@given(x=arrays("float32", shapes(1, 3), "small"), q=st.sampled_from([0.1, 0.5, 0.75]))
def test_quantile_tensor_q_matches_numpy(x, q):
    out = ops.quantile(torch.tensor(x), torch.tensor([q, 1 - q]), axis=0)
    np.testing.assert_allclose(to_np(out), np.quantile(x, [q, 1 - q], axis=0), rtol=1e-5, atol=1e-6)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.quantile: expected method in"):
        ops.quantile(torch.ones(3), 0.5, method="cubic")
    with pytest.raises(ValueError, match=r"ops\.percentile: expected a scalar or 1-D q"):
        ops.percentile(torch.ones(3), [[50]])
    with pytest.raises(ValueError, match=r"ops\.median: expected axis in \[-1, 1\)"):
        ops.median(torch.ones(3), axis=1)


def test_signatures_are_keras(keras3):
    assert_signatures_match(quantiles, keras3.ops)
