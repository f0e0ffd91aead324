"""Parity of kerastorch.ops' elementwise math (ops/numpy/elementwise.py) with Keras 3's keras.ops on random
shapes, dtypes and values: same values (within round-off), dtypes and shapes, and the same gradients for
float32 inputs; errors that name the function."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from parity_checks import DTYPES, FLOATS, INTS, arrays, assert_signatures_match, broadcastable, call_both, shapes, to_np

from kerastorch import ops
from kerastorch.ops.numpy import elementwise

pytestmark = pytest.mark.usefixtures("_cpu")

NUMERIC = tuple(d for d in DTYPES if d != "bool")

# name: (domain of x, dtypes, gradient check); all take every dtype, all but ``angle`` are checked for gradients
UNARY = {
    name: (domain, DTYPES, name != "angle")
    for domain, names in {
        "any": "abs absolute fabs negative square sin cos arctan tanh arcsinh ceil floor trunc round sign deg2rad "
        "rad2deg sinc angle real conj conjugate",
        "pos": "reciprocal sqrt cbrt log log10 log1p log2",
        "small": "exp exp2 expm1 sinh cosh i0",
        "unit": "tan arcsin arccos arctanh",
        "ge1": "arccosh",
    }.items()
    for name in names.split()
}

# name: (domain of x1, domain of x2, dtypes, x2 non-zero, gradient check)
BINARY = {
    "add": ("any", "any", DTYPES, False, True),
    "subtract": ("any", "any", DTYPES, False, True),
    "multiply": ("any", "any", DTYPES, False, True),
    "divide": ("any", "any", DTYPES, True, True),
    "true_divide": ("any", "any", DTYPES, True, True),
    "divide_no_nan": ("any", "any", DTYPES, False, True),
    "floor_divide": ("any", "any", DTYPES, True, False),
    "mod": ("any", "any", DTYPES, True, True),
    "fmod": ("any", "any", DTYPES, True, True),
    "power": ("pos", "small", DTYPES, False, True),
    "maximum": ("any", "any", DTYPES, False, True),
    "minimum": ("any", "any", DTYPES, False, True),
    "fmax": ("any", "any", DTYPES, False, True),
    "fmin": ("any", "any", DTYPES, False, True),
    "arctan2": ("any", "any", DTYPES, True, True),
    "hypot": ("any", "any", DTYPES, True, True),
    "logaddexp": ("any", "any", DTYPES, False, True),
    "logaddexp2": ("any", "any", DTYPES, False, True),
    "nextafter": ("any", "any", ("float32", "float64", "int32"), False, False),
    "heaviside": ("any", "any", DTYPES, False, False),
    "gcd": ("any", "any", ("bool",) + INTS, False, False),
    "lcm": ("any", "any", ("bool",) + INTS, False, False),
}

# Keras 3's torch backend turns a Python float into a float32 tensor in these functions (so float16 + 1.5 gives
# float32); kerastorch keeps Python scalars weak everywhere (float16 + 1.5 gives float16).
STRONG_PY_FLOAT = {"arctan2", "hypot", "logaddexp", "logaddexp2", "nextafter", "heaviside"}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_matches_keras(keras3, name, data):
    domain, dtypes, grad = UNARY[name]
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    x = data.draw(arrays(dtype, shapes(), domain, nonzero=name in ("reciprocal", "cbrt")), label="x")
    call_both(getattr(ops, name), getattr(keras3.ops, name), [x], grad=grad and dtype == "float32")


@st.composite
def _binary_args(draw, spec, name):
    domain1, domain2, dtypes, nonzero, _ = spec
    d1 = draw(st.sampled_from(dtypes), label="dtype1")
    shape = draw(shapes())
    x1 = draw(arrays(d1, shape, domain1), label="x1")
    kind = draw(st.sampled_from(["array", "array", "int", "float"]), label="kind2")
    int_only = all(d in ("bool",) + INTS for d in dtypes)
    if kind == "float" and int_only:
        kind = "int"
    if kind == "array":
        d2 = draw(st.sampled_from(dtypes), label="dtype2")
        x2 = draw(arrays(d2, draw(broadcastable(shape)), domain2, nonzero=nonzero), label="x2")
    elif kind == "int":
        low = 1 if nonzero or name == "power" else 0 if d1 == "uint8" else -3  # no negative ints for uint8
        x2 = draw(st.integers(low, 3), label="x2")
    else:
        x2 = draw(st.sampled_from([0.5, 1.5, -2.25]) if name != "power" else st.sampled_from([0.5, 2.0]))
    if kind == "array" and "uint8" in (d1, d2):  # no negative values next to uint8 (torch wraps them around)
        x1, x2 = (np.asarray(np.abs(v), dtype=v.dtype) if v.dtype.kind == "i" else v for v in (x1, x2))
    if name == "power" and isinstance(x2, np.ndarray):  # integer powers that fit in 8 bits
        x1, x2 = (
            np.asarray(np.clip(v, 0, high), dtype=v.dtype) if v.dtype.kind in "iu" else v
            for v, high in ((x1, 4), (x2, 3))
        )
    swap = kind == "array" and draw(st.booleans(), label="swap")
    return (x2, x1) if swap else (x1, x2)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_matches_keras(keras3, name, data):
    spec = BINARY[name]
    x1, x2 = data.draw(_binary_args(spec, name))
    check_dtype = not (name in STRONG_PY_FLOAT and isinstance(x2, float))
    if name == "hypot" and x1.dtype.kind == "b" and getattr(x2, "dtype", np.dtype(int)).kind == "b":
        return  # Keras's torch backend refuses bool hypot; kerastorch gives floatx
    call_both(
        getattr(ops, name),
        getattr(keras3.ops, name),
        [x1, x2],
        check_dtype=check_dtype,
        grad=spec[4] and x1.dtype == np.float32 and getattr(x2, "dtype", np.float32) == np.float32,
    )


@given(
    x=arrays("float32", shapes(1, 3)),
    value=st.sampled_from([2, -3, 1.5]),
    name=st.sampled_from(["add", "subtract", "multiply", "divide", "maximum", "minimum", "mod", "power"]),
)
def test_python_scalar_first(keras3, x, value, name):
    """A Python scalar as the first argument is weak too."""
    x = np.asarray(np.abs(x) + 0.5, dtype=x.dtype) if name in ("mod", "power") else x
    call_both(getattr(ops, name), getattr(keras3.ops, name), [value, x])


@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_ldexp(keras3, dtype, data):
    shape = data.draw(shapes())
    x1 = data.draw(arrays(dtype, shape))
    x2 = data.draw(arrays(data.draw(st.sampled_from(("bool",) + INTS + FLOATS)), broadcastable(shape), "small"))
    if x2.dtype.kind in "iu":
        x2 = np.asarray(np.clip(x2, -3, 3), dtype=x2.dtype)
    call_both(ops.ldexp, keras3.ops.ldexp, [x1, x2])


@given(dtype=st.sampled_from(DTYPES), x=st.data(), low=st.integers(-3, 0), high=st.integers(0, 3), scalar=st.booleans())
def test_clip(keras3, dtype, x, low, high, scalar):
    x = x.draw(arrays(dtype, shapes()))
    bounds = (low, high) if scalar else (low + 0.5, high + 0.25)
    call_both(ops.clip, keras3.ops.clip, [x, *bounds], grad=dtype == "float32")


@given(dtype=st.sampled_from(DTYPES[1:]), x=st.data(), decimals=st.integers(-2, 2))
def test_round_decimals(keras3, dtype, x, decimals):
    values = x.draw(arrays(dtype, shapes(), "any"))
    if values.dtype.kind == "f":
        values = np.asarray(values * 20, dtype=values.dtype)
    call_both(ops.round, keras3.ops.round, [values], {"decimals": decimals})


SPECIAL = st.sampled_from([0.0, -0.0, 1.5, -2.0, float("nan"), float("inf"), -float("inf")])


@given(
    dtype=st.sampled_from(("float16", "float32", "float64", "int32")),
    data=st.data(),
    nan=st.sampled_from([0.0, -1.0]),
    posinf=st.sampled_from([None, 9.0]),
    neginf=st.sampled_from([None, -9.0]),
)
def test_nan_to_num(keras3, dtype, data, nan, posinf, neginf):
    if dtype == "int32":
        x = data.draw(arrays(dtype, shapes()))
    else:
        x = data.draw(st.lists(SPECIAL, min_size=1, max_size=6)).copy()
        x = np.array(x, dtype=dtype)
    call_both(ops.nan_to_num, keras3.ops.nan_to_num, [x], {"nan": nan, "posinf": posinf, "neginf": neginf})


@given(x=arrays("float32", shapes(1)))
def test_imag_of_real_is_zero(x):
    """Keras 3's torch backend fails on real inputs; kerastorch returns zeros like NumPy."""
    out = ops.imag(torch.tensor(x))
    assert out.dtype == torch.float32 and np.array_equal(to_np(out), np.imag(x))


@given(x=arrays("float32", shapes(1), "any"))
def test_cbrt_of_negatives(x):
    np.testing.assert_allclose(to_np(ops.cbrt(torch.tensor(x))), np.cbrt(x), rtol=1e-5, atol=1e-6)


def test_python_and_numpy_inputs():
    """Python values get Keras's dtypes (ints int32, floats floatx); NumPy arrays keep theirs."""
    assert ops.add(1, 2).dtype == torch.int32
    assert ops.multiply(1.5, 2).dtype == torch.float32
    assert ops.add([1, 2], np.ones(2, np.int8)).dtype == torch.int32
    assert ops.sqrt(np.ones(2, np.float64)).dtype == torch.float64
    assert ops.add(torch.ones(2, dtype=torch.int8), np.ones(2, np.uint8)).dtype == torch.int16
    assert ops.add(torch.ones(2, dtype=torch.bool), 1).dtype == torch.int32


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.add: expected shapes that broadcast.*\(2,\), \(3,\)"):
        ops.add(torch.ones(2), torch.ones(3))
    with pytest.raises(ValueError, match=r"ops\.arctan2"):
        ops.arctan2(torch.ones(2, 2), torch.ones(3))
    with pytest.raises(TypeError, match=r"ops\.gcd: expected integer"):
        ops.gcd(torch.ones(2), torch.ones(2))
    with pytest.raises(TypeError, match=r"ops\.ldexp: expected integer exponents"):
        ops.ldexp(torch.ones(2), torch.ones(2))
    with pytest.raises(TypeError, match=r"ops\.subtract: unsupported dtype"):
        ops.subtract(torch.ones(2, dtype=torch.bool), torch.ones(2, dtype=torch.bool))
    with pytest.raises(TypeError, match=r"ops\.round"):
        ops.round(torch.ones(2, dtype=torch.bool))


def test_float64_stays_float64():
    """kerastorch keeps 64-bit results where Keras 3's torch backend narrows some of them."""
    x = torch.ones(2, dtype=torch.float64)
    for fn in (ops.maximum, ops.arctan2, ops.floor_divide, ops.hypot):
        assert fn(x, x).dtype == torch.float64
    assert ops.floor(x).dtype == torch.float64
    assert ops.maximum(torch.ones(2, dtype=torch.int64), 1).dtype == torch.int64


def test_all_is_complete(keras3):
    """Every public function of the module is in ``__all__`` and is Keras's: same name, same signature."""
    public = {
        n
        for n, v in vars(elementwise).items()
        if callable(v) and not n.startswith("_") and getattr(v, "__module__", "") == elementwise.__name__
    }
    assert public <= set(elementwise.__all__)
    assert_signatures_match(elementwise, keras3.ops)


def test_ops_in_a_custom_layer_infer_symbolic_shapes():
    """The functions run on the fake tensors of symbolic shape inference (``kerastorch.Input``) and in the model."""
    import kerastorch

    class Custom(kerastorch.layers.Layer):
        def call(self, x):
            y = ops.maximum(ops.add(x, 1.0), 0.5) * ops.sqrt(ops.abs(x) + 1)
            z = ops.logaddexp(ops.clip(y, 0, 1), 2.0) + ops.quantile(y, 0.5, axis=-1, keepdims=True)
            return ops.where(ops.greater(z, 1), ops.cumsum(z, axis=-1), ops.mean(z, axis=-1, keepdims=True))

    inputs = kerastorch.Input((4,))
    outputs = Custom()(inputs)
    assert outputs.shape == (None, 4) and outputs.dtype == "float32"
    model = kerastorch.Model(inputs, outputs)
    assert tuple(model(torch.randn(3, 4)).shape) == (3, 4)
