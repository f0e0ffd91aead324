"""Reverse mode: grad / value_and_grad / vjp against finite differences, and their nesting and errors."""

import pytest
import torch
from ad_checks import F64, SCALAR_FUNCTIONS, VECTOR_FUNCTIONS, tensors
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import autodiff


@given(tensors(), st.sampled_from(sorted(SCALAR_FUNCTIONS)))
def test_grad_matches_central_differences(x, name):
    f = SCALAR_FUNCTIONS[name]
    torch.testing.assert_close(autodiff.grad(f)(x), autodiff.numerical_gradient(f, x), rtol=1e-7, atol=1e-8)
    value, g = autodiff.value_and_grad(f)(x)
    torch.testing.assert_close(value, f(x))
    assert not value.requires_grad and not g.requires_grad and not x.requires_grad


@given(tensors(), st.sampled_from(sorted(VECTOR_FUNCTIONS)), st.data())
def test_vjp_matches_numerical_jacobian(x, name, data):
    f = VECTOR_FUNCTIONS[name]
    y, vjp_fn = autodiff.vjp(f, x)
    u = data.draw(tensors(tuple(y.shape)))
    (ct,) = vjp_fn(u)
    jac = autodiff.numerical_jacobian(f, x).reshape(y.numel(), x.numel())
    torch.testing.assert_close(ct.reshape(-1), jac.T @ u.reshape(-1), rtol=1e-7, atol=1e-8)
    (again,) = vjp_fn(2 * u)  # the graph is kept: vjp_fn is reusable and linear
    torch.testing.assert_close(again, 2 * ct)


def test_argnums_has_aux_and_unused_inputs():
    x, y, z = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]), torch.tensor(5.0)
    gx, gz = autodiff.grad(lambda a, b, c: (a * b).sum(), argnums=(0, 2))(x, y, z)
    torch.testing.assert_close(gx, y)
    torch.testing.assert_close(gz, torch.tensor(0.0))  # unused input: zero, not None
    (value, aux), gy = autodiff.value_and_grad(lambda a, b: ((a * b).sum(), a + b), argnums=-1, has_aux=True)(x, y)
    assert value.item() == 11.0 and torch.equal(aux, x + y) and torch.equal(gy, x)
    g, aux = autodiff.grad(lambda a: (a.sum(), "note"), has_aux=True)(x)
    assert aux == "note" and torch.equal(g, torch.ones(2))


def test_closure_captured_tensor_is_a_constant():
    x = torch.tensor(3.0)
    g = autodiff.grad(lambda a: a * x)(x)  # JAX semantics: only the argument is differentiated
    assert g.item() == 3.0


@given(tensors((3,)), st.sampled_from(sorted(SCALAR_FUNCTIONS)))
def test_grad_of_grad_is_the_hessian(x, name):
    f = SCALAR_FUNCTIONS[name]
    rows = torch.stack([autodiff.grad(lambda a, i=i: autodiff.grad(f)(a)[i])(x) for i in range(3)])
    torch.testing.assert_close(rows, torch.autograd.functional.hessian(f, x), rtol=1e-9, atol=1e-10)


def test_vjp_multiple_outputs_and_primals():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 5.0])
    (p, q), vjp_fn = autodiff.vjp(lambda a, b: (a * b, a.sum()), a, b)
    da, db = vjp_fn(torch.ones(2), torch.tensor(10.0))
    torch.testing.assert_close(da, b + 10)
    torch.testing.assert_close(db, a)
    assert vjp_fn((torch.ones(2), torch.tensor(10.0)))[0].tolist() == da.tolist()


def test_model_vjp_matches_backward():
    import kerastorch as keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
    x, u = torch.randn(5, 3), torch.randn(5, 2)
    y, grads = autodiff.model_vjp(model, x, u)
    (model(x) * u).sum().backward()
    assert len(grads) == len(model.trainable_weights) == 4
    for g, w in zip(grads, model.trainable_weights):
        torch.testing.assert_close(g, w.grad)
    torch.testing.assert_close(y, model(x))


def test_errors():
    x = torch.ones(2)
    with pytest.raises(
        TypeError, match="value_and_grad: argument 0 has dtype torch.int64, which is not differentiable"
    ):
        autodiff.grad(lambda a: a.sum())(torch.ones(2, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"value_and_grad: f must return a scalar tensor, received \(2,\)"):
        autodiff.grad(lambda a: a)(x)
    with pytest.raises(ValueError, match="argnums must be positions of the 1 positional arguments, received 3"):
        autodiff.grad(lambda a: a.sum(), argnums=3)(x)
    with pytest.raises(ValueError, match="has_aux=True, f must return a pair"):
        autodiff.grad(lambda a: a.sum(), has_aux=True)(x)
    _, vjp_fn = autodiff.vjp(lambda a: a * 2, x)
    with pytest.raises(ValueError, match=r"vjp: cotangent 0 has shape \(3,\), but output 0 has shape \(2,\)"):
        vjp_fn(torch.ones(3))
    with pytest.raises(TypeError, match="vjp: primal 0 must be a torch.Tensor, received float"):
        autodiff.vjp(lambda a: a, [1.0])  # one list of primals, as jvp takes them
    with pytest.raises(TypeError, match="vjp: primal 1 must be a torch.Tensor, received list"):
        autodiff.vjp(lambda a, b: a, x, [1.0])
    assert autodiff.grad(lambda a: a.sum(), argnums=0)(x.double()).dtype == F64


def test_vjp_takes_its_primals_as_one_tuple_too():
    x, y = torch.tensor([1.0, 2.0], dtype=F64), torch.tensor([3.0, 5.0], dtype=F64)
    f = lambda a, b: a * b
    out, vjp_fn = autodiff.vjp(f, (x, y))
    out2, vjp_fn2 = autodiff.vjp(f, x, y)
    torch.testing.assert_close(out, out2)
    u = torch.tensor([1.0, -1.0], dtype=F64)
    torch.testing.assert_close(vjp_fn(u), (u * y, u * x))
    torch.testing.assert_close(vjp_fn(u), vjp_fn2(u))
    torch.testing.assert_close(autodiff.vjp(torch.sin, [x])[1](u), (u * torch.cos(x),))
