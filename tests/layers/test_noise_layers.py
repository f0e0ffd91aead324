"""Tests for SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout and ActivityRegularization:
inference identity and configs against Keras 3, training statistics (ours and Keras's), seeds, gradients,
activity losses, symbolic shapes, errors."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.regularization.alpha_dropout import ALPHA_PRIME

pytestmark = pytest.mark.usefixtures("_cpu_weights")


RANDOM_LAYERS = {  # class name -> (constructor kwargs, input rank)
    "SpatialDropout1D": ({"rate": 0.4}, 3),
    "SpatialDropout2D": ({"rate": 0.4, "data_format": "channels_first"}, 4),
    "SpatialDropout3D": ({"rate": 0.4}, 5),
    "GaussianNoise": ({"stddev": 0.5}, 2),
    "GaussianDropout": ({"rate": 0.3}, 2),
    "AlphaDropout": ({"rate": 0.3}, 3),
}
ALL_LAYERS = {**RANDOM_LAYERS, "ActivityRegularization": ({"l1": 0.1, "l2": 0.01}, 2)}


def _keras_out(layer, x, **kwargs):
    return to_np(layer(torch.tensor(x, device=keras_device()), **kwargs))


# ------------------------------------------------------------ parity: inference and configs
@pytest.mark.parity
@pytest.mark.parametrize("name", sorted(ALL_LAYERS))
@given(data=st.data())
def test_parity_inference_is_the_identity(keras3, name, data):
    kwargs, rank = ALL_LAYERS[name]
    x = data.draw(float_arrays(min_dims=rank, max_dims=rank, max_side=3))
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)
    xt = torch.tensor(x, requires_grad=True)
    out = ours(xt)
    np.testing.assert_array_equal(to_np(out), _keras_out(theirs, x))
    np.testing.assert_array_equal(to_np(out), x)
    out.sum().backward()
    np.testing.assert_array_equal(to_np(xt.grad), np.ones_like(x))


@pytest.mark.parity
@pytest.mark.parametrize("name", sorted(ALL_LAYERS))
@given(
    seed=st.none() | st.integers(0, 100),
    value=st.sampled_from([0.0, 0.1, 0.5]),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
)
def test_configs_load_both_ways(keras3, name, seed, value, data_format):
    kwargs = dict(ALL_LAYERS[name][0])
    for key in kwargs:
        if key != "data_format":
            kwargs[key] = value
    if name != "ActivityRegularization":
        kwargs["seed"] = seed
    if "data_format" in kwargs:
        kwargs["data_format"] = data_format
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)
    config = ours.get_config()
    assert config == {**theirs.get_config(), "name": ours.name, "dtype": config["dtype"]}
    assert set(config) == set(theirs.get_config())
    roundtrip(ours)
    from_ours = getattr(keras3.layers, name).from_config(json.loads(json.dumps(config)))
    assert {k: v for k, v in from_ours.get_config().items() if k != "dtype"} == {
        k: v for k, v in config.items() if k != "dtype"
    }
    from_theirs = getattr(layers, name).from_config(json.loads(json.dumps(theirs.get_config())))
    assert {k: v for k, v in from_theirs.get_config().items() if k not in ("dtype", "name")} == {
        k: v for k, v in config.items() if k not in ("dtype", "name")
    }


# ------------------------------------------------------------ training statistics (ours and Keras's)
@pytest.mark.parity
@pytest.mark.parametrize(
    "rank,data_format", [(1, "channels_last"), (2, "channels_first"), (2, "channels_last"), (3, "channels_first")]
)
def test_spatial_dropout_drops_whole_feature_maps(keras3, rank, data_format):
    rate, channels_first = 0.4, data_format == "channels_first"
    shape = (300, 8) + (3,) * rank if channels_first else (300,) + (3,) * rank + (8,)
    kwargs = {"rate": rate} if rank == 1 else {"rate": rate, "data_format": data_format}
    name = f"SpatialDropout{rank}D"
    x = np.ones(shape, "float32")
    for layer in (getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)):
        out = _keras_out(layer, x, training=True)
        np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - rate)], rtol=1e-6)
        first = (
            out[(slice(None), slice(None)) + (slice(0, 1),) * rank]
            if channels_first
            else out[(slice(None),) + (slice(0, 1),) * rank]
        )
        assert (out == first).all()  # one draw per (sample, channel)
        assert abs((out == 0).mean() - rate) < 0.04


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,value,expected_std",
    [
        ("GaussianNoise", 0.3, 0.3),
        ("GaussianNoise", 1.0, 1.0),
        ("GaussianDropout", 0.2, 0.5),
        ("GaussianDropout", 0.5, 1.0),
    ],
)
def test_gaussian_noise_statistics(keras3, name, value, expected_std):
    x = np.ones((200, 100), "float32")
    for layer in (getattr(layers, name)(value), getattr(keras3.layers, name)(value)):
        out = _keras_out(layer, x, training=True)
        assert abs(out.mean() - 1.0) < 0.03 * max(expected_std, 0.5)
        assert abs(out.std() - expected_std) < 0.03 * expected_std


@pytest.mark.parity
@pytest.mark.parametrize("rate", [0.1, 0.3, 0.6])
def test_alpha_dropout_values_and_statistics(keras3, rate):
    x = np.random.default_rng(0).normal(size=(200, 100)).astype("float32")
    levels = []
    for layer in (layers.AlphaDropout(rate), keras3.layers.AlphaDropout(rate)):
        out = _keras_out(layer, x, training=True)
        assert abs(out.mean()) < 0.05 and abs(out.std() - 1.0) < 0.05  # SELU's fixed point is kept
        zeros = _keras_out(layer, np.zeros((100, 100), "float32"), training=True)
        assert abs((zeros == zeros.min()).mean() - rate) < 0.04
        levels.append(np.unique(zeros))
    np.testing.assert_allclose(levels[0], levels[1], **TOL)  # dropped a*alpha'+b, kept b: Keras's affine map
    a = ((1 - rate) * (1 + rate * ALPHA_PRIME**2)) ** -0.5
    np.testing.assert_allclose(levels[0], [a * ALPHA_PRIME * (1 - rate), -a * ALPHA_PRIME * rate], rtol=1e-5)


def test_alpha_dropout_noise_shape_and_gradient():
    x = torch.ones(40, 6, 5, requires_grad=True)
    layer = layers.AlphaDropout(0.5, noise_shape=(None, 1, 5), seed=2)
    out = layer(x, training=True)
    assert (out == out[:, :1, :]).all()
    out.sum().backward()
    a = (0.5 * (1 + 0.5 * ALPHA_PRIME**2)) ** -0.5
    kept = out > 0
    np.testing.assert_allclose(to_np(x.grad[kept]), a, rtol=1e-6)
    assert (x.grad[~kept] == 0).all() and kept.any() and (~kept).any()


def test_noise_gradients():
    x = torch.ones(50, 40, requires_grad=True)
    layers.GaussianNoise(0.5, seed=0)(x, training=True).sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))
    x.grad = None
    out = layers.GaussianDropout(0.4, seed=0)(x, training=True)
    out.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), to_np(out), rtol=1e-6)  # d(x * noise)/dx = noise = out for x = 1
    x.grad = None
    out = layers.SpatialDropout1D(0.5, seed=0)(x.reshape(5, 10, 40), training=True)
    out.sum().backward()
    np.testing.assert_allclose(to_np(x.grad).reshape(5, 10, 40), to_np(out), rtol=1e-6)


# ------------------------------------------------------------ seeds, training mode, dtypes
@pytest.mark.parametrize("name", sorted(RANDOM_LAYERS))
def test_int_seed_reproduces_the_noise_and_advances(name):
    kwargs, rank = RANDOM_LAYERS[name]
    x = torch.ones((8,) + (4,) * (rank - 1))
    a, b = getattr(layers, name)(**kwargs, seed=7), getattr(layers, name)(**kwargs, seed=7)
    first = a(x, training=True)
    assert torch.equal(first, b(x, training=True))
    assert not torch.equal(first, a(x, training=True))
    assert not torch.equal(first, getattr(layers, name)(**kwargs, seed=8)(x, training=True))
    torch.manual_seed(3)
    unseeded = getattr(layers, name)(**kwargs)(x, training=True)
    torch.manual_seed(3)
    assert torch.equal(unseeded, getattr(layers, name)(**kwargs)(x, training=True))  # torch's global generator


@pytest.mark.parametrize("name", sorted(RANDOM_LAYERS))
def test_module_train_mode_and_zero_rate(name):
    kwargs, rank = RANDOM_LAYERS[name]
    x = torch.ones((8,) + (4,) * (rank - 1))
    layer = getattr(layers, name)(**kwargs)
    layer.train()
    assert not torch.equal(layer(x), x)
    assert layer(x, training=False) is x
    zero = {k: (0.0 if k in ("rate", "stddev") else v) for k, v in kwargs.items()}
    assert getattr(layers, name)(**zero)(x, training=True) is x
    half = layer(x.double(), training=True)
    assert half.dtype == torch.float32  # the layer's compute dtype, as every kerastorch layer


@pytest.mark.parametrize("name", sorted(ALL_LAYERS))
def test_symbolic_shapes(name):
    kwargs, rank = ALL_LAYERS[name]
    shape = (None,) * (rank - 1) if rank < 3 else (None,) + (3,) * (rank - 2)
    y = getattr(layers, name)(**kwargs)(kerastorch.Input(shape))
    assert y.shape == (None,) + shape and y.dtype == "float32"


# ------------------------------------------------------------ ActivityRegularization
@pytest.mark.parity
@given(
    x=float_arrays(min_dims=2, max_dims=3, max_side=4),
    l1=st.sampled_from([0.0, 0.01, 1.0]),
    l2=st.sampled_from([0.0, 0.1, 2.0]),
)
def test_activity_regularization_losses_match_keras(keras3, x, l1, l2):
    ours, theirs = layers.ActivityRegularization(l1=l1, l2=l2), keras3.layers.ActivityRegularization(l1=l1, l2=l2)
    xt = torch.tensor(x, requires_grad=True)
    xk = torch.tensor(x, requires_grad=True, device=keras_device())
    ours(xt, training=True)
    theirs(xk, training=True)
    assert len(ours.losses) == len(theirs.losses) == 1
    np.testing.assert_allclose(to_np(ours.losses[0]), to_np(theirs.losses[0]), **TOL)
    expected = (l1 * np.abs(x).sum() + l2 * np.square(x).sum()) / x.shape[0]  # scaled by the batch size
    np.testing.assert_allclose(to_np(ours.losses[0]), expected, rtol=1e-4, atol=1e-5)
    if l1 or l2:
        ours.losses[0].backward()
        theirs.losses[0].backward()
        np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **TOL)


def test_activity_regularization_in_a_model_and_each_call_replaces_the_loss():
    model = kerastorch.Sequential([kerastorch.Input((3,)), layers.ActivityRegularization(l1=1.0)])
    model(torch.ones(2, 3))
    model(torch.full((2, 3), 2.0))
    assert len(model.losses) == 1
    np.testing.assert_allclose(to_np(model.losses[0]), 6.0, rtol=1e-6)


# ------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "make,message",
    [
        (
            lambda: layers.SpatialDropout1D(1.0),
            (
                r'SpatialDropout1D layer "spatial_dropout1d": rate must be a number in '
                r"\[0, 1\), received rate=1.0"
            ),
        ),
        (
            lambda: layers.SpatialDropout2D(-0.1),
            r'SpatialDropout2D layer "spatial_dropout2d": rate must be .*rate=-0.1',
        ),
        (
            lambda: layers.SpatialDropout3D(0.1, data_format="ncdhw"),
            (
                r'SpatialDropout3D layer "spatial_dropout3d": '
                r"data_format must be one of"
            ),
        ),
        (
            lambda: layers.GaussianDropout(1.0),
            (
                r'GaussianDropout layer "gaussian_dropout": rate must be a number in '
                r"\[0, 1\), received rate=1.0"
            ),
        ),
        (lambda: layers.GaussianDropout("0.1"), r"received rate='0.1'"),
        (lambda: layers.AlphaDropout(1.5), r'AlphaDropout layer "alpha_dropout": rate must be .*rate=1.5'),
        (
            lambda: layers.AlphaDropout(0.5, noise_shape=(None, 0)),
            (
                r'AlphaDropout layer "alpha_dropout": '
                r"noise_shape entries must be None or positive ints"
            ),
        ),
        (
            lambda: layers.GaussianNoise(-1.0),
            (
                r'GaussianNoise layer "gaussian_noise": stddev must be a number in '
                r"\[0, 1\], received stddev=-1.0"
            ),
        ),
        (
            lambda: layers.GaussianNoise(0.1, seed=1.5),
            (
                r'GaussianNoise layer "gaussian_noise": argument `seed` must '
                r"be an integer or None; received 1.5 \(float\)"
            ),
        ),
        (
            lambda: layers.ActivityRegularization(l1=-1),
            (
                r'ActivityRegularization layer "activity_regularization": l1 '
                r"and l2 must be non-negative numbers, received l1=-1"
            ),
        ),
        (
            lambda: layers.ActivityRegularization(activity_regularizer="l2"),
            r"activity regularizer is set from l1 and l2",
        ),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match=r'layer "spatial_dropout2d".*expected ndim=4, found ndim=3'):
        layers.SpatialDropout2D(0.5)(torch.ones(2, 3, 4), training=True)
    with pytest.raises(
        ValueError,
        match=r'AlphaDropout layer "alpha_dropout": noise_shape needs one entry per '
        r"input axis.*noise_shape=\(None, 3\) for inputs of shape \(2, 4\)",
    ):
        layers.AlphaDropout(0.5, noise_shape=(None, 3))(torch.ones(2, 4), training=True)
