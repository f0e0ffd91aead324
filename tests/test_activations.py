"""Tests for kerastorch.activations: Keras 3 parity, exact values, get/serialize/deserialize."""

import inspect
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.saving import register_keras_serializable

# the keras3 fixture is function-scoped; it returns the same module each time


def float_arrays(min_dims=1, max_dims=3, low=-20.0, high=20.0):
    return hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=6),
        elements=st.floats(low, high, width=32),
    )


CASES = [
    ("relu", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.5}),
    ("relu6", {}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("selu", {}),
    ("celu", {}),
    ("celu", {"alpha": 2.0}),
    ("gelu", {}),
    ("gelu", {"approximate": True}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("softplus", {}),
    ("softsign", {}),
    ("silu", {}),
    ("swish", {}),
    ("hard_sigmoid", {}),
    ("hard_silu", {}),
    ("hard_swish", {}),
    ("hard_tanh", {}),
    ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.0}),
    ("soft_shrink", {}),
    ("soft_shrink", {"threshold": 1.5}),
    ("tanh_shrink", {}),
    ("threshold", {"threshold": 0.5, "default_value": -2.0}),
    ("sparse_plus", {}),
    ("sparse_sigmoid", {}),
    ("squareplus", {}),
    ("squareplus", {"b": 1.0}),
    ("log_sigmoid", {}),
    ("mish", {}),
    ("exponential", {}),
    ("linear", {}),
    ("softmax", {}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {}),
    ("log_softmax", {"axis": 0}),
]
CASE_IDS = [f"{name}-{kwargs}" if kwargs else name for name, kwargs in CASES]


def keras_numpy(keras3, value):
    return torch.as_tensor(value).detach().cpu().numpy()


@pytest.mark.parity
@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")  # Keras warns on size-1 axes
@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
@given(x=float_arrays())
def test_matches_keras(keras3, name, kwargs, x):
    ours = getattr(activations, name)(torch.from_numpy(x), **kwargs)
    theirs = keras_numpy(keras3, getattr(keras3.activations, name)(torch.from_numpy(x), **kwargs))
    assert ours.dtype == torch.float32 and ours.shape == x.shape
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parity
@given(
    x=float_arrays(),
    negative_slope=st.sampled_from([0.0, 0.1, 0.5, -0.5]),
    max_value=st.sampled_from([None, 0.0, 3.0, 6.0, -1.0]),
    threshold=st.sampled_from([0.0, 2.0, -2.0]),
)
def test_relu_argument_combinations_match_keras(keras3, x, negative_slope, max_value, threshold):
    kwargs = dict(negative_slope=negative_slope, max_value=max_value, threshold=threshold)
    ours = activations.relu(torch.from_numpy(x), **kwargs)
    theirs = keras_numpy(keras3, keras3.activations.relu(torch.from_numpy(x), **kwargs))
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parity
@given(x=float_arrays(min_dims=2), axis=st.sampled_from([-1, 0]))
def test_glu_matches_keras(keras3, x, axis):
    x = np.concatenate([x, x[::-1] * 0.5], axis=axis)  # an even size along axis
    ours = activations.glu(torch.from_numpy(x), axis=axis)
    theirs = keras_numpy(keras3, keras3.activations.glu(torch.from_numpy(x), axis=axis))
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, [0.0, 0.0, 0.0, 5.0, 10.0]),
        ({"negative_slope": 0.5}, [-5.0, -2.5, 0.0, 5.0, 10.0]),
        ({"max_value": 5.0}, [0.0, 0.0, 0.0, 5.0, 5.0]),
        ({"threshold": 5.0}, [0.0, 0.0, 0.0, 0.0, 10.0]),
        ({"negative_slope": 0.5, "threshold": 6.0, "max_value": 3.0}, [-8.0, -5.5, -3.0, -0.5, 3.0]),
        ({"max_value": -1.0}, [-1.0] * 5),
    ],
)
def test_relu_keras_documented_values(kwargs, expected):
    x = torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0])
    assert activations.relu(x, **kwargs).tolist() == expected


def test_hard_sigmoid_is_keras3_definition():
    x = torch.tensor([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0])
    torch.testing.assert_close(activations.hard_sigmoid(x), torch.clamp(x + 3, 0, 6) / 6)
    torch.testing.assert_close(activations.hard_silu(x), x * torch.clamp(x + 3, 0, 6) / 6)


@given(x=float_arrays(min_dims=1, max_dims=2, low=-5.0, high=5.0))
def test_sparsemax_is_the_simplex_projection(x):
    p = activations.sparsemax(torch.from_numpy(x).double()).numpy()
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-9)
    # KKT conditions: x - p equals one threshold tau on the support, and x <= tau off it
    for row_x, row_p in zip(x.reshape(-1, x.shape[-1]), p.reshape(-1, x.shape[-1])):
        support = row_p > 0
        tau = (row_x[support] - row_p[support]).mean()
        np.testing.assert_allclose(row_x[support] - row_p[support], tau, atol=1e-6)
        assert (row_x[~support] <= tau + 1e-6).all()


def test_sparsemax_values_and_axis():
    x = torch.tensor([[0.5, 0.2, 0.3, 0.4], [-3.0, -4.0, -10.0, -3.5]])
    expected = torch.tensor([[0.4, 0.1, 0.2, 0.3], [0.75, 0.0, 0.0, 0.25]])
    torch.testing.assert_close(activations.sparsemax(x), expected)
    torch.testing.assert_close(activations.sparsemax(x.T, axis=0), expected.T)


def test_softmax_over_several_axes_sums_to_one():
    x = torch.randn(2, 3, 4)
    out = activations.softmax(x, axis=(1, 2))
    torch.testing.assert_close(out.sum(dim=(1, 2)), torch.ones(2))
    torch.testing.assert_close(activations.log_softmax(x, axis=(1, 2)).exp(), out)


def test_glu_odd_axis_raises():
    with pytest.raises(ValueError, match="even size"):
        activations.glu(torch.ones(2, 3))


@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
def test_float64_stays_float64(name, kwargs):
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    assert getattr(activations, name)(x, **kwargs).dtype == torch.float64


def test_lists_become_floatx_tensors():
    out = activations.relu([1.0, -2.0])
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert out.tolist() == [1.0, 0.0]


def test_gradients_flow():
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    activations.gelu(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_get_identifiers():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(torch.tanh) is torch.tanh
    assert (
        activations.get(
            {"module": "keras.activations", "class_name": "function", "config": "elu", "registered_name": "function"}
        )
        is activations.elu
    )


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"'nope'.*relu"):
        activations.get("nope")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: 3"):
        activations.get(3)


def test_builtins_serialize_to_names_and_back():
    for name in ["relu", "silu", "gelu", "softmax", "sparsemax", "linear"]:
        fn = getattr(activations, name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(activations.serialize(fn)) is fn
    assert activations.serialize(activations.swish) == "silu"


def test_custom_functions_round_trip():
    @register_keras_serializable(package="kt_tests")
    def doubled(x):
        return 2 * x

    def tripled(x):
        return 3 * x

    config = activations.serialize(doubled)
    assert config["config"] == "kt_tests>doubled"
    assert activations.deserialize(config) is doubled
    config = activations.serialize(tripled)
    assert config == {
        "module": "builtins",
        "class_name": "function",
        "config": "tripled",
        "registered_name": "function",
    }
    assert activations.deserialize(config, custom_objects={"tripled": tripled}) is tripled
    with pytest.raises(ValueError, match="lambda"):
        activations.serialize(lambda x: x)


@pytest.mark.parity
def test_serialization_matches_keras(keras3):
    for name in dir(keras3.activations):
        if name in ("get", "serialize", "deserialize") or name.startswith("_"):
            continue
        ours = activations.serialize(getattr(activations, name))
        assert ours == keras3.activations.serialize(getattr(keras3.activations, name)), name
        assert activations.get(ours) is getattr(activations, name) or name in ("swish", "hard_swish")

    def custom(x):
        return x

    assert activations.serialize(custom) == keras3.activations.serialize(custom)


_INLINE_EXAMPLE = re.compile(r"``([^`]+)`` -> ``([^`]+)``")


@pytest.mark.parametrize("module", [activations, initializers, regularizers, constraints], ids=lambda m: m.__name__)
def test_inline_docstring_examples_hold(module):
    """Every ``expr`` -> ``repr`` example in a public docstring evaluates to that repr (the ``>>>`` examples
    run in tests/test_docstrings.py; every module has examples of one kind or the other)."""
    namespace, checked, doctests = dict(vars(module)), 0, 0
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        for expr, expected in _INLINE_EXAMPLE.findall(obj.__doc__ or ""):
            got = " ".join(repr(eval(expr, namespace)).split())
            assert got == " ".join(expected.split()), f"{name}: {expr}"
            checked += 1
        doctests += (obj.__doc__ or "").count(">>>")
    assert checked + doctests > 0
