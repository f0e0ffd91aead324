"""Forward mode: JVPs against VJPs and finite differences, Jacobian modes, Hessians, weight-space JVPs."""

import pytest
import torch
from ad_checks import F64, SCALAR_FUNCTIONS, VECTOR_FUNCTIONS, tensors
from hypothesis import example, given
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch import autodiff


@given(tensors(), st.sampled_from(sorted(VECTOR_FUNCTIONS)), st.data())
def test_jvp_vjp_duality(x, name, data):
    """<u, J v> = <J^T u, v> for random u, v: forward and reverse mode agree."""
    f = VECTOR_FUNCTIONS[name]
    v = data.draw(tensors(tuple(x.shape)))
    y, jv = autodiff.jvp(f, (x,), (v,))
    u = data.draw(tensors(tuple(y.shape)))
    (jtu,) = autodiff.vjp(f, x)[1](u)
    torch.testing.assert_close((u * jv).sum(), (jtu * v).sum(), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(y, f(x))


@given(tensors(), st.sampled_from(sorted(VECTOR_FUNCTIONS)), st.data())
def test_jvp_matches_central_differences_and_is_linear(x, name, data):
    f = VECTOR_FUNCTIONS[name]
    v, w = data.draw(tensors(tuple(x.shape))), data.draw(tensors(tuple(x.shape)))
    a, b = data.draw(st.floats(-2, 2)), data.draw(st.floats(-2, 2))
    jv = autodiff.jvp(f, (x,), (v,))[1]
    jac = autodiff.numerical_jacobian(f, x).reshape(-1, x.numel())
    torch.testing.assert_close(jv.reshape(-1), jac @ v.reshape(-1), rtol=1e-7, atol=1e-8)
    combined = autodiff.jvp(f, (x,), (a * v + b * w,))[1]
    torch.testing.assert_close(combined, a * jv + b * autodiff.jvp(f, (x,), (w,))[1], rtol=1e-10, atol=1e-10)


@given(tensors(), st.sampled_from(sorted(VECTOR_FUNCTIONS)))
def test_jacobian_modes_agree(x, name):
    f = VECTOR_FUNCTIONS[name]
    forward = autodiff.jacobian(f, x, mode="forward")
    reverse = autodiff.jacobian(f, x, mode="reverse")
    assert forward.shape == f(x).shape + x.shape
    torch.testing.assert_close(forward, reverse, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(autodiff.jacobian(f, x), forward, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(forward, autodiff.numerical_jacobian(f, x), rtol=1e-7, atol=1e-8)


def test_jacobian_auto_counts_passes():
    calls = []

    def f(x):
        calls.append(1)
        return torch.cat([x.sum().reshape(1), (x**2).sum().reshape(1)])

    autodiff.jacobian(f, torch.ones(6, dtype=F64), mode="auto")  # 6 inputs, 2 outputs: reverse
    assert len(calls) == 2  # one evaluation to size the output, one forward pass for the backward passes
    calls.clear()
    autodiff.jacobian(lambda x: f(x).repeat(5), torch.ones(2, dtype=F64), mode="auto")  # 2 in, 10 out: forward
    assert len(calls) == 1 + 2


def test_jacobian_tuple_inputs_and_outputs():
    a, b = torch.tensor([1.0, 2.0], dtype=F64), torch.tensor(3.0, dtype=F64)
    for mode in ("forward", "reverse"):
        (jaa, jab), (jba, jbb) = autodiff.jacobian(lambda a, b: (a * b, a.sum() * b), (a, b), mode=mode)
        torch.testing.assert_close(jaa, 3 * torch.eye(2, dtype=F64))
        torch.testing.assert_close(jab, a)
        torch.testing.assert_close(jba, torch.full((2,), 3.0, dtype=F64))
        torch.testing.assert_close(jbb, a.sum())


@given(tensors((3,)), st.sampled_from(sorted(SCALAR_FUNCTIONS)), st.data())
@example(torch.zeros(3, dtype=F64), "sin_norm", None).via("zero input: the Hessian is 2 cos(1) I")
def test_hessian_symmetric_and_matches_hvp(x, name, data):
    f = SCALAR_FUNCTIONS[name]
    h = autodiff.hessian(f, x)
    torch.testing.assert_close(h, h.T, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h, torch.autograd.functional.hessian(f, x), rtol=1e-10, atol=1e-10)
    v = torch.linspace(-1, 1, 3, dtype=F64) if data is None else data.draw(tensors((3,)))
    torch.testing.assert_close(autodiff.hvp(f, x, v), h @ v, rtol=1e-10, atol=1e-10)
    assert not h.requires_grad


@given(tensors((2, 3)), st.sampled_from([False, True]))
def test_model_jvp_matches_weight_space_differences(x, training):
    # dtype="float64" on the weightless Dropout: .to(F64) only re-types layers that own weights.
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dropout(0.0, dtype="float64"),
            keras.layers.Dense(2),
        ]
    ).to(F64)
    weights = list(model.trainable_weights)
    direction = [torch.randn_like(w) for w in weights]
    y, dy = autodiff.model_jvp(model, x, direction, training=training)
    torch.testing.assert_close(y, model(x))
    originals = [w.detach().clone() for w in weights]

    def at(scale):
        with torch.no_grad():
            for w, w0, d in zip(weights, originals, direction):
                w.copy_(w0 + scale * d)
        return model(x)

    h = 1e-5
    numeric = (at(h) - at(-h)) / (2 * h)
    at(0.0)
    torch.testing.assert_close(dy, numeric, rtol=1e-6, atol=1e-8)
    # <u, J_w d> = <J_w^T u, d>: weight-space JVP against weight-space VJP.
    u = torch.randn_like(y)
    _, grads = autodiff.model_vjp(model, x, u)
    torch.testing.assert_close((u * dy).sum(), sum((g * d).sum() for g, d in zip(grads, direction)))
    by_path = autodiff.model_jvp(model, x, {w.path: d for w, d in zip(weights, direction)})[1]
    torch.testing.assert_close(by_path, dy)


def test_jvp_through_batch_normalization_in_training_updates_state_once():
    layer = keras.layers.BatchNormalization(momentum=0.5)
    x = torch.randn(6, 3, dtype=F64)
    layer.build((6, 3))
    layer.to(F64)
    y, t = autodiff.jvp(lambda a: layer(a, training=True), (x,), (torch.ones_like(x),))
    # Adding the same constant to every example leaves batch-normalized outputs unchanged: zero tangent.
    torch.testing.assert_close(t, torch.zeros_like(t), rtol=0, atol=1e-6)
    torch.testing.assert_close(layer.moving_mean, 0.5 * x.mean(0))
    assert not layer.moving_mean.requires_grad


def test_errors():
    x = torch.ones(2, dtype=F64)
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(3,\), but its primal has shape \(2,\)"):
        autodiff.jvp(torch.sin, (x,), (torch.ones(3, dtype=F64),))
    with pytest.raises(
        TypeError, match="jvp: tangent 0 has dtype torch.float32, but its primal has dtype torch.float64"
    ):
        autodiff.jvp(torch.sin, (x,), (torch.ones(2),))
    with pytest.raises(ValueError, match=r"expected one tangent per primal \(1\), received 2"):
        autodiff.jvp(torch.sin, (x,), (x, x))
    with pytest.raises(TypeError, match="jvp: primal 0 has dtype torch.int64, which is not differentiable"):
        autodiff.jvp(lambda a: a * 2, (torch.ones(2, dtype=torch.int64),), (torch.ones(2, dtype=torch.int64),))
    with pytest.raises(ValueError, match="jacobian: mode must be one of .* received 'sideways'"):
        autodiff.jacobian(torch.sin, x, mode="sideways")
    with pytest.raises(ValueError, match=r"hvp: vector 0 has shape \(1,\), but its primal has shape \(2,\)"):
        autodiff.hvp(lambda a: a.sum(), x, torch.ones(1, dtype=F64))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"one direction tensor per trainable weight \(2\), received 1"):
        autodiff.model_jvp(model, torch.ones(1, 2), [torch.ones(2, 1)])
    with pytest.raises(ValueError, match="direction names weights the model does not have: \\['nope'\\]"):
        autodiff.model_jvp(model, torch.ones(1, 2), {"nope": torch.ones(1)})


def test_op_without_forward_rule_is_named():
    q = torch.randn(1, 2, 3, 4, dtype=torch.float32)
    with pytest.raises(NotImplementedError, match="jvp: the op '_scaled_dot_product_\\w+' has no forward-mode"):
        autodiff.jvp(lambda q: torch.nn.functional.scaled_dot_product_attention(q, q, q), (q,), (q,))


def test_jacobian_of_transposed_input_and_output():
    """Regression: non-contiguous inputs / outputs (a transpose) must not break the basis vectors."""
    x = torch.arange(6, dtype=F64).reshape(2, 3).T  # non-contiguous
    for mode in ("forward", "reverse"):
        jac = autodiff.jacobian(lambda a: (a * 2).T, x, mode=mode)
        assert jac.shape == (2, 3, 3, 2)
        torch.testing.assert_close(jac, 2 * torch.eye(6, dtype=F64).reshape(3, 2, 3, 2).permute(1, 0, 2, 3))


def _two_inputs(x, y):
    return (torch.sin(x) * (y**2).sum()).sum() + (x**3).sum() * y.prod()


def test_hvp_and_hessian_take_tuples_as_jvp_does():
    """One convention: the point is a tensor or a tuple of tensors (f(*x)); hvp's vectors follow it."""
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(3, generator=gen, dtype=F64), torch.randn(2, generator=gen, dtype=F64)
    v, w = torch.randn(3, generator=gen, dtype=F64), torch.randn(2, generator=gen, dtype=F64)
    reference = torch.autograd.functional.hessian(_two_inputs, (x, y))  # [i][j]: shape x_i + x_j
    blocks = autodiff.hessian(_two_inputs, (x, y))
    assert isinstance(blocks, tuple) and all(isinstance(row, tuple) and len(row) == 2 for row in blocks)
    for i in range(2):
        for j in range(2):
            torch.testing.assert_close(blocks[i][j], reference[i][j], rtol=1e-10, atol=1e-12)
    hx, hy = autodiff.hvp(_two_inputs, (x, y), (v, w))
    torch.testing.assert_close(hx, reference[0][0] @ v + reference[0][1] @ w, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(hy, reference[1][0] @ v + reference[1][1] @ w, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(autodiff.hvp(_two_inputs, [x, y], [v, w]), (hx, hy))  # lists as tuples
    expected = torch.autograd.functional.hvp(_two_inputs, (x, y), (v, w))[1]
    torch.testing.assert_close((hx, hy), expected, rtol=1e-10, atol=1e-12)


def test_hvp_and_hessian_still_take_bare_tensors():
    f = SCALAR_FUNCTIONS[sorted(SCALAR_FUNCTIONS)[0]]
    x, v = torch.linspace(-1, 1, 4, dtype=F64), torch.linspace(0.5, 2, 4, dtype=F64)
    bare = autodiff.hvp(f, x, v)
    assert isinstance(bare, torch.Tensor)
    torch.testing.assert_close(bare, autodiff.hvp(f, (x,), (v,))[0], rtol=0, atol=0)
    torch.testing.assert_close(bare, autodiff.hvp(f, x, (v,)), rtol=0, atol=0)
    h = autodiff.hessian(f, x)
    assert isinstance(h, torch.Tensor) and h.shape == (4, 4)
    torch.testing.assert_close(autodiff.hessian(f, (x,))[0][0], h, rtol=0, atol=0)


def test_tuple_convention_errors_name_the_input():
    x, y = torch.ones(2, dtype=F64), torch.ones(3, dtype=F64)
    with pytest.raises(ValueError, match=r"hvp: expected one vector per primal \(2\), received 1"):
        autodiff.hvp(_two_inputs, (x, y), (x,))
    with pytest.raises(ValueError, match=r"hvp: vector 1 has shape \(2,\), but its primal has shape \(3,\)"):
        autodiff.hvp(_two_inputs, (x, y), (x, x))
    with pytest.raises(TypeError, match="hessian: input 1 has dtype torch.int64"):
        autodiff.hessian(_two_inputs, (x, torch.ones(3, dtype=torch.int64)))


def test_linearize_takes_primals_and_tangents_either_way():
    x, y = torch.tensor([1.0, 2.0], dtype=F64), torch.tensor([3.0, 4.0], dtype=F64)
    f = lambda a, b: a * b**2
    out, f_jvp = autodiff.linearize(f, (x, y))
    out2, f_jvp2 = autodiff.linearize(f, x, y)
    torch.testing.assert_close(out, out2)
    v, w = torch.tensor([1.0, 0.0], dtype=F64), torch.tensor([0.0, 1.0], dtype=F64)
    expected = autodiff.jvp(f, (x, y), (v, w))[1]
    for fn in (f_jvp, f_jvp2):
        torch.testing.assert_close(fn(v, w), expected)
        torch.testing.assert_close(fn((v, w)), expected)
