"""Helpers for the ``ops.nn`` / ``ops.math`` / ``ops.image`` parity tests: hypothesis arrays of a dtype, and a
comparison of our result with Keras 3's (same dtype, shape and values within round-off)."""
import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

RTOL = {"float16": 1e-3, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-5, "complex64": 1e-5,
        "complex128": 1e-5}


def arrays(dtype, shape, low=-4.0, high=4.0):
    """A strategy of arrays of ``dtype`` (a name) and ``shape`` (a tuple or a strategy), small finite values."""
    if dtype == "bool":
        elements = st.booleans()
    elif "int" in dtype:
        elements = st.integers(int(max(low, 0 if dtype.startswith("u") else low)), int(high))
    else:
        width = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
        kind = {16: np.float16, 32: np.float32, 64: np.float64}[width]
        elements = st.floats(float(kind(low)), float(kind(high)), width=width)
    return hnp.arrays(np.dtype(dtype), shape, elements=elements)


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def to_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def dtype_name(x):
    return str(x.dtype).replace("torch.", "")


def assert_matches(ours, theirs, rtol=None, atol=None, check_dtype=True):
    """``ours`` (a tensor or a tuple/list of them) equals Keras's ``theirs``: dtype, shape and values."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_matches(a, b, rtol, atol, check_dtype)
        return
    assert isinstance(ours, torch.Tensor), type(ours)
    if check_dtype:
        assert dtype_name(ours) == dtype_name(theirs), (dtype_name(ours), dtype_name(theirs))
    a, b = to_np(ours), to_np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind in "fc":
        tol = RTOL.get(dtype_name(ours), 1e-5) if rtol is None else rtol
        np.testing.assert_allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                                   b.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
                                   rtol=tol, atol=tol if atol is None else atol)
    else:
        np.testing.assert_array_equal(a, b)
