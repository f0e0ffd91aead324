"""Array creation ops (kerastorch/ops/numpy/creation.py) against Keras 3's ``keras.ops`` on its torch backend."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from numpy_checks import ALL, FLOATS, NUMERIC, arrays, compare

from kerastorch.ops.numpy import creation as C

DTYPE_ARG = st.sampled_from((None,) + ALL)
SIZES = st.integers(0, 4)


def _shape(d):
    return d.draw(st.lists(st.integers(0, 3), max_size=3).map(tuple))


CASES = {
    "ones": lambda d: ((_shape(d),), {"dtype": d.draw(DTYPE_ARG)}),
    "zeros": lambda d: ((_shape(d),), {"dtype": d.draw(DTYPE_ARG)}),
    "full": lambda d: (
        (_shape(d), d.draw(st.integers(-3, 3) | st.floats(-3, 3, width=16))),
        {"dtype": d.draw(st.sampled_from((None,) + NUMERIC))},
    ),
    "full_like": lambda d: (
        (d.draw(arrays(st.sampled_from(NUMERIC))), d.draw(st.integers(-3, 3) | st.floats(0, 3))),
        {"dtype": d.draw(st.sampled_from((None, "float32", "int32")))},
    ),
    "ones_like": lambda d: ((d.draw(arrays(st.sampled_from(ALL))),), {"dtype": d.draw(DTYPE_ARG)}),
    "zeros_like": lambda d: ((d.draw(arrays(st.sampled_from(ALL))),), {"dtype": d.draw(DTYPE_ARG)}),
    "array": lambda d: (
        (
            d.draw(
                st.lists(st.integers(-3, 3), min_size=1, max_size=4)
                | st.lists(st.floats(-3, 3, width=16), min_size=1, max_size=4)
                | arrays(st.sampled_from(ALL))
            ),
        ),
        {"dtype": d.draw(DTYPE_ARG)},
    ),
    "copy": lambda d: ((d.draw(arrays(st.sampled_from(ALL))),), {}),
    "arange": lambda d: (
        (d.draw(st.integers(-4, 4)), d.draw(st.integers(5, 9)), d.draw(st.sampled_from((1, 2, 3, 0.5, 1.5)))),
        {"dtype": d.draw(st.sampled_from((None, "float32", "float64")))},
    ),
    "eye": lambda d: (
        (d.draw(SIZES), d.draw(st.none() | SIZES)),
        {"k": d.draw(st.integers(-3, 3)), "dtype": d.draw(DTYPE_ARG)},
    ),
    "identity": lambda d: ((d.draw(SIZES),), {"dtype": d.draw(DTYPE_ARG)}),
    "tri": lambda d: (
        (d.draw(SIZES), d.draw(st.none() | st.integers(1, 4))),  # Keras takes M=0 for None
        {"k": d.draw(st.integers(-3, 3)), "dtype": d.draw(DTYPE_ARG)},
    ),
    "linspace": lambda d: (
        (
            d.draw(st.integers(-5, 5) | st.floats(-5, 5)),
            d.draw(st.integers(-5, 5) | st.floats(-5, 5)),
            d.draw(st.integers(0, 6)),
        ),
        {
            "endpoint": d.draw(st.booleans()),
            "retstep": d.draw(st.booleans()),
            "dtype": d.draw(st.sampled_from((None,) + FLOATS)),
        },
    ),
    "linspace_arrays": lambda d: (
        (d.draw(arrays("float32", (2,))), d.draw(arrays("float32", (2,))), d.draw(st.integers(2, 5))),
        {"endpoint": d.draw(st.booleans())},
    ),
    "logspace": lambda d: (
        (d.draw(st.integers(-2, 2)), d.draw(st.floats(-2, 2)), d.draw(st.integers(1, 5))),
        {"endpoint": d.draw(st.booleans()), "base": d.draw(st.sampled_from((10, 2, 2.5)))},
    ),
    "geomspace": lambda d: (
        (d.draw(st.floats(0.5, 5)), d.draw(st.floats(0.5, 50)), d.draw(st.integers(2, 5))),
        {"endpoint": d.draw(st.booleans())},
    ),
    "meshgrid": lambda d: (
        tuple(d.draw(arrays("float32", min_dims=1, max_dims=1)) for _ in range(d.draw(st.integers(1, 3)))),
        {"indexing": d.draw(st.sampled_from(("xy", "ij")))},
    ),
    "tril": lambda d: ((d.draw(arrays(st.sampled_from(ALL), min_dims=2)),), {"k": d.draw(st.integers(-3, 3))}),
    "triu": lambda d: ((d.draw(arrays(st.sampled_from(ALL), min_dims=2)),), {"k": d.draw(st.integers(-3, 3))}),
    "diag": lambda d: ((d.draw(arrays(st.sampled_from(ALL), max_dims=2)),), {"k": d.draw(st.integers(-2, 2))}),
    "diagflat": lambda d: ((d.draw(arrays(st.sampled_from(ALL), max_dims=2)),), {"k": d.draw(st.integers(-2, 2))}),
    "diagonal": lambda d: (
        (d.draw(arrays(st.sampled_from(ALL), min_dims=2)),),
        {"offset": d.draw(st.integers(-2, 2)), "axis1": 0, "axis2": d.draw(st.sampled_from((1, -1)))},
    ),
    "vander": lambda d: (
        (d.draw(arrays(st.sampled_from(("float32", "float64", "int32", "int64")), max_dims=1)),),
        {"N": d.draw(st.none() | st.integers(0, 4)), "increasing": d.draw(st.booleans())},
    ),
    "bartlett": lambda d: ((d.draw(SIZES),), {}),
    "blackman": lambda d: ((d.draw(SIZES),), {}),
    "hamming": lambda d: ((d.draw(SIZES),), {}),
    "hanning": lambda d: ((d.draw(SIZES),), {}),
    "kaiser": lambda d: ((d.draw(SIZES), d.draw(st.floats(0, 8))), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_same_as_keras(keras3, name, data):
    args, kwargs = CASES[name](data)
    fn = name.split("_arrays")[0]
    compare(getattr(keras3.ops, fn), getattr(C, fn), args, kwargs, rtol=1e-4 if fn == "geomspace" else None)


@pytest.mark.parametrize("name", ["empty", "empty_like"])
@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple), dtype=DTYPE_ARG)
def test_empty_shapes_and_dtypes(keras3, name, shape, dtype):
    arg = shape if name == "empty" else np.zeros(shape, dtype="int8")
    compare(getattr(keras3.ops, name), getattr(C, name), (arg,), {"dtype": dtype}, values=False)


@given(x=arrays("float32", min_dims=2))
def test_diagonal_is_a_view_and_tril_keeps_gradients(x):
    t = torch.tensor(x, requires_grad=True)
    assert C.diagonal(t)._base is t
    C.tril(t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.tril(np.ones_like(x)))


def test_linspace_axis_and_float64():
    out = C.linspace(np.zeros(2), np.array([1.0, 2.0]), 3, axis=1)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), np.linspace(np.zeros(2), [1.0, 2.0], 3, axis=1))
    assert C.arange(np.int8(3)).dtype == torch.int8 and C.arange(5, 1).shape == (0,)


def test_results_follow_the_input_device():
    x = torch.ones(2, 2, device="meta")
    assert C.ones_like(x).device.type == "meta" and C.full_like(x, 2).device.type == "meta"
    assert C.tril(x).device.type == "meta"


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.tril: expected an input of rank >= 2"):
        C.tril(torch.ones(3))
    with pytest.raises(ValueError, match=r"ops\.diag: expected a 1-D or 2-D input"):
        C.diag(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match=r"ops\.vander: expected a 1-D input"):
        C.vander(torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"ops\.arange: expected a non-zero step"):
        C.arange(0, 3, 0)
    with pytest.raises(ValueError, match=r"ops\.linspace: expected num >= 0"):
        C.linspace(0, 1, -1)
    with pytest.raises(TypeError, match=r"ops\.ones: expected a shape"):
        C.ones("abc")
    with pytest.raises(ValueError, match=r"ops\.meshgrid: expected indexing"):
        C.meshgrid(torch.ones(2), indexing="ji")
