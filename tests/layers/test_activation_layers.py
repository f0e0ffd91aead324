"""Tests for Activation, ReLU, LeakyReLU, PReLU, ELU and Softmax: values, shapes, configs, errors, parity."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch.layers.activation import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax

pytestmark = pytest.mark.usefixtures("_cpu_weights")


# Every layer with a few settings: (kerastorch layer, the Keras 3 layer's name and kwargs).
CASES = [
    (Activation, {"activation": "relu"}),
    (Activation, {"activation": "softplus"}),
    (Activation, {"activation": "gelu"}),
    (ReLU, {}),
    (ReLU, {"max_value": 6.0}),
    (ReLU, {"negative_slope": 0.2, "threshold": 1.0}),
    (ReLU, {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.5}),
    (LeakyReLU, {}),
    (LeakyReLU, {"negative_slope": 0.05}),
    (ELU, {}),
    (ELU, {"alpha": 0.5}),
    (Softmax, {}),
    (Softmax, {"axis": 1}),
    (Softmax, {"axis": [1, 2]}),
]
IDS = [f"{cls.__name__}-{kwargs}" for cls, kwargs in CASES]


def test_values_of_each_layer():
    x = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0, 9.0]])
    assert Activation("relu")(x).tolist() == [[0.0, 0.0, 0.0, 0.5, 3.0, 9.0]]
    assert ReLU(max_value=6.0)(x).tolist() == [[0.0, 0.0, 0.0, 0.5, 3.0, 6.0]]
    assert ReLU(negative_slope=0.5, threshold=1.0)(x).tolist() == [[-1.5, -0.75, -0.5, -0.25, 3.0, 9.0]]
    np.testing.assert_allclose(to_np(LeakyReLU()(x)), [[-0.6, -0.15, 0.0, 0.5, 3.0, 9.0]], **TOL)
    np.testing.assert_allclose(to_np(ELU(alpha=2.0)(x)), [[2 * np.expm1(-2), 2 * np.expm1(-0.5), 0, 0.5, 3, 9]], **TOL)
    soft = Softmax()(x)
    np.testing.assert_allclose(to_np(soft), to_np(torch.softmax(x, -1)), **TOL)
    prelu = PReLU(alpha_initializer="ones")
    assert prelu(x).tolist() == x.tolist()


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_symbolic_shapes_and_config_roundtrip(cls, kwargs):
    layer = cls(**kwargs)
    y = layer(kerastorch.Input((None, 3, 4)))
    assert y.shape == (None, None, 3, 4) and y.dtype == "float32"
    roundtrip(layer)


def test_prelu_weights_shared_axes_and_shapes():
    layer = PReLU(shared_axes=[1, 2])
    y = layer(kerastorch.Input((5, 6, 3)))
    assert y.shape == (None, 5, 6, 3) and layer.alpha.shape == (1, 1, 3)
    with torch.no_grad():
        layer.alpha.copy_(torch.tensor([0.1, 0.2, 0.3]).reshape(1, 1, 3))
    out = layer(-torch.ones(2, 5, 6, 3))
    np.testing.assert_allclose(to_np(out[0, 0, 0]), [-0.1, -0.2, -0.3], **TOL)
    assert PReLU(shared_axes=2)(torch.ones(1, 4, 5)) is not None
    clone = roundtrip(PReLU(alpha_initializer="ones", alpha_regularizer="l2", shared_axes=[1]))
    assert clone.shared_axes == [1]


def test_softmax_mask_zeroes_masked_entries_and_full_rows():
    x = torch.randn(2, 3)
    mask = torch.tensor([[True, False, True], [False, False, False]])
    out = Softmax()(x, mask=mask)
    expected = torch.softmax(x[0, [0, 2]], -1)
    np.testing.assert_allclose(to_np(out[0, [0, 2]]), to_np(expected), **TOL)
    assert out[0, 1] == 0 and torch.all(out[1] == 0)
    broadcast = Softmax()(torch.zeros(2, 2, 3), mask=torch.tensor([True, True, False]))
    np.testing.assert_allclose(to_np(broadcast), np.broadcast_to([0.5, 0.5, 0.0], (2, 2, 3)), **TOL)


@pytest.mark.parametrize(
    "make,message",
    [
        (
            lambda: ReLU(max_value=-1),
            r'ReLU layer "re_lu": max_value must be a non-negative number or None, received max_value=-1',
        ),
        (
            lambda: ReLU(negative_slope=-0.1),
            r"negative_slope must be a non-negative number, received negative_slope=-0.1",
        ),
        (lambda: ReLU(threshold=None), r"threshold must be a non-negative number, received threshold=None"),
        (lambda: LeakyReLU(negative_slope=-1), r'LeakyReLU layer "leaky_re_lu": negative_slope must be a non-negative'),
        (lambda: ELU(alpha="big"), r"ELU layer \"elu\": alpha must be a number, received alpha='big'"),
        (lambda: Softmax(axis="last"), r"Softmax layer \"softmax\": axis must be an int or a non-empty tuple"),
        (
            lambda: PReLU(shared_axes=[0]),
            r'PReLU layer "p_re_lu": shared_axes must be axes >= 1 .* received shared_axes=\[0\]',
        ),
        (lambda: Activation("no_such_activation"), r"Unknown activation function: 'no_such_activation'"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_input_shapes():
    layer = PReLU()
    layer(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r'layer "p_re_lu".*expected axis 1 .* value 3.*\(2, 4\)'):
        layer(torch.ones(2, 4))
    with pytest.raises(ValueError, match=r'"p_re_lu".*expected ndim=2, found ndim=3'):
        layer(torch.ones(2, 3, 1))
    with pytest.raises(
        ValueError,
        match=r'"p_re_lu_1": every axis that is not shared must be known.*'
        r"\(None, None, 2\)",
    ):
        PReLU()(kerastorch.Input((None, 2)))
    with pytest.raises(
        ValueError,
        match=r'"p_re_lu_2": expected inputs of rank >= 2 with every shared axis '
        r"in \[1, 1\]",
    ):
        PReLU(shared_axes=2)(torch.ones(3, 2))
    with pytest.raises(
        ValueError,
        match=r'Softmax layer "softmax": the mask must broadcast to the inputs.*'
        r"\(2, 3\).*\(2, 2\)",
    ):
        Softmax()(torch.ones(2, 3), mask=torch.ones(2, 2, dtype=torch.bool))


@pytest.mark.parity
@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")
@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
@given(x=float_arrays(min_dims=3, max_dims=4, low=-8, high=8))
def test_parity(keras3, cls, kwargs, x):
    keras_kwargs = dict(kwargs)
    if "axis" in keras_kwargs and isinstance(keras_kwargs["axis"], list):
        keras_kwargs["axis"] = tuple(keras_kwargs["axis"])
    theirs = getattr(keras3.layers, cls.__name__)(**keras_kwargs)
    np.testing.assert_allclose(to_np(cls(**kwargs)(x)), to_np(theirs(x)), **TOL)


@pytest.mark.parity
@given(x=float_arrays(min_dims=2, max_dims=3, low=-8, high=8), data=st.data())
def test_softmax_mask_parity(keras3, x, data):
    mask = data.draw(hnp.arrays(np.bool_, x.shape))
    np.testing.assert_allclose(to_np(Softmax()(x, mask=mask)), to_np(keras3.layers.Softmax()(x, mask=mask)), **TOL)


@pytest.mark.parity
@given(x=float_arrays(min_dims=2, max_dims=4, low=-8, high=8), data=st.data())
def test_prelu_parity_with_input_gradients(keras3, x, data):
    shared = data.draw(st.lists(st.integers(1, x.ndim - 1), unique=True, max_size=x.ndim - 1)) or None
    ours, theirs = PReLU(shared_axes=shared), keras3.layers.PReLU(shared_axes=shared)
    ours.build(x.shape)
    theirs.build(x.shape)
    alpha = data.draw(hnp.arrays(np.float32, tuple(ours.alpha.shape), elements=st.floats(-1, 1, width=32)))
    for source, target, value in ((ours, theirs, alpha), (theirs, ours, -alpha)):  # copy both ways
        source.set_weights([value])
        target.set_weights(source.get_weights())
        np.testing.assert_array_equal(target.get_weights()[0], value)
        xt = torch.tensor(x, requires_grad=True, device=ours._weight_device())
        xk = torch.tensor(x, requires_grad=True, device=keras_device())
        yt, yk = ours(xt), theirs(xk)
        np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
        yt.sum().backward()
        yk.sum().backward()
        np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **TOL)
    np.testing.assert_allclose(to_np(ours.alpha.grad), to_np(theirs.alpha.value.grad), **TOL)
