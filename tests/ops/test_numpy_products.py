"""Products (kerastorch/ops/numpy/products.py) against Keras 3's ``keras.ops`` (torch backend)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from numpy_checks import arrays, compare

from kerastorch.ops.numpy import products as P

# Keras's torch backend squeezes a length-1 correlate and multiplies booleans only in some products; int and float dtypes everywhere.
DTYPES = st.sampled_from(("float32", "float64", "float16", "int32", "int64", "int8", "uint8"))
FLOATS = st.sampled_from(("float32", "float64"))
SIZE = st.integers(1, 3)


def _pair(d, shape1, shape2, dtypes=DTYPES, same=False):
    dtype = d.draw(dtypes)
    return d.draw(arrays(dtype, shape1)), d.draw(arrays(dtype if same else dtypes, shape2))


def _matmul(d):
    n, k, m = d.draw(SIZE), d.draw(SIZE), d.draw(SIZE)
    batch = d.draw(st.sampled_from([(), (2,), (1,)]))
    return _pair(d, batch + (n, k), (k, m) if d.draw(st.booleans()) else (k,), same=True), {}


def _dot(d):
    k = d.draw(SIZE)
    shape1 = d.draw(st.sampled_from([(k,), (2, k), (1, 2, k)]))
    shape2 = d.draw(st.sampled_from([(k,), (k, 2)]))  # N-D x2: Keras broadcasts like matmul, we follow NumPy
    return _pair(d, shape1, shape2), {}


def _tensordot(d):
    a, b = d.draw(SIZE), d.draw(SIZE)
    if d.draw(st.booleans()):
        return _pair(d, (2, a, b), (a, b, 3)), {"axes": 2}
    return _pair(d, (a, 2), (3, a)), {"axes": ([0], [1])}


def _einsum(d):
    k = d.draw(SIZE)
    spec, shapes = d.draw(
        st.sampled_from(
            [
                ("ij,jk->ik", ((2, k), (k, 3))),
                ("bij,bj->bi", ((2, 3, k), (2, k))),
                ("i,i->", ((k,), (k,))),
                ("ij->ji", ((2, k),)),
            ]
        )
    )
    dtype = d.draw(st.sampled_from(("float32", "float64", "int32", "int8")))
    return (spec,) + tuple(d.draw(arrays(dtype, s)) for s in shapes), {}


def _cross(d):
    batch = d.draw(st.sampled_from([(), (2,)]))
    return _pair(d, batch + (3,), batch + (3,), dtypes=st.sampled_from(("float32", "float64", "int32"))), {}


CASES = {
    "matmul": _matmul,
    "dot": _dot,
    "vdot": lambda d: (lambda k: (_pair(d, (k,), (k,)), {}))(d.draw(SIZE)),
    "inner": lambda d: (lambda k: (_pair(d, (2, k), (k,)), {}))(d.draw(SIZE)),
    "outer": lambda d: (_pair(d, (d.draw(SIZE),), (2, d.draw(SIZE))), {}),
    "tensordot": _tensordot,
    "einsum": _einsum,
    "kron": lambda d: (_pair(d, (2, d.draw(SIZE)), (d.draw(SIZE), 2)), {}),
    "cross": _cross,
    "trace": lambda d: (
        (
            d.draw(
                arrays(
                    st.sampled_from(("float32", "float16", "int32", "int8", "uint8", "bool")), min_dims=2, max_dims=3
                )
            ),
        ),
        {"offset": d.draw(st.integers(-1, 1))},
    ),
    "correlate": lambda d: (
        lambda n: (
            _pair(d, (n,), (d.draw(st.integers(1, n - 1)),), dtypes=st.sampled_from(("float32", "int32"))),
            {"mode": d.draw(st.sampled_from(("valid", "same", "full")))},
        )
    )(d.draw(st.integers(2, 5))),
    "corrcoef": lambda d: ((d.draw(arrays(FLOATS, (2, 4), low=-5, high=5)),), {}),
    "slogdet": lambda d: ((d.draw(arrays("float32", st.sampled_from([(2, 2), (3, 3), (2, 2, 2)]))),), {}),
    "trapezoid": lambda d: (lambda y: ((y,), {"dx": d.draw(st.sampled_from((1.0, 0.5))), "axis": -1}))(
        d.draw(arrays(st.sampled_from(("float32", "float64", "int32")), min_dims=1, max_dims=2))
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_same_as_keras(keras3, name, data):
    args, kwargs = CASES[name](data)
    rtol = 1e-4 if name in ("slogdet", "corrcoef") else None
    if name == "corrcoef" and (np.ptp(args[0], axis=1) == 0).any():
        return  # constant rows: both give NaN
    compare(getattr(keras3.ops, name), getattr(P, name), args, kwargs, rtol=rtol)


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")
@given(x=arrays("float32", (3,)), y=arrays("float32", (2,)), data=st.data())
def test_numpy_semantics_beyond_keras(x, y, data):
    mode = data.draw(st.sampled_from(("valid", "same", "full")))
    np.testing.assert_allclose(
        P.correlate(torch.tensor(y), torch.tensor(x), mode).numpy(), np.correlate(y, x, mode), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(P.cross(torch.tensor(y), torch.tensor(x)).numpy(), np.cross(y, x), rtol=1e-5, atol=1e-4)
    b = np.arange(24, dtype="float32").reshape(3, 2, 4) * x[0]
    np.testing.assert_allclose(P.dot(torch.tensor(y), torch.tensor(b)).numpy(), np.dot(y, b), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(
        P.dot(torch.tensor(b), torch.tensor(b.swapaxes(1, 2))).numpy(),
        np.dot(b, b.swapaxes(1, 2)),
        rtol=1e-5,
        atol=1e-3,
    )
    a = np.stack([x, x + 1])
    np.testing.assert_allclose(
        P.cross(torch.tensor(a.T), torch.tensor(x), axisa=0).numpy(), np.cross(a.T, x, axisa=0), rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(
        P.trapezoid(torch.tensor(x), torch.tensor(np.cumsum(np.abs(x)))).numpy(),
        np.trapezoid(x, np.cumsum(np.abs(x))),
        rtol=1e-5,
        atol=1e-5,
    )


@given(a=arrays("float32", (2, 3)), b=arrays("float32", (3,)))
def test_vectorize_with_signature_matches_numpy(keras3, a, b):
    fn = P.vectorize(lambda u, v: (u * v).sum(), signature="(n),(n)->()")
    np.testing.assert_allclose(fn(torch.tensor(a), torch.tensor(b)).numpy(), a @ b, rtol=1e-5, atol=1e-5)
    elementwise = P.vectorize(lambda u, v: u * 2 + v)
    compare(keras3.ops.vectorize(lambda u, v: u * 2 + v), elementwise, (a, b))


@given(a=arrays("float32", (2, 3)), b=arrays("float32", (3, 2)))
def test_gradients_flow(a, b):
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    P.einsum("ij,jk->ik", ta, tb).sum().backward()
    np.testing.assert_allclose(ta.grad.numpy(), np.ones((2, 2)) @ b.T, rtol=1e-5, atol=1e-5)


def test_bool_products_are_logical():
    t = torch.tensor([[True, False], [False, False]])
    assert P.matmul(t, t).dtype == torch.bool and P.matmul(t, t).tolist() == [[True, False], [False, False]]
    assert P.trace(t).dtype == torch.int32 and P.trace(t).item() == 1


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.matmul: incompatible shapes \(2, 3\) and \(2, 3\)"):
        P.matmul(torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"ops\.matmul: expected inputs of rank >= 1"):
        P.matmul(torch.ones(()), torch.ones(2))
    with pytest.raises(ValueError, match=r"ops\.einsum: 'ij,jk->ik' does not fit operands"):
        P.einsum("ij,jk->ik", torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"ops\.cross: expected vectors of length 2 or 3"):
        P.cross(torch.ones(4), torch.ones(4))
    with pytest.raises(ValueError, match=r"ops\.correlate: expected 1-D inputs"):
        P.correlate(torch.ones(2, 2), torch.ones(2))
    with pytest.raises(ValueError, match=r"ops\.slogdet: expected square matrices"):
        P.slogdet(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"ops\.trace: expected an input of rank >= 2"):
        P.trace(torch.ones(3))
    with pytest.raises(ValueError, match=r"ops\.vectorize: expected a signature"):
        P.vectorize(abs, signature="n->")
