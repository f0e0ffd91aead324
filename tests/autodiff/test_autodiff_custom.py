"""custom_jvp / custom_vjp / custom_gradient: rules are used, reverse mode transposes JVP rules, errors."""

import pytest
import torch
from ad_checks import F64, tensors
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import autodiff
from kerastorch.autodiff import custom_gradient, custom_jvp, custom_vjp


def _make_softplus(calls):
    @custom_jvp
    def softplus(x):
        return torch.log1p(torch.exp(x))

    @softplus.defjvp
    def softplus_jvp(primals, tangents):
        calls.append("jvp")
        (x,), (t,) = primals, tangents
        return softplus(x), torch.sigmoid(x) * t

    return softplus


@given(tensors(), st.data())
def test_custom_jvp_rule_in_both_modes(x, data):
    v = data.draw(tensors(tuple(x.shape)))
    calls = []
    f = _make_softplus(calls)
    y, t = autodiff.jvp(f, (x,), (v,))
    assert calls == ["jvp"]
    torch.testing.assert_close(y, torch.nn.functional.softplus(x))
    torch.testing.assert_close(t, torch.sigmoid(x) * v)
    g = autodiff.grad(lambda a: f(a).sum())(x)  # no vjp rule: the JVP rule, transposed
    torch.testing.assert_close(g, torch.sigmoid(x))
    torch.testing.assert_close(g, autodiff.numerical_gradient(lambda a: f(a).sum(), x), rtol=1e-7, atol=1e-8)


def test_custom_jvp_rule_is_used_not_the_function_body():
    @custom_jvp
    def f(x):
        return x**2

    @f.defjvp
    def f_jvp(primals, tangents):
        return f(primals[0]), 10 * tangents[0]  # deliberately not 2x: proves the rule runs

    x = torch.tensor([1.0, 3.0])
    assert autodiff.jvp(f, (x,), (torch.ones(2),))[1].tolist() == [10.0, 10.0]
    assert autodiff.grad(lambda a: f(a).sum())(x).tolist() == [10.0, 10.0]
    f.defvjp(lambda primals, ct: (ct * -1,))
    assert autodiff.grad(lambda a: f(a).sum())(x).tolist() == [-1.0, -1.0]


def test_custom_jvp_multiple_inputs_outputs_and_non_tensor_args():
    @custom_jvp
    def scaled_pair(x, y, k):
        return x * y * k, x + y

    @scaled_pair.defjvp
    def _(primals, tangents):
        x, y, k = primals
        tx, ty, tk = tangents
        assert tk is None
        return scaled_pair(x, y, k), (k * (tx * y + x * ty), tx + ty)

    x, y = torch.tensor([1.0, 2.0], dtype=F64), torch.tensor([3.0, -1.0], dtype=F64)
    f = lambda x, y: scaled_pair(x, y, 2.0)
    (p, q), (tp, tq) = autodiff.jvp(f, (x, y), (torch.ones(2, dtype=F64), torch.zeros(2, dtype=F64)))
    torch.testing.assert_close(tp, 2 * y)
    torch.testing.assert_close(tq, torch.ones(2, dtype=F64))
    for mode in ("forward", "reverse"):
        jac = autodiff.jacobian(f, (x, y), mode=mode)
        torch.testing.assert_close(jac[0][1], torch.diag(2 * x))
        torch.testing.assert_close(jac[1][0], torch.eye(2, dtype=F64))
    # Second order through the transposed rule: d/dx of the gradient.
    h = autodiff.hessian(lambda x: scaled_pair(x, y, 2.0)[0].sum() * x.sum(), x)
    torch.testing.assert_close(h, torch.autograd.functional.hessian(lambda x: (x * y * 2).sum() * x.sum(), x))


def test_custom_vjp():
    @custom_vjp
    def clip_gradient(x, lo, hi):
        return x

    clip_gradient.defvjp(lambda x, lo, hi: (x, (lo, hi)), lambda res, g: (g.clamp(*res), None, None))
    x = torch.tensor([1.0, 2.0])
    g = autodiff.grad(lambda a: (5 * clip_gradient(a, -1.0, 1.0) - 0.5 * a).sum())(x)
    assert g.tolist() == [0.5, 0.5]
    with pytest.raises(NotImplementedError, match="custom_vjp 'clip_gradient': has a reverse-mode rule only"):
        autodiff.jvp(lambda a: clip_gradient(a, -1.0, 1.0), (x,), (x,))


def test_custom_gradient_tf_style():
    @custom_gradient
    def log1pexp(x):
        e = torch.exp(x)

        def grad_fn(upstream):
            return upstream * (1 - 1 / (1 + e))

        return torch.log1p(e), grad_fn

    x = torch.tensor([0.0, 100.0])
    assert autodiff.grad(lambda a: log1pexp(a).sum())(x).tolist() == [0.5, 1.0]  # stable where autograd gives nan
    with pytest.raises(NotImplementedError, match="custom_gradient 'log1pexp': has a reverse-mode rule only"):
        autodiff.jvp(log1pexp, (x,), (x,))


def test_errors():
    @custom_jvp
    def f(x):
        return x

    with pytest.raises(TypeError, match="custom_jvp 'f': no forward rule; define one with @f.defjvp"):
        f(torch.ones(1))

    @f.defjvp
    def f_jvp(primals, tangents):
        return primals[0]  # wrong: not a pair

    with pytest.raises(TypeError, match=r"custom_jvp 'f': the rule must return \(primal_out, tangent_out\)"):
        autodiff.jvp(f, (torch.ones(1),), (torch.ones(1),))
    with pytest.raises(TypeError, match="only positional arguments are supported, received keywords \\['scale'\\]"):
        f(torch.ones(1), scale=2)
    with pytest.raises(TypeError, match="custom_gradient: expected a function, received int"):
        custom_gradient(3)

    @custom_gradient
    def bad(x):
        return x

    with pytest.raises(TypeError, match=r"custom_gradient 'bad': the function must return \(output, grad_fn\)"):
        bad(torch.ones(1))


def test_custom_jvp_identity_and_torch_func_transforms():
    """Regression: a function returning its input as-is (torch refuses to save it) works; and the rule
    is honoured by torch.func's jvp / grad / jacrev / jacfwd / vmap too."""

    @custom_jvp
    def ident(x):
        return x

    @ident.defjvp
    def _(primals, tangents):
        return primals[0], 3 * tangents[0]

    x = torch.tensor([1.0, -2.0])
    assert autodiff.jvp(ident, (x,), (x,))[1].tolist() == [3.0, -6.0]
    assert torch.func.jvp(ident, (x,), (x,))[1].tolist() == [3.0, -6.0]
    assert torch.func.grad(lambda a: ident(a).sum())(x).tolist() == [3.0, 3.0]
    torch.testing.assert_close(torch.func.jacrev(ident)(x), 3 * torch.eye(2))
    torch.testing.assert_close(torch.func.jacfwd(ident)(x), 3 * torch.eye(2))
    torch.testing.assert_close(torch.vmap(ident)(torch.ones(3, 2)), torch.ones(3, 2))


def test_custom_jvp_returning_a_view_of_its_input():
    @custom_jvp
    def head(x):
        return x.T.reshape(-1)[:3]

    @head.defjvp
    def _(primals, tangents):
        return head(primals[0]), tangents[0].T.reshape(-1)[:3]

    x = torch.arange(4.0).reshape(2, 2)
    assert autodiff.jvp(head, (x,), (x,))[1].tolist() == [0.0, 2.0, 1.0]
    assert autodiff.grad(lambda a: head(a).sum())(x).tolist() == [[1.0, 1.0], [1.0, 0.0]]
