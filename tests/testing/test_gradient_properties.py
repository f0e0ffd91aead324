"""The property-based gradient suite: every built-in layer, activation and loss, and random small models.

For each, ``kerastorch.testing.check_gradients`` runs in float64 and asserts that reverse-mode gradients
match central finite differences, that forward-mode JVPs match reverse-mode VJPs (<u, J v> = <J^T u, v>)
and finite differences, and that JVPs and VJPs are linear; in training and in inference. Hessians of a
few scalar functions are symmetric and agree with ``hvp`` and with differences of the gradient.

Every layer runs once per row of a covering array of its configuration flags and the training flag
(``strategies.covering_flags``): every value of every flag and every pair of values of two flags is checked
on every run, so an option that only breaks in combination (``rms_scaling=True`` with ``scale=True``) is
reached however few examples hypothesis draws; sizes, seeds and inputs are drawn.

Left out: ``strategies.NOT_DIFFERENTIABLE`` (integer-output preprocessing layers). Known, deliberate
deviations of the exact derivative from the derivative of the function, both as in Keras 3:
- SpectralNormalization in training: the power iteration's vectors are constants for the gradient
  (stop-gradient), so reverse and forward mode agree with each other but not with finite differences;
- Masking at a step equal to the mask value everywhere: the gradient is 0 there although the output
  (``x * mask``) is continuous when ``mask_value == 0``.
The regression examples found by this suite are kept below with ``@example`` or as explicit tests.
"""

import inspect

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch import activations, losses
from kerastorch.testing import check_gradients, check_hessian
from kerastorch.testing import strategies as S

F64 = torch.float64
SLOW = {
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "ConvLSTMCell",
    "Conv3D",
    "Conv3DTranspose",
    "MaxPooling3D",
    "AdaptiveMaxPooling3D",
    "Cropping3D",
    "ZeroPadding3D",
    "Bidirectional",
    "GroupQueryAttention",
    "MultiHeadAttention",
    "DepthwiseConv1D",
    "SeparableConv2D",
}
STOP_GRADIENT_IN_TRAINING = {"SpectralNormalization"}


def _check_layer(name, factory, x, training):
    modes = (
        ("reverse", "forward")
        if training and name in STOP_GRADIENT_IN_TRAINING
        else ("reverse", "forward", "numerical")
    )
    return check_gradients(factory(), x, training=training, modes=modes, call_kwargs=S.CALL_KWARGS.get(name))


def _masked_step(name, x):
    """Whether a Masking input has a step equal to the mask value everywhere (see the module docstring)."""
    return name == "Masking" and bool((x == 0).all(-1).any())


def _check_covering_rows(name, data, strength):
    for flags in S.covering_flags(name, strength, training=(False, True)):
        training = flags.pop("training")
        factory, spec = data.draw(S.layer_case(name, **flags), label=f"case {flags}")
        x = data.draw(S.inputs_for(spec), label="inputs")
        if not _masked_step(name, x):
            _check_layer(name, factory, x, training)


# Two examples: hypothesis's first is its simplest (zeros, size-1 axes: every kink at once, but degenerate
# for normalizations), the second a random one.
@pytest.mark.parametrize("name", [n for n in S.layer_names() if n not in SLOW])
@settings(max_examples=2)
@given(data=st.data())
def test_layer_gradients(name, data):
    _check_covering_rows(name, data, strength=2)


@pytest.mark.parametrize("name", sorted(SLOW))
@settings(max_examples=2)
@given(data=st.data())
def test_slow_layer_gradients(name, data):
    _check_covering_rows(name, data, strength=1)


def test_every_builtin_layer_has_a_case():
    exported = {
        n
        for n, c in vars(keras.layers).items()
        if inspect.isclass(c) and issubclass(c, keras.layers.Layer) and c.__name__ == n
    }
    covered = set(S.layer_names()) | set(S.NOT_DIFFERENTIABLE) | set(S.ABSTRACT)
    assert exported <= covered, sorted(exported - covered)
    assert not set(S.layer_names()) & set(S.NOT_DIFFERENTIABLE)


# ---------------------------------------------------------------------- regressions found by the suite
def test_relu_dense_at_zero_is_a_kink_not_a_failure():
    """Found: Dense(relu) on zeros sits on every unit's kink; torch's derivative 0 is a valid choice there."""
    report = check_gradients(keras.layers.Dense(2, activation="relu"), torch.zeros(3, 4))
    assert report.find("reverse vs numerical", "input")[0].kinks > 0


def test_unit_normalization_at_zero_is_not_differentiable():
    """Found: x / max(|x|, 1e-12) at 0 is a jump of height 2 across a 1e-12 ramp: reported as a kink."""
    report = check_gradients(keras.layers.UnitNormalization(), torch.tensor([[0.0], [1.0]]))
    assert report.find("reverse vs numerical")[0].kinks == 1


def test_masking_gradient_at_a_fully_masked_step_is_zero():
    """Found: Masking(0.0) at a zero step outputs 0 = x, but its gradient is 0 there (as in Keras 3)."""
    report = check_gradients(keras.layers.Masking(0.0), torch.zeros(2, 1, 1), assert_ok=False)
    assert not report.ok and {c.check for c in report.failures} == {"reverse vs numerical", "forward vs numerical"}


def test_spectral_normalization_training_gradient_treats_power_iteration_as_constant():
    """Found: in training the kernel gradient ignores the power iteration (stop-gradient, as in Keras 3)."""
    layer = keras.layers.SpectralNormalization(keras.layers.Dense(2), power_iterations=2)
    x = torch.randn(2, 3, generator=torch.Generator().manual_seed(0))
    layer(x)
    report = check_gradients(layer, x, training=True, assert_ok=False)
    kernel = "weight 'spectral_normalization/dense/kernel'"
    assert [(c.check, c.wrt) for c in report.failures] == [("reverse vs numerical", kernel)]
    check_gradients(layer, x, training=True, modes=("reverse", "forward"))
    check_gradients(layer, x, training=False)


# ---------------------------------------------------------------------------------------- activations
ACTIVATIONS = [
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "celu",
    "gelu",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "silu",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "hard_shrink",
    "soft_shrink",
    "tanh_shrink",
    "threshold",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "log_sigmoid",
    "mish",
    "exponential",
    "linear",
    "softmax",
    "log_softmax",
    "glu",
    "sparsemax",
    "swish",
    "hard_swish",
]
_ARGS = {"threshold": {"threshold": 0.5, "default_value": -1.0}}


def test_every_activation_is_checked():
    from kerastorch.serialization.object_registration import builtin_objects

    registered = {n for n, fn in builtin_objects("keras.activations").items() if inspect.isfunction(fn)}
    assert "relu" in registered and registered <= set(ACTIVATIONS), sorted(registered - set(ACTIVATIONS))


@pytest.mark.parametrize("name", ACTIVATIONS)
@settings(max_examples=6)
@given(x=S.tensors(S.shapes(min_dims=1, max_dims=2, max_side=4).map(lambda s: s[:-1] + (2 * s[-1],))))
@example(x=torch.zeros(2, 4, dtype=F64))  # found: every kink at once (relu, hard_*, shrink, sparsemax ties)
@example(x=torch.tensor([[0.5, 0.5, -0.5, 1.0]], dtype=F64))  # found: threshold / shrink / sparsemax boundaries
def test_activation_gradients(name, x):
    fn = getattr(activations, name)
    check_gradients(lambda t: fn(t, **_ARGS.get(name, {})), x)


# --------------------------------------------------------------------------------------------- losses
def _probabilities(logits):
    return torch.softmax(logits, -1)


LOSSES = {  # class name -> (kwargs, y_true maker, y_pred maker) from two float64 tensors in [-2, 2]
    "MeanSquaredError": ({}, lambda t: t, lambda p: p),
    "MeanAbsoluteError": ({}, lambda t: t, lambda p: p),
    "MeanAbsolutePercentageError": ({}, lambda t: t.sign() * (t.abs() + 0.5), lambda p: p),
    "MeanSquaredLogarithmicError": ({}, lambda t: t.abs(), lambda p: p.abs() + 0.1),
    "LogCosh": ({}, lambda t: t, lambda p: p),
    "Huber": ({"delta": 0.7}, lambda t: t, lambda p: p),
    "CosineSimilarity": ({}, lambda t: t, lambda p: p + 0.1),
    "Hinge": ({}, lambda t: torch.where(t > 0, 1.0, -1.0).to(t), lambda p: p),
    "SquaredHinge": ({}, lambda t: torch.where(t > 0, 1.0, -1.0).to(t), lambda p: p),
    "CategoricalHinge": ({}, lambda t: _probabilities(3 * t), lambda p: p),
    "BinaryCrossentropy": ({"from_logits": True, "label_smoothing": 0.1}, lambda t: torch.sigmoid(t), lambda p: p),
    "BinaryFocalCrossentropy": ({"from_logits": True, "apply_class_balancing": True}, torch.sigmoid, lambda p: p),
    "CategoricalCrossentropy": ({"from_logits": True}, lambda t: _probabilities(t), lambda p: p),
    "CategoricalFocalCrossentropy": ({"from_logits": True}, lambda t: _probabilities(t), lambda p: p),
    "KLDivergence": ({}, lambda t: _probabilities(t), lambda p: _probabilities(p)),
    "Poisson": ({}, lambda t: t.abs(), lambda p: p.abs() + 0.1),
    "Dice": ({}, torch.sigmoid, torch.sigmoid),
    "Tversky": ({"alpha": 0.3, "beta": 0.7}, torch.sigmoid, torch.sigmoid),
    "CategoricalGeneralizedCrossEntropy": ({}, lambda t: t.argmax(-1), _probabilities),
    "Circle": ({}, lambda t: (t[:, 0] > 0).long(), lambda p: p + 3.0),  # away from the zero vector
    "CTC": ({}, lambda t: torch.tensor([[1, 2]]), lambda p: p.reshape(1, 2, 3)),  # two steps, three classes
}
REVERSE_ONLY = {"CTC"}  # torch's _ctc_loss has no forward-mode rule
PROBABILITY_LOSSES = {
    "BinaryCrossentropy": ({}, torch.sigmoid, lambda p: 0.05 + 0.9 * torch.sigmoid(p)),
    "CategoricalCrossentropy": ({}, _probabilities, _probabilities),
}


def test_every_loss_is_checked():
    classes = {
        n
        for n, c in vars(losses).items()
        if inspect.isclass(c)
        and issubclass(c, losses.Loss)
        and c not in (losses.Loss, losses.LossFunctionWrapper)
        and not n.startswith("_")
    }
    assert classes - set(LOSSES) <= {"SparseCategoricalCrossentropy"}, sorted(classes - set(LOSSES))


@pytest.mark.parametrize("name", sorted(LOSSES) + [f"{n}-probabilities" for n in PROBABILITY_LOSSES])
@settings(max_examples=6)
@given(t=S.tensors((2, 3)), p=S.tensors((2, 3)))
@example(t=torch.zeros(2, 3, dtype=F64), p=torch.zeros(2, 3, dtype=F64))  # found: MAE / hinge kinks at equality
def test_loss_gradients(name, t, p):
    base = name.split("-")[0]
    kwargs, true_fn, pred_fn = (PROBABILITY_LOSSES if name.endswith("-probabilities") else LOSSES)[base]
    loss = getattr(losses, base)(dtype="float64", **kwargs)
    y_true = true_fn(t)
    modes = ("reverse", "numerical") if base in REVERSE_ONLY else ("reverse", "forward", "numerical")
    check_gradients(lambda q: loss(y_true, pred_fn(q)), p, modes=modes)


@settings(max_examples=6)
@given(p=S.tensors((2, 3)), labels=S.int_tensors((2,), 3), from_logits=st.booleans())
def test_sparse_categorical_crossentropy_gradients(p, labels, from_logits):
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits, dtype="float64")
    check_gradients(lambda q, y: loss(y, q if from_logits else _probabilities(q)), (p, labels))


# --------------------------------------------------------------------------------------------- models
@settings(max_examples=8)
@given(case=S.sequential_models(), data=st.data(), training=st.booleans())
def test_sequential_model_gradients(case, data, training):
    factory, spec = case
    check_gradients(factory(), data.draw(S.inputs_for(spec)), training=training)


@settings(max_examples=8)
@given(case=S.functional_models(), data=st.data(), training=st.booleans())
def test_functional_model_gradients(case, data, training):
    factory, spec = case
    check_gradients(factory(), data.draw(S.inputs_for(spec)), training=training)


# ------------------------------------------------------------------------------------------- hessians
def _dense_energy():
    layer = keras.layers.Dense(2, activation="tanh", dtype="float64")
    layer(torch.zeros(1, 3, dtype=F64))
    return lambda x: (layer(x.reshape(1, 3)) ** 2).sum()


SCALAR_FUNCTIONS = {
    "logsumexp": lambda: lambda x: torch.logsumexp(x.reshape(-1), 0),
    "quartic_coupled": lambda: lambda x: (x**4).sum() + x.reshape(-1)[0] * torch.sin(x.reshape(-1)[-1]),
    "softmax_entropy": lambda: lambda x: -(torch.softmax(x, -1) * torch.log_softmax(x, -1)).sum(),
    "dense_energy": _dense_energy,
    "crossentropy": lambda: (
        lambda x: losses.CategoricalCrossentropy(from_logits=True, dtype="float64")(
            torch.tensor([[0.2, 0.3, 0.5]], dtype=F64), x.reshape(1, 3)
        )
    ),
}


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
@settings(max_examples=5)
@given(x=S.tensors((3,)))
def test_hessians_are_symmetric_and_match_hvp(name, x):
    check_hessian(SCALAR_FUNCTIONS[name](), x)
