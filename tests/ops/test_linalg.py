"""``keras.ops.linalg`` against Keras 3 (torch backend): values, dtypes and shapes on hypothesis-drawn
(batches of) well-conditioned matrices; integer / half inputs; gradients; errors naming the function."""

import numpy as np
import pytest
import torch
from core_checks import arrays, assert_matches
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import ops

pytestmark = pytest.mark.parity


def spd(m):
    return m @ np.swapaxes(m, -1, -2) + m.shape[-1] * np.eye(m.shape[-1], dtype=m.dtype)


def dominant(m):
    return m + 3 * m.shape[-1] * np.eye(m.shape[-1], dtype=m.dtype)


def lower(m):
    return np.tril(dominant(m))


# name -> (function of one drawn square stack m and a drawn right-hand side b -> (args, kwargs))
CASES = {
    "cholesky": lambda m, b: ((spd(m),), {}),
    "cholesky_upper": lambda m, b: ((spd(m),), {"upper": True}),
    "cholesky_inverse": lambda m, b: ((np.linalg.cholesky(spd(m)),), {}),
    "det": lambda m, b: ((m,), {}),
    "eig": lambda m, b: ((dominant(m),), {}),
    "eigh": lambda m, b: ((spd(m),), {}),
    "inv": lambda m, b: ((dominant(m),), {}),
    "lu_factor": lambda m, b: ((dominant(m),), {}),
    "matrix_rank": lambda m, b: ((m,), {}),
    "pinv": lambda m, b: ((m,), {}),
    "qr": lambda m, b: ((m,), {}),
    "qr_complete": lambda m, b: ((m[..., :-1],), {"mode": "complete"}),
    "solve": lambda m, b: ((dominant(m), b), {}),
    "solve_triangular": lambda m, b: ((lower(m), b), {"lower": True}),
    "solve_triangular_upper": lambda m, b: ((np.swapaxes(lower(m), -1, -2), b), {}),
    "svd": lambda m, b: ((m,), {}),
    "svd_reduced": lambda m, b: ((m[..., :-1],), {"full_matrices": False}),
    "svdvals": lambda m, b: ((m,), {"compute_uv": False}),
}


@st.composite
def systems(draw, dtype="float32"):
    n = draw(st.integers(2, 4))
    batch = draw(st.sampled_from([(), (2,)]))
    m = draw(arrays(dtype, batch + (n, n), low=-2, high=2))
    b = draw(arrays(dtype, batch + (n,) + draw(st.sampled_from([(), (2,)])), low=-2, high=2))
    return m, b


def _fn(module, case):
    return getattr(
        module,
        {
            "cholesky_upper": "cholesky",
            "qr_complete": "qr",
            "solve_triangular_upper": "solve_triangular",
            "svd_reduced": "svd",
            "svdvals": "svd",
        }.get(case, case),
    )


@pytest.mark.parametrize("case", sorted(CASES))
@given(systems(), st.sampled_from(["float32", "float64"]))
def test_matches_keras(keras3, case, system, dtype):
    m, b = (a.astype(dtype) for a in system)
    if case == "solve_triangular" or case == "solve_triangular_upper" or case == "solve":
        if b.ndim == m.ndim:  # a vector right-hand side per matrix: Keras needs b of rank a.ndim - 1 then
            b = b[..., 0]
    args, kwargs = CASES[case](m, b)
    ours = _fn(ops.linalg, case)(*[torch.as_tensor(a) for a in args], **kwargs)
    theirs = _fn(keras3.ops.linalg, case)(*[torch.as_tensor(a) for a in args], **kwargs)
    tol = 1e-4 if dtype == "float32" else 1e-9
    if case == "matrix_rank" or case == "lu_factor" and dtype == "float64":
        tol = None
    assert_matches(ours, theirs, tol=tol)


@pytest.mark.parametrize("case", ["det", "inv", "solve", "svdvals", "eigh", "cholesky", "qr", "pinv"])
@given(systems(), st.sampled_from(["int32", "int64", "float16"]))
def test_int_and_half_inputs_compute_in_float32(case, system, dtype):
    m, b = system
    m = np.rint(m).astype(dtype) if dtype != "float16" else m.astype(dtype)
    args, kwargs = CASES[case](m, b.astype(dtype))
    args = [a.astype(dtype) for a in args]
    ours = _fn(ops.linalg, case)(*[torch.as_tensor(a) for a in args], **kwargs)
    reference = _fn(ops.linalg, case)(*[torch.as_tensor(a.astype(np.float32)) for a in args], **kwargs)
    expected = "float16" if dtype == "float16" else "float32"
    assert_matches(
        ours,
        tuple(r.to(getattr(torch, expected)) for r in reference)
        if isinstance(reference, tuple)
        else reference.to(getattr(torch, expected)),
        tol=1e-2,
    )
    assert_matches(ops.linalg.det(torch.eye(3, dtype=torch.bool)), torch.tensor(1.0))


@given(
    arrays("float32", st.sampled_from([(3,), (2, 3), (2, 3, 2)]), low=-3, high=3),
    st.sampled_from([None, 1, 2, np.inf, -np.inf, "fro", "nuc", 0, -1, -2]),
    st.booleans(),
    st.data(),
)
def test_norm(keras3, x, ord, keepdims, data):
    axes = [None] + [a for a in range(-x.ndim, x.ndim)] + ([(0, 1), (-1, -2)] if x.ndim >= 2 else [])
    axis = data.draw(st.sampled_from(axes))
    matrix = (axis is None and x.ndim == 2) or isinstance(axis, tuple)
    if axis is None and x.ndim > 2 and ord is not None:
        axis = (-2, -1)
        matrix = True
    if isinstance(ord, str) and not matrix or (matrix and ord == 0):
        ord = None
    kwargs = dict(ord=ord, axis=axis, keepdims=keepdims)
    for xt in (torch.as_tensor(x), torch.as_tensor(np.rint(x)).to(torch.int32)):  # ints compute in floatx
        assert_matches(ops.linalg.norm(xt, **kwargs), keras3.ops.linalg.norm(xt, **kwargs), tol=1e-4)
    assert ops.norm is ops.linalg.norm


@given(
    arrays("float32", (3, 2), low=-2, high=2), arrays("float32", (3,), low=-2, high=2), st.sampled_from([None, 1e-3])
)
def test_lstsq(keras3, a, b, rcond):
    a = a + np.array([[1, 0], [0, 1], [0, 0]], np.float32) * 3
    assert_matches(
        ops.linalg.lstsq(a, b, rcond=rcond),
        keras3.ops.linalg.lstsq(torch.as_tensor(a), torch.as_tensor(b), rcond=rcond),
        tol=1e-4,
    )


@given(arrays("float32", (3,), low=-2, high=2), arrays("float32", (3,), low=-2, high=2), st.booleans())
def test_jvp(keras3, x, t, has_aux):
    def f(v):
        out = torch.sin(v) * v.sum()
        return (out, v * 2) if has_aux else out

    args = ((torch.as_tensor(x),), (torch.as_tensor(t),))
    assert_matches(ops.linalg.jvp(f, *args, has_aux=has_aux), keras3.ops.linalg.jvp(f, *args, has_aux=has_aux))


@given(systems())
def test_gradients_match_keras(keras3, system):
    m, b = system
    b = b[..., 0] if b.ndim == m.ndim else b
    grads = []
    for module in (ops.linalg, keras3.ops.linalg):
        a, rhs = torch.tensor(dominant(m), requires_grad=True), torch.tensor(b, requires_grad=True)
        (module.solve(a, rhs).sum() + module.det(a).sum() + module.inv(a).square().sum()).backward()
        grads.append((a.grad, rhs.grad))
    assert_matches(grads[0], grads[1], tol=1e-4)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops.linalg.cholesky: .*positive-definite"):
        ops.linalg.cholesky(-torch.eye(2))
    with pytest.raises(
        ValueError,
        match=r"ops.linalg.inv: expected \(a batch of\) square matrices, received shape "
        r"\(2, 3\)",
    ):
        ops.linalg.inv(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"ops.linalg.solve: .*received inputs of shapes \(2, 2\), \(3,\)"):
        ops.linalg.solve(torch.eye(2), torch.ones(3))
    with pytest.raises(ValueError, match=r"ops.linalg.qr: mode must be 'reduced' or 'complete', received 'r'"):
        ops.linalg.qr(torch.eye(2), mode="r")
    with pytest.raises(ValueError, match=r"ops.linalg.norm: ord='fro' is a matrix norm"):
        ops.linalg.norm(torch.ones(3), ord="fro", axis=0)
    with pytest.raises(ValueError, match=r"ops.linalg.lstsq: expected a of shape \(M, N\)"):
        ops.linalg.lstsq(torch.ones(3, 2), torch.ones(2))
