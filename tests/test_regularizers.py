"""Tests for kerastorch.regularizers: Keras 3 parity, values, gradients, validation, serialization."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerastorch import regularizers

# entries 0 or at least 1e-3 in size, so row norms are 0 or far above any normalization epsilon
ELEMENTS = st.floats(-10, 10, width=32).filter(lambda v: v == 0 or abs(v) >= 1e-3)


def matrices(min_side=1):
    return hnp.arrays(
        np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=min_side, max_side=6), elements=ELEMENTS
    )


CASES = [
    ("L1", {"l1": 0.03}),
    ("L2", {"l2": 0.02}),
    ("L1L2", {"l1": 0.01, "l2": 0.02}),
    ("L1L2", {}),
    ("L1", {}),
    ("L2", {}),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs", CASES)
@given(x=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=4, max_side=5), elements=ELEMENTS))
def test_penalties_match_keras(keras3, name, kwargs, x):
    ours = getattr(regularizers, name)(**kwargs)(torch.from_numpy(x))
    theirs = float(getattr(keras3.regularizers, name)(**kwargs)(torch.from_numpy(x)))
    assert ours.dim() == 0
    np.testing.assert_allclose(ours.item(), theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parity
@pytest.mark.parametrize("mode", ["rows", "columns"])
@given(x=matrices(min_side=2))
def test_orthogonal_regularizer_matches_keras(keras3, mode, x):
    ours = regularizers.OrthogonalRegularizer(0.1, mode)(torch.from_numpy(x))
    theirs = float(keras3.regularizers.OrthogonalRegularizer(0.1, mode)(torch.from_numpy(x)))
    np.testing.assert_allclose(ours.item(), theirs, rtol=1e-5, atol=1e-6)


def test_known_values_and_gradient():
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    assert regularizers.L1(0.1)(x).item() == pytest.approx(0.3)
    assert regularizers.L1L2(0.1, 0.1)(x).item() == pytest.approx(0.8)
    regularizers.L2(0.25)(x).backward()
    torch.testing.assert_close(x.grad, 2 * 0.25 * x.detach())


def test_orthogonal_regularizer_values():
    assert regularizers.OrthogonalRegularizer(1.0)(torch.eye(3)).item() == 0.0
    parallel = torch.tensor([[1.0, 2.0], [2.0, 4.0], [-1.0, -2.0]])
    assert regularizers.OrthogonalRegularizer(0.5)(parallel).item() == pytest.approx(0.5)
    assert regularizers.OrthogonalRegularizer(1.0, "columns")(parallel).item() == pytest.approx(1.0)
    orthogonal_columns = torch.tensor([[1.0, 1.0], [1.0, -1.0], [1.0, 0.0]])
    assert regularizers.OrthogonalRegularizer(1.0, "columns")(orthogonal_columns).item() == pytest.approx(0.0, abs=1e-7)
    rows = regularizers.OrthogonalRegularizer(1.0, "rows")(orthogonal_columns).item()
    assert rows == pytest.approx(2 * 2**-0.5 / 3)  # |cos| of the row pairs: 0, 1/sqrt(2), 1/sqrt(2)
    assert regularizers.OrthogonalRegularizer(1.0)(torch.ones(1, 4)).item() == 0.0  # no pairs: 0, not NaN


def test_dtype_and_zero_penalty():
    x = torch.tensor([1.0, -2.0], dtype=torch.float64)
    assert regularizers.L1(0.5)(x).dtype == torch.float64
    zero = regularizers.L1L2()(x)
    assert zero.item() == 0.0 and zero.dtype == torch.float64
    assert regularizers.Regularizer()(x).item() == 0.0


def test_none_means_keras_default():
    assert regularizers.L1(None).l1 == 0.01 and regularizers.L2(None).l2 == 0.01
    assert regularizers.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: regularizers.L1(-1), r"argument l1: expected a non-negative float, received l1=-1"),
        (lambda: regularizers.L2("a"), r"argument l2: .* received l2='a'"),
        (lambda: regularizers.L1L2(l2=float("inf")), r"argument l2: .* received l2=inf"),
        (lambda: regularizers.L1(True), r"argument l1: .* received l1=True"),
        (lambda: regularizers.OrthogonalRegularizer(factor=-0.5), r"argument factor: .* received factor=-0.5"),
        (
            lambda: regularizers.OrthogonalRegularizer(mode="diagonal"),
            r"argument mode: expected 'rows' or 'columns', received mode='diagonal'",
        ),
    ],
)
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_orthogonal_regularizer_needs_rank_2():
    with pytest.raises(ValueError, match=r"rank 2, received inputs.shape=\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2))


def test_base_get_config_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Regularizer does not implement get_config"):
        regularizers.Regularizer().get_config()


@pytest.mark.parity
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.L1(0.5),
        lambda m: m.L2(0.25),
        lambda m: m.L1L2(0.125, 0.5),
        lambda m: m.OrthogonalRegularizer(0.5, "columns"),
    ],
)
def test_serialization_matches_keras_and_round_trips(keras3, make):
    ours = regularizers.serialize(make(regularizers))
    assert ours == keras3.regularizers.serialize(make(keras3.regularizers))  # factors exact in float32
    assert regularizers.serialize(regularizers.deserialize(ours)) == ours
    default = regularizers.serialize(regularizers.L1())["config"]["l1"]
    assert default == pytest.approx(keras3.regularizers.serialize(keras3.regularizers.L1())["config"]["l1"])


def test_get_identifiers():
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert isinstance(regularizers.get("L2"), regularizers.L2)
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("orthogonal_regularizer"), regularizers.OrthogonalRegularizer)
    assert isinstance(regularizers.get(regularizers.L1L2), regularizers.L1L2)
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg and regularizers.get(None) is None
    assert regularizers.get({"class_name": "L1", "config": {"l1": 0.5}}).l1 == 0.5

    def custom(x):
        return x.sum()

    assert regularizers.get(custom) is custom
    with pytest.raises(ValueError, match=r"'nope'.*l1_l2"):
        regularizers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 3"):
        regularizers.get(3)
