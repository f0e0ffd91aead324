"""Tests for kerastorch.constraints: Keras 3 parity, the constraint properties, errors, serialization."""

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerastorch import config, constraints


def weights(min_dims=2, max_dims=4):
    return hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=5),
        elements=st.floats(-5, 5, width=32),
    )


CASES = [
    ("MaxNorm", {}),
    ("MaxNorm", {"max_value": 0.5, "axis": 1}),
    ("MaxNorm", {"max_value": 1.5, "axis": [0, 1]}),
    ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 2.0, "rate": 0.3, "axis": 1}),
    ("MinMaxNorm", {"min_value": 1.0, "max_value": 1.0, "axis": [0, 1]}),
    ("UnitNorm", {}),
    ("UnitNorm", {"axis": -1}),
    ("UnitNorm", {"axis": [0, 1]}),
    ("NonNeg", {}),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs", CASES)
@given(w=weights())
def test_constraints_match_keras(keras3, name, kwargs, w):
    ours = getattr(constraints, name)(**kwargs)(torch.from_numpy(w))
    theirs = getattr(keras3.constraints, name)(**kwargs)(torch.from_numpy(w)).detach().cpu().numpy()
    assert ours.shape == w.shape
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6)


@given(w=weights(), max_value=st.floats(0.1, 3.0))
def test_max_norm_bounds_norms_and_keeps_small_slices(w, max_value):
    w = torch.from_numpy(w)
    out = constraints.MaxNorm(max_value, axis=0)(w)
    norms, new_norms = w.norm(dim=0), out.norm(dim=0)
    assert (new_norms <= max_value * (1 + 1e-5)).all()
    small = norms <= max_value
    torch.testing.assert_close(new_norms[small], norms[small], rtol=1e-5, atol=1e-5)


@given(w=weights(), low=st.floats(0.1, 1.0), width=st.floats(0.0, 2.0))
@example(w=np.array([[0.0078125]], dtype="float32"), low=1.0, width=0.0)  # a small norm: epsilon matters
def test_min_max_norm_projects_into_the_interval(w, low, width):
    w = torch.from_numpy(w).double()
    out = constraints.MinMaxNorm(low, low + width, rate=1.0, axis=0)(w)
    norms, before = out.norm(dim=0), w.norm(dim=0)
    nonzero = before > 1e-3
    # Keras divides by (norm + epsilon): a norm n lands at target * n / (n + 1e-7).
    shortfall = before[nonzero] / (before[nonzero] + 1e-7)
    assert (norms[nonzero] >= low * shortfall * (1 - 1e-9)).all()
    assert (norms[nonzero] <= (low + width) * (1 + 1e-5)).all()


def test_min_max_norm_rate_moves_part_of_the_way():
    w = torch.tensor([[3.0], [4.0]])  # norm 5
    out = constraints.MinMaxNorm(0.0, 1.0, rate=0.5)(w)
    assert out.norm().item() == pytest.approx(3.0, rel=1e-5)  # 0.5 * 1 + 0.5 * 5


def test_unit_norm_and_non_neg():
    w = torch.tensor([[3.0, 0.0], [4.0, 0.0]])
    out = constraints.UnitNorm()(w)
    torch.testing.assert_close(out, torch.tensor([[0.6, 0.0], [0.8, 0.0]]))
    assert constraints.NonNeg()(torch.tensor([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 2.0]


def test_epsilon_is_read_at_call_time():
    w = torch.tensor([[3.0], [4.0]])
    try:
        config.set_epsilon(1.0)
        torch.testing.assert_close(constraints.UnitNorm()(w), w / 6.0)
    finally:
        config.set_epsilon(1e-7)


def test_zero_weights_stay_finite():
    for constraint in (constraints.MaxNorm(), constraints.MinMaxNorm(), constraints.UnitNorm()):
        assert torch.equal(constraint(torch.zeros(3, 2)), torch.zeros(3, 2))


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: constraints.MaxNorm(-1), r"argument max_value: expected a number >= 0.0, received max_value=-1"),
        (lambda: constraints.MaxNorm("big"), r"received max_value='big'"),
        (
            lambda: constraints.MinMaxNorm(2.0, 1.0),
            r"argument max_value: expected a number >= 2.0, received max_value=1.0",
        ),
        (
            lambda: constraints.MinMaxNorm(rate=1.5),
            r"argument rate: expected a number in \[0.0, 1.0\], received rate=1.5",
        ),
    ],
)
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parity
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.MaxNorm(3, axis=[0, 1, 2]),
        lambda m: m.MinMaxNorm(0.5, 2.0, 0.5, 1),
        lambda m: m.NonNeg(),
        lambda m: m.UnitNorm(axis=-1),
        lambda m: m.max_norm(),
    ],
)
def test_serialization_matches_keras_and_round_trips(keras3, make):
    ours = constraints.serialize(make(constraints))
    assert ours == keras3.constraints.serialize(make(keras3.constraints))
    assert constraints.serialize(constraints.deserialize(ours)) == ours


def test_get_identifiers():
    for name, cls in [
        ("max_norm", constraints.MaxNorm),
        ("MinMaxNorm", constraints.MinMaxNorm),
        ("non_neg", constraints.NonNeg),
        ("unit_norm", constraints.UnitNorm),
    ]:
        assert type(constraints.get(name)) is cls
    c = constraints.UnitNorm(1)
    assert constraints.get(c) is c and constraints.get(None) is None
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    assert constraints.get({"class_name": "MaxNorm", "config": {"max_value": 4, "axis": 1}}).max_value == 4
    assert constraints.get(torch.abs) is torch.abs
    with pytest.raises(ValueError, match=r"'nope'.*max_norm"):
        constraints.get("nope")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: 3"):
        constraints.get(3)


def test_base_constraint_is_identity():
    w = torch.randn(3)
    assert constraints.Constraint()(w) is w and constraints.Constraint().get_config() == {}
