"""Finite differences: accuracy against known derivatives, step choice, error reports, argument errors."""

import pytest
import torch
from ad_checks import F64, SCALAR_FUNCTIONS, VECTOR_FUNCTIONS, tensors
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import autodiff
from kerastorch.autodiff import numerical


@given(tensors(), st.sampled_from(sorted(SCALAR_FUNCTIONS)))
def test_central_gradient_matches_autograd(x, name):
    f = SCALAR_FUNCTIONS[name]
    exact = torch.func.grad(f)(x)
    approx = autodiff.numerical_gradient(f, x)
    torch.testing.assert_close(approx, exact, rtol=1e-7, atol=1e-8)


@given(tensors(), st.sampled_from(sorted(VECTOR_FUNCTIONS)), st.sampled_from(["forward", "central"]))
def test_numerical_jacobian_matches_autograd(x, name, method):
    f = VECTOR_FUNCTIONS[name]
    exact = torch.autograd.functional.jacobian(f, x)
    approx = autodiff.numerical_jacobian(f, x, method=method)
    assert approx.shape == exact.shape == f(x).shape + x.shape
    tol = 1e-5 if method == "forward" else 1e-8
    torch.testing.assert_close(approx, exact, rtol=tol, atol=tol)


def test_central_is_more_accurate_than_forward():
    x = torch.linspace(-1.5, 1.5, 7, dtype=F64)
    exact = torch.cos(x)
    forward = autodiff.numerical_gradient(lambda x: torch.sin(x).sum(), x, method="forward")
    central = autodiff.numerical_gradient(lambda x: torch.sin(x).sum(), x, method="central")
    assert (central - exact).abs().max() < 1e-9 < (forward - exact).abs().max() < 1e-6


def test_tuple_inputs_and_outputs():
    x, y = torch.tensor([1.0, 2.0], dtype=F64), torch.tensor([3.0], dtype=F64)
    jac = autodiff.numerical_jacobian(lambda a, b: (a * b, a.sum() + b), (x, y))
    assert [[tuple(j.shape) for j in row] for row in jac] == [[(2, 2), (2, 1)], [(1, 2), (1, 1)]]
    torch.testing.assert_close(jac[0][0], torch.diag(y.expand(2)))
    torch.testing.assert_close(jac[0][1], x.reshape(2, 1))
    gx, gy = autodiff.numerical_gradient(lambda a, b: (a * b).sum(), (x, y))
    torch.testing.assert_close(gx, y.expand(2))
    torch.testing.assert_close(gy, x.sum().reshape(1))


def test_default_step_follows_dtype():
    assert numerical.default_step(F64, "forward") == pytest.approx(torch.finfo(F64).eps ** 0.5)
    assert numerical.default_step(torch.float32, "central") == pytest.approx(torch.finfo(torch.float32).eps ** (1 / 3))
    # The step scales with |x|: a large x still gets an accurate derivative.
    x = torch.tensor([1e6], dtype=F64)
    g = autodiff.numerical_gradient(lambda x: (x**2).sum(), x)
    torch.testing.assert_close(g, 2 * x, rtol=1e-9, atol=0)


def test_finite_difference_error_tradeoff():
    x = torch.tensor([0.7, -0.3, 1.1], dtype=F64)
    errs = autodiff.finite_difference_errors(lambda x: torch.exp(x) * torch.sin(x), x)
    assert len(errs.steps) == len(errs.forward) == len(errs.central) == 15
    # Truncation error: forward O(h), central O(h^2) at large steps.
    assert errs.forward[0] > 10 * errs.forward[2]
    assert errs.central[0] > 1000 * errs.central[3]
    # Rounding error takes over at tiny steps: both are worse at 1e-15 than at their optimum.
    assert errs.forward[-1] > 100 * min(errs.forward)
    assert errs.central[-1] > 100 * min(errs.central)
    assert 1e-10 <= errs.best_step("forward") <= 1e-6 and 1e-7 <= errs.best_step("central") <= 1e-3
    assert "forward" in errs.table() and len(errs.table().splitlines()) == 16


def test_finite_difference_errors_with_given_exact_and_steps():
    x = torch.tensor([2.0], dtype=F64)
    errs = autodiff.finite_difference_errors(
        lambda x: x**2, x, direction=torch.ones(1, dtype=F64), steps=[0.5, 0.1], exact=torch.tensor([4.0], dtype=F64)
    )
    assert errs.forward == pytest.approx([0.5, 0.1])  # f(x+h)-f(x) / h - 2x = h
    assert errs.central == pytest.approx([0.0, 0.0], abs=1e-12)


def test_errors():
    x = torch.ones(2, dtype=F64)
    with pytest.raises(
        TypeError, match="numerical_jacobian: input 0 has dtype torch.int64, which is not differentiable"
    ):
        autodiff.numerical_jacobian(lambda x: x, torch.ones(2, dtype=torch.int64))
    with pytest.raises(ValueError, match="method must be one of .* received 'backward'"):
        autodiff.numerical_gradient(lambda x: x.sum(), x, method="backward")
    with pytest.raises(ValueError, match=r"f must return a scalar tensor, received \(2,\)"):
        autodiff.numerical_gradient(lambda x: x, x)
    with pytest.raises(ValueError, match=r"direction has shape \(3,\), but x has shape \(2,\)"):
        autodiff.finite_difference_errors(lambda x: x, x, direction=torch.ones(3, dtype=F64))


def test_finite_difference_errors_take_tuples_as_jvp_does():
    x, y = torch.tensor([0.3, -0.7], dtype=F64), torch.tensor([1.5], dtype=F64)
    f = lambda a, b: torch.sin(a) * b
    v, w = torch.tensor([1.0, 0.5], dtype=F64), torch.tensor([-2.0], dtype=F64)
    errs = autodiff.finite_difference_errors(f, (x, y), direction=(v, w))
    torch.testing.assert_close(errs.exact, autodiff.jvp(f, (x, y), (v, w))[1])
    assert min(errs.central) < 1e-9 and errs.best_step("forward") < errs.best_step("central")
    default = autodiff.finite_difference_errors(f, (x, y))  # a fixed random unit direction over both inputs
    assert default.exact.shape == (2,) and min(default.central) < 1e-9
    assert default.exact.tolist() == autodiff.finite_difference_errors(f, (x, y)).exact.tolist()
    single = autodiff.finite_difference_errors(torch.sin, x)
    assert single.exact.tolist() == autodiff.finite_difference_errors(torch.sin, (x,)).exact.tolist()
    with pytest.raises(ValueError, match=r"expected one direction per input \(2\), received 1"):
        autodiff.finite_difference_errors(f, (x, y), direction=(v,))
    with pytest.raises(ValueError, match=r"direction 1 has shape \(2,\), but x 1 has shape \(1,\)"):
        autodiff.finite_difference_errors(f, (x, y), direction=(v, v))
