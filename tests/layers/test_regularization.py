"""Tests for Dropout: inference identity, training statistics, noise_shape, seeds, configs, errors, parity."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import float_arrays, roundtrip, to_np

import kerastorch
from kerastorch.layers.regularization import Dropout


def test_inference_is_the_identity():
    x = torch.randn(4, 5)
    layer = Dropout(0.5)
    assert layer(x) is x
    assert layer(x, training=False) is x
    assert Dropout(0.0)(x, training=True) is x


def test_training_zeroes_about_rate_and_scales_the_rest():
    x = torch.ones(200, 100)
    out = to_np(Dropout(0.3)(x, training=True))
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((out == 0).mean() - 0.3) < 0.02
    assert abs(out.mean() - 1.0) < 0.03  # the scale keeps the expectation


def test_module_train_mode_and_explicit_override():
    layer = Dropout(0.5)
    x = torch.ones(1000)
    layer.train()
    assert (layer(x) == 0).any()
    assert torch.equal(layer(x, training=False), x)
    layer.eval()
    assert torch.equal(layer(x), x)


def test_noise_shape_shares_the_draw_along_unit_axes():
    out = to_np(Dropout(0.5, noise_shape=(None, 1, 8))(torch.ones(4, 6, 8), training=True))
    assert (out == out[:, :1, :]).all()  # the same pattern for every step of axis 1
    assert 0 < (out == 0).mean() < 1


def test_int_seed_reproduces_the_pattern_and_advances():
    x = torch.ones(64, 32)
    a, b = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    first = a(x, training=True)
    assert torch.equal(first, b(x, training=True))
    assert not torch.equal(first, a(x, training=True))


def test_gradient_flows_through_kept_entries_only():
    x = torch.ones(50, 40, requires_grad=True)
    out = Dropout(0.4, seed=1)(x, training=True)
    out.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), to_np(out), rtol=1e-6)


def test_symbolic_shape():
    y = Dropout(0.2)(kerastorch.Input((None, 3)))
    assert y.shape == (None, None, 3) and y.dtype == "float32"


def test_config_roundtrip():
    layer = Dropout(0.25, noise_shape=(None, 1, 4), seed=3, name="drop")
    config = layer.get_config()
    assert {k: config[k] for k in ("rate", "seed", "name")} == {"rate": 0.25, "seed": 3, "name": "drop"}
    assert roundtrip(layer).noise_shape == (None, 1, 4)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"rate": 1.0}, r'Dropout layer "dropout": rate must be a number in \[0, 1\), received rate=1.0'),
        ({"rate": -0.1}, r"rate must be a number in \[0, 1\), received rate=-0.1"),
        ({"rate": "half"}, r"received rate='half'"),
        ({"rate": 0.5, "seed": 1.5}, r"argument `seed` must be an integer or None; received 1.5 \(float\)"),
        ({"rate": 0.5, "noise_shape": (None, 0)}, r"noise_shape entries must be None or positive ints"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Dropout(**kwargs)


def test_noise_shape_that_does_not_fit_the_input():
    with pytest.raises(
        ValueError,
        match=r'Dropout layer "dropout": noise_shape needs one entry per input axis.*'
        r"noise_shape=\(None, 1\) for inputs of shape \(2, 3, 4\)",
    ):
        Dropout(0.5, noise_shape=(None, 1))(torch.ones(2, 3, 4), training=True)
    with pytest.raises(ValueError, match=r"noise_shape=\(None, 5\) for inputs of shape \(2, 3\)"):
        Dropout(0.5, noise_shape=(None, 5))(torch.ones(2, 3))


@pytest.mark.parity
@given(x=float_arrays(min_dims=2, max_dims=3, max_side=5, low=0.5, high=4), rate=st.sampled_from([0.1, 0.5, 0.8]))
def test_parity_inference_identity_and_training_scale(keras3, x, rate):
    ours, theirs = Dropout(rate), keras3.layers.Dropout(rate)
    np.testing.assert_array_equal(to_np(ours(x)), to_np(theirs(x)))
    for out in (to_np(ours(x, training=True)), to_np(theirs(x, training=True))):
        kept = out != 0  # inputs are >= 0.5, so a zero means dropped
        np.testing.assert_allclose(out[kept], x[kept] / (1 - rate), rtol=1e-5)


@pytest.mark.parity
@pytest.mark.parametrize("rate,noise_shape", [(0.3, None), (0.6, None), (0.5, (None, 1, 40))])
def test_parity_drop_fraction_statistics(keras3, rate, noise_shape):
    x = np.ones((100, 30, 40), "float32")
    fractions = []
    for layer in (Dropout(rate, noise_shape=noise_shape), keras3.layers.Dropout(rate, noise_shape=noise_shape)):
        out = to_np(layer(x, training=True))
        if noise_shape is not None:
            assert (out == out[:, :1, :]).all()
        fractions.append((out == 0).mean())
    assert abs(fractions[0] - rate) < 0.03 and abs(fractions[1] - rate) < 0.03
    assert abs(fractions[0] - fractions[1]) < 0.04
