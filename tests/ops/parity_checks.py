"""Helpers for the ``keras.ops`` parity tests of the elementwise, logic, reduction and quantile functions:
hypothesis strategies for arrays of a dtype, and a comparison of one call of ours with Keras 3's.

pytest imports the test files of this folder with the folder first on ``sys.path`` (rootdir-based "prepend"
import mode), so they can ``from parity_checks import ...``.
"""

import inspect

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
FLOATS = ("float16", "float32", "float64")
INTS = ("uint8", "int8", "int16", "int32", "int64")
SIGNED = ("int8", "int16", "int32", "int64")
TOLS = {
    "float16": dict(rtol=1e-3, atol=1e-3),
    "bfloat16": dict(rtol=1e-2, atol=1e-2),
    "float32": dict(rtol=1e-5, atol=1e-6),
    "float64": dict(rtol=1e-7, atol=1e-9),
}
"""Tolerances by result dtype (float32: round-off; float16 / bfloat16: one or two units in the last place)."""

_TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}

# Domains of the values drawn for float inputs.
DOMAINS = {
    "any": (-4.0, 4.0),
    "pos": (0.125, 4.0),
    "unit": (-0.9375, 0.9375),
    "ge1": (1.0625, 4.0),
    "small": (-2.0, 2.0),
}


def shapes(min_dims=0, max_dims=3, max_side=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def elements(dtype, domain="any", nonzero=False):
    """A strategy for the values of an array of ``dtype`` (floats in ``DOMAINS[domain]``, small integers)."""
    if dtype == "bool":
        return st.just(True) if nonzero else st.booleans()
    if dtype in INTS:
        low = 0 if dtype == "uint8" or domain in ("pos", "ge1") else -5
        low = 1 if nonzero and low == 0 else low
        values = st.integers(low, 5)
        return values.filter(lambda v: v != 0) if nonzero else values
    low, high = DOMAINS[domain]
    values = st.floats(low, high, width=16 if dtype == "float16" else 32)
    return values.filter(lambda v: abs(v) > 0.05) if nonzero else values


def arrays(dtype, shape, domain="any", nonzero=False, unique=False):
    """A hypothesis strategy for NumPy arrays of ``dtype`` and ``shape`` with values from :func:`elements`."""
    return hnp.arrays(np.dtype(dtype), shape, elements=elements(dtype, domain, nonzero), unique=unique)


@st.composite
def broadcastable(draw, shape):
    """A shape that broadcasts against ``shape``: a suffix of it with some sides set to 1."""
    cut = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else side for side in shape[cut:])


def to_np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def torch_args(args, requires_grad=False):
    """NumPy arrays in ``args`` as CPU tensors (float ones optionally requiring grad); other values unchanged."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            t = torch.tensor(a)
            if requires_grad and t.is_floating_point():
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def dtype_name(t):
    return str(t.dtype).split(".")[-1]


def same_dtype(ours, theirs, inputs):
    """Our dtype is Keras's, or differs only by kerastorch's rule that 64-bit inputs keep 64-bit results
    (Keras 3 narrows them to 32 bits in some functions, see ``kerastorch.ops.dtypes``)."""
    if ours == theirs:
        return True
    if any(isinstance(a, np.ndarray) and a.ndim == 0 for a in inputs):
        # Keras's torch backend makes Python scalars int32/float32 tensors and leaves promotion to torch, whose
        # 0-dim tensors do not widen a dimensioned tensor of the same kind (uint8[2] * int8[] -> uint8) but do
        # promote among themselves (int8[] + 1 -> int32); kerastorch applies Keras's promotion to every shape.
        native = [
            torch.tensor(a)
            if isinstance(a, np.ndarray)
            else torch.tensor(
                a, dtype=torch.bool if isinstance(a, bool) else torch.int32 if isinstance(a, int) else torch.float32
            )
            for a in inputs
            if isinstance(a, (np.ndarray, bool, int, float))
        ]
        strong = torch.result_type(*native) if len(native) == 2 else native[0].dtype
        if theirs == str(strong).split(".")[-1]:
            return True
    wide = any(isinstance(a, np.ndarray) and a.dtype.itemsize == 8 for a in inputs)
    return wide and _TO_32.get(ours, ours) == _TO_32.get(theirs, theirs)


def call_both(ours_fn, keras_fn, args, kwargs=None, grad=False, check_dtype=True):
    """Call our function and Keras's on the same inputs (NumPy arrays become tensors) and compare dtype
    (modulo :func:`same_dtype`), shape and values; with ``grad``, also the gradients of ``sum(out * r)`` with
    respect to the float inputs. If Keras raises, ours must raise a ValueError or TypeError. Returns ours."""
    kwargs = kwargs or {}
    keras_args = torch_args(args, grad)
    try:
        theirs = keras_fn(*keras_args, **kwargs)
    except Exception:  # noqa: BLE001 - any Keras failure: we must refuse the input too
        with pytest.raises((ValueError, TypeError)):
            ours_fn(*torch_args(args), **kwargs)
        return None
    ours_args = torch_args(args, grad)
    ours = ours_fn(*ours_args, **kwargs)
    assert isinstance(ours, torch.Tensor)
    if check_dtype:
        assert same_dtype(dtype_name(ours), dtype_name(theirs), args), (dtype_name(ours), dtype_name(theirs))
    assert tuple(ours.shape) == tuple(theirs.shape)
    exact = dict(rtol=0, atol=0)
    tol = max(TOLS.get(dtype_name(ours), exact), TOLS.get(dtype_name(theirs), exact), key=lambda t: t["rtol"])
    np.testing.assert_allclose(to_np(ours).astype(np.float64), to_np(theirs).astype(np.float64), **tol)
    if grad and ours.requires_grad and theirs.requires_grad:
        upstream = torch.tensor(np.random.default_rng(0).normal(size=tuple(ours.shape)))
        ours_grads = torch.autograd.grad(
            (ours * upstream.to(ours.dtype)).sum(), [a for a in ours_args if _needs(a)], allow_unused=True
        )
        keras_grads = torch.autograd.grad(
            (theirs * upstream.to(theirs.dtype)).sum(), [a for a in keras_args if _needs(a)], allow_unused=True
        )
        for g1, g2 in zip(ours_grads, keras_grads):
            g1 = np.zeros(1) if g1 is None else to_np(g1).astype(np.float64)
            g2 = np.zeros(1) if g2 is None else to_np(g2).astype(np.float64)
            np.testing.assert_allclose(g1, g2, **TOLS["float32"])
    return ours


def _needs(a):
    return isinstance(a, torch.Tensor) and a.requires_grad


def assert_signatures_match(module, keras_ops):
    """Every function in ``module.__all__`` has the signature of Keras's ``keras_ops.<name>``: the same parameter
    names and defaults, in order."""
    for name in module.__all__:
        ours, theirs = inspect.signature(getattr(module, name)), inspect.signature(getattr(keras_ops, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [
            (p.name, p.default) for p in theirs.parameters.values()
        ], name
