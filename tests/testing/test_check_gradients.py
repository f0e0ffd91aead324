"""check_gradients / check_hessian: they pass on correct derivatives and name the mode and input of a wrong one."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch.testing import GradientReport, check_gradients, check_hessian
from kerastorch.testing import strategies as S

F64 = torch.float64


def _sin_with_rules(backward_scale=1.0, jvp_fn=None):
    """sin(x) as an autograd.Function whose backward is scaled and whose JVP rule can be replaced."""

    class Sin(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return torch.sin(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return backward_scale * torch.cos(x) * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return jvp_fn(x, t) if jvp_fn else torch.cos(x) * t

    return Sin.apply


def _failed(report):
    return sorted({c.check for c in report.failures})


@settings(max_examples=10)
@given(x=S.tensors((3,)))
def test_correct_rules_pass(x):
    report = check_gradients(_sin_with_rules(), x)
    assert report.ok and {c.check for c in report.comparisons} == {
        "reverse linearity",
        "forward primal",
        "forward linearity",
        "forward vs reverse",
        "reverse vs numerical",
        "forward vs numerical",
    }


@settings(max_examples=10)
@given(x=S.tensors((3,), low=-1.2, high=1.2), scale=st.sampled_from([-1.0, 0.5, 1.01, 2.0]))
def test_a_wrong_backward_rule_is_caught_and_named(x, scale):
    report = check_gradients(_sin_with_rules(backward_scale=scale), x, assert_ok=False)
    assert _failed(report) == ["forward vs reverse", "reverse vs numerical"]
    with pytest.raises(
        AssertionError,
        match=r"(?s)disagree.*FAIL  forward vs reverse  input.*"
        r"FAIL  reverse vs numerical  input: \|diff\|",
    ):
        report.assert_ok()


@settings(max_examples=10)
@given(x=S.tensors((3,), low=-1.2, high=1.2))
def test_a_wrong_jvp_rule_is_caught_and_named(x):
    report = check_gradients(_sin_with_rules(jvp_fn=lambda x, t: torch.cos(x) * t + 0.1 * t), x, assert_ok=False)
    assert _failed(report) == ["forward vs numerical", "forward vs reverse"]
    assert report.worst.check in ("forward vs numerical", "forward vs reverse")


def test_a_nonlinear_jvp_rule_is_caught():
    x = torch.tensor([0.3, -0.7, 1.1], dtype=F64)
    report = check_gradients(_sin_with_rules(jvp_fn=lambda x, t: torch.cos(x) * t * t.abs()), x, assert_ok=False)
    assert "forward linearity" in _failed(report)


def test_an_op_without_forward_rule_is_reported_not_raised():
    class NoJvp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    report = check_gradients(NoJvp.apply, torch.ones(2), assert_ok=False)
    (failure,) = report.failures
    assert failure.check == "forward" and failure.detail.startswith("forward mode failed") and failure.ratio == np.inf
    assert report.find("reverse vs numerical")[0].ok
    with pytest.raises(AssertionError, match="FAIL  forward  all inputs: forward mode failed"):
        report.assert_ok()


def test_layer_weights_are_named_by_path_and_the_layer_is_untouched():
    layer = keras.layers.Dense(2)
    x = torch.randn(3, 4)
    layer(x)
    before = [w.detach().clone() for w in layer.weights]
    report = check_gradients(layer, x)
    assert {c.wrt for c in report.find("reverse vs numerical")} == {
        "input",
        "weight 'dense/kernel'",
        "weight 'dense/bias'",
    }
    assert all(w.dtype == torch.float32 and torch.equal(w, b) for w, b in zip(layer.weights, before))


def test_unbuilt_layer_is_built_in_float64_and_training_state_is_restored():
    layer = keras.layers.BatchNormalization()
    report = check_gradients(layer, torch.randn(4, 3), training=True)
    assert not layer.built and report.ok
    assert len(report.find("reverse vs numerical")) == 3  # input, gamma, beta (moving statistics are frozen)


@settings(max_examples=5)
@given(seed=st.integers(0, 100), layer_seed=st.sampled_from([None, 3]))
def test_random_layers_draw_the_same_noise_in_every_evaluation(seed, layer_seed):
    """Were the dropout mask or the noise redrawn per evaluation, finite differences would be garbage."""
    for layer in (keras.layers.Dropout(0.5, seed=layer_seed), keras.layers.GaussianNoise(1.0, seed=layer_seed)):
        check_gradients(layer, torch.randn(2, 5), training=True, seed=seed)


def test_integer_inputs_are_constants_and_lists_are_one_argument():
    report = check_gradients(lambda x, i: x[i] ** 2, (torch.randn(4), torch.tensor([0, 2, 2])))
    assert {c.wrt for c in report.find("reverse vs numerical")} == {"input 0"}
    report = check_gradients(keras.layers.Concatenate(), [torch.randn(2, 1), torch.randn(2, 2)])
    assert {c.wrt for c in report.find("reverse vs numerical")} == {"input 0", "input 1"}
    report = check_gradients(keras.layers.Embedding(4, 2), torch.tensor([[0, 3]]))
    assert [c.wrt for c in report.find("reverse vs numerical")] == ["weight 'embedding/embeddings'"]


def test_dtype_and_numpy_inputs():
    seen = []
    check_gradients(lambda x: seen.append(x.dtype) or x.exp(), np.ones(2, np.float32))
    check_gradients(lambda x: seen.append(x.dtype) or x.exp(), torch.ones(2), dtype=torch.float32, rtol=1e-2, atol=1e-3)
    assert set(seen[:2]) == {torch.float64} and set(seen[-2:]) == {torch.float32}


def test_modes_select_the_comparisons():
    report = check_gradients(torch.tanh, torch.randn(3), modes=("reverse", "numerical"))
    assert {c.check for c in report.comparisons} == {"reverse linearity", "reverse vs numerical"}
    report = check_gradients(torch.tanh, torch.randn(3), modes="forward")
    assert {c.check for c in report.comparisons} == {"forward primal", "forward linearity"}


def test_argument_errors():
    with pytest.raises(
        ValueError,
        match=r"modes must be a non-empty subset of \('reverse', 'forward', "
        r"'numerical'\), received \('backward',\)",
    ):
        check_gradients(torch.sin, torch.ones(1), modes=("backward",))
    with pytest.raises(ValueError, match="compares nothing"):
        check_gradients(torch.sin, torch.ones(1), modes=("numerical",))
    with pytest.raises(TypeError, match="expected a function or a layer, received int"):
        check_gradients(3, torch.ones(1))
    with pytest.raises(ValueError, match=r"check_gradients\(<lambda>\): nothing to differentiate.*torch.int64"):
        check_gradients(lambda i: i * 1.0, torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="dtype must be a floating-point torch dtype, received torch.int32"):
        check_gradients(torch.sin, torch.ones(1), dtype=torch.int32)
    with pytest.raises(ValueError, match="expected the function to return floating-point tensors, received str"):
        check_gradients(lambda x: "no", torch.ones(1))


def test_report_formatting():
    report = check_gradients(_sin_with_rules(backward_scale=3.0), torch.tensor([0.5, 1.0]), assert_ok=False)
    assert isinstance(report, GradientReport) and not report.ok
    text = str(report)
    assert text.startswith("check_gradients(apply): 2 of 6 comparisons disagree; worst: ")
    assert re.search(r"FAIL  reverse vs numerical  input: \|diff\| \S+ > tol \S+ at \(\d+,\) \(\S+ vs \S+\)", text)
    assert repr(report) == "<GradientReport apply: 6 comparisons, 2 failures>"


# ------------------------------------------------------------------------------------------------ kinks
def _selu_dense(bias_scale=1.0):
    """Dense(1, selu) whose bias gradient is multiplied by ``bias_scale`` (1: the true gradient)."""

    class ScaledGradient(torch.autograd.Function):
        @staticmethod
        def forward(ctx, b):
            return b.clone()

        @staticmethod
        def backward(ctx, g):
            return bias_scale * g

        @staticmethod
        def jvp(ctx, t):
            return bias_scale * t

    class SeluDense(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.kernel = torch.nn.Parameter(torch.tensor([[0.7]], dtype=F64))
            self.bias = torch.nn.Parameter(torch.zeros(1, dtype=F64))

        def forward(self, x):
            return torch.selu(x @ self.kernel + ScaledGradient.apply(self.bias))

    return SeluDense()


# found: the bias of Dense(1, selu) reaches selu's kink through every row at once, at several distances
KINKS_THROUGH_THE_BIAS = torch.tensor([[[1.50424357e-165], [0.0], [1.1920929e-07]]] * 2, dtype=F64)


def test_kinks_reached_through_a_weight_are_kinks_not_failures():
    report = check_gradients(keras.layers.Dense(1, activation="selu"), KINKS_THROUGH_THE_BIAS)
    bias = [c for c in report.find("reverse vs numerical") if c.wrt.endswith("bias'")]
    assert len(bias) == 1 and bias[0].kinks == 1
    assert check_gradients(_selu_dense(), KINKS_THROUGH_THE_BIAS).find("reverse vs numerical")[-1].kinks == 1


@pytest.mark.parametrize("bias_scale", [0.5, 1.01, -1.0])
def test_a_wrong_weight_gradient_is_still_reported_next_to_kinks(bias_scale):
    smooth = torch.tensor([[0.5], [1.0], [-0.3]], dtype=F64)  # every row away from the kink
    report = check_gradients(_selu_dense(bias_scale), smooth, assert_ok=False)
    assert [(c.check, c.wrt) for c in report.failures] == [
        ("reverse vs numerical", "weight 'bias'"),
        ("forward vs numerical", "output 0"),
    ]
    # one row on the kink, three away: the bias's own difference straddles the kink (not comparable there),
    # but the rows away from it still show the wrong rule
    mixed = torch.cat([smooth, torch.tensor([[0.0]], dtype=F64)])
    report = check_gradients(_selu_dense(bias_scale), mixed, assert_ok=False)
    assert [(c.check, c.wrt) for c in report.failures] == [("forward vs numerical", "output 0")]


def test_a_function_varying_on_the_scale_of_a_tiny_input_is_resolved_with_smaller_steps():
    x = torch.full((2, 2), 1e-5, dtype=F64)  # x / |x|: derivatives ~1e5, curvature on the scale 1e-5 > h
    report = check_gradients(lambda t: t / torch.linalg.vector_norm(t, dim=-1, keepdim=True), x)
    assert report.ok and report.find("reverse vs numerical")[0].kinks == 0


# -------------------------------------------------------------------------------------------- hessians
@settings(max_examples=8)
@given(x=S.tensors((3,)))
def test_check_hessian_passes_on_smooth_functions(x):
    report = check_hessian(lambda x: torch.sin(x[0]) * torch.cos(x[1]) * x[2] + (x**3).sum(), x)
    assert {c.check for c in report.comparisons} == {"hessian symmetry", "hvp vs hessian", "hessian vs numerical"}


@pytest.mark.xfail(
    strict=True,
    reason="found by this suite: hvp (forward-over-reverse with torch.autograd.forward_ad) "
    "through torch.prod is wrong when an input is tiny but not 0 (x0 = 1e-300: entry 0 of H v is 0 "
    "instead of v1 + v2); torch.func.jvp(torch.func.grad(f)) is right. A torch forward-AD formula "
    "issue.",
)
def test_hvp_through_prod_at_a_tiny_input():
    x = torch.tensor([1e-300, 1.0, 1.0], dtype=F64)
    check_hessian(lambda x: x.prod(), x)


def test_check_hessian_catches_an_asymmetric_second_derivative():
    class Product(torch.autograd.Function):  # x0 * x1 with a wrong gradient (x1, 2 x0): Jacobian not symmetric
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return x[0] * x[1]

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return torch.stack([x[1], 2 * x[0]]) * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return x[1] * t[0] + x[0] * t[1]

    report = check_hessian(Product.apply, torch.tensor([0.5, -1.5]), assert_ok=False)
    assert "hessian symmetry" in _failed(report)
    with pytest.raises(TypeError, match="expected a floating-point tensor x, received torch.int64"):
        check_hessian(torch.sin, torch.tensor([1]))


def test_kerastorch_exports_testing():
    import kerastorch

    assert kerastorch.testing.check_gradients is check_gradients
    assert kerastorch.testing.strategies is S
