"""Helpers for the parity tests of the NumPy-style ops (creation, manipulation, indexing, products):
hypothesis strategies for small arrays of every dtype, and a comparison of our results with Keras 3's.

pytest imports the test files with this folder first on ``sys.path`` (no ``__init__.py``), so they can
``from numpy_checks import ...``.
"""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kerastorch

ALL = ("float32", "float64", "float16", "int32", "int64", "int8", "uint8", "bool")
"""The dtypes the tests draw from (Keras's float16 support on CPU included)."""
NUMERIC = tuple(d for d in ALL if d != "bool")
FLOATS = ("float32", "float64", "float16")
INTS = ("int32", "int64", "int8", "uint8")

_WIDE = {"int32": "int64", "float32": "float64"}


def elements(dtype, low=-5, high=5):
    """Small values of ``dtype`` (non-negative for unsigned ones)."""
    if dtype == "bool":
        return st.booleans()
    if "int" in dtype:
        return st.integers(0 if dtype.startswith("u") else low, high)
    return st.floats(low, high, width=16 if dtype == "float16" else 32)


def arrays(dtype, shape=None, *, min_dims=1, max_dims=3, max_side=3, min_side=1, low=-5, high=5):
    """A strategy for arrays of ``dtype`` (a name or a strategy of names) with small shapes and values."""
    dtypes = dtype if isinstance(dtype, st.SearchStrategy) else st.just(dtype)
    if shape is None:
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return dtypes.flatmap(lambda d: hnp.arrays(np.dtype(d), shape, elements=elements(d, low, high)))


def ours(value):
    """Our inputs: NumPy arrays (also inside lists and tuples) as torch tensors."""
    if isinstance(value, np.ndarray):
        return torch.as_tensor(value)
    if isinstance(value, (list, tuple)):
        return type(value)(ours(v) for v in value)
    return value


def _is_wide(values):
    for v in values:
        if isinstance(v, (np.ndarray, np.generic)) and np.dtype(v.dtype).name in ("int64", "float64"):
            return True
        if isinstance(v, (list, tuple)) and _is_wide(v):
            return True
    return False


def _np(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def assert_same(result, expected, inputs=(), *, values=True, rtol=None):
    """Our ``result`` equals Keras's ``expected``: the same structure, shapes, dtypes and values (within
    round-off: rtol 1e-5, 1e-3 for float16). Where Keras's torch backend narrows a 64-bit result to 32 bits
    and some input was 64-bit, kerastorch keeps 64 bits (see kerastorch/ops/dtypes.py) and that is accepted."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple)) and len(result) == len(expected), (result, expected)
        for r, e in zip(result, expected):
            assert_same(r, e, inputs, values=values, rtol=rtol)
        return
    if not hasattr(expected, "dtype"):  # a Python number (e.g. linspace's step)
        np.testing.assert_allclose(float(result), float(expected), rtol=1e-5, atol=1e-6)
        return
    assert isinstance(result, torch.Tensor), type(result)
    ours_dtype = kerastorch.config.standardize_dtype(result.dtype)
    theirs = kerastorch.config.standardize_dtype(expected.dtype)
    assert ours_dtype == theirs or (_WIDE.get(theirs) == ours_dtype and _is_wide(inputs)), (ours_dtype, theirs)
    expected = _np(expected)
    assert tuple(result.shape) == expected.shape, (tuple(result.shape), expected.shape)
    if not values:
        return
    got = _np(result)
    if got.dtype.kind in "fc" or expected.dtype.kind in "fc":
        tol = rtol or (1e-3 if "float16" in (ours_dtype, theirs) else 1e-5)
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, expected)


def compare(keras_fn, our_fn, args, kwargs=None, **options):
    """Call both functions on the same arguments (ours on torch tensors) and :func:`assert_same` the results."""
    kwargs = kwargs or {}
    expected = keras_fn(*args, **kwargs)
    result = our_fn(*ours(list(args)), **{k: ours(v) for k, v in kwargs.items()})
    assert_same(result, expected, list(args) + list(kwargs.values()), **options)
    return result
