"""Helpers of the core / linalg ops parity tests: hypothesis arrays and a comparison with Keras 3's result
(dtype, shape and values within round-off). Imported by the test files of this folder (prepend import mode)."""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

TOLS = {"float16": 1e-3, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-9, "complex64": 1e-5, "complex128": 1e-9}
DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(dtype, shape, low=-4.0, high=4.0):
    """Arrays of ``dtype`` (a name) and ``shape`` (a tuple or a strategy) with small finite values."""
    if dtype == "bool":
        elements = st.booleans()
    elif "int" in dtype:
        info = np.iinfo(dtype)
        elements = st.integers(
            max(int(low), info.min, 0 if dtype.startswith("u") else info.min), min(int(high), info.max)
        )
    else:
        width = {"float16": 16, "float32": 32}.get(dtype, 64)
        kind = {16: np.float16, 32: np.float32, 64: np.float64}[width]
        elements = st.floats(float(kind(low)), float(kind(high)), width=width)  # bounds the width can hold
    return hnp.arrays(np.dtype(dtype), shape, elements=elements)


def to_np(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    return np.asarray(x)


def dtype_name(x):
    return str(x.dtype).replace("torch.", "")


def assert_matches(ours, theirs, tol=None, check_dtype=True, *, atol=None, tols=TOLS):
    """``ours`` (a tensor or nested tuples/lists/dicts of them) equals Keras's ``theirs``: dtype, shape and values
    within ``rtol = tol`` (default: ``tols[dtype]``) and ``atol`` (default: the same as ``rtol``)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs)
        for key in theirs:
            assert_matches(ours[key], theirs[key], tol, check_dtype, atol=atol, tols=tols)
        return
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            assert_matches(a, b, tol, check_dtype, atol=atol, tols=tols)
        return
    assert isinstance(ours, torch.Tensor), type(ours)
    if check_dtype:
        assert dtype_name(ours) == dtype_name(theirs), (dtype_name(ours), dtype_name(theirs))
    a, b = to_np(ours), to_np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind in "fc":
        t = tols.get(dtype_name(ours), 1e-5) if tol is None else tol
        np.testing.assert_allclose(
            a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
            b.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
            rtol=t,
            atol=t if atol is None else atol,
        )
    else:
        np.testing.assert_array_equal(a, b)
